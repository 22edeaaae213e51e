//! The help desk's e-mail channel over HTTP.
//!
//! - `POST /api/v1/inbound/email`: a raw RFC 5322 message (`Content-Type: message/rfc822`) from
//!   a mail gateway. Authenticated with the organisation's inbound token (`Authorization:
//!   Bearer <token>`, or HTTP Basic with the token as password, for gateways that only take a
//!   URL with credentials) or an admin's token. 201 created / 200 threaded, ignored, duplicate.
//! - `/api/v1/desk/email/settings` (GET, PUT), `/inbound-token` (POST: a new token, shown once),
//!   `/templates` (GET) and `/templates/{kind}` (GET, PUT, DELETE = back to the default),
//!   `/outbox` (GET: delivery status), `/poll` (POST: read the IMAP mailbox now): admins only.
//! - `GET /api/v1/tickets/{id}/emails`: a ticket's e-mails and their attachments (office roles).

use super::auth::{presented_secret, AuthUser};
use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::tickets::visible;
use crate::auth::token;
use crate::desk::email::{imap, inbound, log, outbox, settings, templates};
use crate::domain::roles::{sets, Role};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use uuid::Uuid;

/// Routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/inbound/email", post(inbound_email))
        .route(
            "/api/v1/desk/email/settings",
            get(get_settings).put(put_settings),
        )
        .route("/api/v1/desk/email/inbound-token", post(rotate_token))
        .route("/api/v1/desk/email/templates", get(list_templates))
        .route(
            "/api/v1/desk/email/templates/{kind}",
            get(get_template).put(put_template).delete(reset_template),
        )
        .route("/api/v1/desk/email/outbox", get(list_outbox))
        .route("/api/v1/desk/email/poll", post(poll_now))
        .route("/api/v1/tickets/{id}/emails", get(ticket_emails))
}

/// The secret of `Authorization: Basic` (the password part).
fn basic_password(parts: &Parts) -> Option<String> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    text.split_once(':').map(|(_, p)| p.to_string())
}

/// The organisation an inbound request is for: its inbound token, or an admin's token.
async fn inbound_org(parts: &mut Parts, st: &AppState) -> ApiResult<Uuid> {
    let secret = basic_password(parts).or_else(|| presented_secret(parts));
    if let Some(secret) = &secret {
        if let Some(org) = settings::org_of_inbound_token(&st.db, &token::hash(secret)).await? {
            return Ok(org);
        }
    }
    let auth = AuthUser::from_request_parts(parts, st).await?;
    auth.require(&[Role::Admin])?;
    Ok(auth.org_id)
}

async fn inbound_email(State(st): State<AppState>, request: Request) -> ApiResult<Response> {
    let (mut parts, body) = request.into_parts();
    let org_id = inbound_org(&mut parts, &st).await?;
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if !content_type.starts_with("message/rfc822") {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the raw message with Content-Type: message/rfc822",
        )
        .with_field("content-type"));
    }
    let raw = axum::body::to_bytes(body, st.config.max_upload_bytes)
        .await
        .map_err(|e| {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                e.to_string(),
            )
            .with_field("body")
        })?;
    let outcome = inbound::process(&st, org_id, &raw, "http").await?;
    let status = if outcome.outcome == "created" {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(outcome)).into_response())
}

async fn get_settings(auth: AuthUser, State(st): State<AppState>) -> ApiResult<Json<Value>> {
    auth.require(sets::ADMIN)?;
    let mut conn = st.db.acquire().await?;
    let s = settings::get(&mut conn, auth.org_id)
        .await?
        .ok_or_else(|| ApiError::not_found("e-mail settings"))?;
    Ok(Json(s.to_json()))
}

async fn put_settings(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiJson(input): ApiJson<settings::SettingsInput>,
) -> ApiResult<Json<Value>> {
    auth.require(sets::ADMIN)?;
    input.validate()?;
    let s = settings::put(&st.db, auth.org_id, &input).await?;
    Ok(Json(s.to_json()))
}

async fn rotate_token(auth: AuthUser, State(st): State<AppState>) -> ApiResult<Response> {
    auth.require(sets::ADMIN)?;
    let secret = token::generate("inbound");
    if !settings::set_inbound_token(&st.db, auth.org_id, &token::hash(&secret)).await? {
        return Err(ApiError::conflict(
            "save the e-mail settings before creating an inbound token",
        ));
    }
    Ok((StatusCode::CREATED, Json(json!({ "token": secret }))).into_response())
}

fn check_kind(kind: &str) -> ApiResult<()> {
    if templates::KINDS.contains(&kind) {
        Ok(())
    } else {
        Err(ApiError::not_found("template"))
    }
}

async fn list_templates(auth: AuthUser, State(st): State<AppState>) -> ApiResult<Json<Value>> {
    auth.require(sets::ADMIN)?;
    let items = templates::all(&st.db, auth.org_id).await?;
    Ok(Json(json!({ "items": items })))
}

async fn get_template(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(kind): ApiPath<String>,
) -> ApiResult<Json<templates::Template>> {
    auth.require(sets::ADMIN)?;
    check_kind(&kind)?;
    let mut conn = st.db.acquire().await?;
    Ok(Json(
        templates::effective(&mut conn, auth.org_id, &kind).await?,
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateBody {
    subject: String,
    body: String,
}

async fn put_template(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(kind): ApiPath<String>,
    ApiJson(input): ApiJson<TemplateBody>,
) -> ApiResult<Json<templates::Template>> {
    auth.require(sets::ADMIN)?;
    check_kind(&kind)?;
    templates::validate(&input.subject, &input.body)?;
    Ok(Json(
        templates::put(&st.db, auth.org_id, &kind, &input.subject, &input.body).await?,
    ))
}

async fn reset_template(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(kind): ApiPath<String>,
) -> ApiResult<Response> {
    auth.require(sets::ADMIN)?;
    check_kind(&kind)?;
    templates::reset(&st.db, auth.org_id, &kind).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn list_outbox(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiQuery(query): ApiQuery<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    auth.require(sets::ADMIN)?;
    let mut status = None;
    let mut limit = 100;
    for (key, value) in &query {
        match key.as_str() {
            "status" => {
                crate::desk::ticket::check_one_of(
                    "status",
                    value,
                    &["queued", "sending", "sent", "failed"],
                )?;
                status = Some(value.as_str());
            }
            "limit" => {
                limit = value
                    .parse::<i64>()
                    .ok()
                    .filter(|l| (1..=500).contains(l))
                    .ok_or_else(|| ApiError::validation("limit", "limit must be 1..500"))?;
            }
            other => {
                return Err(ApiError::validation(
                    other,
                    format!("unknown query parameter `{other}`; use status, limit"),
                ))
            }
        }
    }
    let items = outbox::list(&st.db, auth.org_id, status, limit).await?;
    Ok(Json(json!({ "items": items })))
}

async fn poll_now(auth: AuthUser, State(st): State<AppState>) -> ApiResult<Json<imap::PollReport>> {
    auth.require(sets::ADMIN)?;
    Ok(Json(imap::poll_org(&st, auth.org_id).await?))
}

async fn ticket_emails(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Value>> {
    auth.require(sets::OFFICE)?;
    let t = visible(&st, &auth, id).await?;
    let items = log::for_ticket(&st.db, auth.org_id, t.id).await?;
    Ok(Json(json!({ "items": items })))
}
