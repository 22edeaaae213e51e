//! Help-desk settings of an organisation: custom statuses (`/api/v1/desk/statuses`), custom
//! fields (`/api/v1/desk/fields`), teams (`/api/v1/desk/teams`), business calendars
//! (`/api/v1/sla/calendars`) and SLA policies (`/api/v1/sla/policies`). Office roles read,
//! admins write.

use super::auth::AuthUser;
use super::extract::{required_version, ApiJson, ApiPath};
use crate::desk::business_hours::{BusinessCalendar, CalendarSpec};
use crate::desk::custom_fields::{TicketField, KINDS};
use crate::desk::db::config::{self, NewPolicy};
use crate::desk::db::sla_settings;
use crate::desk::sla::PolicyConditions;
use crate::desk::ticket::{check_one_of, STATUS_TYPES};
use crate::domain::roles::sets;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch};
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
        .route(
            "/api/v1/sla/calendars/{id}",
            patch(change_calendar).delete(remove_calendar),
        )
        .route(
            "/api/v1/sla/policies/{id}",
            patch(change_policy).delete(remove_policy),
        )
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

/// `{"version": n}` from If-Match or the body; 428 without.
fn version_of(headers: &HeaderMap, body: Option<i64>) -> ApiResult<i64> {
    required_version(headers, body.map(serde_json::Value::from).as_ref())
}

/// A changed calendar or policy with its ETag and how many open tickets were recomputed.
fn changed<T: serde::Serialize>(value: &T, version: i64, recomputed: usize) -> Response {
    let mut body = serde_json::to_value(value).unwrap_or_default();
    body["tickets_recomputed"] = json!(recomputed);
    super::extract::versioned(StatusCode::OK, &body, version)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarPatch {
    name: Option<String>,
    time_zone: Option<String>,
    hours: Option<crate::desk::business_hours::WeeklyHours>,
    holidays: Option<Vec<chrono::NaiveDate>>,
    version: Option<i64>,
}

/// `PATCH /api/v1/sla/calendars/{id}` with If-Match; open tickets' due times are recomputed.
async fn change_calendar(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
    ApiJson(b): ApiJson<CalendarPatch>,
) -> ApiResult<Response> {
    auth.require(sets::ADMIN)?;
    let expected = version_of(&headers, b.version)?;
    let mut tx = st.db.begin().await?;
    let current = config::calendar(&mut tx, auth.org_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("calendar"))?;
    let name = b.name.unwrap_or(current.name);
    if name.trim().is_empty() {
        return Err(ApiError::validation("name", "name is required"));
    }
    let spec = CalendarSpec {
        time_zone: b.time_zone.unwrap_or(current.time_zone),
        hours: b.hours.unwrap_or(current.hours.0),
        holidays: b.holidays.unwrap_or(current.holidays),
    };
    BusinessCalendar::from_spec(&spec).map_err(|e| ApiError::validation(e.field, e.message))?;
    let saved =
        sla_settings::update_calendar(&mut tx, auth.org_id, id, expected, name.trim(), &spec)
            .await?
            .ok_or_else(|| ApiError::version_mismatch(current.version))?;
    let n = sla_settings::recompute_open(&mut tx, auth.org_id, chrono::Utc::now()).await?;
    tx.commit().await?;
    Ok(changed(&saved, saved.version, n))
}

/// `DELETE /api/v1/sla/calendars/{id}` with If-Match (409 while a policy uses it).
async fn remove_calendar(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    auth.require(sets::ADMIN)?;
    let expected = version_of(&headers, None)?;
    let mut tx = st.db.begin().await?;
    let current = config::calendar(&mut tx, auth.org_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("calendar"))?;
    let users = sla_settings::policies_using(&mut tx, auth.org_id, id).await?;
    if users > 0 {
        return Err(ApiError::conflict(format!(
            "the calendar is used by {users} SLA policies; change or delete them first"
        )));
    }
    if !sla_settings::delete_calendar(&mut tx, auth.org_id, id, expected).await? {
        return Err(ApiError::version_mismatch(current.version));
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `Some(None)` for an explicit `null`, `None` when absent.
fn nullable<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<i32>>, D::Error> {
    Option::<i32>::deserialize(d).map(Some)
}

/// `Some(None)` for an explicit `null`, `None` when absent.
fn nullable_id<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<Uuid>>, D::Error> {
    Option::<Uuid>::deserialize(d).map(Some)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyPatch {
    name: Option<String>,
    position: Option<i32>,
    active: Option<bool>,
    conditions: Option<PolicyConditions>,
    #[serde(default, deserialize_with = "nullable")]
    first_response_mins: Option<Option<i32>>,
    #[serde(default, deserialize_with = "nullable")]
    next_response_mins: Option<Option<i32>>,
    #[serde(default, deserialize_with = "nullable")]
    resolution_mins: Option<Option<i32>>,
    #[serde(default, deserialize_with = "nullable_id")]
    calendar_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "nullable_id")]
    escalate_to_id: Option<Option<Uuid>>,
    version: Option<i64>,
}

/// `PATCH /api/v1/sla/policies/{id}` with If-Match (`null` clears a target, the calendar or
/// the escalation user); open tickets' due times are recomputed.
async fn change_policy(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
    ApiJson(b): ApiJson<PolicyPatch>,
) -> ApiResult<Response> {
    auth.require(sets::ADMIN)?;
    let expected = version_of(&headers, b.version)?;
    let mut tx = st.db.begin().await?;
    let current = config::policies(&mut tx, auth.org_id)
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or_else(|| ApiError::not_found("policy"))?;
    let name = b.name.unwrap_or(current.name.clone());
    if name.trim().is_empty() {
        return Err(ApiError::validation("name", "name is required"));
    }
    let conditions = b.conditions.unwrap_or(current.conditions.0.clone());
    let p = NewPolicy {
        name: name.trim(),
        position: b.position.unwrap_or(current.position),
        conditions: &conditions,
        targets: [
            b.first_response_mins.unwrap_or(current.first_response_mins),
            b.next_response_mins.unwrap_or(current.next_response_mins),
            b.resolution_mins.unwrap_or(current.resolution_mins),
        ],
        calendar_id: b.calendar_id.unwrap_or(current.calendar_id),
        escalate_to_id: b.escalate_to_id.unwrap_or(current.escalate_to_id),
    };
    let active = b.active.unwrap_or(current.active);
    let saved = sla_settings::update_policy(&mut tx, auth.org_id, id, expected, active, &p)
        .await?
        .ok_or_else(|| ApiError::version_mismatch(current.version))?;
    let n = sla_settings::recompute_open(&mut tx, auth.org_id, chrono::Utc::now()).await?;
    tx.commit().await?;
    Ok(changed(&saved, saved.version, n))
}

/// `DELETE /api/v1/sla/policies/{id}` with If-Match; open tickets fall to the next matching
/// policy (or none) with recomputed due times.
async fn remove_policy(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    auth.require(sets::ADMIN)?;
    let expected = version_of(&headers, None)?;
    let mut tx = st.db.begin().await?;
    let current = config::policies(&mut tx, auth.org_id)
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or_else(|| ApiError::not_found("policy"))?;
    if !sla_settings::delete_policy(&mut tx, auth.org_id, id, expected).await? {
        return Err(ApiError::version_mismatch(current.version));
    }
    sla_settings::recompute_open(&mut tx, auth.org_id, chrono::Utc::now()).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
