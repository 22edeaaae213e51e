//! Independent feasibility checker: the referee of every solution.
//!
//! Written only against the model and solution types, never the search code: it
//! recomputes each route's schedule from its `departure` by the timing rules of
//! [`crate::solution`], checks every hard constraint, recomputes the totals and reports
//! whatever the solution claims differently.
//!
//! - [`check`] validates a whole [`Solution`] and returns the recomputed totals, or every
//!   [`Violation`] found.
//!
//! - [`evaluate_route`] computes one route's schedule, totals and violations, for tests
//!   and tools (such as an exhaustive solver) that build routes themselves.
//!
//! Readings of the rules where they leave a choice: waiting counts the wait for job and
//! break windows; capacity bounds each dimension's summed demand; a fixed re-planning
//! visit starts at its planned time (arrival = min(reached, planned)) and is not checked
//! against windows, skills or pins (it already happened).

use std::fmt;

use crate::error::ModelError;
use crate::model::{Problem, TimeWindow};
use crate::solution::{Route, Solution, Step, StepTimes, Summary};

/// Relative tolerance of every comparison of computed and claimed values.
pub const TOLERANCE: f64 = 1e-6;

/// True when `a` and `b` agree within [`TOLERANCE`] (relative, absolute below 1).
pub fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= TOLERANCE * a.abs().max(b.abs()).max(1.0)
}

/// `a ≤ b` within [`TOLERANCE`].
fn at_most(a: f64, b: f64) -> bool {
    a <= b + TOLERANCE * a.abs().max(b.abs()).max(1.0)
}

/// One way a solution breaks a constraint or misstates a value.
#[derive(Clone, Debug, PartialEq)]
pub enum Violation {
    /// The problem itself is inconsistent.
    Problem(ModelError),
    /// A route or unassigned entry names a job index that does not exist.
    UnknownJob {
        /// The bad index.
        job: usize,
    },
    /// A job is routed or listed unassigned more than once in total.
    JobRepeated {
        /// Job index.
        job: usize,
        /// How many times it appears.
        times: usize,
    },
    /// A job is neither routed nor listed unassigned.
    JobMissing {
        /// Job index.
        job: usize,
    },
    /// A route names a technician index that does not exist.
    UnknownTechnician {
        /// The bad index.
        technician: usize,
    },
    /// Two routes for the same technician.
    TechnicianReused {
        /// Technician index.
        technician: usize,
    },
    /// A route without any job.
    EmptyRoute {
        /// Technician index.
        technician: usize,
    },
    /// `times` does not have one entry per step.
    TimesLength {
        /// Technician index.
        technician: usize,
        /// Number of steps.
        steps: usize,
        /// Number of times.
        times: usize,
    },
    /// A break step naming a break the technician does not have.
    UnknownBreak {
        /// Technician index.
        technician: usize,
        /// The bad break index.
        index: usize,
    },
    /// A break of a used route taken zero or several times.
    BreakCount {
        /// Technician index.
        technician: usize,
        /// Break index.
        index: usize,
        /// Times it is taken.
        count: usize,
    },
    /// A break that cannot start within any of its windows.
    BreakWindow {
        /// Technician index.
        technician: usize,
        /// Break index.
        index: usize,
        /// When the technician is ready for it.
        ready: f64,
    },
    /// A job reached after the end of its last window.
    TimeWindow {
        /// Technician index.
        technician: usize,
        /// Job index.
        job: usize,
        /// Arrival time.
        arrival: f64,
    },
    /// Summed demand above capacity in one dimension.
    Capacity {
        /// Technician index.
        technician: usize,
        /// Load dimension.
        dimension: usize,
        /// Summed demand.
        load: i64,
        /// Capacity.
        capacity: i64,
    },
    /// Departure before the shift starts.
    ShiftStart {
        /// Technician index.
        technician: usize,
        /// Claimed departure.
        departure: f64,
        /// Shift start.
        start: f64,
    },
    /// Route ending after the shift's hard end.
    ShiftEnd {
        /// Technician index.
        technician: usize,
        /// Recomputed end time.
        end_time: f64,
        /// Shift end.
        end: f64,
    },
    /// A job served by a technician lacking some of its skills.
    Skills {
        /// Technician index.
        technician: usize,
        /// Job index.
        job: usize,
        /// Missing skill indices.
        missing: Vec<usize>,
    },
    /// A pinned job served by another technician.
    Pinned {
        /// Technician serving it.
        technician: usize,
        /// Job index.
        job: usize,
        /// The technician it is pinned to.
        pinned_to: usize,
    },
    /// More jobs than the technician's `max_jobs`.
    MaxJobs {
        /// Technician index.
        technician: usize,
        /// Jobs in the route.
        jobs: usize,
        /// The limit.
        max: usize,
    },
    /// The re-planning's fixed prefix is not kept (wrong count, job, order or start).
    FixedPrefix {
        /// Technician index.
        technician: usize,
        /// What differs.
        detail: String,
    },
    /// A value the solution states differs from the recomputed one.
    Mismatch {
        /// Which value (e.g. "technician 2 step 3 start", "summary cost").
        field: String,
        /// Value in the solution.
        claimed: f64,
        /// Value recomputed by the checker.
        computed: f64,
    },
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Problem(e) => write!(f, "inconsistent problem: {e}"),
            Self::UnknownJob { job } => write!(f, "job {job} does not exist"),
            Self::JobRepeated { job, times } => {
                write!(f, "job {job} appears {times} times (routed or unassigned)")
            }
            Self::JobMissing { job } => write!(f, "job {job} is neither routed nor unassigned"),
            Self::UnknownTechnician { technician } => {
                write!(f, "technician {technician} does not exist")
            }
            Self::TechnicianReused { technician } => {
                write!(f, "technician {technician} has more than one route")
            }
            Self::EmptyRoute { technician } => {
                write!(f, "route of technician {technician} serves no job")
            }
            Self::TimesLength {
                technician,
                steps,
                times,
            } => write!(
                f,
                "route of technician {technician} has {steps} steps but {times} step times"
            ),
            Self::UnknownBreak { technician, index } => {
                write!(f, "technician {technician} has no break {index}")
            }
            Self::BreakCount {
                technician,
                index,
                count,
            } => write!(
                f,
                "technician {technician} takes break {index} {count} times (must be once)"
            ),
            Self::BreakWindow {
                technician,
                index,
                ready,
            } => write!(
                f,
                "technician {technician} is ready for break {index} at {ready}, after its last window"
            ),
            Self::TimeWindow {
                technician,
                job,
                arrival,
            } => write!(
                f,
                "technician {technician} reaches job {job} at {arrival}, after its last time window"
            ),
            Self::Capacity {
                technician,
                dimension,
                load,
                capacity,
            } => write!(
                f,
                "technician {technician} carries {load} in dimension {dimension}, capacity {capacity}"
            ),
            Self::ShiftStart {
                technician,
                departure,
                start,
            } => write!(
                f,
                "technician {technician} departs at {departure}, before the shift start {start}"
            ),
            Self::ShiftEnd {
                technician,
                end_time,
                end,
            } => write!(
                f,
                "technician {technician} ends at {end_time}, after the shift end {end}"
            ),
            Self::Skills {
                technician,
                job,
                missing,
            } => write!(
                f,
                "technician {technician} serves job {job} without skills {missing:?}"
            ),
            Self::Pinned {
                technician,
                job,
                pinned_to,
            } => write!(
                f,
                "job {job} is pinned to technician {pinned_to} but served by {technician}"
            ),
            Self::MaxJobs {
                technician,
                jobs,
                max,
            } => write!(
                f,
                "technician {technician} serves {jobs} jobs, at most {max} allowed"
            ),
            Self::FixedPrefix { technician, detail } => write!(
                f,
                "route of technician {technician} does not keep its fixed visits: {detail}"
            ),
            Self::Mismatch {
                field,
                claimed,
                computed,
            } => write!(f, "{field}: solution says {claimed}, recomputed {computed}"),
        }
    }
}

