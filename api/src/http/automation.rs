//! Help-desk automation over HTTP: rules (`/api/v1/automation/rules`, admins write, office
//! roles read), dry runs (`POST /api/v1/automation/rules/{id}/test`), agents' skills for
//! skill-based assignment (`/api/v1/automation/agents`), and the caller's notifications
//! (`/api/v1/notifications`). Macros and webhooks have their own modules.

use super::auth::AuthUser;
use super::extract::{required_version, versioned, ApiJson, ApiPath, ApiQuery};
use super::tickets::actor;
use crate::desk::automation::model::{referenced_ids, Rule, RuleInput};
use crate::desk::automation::{engine, store};
use crate::desk::ticket::normalise_tags;
use crate::domain::roles::sets;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use uuid::Uuid;

/// Routes (one `.merge` in [`super::api_routes`]); macros and webhooks are merged here too.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/automation/rules", get(list).post(create))
        .route(
            "/api/v1/automation/rules/{id}",
            get(read).patch(change).delete(remove),
        )
        .route("/api/v1/automation/rules/{id}/test", post(dry_run))
        .route("/api/v1/automation/agents", get(agents))
        .route(
            "/api/v1/automation/agents/{user_id}/skills",
            put(set_skills),
        )
        .route("/api/v1/notifications", get(notifications))
        .route("/api/v1/notifications/{id}/read", post(mark_read))
        .merge(super::macros::routes())
        .merge(super::webhooks::routes())
}

async fn check_refs(st: &AppState, org: Uuid, input: &RuleInput) -> ApiResult<()> {
    check_action_refs(st, org, &input.actions).await
}

/// 422 unless the users, teams and webhook subscriptions actions name are the organisation's.
pub async fn check_action_refs(
    st: &AppState,
    org: Uuid,
    actions: &[crate::desk::automation::model::Action],
) -> ApiResult<()> {
    let (mut users, mut teams, mut subs) = referenced_ids(actions);
    for v in [&mut users, &mut teams, &mut subs] {
        v.sort();
        v.dedup();
    }
    let (u, t, s) = store::count_refs(&st.db, org, &users, &teams, &subs).await?;
    if u != users.len() as i64 {
        return Err(ApiError::validation(
            "actions",
            "a named user is not an office user of the organisation",
        ));
    }
    if t != teams.len() as i64 {
        return Err(ApiError::validation(
            "actions",
            "a named team does not exist",
        ));
    }
    if s != subs.len() as i64 {
        return Err(ApiError::validation(
            "actions",
            "a named webhook subscription does not exist",
        ));
    }
    Ok(())
}

async fn load(st: &AppState, org: Uuid, id: Uuid) -> ApiResult<Rule> {
    let mut conn = st.db.acquire().await?;
    store::rule(&mut conn, org, id)
        .await?
        .ok_or_else(|| ApiError::not_found("rule"))
}

/// `GET /api/v1/automation/rules[?trigger=...]`.
async fn list(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiQuery(query): ApiQuery<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    auth.require(sets::OFFICE)?;
    let trigger = query.get("trigger").map(String::as_str);
    if let Some(k) = query.keys().find(|k| *k != "trigger") {
        return Err(ApiError::validation(
            k.clone(),
            format!("unknown query parameter `{k}`"),
        ));
    }
    let mut conn = st.db.acquire().await?;
    let triggers = trigger.map(|t| vec![t]);
    let items = store::rules(&mut conn, auth.org_id, triggers.as_deref(), false).await?;
    Ok(Json(json!({ "items": items })))
}

/// `POST /api/v1/automation/rules`.
async fn create(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiJson(input): ApiJson<RuleInput>,
) -> ApiResult<Response> {
    auth.require(sets::ADMIN)?;
    input.validate()?;
    check_refs(&st, auth.org_id, &input).await?;
    let rule = store::insert_rule(&st.db, auth.org_id, &input).await?;
    Ok(versioned(StatusCode::CREATED, &rule, rule.version))
}

