//! VROOM (or native) input → [`solver::Problem`], keeping what the output needs to speak
//! VROOM again: ids, VROOM priorities, deliveries and pickups, the travel matrix's places.
//!
//! Mapping choices (documented for clients):
//! - costs: `per_hour / 3600` per second of route duration (VROOM charges travel time only;
//!   Fieldpath charges the working day, waiting and service included), `per_km / 1000` per
//!   metre, `fixed` once per vehicle used;
//! - capacity: a job's load is `delivery + pickup + amount`, bounded by the capacity over the
//!   whole route (conservative: VROOM lets deliveries free room for later pickups);
//! - priority `p` weighs `1 + p·(jobs+1)`, so higher priorities come first and then the number
//!   of jobs served, as VROOM ranks them;
//! - `setup` is added to the service time.

use super::input::{Id, Input, Skill};
use crate::error::ApiError;
use crate::planning::travel::{self, Place, Travel};
use routing_graph::{Coord, RoadGraph};
use solver::{
    Break, Costs, Job, Objective, PlannedVisit, Problem, Replan, Shift, Skills, Technician,
    TimeWindow,
};
use std::collections::HashMap;

/// Shift end used when a vehicle has no `time_window` (VROOM: unbounded).
pub const OPEN_END: f64 = 1e10;
/// Default cost of serving a job with another vehicle than the preferred one.
pub const DEFAULT_PREFERENCE_PENALTY: f64 = 600.0;

/// A request ready to solve, with what the answer needs.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The solver's problem.
    pub problem: Problem,
    /// The request, for ids, descriptions and amounts.
    pub input: Input,
    /// The travel matrix and the requested places.
    pub travel: Travel,
    /// Matrix location of each job.
    pub job_locations: Vec<usize>,
    /// Skill names by solver skill index.
    pub skill_names: Vec<String>,
}

fn coord(c: Option<[f64; 2]>) -> Option<Coord> {
    c.map(|[lon, lat]| Coord::new(lon, lat))
}

