//! Asynchronous optimisation jobs: each job is recorded in Postgres ([`super::job_store`])
//! and run by the process that accepted it.
//!
//! At most [`MAX_RUNNING`] jobs search at once per process, the rest wait as `queued`. While
//! a job is queued or running its runner renews the job's heartbeat every [`HEARTBEAT`],
//! storing the latest progress and picking up cancel requests (so a `DELETE` answered by any
//! process stops the search through the solver's cancel flag). A job whose process died is
//! failed as `interrupted` once its heartbeat is older than [`job_store::LEASE`]: when read,
//! and by the sweeper [`spawn_sweeper`] that `fieldpath serve` starts.

use super::job_store::{self, JobView, Outcome, Status};
use super::optimize::{optimize, Hooks};
use super::run::{self, MAX_ASYNC_SECONDS};
use crate::error::ApiError;
use crate::vroom::Input;
use routing_graph::RoadGraph;
use serde_json::{json, Value};
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::sync::Semaphore;
use uuid::Uuid;

/// Jobs searching at the same time in one process.
pub const MAX_RUNNING: usize = 2;
/// How often a runner renews its jobs' heartbeats and stores their progress.
pub const HEARTBEAT: Duration = Duration::from_secs(1);

/// The jobs this process runs: solver slots and the cancel flags of its live jobs.
pub struct Runner {
    id: Uuid,
    slots: Arc<Semaphore>,
    cancels: Mutex<HashMap<Uuid, Arc<AtomicBool>>>,
}

/// This process's runner.
pub fn runner() -> &'static Runner {
    static RUNNER: OnceLock<Runner> = OnceLock::new();
    RUNNER.get_or_init(|| Runner {
        id: Uuid::new_v4(),
        slots: Arc::new(Semaphore::new(MAX_RUNNING)),
        cancels: Mutex::new(HashMap::new()),
    })
}

/// One job being run: where to write and what to watch.
#[derive(Clone)]
struct Live {
    pool: PgPool,
    org_id: Uuid,
    id: Uuid,
    runner: Uuid,
    cancel: Arc<AtomicBool>,
    progress: Arc<Mutex<Value>>,
}

fn initial_progress() -> Value {
    json!({"fraction": 0.0, "elapsed": 0.0, "iterations": 0, "best": null})
}

fn progress_report(p: &solver::Progress) -> Value {
    json!({
        "fraction": p.fraction.clamp(0.0, 1.0),
        "elapsed": p.elapsed.as_secs_f64(),
        "iterations": p.iterations,
        "best": {
            "cost": p.best.cost.round(),
            "routes": p.best.technicians_used,
            "served": p.best.served,
            "unassigned_priority": p.best.unassigned_priority,
            "distance": p.best.distance.round(),
            "duration": p.best.duration.round(),
        },
    })
}

impl Live {
    fn latest_progress(&self) -> Value {
        self.progress
            .lock()
            .map(|p| p.clone())
            .unwrap_or_else(|_| initial_progress())
    }

    /// Renews the heartbeat until aborted; sets the cancel flag when asked to stop.
    async fn heartbeats(self) {
        let mut tick = tokio::time::interval(HEARTBEAT);
        loop {
            tick.tick().await;
            let progress = self.latest_progress();
            match job_store::heartbeat(
                &self.pool,
                self.org_id,
                self.id,
                self.runner,
                Some(&progress),
            )
            .await
            {
                Ok(Some(false)) => {}
                // Cancel requested, or the job is no longer ours (declared interrupted).
                Ok(Some(true)) | Ok(None) => self.cancel.store(true, Ordering::SeqCst),
                Err(e) => {
                    tracing::warn!(job = %self.id, error = %e.message, "job heartbeat failed")
                }
            }
        }
    }

