//! Quick tuning loop on a few Solomon instances.
//!
//! `cargo run --release -p solver --example tune -- SECONDS THREADS c101 r101 ...`
//! (instances default to a small mixed set; `all` runs the 56). Prints vehicles,
//! distance and the gap to the vehicles-first BKS of `data/solomon/bks.csv`.

use std::collections::HashMap;
use std::time::Duration;

use solver::{Job, Objective, Problem, Shift, Skills, SolveOptions, Technician, TimeWindow};

fn parse(text: &str) -> Option<Problem> {
    let rows: Vec<Vec<f64>> = text
        .lines()
        .map(|l| {
            l.split_whitespace()
                .filter_map(|x| x.parse().ok())
                .collect::<Vec<f64>>()
        })
        .collect();
    let fleet = rows.iter().find(|r| r.len() == 2)?;
    let (vehicles, capacity) = (fleet[0] as usize, fleet[1] as i64);
    let cust: Vec<&Vec<f64>> = rows.iter().filter(|r| r.len() == 7).collect();
    let n = cust.len();
    let matrix = solver::TravelMatrix::from_fn(n, |a, b| {
        let d = ((cust[a][1] - cust[b][1]).powi(2) + (cust[a][2] - cust[b][2]).powi(2)).sqrt();
        (d, d)
    });
    let depot = cust[0];
    let technicians = (0..vehicles)
        .map(|v| Technician {
            id: format!("v{v}"),
            start: Some(0),
            end: Some(0),
            shift: Shift::new(depot[4], depot[5]),
            breaks: vec![],
            skills: Skills::none(),
            capacity: vec![capacity],
            max_jobs: None,
            costs: Default::default(),
        })
        .collect();
    let jobs = cust[1..]
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut j = Job::new(format!("{}", c[0]), i + 1, c[6], 1);
            j.demand = vec![c[3] as i64];
            j.time_windows = vec![TimeWindow::new(c[4], c[5])];
            j
        })
        .collect();
    Some(Problem {
        matrix,
        technicians,
        jobs,
        dimensions: 1,
        objective: Objective::default(),
        replan: None,
    })
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let secs: f64 = args.first().and_then(|s| s.parse().ok()).unwrap_or(1.0);
    let threads: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(2);
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/solomon");
    let bks_text = std::fs::read_to_string(format!("{root}/bks.csv")).unwrap_or_default();
    let bks: HashMap<String, (usize, f64)> = bks_text
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            Some((
                f.first()?.to_string(),
                (f.get(1)?.parse().ok()?, f.get(2)?.parse().ok()?),
            ))
        })
        .collect();
    let mut names: Vec<String> = args.iter().skip(2).cloned().collect();
    if names.is_empty() {
        names = ["c101", "r101", "rc101", "r201", "rc201", "r112"]
            .map(String::from)
            .to_vec();
    }
    if names == ["all"] {
        let mut all: Vec<String> = bks.keys().cloned().collect();
        all.sort();
        names = all;
    }
    let (mut gaps, mut hits) = (Vec::new(), 0);
    for name in &names {
        let Ok(text) = std::fs::read_to_string(format!("{root}/{name}.txt")) else {
            eprintln!("{name}: missing");
            continue;
        };
        let Some(problem) = parse(&text) else {
            eprintln!("{name}: unreadable");
            continue;
        };
        let iters = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let it2 = iters.clone();
        let options = SolveOptions {
            time_limit: Duration::from_secs_f64(secs),
            threads,
            progress: Some(std::sync::Arc::new(move |p: &solver::Progress| {
                it2.store(p.iterations, std::sync::atomic::Ordering::Relaxed);
                if std::env::var_os("TUNE_VERBOSE").is_some() {
                    eprintln!(
                        "  {:6.2}s veh {} cost {:.2} it {}",
                        p.elapsed.as_secs_f64(),
                        p.best.technicians_used,
                        p.best.cost,
                        p.iterations
                    );
                }
            })),
            ..Default::default()
        };
        let t = std::time::Instant::now();
        let Ok(sol) = solver::solve(&problem, &options) else {
            eprintln!("{name}: solve failed");
            continue;
        };
        let (bv, bd) = bks.get(name).copied().unwrap_or((0, f64::NAN));
        let gap = 100.0 * (sol.summary.distance - bd) / bd;
        gaps.push(gap);
        let hit = sol.summary.technicians_used <= bv;
        hits += usize::from(hit);
        println!(
            "{name:6} veh {:2} (bks {bv:2}{}) dist {:9.2} (bks {bd:9.2}) gap {gap:6.2}% unassigned {} in {:.1}s, {} it",
            sol.summary.technicians_used,
            if hit { "" } else { " MISS" },
            sol.summary.distance,
            sol.unassigned.len(),
            t.elapsed().as_secs_f64(),
            iters.load(std::sync::atomic::Ordering::Relaxed)
        );
    }
    let mean = gaps.iter().sum::<f64>() / gaps.len().max(1) as f64;
    println!("mean gap {mean:.2}%  vehicle hits {hits}/{}", gaps.len());
}
