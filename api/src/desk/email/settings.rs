//! Per-organisation mail settings: the support address and its display name, Reply-To, the
//! portal link used in templates, the SMTP relay, the IMAP mailbox to poll, and the inbound
//! token mail gateways present. Passwords are write-only through the API.

use crate::error::{ApiError, ApiResult};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// Stored settings of one organisation.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EmailSettings {
    /// Organisation.
    pub org_id: Uuid,
    /// The address customers write to and replies come from.
    pub support_address: String,
    /// Display name in From.
    pub support_name: String,
    /// Reply-To (the support address when None).
    pub reply_to: Option<String>,
    /// Customer portal link for templates.
    pub portal_url: String,
    /// SMTP relay host (outbound mail is kept queued while None).
    pub smtp_host: Option<String>,
    /// SMTP port (587 / 465 / 25 by security when None).
    pub smtp_port: Option<i32>,
    /// `none`, `starttls` or `tls`.
    pub smtp_security: String,
    /// SMTP user.
    pub smtp_username: Option<String>,
    /// SMTP password.
    pub smtp_password: Option<String>,
    /// Whether the IMAP mailbox is polled.
    pub imap_enabled: bool,
    /// IMAP host.
    pub imap_host: Option<String>,
    /// IMAP port (993 / 143 by security when None).
    pub imap_port: Option<i32>,
    /// `none` or `tls`.
    pub imap_security: String,
    /// IMAP user.
    pub imap_username: Option<String>,
    /// IMAP password.
    pub imap_password: Option<String>,
    /// Folder to read.
    pub imap_folder: String,
    /// Seconds between polls.
    pub poll_interval_secs: i32,
    /// Last poll.
    pub last_polled_at: Option<DateTime<Utc>>,
    /// Error of the last poll, if it failed.
    pub last_poll_error: Option<String>,
    /// Whether an inbound token is set.
    #[sqlx(skip)]
    pub has_inbound_token: bool,
    /// Version.
    pub version: i64,
}

impl EmailSettings {
    /// The JSON answered to admins (no passwords, no token).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "support_address": self.support_address,
            "support_name": self.support_name,
            "reply_to": self.reply_to,
            "portal_url": self.portal_url,
            "smtp_host": self.smtp_host,
            "smtp_port": self.smtp_port,
            "smtp_security": self.smtp_security,
            "smtp_username": self.smtp_username,
            "smtp_password_set": self.smtp_password.is_some(),
            "imap_enabled": self.imap_enabled,
            "imap_host": self.imap_host,
            "imap_port": self.imap_port,
            "imap_security": self.imap_security,
            "imap_username": self.imap_username,
            "imap_password_set": self.imap_password.is_some(),
            "imap_folder": self.imap_folder,
            "poll_interval_secs": self.poll_interval_secs,
            "last_polled_at": self.last_polled_at,
            "last_poll_error": self.last_poll_error,
            "inbound_token_set": self.has_inbound_token,
            "version": self.version,
        })
    }
}

/// `PUT /api/v1/desk/email/settings`: the whole settings; passwords absent = unchanged,
/// `null` = cleared.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsInput {
    /// Support address (required).
    pub support_address: String,
    /// Display name.
    #[serde(default)]
    pub support_name: String,
    /// Reply-To.
    pub reply_to: Option<String>,
    /// Portal link.
    #[serde(default)]
    pub portal_url: String,
    /// SMTP host.
    pub smtp_host: Option<String>,
    /// SMTP port.
    pub smtp_port: Option<i32>,
    /// SMTP security.
    pub smtp_security: Option<String>,
    /// SMTP user.
    pub smtp_username: Option<String>,
    /// SMTP password (absent keeps, null clears).
    #[serde(default, with = "keep_or_set")]
    pub smtp_password: Option<Option<String>>,
    /// Poll IMAP.
    #[serde(default)]
    pub imap_enabled: bool,
    /// IMAP host.
    pub imap_host: Option<String>,
    /// IMAP port.
    pub imap_port: Option<i32>,
    /// IMAP security.
    pub imap_security: Option<String>,
    /// IMAP user.
    pub imap_username: Option<String>,
    /// IMAP password (absent keeps, null clears).
    #[serde(default, with = "keep_or_set")]
    pub imap_password: Option<Option<String>>,
    /// IMAP folder.
    pub imap_folder: Option<String>,
    /// Seconds between polls.
    pub poll_interval_secs: Option<i32>,
}

