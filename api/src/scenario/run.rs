//! Running a scenario: the base scenario and each variant are planned twice, by the
//! greedy baseline and by the optimiser; every plan goes through the independent checker
//! and is measured.

use anyhow::{bail, Context};
use routing_graph::{ImportOptions, RoadGraph, StraightLine, TravelEstimator};
use solver::check::CheckedSummary;
use solver::{Problem, Solution, SolveOptions};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::baseline::greedy;
use super::current;
use super::edits::apply_all;
use super::file::ScenarioFile;
use super::metrics::{measure, PlanFigures};
use super::model::Scenario;
use super::problem::build;
use super::report::{saving, Report};

/// Receives the share of the run done (0 to 1) and what is being planned.
pub type ProgressFn = Arc<dyn Fn(f64, &str) + Send + Sync>;

/// How a scenario runs.
#[derive(Clone)]
pub struct RunOptions {
    /// Optimiser budget per plan, seconds.
    pub seconds: f64,
    /// Random seed of the optimiser.
    pub seed: u64,
    /// Optimiser threads (0: all cores).
    pub threads: usize,
    /// Set to stop: the optimiser returns its best plan so far and the run ends with an error.
    pub cancel: Option<Arc<AtomicBool>>,
    /// Progress reports.
    pub progress: Option<ProgressFn>,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            seconds: 10.0,
            seed: 1,
            threads: 0,
            cancel: None,
            progress: None,
        }
    }
}

/// The travel estimator of a scenario and the warnings that go with it.
pub struct Travel {
    /// Road graph or straight lines.
    pub estimator: Arc<dyn TravelEstimator>,
    /// E.g. that travel is estimated along straight lines.
    pub warnings: Vec<String>,
}

/// The warning of a run without a road graph.
pub const STRAIGHT_LINE_WARNING: &str =
    "no road graph: travel is estimated along straight lines (haversine × 1.3 at 40 km/h)";

/// Finds `path` as given or next to the scenario file.
pub fn resolve_path(path: &str, scenario_dir: Option<&Path>) -> Option<PathBuf> {
    let p = PathBuf::from(path);
    if p.exists() {
        return Some(p);
    }
    scenario_dir.map(|d| d.join(path)).filter(|p| p.exists())
}

/// Loads the scenario's road graph (a `.graph` file, or imports an `.osm.pbf`), or the
/// straight-line estimator when the scenario names none.
pub fn load_travel(graph: Option<&str>, scenario_dir: Option<&Path>) -> anyhow::Result<Travel> {
    let Some(name) = graph else {
        return Ok(Travel {
            estimator: Arc::new(StraightLine::default()),
            warnings: vec![STRAIGHT_LINE_WARNING.into()],
        });
    };
    let Some(path) = resolve_path(name, scenario_dir) else {
        bail!("field `graph`: file `{name}` not found (relative paths are tried from the working directory and the scenario's folder)");
    };
    let started = Instant::now();
    let graph = if name.ends_with(".pbf") {
        RoadGraph::from_pbf(&path, &ImportOptions::default())
            .with_context(|| format!("field `graph`: importing {}", path.display()))?
            .0
    } else {
        RoadGraph::load(&path)
            .with_context(|| format!("field `graph`: loading {}", path.display()))?
    };
    tracing::info!(path = %path.display(), secs = started.elapsed().as_secs_f64(), "road graph ready");
    Ok(Travel {
        estimator: Arc::new(graph),
        warnings: Vec::new(),
    })
}

/// Checks a plan with the independent checker; a failure is an error naming the plan.
fn checked(problem: &Problem, solution: &Solution, plan: &str) -> anyhow::Result<CheckedSummary> {
    solver::check::check(problem, solution).map_err(|violations| {
        let shown: Vec<String> = violations.iter().take(3).map(|v| v.to_string()).collect();
        anyhow::anyhow!(
            "plan {plan} failed the checker ({} violations): {}",
            violations.len(),
            shown.join("; ")
        )
    })
}

