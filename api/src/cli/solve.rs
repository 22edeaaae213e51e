//! `fieldpath solve`: solve a Solomon VRPTW instance, check the result with the
//! independent checker and write it as a VRPLIB solution.

use anyhow::Context;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use solver::formats::{solomon, vrplib};
use solver::SolveOptions;

/// Arguments of `fieldpath solve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Instance in the Solomon text format (e.g. data/solomon/c101.txt).
    #[arg(long)]
    pub solomon: PathBuf,
    /// Time budget in seconds.
    #[arg(long, default_value_t = 10.0)]
    pub seconds: f64,
    /// Random seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Worker threads; 0 means all cores.
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Iteration budget per thread, for reproducible runs (with --seed and --threads).
    #[arg(long)]
    pub max_iterations: Option<u64>,
    /// Where to write the VRPLIB solution.
    #[arg(long)]
    pub out: PathBuf,
}

/// Runs `fieldpath solve`.
pub fn run(args: Args) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.seconds.is_finite() && args.seconds > 0.0,
        "--seconds must be a positive number, got {}",
        args.seconds
    );
    let path = args.solomon.display();
    let text = std::fs::read_to_string(&args.solomon)
        .with_context(|| format!("cannot read instance file {path}"))?;
    let instance =
        solomon::parse(&text).with_context(|| format!("{path}: malformed Solomon instance"))?;
    let options = SolveOptions {
        time_limit: Duration::from_secs_f64(args.seconds),
        max_iterations: args.max_iterations,
        seed: args.seed,
        threads: args.threads,
        ..SolveOptions::default()
    };
    let started = Instant::now();
    let solution = solver::solve(&instance.problem, &options)
        .with_context(|| format!("{path}: cannot solve"))?;
    let elapsed = started.elapsed();
    let checked = solver::check::check(&instance.problem, &solution).map_err(|violations| {
        let shown: Vec<String> = violations.iter().take(3).map(|v| v.to_string()).collect();
        anyhow::anyhow!(
            "the solution failed the checker ({} violations): {}",
            violations.len(),
            shown.join("; ")
        )
    })?;
    std::fs::write(&args.out, vrplib::write(&instance.problem, &solution))
        .with_context(|| format!("cannot write solution file {}", args.out.display()))?;
    let s = &checked.summary;
    println!(
        "{}: {} vehicles, distance {:.2}, time {:.2} s (checked; written to {})",
        instance.name,
        s.technicians_used,
        s.distance,
        elapsed.as_secs_f64(),
        args.out.display()
    );
    if !solution.unassigned.is_empty() {
        println!(
            "{} customers unassigned (e.g. customer {}: {})",
            solution.unassigned.len(),
            instance.problem.jobs[solution.unassigned[0].job].id,
            solution.unassigned[0].reason.message()
        );
    }
    Ok(())
}
