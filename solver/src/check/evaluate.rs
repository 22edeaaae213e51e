//! One route's schedule recomputed by the timing rules of [`crate::solution`], and solutions
//! assembled from route step lists.

use super::{at_most, close, summarize, Violation};
use crate::model::{Problem, TimeWindow};
use crate::solution::{Route, Solution, Step, StepTimes};

/// One route recomputed by [`evaluate_route`].
#[derive(Clone, Debug, PartialEq)]
pub struct RouteEval {
    /// Technician index.
    pub technician: usize,
    /// Departure the schedule was computed from.
    pub departure: f64,
    /// Times of each step.
    pub times: Vec<StepTimes>,
    /// Arrival at the end location (or end of the last step).
    pub end_time: f64,
    /// Distance travelled.
    pub distance: f64,
    /// Time travelling.
    pub travel_time: f64,
    /// Time waiting for job and break windows.
    pub waiting: f64,
    /// Time past the shift's soft end.
    pub overtime: f64,
    /// Route cost, preference penalties included.
    pub cost: f64,
    /// Summed demand per dimension.
    pub load: Vec<i64>,
    /// Jobs served.
    pub jobs: usize,
    /// Broken constraints (empty: feasible).
    pub violations: Vec<Violation>,
}

impl RouteEval {
    /// End time minus departure.
    pub fn duration(&self) -> f64 {
        self.end_time - self.departure
    }

    /// True when the route breaks no constraint.
    pub fn is_feasible(&self) -> bool {
        self.violations.is_empty()
    }
}

/// The start of service for a ready time `ready` in `windows` (empty: any time), or `None`
/// when every window has ended.
fn start_in(windows: &[TimeWindow], ready: f64) -> Option<f64> {
    if windows.is_empty() {
        return Some(ready);
    }
    windows
        .iter()
        .find(|w| at_most(ready, w.end))
        .map(|w| ready.max(w.start))
}

/// The re-planning visits of `technician` that are fixed (start before the freeze time).
pub fn fixed_visits(problem: &Problem, technician: usize) -> Vec<(usize, f64)> {
    let Some(replan) = &problem.replan else {
        return Vec::new();
    };
    replan
        .routes
        .iter()
        .filter(|(t, _)| *t == technician)
        .flat_map(|(_, visits)| visits.iter())
        .filter(|v| v.start < replan.freeze_time)
        .map(|v| (v.job, v.start))
        .collect()
}

