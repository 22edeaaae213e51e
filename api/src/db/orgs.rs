//! Organisations (tenants) and their work-order numbering.

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

/// Takes the organisation's next work-order number from its own Postgres sequence (migration
/// `20261126000100_work_order_sequences.sql`). No row is locked, so concurrent creates of an
/// organisation do not wait for each other; sequences are not transactional, so a create that
/// fails afterwards leaves a gap (numbers stay unique and increasing).
pub async fn next_work_order_seq(
    conn: &mut PgConnection,
    org_id: Uuid,
) -> Result<i64, sqlx::Error> {
    let (seq,): (i64,) = sqlx::query_as("SELECT next_work_order_seq($1)")
        .bind(org_id)
        .fetch_one(conn)
        .await?;
    Ok(seq)
}

/// Takes `count` work-order numbers of the organisation at once, in increasing order (they
/// need not be consecutive when other creates run at the same time).
pub async fn next_work_order_seqs(
    conn: &mut PgConnection,
    org_id: Uuid,
    count: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT next_work_order_seq($1) FROM generate_series(1, $2::bigint) ORDER BY 1",
    )
    .bind(org_id)
    .bind(count)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}
