//! `fieldpath serve`: the HTTP service on PostgreSQL.

use crate::config::Config;
use crate::state::AppState;
use anyhow::Context;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Arguments of `fieldpath serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// PostgreSQL connection URL.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: String,
    /// Address to listen on.
    #[arg(long, env = "FIELDPATH_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Road graph file (from `fieldpath import`): sites are snapped to it on save.
    #[arg(long, env = "FIELDPATH_GRAPH")]
    pub graph: Option<PathBuf>,
    /// Folder for local data (attachments).
    #[arg(long, env = "FIELDPATH_DATA_DIR", default_value = ".fieldpath/data")]
    pub data_dir: PathBuf,
    /// Keep attachments in this S3 bucket (binary built with `--features s3`; AWS_* variables).
    #[arg(long, env = "FIELDPATH_S3_BUCKET")]
    pub s3_bucket: Option<String>,
    /// Mark the session cookie Secure (when served over HTTPS).
    #[arg(long, env = "FIELDPATH_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// The service's public base URL (e.g. `https://help.example.com`): links in e-mails, such
    /// as the satisfaction survey link of the "resolved" e-mail, are built on it.
    #[arg(long, env = "FIELDPATH_PUBLIC_URL", value_parser = crate::config::parse_public_url)]
    pub public_url: Option<String>,
    /// Also run this many planning-scenario workers inside this process (0: none; start
    /// `fieldpath worker` processes instead).
    #[arg(long, env = "FIELDPATH_WORKERS", default_value_t = 0)]
    pub workers: usize,
}

impl Args {
    /// The service settings these arguments give.
    pub fn config(&self) -> Config {
        let mut config = Config::new(self.database_url.clone());
        config.bind = self.bind;
        config.graph = self.graph.clone();
        config.data_dir = self.data_dir.clone();
        config.s3_bucket = self.s3_bucket.clone();
        config.secure_cookies = self.secure_cookies;
        config.public_url = self.public_url.clone();
        config
    }
}

/// Runs `fieldpath serve` until Ctrl-C / SIGTERM.
pub fn run(args: Args) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(serve_with_workers(args.config(), args.workers))
}

/// Migrates the database (waiting up to a minute for it to come up), then serves.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    serve_with_workers(config, 0).await
}

/// [`serve`], with `workers` scenario-queue workers running in the same process.
pub async fn serve_with_workers(config: Config, workers: usize) -> anyhow::Result<()> {
    let bind = config.bind;
    let state = AppState::from_config(config)?;
    migrate_with_retry(&state).await?;
    let stop_workers = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    crate::queue::worker::spawn_in_process(
        state.db.clone(),
        state.graph.clone(),
        workers,
        stop_workers.clone(),
    );
    crate::desk::automation::spawn_background(state.clone());
    crate::planning::jobs::spawn_sweeper(state.db.clone());
    crate::desk::email::spawn_background(&state);
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("binding {bind}"))?;
    tracing::info!(address = %listener.local_addr()?, "fieldpath serving");
    let app = crate::http::router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    stop_workers.store(true, std::sync::atomic::Ordering::Relaxed);
    tracing::info!("fieldpath stopped");
    Ok(())
}

async fn migrate_with_retry(state: &AppState) -> anyhow::Result<()> {
    let mut attempt = 0;
    loop {
        match crate::db::migrate(&state.db).await {
            Ok(()) => return Ok(()),
            Err(e) if attempt < 30 => {
                attempt += 1;
                tracing::warn!(error = %e, attempt, "database not ready for migrations; retrying");
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
            Err(e) => return Err(e).context("running database migrations"),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
