//! The problem the solver answers: technicians, jobs, and the travel matrix between
//! their locations.
//!
//! Times and durations are plain `f64` in one unit chosen by the caller (seconds for
//! road data, Solomon's abstract units for the benchmark); distances likewise (metres
//! or Euclidean units). Locations are indices into the [`TravelMatrix`].

use serde::{Deserialize, Serialize};

use crate::error::ModelError;

/// Index of a location in the [`TravelMatrix`].
pub type Location = usize;

/// Tolerance used when comparing times and loads computed with floating point.
pub const EPSILON: f64 = 1e-6;

/// Square travel matrix of durations and distances, row-major: `[from * n + to]`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TravelMatrix {
    size: usize,
    durations: Vec<f64>,
    distances: Vec<f64>,
}

impl TravelMatrix {
    /// Builds a matrix from row-major durations and distances of `size × size` cells.
    pub fn new(size: usize, durations: Vec<f64>, distances: Vec<f64>) -> Result<Self, ModelError> {
        let cells = size * size;
        if durations.len() != cells || distances.len() != cells {
            return Err(ModelError::MatrixShape {
                size,
                durations: durations.len(),
                distances: distances.len(),
            });
        }
        if let Some(pos) = durations
            .iter()
            .chain(distances.iter())
            .position(|v| !v.is_finite() || *v < 0.0)
        {
            let cell = pos % cells;
            return Err(ModelError::MatrixValue {
                from: cell / size,
                to: cell % size,
            });
        }
        Ok(Self {
            size,
            durations,
            distances,
        })
    }

    /// Builds a matrix by calling `cell(from, to) -> (duration, distance)` for every pair.
    pub fn from_fn(size: usize, mut cell: impl FnMut(usize, usize) -> (f64, f64)) -> Self {
        let mut durations = Vec::with_capacity(size * size);
        let mut distances = Vec::with_capacity(size * size);
        for from in 0..size {
            for to in 0..size {
                let (d, m) = cell(from, to);
                durations.push(d);
                distances.push(m);
            }
        }
        Self {
            size,
            durations,
            distances,
        }
    }

    /// Number of locations.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Travel time from `from` to `to`.
    #[inline]
    pub fn duration(&self, from: Location, to: Location) -> f64 {
        self.durations[from * self.size + to]
    }

    /// Travel distance from `from` to `to`.
    #[inline]
    pub fn distance(&self, from: Location, to: Location) -> f64 {
        self.distances[from * self.size + to]
    }
}

/// A closed interval `[start, end]` in which something may start.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimeWindow {
    /// Earliest start.
    pub start: f64,
    /// Latest start.
    pub end: f64,
}

impl TimeWindow {
    /// A window from `start` to `end`.
    pub fn new(start: f64, end: f64) -> Self {
        Self { start, end }
    }

    /// The window that never constrains.
    pub fn always() -> Self {
        Self {
            start: f64::NEG_INFINITY,
            end: f64::INFINITY,
        }
    }
}

/// A technician's working time: leaves no earlier than `start`, back no later than `end`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Shift {
    /// Earliest departure from the start location.
    pub start: f64,
    /// Latest arrival at the end location (hard).
    pub end: f64,
    /// Optional soft end: work after it is overtime, charged per time unit.
    pub soft_end: Option<f64>,
    /// Cost per time unit of overtime past `soft_end`.
    pub overtime_cost: f64,
}

impl Shift {
    /// A hard shift from `start` to `end` without overtime.
    pub fn new(start: f64, end: f64) -> Self {
        Self {
            start,
            end,
            soft_end: None,
            overtime_cost: 0.0,
        }
    }
}

/// A break the technician must take: `duration` long, starting within one of `windows`.
/// It is taken where the technician is at the time (after the previous visit).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Break {
    /// Caller's identifier.
    pub id: String,
    /// Length of the break.
    pub duration: f64,
    /// Windows in which the break may start (at least one).
    pub windows: Vec<TimeWindow>,
}

/// A set of skills, as indices below [`Skills::MAX`]. The caller maps skill names to
/// indices per problem.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Skills([u64; 4]);