/// `GET /api/v1/automation/rules/{id}`.
async fn read(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Response> {
    auth.require(sets::OFFICE)?;
    let rule = load(&st, auth.org_id, id).await?;
    Ok(versioned(StatusCode::OK, &rule, rule.version))
}

/// `PATCH /api/v1/automation/rules/{id}`: replaces the rule (send every field) with `If-Match`.
async fn change(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<RuleInput>,
) -> ApiResult<Response> {
    auth.require(sets::ADMIN)?;
    let expected = required_version(&headers, input.version.map(Value::from).as_ref())?;
    let current = load(&st, auth.org_id, id).await?;
    input.validate()?;
    check_refs(&st, auth.org_id, &input).await?;
    match store::update_rule(&st.db, auth.org_id, id, expected, &input).await? {
        Some(rule) => Ok(versioned(StatusCode::OK, &rule, rule.version)),
        None => Err(ApiError::version_mismatch(current.version)),
    }
}

/// `DELETE /api/v1/automation/rules/{id}` with `If-Match`.
async fn remove(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    auth.require(sets::ADMIN)?;
    let expected = required_version(&headers, None)?;
    let current = load(&st, auth.org_id, id).await?;
    if store::delete_rule(&st.db, auth.org_id, id, expected).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::version_mismatch(current.version))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TestBody {
    ticket_id: Uuid,
}

/// `POST /api/v1/automation/rules/{id}/test` `{"ticket_id"}`: what the rule would do on the
/// ticket now. Runs in a transaction that is rolled back, so nothing changes.
async fn dry_run(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<TestBody>,
) -> ApiResult<Json<Value>> {
    auth.require(sets::OFFICE)?;
    let rule = load(&st, auth.org_id, id).await?;
    let mut tx = st.db.begin().await?;
    let ticket = crate::desk::db::tickets::lock(&mut tx, auth.org_id, body.ticket_id)
        .await?
        .ok_or_else(|| ApiError::validation("ticket_id", "no such ticket"))?;
    let report = engine::dry_run(&mut tx, &actor(&auth), &rule, ticket).await?;
    tx.rollback().await?;
    Ok(Json(report))
}

/// `GET /api/v1/automation/agents`: office users with their skills.
async fn agents(auth: AuthUser, State(st): State<AppState>) -> ApiResult<Json<Value>> {
    auth.require(sets::OFFICE)?;
    Ok(Json(
        json!({ "items": store::agent_skills(&st.db, auth.org_id).await? }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SkillsBody {
    skills: Vec<String>,
}

/// `PUT /api/v1/automation/agents/{user_id}/skills` `{"skills": [...]}` (admins).
async fn set_skills(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(user_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<SkillsBody>,
) -> ApiResult<Json<Value>> {
    auth.require(sets::ADMIN)?;
    let skills = normalise_tags(&body.skills).map_err(|e| e.with_field("skills"))?;
    let (users, _, _) = store::count_refs(&st.db, auth.org_id, &[user_id], &[], &[]).await?;
    if users != 1 {
        return Err(ApiError::not_found("agent"));
    }
    store::set_skills(&st.db, auth.org_id, user_id, &skills).await?;
    Ok(Json(json!({"user_id": user_id, "skills": skills})))
}

/// `GET /api/v1/notifications[?unread=true]`: the caller's notifications, newest first.
async fn notifications(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiQuery(query): ApiQuery<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    auth.require(sets::STAFF)?;
    let unread = match query.get("unread").map(String::as_str) {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => {
            return Err(ApiError::validation(
                "unread",
                "unread must be true or false",
            ))
        }
    };
    let items = store::notifications(&st.db, auth.org_id, auth.user_id, unread).await?;
    Ok(Json(json!({ "items": items })))
}

/// `POST /api/v1/notifications/{id}/read`.
async fn mark_read(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    auth.require(sets::STAFF)?;
    if store::mark_read(&st.db, auth.org_id, auth.user_id, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("notification"))
    }
}