/// Checks the request, computes the travel matrix (blocking: call off the runtime) and builds
/// the problem. Errors name the request field at fault.
pub fn prepare(input: Input, graph: Option<&RoadGraph>) -> Result<Prepared, ApiError> {
    if !input.shipments.is_empty() {
        return Err(ApiError::validation(
            "shipments",
            "shipments (pickup-and-delivery pairs) are not supported; send jobs",
        ));
    }
    if input.vehicles.is_empty() {
        return Err(ApiError::validation(
            "vehicles",
            "at least one vehicle is required",
        ));
    }
    let vehicle_index = unique_ids(input.vehicles.iter().map(|v| &v.id), "vehicles")?;
    let job_index = unique_ids(input.jobs.iter().map(|j| &j.id), "jobs")?;

    // Places: every job, then each vehicle's start and end.
    let mut places = Vec::new();
    for (i, j) in input.jobs.iter().enumerate() {
        places.push(Place {
            field: format!("jobs[{i}].location"),
            coord: coord(j.location),
            index: j.location_index,
        });
    }
    let mut vehicle_places = Vec::new();
    for (i, v) in input.vehicles.iter().enumerate() {
        let mut slot = |field: &str, c: Option<[f64; 2]>, idx: Option<usize>| {
            (c.is_some() || idx.is_some()).then(|| {
                places.push(Place {
                    field: format!("vehicles[{i}].{field}"),
                    coord: coord(c),
                    index: idx,
                });
                places.len() - 1
            })
        };
        let s = slot("start", v.start, v.start_index);
        let e = slot("end", v.end, v.end_index);
        vehicle_places.push((s, e));
    }
    let travel = match custom_matrix(&input)? {
        Some((field, durations, distances)) => {
            travel::custom(&places, &durations, distances.as_deref(), &field)?
        }
        None => travel::from_coords(&places, graph)?,
    };

    let mut skills = SkillMap::default();
    let dims = dimensions(&input)?;
    let weight_step = input.jobs.len() as u64 + 1;
    let mut technicians = Vec::with_capacity(input.vehicles.len());
    for (i, v) in input.vehicles.iter().enumerate() {
        let [start, end] = v.time_window.unwrap_or([0.0, OPEN_END]);
        if !(start.is_finite() && end.is_finite() && start <= end) {
            return Err(ApiError::validation(
                format!("vehicles[{i}].time_window"),
                "time_window must be [start, end] with start ≤ end",
            ));
        }
        let mut breaks = Vec::with_capacity(v.breaks.len());
        for (b, br) in v.breaks.iter().enumerate() {
            let field = format!("vehicles[{i}].breaks[{b}]");
            if br.time_windows.is_empty() {
                return Err(ApiError::validation(
                    format!("{field}.time_windows"),
                    "a break needs at least one time window",
                ));
            }
            if !(br.service.is_finite() && br.service >= 0.0) {
                return Err(ApiError::validation(
                    format!("{field}.service"),
                    "service must be ≥ 0",
                ));
            }
            breaks.push(Break {
                id: br.id.to_string(),
                duration: br.service,
                windows: windows(&br.time_windows, &format!("{field}.time_windows"))?,
            });
        }
        let capacity = if v.capacity.is_empty() {
            vec![i64::MAX / 4; dims]
        } else {
            v.capacity.clone()
        };
        let costs = v.costs.clone().unwrap_or_default();
        let (s, e) = vehicle_places[i];
        technicians.push(Technician {
            id: v.id.to_string(),
            start: s.map(|p| travel.locations[p]),
            end: e.map(|p| travel.locations[p]),
            shift: Shift::new(start, end),
            breaks,
            skills: skills.set(&v.skills, &format!("vehicles[{i}].skills"))?,
            capacity,
            max_jobs: v.max_tasks,
            costs: Costs {
                fixed: costs.fixed,
                per_time: costs.per_hour / 3600.0,
                per_distance: costs.per_km / 1000.0,
            },
        });
    }

    let mut jobs = Vec::with_capacity(input.jobs.len());
    let mut job_locations = Vec::with_capacity(input.jobs.len());
    for (i, j) in input.jobs.iter().enumerate() {
        let field = format!("jobs[{i}]");
        if j.priority > 100 {
            return Err(ApiError::validation(
                format!("{field}.priority"),
                "priority must be 0..=100",
            ));
        }
        let service = j.setup + j.service;
        if !(service.is_finite() && service >= 0.0) {
            return Err(ApiError::validation(
                format!("{field}.service"),
                "service must be ≥ 0",
            ));
        }
        let mut demand = vec![0i64; dims];
        for (what, amounts) in [
            ("delivery", &j.delivery),
            ("pickup", &j.pickup),
            ("amount", &j.amount),
        ] {
            if !amounts.is_empty() && amounts.len() != dims {
                return Err(ApiError::validation(
                    format!("{field}.{what}"),
                    format!("expected {dims} capacity dimensions, got {}", amounts.len()),
                ));
            }
            for (d, a) in demand.iter_mut().zip(amounts) {
                *d = d.saturating_add(*a);
            }
        }
        let vehicle = |id: &Option<Id>, what: &str| -> Result<Option<usize>, ApiError> {
            id.as_ref()
                .map(|id| {
                    vehicle_index.get(id).copied().ok_or_else(|| {
                        ApiError::validation(
                            format!("{field}.{what}"),
                            format!("no vehicle with id {id}"),
                        )
                    })
                })
                .transpose()
        };
        let location = travel.locations[i];
        job_locations.push(location);
        let weight = 1 + u64::from(j.priority) * weight_step;
        jobs.push(Job {
            id: j.id.to_string(),
            location,
            service,
            time_windows: windows(&j.time_windows, &format!("{field}.time_windows"))?,
            skills: skills.set(&j.skills, &format!("{field}.skills"))?,
            demand,
            priority: u32::try_from(weight).unwrap_or(u32::MAX),
            unassigned_cost: j.optional_cost,
            pinned_to: vehicle(&j.pinned_vehicle, "pinned_vehicle")?,
            preferred: vehicle(&j.preferred_vehicle, "preferred_vehicle")?,
            preference_penalty: j.preference_penalty.unwrap_or(DEFAULT_PREFERENCE_PENALTY),
        });
    }
    for (t, v) in input.vehicles.iter().enumerate() {
        if !v.capacity.is_empty() && v.capacity.len() != dims {
            return Err(ApiError::validation(
                format!("vehicles[{t}].capacity"),
                format!(
                    "expected {dims} capacity dimensions, got {}",
                    v.capacity.len()
                ),
            ));
        }
    }

    let replan = match &input.replan {
        None => None,
        Some(r) => {
            let mut routes = Vec::new();
            for (ri, route) in r.routes.iter().enumerate() {
                let t = *vehicle_index.get(&route.vehicle).ok_or_else(|| {
                    ApiError::validation(
                        format!("replan.routes[{ri}].vehicle"),
                        format!("no vehicle with id {}", route.vehicle),
                    )
                })?;
                let mut visits = Vec::new();
                for (si, s) in route.steps.iter().enumerate() {
                    let job = *job_index.get(&s.job).ok_or_else(|| {
                        ApiError::validation(
                            format!("replan.routes[{ri}].steps[{si}].job"),
                            format!("no job with id {}", s.job),
                        )
                    })?;
                    visits.push(PlannedVisit {
                        job,
                        start: s.start,
                    });
                }
                routes.push((t, visits));
            }
            Some(Replan {
                freeze_time: r.freeze_time,
                routes,
            })
        }
    };

    let problem = Problem {
        matrix: travel.matrix.clone(),
        technicians,
        jobs,
        dimensions: dims,
        objective: Objective {
            minimize_technicians: input.options.minimize_vehicles,
        },
        replan,
    };
    problem
        .validate()
        .map_err(|e| ApiError::validation("body", e.to_string()))?;
    Ok(Prepared {
        problem,
        input,
        travel,
        job_locations,
        skill_names: skills.names(),
    })
}

