//! [`solver::Solution`] → VROOM's JSON output (`code`, `summary`, `unassigned`, `routes`),
//! plus two fields VROOM clients ignore: `estimator` and each unassigned job's `reason`.

use super::convert::Prepared;
use crate::osrm::polyline;
use crate::planning::travel;
use routing_graph::RoadGraph;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use solver::{Solution, Step, UnassignedReason};

/// VROOM's answer.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Output {
    /// 0: solved.
    pub code: u8,
    /// Totals.
    pub summary: Summary,
    /// Jobs left out.
    pub unassigned: Vec<UnassignedOut>,
    /// One route per vehicle used.
    pub routes: Vec<RouteOut>,
    /// Extension: `road_graph`, `straight_line` or `custom_matrix`.
    pub estimator: String,
}

/// Milliseconds spent per phase.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ComputingTimes {
    /// Reading the request and computing the matrix.
    pub loading: u64,
    /// Searching.
    pub solving: u64,
    /// Computing route geometries.
    pub routing: u64,
}

/// Totals of the solution.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Summary {
    /// Summed route costs.
    pub cost: i64,
    /// Vehicles used.
    pub routes: usize,
    /// Jobs left out.
    pub unassigned: usize,
    /// Setup time (folded into service here: always 0).
    pub setup: i64,
    /// Service time.
    pub service: i64,
    /// Travel time.
    pub duration: i64,
    /// Waiting time.
    pub waiting_time: i64,
    /// Summed priority of the jobs served.
    pub priority: u64,
    /// Deliveries per dimension.
    pub delivery: Vec<i64>,
    /// Pickups per dimension.
    pub pickup: Vec<i64>,
    /// Legacy: deliveries plus pickups per dimension.
    pub amount: Vec<i64>,
    /// Distance, metres.
    pub distance: i64,
    /// Soft-constraint violations (none: every constraint is hard).
    pub violations: Vec<Value>,
    /// Timings.
    pub computing_times: ComputingTimes,
}

/// Why a job was left out (extension).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ReasonOut {
    /// `skills`, `pinned`, `time_window`, `capacity`, `no_room` or `not_worth_it`.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
}

/// A job left out.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UnassignedOut {
    /// Job id.
    pub id: Value,
    /// `[lon, lat]`, when known.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub location: Option<[f64; 2]>,
    /// Index into the custom matrix, when one was sent.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub location_index: Option<usize>,
    /// Always `job`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The job's description.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub description: Option<String>,
    /// Extension: why.
    pub reason: ReasonOut,
}

/// A vehicle's route.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RouteOut {
    /// Vehicle id.
    pub vehicle: Value,
    /// Route cost.
    pub cost: i64,
    /// Setup time (always 0: folded into service).
    pub setup: i64,
    /// Service time.
    pub service: i64,
    /// Travel time.
    pub duration: i64,
    /// Waiting time.
    pub waiting_time: i64,
    /// Summed priority of the route's jobs.
    pub priority: u64,
    /// Deliveries per dimension.
    pub delivery: Vec<i64>,
    /// Pickups per dimension.
    pub pickup: Vec<i64>,
    /// Legacy: deliveries plus pickups.
    pub amount: Vec<i64>,
    /// Distance, metres.
    pub distance: i64,
    /// The vehicle's description.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub description: Option<String>,
    /// Encoded polyline (precision 5) when `options.g`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub geometry: Option<String>,
    /// Soft-constraint violations (none).
    pub violations: Vec<Value>,
    /// Steps: start, jobs and breaks, end.
    pub steps: Vec<StepOut>,
}

/// One step of a route.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StepOut {
    /// `start`, `job`, `break` or `end`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Job or break id.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub id: Option<Value>,
    /// `[lon, lat]`, when known.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub location: Option<[f64; 2]>,
    /// Index into the custom matrix, when one was sent.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub location_index: Option<usize>,
    /// Setup time (0).
    pub setup: i64,
    /// Service (or break) time.
    pub service: i64,
    /// Waiting before service.
    pub waiting_time: i64,
    /// Arrival time (for `start`: departure).
    pub arrival: i64,
    /// Travel time so far.
    pub duration: i64,
    /// Distance so far, metres.
    pub distance: i64,
    /// Load after the step.
    pub load: Vec<i64>,
    /// The job's or break's description.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub description: Option<String>,
    /// Soft-constraint violations (none).
    pub violations: Vec<Value>,
}

