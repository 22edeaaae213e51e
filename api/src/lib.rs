//! Fieldpath's outward-facing crate: CLI commands, the HTTP service, the database and
//! the adapters between wire formats and the solver / road graph.

pub mod auth;
pub mod cli;
pub mod config;
pub mod dashboard;
pub mod db;
pub mod demo;
pub mod desk;
pub mod domain;
pub mod error;
pub mod http;
pub mod live;
pub mod metrics;
pub mod osrm;
pub mod planning;
pub mod provision;
pub mod queue;
pub mod scenario;
pub mod state;
pub mod storage;
pub mod telemetry;
pub mod vroom;
pub mod web;
