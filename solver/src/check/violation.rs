//! The ways a solution can break a constraint or misstate a value, with their messages.

use std::fmt;

use crate::error::ModelError;

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
