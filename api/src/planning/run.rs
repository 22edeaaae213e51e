//! Runs the solver off the async runtime and counts the runs.

use crate::error::ApiError;
use solver::{Problem, Solution, SolveOptions};
use std::time::Duration;

/// Shortest and longest budget a request may ask for, seconds.
pub const MIN_SECONDS: f64 = 0.05;
/// Longest budget of a synchronous request, seconds.
pub const MAX_SYNC_SECONDS: f64 = 30.0;
/// Longest budget of an asynchronous job, seconds.
pub const MAX_ASYNC_SECONDS: f64 = 600.0;
/// Budget when the request names none, seconds.
pub const DEFAULT_SECONDS: f64 = 3.0;

/// The time limit for a requested number of seconds, clamped to `[MIN_SECONDS, max]`.
pub fn time_limit(requested: Option<f64>, max: f64) -> Result<Duration, ApiError> {
    let secs = requested.unwrap_or(DEFAULT_SECONDS.min(max));
    if !secs.is_finite() || secs <= 0.0 {
        return Err(ApiError::validation(
            "options.seconds",
            "options.seconds must be a positive number",
        ));
    }
    Ok(Duration::from_secs_f64(secs.clamp(MIN_SECONDS, max)))
}

/// Solves on the current thread (call from a blocking task), counting the run in the metrics.
pub fn solve_blocking(problem: &Problem, options: &SolveOptions) -> Result<Solution, ApiError> {
    match solver::solve(problem, options) {
        Ok(solution) => {
            let outcome = if solution.unassigned.is_empty() {
                "ok"
            } else {
                "partial"
            };
            crate::metrics::solver_run(outcome);
            Ok(solution)
        }
        Err(e) => {
            crate::metrics::solver_run("error");
            Err(ApiError::validation("body", e.to_string()))
        }
    }
}

/// Runs `work` on the blocking pool; a panic there becomes a 500.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(ApiError::internal)?
}