impl Skills {
    /// Number of distinct skills a problem may use.
    pub const MAX: usize = 256;

    /// The empty set.
    pub fn none() -> Self {
        Self::default()
    }

    /// The set of the given skill indices.
    pub fn from_indices(indices: impl IntoIterator<Item = usize>) -> Result<Self, ModelError> {
        let mut skills = Self::default();
        for i in indices {
            if i >= Self::MAX {
                return Err(ModelError::TooManySkills(i));
            }
            skills.0[i / 64] |= 1 << (i % 64);
        }
        Ok(skills)
    }

    /// True when every skill of `required` is in `self`.
    #[inline]
    pub fn covers(&self, required: &Skills) -> bool {
        self.0
            .iter()
            .zip(required.0.iter())
            .all(|(have, need)| need & !have == 0)
    }

    /// The skills of `required` that `self` lacks.
    pub fn missing(&self, required: &Skills) -> Skills {
        let mut out = Skills::default();
        for k in 0..4 {
            out.0[k] = required.0[k] & !self.0[k];
        }
        out
    }

    /// The skill indices in the set, ascending.
    pub fn indices(&self) -> Vec<usize> {
        (0..Self::MAX)
            .filter(|i| self.0[i / 64] & (1 << (i % 64)) != 0)
            .collect()
    }

    /// True when the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }
}

/// What a technician's route costs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Costs {
    /// Charged once when the technician is used at all.
    pub fixed: f64,
    /// Per time unit of route duration (departure to return, waiting included).
    pub per_time: f64,
    /// Per distance unit travelled.
    pub per_distance: f64,
}

impl Default for Costs {
    /// Distance only, as in the VRPTW literature.
    fn default() -> Self {
        Self {
            fixed: 0.0,
            per_time: 0.0,
            per_distance: 1.0,
        }
    }
}

/// A technician (the solver's vehicle).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Technician {
    /// Caller's identifier.
    pub id: String,
    /// Where the day starts; `None`: at the first visit.
    pub start: Option<Location>,
    /// Where the day ends; `None`: at the last visit.
    pub end: Option<Location>,
    /// Working time.
    pub shift: Shift,
    /// Breaks to take during the shift.
    pub breaks: Vec<Break>,
    /// Skills held.
    pub skills: Skills,
    /// Capacity per load dimension (same length as every job's demand).
    pub capacity: Vec<i64>,
    /// At most this many jobs.
    pub max_jobs: Option<usize>,
    /// Cost rates.
    pub costs: Costs,
}

/// A job: one visit of a work order that the solver routes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Job {
    /// Caller's identifier.
    pub id: String,
    /// Where the visit happens.
    pub location: Location,
    /// Time spent on site.
    pub service: f64,
    /// Windows in which service may start, sorted and disjoint; empty: any time.
    pub time_windows: Vec<TimeWindow>,
    /// Skills the technician must all hold.
    pub skills: Skills,
    /// Load per dimension.
    pub demand: Vec<i64>,
    /// Weight of serving this job in the first objective level (≥ 1).
    pub priority: u32,
    /// If set the job is optional: it may stay unassigned at this cost, compared with
    /// route costs instead of counting in the first objective level.
    pub unassigned_cost: Option<f64>,
    /// Hard: only this technician (index) may serve the job.
    pub pinned_to: Option<usize>,
    /// Soft: serving by another technician costs [`Job::preference_penalty`].
    pub preferred: Option<usize>,
    /// Cost added when `preferred` is set and another technician serves the job.
    pub preference_penalty: f64,
}

impl Job {
    /// A job at `location` with `service` time and no other constraint.
    pub fn new(id: impl Into<String>, location: Location, service: f64, dimensions: usize) -> Self {
        Self {
            id: id.into(),
            location,
            service,
            time_windows: Vec::new(),
            skills: Skills::none(),
            demand: vec![0; dimensions],
            priority: 1,
            unassigned_cost: None,
            pinned_to: None,
            preferred: None,
            preference_penalty: 0.0,
        }
    }
}

