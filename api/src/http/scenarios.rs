//! Planning scenarios in the background: `POST /api/v1/scenarios` enqueues a scenario run
//! (body: `{"name", "scenario": <scenario file>, "seconds", "seed"}`), `GET
//! /api/v1/scenarios` lists the organisation's runs, `GET /api/v1/scenarios/{id}` gives
//! status, progress and (when done) the report, `DELETE /api/v1/scenarios/{id}` cancels.
//! `fieldpath worker` processes run them.

use super::auth::AuthUser;
use super::extract::{ApiJson, ApiPath};
use crate::domain::roles::sets;
use crate::error::{ApiError, ApiResult};
use crate::queue::{Queue, RunStatus};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use std::time::Duration;
use uuid::Uuid;

/// Routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/scenarios", get(list).post(enqueue))
        .route("/api/v1/scenarios/{id}", get(status).delete(cancel))
}

fn queue(st: &AppState) -> Queue {
    Queue::new(st.db.clone(), Duration::from_secs(30))
}

/// Body of `POST /api/v1/scenarios`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EnqueueBody {
    #[serde(default)]
    name: String,
    scenario: Value,
    #[serde(default)]
    seconds: Option<f64>,
    #[serde(default)]
    seed: Option<u64>,
}

async fn enqueue(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiJson(body): ApiJson<EnqueueBody>,
) -> ApiResult<(StatusCode, Json<RunStatus>)> {
    auth.require(sets::PLANNERS)?;
    // Reject a bad scenario now, with the field named, rather than in the worker.
    let file = crate::scenario::file::from_value(body.scenario.clone())
        .map_err(|e| ApiError::validation("scenario", format!("{e:#}")))?;
    crate::scenario::Scenario::from_file(&file)
        .map_err(|e| ApiError::validation("scenario", format!("{e:#}")))?;
    let seconds = body.seconds.unwrap_or(10.0);
    if !(seconds > 0.0 && seconds <= 3600.0) {
        return Err(ApiError::validation(
            "seconds",
            "seconds must be in (0, 3600]",
        ));
    }
    let options = json!({ "seconds": seconds, "seed": body.seed.unwrap_or(1) });
    let q = queue(&st);
    let id = q
        .enqueue(
            auth.org_id,
            &body.name,
            &body.scenario,
            &options,
            Some(auth.user_id),
        )
        .await?;
    let run = q
        .status(auth.org_id, id, false)
        .await?
        .ok_or_else(|| ApiError::not_found("scenario run"))?;
    Ok((StatusCode::ACCEPTED, Json(run)))
}

async fn list(auth: AuthUser, State(st): State<AppState>) -> ApiResult<Json<Value>> {
    auth.require(sets::PLANNERS)?;
    let items = queue(&st).list(auth.org_id, 100).await?;
    Ok(Json(json!({ "items": items })))
}

async fn status(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<RunStatus>> {
    auth.require(sets::PLANNERS)?;
    let run = queue(&st)
        .status(auth.org_id, id, true)
        .await?
        .ok_or_else(|| ApiError::not_found("scenario run"))?;
    Ok(Json(run))
}

async fn cancel(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<RunStatus>> {
    auth.require(sets::PLANNERS)?;
    let run = queue(&st)
        .cancel(auth.org_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("scenario run"))?;
    Ok(Json(run))
}
