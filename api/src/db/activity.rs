//! The activity log: one row per change of a record.

use serde_json::Value;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// One change to log.
pub struct Change<'a> {
    /// Organisation.
    pub org_id: Uuid,
    /// User who made the change (None for system changes such as seeding).
    pub actor_id: Option<Uuid>,
    /// Entity name, e.g. `work_order`.
    pub entity: &'a str,
    /// Record id.
    pub entity_id: Uuid,
    /// `create`, `update`, `delete`, `transition`, `upload`...
    pub action: &'a str,
    /// Record before the change.
    pub before: Option<&'a Value>,
    /// Record after the change.
    pub after: Option<&'a Value>,
}

/// Appends a change (inside the transaction that made it).
pub async fn record(conn: &mut PgConnection, change: Change<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO activity (org_id, actor_id, entity, entity_id, action, before, after) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(change.org_id)
    .bind(change.actor_id)
    .bind(change.entity)
    .bind(change.entity_id)
    .bind(change.action)
    .bind(change.before.map(sqlx::types::Json))
    .bind(change.after.map(sqlx::types::Json))
    .execute(conn)
    .await?;
    Ok(())
}

/// Filters of the activity list.
#[derive(Debug, Default)]
pub struct ActivityFilter {
    /// Entity name.
    pub entity: Option<String>,
    /// Record id.
    pub entity_id: Option<Uuid>,
    /// Acting user.
    pub actor_id: Option<Uuid>,
}

/// A page of the log, newest first, and the total count.
pub async fn list(
    pool: &PgPool,
    org_id: Uuid,
    filter: &ActivityFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Value>, i64), sqlx::Error> {
    const WHERE: &str = "WHERE org_id = $1 AND ($2::text IS NULL OR entity = $2) \
                         AND ($3::uuid IS NULL OR entity_id = $3) AND ($4::uuid IS NULL OR actor_id = $4)";
    let rows: Vec<(sqlx::types::Json<Value>,)> = sqlx::query_as(&format!(
        "SELECT jsonb_build_object('id', id, 'actor_id', actor_id, 'entity', entity, 'entity_id', entity_id, \
         'action', action, 'before', before, 'after', after, 'at', at) FROM activity {WHERE} \
         ORDER BY id DESC LIMIT $5 OFFSET $6"
    ))
    .bind(org_id)
    .bind(&filter.entity)
    .bind(filter.entity_id)
    .bind(filter.actor_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await?;
    let (total,): (i64,) = sqlx::query_as(&format!("SELECT count(*) FROM activity {WHERE}"))
        .bind(org_id)
        .bind(&filter.entity)
        .bind(filter.entity_id)
        .bind(filter.actor_id)
        .fetch_one(pool)
        .await?;
    Ok((rows.into_iter().map(|r| r.0 .0).collect(), total))
}
