//! The outbox sender: claims due e-mails (`FOR UPDATE SKIP LOCKED`, with a lease so a crashed
//! sender's mail is picked up again), delivers them over SMTP with lettre on tokio, and records
//! the outcome: `sent` with the server's answer, a retry with exponential backoff after a
//! transient failure, or `failed` after a permanent one or too many attempts.

use super::log;
use super::outbound::NOTIFY_CHANNEL;
use super::settings::{self, EmailSettings};
use chrono::{DateTime, Utc};
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Serialize;
use sqlx::PgPool;
use std::time::Duration;
use uuid::Uuid;

/// Attempts before an e-mail is given up.
pub const MAX_ATTEMPTS: i32 = 8;
/// E-mails claimed per round.
const BATCH: i64 = 20;

/// An e-mail in the outbox.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct OutboxEmail {
    /// Id.
    pub id: Uuid,
    /// Organisation.
    #[serde(skip)]
    pub org_id: Uuid,
    /// Ticket.
    pub ticket_id: Uuid,
    /// Ticket message (replies).
    pub ticket_message_id: Option<Uuid>,
    /// Template kind.
    pub template: String,
    /// Message-ID.
    pub message_id: String,
    /// In-Reply-To.
    pub in_reply_to: Option<String>,
    /// References.
    pub references: Vec<String>,
    /// From address.
    pub from_address: String,
    /// From display name.
    pub from_name: String,
    /// Reply-To.
    pub reply_to: Option<String>,
    /// Recipient.
    pub to_address: String,
    /// Subject.
    pub subject: String,
    /// Body.
    pub body: String,
    /// Sent with `Auto-Submitted: auto-generated` (notifications, not agents' replies).
    pub auto_generated: bool,
    /// `queued`, `sending`, `sent` or `failed`.
    pub status: String,
    /// Delivery attempts so far.
    pub attempts: i32,
    /// Next attempt.
    pub next_attempt_at: DateTime<Utc>,
    /// Last error.
    pub last_error: Option<String>,
    /// The SMTP server's answer on success.
    pub smtp_response: Option<String>,
    /// Delivered.
    pub sent_at: Option<DateTime<Utc>>,
    /// Queued.
    pub created_at: DateTime<Utc>,
}

/// What one round did.
#[derive(Debug, Default, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct DrainReport {
    /// Delivered.
    pub sent: usize,
    /// To be tried again later.
    pub retried: usize,
    /// Given up.
    pub failed: usize,
}

/// Wait before attempt `attempts + 1`: 30 s doubling per attempt, at most an hour.
pub fn backoff(attempts: i32) -> Duration {
    let exp = attempts.clamp(1, 8) as u32 - 1;
    Duration::from_secs((30u64 << exp).min(3600))
}

async fn claim(pool: &PgPool) -> Result<Vec<OutboxEmail>, sqlx::Error> {
    sqlx::query_as(
        "UPDATE desk_email_outbox SET status = 'sending', attempts = attempts + 1, \
           locked_until = now() + interval '5 minutes', updated_at = now() \
         WHERE id IN (SELECT id FROM desk_email_outbox \
           WHERE (status = 'queued' AND next_attempt_at <= now()) \
              OR (status = 'sending' AND locked_until < now()) \
           ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED) \
         RETURNING *",
    )
    .bind(BATCH)
    .fetch_all(pool)
    .await
}

/// The SMTP transport of an organisation's settings (None while no relay is configured).
fn transport(cfg: &EmailSettings) -> Result<Option<AsyncSmtpTransport<Tokio1Executor>>, String> {
    let Some(host) = cfg.smtp_host.as_deref().filter(|h| !h.trim().is_empty()) else {
        return Ok(None);
    };
    let (builder, default_port) = match cfg.smtp_security.as_str() {
        "none" => (
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
            25,
        ),
        "tls" => (
            AsyncSmtpTransport::<Tokio1Executor>::relay(host).map_err(|e| e.to_string())?,
            465,
        ),
        _ => (
            AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                .map_err(|e| e.to_string())?,
            587,
        ),
    };
    let port = cfg
        .smtp_port
        .and_then(|p| u16::try_from(p).ok())
        .unwrap_or(default_port);
    let mut builder = builder.port(port).timeout(Some(Duration::from_secs(30)));
    if let Some(user) = &cfg.smtp_username {
        builder = builder.credentials(Credentials::new(
            user.clone(),
            cfg.smtp_password.clone().unwrap_or_default(),
        ));
    }
    Ok(Some(builder.build()))
}