impl std::error::Error for Violation {}

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

/// The recomputed totals of a valid solution, with every route's evaluation.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckedSummary {
    /// Totals recomputed from the problem (they agree with the solution's).
    pub summary: Summary,
    /// Each route's evaluation, in the solution's order.
    pub routes: Vec<RouteEval>,
}

/// Collects mismatches between claimed and computed values.
struct Compare<'a>(&'a mut Vec<Violation>);

impl Compare<'_> {
    fn f(&mut self, field: impl FnOnce() -> String, claimed: f64, computed: f64) {
        if !close(claimed, computed) {
            self.0.push(Violation::Mismatch {
                field: field(),
                claimed,
                computed,
            });
        }
    }
}

/// Compares a route's claimed times and totals with `eval`.
fn compare_route(route: &Route, eval: &RouteEval, out: &mut Vec<Violation>) {
    let t = route.technician;
    let mut cmp = Compare(out);
    for (i, (claimed, computed)) in route.times.iter().zip(&eval.times).enumerate() {
        cmp.f(
            || format!("technician {t} step {i} arrival"),
            claimed.arrival,
            computed.arrival,
        );
        cmp.f(
            || format!("technician {t} step {i} start"),
            claimed.start,
            computed.start,
        );
        cmp.f(
            || format!("technician {t} step {i} end"),
            claimed.end,
            computed.end,
        );
    }
    let fields = [
        ("end_time", route.end_time, eval.end_time),
        ("distance", route.distance, eval.distance),
        ("travel_time", route.travel_time, eval.travel_time),
        ("waiting", route.waiting, eval.waiting),
        ("overtime", route.overtime, eval.overtime),
        ("cost", route.cost, eval.cost),
    ];
    for (name, claimed, computed) in fields {
        cmp.f(|| format!("technician {t} route {name}"), claimed, computed);
    }
}

