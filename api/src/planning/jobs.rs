//! Asynchronous optimisation jobs: an in-memory registry per process.
//!
//! Jobs are lost when the service restarts (clients then get 404 and submit again); finished
//! jobs are kept for [`KEEP_FINISHED`]. At most [`MAX_RUNNING`] jobs search at once, the rest
//! wait as `queued`. Each job belongs to the organisation that created it: lookups from
//! another organisation answer 404.

use super::optimize::{optimize, Hooks};
use super::run::{self, MAX_ASYNC_SECONDS};
use crate::error::ApiError;
use crate::vroom::{Input, Output};
use chrono::{DateTime, Utc};
use routing_graph::RoadGraph;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::sync::Semaphore;
use uuid::Uuid;

/// Jobs searching at the same time.
pub const MAX_RUNNING: usize = 2;
/// How long a finished job stays readable.
pub const KEEP_FINISHED: Duration = Duration::from_secs(3600);

/// Where a job is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Waiting for a solver slot.
    Queued,
    /// Computing the matrix or searching.
    Running,
    /// Finished; `result` holds the answer.
    Done,
    /// Failed; `error` says why.
    Failed,
    /// Cancelled; `result` holds the best solution found until then, if the search had begun.
    Cancelled,
}

/// Progress of a running job.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ProgressOut {
    /// Share of the time budget used, 0 to 1.
    pub fraction: f64,
    /// Seconds since the search started.
    pub elapsed: f64,
    /// Search iterations so far.
    pub iterations: u64,
    /// Totals of the best solution so far.
    pub best: Option<Value>,
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
    /// When it finished, failed or was cancelled.
    pub finished_at: Option<DateTime<Utc>>,
    /// Progress (while running, and the last report afterwards).
    pub progress: ProgressOut,
    /// The VROOM answer once done (or the best so far when cancelled).
    pub result: Option<Output>,
    /// Why it failed: `{code, message, field}`.
    pub error: Option<Value>,
}

struct Entry {
    org_id: Uuid,
    cancel: Arc<AtomicBool>,
    view: Mutex<JobView>,
}

impl Entry {
    fn update(&self, f: impl FnOnce(&mut JobView)) {
        if let Ok(mut v) = self.view.lock() {
            f(&mut v);
        }
    }
    fn snapshot(&self) -> Option<JobView> {
        self.view.lock().ok().map(|v| v.clone())
    }
}

/// The registry.
pub struct Registry {
    jobs: Mutex<HashMap<Uuid, Arc<Entry>>>,
    slots: Arc<Semaphore>,
}

/// The process-wide registry.
pub fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| Registry {
        jobs: Mutex::new(HashMap::new()),
        slots: Arc::new(Semaphore::new(MAX_RUNNING)),
    })
}

impl Registry {
    /// Registers and starts a job (returns at once with the queued view).
    pub fn submit(
        &'static self,
        org_id: Uuid,
        input: Input,
        graph: Option<Arc<RoadGraph>>,
    ) -> Result<JobView, ApiError> {
        super::optimize::check_format(&input)?;
        run::time_limit(input.options.seconds, MAX_ASYNC_SECONDS)?;
        self.evict();
        let id = Uuid::new_v4();
        let view = JobView {
            id,
            status: Status::Queued,
            created_at: Utc::now(),
            finished_at: None,
            progress: ProgressOut::default(),
            result: None,
            error: None,
        };
        let entry = Arc::new(Entry {
            org_id,
            cancel: Arc::new(AtomicBool::new(false)),
            view: Mutex::new(view.clone()),
        });
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.insert(id, entry.clone());
        }
        let slots = self.slots.clone();
        tokio::spawn(async move {
            let Ok(_permit) = slots.acquire_owned().await else {
                return;
            };
            if entry.cancel.load(Ordering::SeqCst) {
                return;
            }
            entry.update(|v| v.status = Status::Running);
            let progress_entry = entry.clone();
            let hooks = Hooks {
                progress: Some(Arc::new(move |p: &solver::Progress| {
                    let best = serde_json::json!({
                        "cost": p.best.cost.round(),
                        "routes": p.best.technicians_used,
                        "served": p.best.served,
                        "unassigned_priority": p.best.unassigned_priority,
                        "distance": p.best.distance.round(),
                        "duration": p.best.duration.round(),
                    });
                    progress_entry.update(|v| {
                        v.progress = ProgressOut {
                            fraction: p.fraction.clamp(0.0, 1.0),
                            elapsed: p.elapsed.as_secs_f64(),
                            iterations: p.iterations,
                            best: Some(best),
                        }
                    });
                })),
                cancel: Some(entry.cancel.clone()),
                started: None,
            };
            let result =
                run::blocking(move || optimize(input, graph, MAX_ASYNC_SECONDS, hooks)).await;
            let cancelled = entry.cancel.load(Ordering::SeqCst);
            entry.update(|v| {
                v.finished_at = Some(Utc::now());
                match result {
                    Ok(done) => {
                        v.status = if cancelled { Status::Cancelled } else { Status::Done };
                        if !cancelled {
                            v.progress.fraction = 1.0;
                        }
                        v.result = Some(done.output);
                    }
                    Err(e) => {
                        v.status = if cancelled { Status::Cancelled } else { Status::Failed };
                        v.error = Some(serde_json::json!({"code": e.code, "message": e.message, "field": e.field}));
                    }
                }
            });
        });
        Ok(view)
    }

    fn entry(&self, org_id: Uuid, id: Uuid) -> Result<Arc<Entry>, ApiError> {
        self.jobs
            .lock()
            .ok()
            .and_then(|jobs| jobs.get(&id).cloned())
            .filter(|e| e.org_id == org_id)
            .ok_or_else(|| ApiError::not_found("optimization job"))
    }

    /// The job as seen by `org_id` (404 for another organisation's).
    pub fn get(&self, org_id: Uuid, id: Uuid) -> Result<JobView, ApiError> {
        self.entry(org_id, id)?
            .snapshot()
            .ok_or_else(|| ApiError::internal("job state poisoned"))
    }

    /// Asks the job to stop; a queued job is cancelled at once, a running one stops with its
    /// best solution so far. Finished jobs are left as they are.
    pub fn cancel(&self, org_id: Uuid, id: Uuid) -> Result<JobView, ApiError> {
        let entry = self.entry(org_id, id)?;
        entry.cancel.store(true, Ordering::SeqCst);
        entry.update(|v| {
            if v.status == Status::Queued {
                v.status = Status::Cancelled;
                v.finished_at = Some(Utc::now());
            }
        });
        entry
            .snapshot()
            .ok_or_else(|| ApiError::internal("job state poisoned"))
    }

    fn evict(&self) {
        let now = Utc::now();
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.retain(|_, e| {
                e.snapshot()
                    .and_then(|v| v.finished_at)
                    .is_none_or(|t| (now - t).to_std().unwrap_or_default() < KEEP_FINISHED)
            });
        }
    }
}
