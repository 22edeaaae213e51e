//! The dispatcher board's and the technician route page's endpoints under `/api/v1/board`:
//! day view, move preview and commit, lock, unassign, road layer, positions, "my route" and
//! stop status. [`routes`] also mounts the live events ([`crate::live`]) and the pages
//! ([`crate::web`]).

mod data;
mod day;
mod map;
mod moves;
mod rules;
mod tech;
mod travel;

use crate::error::ApiError;
use crate::state::AppState;
use axum::routing::{get, post};
use axum::Router;
use chrono::NaiveDate;
use serde_json::Value;

/// Board, live events and page routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/board/day", get(day::day_view))
        .route("/api/v1/board/preview", post(moves::preview))
        .route("/api/v1/board/moves", post(moves::commit))
        .route("/api/v1/board/assignments/{id}/lock", post(moves::lock))
        .route(
            "/api/v1/board/assignments/{id}/unassign",
            post(moves::unassign),
        )
        .route("/api/v1/board/roads", get(map::roads))
        .route("/api/v1/board/positions", get(day::positions))
        .route("/api/v1/board/position", post(tech::report_position))
        .route("/api/v1/board/my-route", get(tech::my_route))
        .route(
            "/api/v1/board/my-route/stops/{work_order_id}/status",
            post(tech::stop_status),
        )
        .merge(crate::live::sse::routes())
        .merge(crate::web::routes())
}

/// `?date=` or today (UTC).
fn date_or_today(date: Option<&str>) -> Result<NaiveDate, ApiError> {
    match date {
        None | Some("") => Ok(chrono::Utc::now().date_naive()),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| ApiError::validation("date", "date must be YYYY-MM-DD")),
    }
}

fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}
