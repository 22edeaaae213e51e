//! [`AppState`]: what every HTTP handler can reach.

use crate::auth::cache::AuthCache;
use crate::auth::rate_limit::LoginLimiter;
use crate::config::Config;
use crate::db::create_batch::CreateBatcher;
use anyhow::Context;
use metrics_exporter_prometheus::PrometheusHandle;
use object_store::ObjectStore;
use routing_graph::RoadGraph;
use sqlx::PgPool;
use std::sync::Arc;

/// Shared, cheaply clonable service state. Handlers take `State<AppState>`.
///
/// For a new router (optimize, VROOM/OSRM-compatible APIs): read `state.graph` for routing
/// (None when the service was started without `--graph`: answer 503/422 then), `state.db` for
/// records (always filter by the caller's `AuthUser::org_id`), and count solver runs with
/// [`crate::metrics::solver_run`].
#[derive(Clone)]
pub struct AppState {
    /// PostgreSQL pool (lazy; requests fail with 503 JSON while the database is down).
    pub db: PgPool,
    /// Settings.
    pub config: Arc<Config>,
    /// The road graph loaded with `--graph`, if any: sites are snapped to it on save.
    pub graph: Option<Arc<RoadGraph>>,
    /// Where attachments are kept (local folder or S3).
    pub store: Arc<dyn ObjectStore>,
    /// Failed-login throttling.
    pub login_limiter: Arc<LoginLimiter>,
    /// Prometheus exposition for `/metrics`.
    pub metrics: PrometheusHandle,
    /// Token → owner cache for request authentication (follows revocations via LISTEN).
    pub auth_cache: Arc<AuthCache>,
    /// Writes concurrent record creates together (group commit).
    pub creates: CreateBatcher,
}

impl AppState {
    /// Builds the state from settings: opens the (lazy) pool, loads the graph file, opens the
    /// attachment store. Does not touch the database; run [`crate::db::migrate`] separately.
    pub fn from_config(config: Config) -> anyhow::Result<Self> {
        let db = crate::db::pool(&config).context("database settings")?;
        let graph = match &config.graph {
            Some(path) => {
                let started = std::time::Instant::now();
                let graph = RoadGraph::load(path)
                    .with_context(|| format!("loading road graph {}", path.display()))?;
                tracing::info!(path = %path.display(), nodes = graph.node_count(), secs = started.elapsed().as_secs_f64(), "road graph loaded");
                Some(Arc::new(graph))
            }
            None => None,
        };
        Self::with_parts(config, db, graph)
    }

    /// Builds the state around an existing pool and graph (tests, embedding).
    pub fn with_parts(
        config: Config,
        db: PgPool,
        graph: Option<Arc<RoadGraph>>,
    ) -> anyhow::Result<Self> {
        let store = crate::storage::open(&config)?;
        Ok(Self {
            auth_cache: Arc::new(AuthCache::new(&db)),
            creates: CreateBatcher::new(&db),
            db,
            login_limiter: Arc::new(LoginLimiter::new(
                config.login_max_failures,
                config.login_window,
            )),
            config: Arc::new(config),
            graph,
            store,
            metrics: crate::metrics::handle(),
        })
    }
}
