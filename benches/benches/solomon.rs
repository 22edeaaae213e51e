//! Solomon VRPTW benchmark: solves each instance with a time budget, checks every result
//! with the independent checker and compares with the best known solutions (vehicles
//! first, `data/solomon/bks.csv`).
//!
//! ```text
//! cargo bench -p fieldpath-benches --bench solomon -- \
//!     [--seconds S] [--instances c101,r101,...] [--threads T] [--seed N] [--out results.md]
//! ```
//!
//! Defaults: all 56 instances, 1 s each, all cores, seed 1. Unknown arguments (such as
//! the `--bench` cargo adds) are ignored. Exits non-zero when a result fails the checker.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use fieldpath_benches::bks::{self, Bks};
use solver::formats::solomon;
use solver::SolveOptions;

/// Command-line settings.
struct Settings {
    seconds: f64,
    instances: Option<Vec<String>>,
    threads: usize,
    seed: u64,
    out: Option<PathBuf>,
}

fn settings() -> Result<Settings, String> {
    let mut s = Settings {
        seconds: 1.0,
        instances: None,
        threads: 0,
        seed: 1,
        out: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--seconds" => {
                s.seconds = value("--seconds")?
                    .parse()
                    .map_err(|_| "--seconds needs a number".to_string())?;
                if !(s.seconds.is_finite() && s.seconds > 0.0) {
                    return Err("--seconds must be positive".into());
                }
            }
            "--instances" => {
                s.instances = Some(
                    value("--instances")?
                        .split(',')
                        .map(|n| n.trim().to_lowercase())
                        .filter(|n| !n.is_empty())
                        .collect(),
                )
            }
            "--threads" => {
                s.threads = value("--threads")?
                    .parse()
                    .map_err(|_| "--threads needs an integer".to_string())?
            }
            "--seed" => {
                s.seed = value("--seed")?
                    .parse()
                    .map_err(|_| "--seed needs an integer".to_string())?
            }
            "--out" => s.out = Some(PathBuf::from(value("--out")?)),
            _ => {} // e.g. `--bench`, passed by cargo
        }
    }
    Ok(s)
}

/// One instance's result.
struct Row {
    name: String,
    vehicles: usize,
    distance: f64,
    bks: Option<Bks>,
    seconds: f64,
}

impl Row {
    fn gap(&self) -> Option<f64> {
        // Rounded to 0 below the printed precision (no "-0.00").
        self.bks
            .map(|b| (self.distance - b.distance) / b.distance * 100.0)
            .map(|g| if g.abs() < 0.005 { 0.0 } else { g })
    }

    fn hit(&self) -> Option<bool> {
        self.bks.map(|b| self.vehicles <= b.vehicles)
    }
}

fn instance_names(dir: &Path) -> Result<Vec<String>, String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .filter_map(|p| p.file_stem().and_then(|s| s.to_str()).map(str::to_string))
        .collect();
    names.sort();
    Ok(names)
}

fn solve_one(dir: &Path, name: &str, s: &Settings) -> Result<(usize, f64, f64), String> {
    let path = dir.join(format!("{name}.txt"));
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let inst = solomon::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let options = SolveOptions {
        time_limit: Duration::from_secs_f64(s.seconds),
        seed: s.seed,
        threads: s.threads,
        ..SolveOptions::default()
    };
    let started = Instant::now();
    let sol = solver::solve(&inst.problem, &options).map_err(|e| format!("{name}: {e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    let checked = solver::check::check(&inst.problem, &sol).map_err(|v| {
        let shown: Vec<String> = v.iter().take(3).map(|x| x.to_string()).collect();
        format!(
            "{name}: CHECK FAILED ({} violations): {}",
            v.len(),
            shown.join("; ")
        )
    })?;
    if checked.summary.unassigned_priority > 0 {
        return Err(format!(
            "{name}: {} customers left unassigned",
            sol.unassigned.len()
        ));
    }
    Ok((
        checked.summary.technicians_used,
        checked.summary.distance,
        seconds,
    ))
}

