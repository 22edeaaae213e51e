//! The independent checker on a hand-built problem: a valid solution with totals worked
//! out by hand, then one deliberately broken solution per violation kind.

use solver::check::{assemble, check, evaluate_route, Violation};
use solver::{
    Break, Costs, Job, Objective, PlannedVisit, Problem, Replan, Shift, Skills, Solution, Step,
    Technician, TimeWindow, TravelMatrix, Unassigned, UnassignedReason,
};

/// Locations on a line at x = 0, 10, 20, 30; duration = distance.
fn problem() -> Problem {
    let matrix = TravelMatrix::from_fn(4, |a, b| {
        let d = (a as f64 - b as f64).abs() * 10.0;
        (d, d)
    });
    let skill0 = Skills::from_indices([0]).expect("skill");
    let tech0 = Technician {
        id: "t0".into(),
        start: Some(0),
        end: Some(0),
        shift: Shift {
            start: 0.0,
            end: 100.0,
            soft_end: Some(80.0),
            overtime_cost: 2.0,
        },
        breaks: vec![Break {
            id: "lunch".into(),
            duration: 5.0,
            windows: vec![TimeWindow::new(20.0, 30.0)],
        }],
        skills: skill0,
        capacity: vec![12],
        max_jobs: Some(4),
        costs: Costs {
            fixed: 10.0,
            per_time: 0.5,
            per_distance: 1.0,
        },
    };
    let tech1 = Technician {
        id: "t1".into(),
        start: Some(0),
        end: Some(0),
        shift: Shift::new(0.0, 200.0),
        breaks: Vec::new(),
        skills: Skills::none(),
        capacity: vec![5],
        max_jobs: None,
        costs: Costs::default(),
    };
    let mut jobs = vec![
        Job::new("a", 1, 5.0, 1),
        Job::new("b", 2, 5.0, 1),
        Job::new("c", 3, 5.0, 1),
        Job::new("d", 1, 0.0, 1),
    ];
    jobs[0].time_windows = vec![TimeWindow::new(0.0, 50.0)];
    jobs[0].demand = vec![4];
    jobs[0].skills = skill0;
    jobs[1].time_windows = vec![TimeWindow::new(0.0, 5.0), TimeWindow::new(30.0, 60.0)];
    jobs[1].demand = vec![4];
    jobs[2].demand = vec![3];
    jobs[2].unassigned_cost = Some(7.0);
    jobs[2].preferred = Some(1);
    jobs[2].preference_penalty = 3.0;
    jobs[3].demand = vec![1];
    jobs[3].pinned_to = Some(1);
    jobs[3].priority = 4;
    Problem {
        matrix,
        technicians: vec![tech0, tech1],
        jobs,
        dimensions: 1,
        objective: Objective::default(),
        replan: None,
    }
}

fn valid(p: &Problem) -> Solution {
    let mut s = assemble(
        p,
        vec![
            (0, vec![Step::Job(0), Step::Break(0), Step::Job(1)]),
            (1, vec![Step::Job(3)]),
        ],
        UnassignedReason::NotWorthIt,
    );
    assert_eq!(s.unassigned.len(), 1);
    s.unassigned[0].reason = UnassignedReason::NotWorthIt;
    s
}

/// Check fails and the violations include one matching `pred`.
fn fails_with(p: &Problem, s: &Solution, pred: impl Fn(&Violation) -> bool) {
    match check(p, s) {
        Ok(_) => panic!("checker accepted a broken solution: {s:#?}"),
        Err(v) => {
            assert!(v.iter().any(&pred), "wrong violations: {v:#?}");
            for x in &v {
                assert!(!x.to_string().is_empty());
            }
        }
    }
}

fn with_route(p: &Problem, routes: Vec<(usize, Vec<Step>)>) -> Solution {
    assemble(p, routes, UnassignedReason::NoRoom)
}

#[test]
fn valid_solution_totals_by_hand() {
    let p = problem();
    let s = valid(&p);
    let r0 = &s.routes[0];
    // depot → a: arrive 10, serve 10–15; lunch ready 15, waits to 20, 20–25;
    // → b: arrive 35 (first window over), serve 35–40; → depot at 60.
    let starts: Vec<f64> = r0.times.iter().map(|t| t.start).collect();
    assert_eq!(starts, vec![10.0, 20.0, 35.0]);
    assert_eq!(r0.end_time, 60.0);
    assert_eq!(r0.waiting, 5.0);
    assert_eq!(r0.distance, 40.0);
    assert_eq!(r0.cost, 10.0 + 0.5 * 60.0 + 40.0);
    let checked = check(&p, &s).expect("valid");
    let sum = &checked.summary;
    assert_eq!(sum.unassigned_priority, 0);
    assert_eq!(sum.technicians_used, 2);
    assert_eq!(sum.served, 3);
    assert_eq!(sum.cost, 80.0 + 20.0 + 7.0);
    assert_eq!(sum.distance, 60.0);
    assert_eq!(sum.duration, 80.0);
    assert_eq!(sum.waiting, 5.0);
}

