//! What the solver answers: a route per technician used, and every job it could not
//! place with the reason why.
//!
//! # Timing rules (shared by the search and the independent checker)
//! - A route leaves the technician's start location at `departure` (≥ shift start). With
//!   no start location the route begins at its first job's location, on arrival.
//! - Steps run in order. A job's service starts at the earliest time ≥ arrival inside one
//!   of its windows (the first window whose end is ≥ arrival); waiting is allowed; it ends
//!   `service` later. A break is taken where the technician is, after the previous step:
//!   it starts at the earliest time ≥ the previous step's end inside one of its windows.
//! - The route ends at the end location (travel from the last step), or at the last step
//!   when there is none; that time must be ≤ shift end. Duration = end − departure;
//!   overtime = time past the shift's soft end.
//! - A used route (one with a job) holds each of its technician's breaks exactly once.
//! - Loads: the jobs' demands summed per dimension never exceed the capacity.
//! - Re-planning: visits of [`crate::model::Replan`] starting before the freeze time are
//!   the route's first `fixed` steps, in their order, keeping their planned start times;
//!   the rest of the route continues from the last fixed visit's end, at its location.
//! - Cost of a route = fixed + per_time × duration + per_distance × distance
//!   + overtime_cost × overtime + preference penalties of its jobs.

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

use crate::model::EPSILON;

/// One step of a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    /// Serve the job with this index.
    Job(usize),
    /// Take the technician's break with this index (into `Technician::breaks`).
    Break(usize),
}

/// When a step happens, as computed by whoever built the route.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepTimes {
    /// Arrival at the step's location (for a break: the previous step's end).
    pub arrival: f64,
    /// Start of service or break.
    pub start: f64,
    /// End of service or break.
    pub end: f64,
}

/// A technician's route.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Route {
    /// Technician index.
    pub technician: usize,
    /// Departure from the start location.
    pub departure: f64,
    /// Steps in order.
    pub steps: Vec<Step>,
    /// Times of each step (same length as `steps`).
    pub times: Vec<StepTimes>,
    /// How many leading steps are fixed by re-planning.
    pub fixed: usize,
    /// Arrival at the end location (or end of the last step).
    pub end_time: f64,
    /// Distance travelled.
    pub distance: f64,
    /// Time spent travelling.
    pub travel_time: f64,
    /// Time spent waiting for windows.
    pub waiting: f64,
    /// Time worked past the shift's soft end.
    pub overtime: f64,
    /// Cost of the route (see module docs).
    pub cost: f64,
}

impl Route {
    /// Jobs served, in order.
    pub fn jobs(&self) -> impl Iterator<Item = usize> + '_ {
        self.steps.iter().filter_map(|s| match s {
            Step::Job(j) => Some(*j),
            Step::Break(_) => None,
        })
    }

    /// End minus departure.
    pub fn duration(&self) -> f64 {
        self.end_time - self.departure
    }
}

/// Why a job stayed unassigned.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum UnassignedReason {
    /// No technician holds all required skills; `missing` lists the skills no single
    /// technician covers together with the rest (from the closest technician).
    Skills {
        /// Skill indices missing from the best-matching technician.
        missing: Vec<usize>,
    },
    /// The job is pinned to a technician who cannot serve it alone.
    Pinned {
        /// The pinned technician.
        technician: usize,
    },
    /// No qualified technician's shift can reach the job within its time windows
    /// (even with an otherwise empty route).
    TimeWindow,
    /// The job's demand exceeds every qualified technician's capacity.
    Capacity,
    /// Feasible alone, but no room was left in any qualified technician's route
    /// (time, capacity or job count) next to higher-priority or cheaper work.
    NoRoom,
    /// An optional job whose serving costs more than leaving it.
    NotWorthIt,
}

impl UnassignedReason {
    /// Human-readable explanation, for APIs and the board.
    pub fn message(&self) -> String {
        match self {
            Self::Skills { missing } => {
                format!("no technician has the required skills (missing: {missing:?})")
            }
            Self::Pinned { technician } => {
                format!("pinned technician {technician} cannot serve it")
            }
            Self::TimeWindow => "no technician's shift reaches its time window".into(),
            Self::Capacity => "its demand exceeds every qualified technician's capacity".into(),
            Self::NoRoom => "no room left in any qualified technician's route".into(),
            Self::NotWorthIt => "optional, and cheaper to leave than to serve".into(),
        }
    }
}

/// A job the solver did not route.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Unassigned {
    /// Job index.
    pub job: usize,
    /// Why.
    pub reason: UnassignedReason,
}

/// Totals of a solution, and the key by which solutions are ranked.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Summed priority of unassigned mandatory jobs (first objective level).
    pub unassigned_priority: u64,
    /// Technicians with at least one job (second level, when minimised).
    pub technicians_used: usize,
    /// Total cost: routes plus unassigned optional jobs' costs (third level).
    pub cost: f64,
    /// Total distance.
    pub distance: f64,
    /// Total travel time.
    pub travel_time: f64,
    /// Total route duration.
    pub duration: f64,
    /// Total waiting.
    pub waiting: f64,
    /// Total overtime.
    pub overtime: f64,
    /// Jobs served.
    pub served: usize,
}

impl Summary {
    /// Lexicographic comparison: less is better.
    pub fn compare(&self, other: &Summary, minimize_technicians: bool) -> Ordering {
        self.unassigned_priority
            .cmp(&other.unassigned_priority)
            .then_with(|| {
                if minimize_technicians {
                    self.technicians_used.cmp(&other.technicians_used)
                } else {
                    Ordering::Equal
                }
            })
            .then_with(|| {
                if (self.cost - other.cost).abs() <= EPSILON * (1.0 + self.cost.abs()) {
                    Ordering::Equal
                } else {
                    self.cost.total_cmp(&other.cost)
                }
            })
    }
}

/// A solution: routes of the technicians used, and the unassigned jobs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Solution {
    /// Routes with at least one step, one per technician used.
    pub routes: Vec<Route>,
    /// Jobs left out, each with its reason.
    pub unassigned: Vec<Unassigned>,
    /// Totals.
    pub summary: Summary,
}
