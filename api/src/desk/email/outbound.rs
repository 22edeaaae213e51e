//! Queuing notifications: inside the caller's transaction a rendered e-mail goes into the
//! outbox with its threading headers (a new Message-ID, In-Reply-To the latest message of the
//! conversation, References the chain) and its Message-ID into the e-mail log. Nothing is
//! queued when the organisation has no mail settings or the ticket has no requester address.
//! `pg_notify` wakes the sender once the transaction commits. The "resolved" e-mail carries a
//! fresh satisfaction-survey link (`{{ survey_url }}`) built on the service's public URL.

use super::log::{self, NewEmail};
use super::settings;
use super::templates::{self, Rendered};
use super::threading;
use crate::desk::db::messages::TicketMessage;
use crate::desk::lifecycle::Actor;
use crate::desk::survey;
use crate::desk::ticket::Ticket;
use crate::error::ApiResult;
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

/// The channel the sender listens on.
pub const NOTIFY_CHANNEL: &str = "desk_email_outbox";

/// Hook for `lifecycle::add_message`: an office user's public reply is mailed to the requester.
pub async fn on_message(
    conn: &mut PgConnection,
    actor: &Actor,
    ticket: &Ticket,
    message: &TicketMessage,
) -> ApiResult<()> {
    if message.kind != "reply" || actor.customer || message.from_customer {
        return Ok(());
    }
    enqueue(
        conn,
        actor.org_id,
        ticket,
        "agent_replied",
        Some(message),
        None,
    )
    .await
}

/// Hook for `lifecycle::update`: entering a resolved status mails the requester, with a survey
/// link on `public_url` (the service's public base URL) when it is known.
pub async fn on_update(
    conn: &mut PgConnection,
    actor: &Actor,
    public_url: Option<&str>,
    before: &Ticket,
    after: &Ticket,
) -> ApiResult<()> {
    if after.status_type == "resolved" && before.status_type != "resolved" {
        enqueue(
            conn,
            actor.org_id,
            after,
            "ticket_resolved",
            None,
            public_url,
        )
        .await?;
    }
    Ok(())
}

/// A new survey link for the resolved e-mail: none while the survey is not open or already
/// answered, or when the service does not know its public URL (then it says so once).
async fn survey_url(
    conn: &mut PgConnection,
    org_id: Uuid,
    t: &Ticket,
    public_url: Option<&str>,
) -> ApiResult<Option<String>> {
    static UNKNOWN_BASE: std::sync::Once = std::sync::Once::new();
    let Some(base) = public_url else {
        UNKNOWN_BASE.call_once(|| {
            tracing::warn!(
                "FIELDPATH_PUBLIC_URL is not set: \"resolved\" e-mails go without a survey link"
            )
        });
        return Ok(None);
    };
    if !survey::open_for(t) || survey::of_ticket(&mut *conn, org_id, t.id).await?.is_some() {
        return Ok(None);
    }
    let token = survey::issue_link(&mut *conn, org_id, t.id).await?;
    Ok(Some(survey::link_url(base, &token)))
}

/// Who gets the ticket's mail: its requester address, else the requester customer's address.
async fn recipient(
    conn: &mut PgConnection,
    org_id: Uuid,
    t: &Ticket,
) -> ApiResult<Option<(String, String)>> {
    let customer: Option<(String, Option<String>)> = match t.requester_id {
        Some(id) => {
            sqlx::query_as("SELECT name, email FROM customers WHERE org_id = $1 AND id = $2")
                .bind(org_id)
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?
        }
        None => None,
    };
    let address = t
        .requester_email
        .clone()
        .or_else(|| customer.as_ref().and_then(|c| c.1.clone()))
        .map(|a| a.trim().to_lowercase())
        .filter(|a| settings::check_address("to", a).is_ok());
    let name = customer
        .map(|c| c.0)
        .or_else(|| {
            address
                .as_ref()
                .map(|a| a.split('@').next().unwrap_or_default().to_string())
        })
        .unwrap_or_default();
    Ok(address.map(|a| (a, name)))
}

