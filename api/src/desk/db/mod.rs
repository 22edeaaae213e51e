//! Help-desk queries; every one is scoped by the organisation id.

pub mod config;
pub mod messages;
pub mod sla_settings;
pub mod tickets;
pub mod versioned;
