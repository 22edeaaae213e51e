//! Rows the board reads: technicians, work orders with their sites, assignments, positions.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::Value;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// A technician as the board needs it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TechRow {
    /// Technician id.
    pub id: Uuid,
    /// Display name.
    pub name: String,
    /// Linked login, if any.
    pub user_id: Option<Uuid>,
    /// `[{"skill", "level"}]`.
    pub skills: Value,
    /// `{"mon": [{"start": "08:00", "end": "17:00"}], ...}` (UTC).
    pub working_hours: Value,
    /// `[{"start", "end", "reason"}]`.
    pub time_off: Value,
    /// Start and end of the day's route.
    pub home_lat: f64,
    /// Start and end of the day's route.
    pub home_lon: f64,
    /// Most jobs in a day.
    pub max_jobs_per_day: i32,
}

/// A work order with its site.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct JobRow {
    /// Work-order id.
    pub id: Uuid,
    /// Version (for If-Match).
    pub version: i64,
    /// `WO-000123`.
    pub number: String,
    /// Title.
    pub title: String,
    /// low / medium / high / urgent.
    pub priority: String,
    /// Lifecycle status.
    pub status: String,
    /// Kind of work.
    pub work_type: String,
    /// Earliest start.
    pub window_start: Option<DateTime<Utc>>,
    /// Latest end.
    pub window_end: Option<DateTime<Utc>>,
    /// Minutes on site.
    pub estimated_duration_min: i32,
    /// `[{"skill", "level"}]`.
    pub required_skills: Value,
    /// The site.
    pub site_id: Uuid,
    /// Site name.
    pub site_name: String,
    /// Site address.
    pub address: Option<String>,
    /// Site latitude (snapped to the road when known).
    pub lat: f64,
    /// Site longitude (snapped to the road when known).
    pub lon: f64,
    /// Customer name.
    pub customer_name: Option<String>,
}

/// A planned visit.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AssignRow {
    /// Assignment id.
    pub id: Uuid,
    /// Version (for If-Match).
    pub version: i64,
    /// The work order.
    pub work_order_id: Uuid,
    /// The technician.
    pub technician_id: Uuid,
    /// Planned arrival / start of work.
    pub planned_start: DateTime<Utc>,
    /// Planned end of work.
    pub planned_end: DateTime<Utc>,
    /// Position in the technician's day.
    pub sequence: i32,
    /// Pinned: the optimiser and drag-and-drop leave it alone.
    pub locked: bool,
}

/// A technician's last known position.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PositionRow {
    /// The technician.
    pub technician_id: Uuid,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Accuracy, metres.
    pub accuracy_m: Option<f64>,
    /// When it was measured.
    pub at: DateTime<Utc>,
}

const JOB_SELECT: &str = "SELECT w.id, w.version, w.number, w.title, w.priority, w.status, \
     w.work_type, w.window_start, w.window_end, w.estimated_duration_min, w.required_skills, \
     w.site_id, s.name AS site_name, s.address, coalesce(s.snapped_lat, s.lat) AS lat, \
     coalesce(s.snapped_lon, s.lon) AS lon, c.name AS customer_name \
     FROM work_orders w JOIN sites s ON s.org_id = w.org_id AND s.id = w.site_id \
     LEFT JOIN customers c ON c.org_id = w.org_id AND c.id = w.customer_id";

const ASSIGN_SELECT: &str = "SELECT id, version, work_order_id, technician_id, planned_start, \
     planned_end, sequence, locked FROM assignments";

/// Active technicians of the organisation, by name.
pub async fn technicians(pool: &PgPool, org_id: Uuid) -> Result<Vec<TechRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, name, user_id, skills, working_hours, time_off, home_lat, home_lon, \
         max_jobs_per_day FROM technicians WHERE org_id = $1 AND active ORDER BY name, id",
    )
    .bind(org_id)
    .fetch_all(pool)
    .await
}

/// One technician of the organisation.
pub async fn technician(
    conn: &mut PgConnection,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<TechRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, name, user_id, skills, working_hours, time_off, home_lat, home_lon, \
         max_jobs_per_day FROM technicians WHERE org_id = $1 AND id = $2",
    )
    .bind(org_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// The technician linked to a login.
pub async fn technician_of_user(
    pool: &PgPool,
    org_id: Uuid,
    user_id: Uuid,
) -> Result<Option<TechRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, name, user_id, skills, working_hours, time_off, home_lat, home_lon, \
         max_jobs_per_day FROM technicians WHERE org_id = $1 AND user_id = $2 \
         ORDER BY created_at LIMIT 1",
    )
    .bind(org_id)
    .bind(user_id)
    .fetch_optional(pool)
    .await
}

