//! The worker loop: claim a run, execute it off the async runtime while heartbeating
//! (lease renewal, progress, cancel flag), store the outcome; repeat until told to stop.

use anyhow::Context;
use serde_json::Value;
use std::collections::HashMap;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use uuid::Uuid;

use super::{Beat, Claimed, Queue};
use crate::scenario::{self, RunOptions, Travel};

/// What a runner can see while it works: the cancel flag and the progress to report.
#[derive(Clone, Default)]
pub struct RunContext {
    /// Set when the run is cancelled (or its claim lost): stop soon.
    pub cancel: Arc<AtomicBool>,
    progress: Arc<Mutex<(f64, String)>>,
}

impl RunContext {
    /// Records progress; sent with the next heartbeat.
    pub fn report(&self, fraction: f64, note: &str) {
        if let Ok(mut p) = self.progress.lock() {
            *p = (fraction, note.to_string());
        }
    }

    /// The last progress recorded.
    pub fn progress(&self) -> (f64, String) {
        self.progress
            .lock()
            .map(|p| p.clone())
            .unwrap_or((0.0, String::new()))
    }

    /// True once cancelled.
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

/// Executes one run (blocking; called on a blocking thread) and returns its result.
pub type Runner = Arc<dyn Fn(&Claimed, &RunContext) -> anyhow::Result<Value> + Send + Sync>;

/// How a worker behaves.
#[derive(Clone, Debug)]
pub struct WorkerOptions {
    /// Worker id stored on claimed runs.
    pub id: String,
    /// Wait between claims when the queue is empty.
    pub poll: Duration,
    /// Interval between heartbeats (well under the queue's lease).
    pub heartbeat: Duration,
    /// Only take runs of this organisation.
    pub org: Option<Uuid>,
    /// Set to stop after the current run.
    pub stop: Arc<AtomicBool>,
    /// Stop after this many runs.
    pub max_runs: Option<usize>,
}

impl WorkerOptions {
    /// Defaults: poll every second, heartbeat every 5 s, any organisation.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            poll: Duration::from_secs(1),
            heartbeat: Duration::from_secs(5),
            org: None,
            stop: Arc::new(AtomicBool::new(false)),
            max_runs: None,
        }
    }
}

/// Works until `options.stop` is set (or `max_runs` are done); returns the runs handled.
/// A database outage is waited out.
pub async fn work(queue: &Queue, runner: Runner, options: &WorkerOptions) -> usize {
    let mut handled = 0;
    while !options.stop.load(Ordering::Relaxed) {
        match queue.claim(&options.id, options.org).await {
            Ok(Some(claim)) => {
                tracing::info!(run = %claim.id, org = %claim.org_id, attempt = claim.attempt, worker = %options.id, "scenario run claimed");
                if let Err(e) = run_one(queue, &runner, claim, options).await {
                    tracing::warn!(error = %format!("{e:#}"), "storing a run's outcome failed; its lease will expire");
                }
                handled += 1;
                if options.max_runs.is_some_and(|m| handled >= m) {
                    break;
                }
            }
            Ok(None) => tokio::time::sleep(options.poll).await,
            Err(e) => {
                tracing::warn!(error = %e, "cannot claim a run; retrying");
                tokio::time::sleep(options.poll).await;
            }
        }
    }
    handled
}

