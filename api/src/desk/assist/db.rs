//! Assist queries, every one scoped by the organisation id.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

/// Most recent tickets an organisation's model learns from and searches.
pub const CORPUS_LIMIT: i64 = 5_000;

/// A ticket as the models see it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CorpusTicket {
    /// Id.
    pub id: Uuid,
    /// Display number.
    pub number: String,
    /// Subject.
    pub subject: String,
    /// Description.
    pub description: String,
    /// Built-in status type.
    pub status_type: String,
    /// Category, if set.
    pub category: Option<String>,
    /// Priority.
    pub priority: String,
}

/// What tells whether a cached model is stale: ticket count and latest change.
pub async fn corpus_stamp(
    pool: &PgPool,
    org_id: Uuid,
) -> Result<(i64, Option<DateTime<Utc>>), sqlx::Error> {
    sqlx::query_as("SELECT count(*), max(updated_at) FROM tickets WHERE org_id = $1")
        .bind(org_id)
        .fetch_one(pool)
        .await
}

/// The organisation's most recent tickets, merged-away duplicates left out.
pub async fn corpus(pool: &PgPool, org_id: Uuid) -> Result<Vec<CorpusTicket>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, number, subject, description, status_type, category, priority FROM tickets \
         WHERE org_id = $1 AND merged_into_id IS NULL ORDER BY created_at DESC, id LIMIT $2",
    )
    .bind(org_id)
    .bind(CORPUS_LIMIT)
    .fetch_all(pool)
    .await
}

/// A text that arrived from the customer side: the description or a customer reply.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Incoming {
    /// The reply, or None for the ticket's description.
    pub message_id: Option<Uuid>,
    /// Text.
    pub body: String,
    /// When it arrived.
    pub created_at: DateTime<Utc>,
}

/// The description and customer replies of a ticket, oldest first.
pub async fn incoming(
    pool: &PgPool,
    org_id: Uuid,
    ticket_id: Uuid,
) -> Result<Vec<Incoming>, sqlx::Error> {
    sqlx::query_as(
        "SELECT NULL::uuid AS message_id, subject || E'\\n' || description AS body, created_at \
         FROM tickets WHERE org_id = $1 AND id = $2 \
         UNION ALL \
         SELECT id, body, created_at FROM ticket_messages \
         WHERE org_id = $1 AND ticket_id = $2 AND kind = 'reply' AND from_customer \
         ORDER BY created_at, message_id NULLS FIRST",
    )
    .bind(org_id)
    .bind(ticket_id)
    .fetch_all(pool)
    .await
}

/// A stored score.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredSentiment {
    /// The reply, or None for the description.
    pub message_id: Option<Uuid>,
    /// Compound score.
    pub score: f64,
    /// Label.
    pub label: String,
    /// Hash of the scored text.
    pub text_sha256: String,
}

/// Stored scores of a ticket.
pub async fn sentiments(
    pool: &PgPool,
    org_id: Uuid,
    ticket_id: Uuid,
) -> Result<Vec<StoredSentiment>, sqlx::Error> {
    sqlx::query_as(
        "SELECT message_id, score, label, text_sha256 FROM ticket_sentiments \
         WHERE org_id = $1 AND ticket_id = $2",
    )
    .bind(org_id)
    .bind(ticket_id)
    .fetch_all(pool)
    .await
}

/// Stores (or replaces) the score of one text.
pub async fn store_sentiment(
    db: impl sqlx::PgExecutor<'_>,
    org_id: Uuid,
    ticket_id: Uuid,
    s: &StoredSentiment,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO ticket_sentiments (org_id, ticket_id, message_id, score, label, text_sha256) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (org_id, ticket_id, message_id) DO UPDATE SET score = EXCLUDED.score, \
         label = EXCLUDED.label, text_sha256 = EXCLUDED.text_sha256, scored_at = now()",
    )
    .bind(org_id)
    .bind(ticket_id)
    .bind(s.message_id)
    .bind(s.score)
    .bind(&s.label)
    .bind(&s.text_sha256)
    .execute(db)
    .await?;
    Ok(())
}

/// A knowledge-base article matching a ticket.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ArticleMatch {
    /// Id.
    pub id: Uuid,
    /// Title.
    pub title: String,
    /// URL slug.
    pub slug: String,
    /// Text-search rank mapped into 0..1 (`rank / (rank + 1)`).
    pub score: f64,
}

/// Published articles matching any of `words` (Postgres full-text search in each article's own
/// text-search configuration), best first. Empty when the knowledge base is not installed.
pub async fn similar_articles(
    pool: &PgPool,
    org_id: Uuid,
    words: &[String],
    limit: i64,
) -> Result<Vec<ArticleMatch>, sqlx::Error> {
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let (installed,): (bool,) = sqlx::query_as("SELECT to_regclass('kb_articles') IS NOT NULL")
        .fetch_one(pool)
        .await?;
    if !installed {
        return Ok(Vec::new());
    }
    // Words are letters and digits only (see `text::words`), so joining them with `or` makes a
    // safe web-search query: any shared word matches, more shared words rank higher.
    let query = words.join(" or ");
    sqlx::query_as(
        "SELECT id, title, slug, ts_rank(search, websearch_to_tsquery(search_config, $2), 32)::float8 AS score \
         FROM kb_articles WHERE org_id = $1 AND status = 'published' \
         AND search @@ websearch_to_tsquery(search_config, $2) \
         ORDER BY score DESC, title LIMIT $3",
    )
    .bind(org_id)
    .bind(query)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// The organisation's LLM settings row, if any: (url, model, api key).
pub async fn llm_settings(
    pool: &PgPool,
    org_id: Uuid,
) -> Result<Option<(Option<String>, String, Option<String>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT llm_url, llm_model, llm_api_key FROM desk_assist_settings WHERE org_id = $1",
    )
    .bind(org_id)
    .fetch_optional(pool)
    .await
}

/// Saves the organisation's LLM settings; `api_key` None keeps the stored key unless
/// `clear_key`.
pub async fn save_llm_settings(
    pool: &PgPool,
    org_id: Uuid,
    url: Option<&str>,
    model: &str,
    api_key: Option<&str>,
    clear_key: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO desk_assist_settings (org_id, llm_url, llm_model, llm_api_key) \
         VALUES ($1, $2, $3, $4) \
         ON CONFLICT (org_id) DO UPDATE SET llm_url = EXCLUDED.llm_url, \
         llm_model = EXCLUDED.llm_model, \
         llm_api_key = CASE WHEN $5 THEN NULL ELSE coalesce(EXCLUDED.llm_api_key, desk_assist_settings.llm_api_key) END, \
         version = desk_assist_settings.version + 1, updated_at = now()",
    )
    .bind(org_id)
    .bind(url)
    .bind(model)
    .bind(api_key)
    .bind(clear_key)
    .execute(pool)
    .await?;
    Ok(())
}
