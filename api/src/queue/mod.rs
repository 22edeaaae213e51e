//! The Postgres-backed queue of scenario runs, shared safely by any number of workers.
//!
//! - A worker claims the oldest claimable run with `SELECT … FOR UPDATE SKIP LOCKED`, so two
//!   workers never take the same run, and holds a *lease* it renews with every heartbeat.
//! - A run whose lease expired (its worker crashed or lost the database) is claimable
//!   again, up to `max_attempts` claims; then it fails.
//! - Every update of a claimed run names the claim (worker id and attempt number): a worker
//!   that lost its lease can neither overwrite progress nor complete the run twice.
//! - Cancelling a queued run ends it at once; a running one gets its cancel flag set, which
//!   the worker sees on its next heartbeat and passes to the solver.
//!
//! Every run belongs to an organisation; reads and cancels take the organisation id.

pub mod worker;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sqlx::{PgPool, Row};
use std::time::Duration;
use uuid::Uuid;

/// The queue: a pool and the lease length of claims.
#[derive(Clone, Debug)]
pub struct Queue {
    pool: PgPool,
    lease: Duration,
}

/// A run claimed by a worker.
#[derive(Clone, Debug)]
pub struct Claimed {
    /// Run id.
    pub id: Uuid,
    /// Owning organisation.
    pub org_id: Uuid,
    /// The claiming worker.
    pub worker_id: String,
    /// Which claim of the run this is (1 for the first).
    pub attempt: i32,
    /// The scenario file as JSON.
    pub scenario: Value,
    /// Run options (`seconds`, `seed`).
    pub options: Value,
}

/// What a heartbeat learnt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Beat {
    /// Keep going; the lease is renewed.
    Continue,
    /// Someone asked to cancel the run.
    Cancel,
    /// The claim is no longer ours (lease expired and another worker took it).
    Lost,
}

/// A run as seen by its organisation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunStatus {
    /// Run id.
    pub id: Uuid,
    /// Owning organisation.
    pub org_id: Uuid,
    /// Name given at enqueue time.
    pub name: String,
    /// `queued`, `running`, `succeeded`, `failed` or `cancelled`.
    pub status: String,
    /// Claims so far.
    pub attempts: i32,
    /// Share done, 0 to 1.
    pub progress: f64,
    /// What is being planned.
    pub progress_note: String,
    /// A cancel was asked for.
    pub cancel_requested: bool,
    /// Worker holding (or last holding) the run.
    pub worker_id: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
    /// Where the scenario came from (`{"from_records": {"start", "end"}}`), if recorded.
    pub source: Option<Value>,
    /// The report (when succeeded and asked for).
    pub result: Option<Value>,
    /// Enqueued at.
    pub created_at: DateTime<Utc>,
    /// First claimed at.
    pub started_at: Option<DateTime<Utc>>,
    /// Ended at.
    pub finished_at: Option<DateTime<Utc>>,
}

const STATUS_COLUMNS: &str = "id, org_id, name, status, attempts, progress, progress_note, \
    cancel_requested, worker_id, error, created_at, started_at, finished_at, \
    options -> 'source' AS source";

fn status_from(row: &sqlx::postgres::PgRow, with_result: bool) -> Result<RunStatus, sqlx::Error> {
    Ok(RunStatus {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        name: row.try_get("name")?,
        status: row.try_get("status")?,
        attempts: row.try_get("attempts")?,
        progress: row.try_get("progress")?,
        progress_note: row.try_get("progress_note")?,
        cancel_requested: row.try_get("cancel_requested")?,
        worker_id: row.try_get("worker_id")?,
        error: row.try_get("error")?,
        source: row.try_get("source")?,
        result: if with_result {
            row.try_get("result")?
        } else {
            None
        },
        created_at: row.try_get("created_at")?,
        started_at: row.try_get("started_at")?,
        finished_at: row.try_get("finished_at")?,
    })
}

impl Queue {
    /// A queue on `pool` whose claims last `lease` between heartbeats.
    pub fn new(pool: PgPool, lease: Duration) -> Self {
        Self { pool, lease }
    }

    /// The lease length.
    pub fn lease(&self) -> Duration {
        self.lease
    }

    /// Adds a run; returns its id.
    pub async fn enqueue(
        &self,
        org_id: Uuid,
        name: &str,
        scenario: &Value,
        options: &Value,
        created_by: Option<Uuid>,
    ) -> Result<Uuid, sqlx::Error> {
        let row = sqlx::query(
            "INSERT INTO scenario_runs (org_id, name, scenario, options, created_by) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(org_id)
        .bind(name)
        .bind(scenario)
        .bind(options)
        .bind(created_by)
        .fetch_one(&self.pool)
        .await?;
        row.try_get("id")
    }

    /// Ends runs whose lease expired for good: cancelled ones as cancelled, ones out of
    /// attempts as failed.
    async fn sweep(&self) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE scenario_runs SET \
               status = CASE WHEN cancel_requested THEN 'cancelled' ELSE 'failed' END, \
               error = CASE WHEN cancel_requested THEN error \
                       ELSE 'its worker stopped answering ' || attempts || ' times' END, \
               finished_at = now(), updated_at = now(), lease_until = NULL \
             WHERE status = 'running' AND lease_until < now() \
               AND (cancel_requested OR attempts >= max_attempts)",
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Claims the oldest queued run, or a running one whose lease expired (only of `org`
    /// when given). `None`: nothing to do.
    pub async fn claim(
        &self,
        worker_id: &str,
        org: Option<Uuid>,
    ) -> Result<Option<Claimed>, sqlx::Error> {
        self.sweep().await?;
        let row = sqlx::query(
            "UPDATE scenario_runs r SET status = 'running', worker_id = $1, \
               attempts = r.attempts + 1, lease_until = now() + make_interval(secs => $2), \
               heartbeat_at = now(), started_at = coalesce(r.started_at, now()), updated_at = now() \
             WHERE r.id = ( \
               SELECT id FROM scenario_runs \
               WHERE (status = 'queued' \
                      OR (status = 'running' AND lease_until < now() AND attempts < max_attempts \
                          AND NOT cancel_requested)) \
                 AND ($3::uuid IS NULL OR org_id = $3) \
               ORDER BY created_at, id LIMIT 1 \
               FOR UPDATE SKIP LOCKED) \
             RETURNING r.id, r.org_id, r.attempts, r.scenario, r.options",
        )
        .bind(worker_id)
        .bind(self.lease.as_secs_f64())
        .bind(org)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(Claimed {
                id: row.try_get("id")?,
                org_id: row.try_get("org_id")?,
                worker_id: worker_id.to_string(),
                attempt: row.try_get("attempts")?,
                scenario: row.try_get("scenario")?,
                options: row.try_get("options")?,
            })
        })
        .transpose()
    }

