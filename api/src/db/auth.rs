//! Users and tokens (sessions, access, refresh and API tokens; stored as SHA-256 hashes).

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{FromRow, PgConnection, PgPool};
use uuid::Uuid;

/// A user row (the password hash never leaves this crate's auth code).
#[derive(Debug, Clone, FromRow)]
pub struct UserRow {
    /// User id.
    pub id: Uuid,
    /// Organisation.
    pub org_id: Uuid,
    /// Login e-mail.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role name.
    pub role: String,
    /// For customer users: their customer.
    pub customer_id: Option<Uuid>,
    /// Argon2 PHC string.
    pub password_hash: String,
    /// Whether the user may log in.
    pub active: bool,
}

/// A user as shown by the API.
#[derive(Debug, Clone, Serialize, FromRow)]
pub struct UserView {
    /// User id.
    pub id: Uuid,
    /// Login e-mail.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role name.
    pub role: String,
    /// For customer users: their customer.
    pub customer_id: Option<Uuid>,
    /// Whether the user may log in.
    pub active: bool,
    /// Creation time.
    pub created_at: DateTime<Utc>,
}

/// Who a presented token belongs to.
#[derive(Debug, Clone, FromRow)]
pub struct TokenOwner {
    /// Token id.
    pub token_id: Uuid,
    /// Token kind.
    pub kind: String,
    /// Login family (all tokens of one login).
    pub family_id: Uuid,
    /// User id.
    pub user_id: Uuid,
    /// Organisation.
    pub org_id: Uuid,
    /// Role name.
    pub role: String,
    /// For customer users: their customer.
    pub customer_id: Option<Uuid>,
    /// When the token stops working (None: until revoked).
    pub expires_at: Option<DateTime<Utc>>,
}

/// An API token as listed (never the secret).
#[derive(Debug, Clone, Serialize, FromRow)]
pub struct ApiTokenView {
    /// Token id (for DELETE).
    pub id: Uuid,
    /// Name given at creation.
    pub name: Option<String>,
    /// Expiry, if any.
    pub expires_at: Option<DateTime<Utc>>,
    /// Revocation time, if revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
}

/// The user with this e-mail (case-insensitive), in any organisation.
pub async fn user_by_email(pool: &PgPool, email: &str) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, org_id, email, name, role, customer_id, password_hash, active FROM users WHERE lower(email) = lower($1)",
    )
    .bind(email)
    .fetch_optional(pool)
    .await
}

/// New user fields.
pub struct NewUser<'a> {
    /// Organisation.
    pub org_id: Uuid,
    /// Login e-mail.
    pub email: &'a str,
    /// Display name.
    pub name: &'a str,
    /// Role name.
    pub role: &'a str,
    /// For customer users.
    pub customer_id: Option<Uuid>,
    /// Argon2 PHC string.
    pub password_hash: &'a str,
}

/// Creates a user.
pub async fn create_user(
    conn: &mut PgConnection,
    user: &NewUser<'_>,
) -> Result<UserView, sqlx::Error> {
    sqlx::query_as(
        "INSERT INTO users (org_id, email, name, role, customer_id, password_hash) VALUES ($1, $2, $3, $4, $5, $6) \
         RETURNING id, email, name, role, customer_id, active, created_at",
    )
    .bind(user.org_id)
    .bind(user.email)
    .bind(user.name)
    .bind(user.role)
    .bind(user.customer_id)
    .bind(user.password_hash)
    .fetch_one(conn)
    .await
}

/// Users of an organisation, by e-mail.
pub async fn list_users(pool: &PgPool, org_id: Uuid) -> Result<Vec<UserView>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, email, name, role, customer_id, active, created_at FROM users WHERE org_id = $1 ORDER BY email",
    )
    .bind(org_id)
    .fetch_all(pool)
    .await
}

