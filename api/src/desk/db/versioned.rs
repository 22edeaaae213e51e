//! The shared shape of the help desk's versioned settings rows (macros, webhook
//! subscriptions, automation rules): read one row by `(org_id, id)`, delete one at the
//! version the caller saw. Table and column lists are the calling module's constants, never
//! request input.

use sqlx::postgres::PgRow;
use sqlx::{FromRow, PgPool};
use uuid::Uuid;

/// The row `id` of the organisation in `table`, as `columns`.
pub async fn get<T>(
    pool: &PgPool,
    table: &'static str,
    columns: &'static str,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<T>, sqlx::Error>
where
    T: for<'r> FromRow<'r, PgRow> + Send + Unpin,
{
    sqlx::query_as(&format!(
        "SELECT {columns} FROM {table} WHERE org_id = $1 AND id = $2"
    ))
    .bind(org_id)
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// Deletes the row `id` of the organisation in `table` at version `expected`; true when
/// deleted (false: missing or stale).
pub async fn delete(
    pool: &PgPool,
    table: &'static str,
    org_id: Uuid,
    id: Uuid,
    expected: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(&format!(
        "DELETE FROM {table} WHERE org_id = $1 AND id = $2 AND version = $3"
    ))
    .bind(org_id)
    .bind(id)
    .bind(expected)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}