/// The RFC 5322 message of an outbox row.
pub fn build_message(e: &OutboxEmail) -> Result<Message, String> {
    let mailbox = |name: &str, address: &str| -> Result<Mailbox, String> {
        let address = address
            .parse()
            .map_err(|err| format!("address {address}: {err}"))?;
        Ok(Mailbox::new(
            (!name.is_empty()).then(|| name.to_string()),
            address,
        ))
    };
    let mut builder = Message::builder()
        .from(mailbox(&e.from_name, &e.from_address)?)
        .reply_to(mailbox(
            &e.from_name,
            e.reply_to.as_deref().unwrap_or(&e.from_address),
        )?)
        .to(mailbox("", &e.to_address)?)
        .subject(e.subject.clone())
        .message_id(Some(format!("<{}>", e.message_id)))
        .date_now()
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("X-Fieldpath-Ticket"),
            e.ticket_id.to_string(),
        ));
    if let Some(parent) = &e.in_reply_to {
        builder = builder.in_reply_to(format!("<{parent}>"));
    }
    if !e.references.is_empty() {
        let chain: Vec<String> = e.references.iter().map(|r| format!("<{r}>")).collect();
        builder = builder.references(chain.join(" "));
    }
    if e.auto_generated {
        // RFC 3834: tells the customer's autoresponder not to answer a notification.
        builder = builder.raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-generated".into(),
        ));
    }
    builder
        .header(ContentType::TEXT_PLAIN)
        .body(e.body.clone())
        .map_err(|err| err.to_string())
}

enum Outcome {
    Sent(String),
    Retry(String),
    Failed(String),
    /// Not configured: keep queued without spending an attempt.
    Wait(String),
}

async fn deliver(pool: &PgPool, e: &OutboxEmail) -> Outcome {
    let cfg = match pool.acquire().await {
        Ok(mut conn) => settings::get(&mut conn, e.org_id).await,
        Err(err) => Err(err),
    };
    let cfg = match cfg {
        Ok(Some(cfg)) => cfg,
        Ok(None) => return Outcome::Wait("the organisation has no mail settings".into()),
        Err(err) => return Outcome::Retry(format!("database: {err}")),
    };
    let transport = match transport(&cfg) {
        Ok(Some(t)) => t,
        Ok(None) => return Outcome::Wait("no SMTP relay is configured".into()),
        Err(err) => return Outcome::Retry(format!("SMTP settings: {err}")),
    };
    let message = match build_message(e) {
        Ok(m) => m,
        Err(err) => return Outcome::Failed(err),
    };
    match transport.send(message).await {
        Ok(response) => Outcome::Sent(
            format!(
                "{} {}",
                response.code(),
                response.message().collect::<Vec<_>>().join(" ")
            )
            .trim()
            .to_string(),
        ),
        Err(err) if err.is_permanent() => Outcome::Failed(err.to_string()),
        Err(err) => Outcome::Retry(err.to_string()),
    }
}

