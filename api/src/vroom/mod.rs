//! VROOM's wire format ↔ the solver: [`input`] reads VROOM's JSON (and the native
//! extensions), [`convert`] builds a [`solver::Problem`], [`output`] writes VROOM's answer.

pub mod convert;
pub mod input;
pub mod output;

pub use convert::{prepare, Prepared};
pub use input::Input;
pub use output::{output, ComputingTimes, Output};
