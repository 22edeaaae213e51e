//! `POST /api/v1/optimize` (VROOM's input and output format; `/optimize/native` for the
//! native extensions) and asynchronous jobs under `/api/v1/optimize/jobs` (kept in Postgres,
//! see [`crate::planning::jobs`]). Admin and dispatcher only.

use super::{ApiJson, ApiPath, AppState, AuthUser};
use crate::domain::roles::sets::PLANNERS;
use crate::error::ApiResult;
use crate::planning::job_store::{self, JobView};
use crate::planning::jobs::runner;
use crate::planning::optimize::{optimize, Hooks};
use crate::planning::run::{self, MAX_SYNC_SECONDS};
use crate::vroom::{Input, Output};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use uuid::Uuid;

/// Routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/optimize", post(optimize_vroom))
        .route("/api/v1/optimize/native", post(optimize_native))
        .route("/api/v1/optimize/jobs", post(submit))
        .route("/api/v1/optimize/jobs/{id}", get(status).delete(cancel))
}

async fn solve(state: AppState, input: Input) -> ApiResult<Json<Output>> {
    let graph = state.graph.clone();
    let done =
        run::blocking(move || optimize(input, graph, MAX_SYNC_SECONDS, Hooks::default())).await?;
    Ok(Json(done.output))
}

/// Solves a VROOM request and answers in VROOM's format (plus `estimator` and reasons).
async fn optimize_vroom(
    auth: AuthUser,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<Input>,
) -> ApiResult<Json<Output>> {
    auth.require(PLANNERS)?;
    solve(state, input).await
}

/// Same as `/optimize` with `"format": "native"`.
async fn optimize_native(
    auth: AuthUser,
    State(state): State<AppState>,
    ApiJson(mut input): ApiJson<Input>,
) -> ApiResult<Json<Output>> {
    auth.require(PLANNERS)?;
    input.format = Some("native".into());
    solve(state, input).await
}

/// Starts an asynchronous job: 202 with its id and a `Location` header.
async fn submit(
    auth: AuthUser,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<Input>,
) -> ApiResult<Response> {
    auth.require(PLANNERS)?;
    let view = runner()
        .submit(
            state.db.clone(),
            auth.org_id,
            auth.user_id,
            input,
            state.graph.clone(),
        )
        .await?;
    let location = format!("/api/v1/optimize/jobs/{}", view.id);
    Ok((
        StatusCode::ACCEPTED,
        [(header::LOCATION, location)],
        Json(view),
    )
        .into_response())
}

/// A job's status, progress and result (read from Postgres, so any process answers).
async fn status(
    auth: AuthUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<JobView>> {
    auth.require(PLANNERS)?;
    Ok(Json(job_store::get(&state.db, auth.org_id, id).await?))
}

/// Cancels a job; the best solution so far is kept as its result.
async fn cancel(
    auth: AuthUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<JobView>> {
    auth.require(PLANNERS)?;
    Ok(Json(runner().cancel(&state.db, auth.org_id, id).await?))
}