/// Recomputes the schedule, totals and violations of `steps` for `technician` leaving at
/// `departure`, with the first `fixed` steps fixed by re-planning.
///
/// Checks windows, breaks (each exactly once when the route has a job), capacity,
/// skills, pinning, `max_jobs`, the shift and the fixed prefix; not whether jobs are
/// used elsewhere (see [`check`]). An unknown technician yields only that violation.
pub fn evaluate_route(
    problem: &Problem,
    technician: usize,
    departure: f64,
    steps: &[Step],
    fixed: usize,
) -> RouteEval {
    let mut eval = RouteEval {
        technician,
        departure,
        times: Vec::with_capacity(steps.len()),
        end_time: departure,
        distance: 0.0,
        travel_time: 0.0,
        waiting: 0.0,
        overtime: 0.0,
        cost: 0.0,
        load: vec![0; problem.dimensions],
        jobs: 0,
        violations: Vec::new(),
    };
    let Some(tech) = problem.technicians.get(technician) else {
        eval.violations
            .push(Violation::UnknownTechnician { technician });
        return eval;
    };
    let v = &mut eval.violations;
    let t = technician;
    if !(departure >= tech.shift.start || close(departure, tech.shift.start)) {
        v.push(Violation::ShiftStart {
            technician: t,
            departure,
            start: tech.shift.start,
        });
    }
    let expected_fixed = fixed_visits(problem, t);
    if fixed != expected_fixed.len() {
        v.push(Violation::FixedPrefix {
            technician: t,
            detail: format!(
                "{fixed} steps marked fixed, {} visits start before the freeze time",
                expected_fixed.len()
            ),
        });
    }

    let mut location = tech.start;
    let mut clock = departure;
    let mut penalties = 0.0;
    let mut break_count = vec![0usize; tech.breaks.len()];
    for (i, step) in steps.iter().enumerate() {
        match *step {
            Step::Job(j) => {
                let Some(job) = problem.jobs.get(j) else {
                    v.push(Violation::UnknownJob { job: j });
                    eval.times.push(StepTimes {
                        arrival: clock,
                        start: clock,
                        end: clock,
                    });
                    continue;
                };
                eval.jobs += 1;
                if let Some(from) = location {
                    eval.travel_time += problem.matrix.duration(from, job.location);
                    eval.distance += problem.matrix.distance(from, job.location);
                    clock += problem.matrix.duration(from, job.location);
                }
                location = Some(job.location);
                let arrival = clock;
                let planned = expected_fixed.get(i).filter(|_| i < fixed);
                let start = match planned {
                    Some(&(pj, pstart)) => {
                        if pj != j {
                            v.push(Violation::FixedPrefix {
                                technician: t,
                                detail: format!("step {i} is job {j}, the plan has job {pj}"),
                            });
                        }
                        pstart
                    }
                    None => {
                        if i < fixed {
                            v.push(Violation::FixedPrefix {
                                technician: t,
                                detail: format!("step {i} is marked fixed but is not planned"),
                            });
                        }
                        if !tech.skills.covers(&job.skills) {
                            v.push(Violation::Skills {
                                technician: t,
                                job: j,
                                missing: tech.skills.missing(&job.skills).indices(),
                            });
                        }
                        if let Some(p) = job.pinned_to.filter(|p| *p != t) {
                            v.push(Violation::Pinned {
                                technician: t,
                                job: j,
                                pinned_to: p,
                            });
                        }
                        start_in(&job.time_windows, arrival).unwrap_or_else(|| {
                            v.push(Violation::TimeWindow {
                                technician: t,
                                job: j,
                                arrival,
                            });
                            arrival
                        })
                    }
                };
                eval.waiting += (start - arrival).max(0.0);
                clock = start + job.service;
                eval.times.push(StepTimes {
                    // A fixed visit started when it did: the technician was there by then.
                    arrival: if planned.is_some() {
                        arrival.min(start)
                    } else {
                        arrival
                    },
                    start,
                    end: clock,
                });
                for (load, d) in eval.load.iter_mut().zip(&job.demand) {
                    *load += d;
                }
                if job.preferred.is_some_and(|p| p != t) {
                    penalties += job.preference_penalty;
                }
            }
            Step::Break(b) => {
                if i < fixed {
                    v.push(Violation::FixedPrefix {
                        technician: t,
                        detail: format!("step {i} is a break but marked fixed"),
                    });
                }
                let Some(brk) = tech.breaks.get(b) else {
                    v.push(Violation::UnknownBreak {
                        technician: t,
                        index: b,
                    });
                    eval.times.push(StepTimes {
                        arrival: clock,
                        start: clock,
                        end: clock,
                    });
                    continue;
                };
                break_count[b] += 1;
                let ready = clock;
                let start = start_in(&brk.windows, ready).unwrap_or_else(|| {
                    v.push(Violation::BreakWindow {
                        technician: t,
                        index: b,
                        ready,
                    });
                    ready
                });
                eval.waiting += (start - ready).max(0.0);
                clock = start + brk.duration;
                eval.times.push(StepTimes {
                    arrival: ready,
                    start,
                    end: clock,
                });
            }
        }
    }
    if let (Some(from), Some(to)) = (location, tech.end) {
        eval.travel_time += problem.matrix.duration(from, to);
        eval.distance += problem.matrix.distance(from, to);
        clock += problem.matrix.duration(from, to);
    }
    eval.end_time = clock;
    if !at_most(clock, tech.shift.end) {
        v.push(Violation::ShiftEnd {
            technician: t,
            end_time: clock,
            end: tech.shift.end,
        });
    }
    if eval.jobs > 0 {
        for (index, &count) in break_count.iter().enumerate() {
            if count != 1 {
                v.push(Violation::BreakCount {
                    technician: t,
                    index,
                    count,
                });
            }
        }
    }
    for (dimension, (&load, &capacity)) in eval.load.iter().zip(&tech.capacity).enumerate() {
        if load > capacity {
            v.push(Violation::Capacity {
                technician: t,
                dimension,
                load,
                capacity,
            });
        }
    }
    if let Some(max) = tech.max_jobs.filter(|m| eval.jobs > *m) {
        v.push(Violation::MaxJobs {
            technician: t,
            jobs: eval.jobs,
            max,
        });
    }
    if let Some(soft) = tech.shift.soft_end {
        eval.overtime = (clock - soft).max(0.0);
    }
    let c = &tech.costs;
    eval.cost = if eval.jobs > 0 { c.fixed } else { 0.0 }
        + c.per_time * (clock - departure)
        + c.per_distance * eval.distance
        + tech.shift.overtime_cost * eval.overtime
        + penalties;
    eval
}

/// Builds a [`Route`] from `eval` (its recomputed times and totals) and `steps`.
pub fn route_from_eval(eval: &RouteEval, steps: Vec<Step>, fixed: usize) -> Route {
    Route {
        technician: eval.technician,
        departure: eval.departure,
        steps,
        times: eval.times.clone(),
        fixed,
        end_time: eval.end_time,
        distance: eval.distance,
        travel_time: eval.travel_time,
        waiting: eval.waiting,
        overtime: eval.overtime,
        cost: eval.cost,
    }
}

/// Builds a complete [`Solution`] from route step lists, each leaving at its technician's
/// shift start, with times and totals computed by [`evaluate_route`]; every job not routed
/// is listed unassigned with `reason`. For tests, tools and reading solution files; the
/// result may be infeasible (run [`check`] on it).
pub fn assemble(
    problem: &Problem,
    routes: Vec<(usize, Vec<Step>)>,
    reason: crate::solution::UnassignedReason,
) -> Solution {
    let mut routed = vec![false; problem.jobs.len()];
    let mut evals = Vec::new();
    let mut out = Vec::new();
    for (t, steps) in routes {
        for step in &steps {
            if let Step::Job(j) = step {
                if let Some(r) = routed.get_mut(*j) {
                    *r = true;
                }
            }
        }
        let departure = problem
            .technicians
            .get(t)
            .map_or(0.0, |tech| tech.shift.start);
        let eval = evaluate_route(problem, t, departure, &steps, 0);
        out.push(route_from_eval(&eval, steps, 0));
        evals.push(eval);
    }
    let unassigned: Vec<_> = (0..problem.jobs.len())
        .filter(|j| !routed[*j])
        .map(|job| crate::solution::Unassigned {
            job,
            reason: reason.clone(),
        })
        .collect();
    let summary = summarize(problem, &evals, unassigned.iter().map(|u| u.job));
    Solution {
        routes: out,
        unassigned,
        summary,
    }
}
