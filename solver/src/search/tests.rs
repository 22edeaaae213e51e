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

/// 20 technicians × 200 jobs with skills, breaks, windows and time costs: the result
/// passes the independent checker and comes back within the budget.
#[test]
fn field_service_sized_passes_the_checker() {
    let mut seed = 12345u64;
    let mut rnd = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as f64 / (1u64 << 31) as f64
    };
    let n_jobs = 200;
    let n_techs = 20;
    let points: Vec<(f64, f64)> = (0..n_jobs + 1)
        .map(|_| (rnd() * 50.0, rnd() * 50.0))
        .collect();
    let matrix = TravelMatrix::from_fn(points.len(), |a, b| {
        let d = ((points[a].0 - points[b].0).powi(2) + (points[a].1 - points[b].1).powi(2)).sqrt();
        (d, d * 1000.0)
    });
    let technicians = (0..n_techs)
        .map(|t| Technician {
            id: format!("t{t}"),
            start: Some(0),
            end: Some(0),
            shift: Shift {
                start: 480.0,
                end: 1080.0,
                soft_end: Some(1020.0),
                overtime_cost: 2.0,
            },
            breaks: vec![Break {
                id: "lunch".into(),
                duration: 30.0,
                windows: vec![TimeWindow::new(690.0, 780.0)],
            }],
            skills: Skills::from_indices([t % 3, 3]).expect("skill"),
            capacity: vec![40],
            max_jobs: Some(14),
            costs: Costs {
                fixed: 50.0,
                per_time: 0.5,
                per_distance: 0.001,
            },
        })
        .collect();
    let jobs = (0..n_jobs)
        .map(|j| {
            let mut job = Job::new(format!("j{j}"), j + 1, 20.0 + 30.0 * rnd(), 1);
            job.demand = vec![1 + (rnd() * 3.0) as i64];
            job.skills = Skills::from_indices([j % 3]).expect("skill");
            if j % 4 == 0 {
                let s = 480.0 + rnd() * 420.0;
                job.time_windows = vec![TimeWindow::new(s, s + 120.0)];
            }
            job
        })
        .collect();
    let p = Problem {
        matrix,
        technicians,
        jobs,
        dimensions: 1,
        objective: Objective::default(),
        replan: None,
    };
    let started = std::time::Instant::now();
    let opts = SolveOptions {
        time_limit: Duration::from_secs(2),
        threads: 2,
        ..Default::default()
    };
    let sol = solve(&p, &opts).expect("solves");
    assert!(started.elapsed() < Duration::from_secs(4));
    assert!(sol.summary.served > 150, "served {}", sol.summary.served);
    if let Err(v) = crate::check::check(&p, &sol) {
        panic!("checker: {:?}", &v[..v.len().min(5)]);
    }
}
