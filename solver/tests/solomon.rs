//! Every shipped Solomon instance parses; VRPLIB solutions round-trip; a quick solve of a
//! few instances passes the checker.

use std::path::PathBuf;
use std::time::Duration;

use solver::check::{assemble, check};
use solver::formats::{solomon, vrplib};
use solver::{SolveOptions, Step, UnassignedReason};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/solomon")
}

fn load(name: &str) -> solomon::Instance {
    let text = std::fs::read_to_string(dir().join(format!("{name}.txt"))).expect("read");
    solomon::parse(&text).expect("parse")
}

#[test]
fn every_instance_parses() {
    let mut count = 0;
    for entry in std::fs::read_dir(dir()).expect("data dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "txt") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read");
        let inst = solomon::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let stem = path.file_stem().and_then(|s| s.to_str()).expect("name");
        assert_eq!(inst.name.to_lowercase(), stem);
        assert_eq!(inst.problem.jobs.len(), 100, "{stem}");
        assert_eq!(inst.problem.jobs[0].id, "1");
        assert_eq!(inst.problem.technicians.len(), inst.vehicles);
        assert!(inst.problem.matrix.size() == 101);
        count += 1;
    }
    assert_eq!(count, 56);
}

#[test]
fn vrplib_round_trip() {
    let inst = load("c101");
    let p = &inst.problem;
    // Customers by id 1..=100 split into 10-customer routes, in file order.
    let routes: Vec<(usize, Vec<Step>)> = (0..10)
        .map(|r| (r, (r * 10..r * 10 + 10).map(Step::Job).collect()))
        .collect();
    let sol = assemble(p, routes.clone(), UnassignedReason::NoRoom);
    let text = vrplib::write(p, &sol);
    assert!(
        text.starts_with("Route #1: 1 2 3 4 5 6 7 8 9 10\n"),
        "{text}"
    );
    let parsed = vrplib::parse(&text).expect("parse");
    assert_eq!(parsed.routes.len(), 10);
    let back = vrplib::job_indices(p, &parsed).expect("known customers");
    for ((_, steps), jobs) in routes.iter().zip(&back) {
        let jobs: Vec<Step> = jobs.iter().copied().map(Step::Job).collect();
        assert_eq!(steps, &jobs);
    }
    let cost = parsed.cost.expect("cost");
    assert!((cost - sol.summary.distance).abs() <= 0.005);
    let unknown = vrplib::parse("Route #1: 1 500\nCost 1\n").expect("parse");
    assert!(vrplib::job_indices(p, &unknown).is_err());
}

#[test]
fn quick_solves_pass_the_checker() {
    for name in ["c101", "r101", "rc201"] {
        let inst = load(name);
        let opts = SolveOptions {
            time_limit: Duration::from_secs(1),
            threads: 1,
            ..SolveOptions::default()
        };
        let sol = solver::solve(&inst.problem, &opts).expect("solve");
        let checked = check(&inst.problem, &sol).unwrap_or_else(|v| {
            let lines: Vec<String> = v.iter().map(|x| x.to_string()).collect();
            panic!("{name}: {}", lines.join("\n"))
        });
        assert_eq!(checked.summary.served, 100, "{name}");
        assert_eq!(checked.summary.unassigned_priority, 0, "{name}");
    }
}