/// How solutions are compared: lexicographically, first served priority weight, then
/// (optionally) fewer technicians, then total cost.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Objective {
    /// Rank fewer technicians used above lower cost (the VRPTW literature's convention).
    pub minimize_technicians: bool,
}

impl Default for Objective {
    fn default() -> Self {
        Self {
            minimize_technicians: true,
        }
    }
}

/// A step of an existing route, for re-planning.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlannedVisit {
    /// Job index.
    pub job: usize,
    /// Planned (or actual) start of service.
    pub start: f64,
}

/// The plan being re-optimised: visits starting before `freeze_time` stay as they are
/// (done or in progress); the rest of the day is planned again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Replan {
    /// Visits whose service starts before this time are fixed.
    pub freeze_time: f64,
    /// Current routes: technician index → its visits in order.
    pub routes: Vec<(usize, Vec<PlannedVisit>)>,
}

/// A whole routing problem.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Problem {
    /// Travel between all locations used by technicians and jobs.
    pub matrix: TravelMatrix,
    /// Available technicians.
    pub technicians: Vec<Technician>,
    /// Jobs to route.
    pub jobs: Vec<Job>,
    /// Number of load dimensions (length of capacities and demands).
    pub dimensions: usize,
    /// How solutions are ranked.
    pub objective: Objective,
    /// Current plan to respect, when re-planning.
    pub replan: Option<Replan>,
}

impl Problem {
    /// Checks internal consistency: indices in range, vector lengths, sorted windows.
    pub fn validate(&self) -> Result<(), ModelError> {
        let n = self.matrix.size();
        for (t, tech) in self.technicians.iter().enumerate() {
            for loc in [tech.start, tech.end].into_iter().flatten() {
                if loc >= n {
                    return Err(ModelError::Location {
                        what: format!("technician {t}"),
                        loc,
                    });
                }
            }
            if tech.capacity.len() != self.dimensions {
                return Err(ModelError::Dimensions(format!("technician {t} capacity")));
            }
            if tech.shift.end < tech.shift.start {
                return Err(ModelError::Shift(t));
            }
            for b in &tech.breaks {
                if b.windows.is_empty() || b.duration < 0.0 {
                    return Err(ModelError::Break {
                        technician: t,
                        id: b.id.clone(),
                    });
                }
                check_windows(&b.windows, &format!("break {} of technician {t}", b.id))?;
            }
        }
        for (j, job) in self.jobs.iter().enumerate() {
            if job.location >= n {
                return Err(ModelError::Location {
                    what: format!("job {j}"),
                    loc: job.location,
                });
            }
            if job.demand.len() != self.dimensions {
                return Err(ModelError::Dimensions(format!("job {j} demand")));
            }
            if job.service < 0.0 || !job.service.is_finite() {
                return Err(ModelError::Service(j));
            }
            check_windows(&job.time_windows, &format!("job {j}"))?;
            for t in [job.pinned_to, job.preferred].into_iter().flatten() {
                if t >= self.technicians.len() {
                    return Err(ModelError::TechnicianIndex {
                        job: j,
                        technician: t,
                    });
                }
            }
        }
        if let Some(replan) = &self.replan {
            for (t, visits) in &replan.routes {
                if *t >= self.technicians.len() {
                    return Err(ModelError::TechnicianIndex {
                        job: usize::MAX,
                        technician: *t,
                    });
                }
                if let Some(v) = visits.iter().find(|v| v.job >= self.jobs.len()) {
                    return Err(ModelError::JobIndex(v.job));
                }
            }
        }
        Ok(())
    }
}

fn check_windows(windows: &[TimeWindow], what: &str) -> Result<(), ModelError> {
    for (i, w) in windows.iter().enumerate() {
        if w.start.is_nan() || w.end.is_nan() || w.end < w.start {
            return Err(ModelError::TimeWindow(what.to_string()));
        }
        if i > 0 && windows[i - 1].end >= w.start {
            return Err(ModelError::TimeWindow(what.to_string()));
        }
    }
    Ok(())
}
