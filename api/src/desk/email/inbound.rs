//! Inbound mail → tickets, in one transaction per message:
//! 1. a Message-ID seen before is answered as a duplicate (idempotent; our own outbound ids
//!    coming back are loops);
//! 2. machine-written mail (auto-replies, bounces, bulk) and mail from our own address is
//!    logged as ignored;
//! 3. a reply whose In-Reply-To / References name a logged message joins that ticket (following
//!    merges); else a subject naming a ticket number (`[TK-000042]`) joins it when the sender
//!    is that ticket's requester;
//! 4. otherwise, or when that ticket is closed, a new e-mail ticket opens, its requester the
//!    customer with the sender's address if there is one. The sender is acknowledged with the
//!    `ticket_created` template.
//!
//! Attachments go to the attachment store and are linked to the e-mail and ticket.

use super::log::{self, NewEmail};
use super::parse::{self, InboundMail};
use super::{outbound, settings, threading};
use crate::db::activity::{self, Change};
use crate::desk::lifecycle::{self, Actor};
use crate::desk::ticket::{NewTicket, Ticket};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use object_store::path::Path as StorePath;
use object_store::PutPayload;
use serde::Serialize;
use serde_json::{json, Map};
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use uuid::Uuid;

/// Longest text kept from one e-mail (the ticket message limit).
const MAX_BODY_CHARS: usize = 50_000;

/// What became of an inbound message.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Outcome {
    /// `created`, `threaded`, `ignored` or `duplicate`.
    pub outcome: &'static str,
    /// The message's Message-ID.
    pub message_id: String,
    /// The ticket it opened or joined.
    pub ticket_id: Option<Uuid>,
    /// That ticket's number.
    pub ticket_number: Option<String>,
    /// Why it was ignored.
    pub reason: Option<String>,
    /// Attachments kept.
    pub attachments: usize,
}

/// Processes one raw RFC 5322 message for an organisation; `source` is `http` or `imap`.
pub async fn process(st: &AppState, org_id: Uuid, raw: &[u8], source: &str) -> ApiResult<Outcome> {
    let mail = parse::parse(raw)
        .ok_or_else(|| ApiError::validation("body", "the body is not an RFC 5322 message"))?;
    let mut tx = st.db.begin().await?;
    // Two deliveries of one message at once (IMAP and a gateway) serialise here.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind(format!("desk-email/{org_id}/{}", mail.message_id))
        .execute(&mut *tx)
        .await?;
    let outcome = match log::by_message_id(&mut tx, org_id, &mail.message_id).await? {
        Some(seen) => Outcome {
            outcome: "duplicate",
            message_id: mail.message_id.clone(),
            ticket_id: seen.ticket_id,
            ticket_number: None,
            reason: (seen.direction == "outbound").then(|| "own_message".to_string()),
            attachments: 0,
        },
        None => accept(st, &mut tx, org_id, &mail, source).await?,
    };
    tx.commit().await?;
    Ok(outcome)
}

async fn accept(
    st: &AppState,
    conn: &mut PgConnection,
    org_id: Uuid,
    mail: &InboundMail,
    source: &str,
) -> ApiResult<Outcome> {
    let cfg = settings::get(&mut *conn, org_id).await?;
    let own = |a: &str| {
        cfg.as_ref()
            .is_some_and(|c| c.support_address == a || c.reply_to.as_deref() == Some(a))
    };
    let ignored = mail
        .automatic
        .map(str::to_string)
        .or_else(|| match &mail.from_address {
            None => Some("no_sender".into()),
            Some(a) if own(a) => Some("own_address".into()),
            Some(_) => None,
        });
    let mut entry = NewEmail {
        direction: "inbound",
        message_id: &mail.message_id,
        ticket_id: None,
        ticket_message_id: None,
        disposition: "ignored",
        reason: ignored.as_deref(),
        source,
        from_address: mail.from_address.as_deref(),
        subject: Some(&mail.subject),
        in_reply_to: mail.in_reply_to.first().map(String::as_str),
    };
    let mut outcome = Outcome {
        outcome: "ignored",
        message_id: mail.message_id.clone(),
        ticket_id: None,
        ticket_number: None,
        reason: ignored.clone(),
        attachments: 0,
    };
    let Some(from) = mail.from_address.as_deref().filter(|_| ignored.is_none()) else {
        log::insert(conn, org_id, &entry).await?;
        return Ok(outcome);
    };
    let actor = Actor {
        org_id,
        user_id: None,
        customer: true,
        now: chrono::Utc::now(),
    };
    let (ticket, message_id) = match thread_target(conn, org_id, mail, from).await? {
        Some(before) => {
            let mut body: String = threading::strip_quoted(&mail.body)
                .chars()
                .take(MAX_BODY_CHARS)
                .collect();
            if body.trim().is_empty() {
                body = "(no text)".into();
            }
            let (t, m) = lifecycle::add_message(conn, &actor, before, "reply", &body).await?;
            sqlx::query(
                "UPDATE ticket_messages SET author_email = $3, email_message_id = $4 \
                 WHERE org_id = $1 AND id = $2",
            )
            .bind(org_id)
            .bind(m.id)
            .bind(from)
            .bind(&mail.message_id)
            .execute(&mut *conn)
            .await?;
            outcome.outcome = "threaded";
            (t, Some(m.id))
        }
        None => {
            let t = open_ticket(conn, &actor, mail, from).await?;
            outcome.outcome = "created";
            (t, None)
        }
    };
    entry.ticket_id = Some(ticket.id);
    entry.ticket_message_id = message_id;
    entry.disposition = outcome.outcome;
    let email_id = log::insert(conn, org_id, &entry).await?;
    outcome.attachments = keep_files(st, conn, org_id, email_id, ticket.id, mail).await?;
    if outcome.outcome == "created" {
        let public_url = st.config.public_url.as_deref();
        outbound::enqueue(conn, org_id, &ticket, "ticket_created", None, public_url).await?;
    }
    outcome.ticket_id = Some(ticket.id);
    outcome.ticket_number = Some(ticket.number);
    Ok(outcome)
}

