//! Optimisation jobs in Postgres (table `optimize_jobs`): what a job was asked, where it is,
//! its progress, result or error, so it can be read after a restart.
//!
//! The process running a job (its `runner`) renews the job's heartbeat every second; every
//! runner write is guarded by `runner = $me AND status IN ('queued', 'running')`, so once a
//! job has been declared interrupted a late writer cannot revive it. A queued or running job
//! whose heartbeat is older than [`LEASE`] is failed with code `interrupted` — when it is read
//! ([`get`]) and by the periodic [`sweep`].

use crate::error::ApiError;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{json, Value};
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};
use std::time::Duration;
use uuid::Uuid;

/// A job whose runner has not renewed its heartbeat for this long is considered lost.
pub const LEASE: Duration = Duration::from_secs(15);
/// Finished jobs are deleted after this many days.
pub const KEEP_FINISHED_DAYS: i32 = 7;

/// Where a job is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Waiting for a solver slot.
    Queued,
    /// Computing the matrix or searching.
    Running,
    /// Finished; `result` holds the answer.
    Completed,
    /// Failed; `error` says why (`interrupted` when the service stopped meanwhile).
    Failed,
    /// Cancelled; `result` holds the best solution found until then, if the search had begun.
    Cancelled,
}

impl Status {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Queued => "queued",
            Status::Running => "running",
            Status::Completed => "completed",
            Status::Failed => "failed",
            Status::Cancelled => "cancelled",
        }
    }

    fn parse(s: &str) -> Result<Self, ApiError> {
        Ok(match s {
            "queued" => Status::Queued,
            "running" => Status::Running,
            "completed" => Status::Completed,
            "failed" => Status::Failed,
            "cancelled" => Status::Cancelled,
            other => return Err(ApiError::internal(format!("unknown job status {other}"))),
        })
    }
}

/// What `GET /api/v1/optimize/jobs/{id}` answers.
#[derive(Clone, Debug, Serialize)]
pub struct JobView {
    /// Job id.
    pub id: Uuid,
    /// Where it is.
    pub status: Status,
    /// When it was submitted.
    pub created_at: DateTime<Utc>,
    /// When the search (or the matrix) began.
    pub started_at: Option<DateTime<Utc>>,
    /// When it completed, failed or was cancelled.
    pub finished_at: Option<DateTime<Utc>>,
    /// `{fraction, elapsed, iterations, best}`: `best` holds the totals of the best solution
    /// so far.
    pub progress: Value,
    /// The VROOM answer once completed (or the best so far when cancelled).
    pub result: Option<Value>,
    /// Why it failed: `{code, message, field}`.
    pub error: Option<Value>,
}

const COLUMNS: &str = "id, status, created_at, started_at, finished_at, progress, result, error";
const OPEN: &str = "status IN ('queued', 'running')";

fn view(row: &PgRow) -> Result<JobView, ApiError> {
    let status: String = row.try_get("status")?;
    Ok(JobView {
        id: row.try_get("id")?,
        status: Status::parse(&status)?,
        created_at: row.try_get("created_at")?,
        started_at: row.try_get("started_at")?,
        finished_at: row.try_get("finished_at")?,
        progress: row.try_get("progress")?,
        result: row.try_get("result")?,
        error: row.try_get("error")?,
    })
}

/// The error recorded on a job lost to a restart or crash.
pub fn interrupted_error() -> Value {
    json!({"code": "interrupted", "field": null,
        "message": "the service stopped while this job was queued or running; submit it again"})
}

fn lease_secs() -> f64 {
    LEASE.as_secs_f64()
}

/// Records a new queued job run by `runner`.
pub async fn insert(
    pool: &PgPool,
    org_id: Uuid,
    created_by: Uuid,
    input: &Value,
    runner: Uuid,
) -> Result<JobView, ApiError> {
    let row = sqlx::query(&format!(
        "INSERT INTO optimize_jobs (org_id, id, created_by, input, runner) \
         VALUES ($1, $2, $3, $4, $5) RETURNING {COLUMNS}"
    ))
    .bind(org_id)
    .bind(Uuid::new_v4())
    .bind(created_by)
    .bind(input)
    .bind(runner)
    .fetch_one(pool)
    .await?;
    view(&row)
}

