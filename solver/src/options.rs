//! How a solve runs: time budget, seed, threads, progress reports and cancellation.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use crate::solution::Summary;

/// A progress report, sent whenever the best solution improves and at least once per second.
#[derive(Clone, Debug)]
pub struct Progress {
    /// Time since the solve started.
    pub elapsed: Duration,
    /// Share of the budget used, 0 to 1.
    pub fraction: f64,
    /// Totals of the best solution so far.
    pub best: Summary,
    /// Search iterations so far (all threads).
    pub iterations: u64,
}

/// Callback receiving progress reports; called from solver threads.
pub type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;

/// Options of one solve.
///
/// Same problem, seed, thread count and `max_iterations` → the same solution. With only a
/// time limit the search stops wherever the clock finds it, so results may differ.
#[derive(Clone)]
pub struct SolveOptions {
    /// Wall-clock budget.
    pub time_limit: Duration,
    /// Optional iteration budget (per thread), for reproducible runs.
    pub max_iterations: Option<u64>,
    /// Random seed.
    pub seed: u64,
    /// Worker threads; 0 means all cores.
    pub threads: usize,
    /// Receives progress reports.
    pub progress: Option<ProgressFn>,
    /// Set to true to stop early; the best solution so far is returned.
    pub cancel: Option<Arc<AtomicBool>>,
}

impl Default for SolveOptions {
    fn default() -> Self {
        Self {
            time_limit: Duration::from_secs(5),
            max_iterations: None,
            seed: 1,
            threads: 0,
            progress: None,
            cancel: None,
        }
    }
}

impl std::fmt::Debug for SolveOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SolveOptions")
            .field("time_limit", &self.time_limit)
            .field("max_iterations", &self.max_iterations)
            .field("seed", &self.seed)
            .field("threads", &self.threads)
            .field("progress", &self.progress.is_some())
            .field("cancel", &self.cancel.is_some())
            .finish()
    }
}
