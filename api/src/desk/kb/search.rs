//! Full-text search over articles: `websearch_to_tsquery` against the weighted `search` column
//! (title A, body B; GIN index), ranked by `ts_rank_cd`, with a `ts_headline` excerpt whose
//! matches come back as `<mark>` in otherwise escaped text.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;

/// Longest accepted query, in characters.
pub const MAX_QUERY_CHARS: usize = 200;

/// What to look for. `None` fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    /// Search text (web-search syntax: words, "phrases", -exclusions, or).
    pub text: Option<String>,
    /// Only this status.
    pub status: Option<String>,
    /// Only this category.
    pub category_id: Option<Uuid>,
    /// Only articles with this tag.
    pub tag: Option<String>,
    /// Text-search configuration of the query (`english`, `french`, …).
    pub config: &'static str,
    /// Page size.
    pub limit: i64,
    /// Rows to skip.
    pub offset: i64,
}

/// One search result.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Hit {
    /// Article id.
    pub id: Uuid,
    /// Title.
    pub title: String,
    /// Slug.
    pub slug: String,
    /// Safe HTML: escaped text around `<mark>`ed matches (the body's start without a query).
    pub excerpt: String,
    /// Status.
    pub status: String,
    /// Category.
    pub category_id: Option<Uuid>,
    /// Tags.
    pub tags: Vec<String>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// "Helpful" votes.
    pub helpful: i64,
    /// "Not helpful" votes.
    pub not_helpful: i64,
    /// Relevance (0 without a query).
    pub rank: f32,
    /// Matches in all pages.
    #[serde(skip)]
    pub total: i64,
}

/// Marks `ts_headline` puts around matches: control characters that cannot be typed into an
/// article, swapped for `<mark>` after the rest is HTML-escaped.
const START: char = '\u{2}';
const STOP: char = '\u{3}';

/// Articles matching `q`, best first (newest first without search text); and the total count.
pub async fn search(
    pool: &PgPool,
    org_id: Uuid,
    q: &SearchQuery,
) -> Result<(Vec<Hit>, i64), sqlx::Error> {
    let text = q
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| t.chars().filter(|c| !c.is_control()).collect::<String>());
    // Weights {D, C, B, A}: a title hit counts five times a body hit; normalisation 1 divides
    // by 1 + log(length) so long articles do not win by volume alone.
    let sql = format!(
        "WITH q AS (SELECT CASE WHEN $2::text IS NULL THEN NULL \
                               ELSE websearch_to_tsquery($3::regconfig, $2) END AS query) \
         SELECT a.id, a.title, a.slug, a.status, a.category_id, a.tags, a.updated_at, \
           CASE WHEN q.query IS NULL THEN 0::real \
                ELSE ts_rank_cd('{{0.05, 0.1, 0.2, 1.0}}', a.search, q.query, 1) END AS rank, \
           CASE WHEN q.query IS NULL THEN left(a.body, 240) \
                ELSE ts_headline(a.search_config, a.body, q.query, \
                  'StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=\" … \"') END AS excerpt, \
           (SELECT count(*) FROM kb_feedback f WHERE f.org_id = a.org_id AND f.article_id = a.id AND f.helpful) AS helpful, \
           (SELECT count(*) FROM kb_feedback f WHERE f.org_id = a.org_id AND f.article_id = a.id AND NOT f.helpful) AS not_helpful, \
           count(*) OVER () AS total \
         FROM kb_articles a, q \
         WHERE a.org_id = $1 \
           AND (q.query IS NULL OR a.search @@ q.query) \
           AND ($4::text IS NULL OR a.status = $4) \
           AND ($5::uuid IS NULL OR a.category_id = $5) \
           AND ($6::text IS NULL OR a.tags @> ARRAY[$6]) \
         ORDER BY rank DESC, a.updated_at DESC, a.id \
         LIMIT $7 OFFSET $8"
    );
    let mut hits: Vec<Hit> = sqlx::query_as(&sql)
        .bind(org_id)
        .bind(text)
        .bind(q.config)
        .bind(&q.status)
        .bind(q.category_id)
        .bind(q.tag.as_deref().map(str::to_lowercase))
        .bind(q.limit)
        .bind(q.offset)
        .fetch_all(pool)
        .await?;
    let total = hits.first().map_or(0, |h| h.total);
    for h in &mut hits {
        h.excerpt = excerpt_html(&h.excerpt);
    }
    Ok((hits, total))
}

/// Escapes text for HTML and turns the match marks into `<mark>` elements; the Markdown
/// emphasis and code markers of the editor (`**`, `` ` ``) are dropped from the excerpt.
pub fn excerpt_html(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() + 16);
    for c in raw.replace("**", "").chars() {
        match c {
            START => out.push_str("<mark>"),
            STOP => out.push_str("</mark>"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\r' | '\t' => out.push(' '),
            '`' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn excerpts_are_escaped_with_marks() {
        assert_eq!(
            super::excerpt_html("a <b>\u{2}router\u{3} & \"x\"\n**bold** `code`"),
            "a &lt;b&gt;<mark>router</mark> &amp; &quot;x&quot; bold code"
        );
    }
}
