//! Creating organisations and users outside the API (demo seeding, tests, operators).

use crate::auth::password;
use crate::db::{self, auth::NewUser, auth::UserView};
use crate::domain::roles::Role;
use sqlx::PgPool;
use uuid::Uuid;

/// Creates an organisation; returns its id.
pub async fn organisation(pool: &PgPool, name: &str, slug: &str) -> anyhow::Result<Uuid> {
    Ok(db::orgs::create(pool, name, slug).await?)
}

/// Creates a user with a hashed password.
pub async fn user(
    pool: &PgPool,
    org_id: Uuid,
    email: &str,
    name: &str,
    role: Role,
    plain_password: &str,
    customer_id: Option<Uuid>,
) -> anyhow::Result<UserView> {
    let owned = plain_password.to_string();
    let phc = tokio::task::spawn_blocking(move || password::hash(&owned)).await??;
    let mut conn = pool.acquire().await?;
    let new = NewUser {
        org_id,
        email,
        name,
        role: role.as_str(),
        customer_id,
        password_hash: &phc,
    };
    Ok(db::auth::create_user(&mut conn, &new).await?)
}
