//! Benchmark: a generated realistic week on the Liechtenstein road graph — 30 technicians
//! with mixed skills, 600 jobs with windows — planned by the greedy baseline and by the
//! optimiser. Target: at least 25% less travel time with no more jobs left unassigned.
//!
//! ```sh
//! cargo run --release -p fieldpath-api --example plan_week -- [--seconds 60] [--seed 1] [--graph file.graph]
//! ```

use chrono::NaiveDate;
use fieldpath_api::scenario::generate::{sites_on_roads, week, WeekOptions};
use fieldpath_api::scenario::{self, RunOptions, Travel};
use routing_graph::{ImportOptions, RoadGraph};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(2),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<bool> {
    let seconds: f64 = arg("--seconds").map_or(Ok(60.0), |s| s.parse())?;
    let seed: u64 = arg("--seed").map_or(Ok(1), |s| s.parse())?;
    let started = Instant::now();
    let graph = match arg("--graph") {
        Some(path) => RoadGraph::load(path)?,
        None => {
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
            RoadGraph::from_pbf(
                root.join("data/osm/liechtenstein-latest.osm.pbf"),
                &ImportOptions::default(),
            )?
            .0
        }
    };
    let graph_s = started.elapsed().as_secs_f64();
    let sites = sites_on_roads(&graph, 3000, seed);
    let file = week(&WeekOptions {
        name: "liechtenstein generated week".into(),
        graph: None,
        start: NaiveDate::from_ymd_opt(2025, 3, 3).unwrap_or_default(),
        days: 5,
        technicians: 30,
        jobs: 600,
        seed,
        sites,
    });
    let travel = Travel {
        estimator: Arc::new(graph),
        warnings: Vec::new(),
    };
    let options = RunOptions {
        seconds,
        seed,
        ..RunOptions::default()
    };
    let report = scenario::run(&file, &travel, &options)?;
    print!("{}", report.table());
    let saving = report
        .savings
        .first()
        .ok_or_else(|| anyhow::anyhow!("no plan"))?;
    let ok = saving.travel_time_reduction_pct >= 25.0
        && saving.unassigned_optimized <= saving.unassigned_greedy;
    println!(
        "road graph ready in {graph_s:.1} s; scenario run (matrix, greedy, optimiser, checks) {:.1} s; whole benchmark {:.1} s",
        report.wall_s,
        started.elapsed().as_secs_f64()
    );
    println!(
        "target (>= 25% less travel time, no more unassigned): {}",
        if ok { "met" } else { "NOT met" }
    );
    Ok(ok)
}