    /// Records the end of the run, retrying while the database is unreachable.
    async fn finish(&self, outcome: Outcome) {
        for attempt in 1..=10 {
            match job_store::finish(&self.pool, self.org_id, self.id, self.runner, &outcome).await {
                Ok(_) => return,
                Err(e) => {
                    tracing::warn!(job = %self.id, attempt, error = %e.message, "recording the job's end failed");
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
            }
        }
    }
}

fn error_json(e: &ApiError) -> Value {
    json!({"code": e.code, "message": e.message, "field": e.field})
}

impl Runner {
    /// Records and starts a job (returns at once with the queued view). Input errors that
    /// can be seen without solving (format, time budget) are answered here as 422.
    pub async fn submit(
        &'static self,
        pool: PgPool,
        org_id: Uuid,
        user_id: Uuid,
        input: Input,
        graph: Option<Arc<RoadGraph>>,
    ) -> Result<JobView, ApiError> {
        super::optimize::check_format(&input)?;
        run::time_limit(input.options.seconds, MAX_ASYNC_SECONDS)?;
        let stored = serde_json::to_value(&input).map_err(ApiError::internal)?;
        let view = job_store::insert(&pool, org_id, user_id, &stored, self.id).await?;
        let live = Live {
            pool,
            org_id,
            id: view.id,
            runner: self.id,
            cancel: Arc::new(AtomicBool::new(false)),
            progress: Arc::new(Mutex::new(initial_progress())),
        };
        if let Ok(mut cancels) = self.cancels.lock() {
            cancels.insert(view.id, live.cancel.clone());
        }
        tokio::spawn(async move {
            let heartbeats = tokio::spawn(live.clone().heartbeats());
            self.run(&live, input, graph).await;
            heartbeats.abort();
            if let Ok(mut cancels) = self.cancels.lock() {
                cancels.remove(&live.id);
            }
        });
        Ok(view)
    }

    async fn run(&self, live: &Live, input: Input, graph: Option<Arc<RoadGraph>>) {
        let Ok(_permit) = self.slots.clone().acquire_owned().await else {
            return;
        };
        match job_store::mark_running(&live.pool, live.org_id, live.id, live.runner).await {
            Ok(true) => {}
            // Cancelled while queued.
            Ok(false) => return,
            Err(e) => {
                let error = Some(error_json(&e));
                let progress = live.latest_progress();
                let outcome = Outcome {
                    status: Status::Failed,
                    progress,
                    result: None,
                    error,
                };
                live.finish(outcome).await;
                return;
            }
        }
        let reports = live.progress.clone();
        let hooks = Hooks {
            progress: Some(Arc::new(move |p: &solver::Progress| {
                if let Ok(mut latest) = reports.lock() {
                    *latest = progress_report(p);
                }
            })),
            cancel: Some(live.cancel.clone()),
            started: None,
        };
        let result = run::blocking(move || optimize(input, graph, MAX_ASYNC_SECONDS, hooks)).await;
        let cancelled = live.cancel.load(Ordering::SeqCst);
        let mut progress = live.latest_progress();
        let outcome = match result {
            Ok(done) => {
                if !cancelled {
                    progress["fraction"] = json!(1.0);
                }
                Outcome {
                    status: if cancelled {
                        Status::Cancelled
                    } else {
                        Status::Completed
                    },
                    progress,
                    result: serde_json::to_value(&done.output).ok(),
                    error: None,
                }
            }
            Err(e) => Outcome {
                status: if cancelled {
                    Status::Cancelled
                } else {
                    Status::Failed
                },
                progress,
                result: None,
                error: Some(error_json(&e)),
            },
        };
        live.finish(outcome).await;
    }

    /// Asks a job of `org_id` to stop (404 for another organisation's); if this process runs
    /// it, its solver stops at once, otherwise its runner sees the request on its next
    /// heartbeat.
    pub async fn cancel(&self, pool: &PgPool, org_id: Uuid, id: Uuid) -> Result<JobView, ApiError> {
        let view = job_store::request_cancel(pool, org_id, id).await?;
        if let Some(flag) = self.cancels.lock().ok().and_then(|c| c.get(&id).cloned()) {
            flag.store(true, Ordering::SeqCst);
        }
        Ok(view)
    }
}

/// Starts the background sweep: at once, then every [`job_store::LEASE`], jobs whose runner
/// died are failed as `interrupted` and old finished jobs are deleted.
pub fn spawn_sweeper(pool: PgPool) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(job_store::LEASE);
        loop {
            tick.tick().await;
            match job_store::sweep(&pool).await {
                Ok(0) => {}
                Ok(n) => tracing::warn!(
                    jobs = n,
                    "optimization jobs interrupted by a restart marked failed"
                ),
                Err(e) => tracing::warn!(error = %e.message, "optimization job sweep failed"),
            }
        }
    });
}