fn r(v: f64) -> i64 {
    v.round() as i64
}

fn id_value(id: &super::input::Id) -> Value {
    serde_json::to_value(id).unwrap_or(Value::Null)
}

fn padded(v: &[i64], dims: usize) -> Vec<i64> {
    let mut out = vec![0; dims];
    for (o, x) in out.iter_mut().zip(v) {
        *o = *x;
    }
    out
}

fn add(acc: &mut [i64], v: &[i64]) {
    for (a, x) in acc.iter_mut().zip(v) {
        *a = a.saturating_add(*x);
    }
}

/// The reason of an unassigned job with vehicle ids and skill names instead of indices.
pub fn reason(prep: &Prepared, reason: &UnassignedReason) -> ReasonOut {
    let code = serde_json::to_value(reason)
        .ok()
        .and_then(|v| v.get("code").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_else(|| "unknown".into());
    let message = match reason {
        UnassignedReason::Skills { missing } => {
            let names: Vec<&str> = missing
                .iter()
                .filter_map(|i| prep.skill_names.get(*i).map(String::as_str))
                .collect();
            format!(
                "no vehicle has the required skills (missing: {})",
                names.join(", ")
            )
        }
        UnassignedReason::Pinned { technician } => {
            let id = prep
                .input
                .vehicles
                .get(*technician)
                .map_or_else(|| technician.to_string(), |v| v.id.to_string());
            format!("the pinned vehicle {id} cannot serve it")
        }
        other => other.message(),
    };
    ReasonOut { code, message }
}

/// Builds the answer. `graph` is used for geometries when `options.g` is set.
pub fn output(
    prep: &Prepared,
    solution: &Solution,
    graph: Option<&RoadGraph>,
    mut times: ComputingTimes,
) -> Output {
    let started = std::time::Instant::now();
    let problem = &prep.problem;
    let input = &prep.input;
    let travel = &prep.travel;
    let dims = problem.dimensions;
    let custom = travel.source == travel::Source::Custom;
    let loc = |l: usize| {
        travel
            .coords
            .get(l)
            .copied()
            .flatten()
            .map(|c| [c.lon, c.lat])
    };
    let loc_index = |l: usize| custom.then_some(l);
    let m = &problem.matrix;

    let mut routes = Vec::with_capacity(solution.routes.len());
    for route in &solution.routes {
        let tech = &problem.technicians[route.technician];
        let vehicle = &input.vehicles[route.technician];
        let mut delivery = vec![0; dims];
        let mut pickup = vec![0; dims];
        for j in route.jobs() {
            let job = &input.jobs[j];
            add(&mut delivery, &padded(&job.delivery, dims));
            add(&mut pickup, &padded(&job.pickup, dims));
            add(&mut pickup, &padded(&job.amount, dims));
        }
        let mut load = delivery.clone();
        let (mut travel_s, mut dist_m, mut service_s, mut wait_s, mut prio) =
            (0.0, 0.0, 0.0, 0.0, 0u64);
        let mut at = tech.start;
        let mut stops: Vec<usize> = tech.start.into_iter().collect();
        let mut steps = Vec::with_capacity(route.steps.len() + 2);
        if let Some(s) = tech.start {
            steps.push(StepOut {
                kind: "start".into(),
                id: None,
                location: loc(s),
                location_index: loc_index(s),
                setup: 0,
                service: 0,
                waiting_time: 0,
                arrival: r(route.departure),
                duration: 0,
                distance: 0,
                load: load.clone(),
                description: None,
                violations: Vec::new(),
            });
        }
        for (step, t) in route.steps.iter().zip(&route.times) {
            let waiting = (t.start - t.arrival).max(0.0);
            wait_s += waiting;
            match *step {
                Step::Job(j) => {
                    let l = problem.jobs[j].location;
                    if let Some(p) = at {
                        travel_s += m.duration(p, l);
                        dist_m += m.distance(p, l);
                    }
                    at = Some(l);
                    stops.push(l);
                    let job = &input.jobs[j];
                    for (x, d) in load.iter_mut().zip(padded(&job.delivery, dims)) {
                        *x -= d;
                    }
                    add(&mut load, &padded(&job.pickup, dims));
                    add(&mut load, &padded(&job.amount, dims));
                    service_s += problem.jobs[j].service;
                    prio += u64::from(job.priority);
                    steps.push(StepOut {
                        kind: "job".into(),
                        id: Some(id_value(&job.id)),
                        location: loc(l),
                        location_index: loc_index(l),
                        setup: 0,
                        service: r(problem.jobs[j].service),
                        waiting_time: r(waiting),
                        arrival: r(t.arrival),
                        duration: r(travel_s),
                        distance: r(dist_m),
                        load: load.clone(),
                        description: job.description.clone(),
                        violations: Vec::new(),
                    });
                }
                Step::Break(b) => {
                    let br = &vehicle.breaks[b];
                    service_s += tech.breaks[b].duration;
                    steps.push(StepOut {
                        kind: "break".into(),
                        id: Some(id_value(&br.id)),
                        location: at.and_then(loc),
                        location_index: at.and_then(loc_index),
                        setup: 0,
                        service: r(tech.breaks[b].duration),
                        waiting_time: r(waiting),
                        arrival: r(t.arrival),
                        duration: r(travel_s),
                        distance: r(dist_m),
                        load: load.clone(),
                        description: br.description.clone(),
                        violations: Vec::new(),
                    });
                }
            }
        }
        if let Some(e) = tech.end {
            if let Some(p) = at {
                travel_s += m.duration(p, e);
                dist_m += m.distance(p, e);
            }
            stops.push(e);
            steps.push(StepOut {
                kind: "end".into(),
                id: None,
                location: loc(e),
                location_index: loc_index(e),
                setup: 0,
                service: 0,
                waiting_time: 0,
                arrival: r(route.end_time),
                duration: r(travel_s),
                distance: r(dist_m),
                load: load.clone(),
                description: None,
                violations: Vec::new(),
            });
        }
        let geometry = if input.options.g {
            travel::path_through(travel, graph, &stops).map(|p| polyline::encode(&p, 5))
        } else {
            None
        };
        let mut amount = delivery.clone();
        add(&mut amount, &pickup);
        routes.push(RouteOut {
            vehicle: id_value(&vehicle.id),
            cost: r(route.cost),
            setup: 0,
            service: r(service_s),
            duration: r(travel_s),
            waiting_time: r(wait_s),
            priority: prio,
            delivery,
            pickup,
            amount,
            distance: r(dist_m),
            description: vehicle.description.clone(),
            geometry,
            violations: Vec::new(),
            steps,
        });
    }

    let unassigned: Vec<UnassignedOut> = solution
        .unassigned
        .iter()
        .map(|u| {
            let job = &input.jobs[u.job];
            let l = prep.job_locations[u.job];
            UnassignedOut {
                id: id_value(&job.id),
                location: loc(l),
                location_index: loc_index(l),
                kind: "job".into(),
                description: job.description.clone(),
                reason: reason(prep, &u.reason),
            }
        })
        .collect();

    let mut summary = Summary {
        cost: 0,
        routes: routes.len(),
        unassigned: unassigned.len(),
        setup: 0,
        service: 0,
        duration: 0,
        waiting_time: 0,
        priority: 0,
        delivery: vec![0; dims],
        pickup: vec![0; dims],
        amount: vec![0; dims],
        distance: 0,
        violations: Vec::new(),
        computing_times: ComputingTimes::default(),
    };
    for route in &routes {
        summary.cost += route.cost;
        summary.service += route.service;
        summary.duration += route.duration;
        summary.waiting_time += route.waiting_time;
        summary.priority += route.priority;
        summary.distance += route.distance;
        add(&mut summary.delivery, &route.delivery);
        add(&mut summary.pickup, &route.pickup);
        add(&mut summary.amount, &route.amount);
    }
    times.routing = started.elapsed().as_millis() as u64;
    summary.computing_times = times;
    Output {
        code: 0,
        summary,
        unassigned,
        routes,
        estimator: travel.source.as_str().to_string(),
    }
}