/// The totals of `routes` plus the unassigned jobs `unassigned`.
pub fn summarize(
    problem: &Problem,
    routes: &[RouteEval],
    unassigned: impl IntoIterator<Item = usize>,
) -> Summary {
    let mut s = Summary::default();
    for r in routes.iter().filter(|r| r.jobs > 0) {
        s.technicians_used += 1;
        s.cost += r.cost;
        s.distance += r.distance;
        s.travel_time += r.travel_time;
        s.duration += r.duration();
        s.waiting += r.waiting;
        s.overtime += r.overtime;
        s.served += r.jobs;
    }
    for job in unassigned.into_iter().filter_map(|j| problem.jobs.get(j)) {
        match job.unassigned_cost {
            Some(c) => s.cost += c,
            None => s.unassigned_priority += u64::from(job.priority),
        }
    }
    s
}

/// Validates `solution` against `problem`: every hard constraint, the schedule of every
/// route recomputed from its departure, and every claimed time and total.
pub fn check(problem: &Problem, solution: &Solution) -> Result<CheckedSummary, Vec<Violation>> {
    if let Err(e) = problem.validate() {
        return Err(vec![Violation::Problem(e)]);
    }
    let mut out = Vec::new();
    let mut seen = vec![0usize; problem.jobs.len()];
    let mut count = |job: usize, out: &mut Vec<Violation>| match seen.get_mut(job) {
        Some(n) => *n += 1,
        None => out.push(Violation::UnknownJob { job }),
    };
    let mut used = vec![false; problem.technicians.len()];
    let mut evals = Vec::with_capacity(solution.routes.len());
    for route in &solution.routes {
        let t = route.technician;
        match used.get_mut(t) {
            Some(u) if *u => out.push(Violation::TechnicianReused { technician: t }),
            Some(u) => *u = true,
            None => {
                out.push(Violation::UnknownTechnician { technician: t });
                continue;
            }
        }
        for step in &route.steps {
            if let Step::Job(j) = step {
                if *j < problem.jobs.len() {
                    count(*j, &mut out);
                }
            }
        }
        if route.times.len() != route.steps.len() {
            out.push(Violation::TimesLength {
                technician: t,
                steps: route.steps.len(),
                times: route.times.len(),
            });
        }
        let eval = evaluate_route(problem, t, route.departure, &route.steps, route.fixed);
        if eval.jobs == 0 {
            out.push(Violation::EmptyRoute { technician: t });
        }
        out.extend(eval.violations.iter().cloned());
        compare_route(route, &eval, &mut out);
        evals.push(eval);
    }
    for u in &solution.unassigned {
        count(u.job, &mut out);
    }
    for (job, &n) in seen.iter().enumerate() {
        match n {
            0 => out.push(Violation::JobMissing { job }),
            1 => {}
            times => out.push(Violation::JobRepeated { job, times }),
        }
    }
    for (t, used) in used.iter().enumerate() {
        if !used && !fixed_visits(problem, t).is_empty() {
            out.push(Violation::FixedPrefix {
                technician: t,
                detail: "the technician has fixed visits but no route".into(),
            });
        }
    }
    let summary = summarize(problem, &evals, solution.unassigned.iter().map(|u| u.job));
    compare_summary(&solution.summary, &summary, &mut out);
    if out.is_empty() {
        Ok(CheckedSummary {
            summary,
            routes: evals,
        })
    } else {
        Err(out)
    }
}

/// Compares the claimed summary with the recomputed one.
fn compare_summary(claimed: &Summary, computed: &Summary, out: &mut Vec<Violation>) {
    let counts = [
        (
            "unassigned_priority",
            claimed.unassigned_priority,
            computed.unassigned_priority,
        ),
        (
            "technicians_used",
            claimed.technicians_used as u64,
            computed.technicians_used as u64,
        ),
        ("served", claimed.served as u64, computed.served as u64),
    ];
    for (name, a, b) in counts {
        if a != b {
            out.push(Violation::Mismatch {
                field: format!("summary {name}"),
                claimed: a as f64,
                computed: b as f64,
            });
        }
    }
    let mut cmp = Compare(out);
    let fields = [
        ("cost", claimed.cost, computed.cost),
        ("distance", claimed.distance, computed.distance),
        ("travel_time", claimed.travel_time, computed.travel_time),
        ("duration", claimed.duration, computed.duration),
        ("waiting", claimed.waiting, computed.waiting),
        ("overtime", claimed.overtime, computed.overtime),
    ];
    for (name, a, b) in fields {
        cmp.f(|| format!("summary {name}"), a, b);
    }
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
