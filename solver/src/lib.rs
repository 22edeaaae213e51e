//! Vehicle routing with time windows, skills and shifts, for field-service technicians.
//!
//! Pure optimisation over a travel matrix; see `ARCHITECTURE.md` for the map.
//! Entry point: [`solve`]. Every result can be validated by [`check::check`], written
//! independently of the search code.

pub mod check;
pub mod error;
pub mod formats;
pub mod model;
pub mod options;
pub mod pool_sp;
pub mod search;
pub mod solution;

pub use error::ModelError;
pub use model::{
    Break, Costs, Job, Location, Objective, PlannedVisit, Problem, Replan, Shift, Skills,
    Technician, TimeWindow, TravelMatrix,
};
pub use options::{Progress, ProgressFn, SolveOptions};
pub use search::solve;
pub use solution::{Route, Solution, Step, StepTimes, Summary, Unassigned, UnassignedReason};
