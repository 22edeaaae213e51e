//! The plan in force as a column of the comparison: each technician-day's visits in their
//! planned order, timed by the same rules as every other plan (leave at the shift start,
//! start each visit as early as its window allows, breaks where the day ends earliest).
//! Unlike the planners' plans it may break rules (a visit after its window, an overlong
//! day); those are counted, not refused.

use anyhow::Context;
use solver::check::{evaluate_route, route_from_eval, summarize, CheckedSummary, Violation};
use solver::{Problem, Solution, Step};
use std::collections::HashMap;

use super::file::PlannedVisitSpec;
use super::metrics::UnassignedJob;
use super::model::{Scenario, DAY};
use super::problem::PlanningProblem;

/// The plan in force, measured.
pub struct CurrentPlan {
    /// The routes (their times recomputed).
    pub solution: Solution,
    /// Route evaluations and totals, for [`super::metrics::measure`].
    pub checked: CheckedSummary,
    /// Broken rules over all routes.
    pub violations: usize,
    /// Jobs it does not serve, with why.
    pub unassigned: Vec<UnassignedJob>,
}

/// Builds the plan in force from `visits` over `planning`'s problem.
pub fn evaluate(
    scenario: &Scenario,
    planning: &PlanningProblem,
    visits: &[PlannedVisitSpec],
) -> anyhow::Result<CurrentPlan> {
    let problem = &planning.problem;
    let job_index: HashMap<&str, usize> = scenario
        .work_orders
        .iter()
        .enumerate()
        .map(|(i, w)| (w.id.as_str(), i))
        .collect();
    let tech_index: HashMap<&str, usize> = scenario
        .technicians
        .iter()
        .enumerate()
        .map(|(i, t)| (t.id.as_str(), i))
        .collect();
    let mut by_day: HashMap<usize, Vec<(f64, usize)>> = HashMap::new();
    let mut outside = Vec::new();
    let mut routed = vec![false; problem.jobs.len()];
    for (i, v) in visits.iter().enumerate() {
        let start = scenario
            .horizon
            .parse_instant(&v.start, false)
            .with_context(|| format!("current_plan[{i}]: field `start`"))?;
        let Some(&j) = job_index.get(v.job.as_str()) else {
            continue; // a job removed by an edit
        };
        let day = (start / DAY).floor();
        let td = tech_index.get(v.technician.as_str()).and_then(|&t| {
            planning
                .tech_days
                .iter()
                .position(|d| d.technician == t && f64::from(d.day) == day)
        });
        match td {
            Some(td) if !routed[j] => {
                routed[j] = true;
                by_day.entry(td).or_default().push((start, j));
            }
            Some(_) => {}
            None => outside.push(j),
        }
    }
    let mut days: Vec<(usize, Vec<(f64, usize)>)> = by_day.into_iter().collect();
    days.sort_by_key(|(td, _)| *td);
    let mut routes = Vec::new();
    let mut evals = Vec::new();
    let mut violations = 0;
    for (td, mut stops) in days {
        stops.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let steps = with_breaks(problem, td, stops.iter().map(|s| s.1).collect());
        let eval = evaluate_route(problem, td, problem.technicians[td].shift.start, &steps, 0);
        violations += eval.violations.len();
        routes.push(route_from_eval(&eval, steps, 0));
        evals.push(eval);
    }
    let left: Vec<usize> = (0..problem.jobs.len()).filter(|&j| !routed[j]).collect();
    let summary = summarize(problem, &evals, left.iter().copied());
    let unassigned = left
        .iter()
        .map(|&j| {
            let (code, reason) = if outside.contains(&j) {
                (
                    "outside_shift",
                    "assigned outside the technician's working days",
                )
            } else {
                ("not_assigned", "not assigned in the current plan")
            };
            UnassignedJob {
                id: scenario.work_orders[j].id.clone(),
                code: code.into(),
                reason: reason.into(),
            }
        })
        .collect();
    let solution = Solution {
        routes,
        unassigned: left
            .iter()
            .map(|&job| solver::Unassigned {
                job,
                reason: solver::UnassignedReason::NoRoom,
            })
            .collect(),
        summary: summary.clone(),
    };
    Ok(CurrentPlan {
        solution,
        checked: CheckedSummary {
            summary,
            routes: evals,
        },
        violations,
        unassigned,
    })
}

/// The visits with each break of the technician-day inserted where it breaks the fewest
/// rules, then where the day ends earliest.
fn with_breaks(problem: &Problem, td: usize, jobs: Vec<usize>) -> Vec<Step> {
    let tech = &problem.technicians[td];
    let mut steps: Vec<Step> = jobs.into_iter().map(Step::Job).collect();
    for b in 0..tech.breaks.len() {
        let mut best: Option<((usize, f64), Vec<Step>)> = None;
        for pos in 0..=steps.len() {
            let mut candidate = steps.clone();
            candidate.insert(pos, Step::Break(b));
            let eval = evaluate_route(problem, td, tech.shift.start, &candidate, 0);
            let broken = eval
                .violations
                .iter()
                .filter(|v| !matches!(v, Violation::BreakCount { .. }))
                .count();
            let key = (broken, eval.end_time);
            if best
                .as_ref()
                .is_none_or(|(k, _)| key.0 < k.0 || (key.0 == k.0 && key.1 < k.1))
            {
                best = Some((key, candidate));
            }
        }
        if let Some((_, s)) = best {
            steps = s;
        }
    }
    steps
}
