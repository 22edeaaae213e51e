//! The e-mail log (`desk_email_messages`): every Message-ID received or sent per organisation,
//! which ticket and message it belongs to, and what became of it. Threading and idempotence
//! are lookups here.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// A logged e-mail.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct EmailRecord {
    /// Id.
    pub id: Uuid,
    /// `inbound` or `outbound`.
    pub direction: String,
    /// Message-ID (without brackets).
    pub message_id: String,
    /// Ticket.
    pub ticket_id: Option<Uuid>,
    /// Ticket message it became or came from.
    pub ticket_message_id: Option<Uuid>,
    /// `created`, `threaded`, `ignored` (inbound); `queued`, `sent`, `failed` (outbound).
    pub disposition: String,
    /// Why it was ignored or failed.
    pub reason: Option<String>,
    /// `http`, `imap` or `outbox`.
    pub source: String,
    /// Sender.
    pub from_address: Option<String>,
    /// Subject.
    pub subject: Option<String>,
    /// In-Reply-To.
    pub in_reply_to: Option<String>,
    /// Logged.
    pub created_at: DateTime<Utc>,
}

/// What a new log entry carries.
pub struct NewEmail<'a> {
    /// `inbound` or `outbound`.
    pub direction: &'a str,
    /// Message-ID.
    pub message_id: &'a str,
    /// Ticket.
    pub ticket_id: Option<Uuid>,
    /// Ticket message.
    pub ticket_message_id: Option<Uuid>,
    /// Disposition.
    pub disposition: &'a str,
    /// Reason.
    pub reason: Option<&'a str>,
    /// Source.
    pub source: &'a str,
    /// Sender.
    pub from_address: Option<&'a str>,
    /// Subject.
    pub subject: Option<&'a str>,
    /// In-Reply-To.
    pub in_reply_to: Option<&'a str>,
}

/// Adds an entry; answers its id. `clock_timestamp()`, not `now()`: entries written in one
/// transaction (a message and its acknowledgement) must keep their order.
pub async fn insert(
    conn: &mut PgConnection,
    org_id: Uuid,
    e: &NewEmail<'_>,
) -> Result<Uuid, sqlx::Error> {
    let (id,): (Uuid,) = sqlx::query_as(
        "INSERT INTO desk_email_messages (org_id, direction, message_id, ticket_id, \
         ticket_message_id, disposition, reason, source, from_address, subject, in_reply_to, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, clock_timestamp()) \
         RETURNING id",
    )
    .bind(org_id)
    .bind(e.direction)
    .bind(e.message_id)
    .bind(e.ticket_id)
    .bind(e.ticket_message_id)
    .bind(e.disposition)
    .bind(e.reason)
    .bind(e.source)
    .bind(e.from_address)
    .bind(e.subject)
    .bind(e.in_reply_to)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// The entry with this Message-ID, if any.
pub async fn by_message_id(
    conn: &mut PgConnection,
    org_id: Uuid,
    message_id: &str,
) -> Result<Option<EmailRecord>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, direction, message_id, ticket_id, ticket_message_id, disposition, reason, \
         source, from_address, subject, in_reply_to, created_at \
         FROM desk_email_messages WHERE org_id = $1 AND message_id = $2",
    )
    .bind(org_id)
    .bind(message_id)
    .fetch_optional(conn)
    .await
}

/// The ticket of the newest logged message among `ids` (a reply's In-Reply-To + References).
pub async fn ticket_of_any(
    conn: &mut PgConnection,
    org_id: Uuid,
    ids: &[String],
) -> Result<Option<Uuid>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(None);
    }
    let row: Option<(Uuid,)> = sqlx::query_as(
        "SELECT ticket_id FROM desk_email_messages WHERE org_id = $1 AND message_id = ANY($2) \
         AND ticket_id IS NOT NULL ORDER BY created_at DESC, id LIMIT 1",
    )
    .bind(org_id)
    .bind(ids)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| r.0))
}

/// The Message-IDs of a ticket's conversation (including tickets merged into it), oldest
/// first, without ignored mail.
pub async fn thread_ids(
    conn: &mut PgConnection,
    org_id: Uuid,
    ticket_id: Uuid,
) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT message_id FROM desk_email_messages WHERE org_id = $1 AND disposition <> 'ignored' \
         AND (ticket_id = $2 OR ticket_id IN \
              (SELECT id FROM tickets WHERE org_id = $1 AND merged_into_id = $2)) \
         ORDER BY created_at, id",
    )
    .bind(org_id)
    .bind(ticket_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Marks an outbound entry sent or failed.
pub async fn set_disposition(
    pool: &PgPool,
    org_id: Uuid,
    message_id: &str,
    disposition: &str,
    reason: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE desk_email_messages SET disposition = $3, reason = $4 \
         WHERE org_id = $1 AND message_id = $2",
    )
    .bind(org_id)
    .bind(message_id)
    .bind(disposition)
    .bind(reason)
    .execute(pool)
    .await?;
    Ok(())
}

/// A ticket's e-mails with the attachments they brought, oldest first.
pub async fn for_ticket(
    pool: &PgPool,
    org_id: Uuid,
    ticket_id: Uuid,
) -> Result<Vec<serde_json::Value>, sqlx::Error> {
    let rows: Vec<(serde_json::Value,)> = sqlx::query_as(
        "SELECT to_jsonb(m) - 'org_id' || jsonb_build_object('attachments', COALESCE(( \
           SELECT jsonb_agg(jsonb_build_object('id', a.id, 'filename', a.filename, \
             'content_type', a.content_type, 'size_bytes', a.size_bytes, 'sha256', a.sha256) \
             ORDER BY a.created_at, a.filename) \
           FROM desk_email_attachments l JOIN attachments a \
             ON a.org_id = l.org_id AND a.id = l.attachment_id \
           WHERE l.org_id = m.org_id AND l.email_id = m.id), '[]'::jsonb)) \
         FROM desk_email_messages m WHERE m.org_id = $1 AND m.ticket_id = $2 \
         ORDER BY m.created_at, m.id",
    )
    .bind(org_id)
    .bind(ticket_id)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}
