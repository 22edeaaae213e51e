//! Macros / canned responses: a named reply (or note) body with placeholders and optional
//! actions. Applying one to a ticket posts the rendered body as the acting agent, runs the
//! actions, then runs the `ticket_updated` rules for what the macro changed.

use super::actions::Session;
use super::model::{validate_actions, Action};
use super::{engine, render};
use crate::desk::db::versioned;
use crate::desk::lifecycle::{self, Actor};
use crate::desk::ticket::{check_one_of, Ticket};
use crate::error::{ApiError, ApiResult};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// A stored macro.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Macro {
    /// Id.
    pub id: Uuid,
    /// Name (unique in the organisation).
    pub name: String,
    /// Body with `{{placeholders}}` (may be empty when the macro only runs actions).
    pub body: String,
    /// `reply` (public) or `note` (internal).
    pub kind: String,
    /// Actions run after the body is posted.
    pub actions: Json<Vec<Action>>,
    /// Optimistic-concurrency version.
    pub version: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// Body of `POST`/`PATCH /api/v1/macros`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MacroInput {
    /// Name.
    pub name: String,
    /// Body.
    #[serde(default)]
    pub body: String,
    /// `reply` (default) or `note`.
    #[serde(default)]
    pub kind: Option<String>,
    /// Actions.
    #[serde(default)]
    pub actions: Vec<Action>,
    /// Version (PATCH, when not sent as If-Match).
    #[serde(default)]
    pub version: Option<i64>,
}

impl MacroInput {
    /// 422 unless well-formed.
    pub fn validate(&self) -> ApiResult<()> {
        if self.name.trim().is_empty() || self.name.chars().count() > 200 {
            return Err(ApiError::validation(
                "name",
                "name must be 1..200 characters",
            ));
        }
        check_one_of("kind", self.kind(), &["reply", "note"])?;
        if self.body.trim().is_empty() && self.actions.is_empty() {
            return Err(ApiError::validation(
                "body",
                "a macro needs a body or actions",
            ));
        }
        render::check(&self.body).map_err(|m| ApiError::validation("body", m))?;
        validate_actions(&self.actions, false)
    }

    /// The kind, `reply` by default.
    pub fn kind(&self) -> &str {
        self.kind.as_deref().unwrap_or("reply")
    }
}

const TABLE: &str = "desk_macros";
const COLUMNS: &str = "id, name, body, kind, actions, version, created_at, updated_at";

/// Macros of the organisation by name.
pub async fn list(pool: &PgPool, org_id: Uuid) -> Result<Vec<Macro>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM desk_macros WHERE org_id = $1 ORDER BY name, id"
    ))
    .bind(org_id)
    .fetch_all(pool)
    .await
}

/// One macro.
pub async fn get(pool: &PgPool, org_id: Uuid, id: Uuid) -> Result<Option<Macro>, sqlx::Error> {
    versioned::get(pool, TABLE, COLUMNS, org_id, id).await
}

/// Inserts a macro (validated by the caller).
pub async fn insert(pool: &PgPool, org_id: Uuid, m: &MacroInput) -> Result<Macro, sqlx::Error> {
    sqlx::query_as(&format!(
        "INSERT INTO desk_macros (org_id, name, body, kind, actions) VALUES ($1, $2, $3, $4, $5) \
         RETURNING {COLUMNS}"
    ))
    .bind(org_id)
    .bind(m.name.trim())
    .bind(&m.body)
    .bind(m.kind())
    .bind(Json(&m.actions))
    .fetch_one(pool)
    .await
}

/// Replaces a macro at version `expected`; None when missing or stale.
pub async fn update(
    pool: &PgPool,
    org_id: Uuid,
    id: Uuid,
    expected: i64,
    m: &MacroInput,
) -> Result<Option<Macro>, sqlx::Error> {
    sqlx::query_as(&format!(
        "UPDATE desk_macros SET name = $4, body = $5, kind = $6, actions = $7, \
         version = version + 1, updated_at = now() \
         WHERE org_id = $1 AND id = $2 AND version = $3 RETURNING {COLUMNS}"
    ))
    .bind(org_id)
    .bind(id)
    .bind(expected)
    .bind(m.name.trim())
    .bind(&m.body)
    .bind(m.kind())
    .bind(Json(&m.actions))
    .fetch_optional(pool)
    .await
}

/// Deletes a macro at version `expected`; true when deleted.
pub async fn delete(
    pool: &PgPool,
    org_id: Uuid,
    id: Uuid,
    expected: i64,
) -> Result<bool, sqlx::Error> {
    versioned::delete(pool, TABLE, org_id, id, expected).await
}

/// What applying a macro did.
#[derive(Debug, Serialize)]
pub struct Applied {
    /// The ticket afterwards.
    pub ticket: Value,
    /// The posted message (None for action-only macros).
    pub message: Option<Value>,
    /// One report per action.
    pub actions: Vec<Value>,
}

/// Applies a macro to a locked ticket as `actor` (an agent).
pub async fn apply(
    conn: &mut PgConnection,
    actor: &Actor,
    m: &Macro,
    before: Ticket,
) -> ApiResult<Applied> {
    let mut t = before.clone();
    let mut message = None;
    if !m.body.trim().is_empty() {
        let ctx = render::Context::load(conn, actor.org_id, &t, actor.user_id).await?;
        let text = ctx.render(&m.body);
        let (after, posted) = lifecycle::add_message(conn, actor, t, &m.kind, &text).await?;
        t = after;
        message = Some(serde_json::to_value(&posted).map_err(ApiError::internal)?);
    }
    let mut session = Session::new(conn, *actor, t, true);
    session.source = format!("macro: {}", m.name);
    let actions = session.run(&m.actions.0).await?;
    let t = session.finish().await?;
    let t = engine::on_updated(conn, actor, &before, t).await?;
    Ok(Applied {
        ticket: t.to_json(),
        message,
        actions,
    })
}
