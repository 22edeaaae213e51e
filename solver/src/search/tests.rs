//! Unit tests of the search on tiny and degenerate problems.

use std::time::Duration;

use crate::model::*;
use crate::solution::{Step, UnassignedReason};
use crate::{solve, SolveOptions};

fn line_problem(n_jobs: usize, n_techs: usize) -> Problem {
    // Locations on a line: 0 is the depot, job i at i+1.
    let size = n_jobs + 1;
    let matrix = TravelMatrix::from_fn(size, |a, b| {
        let d = (a as f64 - b as f64).abs() * 10.0;
        (d, d)
    });
    let technicians = (0..n_techs)
        .map(|t| Technician {
            id: format!("t{t}"),
            start: Some(0),
            end: Some(0),
            shift: Shift::new(0.0, 1000.0),
            breaks: vec![],
            skills: Skills::none(),
            capacity: vec![10],
            max_jobs: None,
            costs: Costs::default(),
        })
        .collect();
    let jobs = (0..n_jobs)
        .map(|j| {
            let mut job = Job::new(format!("j{j}"), j + 1, 5.0, 1);
            job.demand = vec![1];
            job
        })
        .collect();
    Problem {
        matrix,
        technicians,
        jobs,
        dimensions: 1,
        objective: Objective::default(),
        replan: None,
    }
}

fn quick() -> SolveOptions {
    SolveOptions {
        time_limit: Duration::from_millis(300),
        threads: 2,
        ..Default::default()
    }
}

#[test]
fn empty_problems() {
    let sol = solve(&line_problem(0, 2), &quick()).expect("solves");
    assert!(sol.routes.is_empty() && sol.unassigned.is_empty());
    let sol = solve(&line_problem(3, 0), &quick()).expect("solves");
    assert_eq!(sol.unassigned.len(), 3);
    assert_eq!(sol.summary.unassigned_priority, 3);
}

#[test]
fn one_job_and_timing() {
    let sol = solve(&line_problem(1, 2), &quick()).expect("solves");
    assert_eq!(sol.routes.len(), 1);
    let r = &sol.routes[0];
    assert_eq!(r.steps, vec![Step::Job(0)]);
    assert!((r.times[0].arrival - 10.0).abs() < 1e-9);
    assert!((r.end_time - 25.0).abs() < 1e-9);
    assert!((r.distance - 20.0).abs() < 1e-9);
    assert!((sol.summary.cost - 20.0).abs() < 1e-9);
}

#[test]
fn line_uses_one_route_and_is_optimal() {
    let sol = solve(&line_problem(8, 3), &quick()).expect("solves");
    assert_eq!(sol.routes.len(), 1);
    assert!((sol.summary.distance - 160.0).abs() < 1e-6);
    assert!(sol.unassigned.is_empty());
}

#[test]
fn reasons_per_job() {
    let mut p = line_problem(5, 2);
    p.jobs[0].skills = Skills::from_indices([3]).expect("skill");
    p.jobs[1].demand = vec![50];
    p.jobs[2].time_windows = vec![TimeWindow::new(2000.0, 3000.0)];
    p.jobs[3].pinned_to = Some(1);
    p.jobs[3].skills = Skills::from_indices([1]).expect("skill");
    p.technicians[0].skills = Skills::from_indices([1]).expect("skill");
    let sol = solve(&p, &quick()).expect("solves");
    let reason = |j: usize| {
        sol.unassigned
            .iter()
            .find(|u| u.job == j)
            .map(|u| u.reason.clone())
    };
    assert_eq!(
        reason(0),
        Some(UnassignedReason::Skills { missing: vec![3] })
    );
    assert_eq!(reason(1), Some(UnassignedReason::Capacity));
    assert_eq!(reason(2), Some(UnassignedReason::TimeWindow));
    assert_eq!(reason(3), Some(UnassignedReason::Pinned { technician: 1 }));
    assert_eq!(reason(4), None);
}

#[test]
fn breaks_are_taken_once_per_used_route() {
    let mut p = line_problem(6, 2);
    for t in &mut p.technicians {
        t.breaks.push(Break {
            id: "lunch".into(),
            duration: 30.0,
            windows: vec![TimeWindow::new(40.0, 60.0)],
        });
        t.costs.per_time = 1.0;
    }
    let sol = solve(&p, &quick()).expect("solves");
    assert!(sol.unassigned.is_empty());
    for r in &sol.routes {
        let breaks = r
            .steps
            .iter()
            .filter(|s| matches!(s, Step::Break(_)))
            .count();
        assert_eq!(breaks, 1);
        let (k, _) = r
            .steps
            .iter()
            .enumerate()
            .find(|(_, s)| matches!(s, Step::Break(_)))
            .expect("break");
        assert!(r.times[k].start >= 40.0 && r.times[k].start <= 60.0);
        for w in r.times.windows(2) {
            assert!(w[1].start >= w[0].end - 1e-9);
        }
    }
}

#[test]
fn optional_jobs_not_worth_it() {
    let mut p = line_problem(2, 1);
    p.jobs[1].unassigned_cost = Some(1.0);
    let sol = solve(&p, &quick()).expect("solves");
    assert_eq!(sol.unassigned.len(), 1);
    assert_eq!(sol.unassigned[0].reason, UnassignedReason::NotWorthIt);
    assert!((sol.summary.cost - 21.0).abs() < 1e-9);
}

#[test]
fn deterministic_with_iterations() {
    let p = line_problem(30, 5);
    let opts = SolveOptions {
        time_limit: Duration::from_secs(30),
        max_iterations: Some(2000),
        threads: 2,
        seed: 7,
        ..Default::default()
    };
    let a = solve(&p, &opts).expect("solves");
    let b = solve(&p, &opts).expect("solves");
    assert_eq!(a, b);
}
