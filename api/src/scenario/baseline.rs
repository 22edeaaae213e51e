//! The greedy baseline dispatcher: "nearest available qualified technician, earliest
//! first". It stands for how a dispatcher plans by hand, so that every comparison shows
//! what the optimiser saves.
//!
//! Jobs are taken by the start of their earliest window. Each goes to the qualified
//! technician-day that can start it soonest after their current last visit (ties: the
//! least added travel), within its windows and the shift, with time to get home; routes
//! are only ever appended to, never reordered. Breaks go wherever they fit best.

use solver::check::{evaluate_route, route_from_eval, summarize, RouteEval};
use solver::{Problem, Route, Solution, Step, Unassigned, UnassignedReason};

/// A candidate placement: (start minute, added travel), technician, steps, schedule.
type Candidate = ((f64, f64), usize, Vec<Step>, RouteEval);

/// A route under construction: its jobs in order and the schedule with breaks.
#[derive(Clone, Default)]
struct Draft {
    jobs: Vec<usize>,
    built: Option<(Vec<Step>, RouteEval)>,
}

/// Plans `problem` greedily. The result passes [`solver::check::check`].
pub fn greedy(problem: &Problem) -> Solution {
    let mut order: Vec<usize> = (0..problem.jobs.len()).collect();
    let earliest = |j: usize| {
        problem.jobs[j]
            .time_windows
            .first()
            .map_or(f64::NEG_INFINITY, |w| w.start)
    };
    order.sort_by(|&a, &b| earliest(a).total_cmp(&earliest(b)).then(a.cmp(&b)));

    let mut drafts = vec![Draft::default(); problem.technicians.len()];
    let mut unassigned = Vec::new();
    for j in order {
        let job = &problem.jobs[j];
        let (first, last) = match (job.time_windows.first(), job.time_windows.last()) {
            (Some(f), Some(l)) => (f.start, l.end),
            _ => (f64::NEG_INFINITY, f64::INFINITY),
        };
        let mut best: Option<Candidate> = None;
        for (t, tech) in problem.technicians.iter().enumerate() {
            if !tech.skills.covers(&job.skills)
                || job.pinned_to.is_some_and(|p| p != t)
                || tech.max_jobs.is_some_and(|m| drafts[t].jobs.len() >= m)
                || last < tech.shift.start
                || first > tech.shift.end
            {
                continue;
            }
            let mut jobs = drafts[t].jobs.clone();
            jobs.push(j);
            let Some((steps, eval)) = schedule(problem, t, &jobs) else {
                continue;
            };
            let Some(pos) = steps.iter().position(|s| *s == Step::Job(j)) else {
                continue;
            };
            let before = drafts[t].built.as_ref().map_or(0.0, |b| b.1.travel_time);
            let key = (
                (eval.times[pos].start / 60.0).round(),
                eval.travel_time - before,
            );
            if best.as_ref().is_none_or(|(k, ..)| key < *k) {
                best = Some((key, t, steps, eval));
            }
        }
        match best {
            Some((_, t, steps, eval)) => {
                drafts[t].jobs.push(j);
                drafts[t].built = Some((steps, eval));
            }
            None => unassigned.push(Unassigned {
                job: j,
                reason: reason(problem, j),
            }),
        }
    }

    let mut routes: Vec<Route> = Vec::new();
    let mut evals = Vec::new();
    for (t, draft) in drafts.into_iter().enumerate() {
        let Some((steps, eval)) = draft.built else {
            continue;
        };
        let eval = leave_later(problem, t, &steps, eval);
        routes.push(route_from_eval(&eval, steps, 0));
        evals.push(eval);
    }
    unassigned.sort_by_key(|u| u.job);
    let summary = summarize(problem, &evals, unassigned.iter().map(|u| u.job));
    Solution {
        routes,
        unassigned,
        summary,
    }
}

/// The schedule of `jobs` in this order for technician `t` leaving at shift start, with
/// each break inserted where the route ends earliest; `None` when infeasible.
fn schedule(problem: &Problem, t: usize, jobs: &[usize]) -> Option<(Vec<Step>, RouteEval)> {
    let tech = &problem.technicians[t];
    let mut steps: Vec<Step> = jobs.iter().map(|&j| Step::Job(j)).collect();
    let departure = tech.shift.start;
    if tech.breaks.is_empty() {
        let eval = evaluate_route(problem, t, departure, &steps, 0);
        return eval.is_feasible().then_some((steps, eval));
    }
    // Breaks one by one; routes with a break still missing fail the break count, so rate
    // partial routes by their hard timing only.
    for b in 0..tech.breaks.len() {
        let mut best: Option<(f64, Vec<Step>)> = None;
        for pos in 0..=steps.len() {
            let mut candidate = steps.clone();
            candidate.insert(pos, Step::Break(b));
            let eval = evaluate_route(problem, t, departure, &candidate, 0);
            let only_missing_breaks = eval
                .violations
                .iter()
                .all(|v| matches!(v, solver::check::Violation::BreakCount { count: 0, .. }));
            if only_missing_breaks && best.as_ref().is_none_or(|(e, _)| eval.end_time < *e) {
                best = Some((eval.end_time, candidate));
            }
        }
        steps = best?.1;
    }
    let eval = evaluate_route(problem, t, departure, &steps, 0);
    eval.is_feasible().then_some((steps, eval))
}

/// Leaves home just in time for the first visit instead of waiting there, when that
/// stays feasible (less route time, as a dispatcher would plan).
fn leave_later(problem: &Problem, t: usize, steps: &[Step], eval: RouteEval) -> RouteEval {
    let tech = &problem.technicians[t];
    let (Some(Step::Job(j)), Some(times), Some(home)) =
        (steps.first(), eval.times.first(), tech.start)
    else {
        return eval;
    };
    let leave = times.start - problem.matrix.duration(home, problem.jobs[*j].location);
    if leave <= eval.departure {
        return eval;
    }
    let later = evaluate_route(problem, t, leave, steps, 0);
    if later.is_feasible() {
        later
    } else {
        eval
    }
}

/// Why nobody could take job `j`.
fn reason(problem: &Problem, j: usize) -> UnassignedReason {
    let job = &problem.jobs[j];
    let qualified: Vec<usize> = (0..problem.technicians.len())
        .filter(|&t| problem.technicians[t].skills.covers(&job.skills))
        .collect();
    if qualified.is_empty() {
        let missing = problem
            .technicians
            .iter()
            .map(|t| t.skills.missing(&job.skills))
            .min_by_key(|m| m.indices().len())
            .unwrap_or(job.skills);
        return UnassignedReason::Skills {
            missing: missing.indices(),
        };
    }
    let alone = qualified
        .iter()
        .any(|&t| schedule(problem, t, &[j]).is_some());
    if alone {
        UnassignedReason::NoRoom
    } else {
        UnassignedReason::TimeWindow
    }
}
