//! Ticket conversations and links: `/api/v1/tickets/{id}/messages` (public replies and internal
//! notes), `/history` (activity log), `/merge`, `/split` and `/work-order`.

use super::auth::AuthUser;
use super::extract::{ApiJson, ApiPath};
use super::tickets::{actor, ticket_response, visible};
use crate::db::activity::{self, ActivityFilter};
use crate::desk::db::messages;
use crate::desk::lifecycle;
use crate::domain::roles::{sets, Role};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use uuid::Uuid;

/// Routes of the whole help desk: tickets, conversations and links, settings.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(super::tickets::routes())
        .merge(super::desk_admin::routes())
        .route(
            "/api/v1/tickets/{id}/messages",
            get(list_messages).post(add_message),
        )
        .route("/api/v1/tickets/{id}/history", get(history))
        .route("/api/v1/tickets/{id}/merge", post(merge))
        .route("/api/v1/tickets/{id}/split", post(split))
        .route("/api/v1/tickets/{id}/work-order", post(work_order))
}

/// A new message.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MessageBody {
    /// `reply` (default) or `note`.
    kind: Option<String>,
    /// Text.
    body: String,
}

/// Replies (and, for office roles, internal notes), oldest first.
async fn list_messages(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Value>> {
    let t = visible(&st, &auth, id).await?;
    let items = messages::list(&st.db, auth.org_id, t.id, auth.role != Role::Customer).await?;
    Ok(Json(json!({ "items": items })))
}

/// Adds a reply or note; answers the message and the updated ticket.
async fn add_message(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<MessageBody>,
) -> ApiResult<Response> {
    visible(&st, &auth, id).await?;
    let kind = body.kind.unwrap_or_else(|| "reply".into());
    let mut tx = st.db.begin().await?;
    let before = lifecycle::lock(&mut tx, auth.org_id, id, None).await?;
    let (t, message) =
        lifecycle::add_message(&mut tx, &actor(&auth), before, &kind, &body.body).await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "message": message, "ticket": t.to_json() })),
    )
        .into_response())
}

/// The ticket's activity log, newest first.
async fn history(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Value>> {
    auth.require(sets::OFFICE)?;
    let t = visible(&st, &auth, id).await?;
    let filter = ActivityFilter {
        entity: Some("ticket".into()),
        entity_id: Some(t.id),
        actor_id: None,
    };
    let (items, total) = activity::list(&st.db, auth.org_id, &filter, 500, 0).await?;
    Ok(Json(json!({ "items": items, "total": total })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MergeBody {
    target_id: Uuid,
}

/// Merges this ticket into `target_id`; answers the target.
async fn merge(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<MergeBody>,
) -> ApiResult<Response> {
    auth.require(sets::OFFICE)?;
    let mut tx = st.db.begin().await?;
    // Lock in id order so two opposite merges cannot deadlock.
    let (first, second) = if id < body.target_id {
        (id, body.target_id)
    } else {
        (body.target_id, id)
    };
    let a = lifecycle::lock(&mut tx, auth.org_id, first, None).await;
    let b = lifecycle::lock(&mut tx, auth.org_id, second, None).await;
    let (source, target) = if first == id { (a, b) } else { (b, a) };
    let source = source?;
    let target = target.map_err(|e| {
        if e.code == "not_found" {
            ApiError::validation("target_id", "no such ticket")
        } else {
            e
        }
    })?;
    let (_, target) = lifecycle::merge(&mut tx, &actor(&auth), source, target).await?;
    tx.commit().await?;
    Ok(ticket_response(StatusCode::OK, &target))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SplitBody {
    message_id: Uuid,
}

/// Splits a message off into a new ticket; answers the new ticket.
async fn split(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<SplitBody>,
) -> ApiResult<Response> {
    auth.require(sets::OFFICE)?;
    let mut tx = st.db.begin().await?;
    let source = lifecycle::lock(&mut tx, auth.org_id, id, None).await?;
    let created = lifecycle::split(&mut tx, &actor(&auth), source, body.message_id).await?;
    tx.commit().await?;
    Ok(ticket_response(StatusCode::CREATED, &created))
}

/// Turns the ticket into a work order (`site_id` required); answers both.
async fn work_order(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(fields): ApiJson<Map<String, Value>>,
) -> ApiResult<Response> {
    auth.require(sets::OFFICE)?;
    let mut tx = st.db.begin().await?;
    let before = lifecycle::lock(&mut tx, auth.org_id, id, None).await?;
    let (t, wo) = lifecycle::to_work_order(&mut tx, &actor(&auth), before, fields).await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "ticket": t.to_json(), "work_order": wo })),
    )
        .into_response())
}