/// One user of an organisation.
pub async fn get_user(
    pool: &PgPool,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<UserView>, sqlx::Error> {
    sqlx::query_as("SELECT id, email, name, role, customer_id, active, created_at FROM users WHERE org_id = $1 AND id = $2")
        .bind(org_id)
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// A token to store.
pub struct NewToken<'a> {
    /// Organisation.
    pub org_id: Uuid,
    /// Owner.
    pub user_id: Uuid,
    /// `session`, `access`, `refresh` or `api`.
    pub kind: &'a str,
    /// Login family.
    pub family_id: Uuid,
    /// SHA-256 of the secret.
    pub hash: &'a [u8],
    /// Name (API tokens).
    pub name: Option<&'a str>,
    /// Expiry.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Stores a token; returns its id.
pub async fn insert_token(conn: &mut PgConnection, t: &NewToken<'_>) -> Result<Uuid, sqlx::Error> {
    let (id,): (Uuid,) = sqlx::query_as(
        "INSERT INTO tokens (org_id, user_id, kind, family_id, token_hash, name, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(t.org_id)
    .bind(t.user_id)
    .bind(t.kind)
    .bind(t.family_id)
    .bind(t.hash)
    .bind(t.name)
    .bind(t.expires_at)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// The active user behind a live (unrevoked, unexpired) token of one of `kinds`.
pub async fn token_owner(
    pool: &PgPool,
    hash: &[u8],
    kinds: &[&str],
) -> Result<Option<TokenOwner>, sqlx::Error> {
    let kinds: Vec<String> = kinds.iter().map(|k| k.to_string()).collect();
    sqlx::query_as(
        "SELECT t.id AS token_id, t.kind, t.family_id, u.id AS user_id, u.org_id, u.role, u.customer_id, t.expires_at \
         FROM tokens t JOIN users u ON u.org_id = t.org_id AND u.id = t.user_id \
         WHERE t.token_hash = $1 AND t.kind = ANY($2) AND t.revoked_at IS NULL \
         AND (t.expires_at IS NULL OR t.expires_at > now()) AND u.active",
    )
    .bind(hash)
    .bind(kinds)
    .fetch_optional(pool)
    .await
}

/// Revokes a live refresh token and returns its owner (one use only: rotation).
pub async fn take_refresh(
    conn: &mut PgConnection,
    hash: &[u8],
) -> Result<Option<(Uuid, Uuid, Uuid)>, sqlx::Error> {
    sqlx::query_as(
        "UPDATE tokens t SET revoked_at = now() FROM users u \
         WHERE t.token_hash = $1 AND t.kind = 'refresh' AND t.revoked_at IS NULL AND t.expires_at > now() \
         AND u.org_id = t.org_id AND u.id = t.user_id AND u.active \
         RETURNING t.org_id, t.user_id, t.family_id",
    )
    .bind(hash)
    .fetch_optional(conn)
    .await
}

/// Revokes every token of one login (logout).
pub async fn revoke_family(
    pool: &PgPool,
    org_id: Uuid,
    family_id: Uuid,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("UPDATE tokens SET revoked_at = now() WHERE org_id = $1 AND family_id = $2 AND revoked_at IS NULL")
        .bind(org_id)
        .bind(family_id)
        .execute(pool)
        .await?;
    Ok(done.rows_affected())
}

/// The caller's API tokens.
pub async fn list_api_tokens(
    pool: &PgPool,
    org_id: Uuid,
    user_id: Uuid,
) -> Result<Vec<ApiTokenView>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, name, expires_at, revoked_at, created_at FROM tokens \
         WHERE org_id = $1 AND user_id = $2 AND kind = 'api' ORDER BY created_at DESC",
    )
    .bind(org_id)
    .bind(user_id)
    .fetch_all(pool)
    .await
}

/// Revokes one of the caller's API tokens; false if there is no such live token.
pub async fn revoke_api_token(
    pool: &PgPool,
    org_id: Uuid,
    user_id: Uuid,
    id: Uuid,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE tokens SET revoked_at = now() WHERE org_id = $1 AND user_id = $2 AND id = $3 AND kind = 'api' \
         AND revoked_at IS NULL",
    )
    .bind(org_id)
    .bind(user_id)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() > 0)
}