/// Assignments starting in `[from, from + days)` (UTC dates), by technician and start.
pub async fn assignments(
    conn: &mut PgConnection,
    org_id: Uuid,
    from: NaiveDate,
    days: i64,
) -> Result<Vec<AssignRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{ASSIGN_SELECT} WHERE org_id = $1 AND (planned_start AT TIME ZONE 'UTC')::date >= $2 \
         AND (planned_start AT TIME ZONE 'UTC')::date < $2 + $3::int \
         ORDER BY technician_id, planned_start"
    ))
    .bind(org_id)
    .bind(from)
    .bind(days as i32)
    .fetch_all(conn)
    .await
}

/// One assignment, locked for update.
pub async fn lock_assignment(
    conn: &mut PgConnection,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<AssignRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{ASSIGN_SELECT} WHERE org_id = $1 AND id = $2 FOR UPDATE"
    ))
    .bind(org_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// The assignment of a work order, if it has one.
pub async fn assignment_of(
    conn: &mut PgConnection,
    org_id: Uuid,
    work_order_id: Uuid,
) -> Result<Option<AssignRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{ASSIGN_SELECT} WHERE org_id = $1 AND work_order_id = $2 ORDER BY planned_start LIMIT 1"
    ))
    .bind(org_id)
    .bind(work_order_id)
    .fetch_optional(conn)
    .await
}

/// Work orders by id.
pub async fn jobs_by_id(
    conn: &mut PgConnection,
    org_id: Uuid,
    ids: &[Uuid],
) -> Result<Vec<JobRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{JOB_SELECT} WHERE w.org_id = $1 AND w.id = ANY($2)"
    ))
    .bind(org_id)
    .bind(ids)
    .fetch_all(conn)
    .await
}

/// Open work orders without an assignment whose window starts in the range (or that have
/// no window), most urgent first.
pub async fn unassigned(
    conn: &mut PgConnection,
    org_id: Uuid,
    from: NaiveDate,
    days: i64,
) -> Result<Vec<JobRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{JOB_SELECT} WHERE w.org_id = $1 AND w.status IN ('draft', 'scheduled') \
         AND (w.window_start IS NULL OR ((w.window_start AT TIME ZONE 'UTC')::date >= $2 \
              AND (w.window_start AT TIME ZONE 'UTC')::date < $2 + $3::int)) \
         AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.org_id = w.org_id \
                         AND a.work_order_id = w.id) \
         ORDER BY array_position(ARRAY['urgent','high','medium','low'], w.priority), \
                  w.window_end NULLS LAST, w.number"
    ))
    .bind(org_id)
    .bind(from)
    .bind(days as i32)
    .fetch_all(conn)
    .await
}

/// Last known positions of the organisation's technicians.
pub async fn positions(pool: &PgPool, org_id: Uuid) -> Result<Vec<PositionRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT technician_id, lat, lon, accuracy_m, at FROM board_positions WHERE org_id = $1",
    )
    .bind(org_id)
    .fetch_all(pool)
    .await
}

/// Renumbers `sequence` of the technician's assignments on the day of `day` by start time.
pub async fn resequence(
    conn: &mut PgConnection,
    org_id: Uuid,
    technician_id: Uuid,
    day: NaiveDate,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE assignments a SET sequence = r.rn, version = a.version + 1, updated_at = now() \
         FROM (SELECT id, (row_number() OVER (ORDER BY planned_start, id) - 1)::int AS rn \
               FROM assignments WHERE org_id = $1 AND technician_id = $2 \
               AND (planned_start AT TIME ZONE 'UTC')::date = $3) r \
         WHERE a.id = r.id AND a.org_id = $1 AND a.sequence <> r.rn",
    )
    .bind(org_id)
    .bind(technician_id)
    .bind(day)
    .execute(conn)
    .await?;
    Ok(())
}

/// One assignment (no lock).
pub async fn assignments_by_id(
    conn: &mut PgConnection,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<AssignRow>, sqlx::Error> {
    sqlx::query_as(&format!("{ASSIGN_SELECT} WHERE org_id = $1 AND id = $2"))
        .bind(org_id)
        .bind(id)
        .fetch_optional(conn)
        .await
}
