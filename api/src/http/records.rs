//! Generic REST handlers for every kind in [`crate::domain::resources`]:
//! `GET/POST /api/v1/<kind>`, `GET/PATCH/PUT/DELETE /api/v1/<kind>/{id}`, plus
//! `POST /api/v1/work-orders/{id}/transition` and `GET /api/v1/assets/{id}/history`.
//!
//! Changes run in one transaction: lock the row, compare its version with `If-Match` (or a
//! `version` field), apply the kind's rule, write, and append to the activity log.

use super::auth::AuthUser;
use super::extract::{expected_version, required_version, ApiJson, ApiPath, ApiQuery};
use super::listing::list_spec;
use crate::db::{self, activity::Change, records::Scope};
use crate::domain::resources::{self, Resource, RuleCtx, ASSETS, ATTACHMENTS, WORK_ORDERS};
use crate::domain::roles::Role;
use crate::domain::work_order;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, MethodRouter};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::HashMap;
use uuid::Uuid;

/// Routes of every generic kind.
pub fn routes() -> Router<AppState> {
    let mut router = Router::new()
        .route("/api/v1/work-orders/{id}/transition", post(transition))
        .route("/api/v1/assets/{id}/history", get(asset_history));
    for res in resources::ALL {
        router = router.merge(resource_routes(res));
    }
    router
}

fn resource_routes(res: &'static Resource) -> Router<AppState> {
    let collection = format!("/api/v1/{}", res.path);
    let item = format!("{collection}/{{id}}");
    let mut collection_methods: MethodRouter<AppState> = get(
        move |auth: AuthUser,
              State(st): State<AppState>,
              ApiQuery(q): ApiQuery<HashMap<String, String>>| { list(res, auth, st, q) },
    );
    if res.creatable {
        collection_methods = collection_methods.post(
            move |auth: AuthUser, State(st): State<AppState>, ApiJson(body): ApiJson<Value>| {
                create(res, auth, st, body)
            },
        );
    }
    let item_methods: MethodRouter<AppState> = get(
        move |auth: AuthUser, State(st): State<AppState>, ApiPath(id): ApiPath<Uuid>| {
            read(res, auth, st, id)
        },
    )
    .patch(
        move |auth: AuthUser,
              State(st): State<AppState>,
              ApiPath(id): ApiPath<Uuid>,
              headers: HeaderMap,
              ApiJson(body): ApiJson<Value>| {
            change(res, auth, st, id, headers, body, Mode::Patch)
        },
    )
    .put(
        move |auth: AuthUser,
              State(st): State<AppState>,
              ApiPath(id): ApiPath<Uuid>,
              headers: HeaderMap,
              ApiJson(body): ApiJson<Value>| {
            change(res, auth, st, id, headers, body, Mode::Put)
        },
    )
    .delete(
        move |auth: AuthUser,
              State(st): State<AppState>,
              ApiPath(id): ApiPath<Uuid>,
              headers: HeaderMap| { remove(res, auth, st, id, headers) },
    );
    Router::new()
        .route(&collection, collection_methods)
        .route(&item, item_methods)
}

/// How a body is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Create,
    Patch,
    Put,
}

/// Validates a JSON body against the kind's fields: unknown names → 422, read-only names are
/// ignored, required fields must be present on create/PUT. Returns the fields and `version`.
fn prepare(
    res: &Resource,
    body: Value,
    mode: Mode,
) -> ApiResult<(Map<String, Value>, Option<Value>)> {
    let Value::Object(body) = body else {
        return Err(ApiError::validation(
            "body",
            "the body must be a JSON object",
        ));
    };
    let mut fields = Map::new();
    let mut version = None;
    for (name, value) in body {
        if name == "version" {
            version = Some(value);
        } else if let Some(field) = res.field(&name) {
            fields.insert(name, crate::domain::fields::validate(field, &value)?);
        } else if !res.read_only.contains(&name.as_str()) {
            return Err(ApiError::validation(
                &name,
                format!("unknown field `{name}` for {}", res.entity),
            ));
        }
    }
    if mode != Mode::Patch {
        if let Some(missing) = res
            .fields
            .iter()
            .find(|f| f.required && !fields.contains_key(f.name))
        {
            return Err(ApiError::validation(
                missing.name,
                format!("{} is required", missing.name),
            ));
        }
    }
    Ok((fields, version))
}