/// Absent → None; `null` → Some(None); a value → Some(Some(v)).
mod keep_or_set {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<String>>, D::Error> {
        Option::<String>::deserialize(d).map(Some)
    }

    pub fn serialize<S: Serializer>(_: &Option<Option<String>>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_none()
    }
}

/// A plausible single mailbox address (`local@domain`, no spaces or angle brackets).
pub fn check_address(field: &str, value: &str) -> ApiResult<()> {
    let ok = value.len() <= 254
        && value
            .split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.starts_with('.'))
        && !value
            .chars()
            .any(|c| c.is_whitespace() || "<>,;\"".contains(c));
    if ok {
        Ok(())
    } else {
        Err(ApiError::validation(
            field,
            format!("{field} must be an e-mail address"),
        ))
    }
}

impl SettingsInput {
    /// Validates the input.
    pub fn validate(&self) -> ApiResult<()> {
        check_address("support_address", &self.support_address)?;
        if let Some(r) = &self.reply_to {
            check_address("reply_to", r)?;
        }
        if let Some(s) = &self.smtp_security {
            crate::desk::ticket::check_one_of("smtp_security", s, &["none", "starttls", "tls"])?;
        }
        if let Some(s) = &self.imap_security {
            crate::desk::ticket::check_one_of("imap_security", s, &["none", "tls"])?;
        }
        for (field, port) in [("smtp_port", self.smtp_port), ("imap_port", self.imap_port)] {
            if port.is_some_and(|p| !(1..=65535).contains(&p)) {
                return Err(ApiError::validation(
                    field,
                    format!("{field} must be 1..65535"),
                ));
            }
        }
        if self
            .poll_interval_secs
            .is_some_and(|s| !(5..=86_400).contains(&s))
        {
            return Err(ApiError::validation(
                "poll_interval_secs",
                "poll_interval_secs must be 5..86400",
            ));
        }
        if self.imap_enabled && (self.imap_host.is_none() || self.imap_username.is_none()) {
            return Err(ApiError::validation(
                "imap_host",
                "imap_host and imap_username are required when imap_enabled",
            ));
        }
        Ok(())
    }
}

const COLUMNS: &str = "org_id, support_address, support_name, reply_to, portal_url, smtp_host, \
     smtp_port, smtp_security, smtp_username, smtp_password, imap_enabled, imap_host, imap_port, \
     imap_security, imap_username, imap_password, imap_folder, poll_interval_secs, \
     last_polled_at, last_poll_error, version, inbound_token_hash IS NOT NULL AS has_token";

#[derive(sqlx::FromRow)]
struct Row {
    #[sqlx(flatten)]
    settings: EmailSettings,
    has_token: bool,
}

fn finish(row: Row) -> EmailSettings {
    let mut s = row.settings;
    s.has_inbound_token = row.has_token;
    s
}

/// The organisation's settings, if configured.
pub async fn get(
    conn: &mut PgConnection,
    org_id: Uuid,
) -> Result<Option<EmailSettings>, sqlx::Error> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM desk_email_settings WHERE org_id = $1"
    ))
    .bind(org_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(finish))
}

