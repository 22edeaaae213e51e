//! The search (being written).

use crate::{ModelError, Problem, Solution, SolveOptions};

/// Solves `problem` within the options' budget.
pub fn solve(problem: &Problem, _options: &SolveOptions) -> Result<Solution, ModelError> {
    problem.validate()?;
    Err(ModelError::JobIndex(usize::MAX))
}
