//! Instance and solution file formats: Solomon VRPTW instances and VRPLIB solutions.

pub mod solomon;
pub mod vrplib;

use thiserror::Error;

use crate::error::ModelError;

/// A malformed instance or solution file.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum FormatError {
    /// A line that does not hold what the format expects there.
    #[error("line {line}: expected {expected}, found {found:?}")]
    Line {
        /// 1-based line number.
        line: usize,
        /// What the format expects.
        expected: String,
        /// The offending text (trimmed).
        found: String,
    },
    /// The file ended before something the format requires.
    #[error("unexpected end of file: expected {0}")]
    Eof(String),
    /// The parsed content is not a consistent problem.
    #[error("inconsistent instance: {0}")]
    Model(#[from] ModelError),
}
