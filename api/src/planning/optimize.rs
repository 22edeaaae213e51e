//! One VROOM-format optimisation: prepare (matrix), solve, answer. Blocking: run it on the
//! blocking pool (see [`super::run::blocking`]).

use super::run;
use crate::error::ApiError;
use crate::vroom::{self, ComputingTimes, Input, Output, Prepared};
use routing_graph::RoadGraph;
use solver::{ProgressFn, Solution, SolveOptions};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

/// Hooks of an asynchronous run.
#[derive(Clone, Default)]
pub struct Hooks {
    /// Progress reports from the solver.
    pub progress: Option<ProgressFn>,
    /// Set to stop early with the best solution so far.
    pub cancel: Option<Arc<AtomicBool>>,
    /// Called once the matrix is built, before the search starts.
    pub started: Option<Arc<dyn Fn() + Send + Sync>>,
}

/// Everything an optimisation produced.
pub struct Optimized {
    /// The prepared request (problem, travel matrix).
    pub prepared: Prepared,
    /// The solver's answer.
    pub solution: Solution,
    /// The VROOM answer.
    pub output: Output,
}

/// Checks `format` (`vroom`, `native` or absent).
pub fn check_format(input: &Input) -> Result<(), ApiError> {
    match input.format.as_deref() {
        None | Some("vroom") | Some("native") => Ok(()),
        Some(other) => Err(ApiError::validation(
            "format",
            format!("unknown format {other:?}; use \"vroom\" or \"native\""),
        )),
    }
}

/// Solves a VROOM-format request with a budget of at most `max_seconds`.
pub fn optimize(
    input: Input,
    graph: Option<Arc<RoadGraph>>,
    max_seconds: f64,
    hooks: Hooks,
) -> Result<Optimized, ApiError> {
    check_format(&input)?;
    let started = Instant::now();
    let time_limit = run::time_limit(input.options.seconds, max_seconds)?;
    let options = SolveOptions {
        time_limit,
        max_iterations: input.options.iterations,
        seed: input.options.seed.unwrap_or(1),
        threads: 0,
        progress: hooks.progress.clone(),
        cancel: hooks.cancel.clone(),
    };
    let prepared = vroom::prepare(input, graph.as_deref())?;
    let loading = started.elapsed();
    if let Some(f) = &hooks.started {
        f();
    }
    let solving_started = Instant::now();
    let solution = run::solve_blocking(&prepared.problem, &options)?;
    let times = ComputingTimes {
        loading: loading.as_millis() as u64,
        solving: solving_started.elapsed().as_millis() as u64,
        routing: 0,
    };
    let output = vroom::output(&prepared, &solution, graph.as_deref(), times);
    Ok(Optimized {
        prepared,
        solution,
        output,
    })
}
