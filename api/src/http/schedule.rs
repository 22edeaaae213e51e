//! Planning from the records: `POST /api/v1/schedule/optimize` proposes a plan for a date
//! range (stored; a diff against the current assignments), `GET /api/v1/schedule/plans/{id}`
//! shows it, `POST .../commit` writes it (409 when the records changed meanwhile), `DELETE`
//! discards it. Admin and dispatcher only.

use super::{ApiJson, ApiPath, AppState, AuthUser};
use crate::domain::roles::sets::PLANNERS;
use crate::error::{ApiError, ApiResult};
use crate::planning::run::{self, MAX_SYNC_SECONDS};
use crate::planning::{plans, records};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;
use solver::SolveOptions;
use uuid::Uuid;

/// Longest planning range, days.
pub const MAX_RANGE_DAYS: i64 = 14;

/// Routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/schedule/optimize", post(optimize))
        .route("/api/v1/schedule/plans/{id}", get(show).delete(discard))
        .route("/api/v1/schedule/plans/{id}/commit", post(commit))
}

/// Body of `POST /api/v1/schedule/optimize`.
#[derive(Debug, Deserialize)]
pub struct OptimizeBody {
    /// Range start (RFC 3339).
    pub from: DateTime<Utc>,
    /// Range end (RFC 3339), after `from`, at most [`MAX_RANGE_DAYS`] later.
    pub to: DateTime<Utc>,
    /// Solver options.
    #[serde(default)]
    pub options: ScheduleOptions,
}

/// Solver options of a schedule run.
#[derive(Debug, Default, Deserialize)]
pub struct ScheduleOptions {
    /// Time budget, seconds (default 3, at most 30).
    pub seconds: Option<f64>,
    /// Iteration budget per thread, for reproducible plans.
    pub iterations: Option<u64>,
}

async fn optimize(
    auth: AuthUser,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<OptimizeBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    auth.require(PLANNERS)?;
    if body.to <= body.from {
        return Err(ApiError::validation("to", "to must be after from"));
    }
    if body.to - body.from > chrono::Duration::days(MAX_RANGE_DAYS) {
        return Err(ApiError::validation(
            "to",
            format!("at most {MAX_RANGE_DAYS} days per plan"),
        ));
    }
    let options = SolveOptions {
        time_limit: run::time_limit(body.options.seconds, MAX_SYNC_SECONDS)?,
        max_iterations: body.options.iterations,
        ..SolveOptions::default()
    };
    let recs = records::load(&state.db, auth.org_id, body.from, body.to).await?;
    let graph = state.graph.clone();
    let (recs, proposal, basis) = run::blocking(move || {
        let built = records::build(&recs, graph.as_deref())?;
        let solution = run::solve_blocking(&built.problem, &options)?;
        let (proposal, basis) = plans::proposal(&recs, &built, &solution);
        Ok((recs, proposal, basis))
    })
    .await?;
    let plan = plans::store(&state.db, auth.org_id, auth.user_id, &recs, proposal, basis).await?;
    Ok((StatusCode::CREATED, Json(plan)))
}

async fn show(
    auth: AuthUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Value>> {
    auth.require(PLANNERS)?;
    Ok(Json(plans::get(&state.db, auth.org_id, id).await?))
}

async fn commit(
    auth: AuthUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Value>> {
    auth.require(PLANNERS)?;
    Ok(Json(
        plans::commit(&state.db, auth.org_id, auth.user_id, id).await?,
    ))
}

async fn discard(
    auth: AuthUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Value>> {
    auth.require(PLANNERS)?;
    Ok(Json(plans::discard(&state.db, auth.org_id, id).await?))
}
