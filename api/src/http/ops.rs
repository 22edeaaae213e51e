//! Operations endpoints: `/health`, `/ready`, `/metrics`.

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use std::time::Duration;

/// Routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/metrics", get(metrics))
}

/// The process is up.
async fn health(State(st): State<AppState>) -> Json<serde_json::Value> {
    Json(
        json!({"status": "ok", "version": env!("CARGO_PKG_VERSION"), "graph_loaded": st.graph.is_some()}),
    )
}

/// The database answers (503 JSON otherwise).
async fn ready(State(st): State<AppState>) -> Response {
    let probe = tokio::time::timeout(
        Duration::from_secs(3),
        sqlx::query("SELECT 1").execute(&st.db),
    )
    .await;
    match probe {
        Ok(Ok(_)) => Json(json!({"status": "ready", "database": "ok"})).into_response(),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness probe failed");
            ApiError::unavailable("database unavailable").into_response()
        }
        Err(_) => ApiError::unavailable("database did not answer in time").into_response(),
    }
}

/// Prometheus text exposition.
async fn metrics(State(st): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        st.metrics.render(),
    )
        .into_response()
}
