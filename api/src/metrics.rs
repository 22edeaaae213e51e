//! Prometheus metrics: request latency by route and status, solver runs, record creates.

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

/// Request latency histogram (labels: method, route, status).
pub const HTTP_DURATION: &str = "fieldpath_http_request_duration_seconds";
/// Solver runs counter (label: outcome).
pub const SOLVER_RUNS: &str = "fieldpath_solver_runs_total";

/// Records created, by how they were written (label `written`: `batched` with concurrent
/// creates in one statement, or `alone`).
pub const RECORD_CREATES: &str = "fieldpath_record_creates_total";

/// Creates per statement of the create batch writer (histogram).
pub const CREATE_BATCH_SIZE: &str = "fieldpath_record_create_batch_size";

/// The process-wide recorder's handle (installed on first use).
pub fn handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full(HTTP_DURATION.into()),
                    &[
                        0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
                    ],
                )
                .and_then(|b| {
                    b.set_buckets_for_metric(
                        Matcher::Full(CREATE_BATCH_SIZE.into()),
                        &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0],
                    )
                })
                .unwrap_or_else(|_| PrometheusBuilder::new());
            let recorder = builder.build_recorder();
            let handle = recorder.handle();
            // Another recorder may already be global (embedding); then ours only renders itself.
            let _ = metrics::set_global_recorder(recorder);
            metrics::describe_histogram!(
                HTTP_DURATION,
                metrics::Unit::Seconds,
                "HTTP request latency"
            );
            metrics::describe_counter!(SOLVER_RUNS, "Optimisation runs by outcome");
            metrics::describe_counter!(
                RECORD_CREATES,
                "Records created, written batched with concurrent creates or alone"
            );
            metrics::describe_histogram!(
                CREATE_BATCH_SIZE,
                "Records written per statement by the create batch writer"
            );
            handle
        })
        .clone()
}

/// Counts one solver run; `outcome` is e.g. `ok`, `infeasible`, `error`.
pub fn solver_run(outcome: &'static str) {
    metrics::counter!(SOLVER_RUNS, "outcome" => outcome).increment(1);
}

/// Counts `n` records created, `written` `batched` or `alone`.
pub fn record_creates(written: &'static str, n: usize) {
    metrics::counter!(RECORD_CREATES, "written" => written).increment(n as u64);
    metrics::histogram!(CREATE_BATCH_SIZE).record(n as f64);
}

/// Middleware recording each request's latency under its route pattern.
pub async fn track(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::histogram!(HTTP_DURATION, "method" => method, "route" => route, "status" => status)
        .record(started.elapsed().as_secs_f64());
    response
}
