//! Outgoing webhooks: organisations subscribe URLs to events; each event is written to the
//! delivery queue in the transaction of the change (so it is sent if and only if the change
//! commits) and sent by the background [`sender`] with retries and exponential backoff.
//! Deliveries are signed ([`sign`]): `X-Fieldpath-Signature: sha256=<hex HMAC-SHA256 of
//! "<timestamp>.<body>" with the subscription secret>` and `X-Fieldpath-Timestamp`.

pub mod sender;
pub mod sign;
pub mod store;

use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

/// Events a subscription can ask for (`*`: all).
pub const EVENTS: [&str; 5] = [
    "ticket.created",
    "ticket.updated",
    "ticket.sla_breached",
    "workorder.completed",
    "automation.rule",
];

/// Queues `event` for every active subscription of the organisation listening to it;
/// answers how many deliveries were queued.
pub async fn emit(
    conn: &mut PgConnection,
    org_id: Uuid,
    event: &str,
    data: &Value,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO webhook_deliveries (org_id, subscription_id, event, payload, next_attempt_at) \
         SELECT $1, id, $2, $3, now() FROM webhook_subscriptions \
         WHERE org_id = $1 AND active AND ($2 = ANY(events) OR '*' = ANY(events))",
    )
    .bind(org_id)
    .bind(event)
    .bind(data)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Queues `event` for one subscription (rule actions); false when it is missing or inactive.
pub async fn enqueue(
    conn: &mut PgConnection,
    org_id: Uuid,
    subscription_id: Uuid,
    event: &str,
    data: &Value,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO webhook_deliveries (org_id, subscription_id, event, payload, next_attempt_at) \
         SELECT $1, id, $3, $4, now() FROM webhook_subscriptions \
         WHERE org_id = $1 AND id = $2 AND active",
    )
    .bind(org_id)
    .bind(subscription_id)
    .bind(event)
    .bind(data)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Queues `workorder.completed` when a record change moved a work order to `completed`.
pub async fn on_record_change(
    conn: &mut PgConnection,
    org_id: Uuid,
    entity: &str,
    before: &Value,
    after: &Value,
) -> Result<(), sqlx::Error> {
    let status = |v: &Value| v.get("status").and_then(Value::as_str).map(str::to_string);
    if entity == "work_order"
        && status(after).as_deref() == Some("completed")
        && status(before).as_deref() != Some("completed")
    {
        emit(
            conn,
            org_id,
            "workorder.completed",
            &serde_json::json!({"work_order": after}),
        )
        .await?;
    }
    Ok(())
}
