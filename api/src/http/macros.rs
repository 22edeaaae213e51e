//! Macros / canned responses: `/api/v1/macros` (office roles read and write) and
//! `POST /api/v1/tickets/{id}/macros/{macro_id}` to apply one to a ticket (posts the rendered
//! reply or note as the caller, runs the macro's actions).

use super::auth::AuthUser;
use super::automation::check_action_refs;
use super::extract::{required_version, versioned, ApiJson, ApiPath};
use super::tickets::actor;
use crate::desk::automation::macros::{self, Macro, MacroInput};
use crate::desk::lifecycle;
use crate::domain::roles::sets;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use uuid::Uuid;

/// Routes (merged by [`super::automation::routes`]).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/macros", get(list).post(create))
        .route(
            "/api/v1/macros/{id}",
            get(read).patch(change).delete(remove),
        )
        .route("/api/v1/tickets/{id}/macros/{macro_id}", post(apply))
}

async fn load(st: &AppState, org: Uuid, id: Uuid) -> ApiResult<Macro> {
    macros::get(&st.db, org, id)
        .await?
        .ok_or_else(|| ApiError::not_found("macro"))
}

/// `GET /api/v1/macros` → `{"items": [...]}` by name.
async fn list(auth: AuthUser, State(st): State<AppState>) -> ApiResult<Json<Value>> {
    auth.require(sets::OFFICE)?;
    Ok(Json(
        json!({ "items": macros::list(&st.db, auth.org_id).await? }),
    ))
}

/// `POST /api/v1/macros`.
async fn create(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiJson(input): ApiJson<MacroInput>,
) -> ApiResult<Response> {
    auth.require(sets::OFFICE)?;
    input.validate()?;
    check_action_refs(&st, auth.org_id, &input.actions).await?;
    let m = macros::insert(&st.db, auth.org_id, &input)
        .await
        .map_err(|e| unique_name(e.into()))?;
    Ok(versioned(StatusCode::CREATED, &m, m.version))
}

/// A duplicate name is a 409 on `name`.
fn unique_name(e: ApiError) -> ApiError {
    if e.status == StatusCode::CONFLICT {
        e.with_field("name")
    } else {
        e
    }
}

/// `GET /api/v1/macros/{id}`.
async fn read(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Response> {
    auth.require(sets::OFFICE)?;
    let m = load(&st, auth.org_id, id).await?;
    Ok(versioned(StatusCode::OK, &m, m.version))
}

/// `PATCH /api/v1/macros/{id}`: replaces the macro (send every field) with `If-Match`.
async fn change(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<MacroInput>,
) -> ApiResult<Response> {
    auth.require(sets::OFFICE)?;
    let expected = required_version(&headers, input.version.map(Value::from).as_ref())?;
    let current = load(&st, auth.org_id, id).await?;
    input.validate()?;
    check_action_refs(&st, auth.org_id, &input.actions).await?;
    match macros::update(&st.db, auth.org_id, id, expected, &input)
        .await
        .map_err(|e| unique_name(e.into()))?
    {
        Some(m) => Ok(versioned(StatusCode::OK, &m, m.version)),
        None => Err(ApiError::version_mismatch(current.version)),
    }
}

/// `DELETE /api/v1/macros/{id}` with `If-Match`.
async fn remove(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    auth.require(sets::OFFICE)?;
    let expected = required_version(&headers, None)?;
    let current = load(&st, auth.org_id, id).await?;
    if macros::delete(&st.db, auth.org_id, id, expected).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::version_mismatch(current.version))
    }
}

/// `POST /api/v1/tickets/{id}/macros/{macro_id}` → `{"ticket", "message", "actions"}`.
async fn apply(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath((id, macro_id)): ApiPath<(Uuid, Uuid)>,
) -> ApiResult<Json<Value>> {
    auth.require(sets::OFFICE)?;
    let m = load(&st, auth.org_id, macro_id).await?;
    let mut tx = st.db.begin().await?;
    let before = lifecycle::lock(&mut tx, auth.org_id, id, None).await?;
    let applied = macros::apply(&mut tx, &actor(&auth), &m, before).await?;
    tx.commit().await?;
    Ok(Json(
        serde_json::to_value(applied).map_err(ApiError::internal)?,
    ))
}
