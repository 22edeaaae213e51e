//! `GET /api/v1/events`: the caller's organisation's [`LiveEvent`]s as Server-Sent Events.

use super::{LiveEvent, LiveHub};
use crate::http::AuthUser;
use crate::state::AppState;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// Routes: `GET /api/v1/events`.
pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/events", get(events))
}

fn to_sse(event: &LiveEvent) -> Event {
    Event::default()
        .event(event.kind.clone())
        .data(event.data.to_string())
}

/// Streams the organisation's events. Starts with `ready`; a subscriber that falls behind gets
/// `resync` (reload everything) instead of the events it missed.
async fn events(auth: AuthUser) -> impl IntoResponse {
    let rx = LiveHub::global().subscribe(auth.org_id);
    let ready = Event::default()
        .event("ready")
        .data(serde_json::json!({"org_id": auth.org_id, "role": auth.role.as_str()}).to_string());
    let stream = futures_util::stream::unfold((rx, Some(ready)), |(mut rx, first)| async move {
        if let Some(first) = first {
            return Some((Ok::<Event, Infallible>(first), (rx, None)));
        }
        match rx.recv().await {
            Ok(event) => Some((Ok(to_sse(&event)), (rx, None))),
            Err(RecvError::Lagged(_)) => {
                let resync = Event::default().event("resync").data("{}");
                Some((Ok(resync), (rx, None)))
            }
            Err(RecvError::Closed) => None,
        }
    });
    let mut response = Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response();
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-cache"),
    );
    response
}
