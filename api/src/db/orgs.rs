//! Organisations (tenants) and their counters.

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// Creates an organisation; returns its id.
pub async fn create(pool: &PgPool, name: &str, slug: &str) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::new_v4();
    sqlx::query("INSERT INTO organisations (id, name, slug) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(name)
        .bind(slug)
        .execute(pool)
        .await?;
    Ok(id)
}

/// The id of the organisation with this slug.
pub async fn by_slug(pool: &PgPool, slug: &str) -> Result<Option<Uuid>, sqlx::Error> {
    let row: Option<(Uuid,)> = sqlx::query_as("SELECT id FROM organisations WHERE slug = $1")
        .bind(slug)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|r| r.0))
}

/// Takes the organisation's next work-order sequence number (inside the creating transaction,
/// so numbers are gap-free unless a creation fails).
pub async fn next_work_order_seq(
    conn: &mut PgConnection,
    org_id: Uuid,
) -> Result<i64, sqlx::Error> {
    let (seq,): (i64,) = sqlx::query_as(
        "UPDATE organisations SET wo_seq = wo_seq + 1 WHERE id = $1 RETURNING wo_seq",
    )
    .bind(org_id)
    .fetch_one(conn)
    .await?;
    Ok(seq)
}