/// Runs the base scenario and every variant of `file`.
pub fn run(file: &ScenarioFile, travel: &Travel, options: &RunOptions) -> anyhow::Result<Report> {
    anyhow::ensure!(
        options.seconds.is_finite() && options.seconds > 0.0,
        "the optimiser budget must be a positive number of seconds, got {}",
        options.seconds
    );
    let started = Instant::now();
    let base = Scenario::from_file(file)?;
    let mut variants = vec![("base".to_string(), Vec::new())];
    variants.extend(
        file.variants
            .iter()
            .map(|v| (v.name.clone(), v.edits.clone())),
    );
    let count = variants.len() as f64;
    let report_progress = |done: f64, what: &str| {
        if let Some(p) = &options.progress {
            p(done.clamp(0.0, 1.0), what);
        }
    };
    let mut plans: Vec<PlanFigures> = Vec::new();
    let mut savings = Vec::new();
    let mut estimator = travel.estimator.kind();
    for (i, (name, edits)) in variants.iter().enumerate() {
        let mut scenario = base.clone();
        apply_all(&mut scenario, edits).with_context(|| format!("variant `{name}`"))?;
        let planning = build(&scenario, travel.estimator.as_ref())
            .with_context(|| format!("variant `{name}`"))?;
        estimator = planning.estimator;
        let problem = &planning.problem;
        if i == 0 && !file.current_plan.is_empty() {
            report_progress(0.0, "base: current plan");
            let current = current::evaluate(&scenario, &planning, &file.current_plan)?;
            let mut figures = measure(
                &scenario,
                &planning,
                &current.solution,
                &current.checked,
                name,
                "current",
                0.0,
            );
            figures.checked = current.violations == 0;
            figures.violations = current.violations;
            figures.unassigned_jobs = current.unassigned;
            plans.push(figures);
        }
        report_progress(i as f64 / count, &format!("{name}: greedy baseline"));

        let t0 = Instant::now();
        let plan = greedy(problem);
        let secs = t0.elapsed().as_secs_f64();
        let summary = checked(problem, &plan, &format!("{name} / greedy"))?;
        let greedy_figures = measure(&scenario, &planning, &plan, &summary, name, "greedy", secs);

        let base_done = (i as f64 + 0.05) / count;
        let what = format!("{name}: optimizing");
        let progress: Option<solver::ProgressFn> = options.progress.clone().map(|p| {
            let what = what.clone();
            Arc::new(move |pr: &solver::Progress| p(base_done + 0.95 * pr.fraction / count, &what))
                as solver::ProgressFn
        });
        let solve_options = SolveOptions {
            time_limit: Duration::from_secs_f64(options.seconds),
            seed: options.seed,
            threads: options.threads,
            progress,
            cancel: options.cancel.clone(),
            ..SolveOptions::default()
        };
        let t0 = Instant::now();
        let plan = solver::solve(problem, &solve_options)
            .with_context(|| format!("variant `{name}`: optimizer"))?;
        let secs = t0.elapsed().as_secs_f64();
        let summary = checked(problem, &plan, &format!("{name} / optimized"))?;
        let optimized = measure(
            &scenario,
            &planning,
            &plan,
            &summary,
            name,
            "optimized",
            secs,
        );
        savings.push(saving(&greedy_figures, &optimized));
        plans.push(greedy_figures);
        plans.push(optimized);
        if options
            .cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Relaxed))
        {
            bail!("cancelled");
        }
    }
    report_progress(1.0, "done");
    Ok(Report {
        scenario: if base.name.is_empty() {
            "unnamed".into()
        } else {
            base.name.clone()
        },
        horizon_start: base.horizon.start.to_string(),
        horizon_days: base.horizon.days,
        estimator: estimator.as_str().to_string(),
        warnings: travel.warnings.clone(),
        seconds_per_plan: options.seconds,
        seed: options.seed,
        plans,
        savings,
        wall_s: started.elapsed().as_secs_f64(),
    })
}
