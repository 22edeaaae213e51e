//! Fieldpath's outward-facing crate: CLI commands, the HTTP service, the database and
//! the adapters between wire formats and the solver / road graph.

pub mod cli;
pub mod telemetry;
