//! The customer portal's own records: deflections (a customer read a suggested article while
//! writing a ticket and left without submitting it) and the figures built from them.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;

/// A deflection to record.
pub struct NewDeflection<'a> {
    /// The article that answered the question.
    pub article_id: Uuid,
    /// The customer user.
    pub user_id: Uuid,
    /// Their customer.
    pub customer_id: Option<Uuid>,
    /// What they had typed as the subject.
    pub query: &'a str,
}

/// Records a deflection. The same user and article count once per hour (a reload or a second
/// abandoned draft about the same thing is not a second avoided ticket). `false` when it was
/// already counted.
pub async fn record(
    pool: &PgPool,
    org_id: Uuid,
    d: &NewDeflection<'_>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO kb_deflections (org_id, article_id, user_id, customer_id, query) \
         SELECT $1, $2, $3, $4, $5 \
         WHERE NOT EXISTS (SELECT 1 FROM kb_deflections WHERE org_id = $1 AND article_id = $2 \
                           AND user_id = $3 AND created_at > now() - interval '1 hour')",
    )
    .bind(org_id)
    .bind(d.article_id)
    .bind(d.user_id)
    .bind(d.customer_id)
    .bind(d.query)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Deflections of one article in a period.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ArticleDeflections {
    /// Article.
    pub article_id: Uuid,
    /// Its title.
    pub title: String,
    /// Deflections.
    pub deflections: i64,
}

/// Portal figures over a period.
#[derive(Debug, Clone, Serialize)]
pub struct PortalStats {
    /// Start (inclusive).
    pub from: DateTime<Utc>,
    /// End (exclusive).
    pub to: DateTime<Utc>,
    /// Tickets avoided because an article answered.
    pub deflections: i64,
    /// Tickets submitted through the portal.
    pub portal_tickets: i64,
    /// deflections / (deflections + portal tickets), `null` when both are 0.
    pub deflection_rate: Option<f64>,
    /// Articles by deflections, most first (top 10).
    pub top_articles: Vec<ArticleDeflections>,
}

/// Figures for `[from, to)`.
pub async fn stats(
    pool: &PgPool,
    org_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<PortalStats, sqlx::Error> {
    let (deflections, portal_tickets): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM kb_deflections WHERE org_id = $1 AND created_at >= $2 AND created_at < $3), \
                (SELECT count(*) FROM tickets WHERE org_id = $1 AND channel = 'portal' AND created_at >= $2 AND created_at < $3)",
    )
    .bind(org_id)
    .bind(from)
    .bind(to)
    .fetch_one(pool)
    .await?;
    let top_articles = sqlx::query_as(
        "SELECT d.article_id, a.title, count(*) AS deflections FROM kb_deflections d \
         JOIN kb_articles a ON a.org_id = d.org_id AND a.id = d.article_id \
         WHERE d.org_id = $1 AND d.created_at >= $2 AND d.created_at < $3 \
         GROUP BY d.article_id, a.title ORDER BY deflections DESC, a.title LIMIT 10",
    )
    .bind(org_id)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    let all = deflections + portal_tickets;
    Ok(PortalStats {
        from,
        to,
        deflections,
        portal_tickets,
        deflection_rate: (all > 0).then(|| deflections as f64 / all as f64),
        top_articles,
    })
}
