//! `fieldpath worker`: run queued planning scenarios in the background. Start as many as
//! you like against the same database; they share the queue safely.

use anyhow::Context;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Duration;
use uuid::Uuid;

use crate::config::Config;
use crate::queue::worker::{scenario_runner, work, WorkerOptions};
use crate::queue::Queue;
use crate::scenario::Travel;

/// Arguments of `fieldpath worker`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// PostgreSQL connection URL.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: String,
    /// Road graph file for every run (else each scenario's own `graph`, else straight lines).
    #[arg(long, env = "FIELDPATH_GRAPH")]
    pub graph: Option<PathBuf>,
    /// Worker id stored on the runs it claims (default: host name and process id).
    #[arg(long)]
    pub id: Option<String>,
    /// Claims expire this long after the last heartbeat, seconds.
    #[arg(long, default_value_t = 30.0)]
    pub lease_seconds: f64,
    /// Wait between polls of an empty queue, milliseconds.
    #[arg(long, default_value_t = 1000)]
    pub poll_ms: u64,
    /// Only run scenarios of this organisation.
    #[arg(long)]
    pub org: Option<Uuid>,
    /// Solver threads per run; 0 means all cores.
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
}

/// Runs `fieldpath worker` until Ctrl-C / SIGTERM (the current run is finished first).
pub fn run(args: Args) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.lease_seconds.is_finite() && args.lease_seconds >= 1.0,
        "--lease-seconds must be at least 1"
    );
    let travel = match &args.graph {
        Some(path) => Some(Travel {
            estimator: std::sync::Arc::new(
                routing_graph::RoadGraph::load(path)
                    .with_context(|| format!("loading road graph {}", path.display()))?,
            ),
            warnings: Vec::new(),
        }),
        None => None,
    };
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "worker".into());
    let mut options = WorkerOptions::new(
        args.id
            .clone()
            .unwrap_or_else(|| format!("{host}-{}", std::process::id())),
    );
    options.poll = Duration::from_millis(args.poll_ms.max(10));
    options.heartbeat = Duration::from_secs_f64((args.lease_seconds / 3.0).max(0.5));
    options.org = args.org;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let pool = crate::db::pool(&Config::new(args.database_url.clone()))
            .context("database settings")?;
        crate::db::migrate(&pool)
            .await
            .context("running database migrations")?;
        let queue = Queue::new(pool, Duration::from_secs_f64(args.lease_seconds));
        let stop = options.stop.clone();
        tokio::spawn(async move {
            let _ = tokio::signal::ctrl_c().await;
            tracing::info!("stopping after the current run");
            stop.store(true, Ordering::Relaxed);
        });
        tracing::info!(worker = %options.id, "fieldpath worker waiting for scenario runs");
        let handled = work(&queue, scenario_runner(travel, args.threads), &options).await;
        tracing::info!(handled, "fieldpath worker stopped");
        Ok(())
    })
}
