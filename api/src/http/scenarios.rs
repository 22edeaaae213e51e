//! Planning scenarios in the background: `POST /api/v1/scenarios` enqueues a scenario run
//! (body: `{"name", "scenario": <scenario file>, "seconds", "seed"}`, or instead of
//! `scenario` a copy of the organisation's records: `"from_records": {"start": "YYYY-MM-DD",
//! "end": "YYYY-MM-DD"}` with optional `"edits": [...]` (one what-if variant) and
//! `"variants": [{"name", "edits"}]`), `GET /api/v1/scenarios` lists the organisation's runs,
//! `GET /api/v1/scenarios/{id}` gives status, progress and (when done) the report,
//! `GET /api/v1/scenarios/{id}/report.csv` the comparison as CSV, `DELETE
//! /api/v1/scenarios/{id}` cancels. `fieldpath worker` processes (or `fieldpath serve
//! --workers N`) run them.

use super::auth::AuthUser;
use super::extract::{ApiJson, ApiPath};
use crate::domain::roles::sets;
use crate::error::{ApiError, ApiResult};
use crate::queue::{Queue, RunStatus};
use crate::scenario::edits::{apply_all, Edit};
use crate::scenario::file::VariantSpec;
use crate::scenario::{records, Report};
use crate::state::AppState;
use axum::extract::State;
use axum::http::header;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::time::Duration;
use uuid::Uuid;

/// Routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/scenarios", get(list).post(enqueue))
        .route("/api/v1/scenarios/{id}", get(status).delete(cancel))
        .route("/api/v1/scenarios/{id}/report.csv", get(report_csv))
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
    #[serde(default)]
    scenario: Option<Value>,
    #[serde(default)]
    from_records: Option<RecordsRange>,
    #[serde(default)]
    edits: Vec<Edit>,
    #[serde(default)]
    variants: Vec<VariantSpec>,
    #[serde(default)]
    seconds: Option<f64>,
    #[serde(default)]
    seed: Option<u64>,
}

/// Whole days of the records to copy, both ends included.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RecordsRange {
    start: NaiveDate,
    end: NaiveDate,
}

/// Longest date range copied from the records.
const MAX_RECORDS_DAYS: i64 = 31;

/// The scenario file of a `from_records` request: the records of the range, the caller's
/// variants, and `edits` as a variant named `what-if`; every variant is tried now so that a
/// bad edit is a 422 naming it rather than a failed run.
async fn records_scenario(
    st: &AppState,
    org_id: Uuid,
    name: &str,
    range: &RecordsRange,
    edits: Vec<Edit>,
    mut variants: Vec<VariantSpec>,
) -> ApiResult<Value> {
    if range.end < range.start {
        return Err(ApiError::validation(
            "from_records.end",
            "end must not be before start",
        ));
    }
    if (range.end - range.start).num_days() >= MAX_RECORDS_DAYS {
        return Err(ApiError::validation(
            "from_records.end",
            format!("at most {MAX_RECORDS_DAYS} days per scenario"),
        ));
    }
    let from = records::midnight(range.start);
    let to = records::midnight(range.end) + chrono::Duration::days(1);
    let recs = crate::planning::records::load(&st.db, org_id, from, to).await?;
    if recs.orders.is_empty() {
        return Err(ApiError::validation(
            "from_records",
            format!(
                "no open work orders between {} and {}",
                range.start, range.end
            ),
        ));
    }
    let name = if name.trim().is_empty() {
        format!("Records {} to {}", range.start, range.end)
    } else {
        name.to_string()
    };
    let mut file = records::scenario_file(&recs, &name);
    if !edits.is_empty() {
        variants.push(VariantSpec {
            name: "what-if".into(),
            edits,
        });
    }
    file.variants = variants;
    let base = crate::scenario::Scenario::from_file(&file)
        .map_err(|e| ApiError::validation("from_records", format!("{e:#}")))?;
    for (i, v) in file.variants.iter().enumerate() {
        let mut copy = base.clone();
        apply_all(&mut copy, &v.edits).map_err(|e| {
            ApiError::validation(
                if v.name == "what-if" {
                    "edits".to_string()
                } else {
                    format!("variants[{i}].edits")
                },
                format!("{e:#}"),
            )
        })?;
    }
    serde_json::to_value(&file).map_err(ApiError::internal)
}

async fn enqueue(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiJson(body): ApiJson<EnqueueBody>,
) -> ApiResult<(StatusCode, Json<RunStatus>)> {
    auth.require(sets::PLANNERS)?;
    let (scenario, source) = match (body.scenario, &body.from_records) {
        (Some(scenario), None) => {
            if !body.edits.is_empty() || !body.variants.is_empty() {
                return Err(ApiError::validation(
                    "edits",
                    "edits and variants go inside the scenario file; they are only separate with from_records",
                ));
            }
            // Reject a bad scenario now, with the field named, rather than in the worker.
            let file = crate::scenario::file::from_value(scenario.clone())
                .map_err(|e| ApiError::validation("scenario", format!("{e:#}")))?;
            crate::scenario::Scenario::from_file(&file)
                .map_err(|e| ApiError::validation("scenario", format!("{e:#}")))?;
            (scenario, Value::Null)
        }
        (None, Some(range)) => {
            let scenario = records_scenario(
                &st,
                auth.org_id,
                &body.name,
                range,
                body.edits,
                body.variants,
            )
            .await?;
            (scenario, json!({ "from_records": range }))
        }
        _ => {
            return Err(ApiError::validation(
                "scenario",
                "give either a scenario file (`scenario`) or a date range of the records (`from_records`)",
            ))
        }
    };
    let name = match (&body.from_records, body.name.trim().is_empty()) {
        (Some(r), true) => format!("Records {} to {}", r.start, r.end),
        _ => body.name.clone(),
    };
    let seconds = body.seconds.unwrap_or(10.0);
    if !(seconds > 0.0 && seconds <= 3600.0) {
        return Err(ApiError::validation(
            "seconds",
            "seconds must be in (0, 3600]",
        ));
    }
    let mut options = json!({ "seconds": seconds, "seed": body.seed.unwrap_or(1) });
    if !source.is_null() {
        options["source"] = source;
    }
    let q = queue(&st);
    let id = q
        .enqueue(auth.org_id, &name, &scenario, &options, Some(auth.user_id))
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

/// The comparison of a finished run as CSV: one row per plan.
async fn report_csv(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Response> {
    auth.require(sets::PLANNERS)?;
    let run = queue(&st)
        .status(auth.org_id, id, true)
        .await?
        .ok_or_else(|| ApiError::not_found("scenario run"))?;
    let Some(result) = run.result.filter(|_| run.status == "succeeded") else {
        return Err(ApiError::conflict(format!(
            "the run is {}; its report exists once it has succeeded",
            run.status
        )));
    };
    let report: Report = serde_json::from_value(result).map_err(ApiError::internal)?;
    let csv = report.csv().map_err(ApiError::internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"scenario-{id}.csv\""),
            ),
        ],
        csv,
    )
        .into_response())
}
