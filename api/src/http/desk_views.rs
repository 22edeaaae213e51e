//! The agents' ticket list and its saved views: `/api/v1/desk/views` (CRUD, own and shared
//! views), `/api/v1/desk/tickets` (the list with display names and SLA due, filtered by the
//! view vocabulary incl. `assignee=me|unassigned`) and `/api/v1/desk/agents` (office users for
//! assignee pickers). Office roles only.

use super::auth::AuthUser;
use super::extract::{required_version, ApiJson, ApiPath, ApiQuery};
use super::listing::{paging, Page};
use crate::desk::views::{self, SavedView, ViewFields, ViewFilters, DEFAULT_COLUMNS, DEFAULT_SORT};
use crate::desk::views_list::{self, ListRow};
use crate::domain::roles::{sets, Role};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use uuid::Uuid;

/// Routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/desk/views", get(list).post(create))
        .route(
            "/api/v1/desk/views/{id}",
            get(read).patch(change).delete(remove),
        )
        .route("/api/v1/desk/tickets", get(tickets))
        .route("/api/v1/desk/agents", get(agents))
}

/// The JSON of a view for `viewer`: the row plus `mine` and `editable`.
fn view_json(v: &SavedView, auth: &AuthUser) -> Value {
    let mut value = serde_json::to_value(v).unwrap_or(Value::Null);
    value["mine"] = json!(v.owner_id == auth.user_id);
    value["editable"] = json!(may_change(v, auth));
    value
}

/// Owners change their views; admins also change (moderate) shared ones.
fn may_change(v: &SavedView, auth: &AuthUser) -> bool {
    v.owner_id == auth.user_id || (v.shared && auth.role == Role::Admin)
}

fn view_response(status: StatusCode, v: &SavedView, auth: &AuthUser) -> Response {
    super::extract::versioned(status, &view_json(v, auth), v.version)
}

/// A duplicate name is a 409 on `name`.
fn name_conflict(e: sqlx::Error) -> ApiError {
    let e = ApiError::from(e);
    if e.status == StatusCode::CONFLICT {
        ApiError::conflict("you already have a view with this name").with_field("name")
    } else {
        e
    }
}

/// `GET /api/v1/desk/views`: the caller's views, then the organisation's shared ones.
async fn list(auth: AuthUser, State(st): State<AppState>) -> ApiResult<Json<Value>> {
    auth.require(sets::OFFICE)?;
    let items: Vec<Value> = views::list(&st.db, auth.org_id, auth.user_id)
        .await?
        .iter()
        .map(|v| view_json(v, &auth))
        .collect();
    Ok(Json(json!({ "items": items })))
}

/// Body of `POST /api/v1/desk/views`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewView {
    name: String,
    #[serde(default)]
    filters: ViewFilters,
    columns: Option<Vec<String>>,
    sort: Option<String>,
    #[serde(default)]
    shared: bool,
}

async fn create(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiJson(body): ApiJson<NewView>,
) -> ApiResult<Response> {
    auth.require(sets::OFFICE)?;
    let fields = ViewFields {
        name: body.name,
        filters: body.filters,
        columns: body
            .columns
            .unwrap_or_else(|| DEFAULT_COLUMNS.map(String::from).to_vec()),
        sort: body.sort.unwrap_or_else(|| DEFAULT_SORT.into()),
        shared: body.shared,
    }
    .check()?;
    let mut conn = st.db.acquire().await?;
    let v = views::insert(&mut conn, auth.org_id, auth.user_id, &fields)
        .await
        .map_err(name_conflict)?;
    let mut response = view_response(StatusCode::CREATED, &v, &auth);
    if let Ok(loc) = HeaderValue::from_str(&format!("/api/v1/desk/views/{}", v.id)) {
        response.headers_mut().insert(header::LOCATION, loc);
    }
    Ok(response)
}

/// A view the caller may see, else 404 (someone else's private view does not exist for them).
async fn visible_view(
    conn: &mut sqlx::PgConnection,
    auth: &AuthUser,
    id: Uuid,
    lock: bool,
) -> ApiResult<SavedView> {
    views::get(conn, auth.org_id, id, lock)
        .await?
        .filter(|v| views::visible_to(v, auth.user_id))
        .ok_or_else(|| ApiError::not_found("view"))
}

