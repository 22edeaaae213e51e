//! The figures that judge a plan: jobs served and left (with reasons), travel time and
//! distance in total and per job, overtime, utilisation per technician, time-window
//! compliance and cost; and the routes themselves, for pages that draw them.

use serde::{Deserialize, Serialize};
use solver::check::CheckedSummary;
use solver::{Solution, Step};

use super::model::Scenario;
use super::problem::PlanningProblem;

/// A job left out of a plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnassignedJob {
    /// Work-order id.
    pub id: String,
    /// Machine-readable reason (`skills`, `time_window`, `no_room`, …).
    pub code: String,
    /// Human-readable reason.
    pub reason: String,
}

/// One technician's figures over the horizon.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TechnicianFigures {
    /// Technician id.
    pub id: String,
    /// Days with at least one visit.
    pub days_used: usize,
    /// Visits.
    pub jobs: usize,
    /// Time on site, seconds.
    pub service_s: f64,
    /// Working time available (all shifts of the horizon), seconds.
    pub shift_s: f64,
    /// `service_s / shift_s`.
    pub utilisation: f64,
    /// Driving, seconds.
    pub travel_time_s: f64,
    /// Driving, metres.
    pub distance_m: f64,
    /// Overtime, seconds.
    pub overtime_s: f64,
}

/// A visit of a route, with local date-times.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Visit {
    /// Work-order id.
    pub job: String,
    /// Arrival at the site.
    pub arrival: String,
    /// Start of service.
    pub start: String,
    /// End of service.
    pub end: String,
}

/// A technician-day's route.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RouteFigures {
    /// Technician id.
    pub technician: String,
    /// Date (`YYYY-MM-DD`).
    pub date: String,
    /// Departure from home.
    pub departure: String,
    /// Back home.
    pub back: String,
    /// Visits in order (breaks left out).
    pub visits: Vec<Visit>,
    /// Driving, seconds.
    pub travel_time_s: f64,
    /// Driving, metres.
    pub distance_m: f64,
}

/// Everything measured on one plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanFigures {
    /// Plan name (`<variant> / <planner>`).
    pub name: String,
    /// Variant name (`base` for the scenario as given).
    pub variant: String,
    /// `current` (the plan in force), `greedy` (the baseline dispatcher) or `optimized`.
    pub planner: String,
    /// Jobs to plan.
    pub jobs: usize,
    /// Jobs served.
    pub served: usize,
    /// Jobs left out.
    pub unassigned: usize,
    /// Jobs left out, with reasons.
    pub unassigned_jobs: Vec<UnassignedJob>,
    /// Total driving, seconds.
    pub travel_time_s: f64,
    /// Driving per served job, seconds.
    pub travel_time_per_job_s: f64,
    /// Total driving, metres.
    pub distance_m: f64,
    /// Driving per served job, metres.
    pub distance_per_job_m: f64,
    /// Total overtime, seconds.
    pub overtime_s: f64,
    /// Total waiting, seconds.
    pub waiting_s: f64,
    /// Total time on site, seconds.
    pub service_s: f64,
    /// Technician-days with at least one visit.
    pub technician_days_used: usize,
    /// Technicians with at least one visit.
    pub technicians_used: usize,
    /// Time on site over the working time of the whole workforce.
    pub utilisation: f64,
    /// Served jobs starting inside their requested windows, share (1 = all).
    pub window_compliance: f64,
    /// Plan cost (route time, distance, day and overtime rates).
    pub cost: f64,
    /// The independent checker accepted the plan.
    pub checked: bool,
    /// Rules the plan breaks (only the plan in force may break any).
    #[serde(default)]
    pub violations: usize,
    /// Time spent planning, seconds.
    pub planning_s: f64,
    /// Per technician.
    pub technicians: Vec<TechnicianFigures>,
    /// The routes.
    pub routes: Vec<RouteFigures>,
}