/// The open ticket a reply belongs to, locked; None for a new conversation.
async fn thread_target(
    conn: &mut PgConnection,
    org_id: Uuid,
    mail: &InboundMail,
    from: &str,
) -> ApiResult<Option<Ticket>> {
    let mut ids = mail.in_reply_to.clone();
    ids.extend(mail.references.iter().rev().cloned());
    let mut found = log::ticket_of_any(conn, org_id, &ids).await?;
    if found.is_none() {
        if let Some(seq) = threading::subject_ticket_seq(&mail.subject) {
            // A number alone is guessable: only the ticket's own requester may join it so.
            let row: Option<(Uuid,)> = sqlx::query_as(
                "SELECT t.id FROM tickets t LEFT JOIN customers c \
                   ON c.org_id = t.org_id AND c.id = t.requester_id \
                 WHERE t.org_id = $1 AND t.seq = $2 \
                   AND (lower(t.requester_email) = $3 OR lower(c.email) = $3)",
            )
            .bind(org_id)
            .bind(seq)
            .bind(from)
            .fetch_optional(&mut *conn)
            .await?;
            found = row.map(|r| r.0);
        }
    }
    // Follow merges to the surviving ticket (bounded, in case of a broken chain).
    for _ in 0..10 {
        let Some(id) = found else { return Ok(None) };
        let t = lifecycle::lock(conn, org_id, id, None).await?;
        match t.merged_into_id {
            Some(next) => found = Some(next),
            None if t.status_type == "closed" => return Ok(None),
            None => return Ok(Some(t)),
        }
    }
    Ok(None)
}

/// A new e-mail ticket from `mail`.
async fn open_ticket(
    conn: &mut PgConnection,
    actor: &Actor,
    mail: &InboundMail,
    from: &str,
) -> ApiResult<Ticket> {
    let requester: Option<(Uuid,)> = sqlx::query_as(
        "SELECT id FROM customers WHERE org_id = $1 AND lower(email) = $2 \
         UNION ALL SELECT customer_id FROM users WHERE org_id = $1 AND lower(email) = $2 \
           AND role = 'customer' AND customer_id IS NOT NULL LIMIT 1",
    )
    .bind(actor.org_id)
    .bind(from)
    .fetch_optional(&mut *conn)
    .await?;
    let subject: String = mail.subject.chars().take(300).collect();
    let description: String = mail.body.trim().chars().take(MAX_BODY_CHARS).collect();
    let input = NewTicket {
        subject: if subject.trim().is_empty() {
            "(no subject)".into()
        } else {
            subject
        },
        description,
        status: None,
        priority: None,
        category: None,
        channel: Some("email".into()),
        requester_id: requester.map(|r| r.0),
        requester_email: Some(from.to_string()),
        assignee_id: None,
        team_id: None,
        tags: Vec::new(),
        custom_fields: Map::new(),
        parent_id: None,
    };
    lifecycle::create(conn, actor, input).await
}

/// Stores the attachments of `mail`; answers how many.
async fn keep_files(
    st: &AppState,
    conn: &mut PgConnection,
    org_id: Uuid,
    email_id: Uuid,
    ticket_id: Uuid,
    mail: &InboundMail,
) -> ApiResult<usize> {
    for file in &mail.files {
        let id = Uuid::new_v4();
        let key = StorePath::from(format!("{org_id}/{id}"));
        let row: (serde_json::Value,) = sqlx::query_as(
            "INSERT INTO attachments (id, org_id, filename, content_type, size_bytes, sha256, object_key) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING to_jsonb(attachments.*) - 'org_id'",
        )
        .bind(id)
        .bind(org_id)
        .bind(&file.filename)
        .bind(&file.content_type)
        .bind(file.bytes.len() as i64)
        .bind(format!("{:x}", Sha256::digest(&file.bytes)))
        .bind(key.to_string())
        .fetch_one(&mut *conn)
        .await?;
        sqlx::query(
            "INSERT INTO desk_email_attachments (org_id, email_id, attachment_id, ticket_id) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(org_id)
        .bind(email_id)
        .bind(id)
        .bind(ticket_id)
        .execute(&mut *conn)
        .await?;
        st.store
            .put(&key, PutPayload::from(file.bytes.clone()))
            .await
            .map_err(ApiError::internal)?;
        let after = json!({"attachment": row.0, "ticket_id": ticket_id, "email_id": email_id});
        activity::record(
            conn,
            Change {
                org_id,
                actor_id: None,
                entity: "attachment",
                entity_id: id,
                action: "upload",
                before: None,
                after: Some(&after),
            },
        )
        .await?;
    }
    Ok(mail.files.len())
}
