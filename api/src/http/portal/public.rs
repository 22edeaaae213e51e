//! The public knowledge base of an organisation, no sign-in: `/api/v1/public/{org_slug}/kb`
//! (search / browse published articles), `/kb/categories`, `/kb/articles/{slug}` and its
//! `/feedback` (one vote per anonymous browser session). Answers are cacheable for a minute
//! and each client address is limited to a request budget per minute.

use super::super::extract::{ApiJson, ApiPath, ApiQuery, ClientIp};
use super::super::kb::{search_query, ListQuery, VoteBody};
use crate::auth::rate_limit::LoginLimiter;
use crate::desk::kb::feedback::{self, Voter};
use crate::desk::kb::{categories, search, store};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use std::net::IpAddr;
use std::sync::OnceLock;
use std::time::Duration;
use uuid::Uuid;

/// Requests per client address and minute on the public endpoints.
pub const REQUESTS_PER_MINUTE: u32 = 240;

/// Routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/public/{org}/kb", get(list))
        .route("/api/v1/public/{org}/kb/categories", get(list_categories))
        .route("/api/v1/public/{org}/kb/articles/{slug}", get(read))
        .route(
            "/api/v1/public/{org}/kb/articles/{slug}/feedback",
            post(vote),
        )
}

/// Counts a request of `ip` against its budget; 429 with Retry-After when spent. The login
/// limiter's sliding window does the bookkeeping (every request is recorded as an "attempt").
pub fn throttle(ip: IpAddr) -> ApiResult<()> {
    static LIMITER: OnceLock<LoginLimiter> = OnceLock::new();
    let limiter =
        LIMITER.get_or_init(|| LoginLimiter::new(REQUESTS_PER_MINUTE, Duration::from_secs(60)));
    if let Err(wait) = limiter.check(ip, "public") {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many requests; try again shortly",
        );
        e.retry_after = Some(wait);
        return Err(e);
    }
    limiter.failed(ip, "public");
    Ok(())
}

/// An organisation by slug: (id, name); 404 when there is none.
pub async fn organisation(st: &AppState, slug: &str) -> ApiResult<(Uuid, String)> {
    sqlx::query_as("SELECT id, name FROM organisations WHERE slug = $1")
        .bind(slug)
        .fetch_optional(&st.db)
        .await?
        .ok_or_else(|| ApiError::not_found("organisation"))
}

/// JSON with a one-minute public cache lifetime.
fn cacheable(body: Value) -> Response {
    ([(header::CACHE_CONTROL, "public, max-age=60")], Json(body)).into_response()
}

async fn list(
    ClientIp(ip): ClientIp,
    State(st): State<AppState>,
    ApiPath(org): ApiPath<String>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Response> {
    throttle(ip)?;
    let (org_id, name) = organisation(&st, &org).await?;
    let query = search_query(&st, org_id, q, true).await?;
    let (items, total) = search::search(&st.db, org_id, &query).await?;
    Ok(cacheable(json!({
        "org": {"name": name, "slug": org},
        "items": items,
        "total": total,
    })))
}

async fn list_categories(
    ClientIp(ip): ClientIp,
    State(st): State<AppState>,
    ApiPath(org): ApiPath<String>,
) -> ApiResult<Response> {
    throttle(ip)?;
    let (org_id, name) = organisation(&st, &org).await?;
    let items: Vec<Value> = categories::list(&st.db, org_id, true)
        .await?
        .into_iter()
        .map(|c| json!({"id": c.id, "name": c.name, "slug": c.slug, "description": c.description, "articles": c.articles}))
        .collect();
    Ok(cacheable(json!({
        "org": {"name": name, "slug": org},
        "items": items,
    })))
}

async fn read(
    ClientIp(ip): ClientIp,
    State(st): State<AppState>,
    ApiPath((org, slug)): ApiPath<(String, String)>,
) -> ApiResult<Response> {
    throttle(ip)?;
    let (org_id, name) = organisation(&st, &org).await?;
    let a = store::published_by_slug(&st.db, org_id, &slug)
        .await?
        .ok_or_else(|| ApiError::not_found("article"))?;
    let category = match a.category_id {
        Some(id) => categories::get(&st.db, org_id, id)
            .await?
            .map(|c| json!({"id": c.id, "name": c.name, "slug": c.slug})),
        None => None,
    };
    Ok(cacheable(json!({
        "org": {"name": name, "slug": org},
        "id": a.id,
        "title": a.title,
        "slug": a.slug,
        "body": a.body,
        "category": category,
        "tags": a.tags,
        "locale": a.locale,
        "published_at": a.published_at,
        "updated_at": a.updated_at,
        "helpful": a.helpful,
        "not_helpful": a.not_helpful,
    })))
}

/// A public vote: `{"helpful", "comment"?, "session"}` with the browser's anonymous session id.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PublicVote {
    helpful: bool,
    comment: Option<String>,
    session: String,
}

async fn vote(
    ClientIp(ip): ClientIp,
    State(st): State<AppState>,
    ApiPath((org, slug)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<PublicVote>,
) -> ApiResult<Json<Value>> {
    throttle(ip)?;
    if !feedback::valid_session(&body.session) {
        return Err(ApiError::validation(
            "session",
            "session must be 8–64 letters, digits, - or _",
        ));
    }
    let (org_id, _) = organisation(&st, &org).await?;
    let a = store::published_by_slug(&st.db, org_id, &slug)
        .await?
        .ok_or_else(|| ApiError::not_found("article"))?;
    let v = VoteBody {
        helpful: body.helpful,
        comment: body.comment,
    };
    let tally = feedback::vote(
        &st.db,
        org_id,
        a.id,
        &Voter::Session(body.session),
        v.helpful,
        v.comment()?,
    )
    .await?;
    Ok(Json(json!(tally)))
}