/// Measures `solution` (already accepted by the checker, whose totals are `checked`).
pub fn measure(
    scenario: &Scenario,
    planning: &PlanningProblem,
    solution: &Solution,
    checked: &CheckedSummary,
    variant: &str,
    planner: &str,
    planning_s: f64,
) -> PlanFigures {
    let problem = &planning.problem;
    let h = &scenario.horizon;
    let s = &checked.summary;
    let mut techs: Vec<TechnicianFigures> = scenario
        .technicians
        .iter()
        .map(|t| TechnicianFigures {
            id: t.id.clone(),
            days_used: 0,
            jobs: 0,
            service_s: 0.0,
            shift_s: t
                .days
                .iter()
                .flatten()
                .map(|d| d.end - d.start - d.gaps.iter().map(|g| g.1 - g.0).sum::<f64>())
                .sum(),
            utilisation: 0.0,
            travel_time_s: 0.0,
            distance_m: 0.0,
            overtime_s: 0.0,
        })
        .collect();
    let mut routes = Vec::new();
    let mut compliant = 0usize;
    let mut service_total = 0.0;
    for (route, eval) in solution.routes.iter().zip(&checked.routes) {
        let td = planning.tech_days[route.technician];
        let f = &mut techs[td.technician];
        f.days_used += 1;
        f.travel_time_s += eval.travel_time;
        f.distance_m += eval.distance;
        f.overtime_s += eval.overtime;
        let mut visits = Vec::new();
        for (step, times) in route.steps.iter().zip(&eval.times) {
            let Step::Job(j) = step else { continue };
            let w = &scenario.work_orders[*j];
            f.jobs += 1;
            f.service_s += problem.jobs[*j].service;
            service_total += problem.jobs[*j].service;
            let inside = w.windows.is_empty()
                || w.windows
                    .iter()
                    .any(|&(a, b)| times.start >= a - 1e-6 && times.start <= b + 1e-6);
            compliant += usize::from(inside);
            visits.push(Visit {
                job: w.id.clone(),
                arrival: h.format(times.arrival),
                start: h.format(times.start),
                end: h.format(times.end),
            });
        }
        routes.push(RouteFigures {
            technician: scenario.technicians[td.technician].id.clone(),
            date: h.date(td.day).to_string(),
            departure: h.format(eval.departure),
            back: h.format(eval.end_time),
            visits,
            travel_time_s: eval.travel_time,
            distance_m: eval.distance,
        });
    }
    for f in &mut techs {
        f.utilisation = ratio(f.service_s, f.shift_s);
    }
    let shift_total: f64 = techs.iter().map(|t| t.shift_s).sum();
    let unassigned_jobs = solution
        .unassigned
        .iter()
        .map(|u| UnassignedJob {
            id: scenario.work_orders[u.job].id.clone(),
            code: serde_json::to_value(&u.reason)
                .ok()
                .and_then(|v| v["code"].as_str().map(str::to_string))
                .unwrap_or_default(),
            reason: u.reason.message(),
        })
        .collect();
    PlanFigures {
        name: format!("{variant} / {planner}"),
        variant: variant.to_string(),
        planner: planner.to_string(),
        jobs: problem.jobs.len(),
        served: s.served,
        unassigned: solution.unassigned.len(),
        unassigned_jobs,
        travel_time_s: s.travel_time,
        travel_time_per_job_s: ratio(s.travel_time, s.served as f64),
        distance_m: s.distance,
        distance_per_job_m: ratio(s.distance, s.served as f64),
        overtime_s: s.overtime,
        waiting_s: s.waiting,
        service_s: service_total,
        technician_days_used: s.technicians_used,
        technicians_used: techs.iter().filter(|t| t.days_used > 0).count(),
        utilisation: ratio(service_total, shift_total),
        window_compliance: if s.served == 0 {
            1.0
        } else {
            compliant as f64 / s.served as f64
        },
        cost: s.cost,
        checked: true,
        violations: 0,
        planning_s,
        technicians: techs,
        routes,
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 {
        a / b
    } else {
        0.0
    }
}
