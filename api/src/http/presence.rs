//! `/api/v1/tickets/{id}/presence`: the collision notice. `POST {"state": "viewing" |
//! "replying"}` is the heartbeat of an open ticket page (every ~10 s; entries expire after
//! [`TTL_SECS`]) and answers who else is there; `GET` only answers; `DELETE` leaves. When
//! someone arrives, changes state or leaves, `ticket.presence` (`{"ticket_id"}`, no names: the
//! event stream reaches every role) is published on the organisation's live stream so open
//! pages ask again at once. Office roles only.

use super::auth::AuthUser;
use super::extract::{ApiJson, ApiPath};
use super::tickets::visible;
use crate::desk::presence::{self, Presence, STATES, TTL_SECS};
use crate::desk::ticket::check_one_of;
use crate::domain::roles::sets;
use crate::error::ApiResult;
use crate::live::{publish, LiveEvent};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

/// Routes.
pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/api/v1/tickets/{id}/presence",
        get(read).post(beat).delete(leave),
    )
}

/// Body of the heartbeat.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Beat {
    state: String,
}

/// `{"items": [others on the ticket], "ttl_secs": 30}`.
async fn others(st: &AppState, auth: &AuthUser, ticket_id: Uuid) -> ApiResult<Json<Value>> {
    let items: Vec<Presence> = presence::on_ticket(&st.db, auth.org_id, ticket_id)
        .await?
        .into_iter()
        .filter(|p| p.user_id != auth.user_id)
        .collect();
    Ok(Json(json!({ "items": items, "ttl_secs": TTL_SECS })))
}

fn announce(st: &AppState, auth: &AuthUser, ticket_id: Uuid) {
    publish(
        st,
        auth.org_id,
        LiveEvent::new("ticket.presence", json!({ "ticket_id": ticket_id })),
    );
}

async fn read(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Value>> {
    auth.require(sets::OFFICE)?;
    let t = visible(&st, &auth, id).await?;
    others(&st, &auth, t.id).await
}

async fn beat(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<Beat>,
) -> ApiResult<Json<Value>> {
    auth.require(sets::OFFICE)?;
    check_one_of("state", &body.state, &STATES)?;
    let t = visible(&st, &auth, id).await?;
    let changed = presence::beat(&st.db, auth.org_id, t.id, auth.user_id, &body.state).await?;
    if changed {
        announce(&st, &auth, t.id);
    }
    others(&st, &auth, t.id).await
}

async fn leave(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    auth.require(sets::OFFICE)?;
    let t = visible(&st, &auth, id).await?;
    if presence::leave(&st.db, auth.org_id, t.id, auth.user_id).await? {
        announce(&st, &auth, t.id);
    }
    Ok(StatusCode::NO_CONTENT)
}