fn scope(res: &Resource, auth: &AuthUser) -> Scope {
    let customer = match auth.role {
        Role::Customer => Some((res.customer_scope.unwrap_or("id"), auth.customer_id)),
        _ => None,
    };
    Scope {
        org_id: auth.org_id,
        customer,
    }
}

fn version_of(row: &Value) -> i64 {
    row.get("version").and_then(Value::as_i64).unwrap_or(0)
}

fn id_of(row: &Value) -> Uuid {
    row.get("id")
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
        .unwrap_or_default()
}

/// A record answer with its `ETag`.
pub fn record_response(status: StatusCode, row: Value) -> Response {
    super::extract::versioned(status, &row, version_of(&row))
}

async fn list(
    res: &'static Resource,
    auth: AuthUser,
    st: AppState,
    query: HashMap<String, String>,
) -> ApiResult<Response> {
    auth.require(res.read)?;
    let spec = list_spec(res, query)?;
    let found = db::lists::list_json(&st.db, res, &scope(res, &auth), &spec).await?;
    let page = spec.offset / spec.limit + 1;
    // The envelope of `listing::Page` around the JSON text the database produced, plus
    // `total_exact` (false: `total` is a lower bound, see `db::lists::PAGES_AHEAD`).
    let body = format!(
        r#"{{"items":{},"page":{page},"limit":{},"total":{},"total_exact":{}}}"#,
        found.items, spec.limit, found.total, found.total_exact
    );
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

async fn read(
    res: &'static Resource,
    auth: AuthUser,
    st: AppState,
    id: Uuid,
) -> ApiResult<Response> {
    auth.require(res.read)?;
    let row = db::records::get(&st.db, res, &scope(res, &auth), id)
        .await?
        .ok_or_else(|| ApiError::not_found(res.entity))?;
    Ok(record_response(StatusCode::OK, row))
}

async fn create(
    res: &'static Resource,
    auth: AuthUser,
    st: AppState,
    body: Value,
) -> ApiResult<Response> {
    auth.require(res.write)?;
    let (mut fields, _) = prepare(res, body, Mode::Create)?;
    if let Some(rule) = res.rule {
        rule(
            &RuleCtx {
                role: auth.role,
                before: None,
                graph: st.graph.as_deref(),
            },
            &mut fields,
        )?;
    }
    let who = db::records::Creator {
        org_id: auth.org_id,
        actor_id: auth.user_id,
    };
    let numbered = std::ptr::eq(res, &WORK_ORDERS);
    let row = st.creates.create(res, who, fields, numbered).await?;
    let location = format!("/api/v1/{}/{}", res.path, id_of(&row));
    let mut response = record_response(StatusCode::CREATED, row);
    if let Ok(v) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    Ok(response)
}

/// Applies validated `fields` to record `id` if its version is `expected` (any version when
/// `expected` is None), with the kind's rule and an activity entry.
pub async fn apply_change(
    res: &'static Resource,
    auth: &AuthUser,
    st: &AppState,
    id: Uuid,
    expected: Option<i64>,
    mut fields: Map<String, Value>,
    action: &str,
) -> ApiResult<Value> {
    let mut tx = st.db.begin().await?;
    let before = db::records::lock(&mut tx, res, auth.org_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found(res.entity))?;
    let current = version_of(&before);
    if expected.is_some_and(|v| v != current) {
        return Err(ApiError::version_mismatch(current));
    }
    if let Some(rule) = res.rule {
        rule(
            &RuleCtx {
                role: auth.role,
                before: Some(&before),
                graph: st.graph.as_deref(),
            },
            &mut fields,
        )?;
    }
    let after = db::records::update(&mut tx, res, auth.org_id, id, &fields).await?;
    db::activity::record(
        &mut tx,
        Change {
            org_id: auth.org_id,
            actor_id: Some(auth.user_id),
            entity: res.entity,
            entity_id: id,
            action,
            before: Some(&before),
            after: Some(&after),
        },
    )
    .await?;
    crate::desk::webhooks::on_record_change(&mut tx, auth.org_id, res.entity, &before, &after)
        .await?;
    tx.commit().await?;
    crate::live::publish_record(st, auth.org_id, res.entity, &after);
    Ok(after)
}

async fn change(
    res: &'static Resource,
    auth: AuthUser,
    st: AppState,
    id: Uuid,
    headers: HeaderMap,
    body: Value,
    mode: Mode,
) -> ApiResult<Response> {
    auth.require(res.write)?;
    let (fields, body_version) = prepare(res, body, mode)?;
    let expected = required_version(&headers, body_version.as_ref())?;
    let after = apply_change(res, &auth, &st, id, Some(expected), fields, "update").await?;
    Ok(record_response(StatusCode::OK, after))
}

async fn remove(
    res: &'static Resource,
    auth: AuthUser,
    st: AppState,
    id: Uuid,
    headers: HeaderMap,
) -> ApiResult<Response> {
    auth.require(res.delete)?;
    let expected = required_version(&headers, None)?;
    let mut tx = st.db.begin().await?;
    let before = db::records::lock(&mut tx, res, auth.org_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found(res.entity))?;
    let current = version_of(&before);
    if expected != current {
        return Err(ApiError::version_mismatch(current));
    }
    db::records::delete(&mut tx, res, auth.org_id, id).await?;
    db::activity::record(
        &mut tx,
        Change {
            org_id: auth.org_id,
            actor_id: Some(auth.user_id),
            entity: res.entity,
            entity_id: id,
            action: "delete",
            before: Some(&before),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    if std::ptr::eq(res, &ATTACHMENTS) {
        // The row is gone; the file goes too (best effort: a leftover file is only garbage).
        if let Some(key) = before.get("object_key").and_then(Value::as_str) {
            let key = object_store::path::Path::from(key);
            if let Err(e) = st.store.delete(&key).await {
                tracing::warn!(error = %e, %key, "attachment file not deleted");
            }
        }
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Body of `POST /work-orders/{id}/transition`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransitionBody {
    /// Target status.
    pub to: String,
    /// Version the caller saw (optional; `If-Match` also works).
    pub version: Option<i64>,
}

async fn transition(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<TransitionBody>,
) -> ApiResult<Response> {
    auth.require(&[Role::Admin, Role::Dispatcher, Role::Agent, Role::Technician])?;
    if !work_order::STATUSES.contains(&body.to.as_str()) {
        return Err(ApiError::validation(
            "to",
            format!("to must be one of {}", work_order::STATUSES.join(", ")),
        ));
    }
    let expected = expected_version(&headers, body.version.map(Value::from).as_ref())?;
    let mut fields = Map::new();
    fields.insert("status".into(), Value::String(body.to.clone()));
    // Asking for the current status is a conflict too: nothing would change.
    let current = db::records::get(&st.db, &WORK_ORDERS, &scope(&WORK_ORDERS, &auth), id)
        .await?
        .ok_or_else(|| ApiError::not_found("work_order"))?;
    if current.get("status").and_then(Value::as_str) == Some(body.to.as_str()) {
        return Err(
            ApiError::conflict(format!("the work order is already {}", body.to)).with_field("to"),
        );
    }
    let after = apply_change(&WORK_ORDERS, &auth, &st, id, expected, fields, "transition")
        .await
        .map_err(|e| {
            if e.field.as_deref() == Some("status") {
                e.with_field("to")
            } else {
                e
            }
        })?;
    Ok(record_response(StatusCode::OK, after))
}

async fn asset_history(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Response> {
    auth.require(ASSETS.read)?;
    db::records::get(&st.db, &ASSETS, &scope(&ASSETS, &auth), id)
        .await?
        .ok_or_else(|| ApiError::not_found("asset"))?;
    Ok(Json(db::records::asset_history(&st.db, auth.org_id, id).await?).into_response())
}
