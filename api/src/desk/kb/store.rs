//! Article rows: read, lock, insert, update (each saved state also lands in
//! `kb_article_versions`), delete, and the version history. Every query is scoped by `org_id`.

use super::article::{Article, ArticleVersion, Content};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// The article columns plus feedback counts, for `FROM kb_articles a`.
pub const ARTICLE_COLUMNS: &str = "a.id, a.title, a.slug, a.body, a.status, a.category_id, a.tags, \
     a.locale, a.author_id, a.updated_by, a.published_at, a.version, a.created_at, a.updated_at, \
     (SELECT count(*) FROM kb_feedback f WHERE f.org_id = a.org_id AND f.article_id = a.id AND f.helpful) AS helpful, \
     (SELECT count(*) FROM kb_feedback f WHERE f.org_id = a.org_id AND f.article_id = a.id AND NOT f.helpful) AS not_helpful";

/// An article by id.
pub async fn get(pool: &PgPool, org_id: Uuid, id: Uuid) -> Result<Option<Article>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {ARTICLE_COLUMNS} FROM kb_articles a WHERE a.org_id = $1 AND a.id = $2"
    ))
    .bind(org_id)
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// A published article by slug.
pub async fn published_by_slug(
    pool: &PgPool,
    org_id: Uuid,
    slug: &str,
) -> Result<Option<Article>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {ARTICLE_COLUMNS} FROM kb_articles a \
         WHERE a.org_id = $1 AND a.slug = $2 AND a.status = 'published'"
    ))
    .bind(org_id)
    .bind(slug)
    .fetch_optional(pool)
    .await
}

/// Locks an article for a change and reads it.
pub async fn lock(
    conn: &mut PgConnection,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<Article>, sqlx::Error> {
    let found: Option<(Uuid,)> =
        sqlx::query_as("SELECT id FROM kb_articles WHERE org_id = $1 AND id = $2 FOR UPDATE")
            .bind(org_id)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    if found.is_none() {
        return Ok(None);
    }
    sqlx::query_as(&format!(
        "SELECT {ARTICLE_COLUMNS} FROM kb_articles a WHERE a.org_id = $1 AND a.id = $2"
    ))
    .bind(org_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
}

/// Inserts an article (version 1) and its first saved state.
pub async fn insert(
    conn: &mut PgConnection,
    org_id: Uuid,
    c: &Content,
    author: Option<Uuid>,
) -> Result<Uuid, sqlx::Error> {
    let (id,): (Uuid,) = sqlx::query_as(
        "INSERT INTO kb_articles (org_id, title, slug, body, status, category_id, tags, locale, \
         search_config, author_id, updated_by, published_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::regconfig, $10, $10, \
                 CASE WHEN $5 = 'published' THEN now() END) RETURNING id",
    )
    .bind(org_id)
    .bind(&c.title)
    .bind(&c.slug)
    .bind(&c.body)
    .bind(&c.status)
    .bind(c.category_id)
    .bind(&c.tags)
    .bind(&c.locale)
    .bind(c.search_config())
    .bind(author)
    .fetch_one(&mut *conn)
    .await?;
    snapshot(conn, org_id, id).await?;
    Ok(id)
}

/// Writes new content over a locked article, raises its version and saves the new state.
pub async fn update(
    conn: &mut PgConnection,
    org_id: Uuid,
    id: Uuid,
    c: &Content,
    editor: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE kb_articles SET title = $3, slug = $4, body = $5, status = $6, category_id = $7, \
         tags = $8, locale = $9, search_config = $10::regconfig, updated_by = $11, \
         published_at = CASE WHEN $6 = 'published' THEN coalesce(published_at, now()) ELSE published_at END, \
         version = version + 1, updated_at = now() \
         WHERE org_id = $1 AND id = $2",
    )
    .bind(org_id)
    .bind(id)
    .bind(&c.title)
    .bind(&c.slug)
    .bind(&c.body)
    .bind(&c.status)
    .bind(c.category_id)
    .bind(&c.tags)
    .bind(&c.locale)
    .bind(c.search_config())
    .bind(editor)
    .execute(&mut *conn)
    .await?;
    snapshot(conn, org_id, id).await
}

/// Copies the article's current state into its history.
async fn snapshot(conn: &mut PgConnection, org_id: Uuid, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO kb_article_versions (org_id, article_id, version, title, slug, body, status, \
         category_id, tags, locale, editor_id) \
         SELECT org_id, id, version, title, slug, body, status, category_id, tags, locale, updated_by \
         FROM kb_articles WHERE org_id = $1 AND id = $2",
    )
    .bind(org_id)
    .bind(id)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Deletes an article with its history and feedback.
pub async fn delete(conn: &mut PgConnection, org_id: Uuid, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM kb_articles WHERE org_id = $1 AND id = $2")
        .bind(org_id)
        .bind(id)
        .execute(conn)
        .await
        .map(|_| ())
}

/// The saved states of an article, newest first.
pub async fn versions(
    pool: &PgPool,
    org_id: Uuid,
    id: Uuid,
) -> Result<Vec<ArticleVersion>, sqlx::Error> {
    sqlx::query_as(
        "SELECT article_id, version, title, slug, body, status, category_id, tags, locale, editor_id, created_at \
         FROM kb_article_versions WHERE org_id = $1 AND article_id = $2 ORDER BY version DESC",
    )
    .bind(org_id)
    .bind(id)
    .fetch_all(pool)
    .await
}

/// One saved state.
pub async fn version(
    pool: &PgPool,
    org_id: Uuid,
    id: Uuid,
    version: i64,
) -> Result<Option<ArticleVersion>, sqlx::Error> {
    sqlx::query_as(
        "SELECT article_id, version, title, slug, body, status, category_id, tags, locale, editor_id, created_at \
         FROM kb_article_versions WHERE org_id = $1 AND article_id = $2 AND version = $3",
    )
    .bind(org_id)
    .bind(id)
    .bind(version)
    .fetch_optional(pool)
    .await
}
