//! Help-desk settings of an organisation: custom statuses (`/api/v1/desk/statuses`), custom
//! fields (`/api/v1/desk/fields`), teams (`/api/v1/desk/teams`), business calendars
//! (`/api/v1/sla/calendars`) and SLA policies (`/api/v1/sla/policies`). Office roles read,
//! admins write.

use super::auth::AuthUser;
use super::extract::ApiJson;
use crate::desk::business_hours::{BusinessCalendar, CalendarSpec};
use crate::desk::custom_fields::{TicketField, KINDS};
use crate::desk::db::config::{self, NewPolicy};
use crate::desk::sla::PolicyConditions;
use crate::desk::ticket::{check_one_of, STATUS_TYPES};
use crate::domain::roles::sets;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

/// Routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/desk/statuses", get(list_statuses).post(add_status))
        .route("/api/v1/desk/fields", get(list_fields).post(add_field))
        .route("/api/v1/desk/teams", get(list_teams).post(add_team))
        .route(
            "/api/v1/sla/calendars",
            get(list_calendars).post(add_calendar),
        )
        .route("/api/v1/sla/policies", get(list_policies).post(add_policy))
}

fn created<T: serde::Serialize>(value: T) -> Response {
    (StatusCode::CREATED, Json(value)).into_response()
}

async fn list_statuses(
    auth: AuthUser,
    State(st): State<AppState>,
) -> ApiResult<Json<serde_json::Value>> {
    auth.require(sets::OFFICE)?;
    Ok(Json(
        json!({ "items": config::statuses(&st.db, auth.org_id).await? }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusBody {
    name: String,
    status_type: String,
}

async fn add_status(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiJson(b): ApiJson<StatusBody>,
) -> ApiResult<Response> {
    auth.require(sets::ADMIN)?;
    check_one_of("status_type", &b.status_type, &STATUS_TYPES)?;
    if STATUS_TYPES.contains(&b.name.as_str()) {
        return Err(ApiError::validation(
            "name",
            "built-in statuses need not be added",
        ));
    }
    Ok(created(
        config::add_status(&st.db, auth.org_id, &b.name, &b.status_type)
            .await
            .map_err(|e| name_error(e, "name"))?,
    ))
}

/// A CHECK failure on a name column names the field.
fn name_error(e: sqlx::Error, field: &str) -> ApiError {
    let err = ApiError::from(e);
    if err.code == "validation_failed" {
        err.with_field(field)
    } else {
        err
    }
}

async fn list_fields(
    auth: AuthUser,
    State(st): State<AppState>,
) -> ApiResult<Json<serde_json::Value>> {
    auth.require(sets::OFFICE_AND_CUSTOMERS)?;
    let mut conn = st.db.acquire().await?;
    Ok(Json(
        json!({ "items": config::fields(&mut conn, auth.org_id).await? }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldBody {
    key: String,
    label: Option<String>,
    kind: String,
    #[serde(default)]
    options: Vec<String>,
    #[serde(default)]
    required: bool,
}

async fn add_field(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiJson(b): ApiJson<FieldBody>,
) -> ApiResult<Response> {
    auth.require(sets::ADMIN)?;
    check_one_of("kind", &b.kind, &KINDS)?;
    if b.kind == "select" && b.options.is_empty() {
        return Err(ApiError::validation(
            "options",
            "a select field needs options",
        ));
    }
    let f = TicketField {
        id: Uuid::nil(),
        label: b.label.unwrap_or_else(|| b.key.clone()),
        key: b.key,
        kind: b.kind,
        options: b.options,
        required: b.required,
    };
    Ok(created(
        config::add_field(&st.db, auth.org_id, &f)
            .await
            .map_err(|e| name_error(e, "key"))?,
    ))
}

async fn list_teams(
    auth: AuthUser,
    State(st): State<AppState>,
) -> ApiResult<Json<serde_json::Value>> {
    auth.require(sets::OFFICE)?;
    Ok(Json(
        json!({ "items": config::teams(&st.db, auth.org_id).await? }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TeamBody {
    name: String,
    #[serde(default)]
    member_ids: Vec<Uuid>,
}

async fn add_team(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiJson(b): ApiJson<TeamBody>,
) -> ApiResult<Response> {
    auth.require(sets::ADMIN)?;
    if b.name.trim().is_empty() {
        return Err(ApiError::validation("name", "name is required"));
    }
    let staff = config::count_staff(&st.db, auth.org_id, &b.member_ids).await?;
    if staff != b.member_ids.len() as i64 {
        return Err(ApiError::validation(
            "member_ids",
            "members must be office users of the organisation",
        ));
    }
    Ok(created(
        config::add_team(&st.db, auth.org_id, b.name.trim(), &b.member_ids).await?,
    ))
}

async fn list_calendars(
    auth: AuthUser,
    State(st): State<AppState>,
) -> ApiResult<Json<serde_json::Value>> {
    auth.require(sets::OFFICE)?;
    Ok(Json(
        json!({ "items": config::calendars(&st.db, auth.org_id).await? }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarBody {
    name: String,
    #[serde(flatten)]
    spec: CalendarSpec,
}

async fn add_calendar(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiJson(b): ApiJson<CalendarBody>,
) -> ApiResult<Response> {
    auth.require(sets::ADMIN)?;
    BusinessCalendar::from_spec(&b.spec).map_err(|e| ApiError::validation(e.field, e.message))?;
    Ok(created(
        config::add_calendar(&st.db, auth.org_id, &b.name, &b.spec).await?,
    ))
}

async fn list_policies(
    auth: AuthUser,
    State(st): State<AppState>,
) -> ApiResult<Json<serde_json::Value>> {
    auth.require(sets::OFFICE)?;
    let mut conn = st.db.acquire().await?;
    Ok(Json(
        json!({ "items": config::policies(&mut conn, auth.org_id).await? }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyBody {
    name: String,
    #[serde(default)]
    position: i32,
    #[serde(default)]
    conditions: PolicyConditions,
    first_response_mins: Option<i32>,
    next_response_mins: Option<i32>,
    resolution_mins: Option<i32>,
    calendar_id: Option<Uuid>,
    escalate_to_id: Option<Uuid>,
}

async fn add_policy(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiJson(b): ApiJson<PolicyBody>,
) -> ApiResult<Response> {
    auth.require(sets::ADMIN)?;
    let p = NewPolicy {
        name: &b.name,
        position: b.position,
        conditions: &b.conditions,
        targets: [
            b.first_response_mins,
            b.next_response_mins,
            b.resolution_mins,
        ],
        calendar_id: b.calendar_id,
        escalate_to_id: b.escalate_to_id,
    };
    Ok(created(config::add_policy(&st.db, auth.org_id, &p).await?))
}