/// Renders and queues the `kind` e-mail about `t` (with `message` for replies and creations;
/// `public_url`, the service's public base URL, for the survey link of `ticket_resolved`).
pub async fn enqueue(
    conn: &mut PgConnection,
    org_id: Uuid,
    t: &Ticket,
    kind: &str,
    message: Option<&TicketMessage>,
    public_url: Option<&str>,
) -> ApiResult<()> {
    let Some(cfg) = settings::get(&mut *conn, org_id).await? else {
        return Ok(());
    };
    let Some((to, requester_name)) = recipient(conn, org_id, t).await? else {
        return Ok(());
    };
    if to == cfg.support_address || Some(&to) == cfg.reply_to.as_ref() {
        return Ok(());
    }
    let agent_name: Option<(String,)> = match message.and_then(|m| m.author_id) {
        Some(id) => {
            sqlx::query_as("SELECT name FROM users WHERE org_id = $1 AND id = $2")
                .bind(org_id)
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?
        }
        None => None,
    };
    let (org_name,): (String,) = sqlx::query_as("SELECT name FROM organisations WHERE id = $1")
        .bind(org_id)
        .fetch_one(&mut *conn)
        .await?;
    let body = message
        .map(|m| m.body.clone())
        .unwrap_or_else(|| t.description.clone());
    let survey_url = match kind {
        "ticket_resolved" => survey_url(conn, org_id, t, public_url).await?,
        _ => None,
    };
    let context = json!({
        "ticket": {"number": t.number, "subject": t.subject, "status": t.status,
                   "priority": t.priority, "id": t.id},
        "requester": {"name": requester_name, "email": to},
        "message": {"body": body},
        "agent": {"name": agent_name.map(|a| a.0).unwrap_or_else(|| cfg.support_name.clone())},
        "organisation": {"name": org_name},
        "portal_url": cfg.portal_url,
        "survey_url": survey_url,
    });
    let template = templates::effective(&mut *conn, org_id, kind).await?;
    let Rendered { subject, body } = match templates::render(&template, &context, &t.number) {
        Ok(r) => r,
        Err(e) => {
            // A saved template is checked against every placeholder; if one still fails the
            // customer gets the default rather than nothing.
            tracing::warn!(%org_id, kind, error = %e.message, "template failed; using the default");
            let fallback = templates::default_template(kind).unwrap_or(template);
            templates::render(&fallback, &context, &t.number)?
        }
    };
    let thread = log::thread_ids(&mut *conn, org_id, t.id).await?;
    let references = threading::references(&thread);
    let in_reply_to = thread.last().cloned();
    let message_id = threading::new_message_id(&t.number, &cfg.support_address);
    sqlx::query(
        "INSERT INTO desk_email_outbox (org_id, ticket_id, ticket_message_id, template, message_id, \
         in_reply_to, \"references\", from_address, from_name, reply_to, to_address, subject, body, \
         auto_generated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(org_id)
    .bind(t.id)
    .bind(message.map(|m| m.id))
    .bind(kind)
    .bind(&message_id)
    .bind(&in_reply_to)
    .bind(&references)
    .bind(&cfg.support_address)
    .bind(&cfg.support_name)
    .bind(&cfg.reply_to)
    .bind(&to)
    .bind(&subject)
    .bind(&body)
    .bind(kind != "agent_replied")
    .execute(&mut *conn)
    .await?;
    log::insert(
        conn,
        org_id,
        &NewEmail {
            direction: "outbound",
            message_id: &message_id,
            ticket_id: Some(t.id),
            ticket_message_id: message.map(|m| m.id),
            disposition: "queued",
            reason: None,
            source: "outbox",
            from_address: Some(&cfg.support_address),
            subject: Some(&subject),
            in_reply_to: in_reply_to.as_deref(),
        },
    )
    .await?;
    sqlx::query("SELECT pg_notify($1, '')")
        .bind(NOTIFY_CHANNEL)
        .execute(conn)
        .await?;
    Ok(())
}