#[test]
fn overtime_and_preference_penalty() {
    let p = problem();
    let s = with_route(
        &p,
        vec![
            (
                0,
                vec![Step::Job(0), Step::Break(0), Step::Job(1), Step::Job(2)],
            ),
            (1, vec![Step::Job(3)]),
        ],
    );
    let checked = check(&p, &s).expect("valid");
    let r = &checked.routes[0];
    assert_eq!(r.end_time, 85.0);
    assert_eq!(r.overtime, 5.0);
    assert_eq!(r.cost, 10.0 + 0.5 * 85.0 + 60.0 + 2.0 * 5.0 + 3.0);
    // A mandatory job left out counts its priority, not a cost.
    let s = with_route(
        &p,
        vec![(0, vec![Step::Job(0), Step::Break(0), Step::Job(1)])],
    );
    let checked = check(&p, &s).expect("valid");
    assert_eq!(checked.summary.unassigned_priority, 4);
    assert_eq!(checked.summary.cost, 80.0 + 7.0);
}

#[test]
fn job_accounting() {
    let p = problem();
    let mut s = valid(&p);
    s.unassigned.push(Unassigned {
        job: 0,
        reason: UnassignedReason::NoRoom,
    });
    fails_with(&p, &s, |v| {
        matches!(v, Violation::JobRepeated { job: 0, times: 2 })
    });

    let mut s = valid(&p);
    s.unassigned.clear();
    fails_with(&p, &s, |v| matches!(v, Violation::JobMissing { job: 2 }));

    let mut s = valid(&p);
    s.unassigned.push(Unassigned {
        job: 99,
        reason: UnassignedReason::NoRoom,
    });
    fails_with(&p, &s, |v| matches!(v, Violation::UnknownJob { job: 99 }));

    let s = with_route(&p, vec![(1, vec![Step::Job(3), Step::Job(77)])]);
    fails_with(&p, &s, |v| matches!(v, Violation::UnknownJob { job: 77 }));
}

#[test]
fn technician_errors() {
    let p = problem();
    let mut s = valid(&p);
    s.routes[1].technician = 7;
    fails_with(&p, &s, |v| {
        matches!(v, Violation::UnknownTechnician { technician: 7 })
    });

    let mut s = valid(&p);
    let mut extra = s.routes[1].clone();
    extra.steps = vec![Step::Job(2)];
    s.routes.push(extra);
    fails_with(&p, &s, |v| {
        matches!(v, Violation::TechnicianReused { technician: 1 })
    });

    let s = with_route(&p, vec![(0, vec![Step::Break(0)]), (1, vec![Step::Job(3)])]);
    fails_with(&p, &s, |v| {
        matches!(v, Violation::EmptyRoute { technician: 0 })
    });

    let mut s = valid(&p);
    s.routes[0].times.pop();
    fails_with(&p, &s, |v| {
        matches!(
            v,
            Violation::TimesLength {
                technician: 0,
                steps: 3,
                times: 2
            }
        )
    });
}

#[test]
fn breaks() {
    let p = problem();
    let s = with_route(&p, vec![(0, vec![Step::Job(0), Step::Job(1)])]);
    fails_with(&p, &s, |v| {
        matches!(
            v,
            Violation::BreakCount {
                technician: 0,
                index: 0,
                count: 0
            }
        )
    });
    let s = with_route(
        &p,
        vec![(0, vec![Step::Break(0), Step::Job(0), Step::Break(0)])],
    );
    fails_with(&p, &s, |v| {
        matches!(v, Violation::BreakCount { count: 2, .. })
    });
    let s = with_route(&p, vec![(0, vec![Step::Job(0), Step::Break(3)])]);
    fails_with(&p, &s, |v| {
        matches!(v, Violation::UnknownBreak { index: 3, .. })
    });
    // After b (served 30–35) the technician is ready at 35, past the lunch window [20, 30].
    let s = with_route(
        &p,
        vec![(0, vec![Step::Job(0), Step::Job(1), Step::Break(0)])],
    );
    fails_with(
        &p,
        &s,
        |v| matches!(v, Violation::BreakWindow { index: 0, ready, .. } if *ready == 35.0),
    );
}

#[test]
fn time_window_capacity_shift() {
    let p = problem();
    // Leaving at 45, a (window ends 50) is reached at 55.
    let mut s = valid(&p);
    let e = evaluate_route(&p, 0, 45.0, &s.routes[0].steps, 0);
    s.routes[0] = solver::check::route_from_eval(&e, s.routes[0].steps.clone(), 0);
    fails_with(
        &p,
        &s,
        |v| matches!(v, Violation::TimeWindow { job: 0, arrival, .. } if *arrival == 55.0),
    );

    let s = with_route(
        &p,
        vec![(1, vec![Step::Job(3), Step::Job(1), Step::Job(2)])],
    );
    fails_with(&p, &s, |v| {
        matches!(
            v,
            Violation::Capacity {
                technician: 1,
                dimension: 0,
                load: 8,
                capacity: 5
            }
        )
    });

    let mut s = valid(&p);
    let e = evaluate_route(&p, 1, -1.0, &s.routes[1].steps, 0);
    s.routes[1] = solver::check::route_from_eval(&e, s.routes[1].steps.clone(), 0);
    fails_with(&p, &s, |v| {
        matches!(v, Violation::ShiftStart { technician: 1, .. })
    });

    let mut q = problem();
    q.technicians[0].shift.end = 55.0;
    q.technicians[0].shift.soft_end = None;
    fails_with(
        &q,
        &valid(&q),
        |v| matches!(v, Violation::ShiftEnd { technician: 0, end_time, .. } if *end_time == 60.0),
    );
}