/// Runs one claimed run to its end and stores the outcome.
async fn run_one(
    queue: &Queue,
    runner: &Runner,
    claim: Claimed,
    options: &WorkerOptions,
) -> anyhow::Result<()> {
    let ctx = RunContext::default();
    let mut task = {
        let (runner, claim, ctx) = (runner.clone(), claim.clone(), ctx.clone());
        tokio::task::spawn_blocking(move || runner(&claim, &ctx))
    };
    let mut ticker = tokio::time::interval(options.heartbeat);
    ticker.tick().await;
    let mut cancelled = false;
    let outcome = loop {
        tokio::select! {
            res = &mut task => break res,
            _ = ticker.tick() => {
                let (progress, note) = ctx.progress();
                match queue.heartbeat(&claim, progress, &note).await {
                    Ok(Beat::Continue) => {}
                    Ok(Beat::Cancel) => {
                        cancelled = true;
                        ctx.cancel.store(true, Ordering::Relaxed);
                    }
                    Ok(Beat::Lost) => {
                        tracing::warn!(run = %claim.id, "lease lost: another worker has the run; stopping");
                        ctx.cancel.store(true, Ordering::Relaxed);
                        let _ = task.await;
                        return Ok(());
                    }
                    Err(e) => tracing::warn!(error = %e, "heartbeat failed"),
                }
            }
        }
    };
    let stored = match outcome {
        _ if cancelled => queue.finish_cancelled(&claim).await,
        Ok(Ok(result)) => queue.complete(&claim, &result).await,
        Ok(Err(e)) => queue.fail(&claim, &format!("{e:#}")).await,
        Err(e) => queue.fail(&claim, &format!("the run panicked: {e}")).await,
    }
    .context("storing the run's outcome")?;
    if !stored {
        tracing::warn!(run = %claim.id, "lease lost before the outcome was stored");
    }
    Ok(())
}

/// The runner of scenario runs: parses the stored scenario, plans it, returns the JSON
/// report. Travel: `graph` when given (loaded once by the worker), else the scenario's own
/// graph file (loaded once per path and kept), else straight lines.
pub fn scenario_runner(graph: Option<Travel>, threads: usize) -> Runner {
    let shared = graph.map(Arc::new);
    let cache: Arc<Mutex<HashMap<Option<String>, Arc<Travel>>>> = Arc::default();
    Arc::new(move |claim: &Claimed, ctx: &RunContext| {
        let file = scenario::file::from_value(claim.scenario.clone())?;
        let travel = match &shared {
            Some(t) => t.clone(),
            None => {
                let cached = cache.lock().ok().and_then(|c| c.get(&file.graph).cloned());
                match cached {
                    Some(t) => t,
                    None => {
                        let t = Arc::new(scenario::load_travel(
                            file.graph.as_deref(),
                            None::<&std::path::Path>,
                        )?);
                        if let Ok(mut c) = cache.lock() {
                            c.insert(file.graph.clone(), t.clone());
                        }
                        t
                    }
                }
            }
        };
        let progress_ctx = ctx.clone();
        let options = RunOptions {
            seconds: claim.options["seconds"].as_f64().unwrap_or(10.0),
            seed: claim.options["seed"].as_u64().unwrap_or(1),
            threads,
            cancel: Some(ctx.cancel.clone()),
            progress: Some(Arc::new(move |f, note| progress_ctx.report(f, note))),
        };
        let report = scenario::run(&file, &travel, &options)?;
        Ok(serde_json::to_value(report)?)
    })
}

/// Starts `count` workers inside this process (`fieldpath serve --workers N`): they share
/// the queue with any separate `fieldpath worker` and plan on the service's road graph
/// (straight lines without one). They stop when `stop` is set.
pub fn spawn_in_process(
    pool: sqlx::PgPool,
    graph: Option<Arc<routing_graph::RoadGraph>>,
    count: usize,
    stop: Arc<AtomicBool>,
) -> Vec<tokio::task::JoinHandle<usize>> {
    let travel = graph.map(|g| Travel {
        estimator: g,
        warnings: Vec::new(),
    });
    let runner = scenario_runner(travel, 0);
    (0..count)
        .map(|k| {
            let queue = Queue::new(pool.clone(), Duration::from_secs(30));
            let mut options = WorkerOptions::new(format!("serve-{}-{k}", std::process::id()));
            options.stop = stop.clone();
            let runner = runner.clone();
            tokio::spawn(async move {
                tracing::info!(worker = %options.id, "in-process worker waiting for scenario runs");
                work(&queue, runner, &options).await
            })
        })
        .collect()
}
