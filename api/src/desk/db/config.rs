//! Per-organisation help-desk settings: custom statuses, custom fields, teams, business
//! calendars and SLA policies.

use crate::desk::business_hours::{BusinessCalendar, CalendarSpec, WeeklyHours};
use crate::desk::custom_fields::TicketField;
use crate::desk::sla::{PolicyConditions, SlaPolicy};
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// A custom status and the type it maps to.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TicketStatus {
    /// Id.
    pub id: Uuid,
    /// Name used as `status`.
    pub name: String,
    /// The built-in type.
    pub status_type: String,
}

/// A team of agents.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Team {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Members (users).
    pub member_ids: Vec<Uuid>,
}

/// A stored business calendar.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct StoredCalendar {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// IANA zone.
    pub time_zone: String,
    /// Weekly hours.
    pub hours: Json<WeeklyHours>,
    /// Closed days.
    pub holidays: Vec<NaiveDate>,
    /// Version.
    pub version: i64,
}

impl StoredCalendar {
    /// The calendar for arithmetic (a stored one was validated on save; a broken one counts
    /// around the clock rather than failing requests).
    pub fn calendar(&self) -> BusinessCalendar {
        BusinessCalendar::from_spec(&CalendarSpec {
            time_zone: self.time_zone.clone(),
            hours: self.hours.0.clone(),
            holidays: self.holidays.clone(),
        })
        .unwrap_or_else(|_| BusinessCalendar::always())
    }
}

/// Custom statuses.
pub async fn statuses(pool: &PgPool, org_id: Uuid) -> Result<Vec<TicketStatus>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, name, status_type FROM ticket_statuses WHERE org_id = $1 ORDER BY name",
    )
    .bind(org_id)
    .fetch_all(pool)
    .await
}

/// The type of a custom status name.
pub async fn status_type(
    conn: &mut PgConnection,
    org_id: Uuid,
    name: &str,
) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT status_type FROM ticket_statuses WHERE org_id = $1 AND name = $2")
            .bind(org_id)
            .bind(name)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|r| r.0))
}

/// Adds a custom status.
pub async fn add_status(
    pool: &PgPool,
    org_id: Uuid,
    name: &str,
    status_type: &str,
) -> Result<TicketStatus, sqlx::Error> {
    sqlx::query_as(
        "INSERT INTO ticket_statuses (org_id, name, status_type) VALUES ($1, $2, $3) \
         RETURNING id, name, status_type",
    )
    .bind(org_id)
    .bind(name)
    .bind(status_type)
    .fetch_one(pool)
    .await
}

/// Custom field definitions.
pub async fn fields(
    conn: &mut PgConnection,
    org_id: Uuid,
) -> Result<Vec<TicketField>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, key, label, kind, options, required FROM ticket_fields WHERE org_id = $1 ORDER BY key",
    )
    .bind(org_id)
    .fetch_all(conn)
    .await
}

/// Adds a custom field definition.
pub async fn add_field(
    pool: &PgPool,
    org_id: Uuid,
    f: &TicketField,
) -> Result<TicketField, sqlx::Error> {
    sqlx::query_as(
        "INSERT INTO ticket_fields (org_id, key, label, kind, options, required) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, key, label, kind, options, required",
    )
    .bind(org_id)
    .bind(&f.key)
    .bind(&f.label)
    .bind(&f.kind)
    .bind(&f.options)
    .bind(f.required)
    .fetch_one(pool)
    .await
}

/// Teams.
pub async fn teams(pool: &PgPool, org_id: Uuid) -> Result<Vec<Team>, sqlx::Error> {
    sqlx::query_as("SELECT id, name, member_ids FROM desk_teams WHERE org_id = $1 ORDER BY name")
        .bind(org_id)
        .fetch_all(pool)
        .await
}

/// Adds a team (members must be users of the organisation: checked by the caller).
pub async fn add_team(
    pool: &PgPool,
    org_id: Uuid,
    name: &str,
    members: &[Uuid],
) -> Result<Team, sqlx::Error> {
    sqlx::query_as(
        "INSERT INTO desk_teams (org_id, name, member_ids) VALUES ($1, $2, $3) RETURNING id, name, member_ids",
    )
    .bind(org_id)
    .bind(name)
    .bind(members)
    .fetch_one(pool)
    .await
}

/// How many of `ids` are office users of the organisation.
pub async fn count_staff(pool: &PgPool, org_id: Uuid, ids: &[Uuid]) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM users WHERE org_id = $1 AND id = ANY($2) AND role IN ('admin', 'dispatcher', 'agent')",
    )
    .bind(org_id)
    .bind(ids)
    .fetch_one(pool)
    .await?;
    Ok(n)
}

/// Calendars.
pub async fn calendars(pool: &PgPool, org_id: Uuid) -> Result<Vec<StoredCalendar>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, name, time_zone, hours, holidays, version FROM business_calendars WHERE org_id = $1 ORDER BY name",
    )
    .bind(org_id)
    .fetch_all(pool)
    .await
}

/// One calendar.
pub async fn calendar(
    conn: &mut PgConnection,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<StoredCalendar>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, name, time_zone, hours, holidays, version FROM business_calendars WHERE org_id = $1 AND id = $2",
    )
    .bind(org_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Adds a calendar (validated by the caller).
pub async fn add_calendar(
    pool: &PgPool,
    org_id: Uuid,
    name: &str,
    spec: &CalendarSpec,
) -> Result<StoredCalendar, sqlx::Error> {
    sqlx::query_as(
        "INSERT INTO business_calendars (org_id, name, time_zone, hours, holidays) VALUES ($1, $2, $3, $4, $5) \
         RETURNING id, name, time_zone, hours, holidays, version",
    )
    .bind(org_id)
    .bind(name)
    .bind(&spec.time_zone)
    .bind(Json(&spec.hours))
    .bind(&spec.holidays)
    .fetch_one(pool)
    .await
}

const POLICY_COLUMNS: &str = "id, name, position, active, conditions, first_response_mins, \
     next_response_mins, resolution_mins, calendar_id, escalate_to_id, version";

/// SLA policies.
pub async fn policies(
    conn: &mut PgConnection,
    org_id: Uuid,
) -> Result<Vec<SlaPolicy>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {POLICY_COLUMNS} FROM sla_policies WHERE org_id = $1 ORDER BY position, name"
    ))
    .bind(org_id)
    .fetch_all(conn)
    .await
}

/// What a new policy carries.
pub struct NewPolicy<'a> {
    /// Name.
    pub name: &'a str,
    /// Order.
    pub position: i32,
    /// Conditions.
    pub conditions: &'a PolicyConditions,
    /// Targets in business minutes.
    pub targets: [Option<i32>; 3],
    /// Calendar.
    pub calendar_id: Option<Uuid>,
    /// Escalation user.
    pub escalate_to_id: Option<Uuid>,
}

/// Adds a policy.
pub async fn add_policy(
    pool: &PgPool,
    org_id: Uuid,
    p: &NewPolicy<'_>,
) -> Result<SlaPolicy, sqlx::Error> {
    sqlx::query_as(&format!(
        "INSERT INTO sla_policies (org_id, name, position, conditions, first_response_mins, \
         next_response_mins, resolution_mins, calendar_id, escalate_to_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {POLICY_COLUMNS}"
    ))
    .bind(org_id)
    .bind(p.name)
    .bind(p.position)
    .bind(Json(p.conditions))
    .bind(p.targets[0])
    .bind(p.targets[1])
    .bind(p.targets[2])
    .bind(p.calendar_id)
    .bind(p.escalate_to_id)
    .fetch_one(pool)
    .await
}