/// The job as seen by `org_id` (404 for another organisation's). A queued or running job
/// whose runner stopped renewing its heartbeat is failed as `interrupted` first.
pub async fn get(pool: &PgPool, org_id: Uuid, id: Uuid) -> Result<JobView, ApiError> {
    sqlx::query(&format!(
        "UPDATE optimize_jobs SET status = 'failed', error = $3, finished_at = now() \
         WHERE org_id = $1 AND id = $2 AND {OPEN} \
         AND heartbeat_at < now() - make_interval(secs => $4)"
    ))
    .bind(org_id)
    .bind(id)
    .bind(interrupted_error())
    .bind(lease_secs())
    .execute(pool)
    .await?;
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM optimize_jobs WHERE org_id = $1 AND id = $2"
    ))
    .bind(org_id)
    .bind(id)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| ApiError::not_found("optimization job"))?;
    view(&row)
}

/// Asks a job to stop: a queued job is cancelled at once; a running one gets its cancel flag
/// set (its runner stops the search); a finished one is left as it is.
pub async fn request_cancel(pool: &PgPool, org_id: Uuid, id: Uuid) -> Result<JobView, ApiError> {
    let row = sqlx::query(&format!(
        "UPDATE optimize_jobs SET cancel_requested = cancel_requested OR {OPEN}, \
             finished_at = CASE WHEN status = 'queued' THEN now() ELSE finished_at END, \
             status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END \
         WHERE org_id = $1 AND id = $2 RETURNING {COLUMNS}"
    ))
    .bind(org_id)
    .bind(id)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| ApiError::not_found("optimization job"))?;
    view(&row)
}

/// Moves a queued job of `runner` to running; false when it was cancelled (or taken over).
pub async fn mark_running(
    pool: &PgPool,
    org_id: Uuid,
    id: Uuid,
    runner: Uuid,
) -> Result<bool, ApiError> {
    let done = sqlx::query(
        "UPDATE optimize_jobs SET status = 'running', started_at = now(), heartbeat_at = now() \
         WHERE org_id = $1 AND id = $2 AND runner = $3 AND status = 'queued' \
         AND NOT cancel_requested",
    )
    .bind(org_id)
    .bind(id)
    .bind(runner)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Renews the heartbeat (and stores `progress` when given). Answers whether cancelling was
/// requested, or None when the job is no longer this runner's to run.
pub async fn heartbeat(
    pool: &PgPool,
    org_id: Uuid,
    id: Uuid,
    runner: Uuid,
    progress: Option<&Value>,
) -> Result<Option<bool>, ApiError> {
    let row = sqlx::query(&format!(
        "UPDATE optimize_jobs SET heartbeat_at = now(), progress = coalesce($4, progress) \
         WHERE org_id = $1 AND id = $2 AND runner = $3 AND {OPEN} RETURNING cancel_requested"
    ))
    .bind(org_id)
    .bind(id)
    .bind(runner)
    .bind(progress)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| r.try_get("cancel_requested")).transpose()?)
}

/// How a run ended.
pub struct Outcome {
    /// Completed, failed or cancelled.
    pub status: Status,
    /// Last progress report.
    pub progress: Value,
    /// The VROOM answer, if any.
    pub result: Option<Value>,
    /// `{code, message, field}` when failed.
    pub error: Option<Value>,
}

/// Records the end of a run; false when the job was no longer this runner's (already
/// declared interrupted).
pub async fn finish(
    pool: &PgPool,
    org_id: Uuid,
    id: Uuid,
    runner: Uuid,
    outcome: &Outcome,
) -> Result<bool, ApiError> {
    let done = sqlx::query(&format!(
        "UPDATE optimize_jobs SET status = $4, progress = $5, result = $6, error = $7, \
             finished_at = now(), heartbeat_at = now() \
         WHERE org_id = $1 AND id = $2 AND runner = $3 AND {OPEN}"
    ))
    .bind(org_id)
    .bind(id)
    .bind(runner)
    .bind(outcome.status.as_str())
    .bind(&outcome.progress)
    .bind(&outcome.result)
    .bind(&outcome.error)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Maintenance across all organisations (no caller, no tenant data leaves the database):
/// fails open jobs whose runner's heartbeat expired and deletes jobs finished more than
/// [`KEEP_FINISHED_DAYS`] ago. Answers how many jobs were failed as interrupted.
pub async fn sweep(pool: &PgPool) -> Result<u64, ApiError> {
    let failed = sqlx::query(&format!(
        "UPDATE optimize_jobs SET status = 'failed', error = $1, finished_at = now() \
         WHERE {OPEN} AND heartbeat_at < now() - make_interval(secs => $2)"
    ))
    .bind(interrupted_error())
    .bind(lease_secs())
    .execute(pool)
    .await?
    .rows_affected();
    sqlx::query("DELETE FROM optimize_jobs WHERE finished_at < now() - make_interval(days => $1)")
        .bind(KEEP_FINISHED_DAYS)
        .execute(pool)
        .await?;
    Ok(failed)
}