async fn record(pool: &PgPool, e: &OutboxEmail, outcome: &Outcome) -> Result<(), sqlx::Error> {
    let (status, error, response, delay, refund): (
        &str,
        Option<&str>,
        Option<&str>,
        Duration,
        i32,
    ) = match outcome {
        Outcome::Sent(r) => ("sent", None, Some(r), Duration::ZERO, 0),
        Outcome::Retry(err) if e.attempts < MAX_ATTEMPTS => {
            ("queued", Some(err), None, backoff(e.attempts), 0)
        }
        Outcome::Retry(err) | Outcome::Failed(err) => {
            ("failed", Some(err), None, Duration::ZERO, 0)
        }
        Outcome::Wait(err) => ("queued", Some(err), None, Duration::from_secs(300), 1),
    };
    sqlx::query(
        "UPDATE desk_email_outbox SET status = $3, last_error = $4, smtp_response = $5, \
           next_attempt_at = now() + make_interval(secs => $6), attempts = attempts - $7, \
           locked_until = NULL, sent_at = CASE WHEN $3 = 'sent' THEN now() END, updated_at = now() \
         WHERE org_id = $1 AND id = $2",
    )
    .bind(e.org_id)
    .bind(e.id)
    .bind(status)
    .bind(error)
    .bind(response)
    .bind(delay.as_secs_f64())
    .bind(refund)
    .execute(pool)
    .await?;
    if status != "queued" {
        log::set_disposition(pool, e.org_id, &e.message_id, status, error).await?;
    }
    Ok(())
}

/// Sends every e-mail that is due now (all organisations); answers what happened.
pub async fn drain_once(pool: &PgPool) -> Result<DrainReport, sqlx::Error> {
    let mut report = DrainReport::default();
    loop {
        let batch = claim(pool).await?;
        if batch.is_empty() {
            return Ok(report);
        }
        for e in &batch {
            let outcome = deliver(pool, e).await;
            match &outcome {
                Outcome::Sent(_) => report.sent += 1,
                Outcome::Retry(_) if e.attempts < MAX_ATTEMPTS => report.retried += 1,
                Outcome::Wait(_) => report.retried += 1,
                Outcome::Retry(err) | Outcome::Failed(err) => {
                    tracing::warn!(org_id = %e.org_id, id = %e.id, error = %err, "e-mail not delivered");
                    report.failed += 1;
                }
            }
            record(pool, e, &outcome).await?;
        }
        if batch.len() < BATCH as usize {
            return Ok(report);
        }
    }
}

/// The organisation's outbox, newest first, optionally by status.
pub async fn list(
    pool: &PgPool,
    org_id: Uuid,
    status: Option<&str>,
    limit: i64,
) -> Result<Vec<OutboxEmail>, sqlx::Error> {
    sqlx::query_as(
        "SELECT * FROM desk_email_outbox WHERE org_id = $1 AND ($2::text IS NULL OR status = $2) \
         ORDER BY created_at DESC, id LIMIT $3",
    )
    .bind(org_id)
    .bind(status)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// Runs the sender forever: a round whenever a transaction queues mail (`LISTEN`) and at
/// least every `tick` for retries.
pub async fn run(pool: PgPool, tick: Duration) {
    let mut listener = match sqlx::postgres::PgListener::connect_with(&pool).await {
        Ok(mut l) => match l.listen(NOTIFY_CHANNEL).await {
            Ok(()) => Some(l),
            Err(e) => {
                tracing::warn!(error = %e, "outbox: LISTEN failed; polling only");
                None
            }
        },
        Err(e) => {
            tracing::warn!(error = %e, "outbox: no listener connection; polling only");
            None
        }
    };
    loop {
        if let Err(e) = drain_once(&pool).await {
            tracing::warn!(error = %e, "outbox round failed");
        }
        match listener.as_mut() {
            Some(l) => {
                if let Ok(Err(e)) = tokio::time::timeout(tick, l.recv()).await {
                    tracing::warn!(error = %e, "outbox: listener lost; reconnecting on next wait");
                    tokio::time::sleep(tick).await;
                }
            }
            None => tokio::time::sleep(tick).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff(1), Duration::from_secs(30));
        assert_eq!(backoff(2), Duration::from_secs(60));
        assert_eq!(backoff(7), Duration::from_secs(1920));
        assert_eq!(backoff(8), Duration::from_secs(3600));
    }
}
