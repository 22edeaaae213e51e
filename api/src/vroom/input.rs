//! VROOM's JSON input (see VROOM's `docs/API.md`), plus Fieldpath's native extensions, which
//! VROOM clients never send: pins, preferred vehicles, optional jobs, named skills, re-planning.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A job, vehicle or break identifier: VROOM's integer, or (native) a string.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Id {
    /// VROOM's integer id.
    Num(u64),
    /// A text id (native format).
    Text(String),
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Id::Num(n) => write!(f, "{n}"),
            Id::Text(s) => f.write_str(s),
        }
    }
}

/// A skill: VROOM's integer, or (native) a name such as `"hvac"`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Skill {
    /// VROOM's integer skill.
    Num(u64),
    /// A skill name (native format).
    Name(String),
}

impl fmt::Display for Skill {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Skill::Num(n) => write!(f, "{n}"),
            Skill::Name(s) => f.write_str(s),
        }
    }
}

/// The whole request.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct Input {
    /// `"vroom"` (default) or `"native"`; both read every field below.
    #[serde(default)]
    pub format: Option<String>,
    /// Places to visit.
    #[serde(default)]
    pub jobs: Vec<JobIn>,
    /// VROOM pickup-and-delivery pairs: not supported (422 when non-empty).
    #[serde(default)]
    pub shipments: Vec<serde_json::Value>,
    /// Available vehicles (technicians).
    #[serde(default)]
    pub vehicles: Vec<VehicleIn>,
    /// Custom matrices per routing profile.
    #[serde(default)]
    pub matrices: Option<BTreeMap<String, MatrixIn>>,
    /// Legacy custom durations matrix.
    #[serde(default)]
    pub matrix: Option<Vec<Vec<f64>>>,
    /// Solve options.
    #[serde(default)]
    pub options: OptionsIn,
    /// Native: the current plan, for re-planning with a freeze time.
    #[serde(default)]
    pub replan: Option<ReplanIn>,
}

/// A VROOM job.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct JobIn {
    /// Unique id.
    pub id: Id,
    /// Free text, echoed in the output.
    #[serde(default)]
    pub description: Option<String>,
    /// `[lon, lat]`.
    #[serde(default)]
    pub location: Option<[f64; 2]>,
    /// Index into the custom matrix.
    #[serde(default)]
    pub location_index: Option<usize>,
    /// Setup time, seconds (added to the service time).
    #[serde(default)]
    pub setup: f64,
    /// Service time, seconds.
    #[serde(default)]
    pub service: f64,
    /// Amounts delivered, per capacity dimension.
    #[serde(default)]
    pub delivery: Vec<i64>,
    /// Amounts picked up, per capacity dimension.
    #[serde(default)]
    pub pickup: Vec<i64>,
    /// Legacy amounts (treated as a pickup).
    #[serde(default)]
    pub amount: Vec<i64>,
    /// Required skills.
    #[serde(default)]
    pub skills: Vec<Skill>,
    /// 0..=100; higher is served first.
    #[serde(default)]
    pub priority: u32,
    /// `[[start, end], ...]`, seconds.
    #[serde(default)]
    pub time_windows: Vec<[f64; 2]>,
    /// Native: only this vehicle may serve the job.
    #[serde(default)]
    pub pinned_vehicle: Option<Id>,
    /// Native: serve with this vehicle if reasonable.
    #[serde(default)]
    pub preferred_vehicle: Option<Id>,
    /// Native: cost added when another vehicle than the preferred one serves it.
    #[serde(default)]
    pub preference_penalty: Option<f64>,
    /// Native: the job is optional; leaving it costs this much.
    #[serde(default)]
    pub optional_cost: Option<f64>,
}

/// VROOM vehicle costs.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct CostsIn {
    /// Once per vehicle used.
    #[serde(default)]
    pub fixed: f64,
    /// Per hour (VROOM default 3600: one cost unit per second).
    #[serde(default = "default_per_hour")]
    pub per_hour: f64,
    /// Per kilometre.
    #[serde(default)]
    pub per_km: f64,
}

fn default_per_hour() -> f64 {
    3600.0
}

impl Default for CostsIn {
    fn default() -> Self {
        Self {
            fixed: 0.0,
            per_hour: default_per_hour(),
            per_km: 0.0,
        }
    }
}

/// A VROOM break.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct BreakIn {
    /// Id, unique per vehicle.
    pub id: Id,
    /// Windows in which the break may start.
    #[serde(default)]
    pub time_windows: Vec<[f64; 2]>,
    /// Length, seconds.
    #[serde(default)]
    pub service: f64,
    /// Free text.
    #[serde(default)]
    pub description: Option<String>,
}

/// A VROOM vehicle.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct VehicleIn {
    /// Unique id.
    pub id: Id,
    /// Routing profile (selects the custom matrix); default `car`.
    #[serde(default)]
    pub profile: Option<String>,
    /// Free text, echoed in the output.
    #[serde(default)]
    pub description: Option<String>,
    /// `[lon, lat]` where the route starts.
    #[serde(default)]
    pub start: Option<[f64; 2]>,
    /// Index of the start in the custom matrix.
    #[serde(default)]
    pub start_index: Option<usize>,
    /// `[lon, lat]` where the route ends.
    #[serde(default)]
    pub end: Option<[f64; 2]>,
    /// Index of the end in the custom matrix.
    #[serde(default)]
    pub end_index: Option<usize>,
    /// Capacity per dimension.
    #[serde(default)]
    pub capacity: Vec<i64>,
    /// Skills held.
    #[serde(default)]
    pub skills: Vec<Skill>,
    /// `[start, end]` working time, seconds.
    #[serde(default)]
    pub time_window: Option<[f64; 2]>,
    /// Breaks.
    #[serde(default)]
    pub breaks: Vec<BreakIn>,
    /// At most this many jobs.
    #[serde(default)]
    pub max_tasks: Option<usize>,
    /// Cost rates.
    #[serde(default)]
    pub costs: Option<CostsIn>,
}

/// A custom matrix of one profile.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct MatrixIn {
    /// Seconds, square.
    #[serde(default)]
    pub durations: Option<Vec<Vec<f64>>>,
    /// Metres, square.
    #[serde(default)]
    pub distances: Option<Vec<Vec<f64>>>,
}

/// Solve options (VROOM's `-g` as `options.g`, plus the time budget).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct OptionsIn {
    /// Return each route's encoded polyline geometry.
    #[serde(default)]
    pub g: bool,
    /// Time budget, seconds (default 3; at most 30 synchronously, 600 as a job).
    #[serde(default)]
    pub seconds: Option<f64>,
    /// Iteration budget per thread, for reproducible answers.
    #[serde(default)]
    pub iterations: Option<u64>,
    /// Random seed.
    #[serde(default)]
    pub seed: Option<u64>,
    /// Rank fewer vehicles above lower cost (default false, as VROOM).
    #[serde(default)]
    pub minimize_vehicles: bool,
}

/// Native: the current plan to re-optimise.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct ReplanIn {
    /// Visits starting before this time stay as they are.
    pub freeze_time: f64,
    /// Current routes.
    #[serde(default)]
    pub routes: Vec<ReplanRouteIn>,
}

/// Native: one vehicle's current route.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct ReplanRouteIn {
    /// Vehicle id.
    pub vehicle: Id,
    /// Visits in order.
    #[serde(default)]
    pub steps: Vec<ReplanStepIn>,
}

/// Native: one planned visit.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct ReplanStepIn {
    /// Job id.
    pub job: Id,
    /// Planned (or actual) start of service, seconds.
    pub start: f64,
}