fn table(rows: &[Row], s: &Settings) -> String {
    let mut out = format!(
        "Solomon VRPTW, {} s per instance, threads: {}, seed {}\n\n\
         | instance | vehicles | distance | BKS vehicles | BKS distance | gap % | BKS vehicles reached | time s |\n\
         |---|---:|---:|---:|---:|---:|:---:|---:|\n",
        s.seconds,
        if s.threads == 0 { "all cores".to_string() } else { s.threads.to_string() },
        s.seed
    );
    let opt = |v: Option<String>| v.unwrap_or_else(|| "–".into());
    for r in rows {
        out += &format!(
            "| {} | {} | {:.2} | {} | {} | {} | {} | {:.2} |\n",
            r.name,
            r.vehicles,
            r.distance,
            opt(r.bks.map(|b| b.vehicles.to_string())),
            opt(r.bks.map(|b| format!("{:.2}", b.distance))),
            opt(r.gap().map(|g| format!("{g:.2}"))),
            opt(r.hit().map(|h| if h { "yes" } else { "no" }.to_string())),
            r.seconds
        );
    }
    let gaps: Vec<f64> = rows.iter().filter_map(Row::gap).collect();
    let hits = rows.iter().filter(|r| r.hit() == Some(true)).count();
    let with_bks = rows.iter().filter(|r| r.bks.is_some()).count();
    let vehicles: usize = rows.iter().map(|r| r.vehicles).sum();
    let bks_vehicles: usize = rows.iter().filter_map(|r| r.bks).map(|b| b.vehicles).sum();
    let distance: f64 = rows.iter().map(|r| r.distance).sum();
    let bks_distance: f64 = rows.iter().filter_map(|r| r.bks).map(|b| b.distance).sum();
    let mean = |g: &[f64]| {
        if g.is_empty() {
            0.0
        } else {
            g.iter().sum::<f64>() / g.len() as f64
        }
    };
    let mean_gap = mean(&gaps);
    let hit_gaps: Vec<f64> = rows
        .iter()
        .filter(|r| r.hit() == Some(true))
        .filter_map(Row::gap)
        .collect();
    let mean_hit_gap = mean(&hit_gaps);
    out += &format!(
        "\nMean distance gap: {mean_gap:.2} % (over the {} instances where the BKS vehicle count \
         was reached: {mean_hit_gap:.2} %). BKS vehicle count reached: {hits}/{with_bks}.\n",
        hit_gaps.len()
    );
    out += &format!(
        "Total vehicles {vehicles} (BKS {bks_vehicles}), total distance {distance:.2} (BKS {bks_distance:.2}).\n"
    );
    out
}

fn main() -> ExitCode {
    let s = match settings() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/solomon");
    let bks = match bks::read(&dir.join("bks.csv")) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let names = match &s.instances {
        Some(n) => n.clone(),
        None => match instance_names(&dir) {
            Ok(n) => n,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        },
    };
    let mut rows = Vec::new();
    let mut failed = false;
    for name in &names {
        match solve_one(&dir, name, &s) {
            Ok((vehicles, distance, seconds)) => {
                eprintln!("{name}: {vehicles} vehicles, distance {distance:.2}, {seconds:.2} s");
                rows.push(Row {
                    name: name.clone(),
                    vehicles,
                    distance,
                    bks: bks.get(name).copied(),
                    seconds,
                });
            }
            Err(e) => {
                eprintln!("error: {e}");
                failed = true;
            }
        }
    }
    let table = table(&rows, &s);
    println!("{table}");
    if let Some(out) = &s.out {
        if let Err(e) = std::fs::write(out, &table) {
            eprintln!("error: cannot write {}: {e}", out.display());
            return ExitCode::FAILURE;
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
