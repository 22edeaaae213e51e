//! `/api/v1/tickets`: create, list (paging, filters, sort), read and change tickets, with
//! ETag/If-Match concurrency. Office roles manage every ticket of the organisation; customers
//! create tickets and see only their own. Replies, merge, split and work orders live in
//! [`super::desk`].

use super::auth::AuthUser;
use super::extract::{required_version, ApiJson, ApiPath, ApiQuery};
use super::listing::{paging, Page};
use crate::desk::db::tickets::{self, TicketFilter};
use crate::desk::lifecycle::{self, Actor};
use crate::desk::ticket::{NewTicket, Ticket, TicketPatch};
use crate::domain::roles::{sets, Role};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;
use std::collections::HashMap;
use uuid::Uuid;

/// Routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/tickets", get(list).post(create))
        .route("/api/v1/tickets/{id}", get(read).patch(change))
}

/// Text filters (`?status=open,pending`).
const TEXT_FILTERS: [&str; 5] = ["status", "status_type", "priority", "channel", "category"];
/// Id filters.
const ID_FILTERS: [&str; 6] = [
    "assignee_id",
    "team_id",
    "requester_id",
    "parent_id",
    "work_order_id",
    "merged_into_id",
];
/// Sort keys.
const SORTS: [&str; 7] = [
    "created_at",
    "updated_at",
    "seq",
    "priority",
    "resolution_due",
    "first_response_due",
    "subject",
];

/// The actor of a request.
pub fn actor(auth: &AuthUser) -> Actor {
    Actor {
        org_id: auth.org_id,
        user_id: Some(auth.user_id),
        customer: auth.role == Role::Customer,
        now: chrono::Utc::now(),
    }
}

/// A ticket the caller may see: 404 for other organisations and other customers' tickets.
pub async fn visible(st: &AppState, auth: &AuthUser, id: Uuid) -> ApiResult<Ticket> {
    auth.require(sets::OFFICE_AND_CUSTOMERS)?;
    let t = tickets::get(&st.db, auth.org_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("ticket"))?;
    if auth.role == Role::Customer
        && (auth.customer_id.is_none() || t.requester_id != auth.customer_id)
    {
        return Err(ApiError::not_found("ticket"));
    }
    Ok(t)
}

/// A ticket answered with its ETag.
pub fn ticket_response(status: StatusCode, t: &Ticket) -> Response {
    super::extract::versioned(status, &t.to_json(), t.version)
}

fn list_filters(query: &mut HashMap<String, String>) -> ApiResult<Vec<TicketFilter>> {
    let mut filters = Vec::new();
    let mut keys: Vec<String> = query.keys().cloned().collect();
    keys.sort();
    for key in keys {
        let raw = query.remove(&key).unwrap_or_default();
        let values: Vec<String> = raw
            .split(',')
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect();
        if values.is_empty() {
            return Err(ApiError::validation(key, "filter value is empty"));
        }
        if let Some(col) = TEXT_FILTERS.iter().find(|c| **c == key) {
            filters.push(TicketFilter::Text(col, values));
        } else if let Some(col) = ID_FILTERS.iter().find(|c| **c == key) {
            let ids = values
                .iter()
                .map(|v| Uuid::parse_str(v))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| ApiError::validation(key.clone(), format!("{key} must be UUIDs")))?;
            filters.push(TicketFilter::Ids(col, ids));
        } else if key == "tag" {
            filters.push(TicketFilter::Tags(
                values.iter().map(|v| v.to_lowercase()).collect(),
            ));
        } else if key == "q" {
            filters.push(TicketFilter::Contains(raw));
        } else if key == "breached" {
            let b = raw
                .parse::<bool>()
                .map_err(|_| ApiError::validation("breached", "breached must be true or false"))?;
            filters.push(TicketFilter::Breached(b));
        } else {
            return Err(ApiError::validation(
                key.clone(),
                format!(
                    "unknown query parameter `{key}`; filters: {}, {}, tag, q, breached",
                    TEXT_FILTERS.join(", "),
                    ID_FILTERS.join(", ")
                ),
            ));
        }
    }
    Ok(filters)
}

/// `GET /api/v1/tickets?page=&limit=&sort=[-]key&status=...&tag=...&q=...`.
async fn list(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiQuery(mut query): ApiQuery<HashMap<String, String>>,
) -> ApiResult<Json<Page<Value>>> {
    auth.require(sets::OFFICE_AND_CUSTOMERS)?;
    let (page, limit) = paging(&mut query)?;
    let sort = match query.remove("sort") {
        None => ("created_at", true),
        Some(s) => {
            let (name, desc) = match s.strip_prefix('-') {
                Some(n) => (n.to_string(), true),
                None => (s.trim_start_matches('+').to_string(), false),
            };
            let col = SORTS.iter().find(|c| **c == name).ok_or_else(|| {
                ApiError::validation(
                    "sort",
                    format!("cannot sort by `{name}`; use one of {}", SORTS.join(", ")),
                )
            })?;
            (*col, desc)
        }
    };
    let mut filters = list_filters(&mut query)?;
    if auth.role == Role::Customer {
        filters.push(TicketFilter::Ids(
            "requester_id",
            auth.customer_id.into_iter().collect(),
        ));
    }
    let (items, total) = tickets::list(
        &st.db,
        auth.org_id,
        &filters,
        sort,
        limit,
        (page - 1) * limit,
    )
    .await?;
    Ok(Json(Page {
        items: items.iter().map(Ticket::to_json).collect(),
        page,
        limit,
        total,
    }))
}

/// `POST /api/v1/tickets`.
async fn create(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiJson(mut input): ApiJson<NewTicket>,
) -> ApiResult<Response> {
    auth.require(sets::OFFICE_AND_CUSTOMERS)?;
    if auth.role == Role::Customer {
        // Customers open tickets for themselves only, and cannot route or pre-assign them.
        input.requester_id = auth.customer_id;
        input.assignee_id = None;
        input.team_id = None;
        input.status = None;
        input.channel = Some("portal".into());
    }
    let mut tx = st.db.begin().await?;
    let t = lifecycle::create(&mut tx, &actor(&auth), input).await?;
    tx.commit().await?;
    let mut response = ticket_response(StatusCode::CREATED, &t);
    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/tickets/{}", t.id)) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    Ok(response)
}

/// `GET /api/v1/tickets/{id}`.
async fn read(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Response> {
    let t = visible(&st, &auth, id).await?;
    Ok(ticket_response(StatusCode::OK, &t))
}

/// `PATCH /api/v1/tickets/{id}` with `If-Match` (or `version`).
async fn change(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
    ApiJson(patch): ApiJson<TicketPatch>,
) -> ApiResult<Response> {
    auth.require(sets::OFFICE)?;
    let expected = required_version(&headers, patch.version.map(Value::from).as_ref())?;
    let mut tx = st.db.begin().await?;
    let before = lifecycle::lock(&mut tx, auth.org_id, id, Some(expected)).await?;
    let public_url = st.config.public_url.as_deref();
    let t = lifecycle::update(&mut tx, &actor(&auth), public_url, before, patch).await?;
    tx.commit().await?;
    Ok(ticket_response(StatusCode::OK, &t))
}
