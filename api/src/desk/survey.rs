//! Satisfaction surveys: once a ticket is resolved (or closed), its requester may rate it 1–5
//! with a comment, once — from the portal, or through a tokenised link sent by e-mail
//! ([`issue_link`]). Agents list the answers over a period.

use crate::auth::token;
use crate::desk::ticket::Ticket;
use crate::error::ApiError;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{PgExecutor, PgPool};
use uuid::Uuid;

/// How long an e-mailed survey link works.
pub const LINK_DAYS: i64 = 30;

/// A stored answer.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Survey {
    /// Id.
    pub id: Uuid,
    /// Ticket.
    pub ticket_id: Uuid,
    /// 1 (very unhappy) … 5 (very happy).
    pub rating: i32,
    /// Comment.
    pub comment: Option<String>,
    /// The requester's customer.
    pub customer_id: Option<Uuid>,
    /// The customer user who answered (none through a link).
    pub user_id: Option<Uuid>,
    /// `portal` or `link`.
    pub via: String,
    /// Answered.
    pub created_at: DateTime<Utc>,
}

/// An answer as submitted.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    /// 1–5.
    pub rating: i64,
    /// Optional comment.
    pub comment: Option<String>,
}

impl Answer {
    /// The rating and trimmed comment, or a 422.
    pub fn validated(&self) -> Result<(i32, Option<String>), ApiError> {
        if !(1..=5).contains(&self.rating) {
            return Err(ApiError::validation("rating", "rating must be 1 to 5"));
        }
        let comment = self
            .comment
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        if comment.is_some_and(|c| c.chars().count() > 4000) {
            return Err(ApiError::validation(
                "comment",
                "comment is longer than 4000 characters",
            ));
        }
        Ok((self.rating as i32, comment.map(str::to_string)))
    }
}

/// Whether a ticket is ready for a survey: resolved or closed, and not merged away.
pub fn open_for(t: &Ticket) -> bool {
    matches!(t.status_type.as_str(), "resolved" | "closed") && t.merged_into_id.is_none()
}

/// The answer of a ticket, if any.
pub async fn of_ticket(
    db: impl PgExecutor<'_>,
    org_id: Uuid,
    ticket_id: Uuid,
) -> Result<Option<Survey>, sqlx::Error> {
    sqlx::query_as("SELECT * FROM ticket_surveys WHERE org_id = $1 AND ticket_id = $2")
        .bind(org_id)
        .bind(ticket_id)
        .fetch_optional(db)
        .await
}

/// Stores the answer; 409 when the ticket is not resolved or was answered already.
pub async fn answer(
    pool: &PgPool,
    org_id: Uuid,
    t: &Ticket,
    user_id: Option<Uuid>,
    via: &str,
    a: &Answer,
) -> Result<Survey, ApiError> {
    let (rating, comment) = a.validated()?;
    if !open_for(t) {
        return Err(ApiError::conflict(
            "the survey opens when the ticket is resolved",
        ));
    }
    let row: Option<Survey> = sqlx::query_as(
        "INSERT INTO ticket_surveys (org_id, ticket_id, rating, comment, customer_id, user_id, via) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (org_id, ticket_id) DO NOTHING RETURNING *",
    )
    .bind(org_id)
    .bind(t.id)
    .bind(rating)
    .bind(comment)
    .bind(t.requester_id)
    .bind(user_id)
    .bind(via)
    .fetch_optional(pool)
    .await?;
    row.ok_or_else(|| ApiError::conflict("this ticket's survey was answered already"))
}

/// A new survey link for a ticket: the secret token (only its hash is stored). Runs on a pool
/// or inside the caller's transaction (the "resolved" e-mail issues one as it is queued).
pub async fn issue_link(
    db: impl PgExecutor<'_>,
    org_id: Uuid,
    ticket_id: Uuid,
) -> Result<String, sqlx::Error> {
    let secret = token::generate("sv");
    sqlx::query(
        "INSERT INTO ticket_survey_links (token_hash, org_id, ticket_id, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(token::hash(&secret))
    .bind(org_id)
    .bind(ticket_id)
    .bind(Utc::now() + Duration::days(LINK_DAYS))
    .execute(db)
    .await?;
    Ok(secret)
}

/// The portal page of a link token, relative to the service.
pub fn link_path(token: &str) -> String {
    format!("/portal/survey/{token}")
}

/// The full address of a link token on the service's public base URL (`Config::public_url`).
pub fn link_url(public_url: &str, token: &str) -> String {
    format!("{}{}", public_url.trim_end_matches('/'), link_path(token))
}

/// The (organisation, ticket) of an unexpired link token.
pub async fn link_target(pool: &PgPool, secret: &str) -> Result<Option<(Uuid, Uuid)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT org_id, ticket_id FROM ticket_survey_links WHERE token_hash = $1 AND expires_at > now()",
    )
    .bind(token::hash(secret))
    .fetch_optional(pool)
    .await
}

/// An answer with its ticket, for the agents' list.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ListedSurvey {
    /// Id.
    pub id: Uuid,
    /// Ticket.
    pub ticket_id: Uuid,
    /// Ticket number.
    pub ticket_number: String,
    /// Ticket subject.
    pub subject: String,
    /// Ticket assignee.
    pub assignee_id: Option<Uuid>,
    /// Ticket team.
    pub team_id: Option<Uuid>,
    /// Rating.
    pub rating: i32,
    /// Comment.
    pub comment: Option<String>,
    /// Customer.
    pub customer_id: Option<Uuid>,
    /// `portal` or `link`.
    pub via: String,
    /// Answered.
    pub created_at: DateTime<Utc>,
}

/// Answers in `[from, to)`, newest first (at most `limit`), and the count and mean rating of all
/// of them.
pub async fn list(
    pool: &PgPool,
    org_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: i64,
) -> Result<(Vec<ListedSurvey>, i64, Option<f64>, i64), sqlx::Error> {
    let items = sqlx::query_as(
        "SELECT s.id, s.ticket_id, t.number AS ticket_number, t.subject, t.assignee_id, t.team_id, \
                s.rating, s.comment, s.customer_id, s.via, s.created_at \
         FROM ticket_surveys s JOIN tickets t ON t.org_id = s.org_id AND t.id = s.ticket_id \
         WHERE s.org_id = $1 AND s.created_at >= $2 AND s.created_at < $3 \
         ORDER BY s.created_at DESC, s.id LIMIT $4",
    )
    .bind(org_id)
    .bind(from)
    .bind(to)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    let (count, mean, satisfied): (i64, Option<f64>, i64) = sqlx::query_as(
        "SELECT count(*), avg(rating)::float8, count(*) FILTER (WHERE rating >= 4) \
         FROM ticket_surveys WHERE org_id = $1 AND created_at >= $2 AND created_at < $3",
    )
    .bind(org_id)
    .bind(from)
    .bind(to)
    .fetch_one(pool)
    .await?;
    Ok((items, count, mean, satisfied))
}
