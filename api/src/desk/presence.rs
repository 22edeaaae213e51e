//! Who has a ticket open right now, for the collision notice ("Alex is replying").
//!
//! Each open ticket page sends a heartbeat every ~10 s with its state (`viewing` or
//! `replying`); an entry older than [`TTL_SECS`] counts as gone, so a closed tab or a crashed
//! browser disappears by itself. Entries live in the UNLOGGED table `ticket_presence`: shared by
//! every API process (agents behind a load balancer see each other, unlike an in-process map),
//! cheap to write (no WAL), and emptied by a crash, which loses nothing worth keeping.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;

/// Seconds after the last heartbeat an entry expires.
pub const TTL_SECS: i64 = 30;
/// The states a heartbeat may report.
pub const STATES: [&str; 2] = ["viewing", "replying"];

/// Someone on a ticket.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, PartialEq)]
pub struct Presence {
    /// The user.
    pub user_id: Uuid,
    /// Their display name.
    pub name: String,
    /// `viewing` or `replying`.
    pub state: String,
    /// Last heartbeat.
    pub seen_at: DateTime<Utc>,
}

/// Records a heartbeat of `user_id` on the ticket and drops the organisation's expired entries
/// (rows are few: one per open ticket page). Answers whether others should hear of it: the user
/// arrived (or came back after expiring) or changed state.
pub async fn beat(
    pool: &PgPool,
    org_id: Uuid,
    ticket_id: Uuid,
    user_id: Uuid,
    state: &str,
) -> Result<bool, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query(
        "DELETE FROM ticket_presence WHERE org_id = $1 \
         AND seen_at < now() - make_interval(secs => $2)",
    )
    .bind(org_id)
    .bind(TTL_SECS as f64)
    .execute(&mut *tx)
    .await?;
    let before: Option<(String,)> = sqlx::query_as(
        "SELECT state FROM ticket_presence \
         WHERE org_id = $1 AND ticket_id = $2 AND user_id = $3",
    )
    .bind(org_id)
    .bind(ticket_id)
    .bind(user_id)
    .fetch_optional(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO ticket_presence (org_id, ticket_id, user_id, state, seen_at) \
         VALUES ($1, $2, $3, $4, now()) \
         ON CONFLICT (org_id, ticket_id, user_id) \
         DO UPDATE SET state = EXCLUDED.state, seen_at = EXCLUDED.seen_at",
    )
    .bind(org_id)
    .bind(ticket_id)
    .bind(user_id)
    .bind(state)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(before.map(|(s,)| s).as_deref() != Some(state))
}

/// Removes `user_id` from the ticket (the page was closed). Answers whether there was an entry.
pub async fn leave(
    pool: &PgPool,
    org_id: Uuid,
    ticket_id: Uuid,
    user_id: Uuid,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "DELETE FROM ticket_presence WHERE org_id = $1 AND ticket_id = $2 AND user_id = $3",
    )
    .bind(org_id)
    .bind(ticket_id)
    .bind(user_id)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Everyone currently on the ticket (unexpired), replying first, then by name.
pub async fn on_ticket(
    pool: &PgPool,
    org_id: Uuid,
    ticket_id: Uuid,
) -> Result<Vec<Presence>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.user_id, u.name, p.state, p.seen_at FROM ticket_presence p \
         JOIN users u ON u.org_id = p.org_id AND u.id = p.user_id \
         WHERE p.org_id = $1 AND p.ticket_id = $2 \
         AND p.seen_at >= now() - make_interval(secs => $3) \
         ORDER BY p.state = 'viewing', lower(u.name), p.user_id",
    )
    .bind(org_id)
    .bind(ticket_id)
    .bind(TTL_SECS as f64)
    .fetch_all(pool)
    .await
}
