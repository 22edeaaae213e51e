//! `fieldpath demo`: seeds the demo organisation and prints its logins.

use anyhow::Context;
use std::path::PathBuf;

/// Arguments of `fieldpath demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// PostgreSQL connection URL.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: String,
    /// Road graph file: demo sites are placed on its roads.
    #[arg(long, env = "FIELDPATH_GRAPH")]
    pub graph: Option<PathBuf>,
}

/// Runs `fieldpath demo`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let graph = match &args.graph {
        Some(path) => Some(
            routing_graph::RoadGraph::load(path)
                .with_context(|| format!("loading {}", path.display()))?,
        ),
        None => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let pool = crate::db::pool(&crate::config::Config::new(args.database_url.clone()))?;
        crate::db::migrate(&pool)
            .await
            .context("running migrations")?;
        let today = chrono::Utc::now().date_naive();
        let summary = crate::demo::seed(&pool, graph.as_ref(), today).await?;
        println!(
            "demo organisation {} ({}); {} work orders added",
            summary.org_id,
            if summary.created {
                "created"
            } else {
                "already there"
            },
            summary.work_orders_added
        );
        println!("logins (password: {}):", crate::demo::DEMO_PASSWORD);
        for (email, role) in &summary.users {
            println!("  {role:<11} {email}");
        }
        Ok(())
    })
}
