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

/// Takes the organisation's next work-order sequence number in a transaction of its own,
/// committed without waiting for the WAL flush (`synchronous_commit = off`).
///
/// Why: the counter row is locked until the taking transaction ends. Taken inside the creating
/// transaction (as [`next_work_order_seq`] does) every create of an organisation waits for the
/// previous one's disk flush, so creates run one at a time. Here the lock lasts only the
/// update itself. Durability is kept: the creating transaction commits synchronously later,
/// and flushing its WAL flushes this earlier record too. A create that then fails leaves a
/// gap in the numbers (numbers stay unique and increasing).
pub async fn take_work_order_seq(pool: &sqlx::PgPool, org_id: Uuid) -> Result<i64, sqlx::Error> {
    use sqlx::Row;
    // A Uuid renders only as hex and dashes, so formatting it into the SQL is safe; one simple
    // query message keeps this to a single round trip.
    let sql = format!(
        "BEGIN; SET LOCAL synchronous_commit = off; \
         UPDATE organisations SET wo_seq = wo_seq + 1 WHERE id = '{org_id}' RETURNING wo_seq; \
         COMMIT;"
    );
    let rows = sqlx::raw_sql(&sql).fetch_all(pool).await?;
    match rows.first() {
        Some(row) => row.try_get::<i64, _>(0),
        None => Err(sqlx::Error::RowNotFound),
    }
}