/// Creates or replaces the settings.
pub async fn put(
    pool: &PgPool,
    org_id: Uuid,
    s: &SettingsInput,
) -> Result<EmailSettings, sqlx::Error> {
    let keep_smtp = s.smtp_password.is_none();
    let keep_imap = s.imap_password.is_none();
    let row: Row = sqlx::query_as(&format!(
        "INSERT INTO desk_email_settings AS d (org_id, support_address, support_name, reply_to, \
           portal_url, smtp_host, smtp_port, smtp_security, smtp_username, smtp_password, \
           imap_enabled, imap_host, imap_port, imap_security, imap_username, imap_password, \
           imap_folder, poll_interval_secs) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) \
         ON CONFLICT (org_id) DO UPDATE SET support_address = $2, support_name = $3, \
           reply_to = $4, portal_url = $5, smtp_host = $6, smtp_port = $7, smtp_security = $8, \
           smtp_username = $9, smtp_password = CASE WHEN $19 THEN d.smtp_password ELSE $10 END, \
           imap_enabled = $11, imap_host = $12, imap_port = $13, imap_security = $14, \
           imap_username = $15, imap_password = CASE WHEN $20 THEN d.imap_password ELSE $16 END, \
           imap_folder = $17, poll_interval_secs = $18, last_poll_error = NULL, \
           version = d.version + 1, updated_at = now() \
         RETURNING {COLUMNS}"
    ))
    .bind(org_id)
    .bind(s.support_address.trim().to_lowercase())
    .bind(s.support_name.trim())
    .bind(s.reply_to.as_deref().map(|r| r.trim().to_lowercase()))
    .bind(s.portal_url.trim())
    .bind(&s.smtp_host)
    .bind(s.smtp_port)
    .bind(s.smtp_security.as_deref().unwrap_or("starttls"))
    .bind(&s.smtp_username)
    .bind(s.smtp_password.clone().flatten())
    .bind(s.imap_enabled)
    .bind(&s.imap_host)
    .bind(s.imap_port)
    .bind(s.imap_security.as_deref().unwrap_or("tls"))
    .bind(&s.imap_username)
    .bind(s.imap_password.clone().flatten())
    .bind(s.imap_folder.as_deref().unwrap_or("INBOX"))
    .bind(s.poll_interval_secs.unwrap_or(60))
    .bind(keep_smtp)
    .bind(keep_imap)
    .fetch_one(pool)
    .await?;
    Ok(finish(row))
}

/// Stores the hash of a new inbound token (settings must exist).
pub async fn set_inbound_token(
    pool: &PgPool,
    org_id: Uuid,
    hash: &[u8],
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE desk_email_settings SET inbound_token_hash = $2, version = version + 1, \
         updated_at = now() WHERE org_id = $1",
    )
    .bind(org_id)
    .bind(hash)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The organisation whose inbound token has this hash.
pub async fn org_of_inbound_token(pool: &PgPool, hash: &[u8]) -> Result<Option<Uuid>, sqlx::Error> {
    let row: Option<(Uuid,)> =
        sqlx::query_as("SELECT org_id FROM desk_email_settings WHERE inbound_token_hash = $1")
            .bind(hash)
            .fetch_optional(pool)
            .await?;
    Ok(row.map(|r| r.0))
}

/// Claims the organisations whose mailbox is due for a poll (stamping `last_polled_at`, so
/// several service instances never poll one mailbox at once).
pub async fn claim_due_polls(pool: &PgPool) -> Result<Vec<Uuid>, sqlx::Error> {
    let rows: Vec<(Uuid,)> = sqlx::query_as(
        "UPDATE desk_email_settings SET last_polled_at = now() WHERE org_id IN ( \
           SELECT org_id FROM desk_email_settings WHERE imap_enabled AND imap_host IS NOT NULL \
           AND (last_polled_at IS NULL \
                OR last_polled_at <= now() - make_interval(secs => poll_interval_secs)) \
           FOR UPDATE SKIP LOCKED) RETURNING org_id",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Records the outcome of a poll.
pub async fn record_poll(
    pool: &PgPool,
    org_id: Uuid,
    error: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE desk_email_settings SET last_polled_at = now(), last_poll_error = $2 WHERE org_id = $1",
    )
    .bind(org_id)
    .bind(error)
    .execute(pool)
    .await?;
    Ok(())
}