/// Rows of the custom matrix for the vehicles' profile, if the request has one.
#[allow(clippy::type_complexity)]
fn custom_matrix(
    input: &Input,
) -> Result<Option<(String, Vec<Vec<f64>>, Option<Vec<Vec<f64>>>)>, ApiError> {
    if let Some(m) = &input.matrices {
        let profile = input
            .vehicles
            .first()
            .and_then(|v| v.profile.clone())
            .unwrap_or_else(|| "car".to_string());
        let (name, m) = match m.get(&profile) {
            Some(found) => (profile, found),
            None if m.len() == 1 => match m.iter().next() {
                Some((k, v)) => (k.clone(), v),
                None => return Ok(None),
            },
            None => {
                return Err(ApiError::validation(
                    format!("matrices.{profile}"),
                    format!("no matrix for profile {profile}"),
                ))
            }
        };
        let field = format!("matrices.{name}");
        let durations = m.durations.clone().ok_or_else(|| {
            ApiError::validation(
                format!("{field}.durations"),
                "a custom matrix needs durations",
            )
        })?;
        return Ok(Some((field, durations, m.distances.clone())));
    }
    Ok(input
        .matrix
        .clone()
        .map(|d| ("matrix".to_string(), d, None)))
}

/// Number of capacity dimensions: the longest capacity or amount given.
fn dimensions(input: &Input) -> Result<usize, ApiError> {
    let jobs = input
        .jobs
        .iter()
        .flat_map(|j| [j.delivery.len(), j.pickup.len(), j.amount.len()]);
    let vehicles = input.vehicles.iter().map(|v| v.capacity.len());
    Ok(jobs.chain(vehicles).max().unwrap_or(0))
}

fn unique_ids<'a>(
    ids: impl Iterator<Item = &'a Id>,
    what: &str,
) -> Result<HashMap<Id, usize>, ApiError> {
    let mut map = HashMap::new();
    for (i, id) in ids.enumerate() {
        if map.insert(id.clone(), i).is_some() {
            return Err(ApiError::validation(
                format!("{what}[{i}].id"),
                format!("duplicate id {id}"),
            ));
        }
    }
    Ok(map)
}

/// Sorted, disjoint windows (touching or overlapping ones are merged).
fn windows(raw: &[[f64; 2]], field: &str) -> Result<Vec<TimeWindow>, ApiError> {
    let mut out: Vec<TimeWindow> = Vec::with_capacity(raw.len());
    let mut sorted = raw.to_vec();
    sorted.sort_by(|a, b| a[0].total_cmp(&b[0]));
    for [s, e] in sorted {
        if !(s.is_finite() && e.is_finite() && s <= e) {
            return Err(ApiError::validation(
                field,
                "each window must be [start, end] with start ≤ end",
            ));
        }
        match out.last_mut() {
            Some(last) if s <= last.end => last.end = last.end.max(e),
            _ => out.push(TimeWindow::new(s, e)),
        }
    }
    Ok(out)
}

/// Skill names/numbers → dense indices for this problem.
#[derive(Default)]
struct SkillMap(HashMap<String, usize>);

impl SkillMap {
    fn set(&mut self, skills: &[Skill], field: &str) -> Result<Skills, ApiError> {
        let mut idx = Vec::with_capacity(skills.len());
        for s in skills {
            let n = self.0.len();
            idx.push(*self.0.entry(s.to_string()).or_insert(n));
        }
        Skills::from_indices(idx)
            .map_err(|_| ApiError::validation(field, "at most 256 distinct skills per request"))
    }

    fn names(&self) -> Vec<String> {
        let mut names = vec![String::new(); self.0.len()];
        for (name, &i) in &self.0 {
            names[i] = name.clone();
        }
        names
    }
}
