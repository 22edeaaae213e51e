//! Agent assist over HTTP: `GET /api/v1/tickets/{id}/suggestions` (category, priority,
//! sentiment, similar tickets, articles), `GET /api/v1/tickets/{id}/assist` (sentiment of every
//! incoming message), `POST /api/v1/tickets/{id}/assist/draft` (optional LLM) and
//! `GET|PUT /api/v1/assist/settings` (the organisation's LLM endpoint). Office roles only.

use super::auth::AuthUser;
use super::extract::{ApiJson, ApiPath};
use super::tickets::visible;
use crate::desk::assist::{self, llm, DraftKind};
use crate::desk::db::messages;
use crate::domain::roles::sets;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

/// Routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/tickets/{id}/suggestions", get(suggestions))
        .route("/api/v1/tickets/{id}/assist", get(assist_view))
        .route("/api/v1/tickets/{id}/assist/draft", post(draft))
        .route(
            "/api/v1/assist/settings",
            get(read_settings).put(save_settings),
        )
}

/// An assist failure: database problems keep their own status (503...), the rest is a 500.
fn failure(err: anyhow::Error) -> ApiError {
    match err.downcast::<sqlx::Error>() {
        Ok(db) => ApiError::from(db),
        Err(other) => ApiError::internal(other),
    }
}

/// `GET /api/v1/tickets/{id}/suggestions`.
async fn suggestions(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<assist::Suggestions>> {
    auth.require(sets::OFFICE)?;
    let t = visible(&st, &auth, id).await?;
    let s = assist::suggestions(&st.db, &t, auth.org_id)
        .await
        .map_err(failure)?;
    Ok(Json(s))
}

/// `GET /api/v1/tickets/{id}/assist`: per-message sentiment and whether the LLM is on.
async fn assist_view(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Value>> {
    auth.require(sets::OFFICE)?;
    let t = visible(&st, &auth, id).await?;
    let sentiment = assist::ticket_sentiment(&st.db, auth.org_id, t.id).await?;
    let endpoint = llm::resolve(assist::db::llm_settings(&st.db, auth.org_id).await?);
    Ok(Json(json!({
        "ticket_id": t.id,
        "sentiment": sentiment.current,
        "messages": sentiment.messages,
        "llm": { "configured": endpoint.is_some() },
    })))
}

/// Body of a draft request.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DraftBody {
    /// `reply` (default) or `summary`.
    #[serde(default)]
    kind: Option<DraftKind>,
    /// Extra guidance from the agent ("offer a visit next week").
    #[serde(default)]
    instructions: Option<String>,
}

/// `POST /api/v1/tickets/{id}/assist/draft`: a reply draft or a summary from the LLM; 501
/// `assist_llm_not_configured` when no endpoint is set, 502 when it fails. Nothing is saved:
/// the agent edits and sends the draft as an ordinary reply.
async fn draft(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<DraftBody>,
) -> ApiResult<Json<Value>> {
    auth.require(sets::OFFICE)?;
    let t = visible(&st, &auth, id).await?;
    if body.instructions.as_ref().is_some_and(|s| s.len() > 2_000) {
        return Err(ApiError::validation(
            "instructions",
            "instructions are limited to 2000 characters",
        ));
    }
    let endpoint =
        llm::resolve(assist::db::llm_settings(&st.db, auth.org_id).await?).ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_IMPLEMENTED,
                "assist_llm_not_configured",
                "assist LLM not configured: an admin sets an OpenAI-compatible endpoint with \
                 PUT /api/v1/assist/settings (or the service's FIELDPATH_ASSIST_LLM_URL)",
            )
        })?;
    let kind = body.kind.unwrap_or(DraftKind::Reply);
    let thread = messages::list(&st.db, auth.org_id, t.id, kind == DraftKind::Summary).await?;
    let (system, user) = assist::draft_prompt(kind, &t, &thread, body.instructions.as_deref());
    let completion = llm::complete(&endpoint, &system, &user)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "assist LLM call failed");
            ApiError::new(StatusCode::BAD_GATEWAY, "assist_llm_failed", e.to_string())
        })?;
    Ok(Json(json!({
        "kind": if kind == DraftKind::Reply { "reply" } else { "summary" },
        "text": completion.text,
        "model": completion.model,
    })))
}

/// `GET /api/v1/assist/settings` (admin): the LLM endpoint in force; the key is never shown.
async fn read_settings(auth: AuthUser, State(st): State<AppState>) -> ApiResult<Json<Value>> {
    auth.require(sets::ADMIN)?;
    let row = assist::db::llm_settings(&st.db, auth.org_id).await?;
    let own = row
        .as_ref()
        .and_then(|(url, _, _)| url.as_ref())
        .is_some_and(|u| !u.trim().is_empty());
    let endpoint = llm::resolve(row);
    Ok(Json(json!({
        "llm_url": endpoint.as_ref().map(|e| e.url.clone()),
        "llm_model": endpoint.as_ref().map(|e| e.model.clone()),
        "llm_api_key_set": endpoint.as_ref().is_some_and(|e| e.api_key.is_some()),
        "source": if own { "organisation" } else if endpoint.is_some() { "service" } else { "off" },
    })))
}

/// Body of `PUT /api/v1/assist/settings`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsBody {
    /// Base URL of the OpenAI-compatible API (`.../v1`); null or empty turns the LLM off.
    llm_url: Option<String>,
    /// Model name.
    #[serde(default)]
    llm_model: Option<String>,
    /// Bearer key; omitted keeps the stored one, empty string removes it.
    #[serde(default)]
    llm_api_key: Option<String>,
}

/// `PUT /api/v1/assist/settings` (admin).
async fn save_settings(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiJson(body): ApiJson<SettingsBody>,
) -> ApiResult<Json<Value>> {
    auth.require(sets::ADMIN)?;
    let url = body
        .llm_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty());
    if let Some(u) = url {
        llm::validate_url(u).map_err(|m| ApiError::validation("llm_url", m))?;
    }
    let model = body
        .llm_model
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .unwrap_or(llm::DEFAULT_MODEL);
    if model.len() > 200 {
        return Err(ApiError::validation("llm_model", "model name is too long"));
    }
    let clear_key = body.llm_api_key.as_deref() == Some("");
    let key = body.llm_api_key.as_deref().filter(|k| !k.is_empty());
    assist::db::save_llm_settings(&st.db, auth.org_id, url, model, key, clear_key).await?;
    read_settings(auth, State(st)).await
}
