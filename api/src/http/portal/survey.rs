//! Satisfaction surveys over HTTP: `GET/POST /api/v1/tickets/{id}/survey` (the requester, once
//! the ticket is resolved), `POST /api/v1/tickets/{id}/survey/link` (office roles: a tokenised
//! link for e-mails), `GET/POST /api/v1/public/surveys/{token}` (the link, no sign-in) and
//! `GET /api/v1/surveys?from=&to=` (office roles: answers and their summary).

use super::super::auth::AuthUser;
use super::super::extract::{ApiJson, ApiPath, ApiQuery, ClientIp};
use super::super::tickets::visible;
use super::public::throttle;
use super::{range, RangeQuery};
use crate::desk::db::tickets;
use crate::desk::survey::{self, Answer};
use crate::desk::ticket::Ticket;
use crate::domain::roles::{sets, Role};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use uuid::Uuid;

/// Routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/tickets/{id}/survey", get(read).post(answer))
        .route("/api/v1/tickets/{id}/survey/link", post(link))
        .route(
            "/api/v1/public/surveys/{token}",
            get(read_by_link).post(answer_by_link),
        )
        .route("/api/v1/surveys", get(list))
}

/// What a survey page needs to know.
async fn state_of(st: &AppState, org_id: Uuid, t: &Ticket) -> ApiResult<Value> {
    let answer = survey::of_ticket(&st.db, org_id, t.id).await?;
    Ok(json!({
        "ticket": {"id": t.id, "number": t.number, "subject": t.subject, "status_type": t.status_type},
        "available": survey::open_for(t) && answer.is_none(),
        "answered": answer.is_some(),
        "survey": answer,
    }))
}

async fn read(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Value>> {
    let t = visible(&st, &auth, id).await?;
    Ok(Json(state_of(&st, auth.org_id, &t).await?))
}

/// The requester answers (customers only; 409 before resolution or when answered).
async fn answer(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<Answer>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    auth.require(&[Role::Customer])?;
    let t = visible(&st, &auth, id).await?;
    let s = survey::answer(&st.db, auth.org_id, &t, Some(auth.user_id), "portal", &body).await?;
    Ok((StatusCode::CREATED, Json(json!(s))))
}

/// A new e-mail link for the ticket's survey: `{"token", "path", "url"}` (the path is the
/// portal page; the full URL is null unless the service's public URL is set).
async fn link(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    auth.require(sets::OFFICE)?;
    let t = visible(&st, &auth, id).await?;
    let token = survey::issue_link(&st.db, auth.org_id, t.id).await?;
    let url = st
        .config
        .public_url
        .as_deref()
        .map(|base| survey::link_url(base, &token));
    Ok((
        StatusCode::CREATED,
        Json(
            json!({"token": token, "path": survey::link_path(&token), "url": url,
                    "expires_in_days": survey::LINK_DAYS}),
        ),
    ))
}

/// The ticket behind a link token; 404 for unknown or expired tokens.
async fn linked(st: &AppState, token: &str) -> ApiResult<(Uuid, Ticket)> {
    let (org_id, ticket_id) = survey::link_target(&st.db, token)
        .await?
        .ok_or_else(|| ApiError::not_found("survey link"))?;
    let t = tickets::get(&st.db, org_id, ticket_id)
        .await?
        .ok_or_else(|| ApiError::not_found("survey link"))?;
    Ok((org_id, t))
}

async fn read_by_link(
    ClientIp(ip): ClientIp,
    State(st): State<AppState>,
    ApiPath(token): ApiPath<String>,
) -> ApiResult<Json<Value>> {
    throttle(ip)?;
    let (org_id, t) = linked(&st, &token).await?;
    Ok(Json(state_of(&st, org_id, &t).await?))
}

async fn answer_by_link(
    ClientIp(ip): ClientIp,
    State(st): State<AppState>,
    ApiPath(token): ApiPath<String>,
    ApiJson(body): ApiJson<Answer>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    throttle(ip)?;
    let (org_id, t) = linked(&st, &token).await?;
    let s = survey::answer(&st.db, org_id, &t, None, "link", &body).await?;
    Ok((StatusCode::CREATED, Json(json!(s))))
}

/// Answers in a period with count, mean rating and CSAT (share of 4s and 5s, in %).
async fn list(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiQuery(q): ApiQuery<RangeQuery>,
) -> ApiResult<Json<Value>> {
    auth.require(sets::OFFICE)?;
    let (from, to) = range(&q)?;
    let limit = q.limit.unwrap_or(200);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::validation("limit", "limit must be 1 to 1000"));
    }
    let (items, count, mean, satisfied) =
        survey::list(&st.db, auth.org_id, from, to, limit).await?;
    let csat = (count > 0).then(|| 100.0 * satisfied as f64 / count as f64);
    Ok(Json(json!({
        "from": from,
        "to": to,
        "items": items,
        "summary": {"count": count, "mean_rating": mean, "csat_percent": csat},
    })))
}
