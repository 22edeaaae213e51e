//! The customer portal's API: `/api/v1/portal/context` (who and which organisation),
//! `/suggestions` (published articles matching a ticket subject being typed), `/deflections`
//! (a suggested article answered the question and the ticket was abandoned) and `/stats`
//! (deflection figures for office roles). The public knowledge base lives in [`public`],
//! satisfaction surveys in [`survey`]. Tickets themselves go through `/api/v1/tickets`, which
//! already scopes customers to their own.

pub mod public;
pub mod survey;

use super::auth::AuthUser;
use super::extract::{ApiJson, ApiQuery};
use crate::desk::kb::search::{self, SearchQuery, MAX_QUERY_CHARS};
use crate::desk::kb::{article, store};
use crate::desk::portal::{self, NewDeflection};
use crate::domain::roles::{sets, Role};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

/// Routes of the portal, the public knowledge base and the surveys.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/portal/context", get(context))
        .route("/api/v1/portal/suggestions", get(suggestions))
        .route("/api/v1/portal/deflections", post(deflect))
        .route("/api/v1/portal/stats", get(stats))
        .merge(public::routes())
        .merge(survey::routes())
}

/// The signed-in user and their organisation, for the portal page.
async fn context(auth: AuthUser, State(st): State<AppState>) -> ApiResult<Json<Value>> {
    auth.require(sets::EVERYONE)?;
    let (name, slug): (String, String) =
        sqlx::query_as("SELECT name, slug FROM organisations WHERE id = $1")
            .bind(auth.org_id)
            .fetch_one(&st.db)
            .await?;
    let user: Option<(String, String)> =
        sqlx::query_as("SELECT name, email FROM users WHERE org_id = $1 AND id = $2")
            .bind(auth.org_id)
            .bind(auth.user_id)
            .fetch_optional(&st.db)
            .await?;
    let (user_name, email) = user.ok_or_else(|| ApiError::unauthorized("user no longer exists"))?;
    Ok(Json(json!({
        "org": {"name": name, "slug": slug},
        "user": {"id": auth.user_id, "name": user_name, "email": email, "role": auth.role.as_str(), "customer_id": auth.customer_id},
    })))
}

/// `?q=` for suggestions.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SuggestQuery {
    q: Option<String>,
}

/// Up to five published articles for a subject being typed (empty for a blank subject).
async fn suggestions(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiQuery(q): ApiQuery<SuggestQuery>,
) -> ApiResult<Json<Value>> {
    auth.require(sets::OFFICE_AND_CUSTOMERS)?;
    let text: String =
        q.q.unwrap_or_default()
            .chars()
            .take(MAX_QUERY_CHARS)
            .collect();
    if text.trim().is_empty() {
        return Ok(Json(json!({ "items": [] })));
    }
    // A subject is a sentence, not search syntax: any word may match, best first.
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() > 1)
        .map(str::to_string)
        .collect();
    let query = SearchQuery {
        text: Some(words.join(" or ")),
        status: Some("published".into()),
        config: article::search_config(None),
        limit: 5,
        ..Default::default()
    };
    let (items, _) = search::search(&st.db, auth.org_id, &query).await?;
    Ok(Json(json!({ "items": items })))
}

/// `{"article_id", "query"?}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeflectionBody {
    article_id: Uuid,
    #[serde(default)]
    query: String,
}

/// Records a deflection (customers only): 201 when counted, 200 when it was counted already
/// within the hour.
async fn deflect(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiJson(body): ApiJson<DeflectionBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    auth.require(&[Role::Customer])?;
    if body.query.chars().count() > 500 {
        return Err(ApiError::validation(
            "query",
            "query is longer than 500 characters",
        ));
    }
    store::get(&st.db, auth.org_id, body.article_id)
        .await?
        .filter(|a| a.status == "published")
        .ok_or_else(|| ApiError::validation("article_id", "no such published article"))?;
    let counted = portal::record(
        &st.db,
        auth.org_id,
        &NewDeflection {
            article_id: body.article_id,
            user_id: auth.user_id,
            customer_id: auth.customer_id,
            query: body.query.trim(),
        },
    )
    .await?;
    let status = if counted {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(json!({ "counted": counted }))))
}

/// `?from=&to=` as RFC 3339 times or dates.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RangeQuery {
    /// Start (inclusive; a date means its midnight UTC). Default: 30 days before `to`.
    pub from: Option<String>,
    /// End (exclusive; a date means the end of that day UTC). Default: now.
    pub to: Option<String>,
    /// Most rows (lists only).
    pub limit: Option<i64>,
}

fn instant(field: &str, s: &str, end_of_day: bool) -> ApiResult<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
        ApiError::validation(field, format!("{field} must be a date or an RFC 3339 time"))
    })?;
    let d = if end_of_day {
        d.succ_opt().unwrap_or(d)
    } else {
        d
    };
    Ok(d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())
}

/// The `[from, to)` of a range query.
pub fn range(q: &RangeQuery) -> ApiResult<(DateTime<Utc>, DateTime<Utc>)> {
    let to = match q.to.as_deref() {
        Some(s) => instant("to", s, true)?,
        None => Utc::now(),
    };
    let from = match q.from.as_deref() {
        Some(s) => instant("from", s, false)?,
        None => to - Duration::days(30),
    };
    if from >= to {
        return Err(ApiError::validation("from", "from must be before to"));
    }
    Ok((from, to))
}

/// Deflections, portal tickets and the deflection rate over a period (office roles).
async fn stats(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiQuery(q): ApiQuery<RangeQuery>,
) -> ApiResult<Json<Value>> {
    auth.require(sets::OFFICE)?;
    let (from, to) = range(&q)?;
    Ok(Json(json!(
        portal::stats(&st.db, auth.org_id, from, to).await?
    )))
}
