//! The HTTP service: one router per resource group, composed in [`router`].
//!
//! To add endpoints, write a module with `pub fn routes() -> Router<AppState>` whose handlers
//! take [`AuthUser`] (401 without a valid token; call `auth.require(&[Role::...])` for 403),
//! `State<AppState>`, and [`ApiJson`]/[`ApiPath`]/[`ApiQuery`] (JSON errors on bad input), and
//! return `ApiResult<...>`; then add one `.merge(your_module::routes())` line in [`api_routes`].

pub mod activity;
pub mod assist;
pub mod attachments;
pub mod auth;
pub mod automation;
pub mod board;
pub mod dashboard;
pub mod desk;
pub mod desk_admin;
pub mod desk_views;
pub mod docs;
pub mod email;
pub mod extract;
pub mod kb;
pub mod listing;
pub mod macros;
pub mod openapi;
pub mod ops;
pub mod optimize;
pub mod osrm;
pub mod portal;
pub mod presence;
pub mod records;
pub mod reports;
pub mod scenarios;
pub mod schedule;
pub mod session;
pub mod tickets;
pub mod webhooks;

pub use crate::error::{ApiError, ApiResult};
pub use crate::state::AppState;
pub use auth::AuthUser;
pub use extract::{ApiJson, ApiPath, ApiQuery};

use axum::http::{Method, Uri};
use axum::Router;
use tower_http::trace::TraceLayer;

/// The `/api/v1` routers (plug new ones in here).
pub fn api_routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .merge(session::routes())
        .merge(records::routes())
        .merge(attachments::routes(state.config.max_upload_bytes))
        .merge(activity::routes())
        .merge(docs::routes())
        .merge(board::routes())
        .merge(optimize::routes())
        .merge(schedule::routes())
        .merge(scenarios::routes())
        .merge(dashboard::routes())
        .merge(desk::routes())
        .merge(automation::routes())
        .merge(email::routes())
        .merge(kb::routes())
        .merge(portal::routes())
        .merge(assist::routes())
        .merge(reports::routes())
        .merge(desk_views::routes())
        .merge(presence::routes())
}

/// The whole service: API, operations endpoints, JSON 404/405, metrics and request tracing.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(api_routes(&state))
        .merge(ops::routes())
        .merge(osrm::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn(crate::metrics::track))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn not_found(uri: Uri) -> ApiError {
    ApiError::new(
        axum::http::StatusCode::NOT_FOUND,
        "not_found",
        format!("no route for {}", uri.path()),
    )
}

async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{method} is not allowed on {}", uri.path()),
    )
}
