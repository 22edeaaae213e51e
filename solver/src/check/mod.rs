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

mod evaluate;
mod violation;

pub use evaluate::{assemble, evaluate_route, fixed_visits, route_from_eval, RouteEval};
pub use violation::Violation;

use crate::model::Problem;
use crate::solution::{Route, Solution, Step, Summary};

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
