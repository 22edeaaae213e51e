//! PostgreSQL access: the pool, migrations and one module of queries per aggregate. Every
//! query on tenant data takes the organisation id and has it in its WHERE clause.

pub mod activity;
pub mod auth;
pub mod create_batch;
pub mod lists;
pub mod orgs;
pub mod records;

use crate::config::Config;
use sqlx::postgres::{PgPool, PgPoolOptions};

/// The SQL migrations in `migrations/`, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// A connection idle for longer than this is checked (one round trip) before it is handed out.
/// Under load connections come back within milliseconds and are not pinged again; a database
/// restart takes far longer than this, so no connection that was open before it is handed out
/// unchecked.
pub const CHECK_AFTER_IDLE: std::time::Duration = std::time::Duration::from_millis(100);

/// Opens a lazily-connecting pool: the service starts and answers `/health` even while the
/// database is down, and requests wait at most `acquire_timeout` for a connection (then 503).
/// Connections idle for more than [`CHECK_AFTER_IDLE`] are checked before use, so the pool
/// recovers by itself after a database restart. Busy connections are not pinged on every
/// acquire (a round trip per query): sqlx already checks each one when it comes back to the
/// pool, and a connection that broke in use is closed then.
pub fn pool(config: &Config) -> Result<PgPool, sqlx::Error> {
    PgPoolOptions::new()
        .max_connections(config.max_connections)
        .min_connections(0)
        .acquire_timeout(config.acquire_timeout)
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for > CHECK_AFTER_IDLE {
                    sqlx::Connection::ping(conn).await?;
                }
                Ok(true)
            })
        })
        .idle_timeout(std::time::Duration::from_secs(300))
        .connect_lazy(&config.database_url)
}

/// Applies pending migrations (idempotent; concurrent callers wait on Postgres' lock).
pub async fn migrate(pool: &PgPool) -> Result<(), sqlx::migrate::MigrateError> {
    MIGRATOR.run(pool).await
}
