//! Sends queued webhook deliveries. A batch of due deliveries is claimed with
//! `FOR UPDATE SKIP LOCKED` (and leased for a minute, so several service instances never send
//! the same one at once), each is POSTed with its signature headers, and the outcome is
//! logged: 2xx delivers; anything else retries after 30 s, 1 min, 2 min... (doubling, at
//! most 6 h) until [`MAX_ATTEMPTS`], then the delivery is marked failed.

use super::sign::{self, DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

/// Attempts before a delivery is given up.
pub const MAX_ATTEMPTS: i32 = 8;
/// Deliveries claimed per batch.
const BATCH: i64 = 20;

/// The wait before attempt `attempts + 1`, after `attempts` failed ones.
pub fn backoff(attempts: i32) -> Duration {
    let exp = attempts.clamp(1, 20) - 1;
    let secs = 30i64.saturating_mul(1i64 << exp);
    Duration::seconds(secs.min(6 * 3600))
}

/// The HTTP client: 10 s timeout, no redirects (a receiver cannot bounce the signed request
/// elsewhere).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("fieldpath-webhooks/1")
        .build()
        .unwrap_or_default()
}

#[derive(sqlx::FromRow)]
struct Claimed {
    id: Uuid,
    event: String,
    payload: Value,
    attempts: i32,
    created_at: DateTime<Utc>,
    url: String,
    secret: String,
    active: bool,
}

/// Sends the deliveries due at `now` (of one organisation, or all); answers how many were
/// attempted.
pub async fn deliver_due(
    pool: &PgPool,
    client: &reqwest::Client,
    org_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<usize, sqlx::Error> {
    let claimed: Vec<Claimed> = sqlx::query_as(
        "UPDATE webhook_deliveries d SET next_attempt_at = $2 + interval '1 minute' \
         FROM webhook_subscriptions s \
         WHERE d.id IN (SELECT id FROM webhook_deliveries WHERE status = 'pending' \
                        AND next_attempt_at <= $2 AND ($1::uuid IS NULL OR org_id = $1) \
                        ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED) \
           AND s.org_id = d.org_id AND s.id = d.subscription_id \
         RETURNING d.id, d.event, d.payload, d.attempts, d.created_at, s.url, s.secret, s.active",
    )
    .bind(org_id)
    .bind(now)
    .bind(BATCH)
    .fetch_all(pool)
    .await?;
    let n = claimed.len();
    for d in claimed {
        let attempts = d.attempts + 1;
        if !d.active {
            record(
                pool,
                d.id,
                "failed",
                attempts - 1,
                None,
                None,
                Some("the subscription is inactive"),
                now,
            )
            .await?;
            continue;
        }
        let body =
            json!({"id": d.id, "event": d.event, "created_at": d.created_at, "data": d.payload})
                .to_string();
        let ts = now.timestamp();
        let sent = client
            .post(&d.url)
            .header("content-type", "application/json")
            .header(SIGNATURE_HEADER, sign::sign(&d.secret, ts, body.as_bytes()))
            .header(TIMESTAMP_HEADER, ts.to_string())
            .header(EVENT_HEADER, &d.event)
            .header(DELIVERY_HEADER, d.id.to_string())
            .body(body)
            .send()
            .await;
        let (code, error) = match sent {
            Ok(r) if r.status().is_success() => (Some(i32::from(r.status().as_u16())), None),
            Ok(r) => (
                Some(i32::from(r.status().as_u16())),
                Some(format!("HTTP {}", r.status().as_u16())),
            ),
            Err(e) => (None, Some(e.to_string())),
        };
        match error {
            None => record(pool, d.id, "delivered", attempts, code, None, None, now).await?,
            Some(err) if attempts >= MAX_ATTEMPTS => {
                record(pool, d.id, "failed", attempts, code, None, Some(&err), now).await?
            }
            Some(err) => {
                let next = now + backoff(attempts);
                record(
                    pool,
                    d.id,
                    "pending",
                    attempts,
                    code,
                    Some(next),
                    Some(&err),
                    now,
                )
                .await?
            }
        }
    }
    Ok(n)
}

#[allow(clippy::too_many_arguments)]
async fn record(
    pool: &PgPool,
    id: Uuid,
    status: &str,
    attempts: i32,
    code: Option<i32>,
    next: Option<DateTime<Utc>>,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE webhook_deliveries SET status = $2, attempts = $3, last_status_code = coalesce($4, last_status_code), \
         next_attempt_at = $5, last_error = coalesce($6, last_error), \
         delivered_at = CASE WHEN $2 = 'delivered' THEN $7 ELSE delivered_at END WHERE id = $1",
    )
    .bind(id)
    .bind(status)
    .bind(attempts)
    .bind(code)
    .bind(next)
    .bind(error)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

/// Sends due deliveries every five seconds in the background.
pub fn spawn(pool: PgPool) {
    tokio::spawn(async move {
        let client = client();
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            loop {
                match deliver_due(&pool, &client, None, Utc::now()).await {
                    Ok(n) if n as i64 == BATCH => continue,
                    Ok(_) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, "webhook delivery failed");
                        break;
                    }
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::seconds(60));
        assert_eq!(backoff(4), Duration::seconds(240));
        assert_eq!(backoff(30), Duration::hours(6));
    }
}
