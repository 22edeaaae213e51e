//! Webhook subscriptions and the delivery log, scoped by organisation.

use crate::desk::db::versioned;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;

/// A subscription (the secret is shown once, when created).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Subscription {
    /// Id.
    pub id: Uuid,
    /// Target URL (http or https).
    pub url: String,
    /// Events (see [`super::EVENTS`]; `*` for all).
    pub events: Vec<String>,
    /// Signing secret.
    #[serde(skip_serializing)]
    pub secret: String,
    /// Inactive subscriptions get no new deliveries.
    pub active: bool,
    /// Optimistic-concurrency version.
    pub version: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

const TABLE: &str = "webhook_subscriptions";
const COLUMNS: &str = "id, url, events, secret, active, version, created_at, updated_at";

/// Subscriptions of the organisation.
pub async fn list(pool: &PgPool, org_id: Uuid) -> Result<Vec<Subscription>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM webhook_subscriptions WHERE org_id = $1 ORDER BY created_at, id"
    ))
    .bind(org_id)
    .fetch_all(pool)
    .await
}

/// One subscription.
pub async fn get(
    pool: &PgPool,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<Subscription>, sqlx::Error> {
    versioned::get(pool, TABLE, COLUMNS, org_id, id).await
}

/// Adds a subscription.
pub async fn insert(
    pool: &PgPool,
    org_id: Uuid,
    url: &str,
    events: &[String],
    secret: &str,
    active: bool,
) -> Result<Subscription, sqlx::Error> {
    sqlx::query_as(&format!(
        "INSERT INTO webhook_subscriptions (org_id, url, events, secret, active) \
         VALUES ($1, $2, $3, $4, $5) RETURNING {COLUMNS}"
    ))
    .bind(org_id)
    .bind(url)
    .bind(events)
    .bind(secret)
    .bind(active)
    .fetch_one(pool)
    .await
}

/// Changes URL, events and active flag at version `expected` (None: missing or stale).
pub async fn update(
    pool: &PgPool,
    org_id: Uuid,
    id: Uuid,
    expected: i64,
    s: &Subscription,
) -> Result<Option<Subscription>, sqlx::Error> {
    sqlx::query_as(&format!(
        "UPDATE webhook_subscriptions SET url = $4, events = $5, active = $6, secret = $7, \
         version = version + 1, updated_at = now() \
         WHERE org_id = $1 AND id = $2 AND version = $3 RETURNING {COLUMNS}"
    ))
    .bind(org_id)
    .bind(id)
    .bind(expected)
    .bind(&s.url)
    .bind(&s.events)
    .bind(s.active)
    .bind(&s.secret)
    .fetch_optional(pool)
    .await
}

/// Deletes a subscription and its log at version `expected`; true when deleted.
pub async fn delete(
    pool: &PgPool,
    org_id: Uuid,
    id: Uuid,
    expected: i64,
) -> Result<bool, sqlx::Error> {
    versioned::delete(pool, TABLE, org_id, id, expected).await
}

/// One entry of the delivery log.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Delivery {
    /// Id (also sent as `X-Fieldpath-Delivery`).
    pub id: Uuid,
    /// Event.
    pub event: String,
    /// `pending`, `delivered` or `failed` (gave up).
    pub status: String,
    /// Attempts made.
    pub attempts: i32,
    /// Next attempt (pending only).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// HTTP status of the last attempt (None: no answer).
    pub last_status_code: Option<i32>,
    /// Last failure (kept after a later success).
    pub last_error: Option<String>,
    /// When delivered.
    pub delivered_at: Option<DateTime<Utc>>,
    /// Queued.
    pub created_at: DateTime<Utc>,
    /// The event data.
    pub payload: serde_json::Value,
}

/// The latest deliveries of a subscription, newest first.
pub async fn deliveries(
    pool: &PgPool,
    org_id: Uuid,
    subscription_id: Uuid,
    limit: i64,
) -> Result<Vec<Delivery>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, event, status, attempts, next_attempt_at, last_status_code, last_error, \
         delivered_at, created_at, payload FROM webhook_deliveries \
         WHERE org_id = $1 AND subscription_id = $2 ORDER BY created_at DESC, id LIMIT $3",
    )
    .bind(org_id)
    .bind(subscription_id)
    .bind(limit)
    .fetch_all(pool)
    .await
}
