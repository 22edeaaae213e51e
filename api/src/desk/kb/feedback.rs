//! Helpful / not helpful votes on articles: one per voter and article (a signed-in user, or an
//! anonymous browser session on the public portal); voting again replaces the vote.

use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;

/// Who votes.
#[derive(Debug, Clone)]
pub enum Voter {
    /// A signed-in user.
    User(Uuid),
    /// An anonymous session id chosen by the browser.
    Session(String),
}

impl Voter {
    /// The stored key.
    fn key(&self) -> String {
        match self {
            Voter::User(id) => format!("u:{id}"),
            Voter::Session(s) => format!("s:{s}"),
        }
    }

    fn user(&self) -> Option<Uuid> {
        match self {
            Voter::User(id) => Some(*id),
            Voter::Session(_) => None,
        }
    }
}

/// Whether an anonymous session id is acceptable: 8–64 letters, digits, `-` or `_`.
pub fn valid_session(s: &str) -> bool {
    (8..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Counts after a vote.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Tally {
    /// "Helpful" votes.
    pub helpful: i64,
    /// "Not helpful" votes.
    pub not_helpful: i64,
}

/// Records (or replaces) a vote and answers the article's counts.
pub async fn vote(
    pool: &PgPool,
    org_id: Uuid,
    article_id: Uuid,
    voter: &Voter,
    helpful: bool,
    comment: Option<&str>,
) -> Result<Tally, sqlx::Error> {
    sqlx::query(
        "INSERT INTO kb_feedback (org_id, article_id, voter, user_id, helpful, comment) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (org_id, article_id, voter) \
         DO UPDATE SET helpful = EXCLUDED.helpful, comment = EXCLUDED.comment, updated_at = now()",
    )
    .bind(org_id)
    .bind(article_id)
    .bind(voter.key())
    .bind(voter.user())
    .bind(helpful)
    .bind(comment)
    .execute(pool)
    .await?;
    sqlx::query_as(
        "SELECT count(*) FILTER (WHERE helpful) AS helpful, count(*) FILTER (WHERE NOT helpful) AS not_helpful \
         FROM kb_feedback WHERE org_id = $1 AND article_id = $2",
    )
    .bind(org_id)
    .bind(article_id)
    .fetch_one(pool)
    .await
}
