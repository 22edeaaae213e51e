//! Outgoing webhook subscriptions (`/api/v1/webhooks`, admins) and their delivery log
//! (`/api/v1/webhooks/{id}/deliveries`). The signing secret is answered once, on creation
//! (generated when not given); see `desk::webhooks::sign` for the headers receivers verify.

use super::auth::AuthUser;
use super::extract::{required_version, versioned, ApiJson, ApiPath, ApiQuery};
use crate::desk::webhooks::{store, EVENTS};
use crate::domain::roles::sets;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use rand::RngCore;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use uuid::Uuid;

/// Routes (merged by [`super::automation::routes`]).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/webhooks", get(list).post(create))
        .route(
            "/api/v1/webhooks/{id}",
            get(read).patch(change).delete(remove),
        )
        .route("/api/v1/webhooks/{id}/deliveries", get(deliveries))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewSubscription {
    url: String,
    events: Vec<String>,
    secret: Option<String>,
    #[serde(default = "yes")]
    active: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SubscriptionPatch {
    url: Option<String>,
    events: Option<Vec<String>>,
    secret: Option<String>,
    active: Option<bool>,
    version: Option<i64>,
}

fn yes() -> bool {
    true
}

fn check_url(url: &str) -> ApiResult<()> {
    let ok = (url.starts_with("http://") || url.starts_with("https://"))
        && url.len() <= 2000
        && reqwest::Url::parse(url).is_ok_and(|u| u.host_str().is_some());
    if ok {
        Ok(())
    } else {
        Err(ApiError::validation(
            "url",
            "url must be an absolute http(s) URL",
        ))
    }
}

fn check_events(events: &[String]) -> ApiResult<()> {
    if events.is_empty() {
        return Err(ApiError::validation(
            "events",
            "subscribe to at least one event",
        ));
    }
    for e in events {
        if e != "*" && !EVENTS.contains(&e.as_str()) {
            return Err(ApiError::validation(
                "events",
                format!("unknown event `{e}`; events: *, {}", EVENTS.join(", ")),
            ));
        }
    }
    Ok(())
}

fn check_secret(secret: &str) -> ApiResult<()> {
    if secret.len() < 16 || secret.len() > 200 {
        return Err(ApiError::validation(
            "secret",
            "secret must be 16..200 characters",
        ));
    }
    Ok(())
}

fn new_secret() -> String {
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    format!("whsec_{}", hex::encode(bytes))
}

async fn load(st: &AppState, org: Uuid, id: Uuid) -> ApiResult<store::Subscription> {
    store::get(&st.db, org, id)
        .await?
        .ok_or_else(|| ApiError::not_found("webhook"))
}

/// `GET /api/v1/webhooks`.
async fn list(auth: AuthUser, State(st): State<AppState>) -> ApiResult<Json<Value>> {
    auth.require(sets::ADMIN)?;
    Ok(Json(
        json!({ "items": store::list(&st.db, auth.org_id).await?, "events": EVENTS }),
    ))
}

/// `POST /api/v1/webhooks` → the subscription with its `secret` (shown only here).
async fn create(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiJson(b): ApiJson<NewSubscription>,
) -> ApiResult<Response> {
    auth.require(sets::ADMIN)?;
    check_url(&b.url)?;
    check_events(&b.events)?;
    let secret = match b.secret {
        Some(s) => {
            check_secret(&s)?;
            s
        }
        None => new_secret(),
    };
    let mut events = b.events.clone();
    events.sort();
    events.dedup();
    let s = store::insert(&st.db, auth.org_id, &b.url, &events, &secret, b.active).await?;
    let mut body = serde_json::to_value(&s).map_err(ApiError::internal)?;
    body["secret"] = Value::from(secret);
    Ok(versioned(StatusCode::CREATED, &body, s.version))
}

/// `GET /api/v1/webhooks/{id}`.
async fn read(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Response> {
    auth.require(sets::ADMIN)?;
    let s = load(&st, auth.org_id, id).await?;
    Ok(versioned(StatusCode::OK, &s, s.version))
}

/// `PATCH /api/v1/webhooks/{id}` with `If-Match`: url, events, active, secret (rotation).
async fn change(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
    ApiJson(p): ApiJson<SubscriptionPatch>,
) -> ApiResult<Response> {
    auth.require(sets::ADMIN)?;
    let expected = required_version(&headers, p.version.map(Value::from).as_ref())?;
    let mut s = load(&st, auth.org_id, id).await?;
    let current = s.version;
    if let Some(url) = p.url {
        check_url(&url)?;
        s.url = url;
    }
    if let Some(mut events) = p.events {
        check_events(&events)?;
        events.sort();
        events.dedup();
        s.events = events;
    }
    if let Some(secret) = p.secret {
        check_secret(&secret)?;
        s.secret = secret;
    }
    if let Some(active) = p.active {
        s.active = active;
    }
    match store::update(&st.db, auth.org_id, id, expected, &s).await? {
        Some(s) => Ok(versioned(StatusCode::OK, &s, s.version)),
        None => Err(ApiError::version_mismatch(current)),
    }
}

/// `DELETE /api/v1/webhooks/{id}` with `If-Match` (its delivery log goes too).
async fn remove(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    auth.require(sets::ADMIN)?;
    let expected = required_version(&headers, None)?;
    let current = load(&st, auth.org_id, id).await?;
    if store::delete(&st.db, auth.org_id, id, expected).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::version_mismatch(current.version))
    }
}

/// `GET /api/v1/webhooks/{id}/deliveries[?limit=50]`: newest first, with status, attempts,
/// last status code, next retry and last error.
async fn deliveries(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    auth.require(sets::ADMIN)?;
    load(&st, auth.org_id, id).await?;
    let limit = match query.get("limit") {
        None => 50,
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=500).contains(n))
            .ok_or_else(|| ApiError::validation("limit", "limit must be 1..500"))?,
    };
    let items = store::deliveries(&st.db, auth.org_id, id, limit).await?;
    Ok(Json(json!({ "items": items })))
}
