//! Changing and deleting business calendars and SLA policies, and recomputing the due times
//! of the organisation's open tickets afterwards (in the same transaction).

use crate::desk::business_hours::CalendarSpec;
use crate::desk::db::config::{NewPolicy, StoredCalendar};
use crate::desk::db::tickets;
use crate::desk::lifecycle;
use crate::desk::sla::SlaPolicy;
use crate::error::ApiResult;
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::PgConnection;
use uuid::Uuid;

/// Replaces a calendar at version `expected`; None when missing or stale.
pub async fn update_calendar(
    conn: &mut PgConnection,
    org_id: Uuid,
    id: Uuid,
    expected: i64,
    name: &str,
    spec: &CalendarSpec,
) -> Result<Option<StoredCalendar>, sqlx::Error> {
    sqlx::query_as(
        "UPDATE business_calendars SET name = $4, time_zone = $5, hours = $6, holidays = $7, \
         version = version + 1, updated_at = now() WHERE org_id = $1 AND id = $2 AND version = $3 \
         RETURNING id, name, time_zone, hours, holidays, version",
    )
    .bind(org_id)
    .bind(id)
    .bind(expected)
    .bind(name)
    .bind(&spec.time_zone)
    .bind(Json(&spec.hours))
    .bind(&spec.holidays)
    .fetch_optional(conn)
    .await
}

/// How many SLA policies use the calendar.
pub async fn policies_using(
    conn: &mut PgConnection,
    org_id: Uuid,
    calendar_id: Uuid,
) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM sla_policies WHERE org_id = $1 AND calendar_id = $2")
            .bind(org_id)
            .bind(calendar_id)
            .fetch_one(conn)
            .await?;
    Ok(n)
}

/// Deletes a calendar at version `expected` (callers check [`policies_using`] first).
pub async fn delete_calendar(
    conn: &mut PgConnection,
    org_id: Uuid,
    id: Uuid,
    expected: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "DELETE FROM business_calendars WHERE org_id = $1 AND id = $2 AND version = $3",
    )
    .bind(org_id)
    .bind(id)
    .bind(expected)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces a policy at version `expected`; None when missing or stale.
pub async fn update_policy(
    conn: &mut PgConnection,
    org_id: Uuid,
    id: Uuid,
    expected: i64,
    active: bool,
    p: &NewPolicy<'_>,
) -> Result<Option<SlaPolicy>, sqlx::Error> {
    sqlx::query_as(
        "UPDATE sla_policies SET name = $4, position = $5, conditions = $6, first_response_mins = $7, \
         next_response_mins = $8, resolution_mins = $9, calendar_id = $10, escalate_to_id = $11, \
         active = $12, version = version + 1, updated_at = now() \
         WHERE org_id = $1 AND id = $2 AND version = $3 \
         RETURNING id, name, position, active, conditions, first_response_mins, \
         next_response_mins, resolution_mins, calendar_id, escalate_to_id, version",
    )
    .bind(org_id)
    .bind(id)
    .bind(expected)
    .bind(p.name)
    .bind(p.position)
    .bind(Json(p.conditions))
    .bind(p.targets[0])
    .bind(p.targets[1])
    .bind(p.targets[2])
    .bind(p.calendar_id)
    .bind(p.escalate_to_id)
    .bind(active)
    .fetch_optional(conn)
    .await
}

/// Deletes a policy at version `expected`; tickets it applied to lose the link first.
pub async fn delete_policy(
    conn: &mut PgConnection,
    org_id: Uuid,
    id: Uuid,
    expected: i64,
) -> Result<bool, sqlx::Error> {
    let (current,): (Option<i64>,) =
        sqlx::query_as("SELECT (SELECT version FROM sla_policies WHERE org_id = $1 AND id = $2)")
            .bind(org_id)
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
    if current != Some(expected) {
        return Ok(false);
    }
    sqlx::query("UPDATE tickets SET sla_policy_id = NULL WHERE org_id = $1 AND sla_policy_id = $2")
        .bind(org_id)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let done = sqlx::query("DELETE FROM sla_policies WHERE org_id = $1 AND id = $2")
        .bind(org_id)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Recomputes the SLA clock and due times of every open ticket of the organisation at
/// `now` (after a policy or calendar changed); answers how many tickets changed.
pub async fn recompute_open(
    conn: &mut PgConnection,
    org_id: Uuid,
    now: DateTime<Utc>,
) -> ApiResult<usize> {
    let ids: Vec<(Uuid,)> = sqlx::query_as(
        "SELECT id FROM tickets WHERE org_id = $1 AND status_type NOT IN ('resolved', 'closed') ORDER BY id",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut changed = 0;
    for (id,) in ids {
        let Some(before) = tickets::lock(conn, org_id, id).await? else {
            continue;
        };
        let mut t = before.clone();
        lifecycle::refresh_sla(conn, org_id, &mut t, now).await?;
        if t.to_json() != before.to_json() {
            tickets::write(conn, org_id, &t).await?;
            changed += 1;
        }
    }
    Ok(changed)
}
