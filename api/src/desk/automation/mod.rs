//! Help-desk automation: event rules run after tickets are created or updated
//! ([`engine`]), time rules and SLA escalations run by a periodic sweeper ([`sweeper`]),
//! assignment strategies ([`assign`]), macros / canned responses ([`macros`]), and dry runs
//! of a rule on a ticket. Rules are conditions ([`conditions`]) and ordered actions
//! ([`actions`]) as described in [`model`]; templates use the placeholders of [`render`].

pub mod actions;
pub mod assign;
pub mod conditions;
pub mod engine;
pub mod macros;
pub mod model;
pub mod render;
pub mod store;
pub mod sweeper;

pub use engine::{on_created, on_updated};

/// Starts the background tasks of the help desk: the SLA / time-rule sweeper (every minute)
/// and the webhook sender (every few seconds). Called once by `fieldpath serve`.
pub fn spawn_background(state: crate::state::AppState) {
    sweeper::spawn(state.db.clone());
    crate::desk::webhooks::sender::spawn(state.db);
}
