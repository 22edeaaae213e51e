//! Help-desk reports: `GET /api/v1/reports/desk?from=&to=&tz=&group=agent|team|none` (JSON) and
//! `GET /api/v1/reports/desk.csv?...&section=groups|series` (CSV download). Admins and
//! dispatchers see everyone; agents see the same figures (a team desk shares its numbers).

use super::auth::AuthUser;
use super::extract::ApiQuery;
use crate::desk::reports::{self, Grouping, Range, Report};
use crate::domain::roles::sets;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use std::collections::HashMap;

/// Routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/reports/desk", get(desk_json))
        .route("/api/v1/reports/desk.csv", get(desk_csv))
}

const PARAMS: [&str; 5] = ["from", "to", "tz", "group", "section"];

async fn report(
    auth: &AuthUser,
    st: &AppState,
    query: &HashMap<String, String>,
) -> ApiResult<Report> {
    auth.require(sets::OFFICE)?;
    if let Some(unknown) = query.keys().find(|k| !PARAMS.contains(&k.as_str())) {
        return Err(ApiError::validation(
            unknown.clone(),
            format!("unknown query parameter `{unknown}`; use from, to, tz, group (and section for CSV)"),
        ));
    }
    let get = |k: &str| query.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let range = Range::parse(get("from"), get("to"), get("tz"), chrono::Utc::now())
        .map_err(|(field, message)| ApiError::validation(field, message))?;
    let grouping = match get("group") {
        None => Grouping::None,
        Some(g) => Grouping::parse(g)
            .ok_or_else(|| ApiError::validation("group", "group must be agent, team or none"))?,
    };
    Ok(reports::build(&st.db, auth.org_id, &range, grouping, chrono::Utc::now()).await?)
}

/// `GET /api/v1/reports/desk`.
async fn desk_json(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiQuery(query): ApiQuery<HashMap<String, String>>,
) -> ApiResult<Json<Report>> {
    Ok(Json(report(&auth, &st, &query).await?))
}

/// `GET /api/v1/reports/desk.csv`.
async fn desk_csv(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiQuery(query): ApiQuery<HashMap<String, String>>,
) -> ApiResult<Response> {
    let section = query.get("section").map(String::as_str).unwrap_or("groups");
    if !matches!(section, "groups" | "series") {
        return Err(ApiError::validation(
            "section",
            "section must be groups or series",
        ));
    }
    let r = report(&auth, &st, &query).await?;
    let bytes = match section {
        "series" => reports::csv::series(&r),
        _ => reports::csv::groups(&r),
    }
    .map_err(ApiError::internal)?;
    let filename = format!("desk-report-{section}-{}-{}.csv", r.from, r.to);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
