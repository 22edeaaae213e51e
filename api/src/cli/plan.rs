//! `fieldpath plan`: run a planning scenario offline — the base scenario and every
//! what-if variant, each planned by the greedy baseline and by the optimiser — and print
//! the plans side by side (optionally as JSON and CSV).

use anyhow::Context;
use std::path::PathBuf;

use crate::scenario::{self, RunOptions};

/// Arguments of `fieldpath plan`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scenario file (JSON; see README "Planning scenarios").
    #[arg(long)]
    pub scenario: PathBuf,
    /// Write the full report (every figure, every route) as JSON here.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Write one CSV row per plan here.
    #[arg(long)]
    pub csv: Option<PathBuf>,
    /// Optimiser budget per plan, seconds.
    #[arg(long, default_value_t = 10.0)]
    pub seconds: f64,
    /// Random seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Optimiser threads; 0 means all cores.
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
}

/// Runs `fieldpath plan`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let path = args.scenario.display().to_string();
    let text = std::fs::read_to_string(&args.scenario)
        .with_context(|| format!("cannot read scenario file {path}"))?;
    let file = scenario::parse(&text, &path)?;
    // Resolve the scenario before loading the graph: a bad field fails in milliseconds.
    scenario::Scenario::from_file(&file).with_context(|| path.clone())?;
    let travel = scenario::load_travel(file.graph.as_deref(), args.scenario.parent())
        .with_context(|| path.clone())?;
    let options = RunOptions {
        seconds: args.seconds,
        seed: args.seed,
        threads: args.threads,
        ..RunOptions::default()
    };
    let report = scenario::run(&file, &travel, &options).with_context(|| path.clone())?;
    print!("{}", report.table());
    if let Some(out) = &args.out {
        let json = serde_json::to_string_pretty(&report)?;
        std::fs::write(out, json)
            .with_context(|| format!("cannot write report {}", out.display()))?;
        println!("report written to {}", out.display());
    }
    if let Some(csv) = &args.csv {
        std::fs::write(csv, report.csv()?)
            .with_context(|| format!("cannot write CSV {}", csv.display()))?;
        println!("CSV written to {}", csv.display());
    }
    Ok(())
}
