//! Errors of the solver crate: an inconsistent problem, or a malformed instance file.

use thiserror::Error;

/// A problem that is internally inconsistent.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ModelError {
    /// The matrix vectors do not hold `size × size` cells.
    #[error("travel matrix of size {size} needs {} cells, got {durations} durations and {distances} distances", size * size)]
    MatrixShape {
        /// Declared size.
        size: usize,
        /// Durations given.
        durations: usize,
        /// Distances given.
        distances: usize,
    },
    /// A negative, infinite or NaN matrix cell.
    #[error("travel matrix cell from {from} to {to} is negative or not finite")]
    MatrixValue {
        /// Row.
        from: usize,
        /// Column.
        to: usize,
    },
    /// A location index outside the matrix.
    #[error("{what} refers to location {loc}, outside the travel matrix")]
    Location {
        /// Which record.
        what: String,
        /// The bad index.
        loc: usize,
    },
    /// A capacity or demand of the wrong length.
    #[error("{0} does not have the problem's number of load dimensions")]
    Dimensions(String),
    /// A shift that ends before it starts.
    #[error("shift of technician {0} ends before it starts")]
    Shift(usize),
    /// A break without windows or with a negative duration.
    #[error("break {id} of technician {technician} needs a duration ≥ 0 and at least one window")]
    Break {
        /// Technician index.
        technician: usize,
        /// Break id.
        id: String,
    },
    /// Time windows not sorted, overlapping, or ending before they start.
    #[error("time windows of {0} must be sorted, disjoint and end after they start")]
    TimeWindow(String),
    /// Negative or non-finite service time.
    #[error("service time of job {0} must be finite and ≥ 0")]
    Service(usize),
    /// A pin, preference or replan route naming a technician that does not exist.
    #[error("job {job} refers to technician {technician}, which does not exist")]
    TechnicianIndex {
        /// Job index (`usize::MAX` when from a replan route).
        job: usize,
        /// The bad technician index.
        technician: usize,
    },
    /// A replan route naming a job that does not exist.
    #[error("the current plan refers to job {0}, which does not exist")]
    JobIndex(usize),
    /// A skill index at or above [`crate::model::Skills::MAX`].
    #[error("skill index {0} is too large (at most 256 distinct skills)")]
    TooManySkills(usize),
}