async fn read(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Response> {
    auth.require(sets::OFFICE)?;
    let mut conn = st.db.acquire().await?;
    let v = visible_view(&mut conn, &auth, id, false).await?;
    Ok(view_response(StatusCode::OK, &v, &auth))
}

/// Body of `PATCH /api/v1/desk/views/{id}`: only the given fields change.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ViewPatch {
    name: Option<String>,
    filters: Option<ViewFilters>,
    columns: Option<Vec<String>>,
    sort: Option<String>,
    shared: Option<bool>,
    version: Option<i64>,
}

/// Locks a view the caller may change and checks the expected version.
async fn lock_for_change(
    conn: &mut sqlx::PgConnection,
    auth: &AuthUser,
    id: Uuid,
    expected: i64,
) -> ApiResult<SavedView> {
    let v = visible_view(conn, auth, id, true).await?;
    if !may_change(&v, auth) {
        return Err(ApiError::forbidden(
            "only the owner (or an admin) may change a shared view",
        ));
    }
    if v.version != expected {
        return Err(ApiError::version_mismatch(v.version));
    }
    Ok(v)
}

async fn change(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
    ApiJson(patch): ApiJson<ViewPatch>,
) -> ApiResult<Response> {
    auth.require(sets::OFFICE)?;
    let expected = required_version(&headers, patch.version.map(Value::from).as_ref())?;
    let mut tx = st.db.begin().await?;
    let before = lock_for_change(&mut tx, &auth, id, expected).await?;
    let mut fields = ViewFields::of(&before);
    if let Some(name) = patch.name {
        fields.name = name;
    }
    if let Some(filters) = patch.filters {
        fields.filters = filters;
    }
    if let Some(columns) = patch.columns {
        fields.columns = columns;
    }
    if let Some(sort) = patch.sort {
        fields.sort = sort;
    }
    if let Some(shared) = patch.shared {
        fields.shared = shared;
    }
    let fields = fields.check()?;
    let v = views::update(&mut tx, auth.org_id, id, &fields)
        .await
        .map_err(name_conflict)?;
    tx.commit().await?;
    Ok(view_response(StatusCode::OK, &v, &auth))
}

async fn remove(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    auth.require(sets::OFFICE)?;
    let expected = required_version(&headers, None)?;
    let mut tx = st.db.begin().await?;
    lock_for_change(&mut tx, &auth, id, expected).await?;
    views::delete(&mut tx, auth.org_id, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/desk/tickets?view=&page=&limit=&sort=&status=&priority=&assignee=me,unassigned
/// &team=&tag=&channel=&status_type=&q=&breached=`: a saved view's filters (when `view` is
/// given) overridden by the filters in the query.
async fn tickets(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiQuery(mut query): ApiQuery<HashMap<String, String>>,
) -> ApiResult<Json<Page<ListRow>>> {
    auth.require(sets::OFFICE)?;
    let (page, limit) = paging(&mut query)?;
    let view = match query.remove("view") {
        None => None,
        Some(raw) => {
            let id = Uuid::parse_str(&raw)
                .map_err(|_| ApiError::validation("view", "view must be a view id"))?;
            let mut conn = st.db.acquire().await?;
            let v = visible_view(&mut conn, &auth, id, false)
                .await
                .map_err(|e| {
                    if e.status == StatusCode::NOT_FOUND {
                        ApiError::validation("view", "no such view")
                    } else {
                        e
                    }
                })?;
            Some(v)
        }
    };
    let sort_text = query
        .remove("sort")
        .or_else(|| view.as_ref().map(|v| v.sort.clone()))
        .unwrap_or_else(|| DEFAULT_SORT.into());
    let sort = views::parse_sort(&sort_text)?;
    let asked = ViewFilters::from_query(&mut query)?;
    if let Some(key) = query.keys().min() {
        return Err(ApiError::validation(
            key.clone(),
            format!(
                "unknown query parameter `{key}`; filters: status, status_type, priority, \
                 assignee, team, tag, channel, q, breached, view"
            ),
        ));
    }
    let filters = match view {
        Some(v) => v.filters.0.overridden_by(asked),
        None => asked,
    };
    let (items, total) = views_list::tickets(
        &st.db,
        auth.org_id,
        auth.user_id,
        &filters,
        sort,
        limit,
        (page - 1) * limit,
    )
    .await?;
    Ok(Json(Page {
        items,
        page,
        limit,
        total,
    }))
}

/// `GET /api/v1/desk/agents`: the organisation's active office users.
async fn agents(auth: AuthUser, State(st): State<AppState>) -> ApiResult<Json<Value>> {
    auth.require(sets::OFFICE)?;
    let items = views_list::office_users(&st.db, auth.org_id).await?;
    Ok(Json(json!({ "items": items })))
}
