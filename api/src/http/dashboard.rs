//! The plan dashboard: `GET /api/v1/dashboard/plan?from=YYYY-MM-DD&to=YYYY-MM-DD&bucket=day|week
//! &follow_up_days=14` (JSON) and `GET /api/v1/dashboard/plan.csv` (same parameters, one row
//! per bucket). Figures and their definitions: [`crate::dashboard`]. Admins and dispatchers.

use super::auth::AuthUser;
use super::extract::ApiQuery;
use crate::dashboard::{self, Bucket, Dashboard};
use crate::domain::roles::sets;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{Duration, NaiveDate, Utc};
use serde::Deserialize;

/// Routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/dashboard/plan", get(plan))
        .route("/api/v1/dashboard/plan.csv", get(plan_csv))
}

/// Query of both endpoints; default: the last 28 days by week.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanQuery {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    bucket: Option<Bucket>,
    follow_up_days: Option<u32>,
}

/// Longest period, days.
const MAX_DAYS: i64 = 366;

async fn figures(auth: &AuthUser, st: &AppState, q: PlanQuery) -> ApiResult<Dashboard> {
    auth.require(sets::PLANNERS)?;
    let to = q.to.unwrap_or_else(|| Utc::now().date_naive());
    let from = q.from.unwrap_or(to - Duration::days(27));
    if to < from {
        return Err(ApiError::validation("to", "to must not be before from"));
    }
    if (to - from).num_days() >= MAX_DAYS {
        return Err(ApiError::validation(
            "from",
            format!("at most {MAX_DAYS} days"),
        ));
    }
    let follow_up = q.follow_up_days.unwrap_or(14);
    if follow_up > 365 {
        return Err(ApiError::validation("follow_up_days", "at most 365 days"));
    }
    dashboard::compute(
        &st.db,
        auth.org_id,
        from,
        to,
        q.bucket.unwrap_or(Bucket::Week),
        follow_up,
    )
    .await
}

async fn plan(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiQuery(q): ApiQuery<PlanQuery>,
) -> ApiResult<Json<Dashboard>> {
    Ok(Json(figures(&auth, &st, q).await?))
}

async fn plan_csv(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiQuery(q): ApiQuery<PlanQuery>,
) -> ApiResult<Response> {
    let d = figures(&auth, &st, q).await?;
    let csv = dashboard::to_csv(&d).map_err(ApiError::internal)?;
    let name = format!("plan-dashboard-{}-{}.csv", d.from, d.to);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        csv,
    )
        .into_response())
}