#[test]
fn skills_pinning_max_jobs() {
    let p = problem();
    let s = with_route(&p, vec![(1, vec![Step::Job(0), Step::Job(3)])]);
    fails_with(&p, &s, |v| match v {
        Violation::Skills {
            technician: 1,
            job: 0,
            missing,
        } => missing == &vec![0],
        _ => false,
    });
    let s = with_route(
        &p,
        vec![(0, vec![Step::Job(0), Step::Break(0), Step::Job(3)])],
    );
    fails_with(&p, &s, |v| {
        matches!(
            v,
            Violation::Pinned {
                technician: 0,
                job: 3,
                pinned_to: 1
            }
        )
    });
    let mut q = problem();
    q.technicians[0].max_jobs = Some(1);
    fails_with(&q, &valid(&q), |v| {
        matches!(
            v,
            Violation::MaxJobs {
                jobs: 2,
                max: 1,
                ..
            }
        )
    });
}

#[test]
fn replanning_fixed_prefix() {
    let mut p = problem();
    p.replan = Some(Replan {
        freeze_time: 12.0,
        routes: vec![(
            0,
            vec![
                PlannedVisit {
                    job: 0,
                    start: 11.0,
                },
                PlannedVisit {
                    job: 1,
                    start: 40.0,
                },
            ],
        )],
    });
    // a stays first, starting at its planned 11 (ends 16, lunch 20–25, b at 35).
    let steps = vec![Step::Job(0), Step::Break(0), Step::Job(1)];
    let e = evaluate_route(&p, 0, 0.0, &steps, 1);
    assert!(e.is_feasible(), "{:?}", e.violations);
    assert_eq!(e.times[0].start, 11.0);
    let mut s = valid(&p);
    s.routes[0] = solver::check::route_from_eval(&e, steps.clone(), 1);
    s.summary = solver::check::summarize(&p, &[e.clone(), check_route1(&p)], [2]);
    check(&p, &s).expect("fixed prefix kept");

    // Not marked fixed.
    fails_with(&p, &valid(&p), |v| {
        matches!(v, Violation::FixedPrefix { technician: 0, .. })
    });
    // Claimed start differs from the planned one.
    let mut bad = s.clone();
    bad.routes[0].times[0].start = 10.0;
    fails_with(&p, &bad, |v| matches!(v, Violation::Mismatch { .. }));
    // Another job first.
    let e = evaluate_route(&p, 0, 0.0, &[Step::Job(1), Step::Break(0)], 1);
    assert!(e
        .violations
        .iter()
        .any(|v| matches!(v, Violation::FixedPrefix { .. })));
    // No route for the technician with fixed visits.
    let s = with_route(&p, vec![(1, vec![Step::Job(3)])]);
    fails_with(&p, &s, |v| {
        matches!(v, Violation::FixedPrefix { technician: 0, .. })
    });
}

fn check_route1(p: &Problem) -> solver::check::RouteEval {
    evaluate_route(p, 1, 0.0, &[Step::Job(3)], 0)
}

#[test]
fn mismatched_claims() {
    let p = problem();
    let mut s = valid(&p);
    s.routes[0].cost += 1.0;
    fails_with(
        &p,
        &s,
        |v| matches!(v, Violation::Mismatch { field, .. } if field.contains("cost")),
    );
    let mut s = valid(&p);
    s.routes[0].times[2].start = 34.0;
    fails_with(
        &p,
        &s,
        |v| matches!(v, Violation::Mismatch { field, claimed, computed } if field.contains("step 2 start") && *claimed == 34.0 && *computed == 35.0),
    );
    let mut s = valid(&p);
    s.summary.technicians_used = 1;
    fails_with(
        &p,
        &s,
        |v| matches!(v, Violation::Mismatch { field, .. } if field.contains("technicians_used")),
    );
    let mut s = valid(&p);
    s.summary.distance = f64::NAN;
    fails_with(
        &p,
        &s,
        |v| matches!(v, Violation::Mismatch { field, .. } if field.contains("distance")),
    );
    // Within tolerance is fine.
    let mut s = valid(&p);
    s.summary.cost *= 1.0 + 1e-9;
    check(&p, &s).expect("within tolerance");
}

#[test]
fn inconsistent_problem() {
    let mut p = problem();
    p.jobs[0].location = 9;
    let s = Solution::default();
    fails_with(&p, &s, |v| matches!(v, Violation::Problem(_)));
}