    /// Renews the lease and records progress.
    pub async fn heartbeat(
        &self,
        claim: &Claimed,
        progress: f64,
        note: &str,
    ) -> Result<Beat, sqlx::Error> {
        let row = sqlx::query(
            "UPDATE scenario_runs SET lease_until = now() + make_interval(secs => $4), \
               heartbeat_at = now(), progress = $5, progress_note = $6, updated_at = now() \
             WHERE id = $1 AND worker_id = $2 AND attempts = $3 AND status = 'running' \
             RETURNING cancel_requested",
        )
        .bind(claim.id)
        .bind(&claim.worker_id)
        .bind(claim.attempt)
        .bind(self.lease.as_secs_f64())
        .bind(progress.clamp(0.0, 1.0))
        .bind(note)
        .fetch_optional(&self.pool)
        .await?;
        Ok(match row {
            None => Beat::Lost,
            Some(r) if r.try_get::<bool, _>("cancel_requested")? => Beat::Cancel,
            Some(_) => Beat::Continue,
        })
    }

    /// Ends a claimed run; false when the claim was lost meanwhile.
    async fn finish(
        &self,
        claim: &Claimed,
        status: &str,
        result: Option<&Value>,
        error: Option<&str>,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE scenario_runs SET status = $4, result = $5, error = $6, \
               progress = CASE WHEN $4 = 'succeeded' THEN 1 ELSE progress END, \
               finished_at = now(), updated_at = now(), lease_until = NULL \
             WHERE id = $1 AND worker_id = $2 AND attempts = $3 AND status = 'running'",
        )
        .bind(claim.id)
        .bind(&claim.worker_id)
        .bind(claim.attempt)
        .bind(status)
        .bind(result)
        .bind(error)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Stores the result; false when the claim was lost meanwhile.
    pub async fn complete(&self, claim: &Claimed, result: &Value) -> Result<bool, sqlx::Error> {
        self.finish(claim, "succeeded", Some(result), None).await
    }

    /// Marks the run failed; false when the claim was lost meanwhile.
    pub async fn fail(&self, claim: &Claimed, error: &str) -> Result<bool, sqlx::Error> {
        self.finish(claim, "failed", None, Some(error)).await
    }

    /// Marks the run cancelled (the worker stopped it); false when the claim was lost.
    pub async fn finish_cancelled(&self, claim: &Claimed) -> Result<bool, sqlx::Error> {
        self.finish(claim, "cancelled", None, None).await
    }

    /// A run of the organisation, with its result when `with_result`.
    pub async fn status(
        &self,
        org_id: Uuid,
        id: Uuid,
        with_result: bool,
    ) -> Result<Option<RunStatus>, sqlx::Error> {
        let sql = format!(
            "SELECT {STATUS_COLUMNS}, result FROM scenario_runs WHERE org_id = $1 AND id = $2"
        );
        let row = sqlx::query(&sql)
            .bind(org_id)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| status_from(&r, with_result)).transpose()
    }

    /// The organisation's latest runs, newest first (without results).
    pub async fn list(&self, org_id: Uuid, limit: i64) -> Result<Vec<RunStatus>, sqlx::Error> {
        let sql = format!(
            "SELECT {STATUS_COLUMNS} FROM scenario_runs WHERE org_id = $1 \
             ORDER BY created_at DESC, id LIMIT $2"
        );
        let rows = sqlx::query(&sql)
            .bind(org_id)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| status_from(r, false)).collect()
    }

    /// Cancels a run of the organisation: a queued one at once, a running one at its
    /// worker's next heartbeat. Returns the status afterwards (`None`: no such run).
    pub async fn cancel(&self, org_id: Uuid, id: Uuid) -> Result<Option<RunStatus>, sqlx::Error> {
        sqlx::query(
            "UPDATE scenario_runs SET \
               status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END, \
               finished_at = CASE WHEN status = 'queued' THEN now() ELSE finished_at END, \
               cancel_requested = true, updated_at = now() \
             WHERE org_id = $1 AND id = $2 AND status IN ('queued', 'running')",
        )
        .bind(org_id)
        .bind(id)
        .execute(&self.pool)
        .await?;
        self.status(org_id, id, false).await
    }
}
