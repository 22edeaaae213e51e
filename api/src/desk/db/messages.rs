//! Ticket messages: public replies and internal notes.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// A reply or note.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TicketMessage {
    /// Id.
    pub id: Uuid,
    /// Ticket it belongs to.
    pub ticket_id: Uuid,
    /// `reply` (public) or `note` (internal).
    pub kind: String,
    /// Text.
    pub body: String,
    /// Author (a user), if any.
    pub author_id: Option<Uuid>,
    /// Author address (e-mail messages).
    pub author_email: Option<String>,
    /// Written by the customer side.
    pub from_customer: bool,
    /// Mentioned users.
    pub mentions: Vec<Uuid>,
    /// The ticket it was moved from by a merge.
    pub moved_from_id: Option<Uuid>,
    /// Written.
    pub created_at: DateTime<Utc>,
}

/// What a new message carries.
pub struct NewMessage<'a> {
    /// Ticket.
    pub ticket_id: Uuid,
    /// `reply` or `note`.
    pub kind: &'a str,
    /// Text.
    pub body: &'a str,
    /// Author.
    pub author_id: Option<Uuid>,
    /// Written by the customer side.
    pub from_customer: bool,
    /// Mentioned users.
    pub mentions: &'a [Uuid],
}

/// Adds a message.
pub async fn insert(
    conn: &mut PgConnection,
    org_id: Uuid,
    m: &NewMessage<'_>,
) -> Result<TicketMessage, sqlx::Error> {
    sqlx::query_as(
        "INSERT INTO ticket_messages (org_id, ticket_id, kind, body, author_id, from_customer, mentions) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *",
    )
    .bind(org_id)
    .bind(m.ticket_id)
    .bind(m.kind)
    .bind(m.body)
    .bind(m.author_id)
    .bind(m.from_customer)
    .bind(m.mentions)
    .fetch_one(conn)
    .await
}

/// A ticket's messages, oldest first; internal notes only when `with_notes`.
pub async fn list(
    pool: &PgPool,
    org_id: Uuid,
    ticket_id: Uuid,
    with_notes: bool,
) -> Result<Vec<TicketMessage>, sqlx::Error> {
    sqlx::query_as(
        "SELECT * FROM ticket_messages WHERE org_id = $1 AND ticket_id = $2 \
         AND ($3 OR kind = 'reply') ORDER BY created_at, id",
    )
    .bind(org_id)
    .bind(ticket_id)
    .bind(with_notes)
    .fetch_all(pool)
    .await
}

/// One message of a ticket, locked.
pub async fn lock(
    conn: &mut PgConnection,
    org_id: Uuid,
    ticket_id: Uuid,
    id: Uuid,
) -> Result<Option<TicketMessage>, sqlx::Error> {
    sqlx::query_as(
        "SELECT * FROM ticket_messages WHERE org_id = $1 AND ticket_id = $2 AND id = $3 FOR UPDATE",
    )
    .bind(org_id)
    .bind(ticket_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Moves every message of `from` to `to` (a merge), remembering where they came from.
pub async fn move_all(
    conn: &mut PgConnection,
    org_id: Uuid,
    from: Uuid,
    to: Uuid,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE ticket_messages SET ticket_id = $3, moved_from_id = COALESCE(moved_from_id, $2) \
         WHERE org_id = $1 AND ticket_id = $2",
    )
    .bind(org_id)
    .bind(from)
    .bind(to)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// The ids of active users of the organisation whose e-mail local part is one of `handles`.
pub async fn resolve_mentions(
    conn: &mut PgConnection,
    org_id: Uuid,
    handles: &[String],
) -> Result<Vec<Uuid>, sqlx::Error> {
    if handles.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(Uuid,)> = sqlx::query_as(
        "SELECT id FROM users WHERE org_id = $1 AND active AND role <> 'customer' \
         AND lower(split_part(email, '@', 1)) = ANY($2) ORDER BY email",
    )
    .bind(org_id)
    .bind(handles)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}
