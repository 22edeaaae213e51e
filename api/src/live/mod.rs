//! Live updates: one [`tokio::sync::broadcast`] channel per organisation, fanned out to the
//! browsers over Server-Sent Events (`GET /api/v1/events`, see [`sse`]).
//!
//! Anyone who changes data calls [`publish`] (or [`publish_record`]) after committing; the
//! board and technician pages refresh what the event names. Events are best effort: a client
//! that lags or reconnects reloads its view, so nothing here is persisted.

pub mod sse;

use crate::state::AppState;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use tokio::sync::broadcast;
use uuid::Uuid;

/// Events kept per organisation for slow subscribers before they lag.
const CHANNEL_CAPACITY: usize = 256;

/// One change, as sent to the browsers: `event: <kind>` and `data: <data as JSON>`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LiveEvent {
    /// What happened, e.g. `assignment.changed`, `work_order.changed`, `position`.
    pub kind: String,
    /// Details (ids, new values); the pages reload what they need.
    pub data: Value,
}

impl LiveEvent {
    /// An event of `kind` with `data`.
    pub fn new(kind: impl Into<String>, data: Value) -> Self {
        Self {
            kind: kind.into(),
            data,
        }
    }
}

/// The per-organisation channels of this process. Organisation ids are UUIDs, so one hub per
/// process serves every [`AppState`] (tests run many apps side by side without crosstalk).
#[derive(Debug, Default)]
pub struct LiveHub {
    channels: Mutex<HashMap<Uuid, broadcast::Sender<LiveEvent>>>,
}

impl LiveHub {
    /// The process-wide hub.
    pub fn global() -> &'static LiveHub {
        static HUB: OnceLock<LiveHub> = OnceLock::new();
        HUB.get_or_init(LiveHub::default)
    }

    /// A receiver of the organisation's future events.
    pub fn subscribe(&self, org_id: Uuid) -> broadcast::Receiver<LiveEvent> {
        let mut channels = self
            .channels
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        channels
            .entry(org_id)
            .or_insert_with(|| broadcast::channel(CHANNEL_CAPACITY).0)
            .subscribe()
    }

    /// Sends `event` to the organisation's subscribers; returns how many got it. Channels
    /// without subscribers are dropped.
    pub fn send(&self, org_id: Uuid, event: LiveEvent) -> usize {
        let mut channels = self
            .channels
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let Some(sender) = channels.get(&org_id) else {
            return 0;
        };
        match sender.send(event) {
            Ok(n) => n,
            Err(_) => {
                channels.remove(&org_id);
                0
            }
        }
    }
}

/// Publishes `event` to everyone of organisation `org_id` who has the board or route page open.
pub fn publish(_state: &AppState, org_id: Uuid, event: LiveEvent) -> usize {
    LiveHub::global().send(org_id, event)
}

/// Publishes `<entity>.changed` for a record row written by the generic record handlers
/// (`{"id", "version", "status"}` of the row, enough for pages to decide what to reload).
pub fn publish_record(state: &AppState, org_id: Uuid, entity: &str, row: &Value) -> usize {
    let data = serde_json::json!({
        "entity": entity,
        "id": row.get("id"),
        "version": row.get("version"),
        "status": row.get("status"),
        "work_order_id": row.get("work_order_id"),
    });
    publish(
        state,
        org_id,
        LiveEvent::new(format!("{entity}.changed"), data),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn events_reach_only_their_organisation() {
        let hub = LiveHub::default();
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let mut rx_a = hub.subscribe(a);
        let mut rx_b = hub.subscribe(b);
        assert_eq!(hub.send(a, LiveEvent::new("x", Value::Null)), 1);
        assert_eq!(rx_a.recv().await.ok().map(|e| e.kind), Some("x".into()));
        assert!(rx_b.try_recv().is_err());
        assert_eq!(
            hub.send(Uuid::new_v4(), LiveEvent::new("y", Value::Null)),
            0
        );
    }
}
