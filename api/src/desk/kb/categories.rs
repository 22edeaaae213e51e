//! Knowledge-base categories: list (with article counts), create, rename / reorder, delete
//! (refused while articles use the category).

use crate::error::ApiError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use uuid::Uuid;

/// A category.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Category {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// URL name.
    pub slug: String,
    /// Description.
    pub description: String,
    /// Sort position (ascending).
    pub position: i32,
    /// Version (the ETag).
    pub version: i64,
    /// Articles in it (published ones only for customers and the public).
    pub articles: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// A new category, or (all fields optional) a change.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryInput {
    /// Name.
    pub name: Option<String>,
    /// Slug; made from the name when missing on create.
    pub slug: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Sort position.
    pub position: Option<i32>,
    /// The version a change is based on (instead of `If-Match`).
    pub version: Option<serde_json::Value>,
}

/// Validated name, slug, description and position.
pub struct CategoryFields {
    name: String,
    slug: String,
    description: String,
    position: i32,
}

impl CategoryFields {
    /// Fields of a new category.
    pub fn new(input: &CategoryInput) -> Result<Self, ApiError> {
        let name = input
            .name
            .as_deref()
            .ok_or_else(|| ApiError::validation("name", "name is required"))?;
        let blank = CategoryFields {
            name: String::new(),
            slug: String::new(),
            description: String::new(),
            position: 0,
        };
        let mut input = input.clone();
        if input.slug.is_none() {
            input.slug = Some(super::article::slugify(name).ok_or_else(|| {
                ApiError::validation("slug", "the name has no letters or digits for a slug")
            })?);
        }
        blank.apply(&input)
    }

    /// These fields with a change applied.
    pub fn apply(mut self, input: &CategoryInput) -> Result<Self, ApiError> {
        if let Some(n) = &input.name {
            let n = n.trim();
            if n.is_empty() || n.chars().count() > 120 {
                return Err(ApiError::validation(
                    "name",
                    "name must be 1–120 characters",
                ));
            }
            self.name = n.to_string();
        }
        if let Some(s) = &input.slug {
            let s = super::article::slug(s)?;
            if s.len() > 80 {
                return Err(ApiError::validation("slug", "slug is longer than 80"));
            }
            self.slug = s;
        }
        if let Some(d) = &input.description {
            if d.chars().count() > 2000 {
                return Err(ApiError::validation(
                    "description",
                    "description is longer than 2000 characters",
                ));
            }
            self.description = d.trim().to_string();
        }
        if let Some(p) = input.position {
            self.position = p;
        }
        Ok(self)
    }

    /// The fields of a stored category.
    pub fn of(c: &Category) -> Self {
        CategoryFields {
            name: c.name.clone(),
            slug: c.slug.clone(),
            description: c.description.clone(),
            position: c.position,
        }
    }
}

const COLUMNS: &str =
    "c.id, c.name, c.slug, c.description, c.position, c.version, c.created_at, c.updated_at";

/// Categories by position then name; `published_only` counts only published articles.
pub async fn list(
    pool: &PgPool,
    org_id: Uuid,
    published_only: bool,
) -> Result<Vec<Category>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS}, (SELECT count(*) FROM kb_articles a WHERE a.org_id = c.org_id \
           AND a.category_id = c.id AND (NOT $2 OR a.status = 'published')) AS articles \
         FROM kb_categories c WHERE c.org_id = $1 ORDER BY c.position, c.name"
    ))
    .bind(org_id)
    .bind(published_only)
    .fetch_all(pool)
    .await
}

/// One category (all its articles counted).
pub async fn get(pool: &PgPool, org_id: Uuid, id: Uuid) -> Result<Option<Category>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS}, (SELECT count(*) FROM kb_articles a WHERE a.org_id = c.org_id \
           AND a.category_id = c.id) AS articles \
         FROM kb_categories c WHERE c.org_id = $1 AND c.id = $2"
    ))
    .bind(org_id)
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// A category id by slug.
pub async fn id_by_slug(
    pool: &PgPool,
    org_id: Uuid,
    slug: &str,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM kb_categories WHERE org_id = $1 AND slug = $2")
        .bind(org_id)
        .bind(slug)
        .fetch_optional(pool)
        .await
}

/// Adds a category.
pub async fn insert(pool: &PgPool, org_id: Uuid, f: &CategoryFields) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO kb_categories (org_id, name, slug, description, position) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(org_id)
    .bind(&f.name)
    .bind(&f.slug)
    .bind(&f.description)
    .bind(f.position)
    .fetch_one(pool)
    .await
}

/// Writes a change if the stored version is `version`; `false` when it is not.
pub async fn update(
    pool: &PgPool,
    org_id: Uuid,
    id: Uuid,
    version: i64,
    f: &CategoryFields,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE kb_categories SET name = $4, slug = $5, description = $6, position = $7, \
         version = version + 1, updated_at = now() \
         WHERE org_id = $1 AND id = $2 AND version = $3",
    )
    .bind(org_id)
    .bind(id)
    .bind(version)
    .bind(&f.name)
    .bind(&f.slug)
    .bind(&f.description)
    .bind(f.position)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes a category if the stored version is `version` (articles still in it: a foreign-key
/// error, answered 409).
pub async fn delete(
    pool: &PgPool,
    org_id: Uuid,
    id: Uuid,
    version: i64,
) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("DELETE FROM kb_categories WHERE org_id = $1 AND id = $2 AND version = $3")
            .bind(org_id)
            .bind(id)
            .bind(version)
            .execute(pool)
            .await?;
    Ok(done.rows_affected() == 1)
}
