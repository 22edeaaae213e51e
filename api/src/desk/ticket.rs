//! The [`Ticket`] record, its vocabularies (status types, priorities, channels) and the
//! bodies clients send to create or change one.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sqlx::types::Json;
use uuid::Uuid;

/// Built-in status types; custom statuses map to one of them.
pub const STATUS_TYPES: [&str; 5] = ["open", "pending", "on_hold", "resolved", "closed"];
/// Status types in which the SLA clock stands still (waiting on someone else).
pub const PAUSED_TYPES: [&str; 2] = ["pending", "on_hold"];
/// Status types in which a ticket is done.
pub const DONE_TYPES: [&str; 2] = ["resolved", "closed"];
/// Priorities, lowest first.
pub const PRIORITIES: [&str; 4] = ["low", "normal", "high", "urgent"];
/// Where a ticket came from.
pub const CHANNELS: [&str; 5] = ["email", "web", "portal", "phone", "api"];

/// The display number of the `seq`-th ticket of an organisation: `TK-000123`.
pub fn number(seq: i64) -> String {
    format!("TK-{seq:06}")
}

/// A help-desk ticket as stored (every column but `org_id`).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Ticket {
    /// Id.
    pub id: Uuid,
    /// Per-organisation sequence.
    pub seq: i64,
    /// Display number, `TK-000001`.
    pub number: String,
    /// Subject line.
    pub subject: String,
    /// First message / description.
    pub description: String,
    /// Status name (built-in type or custom status).
    pub status: String,
    /// The type the status maps to.
    pub status_type: String,
    /// `low`, `normal`, `high`, `urgent`.
    pub priority: String,
    /// Free category.
    pub category: Option<String>,
    /// Channel it came in by.
    pub channel: String,
    /// The customer who asked.
    pub requester_id: Option<Uuid>,
    /// The requester's address (e-mail tickets).
    pub requester_email: Option<String>,
    /// Agent working on it.
    pub assignee_id: Option<Uuid>,
    /// Team responsible.
    pub team_id: Option<Uuid>,
    /// Tags.
    pub tags: Vec<String>,
    /// Values of the organisation's custom fields.
    pub custom_fields: Json<Map<String, Value>>,
    /// Parent ticket.
    pub parent_id: Option<Uuid>,
    /// Set when merged into another ticket.
    pub merged_into_id: Option<Uuid>,
    /// Set when split off another ticket.
    pub split_from_id: Option<Uuid>,
    /// Work order made from this ticket.
    pub work_order_id: Option<Uuid>,
    /// Applied SLA policy.
    pub sla_policy_id: Option<Uuid>,
    /// Business seconds the SLA clock ran up to `sla_running_since` (or until it paused).
    pub sla_elapsed_secs: i64,
    /// When the clock last started running; None while paused or stopped.
    pub sla_running_since: Option<DateTime<Utc>>,
    /// First response due.
    pub first_response_due: Option<DateTime<Utc>>,
    /// Next response due (after a customer's reply).
    pub next_response_due: Option<DateTime<Utc>>,
    /// Resolution due.
    pub resolution_due: Option<DateTime<Utc>>,
    /// First public agent reply.
    pub first_responded_at: Option<DateTime<Utc>>,
    /// Last entered a resolved status.
    pub resolved_at: Option<DateTime<Utc>>,
    /// Last entered a closed status.
    pub closed_at: Option<DateTime<Utc>>,
    /// First response was (or is) late.
    pub first_response_breached: bool,
    /// A next response was late.
    pub next_response_breached: bool,
    /// Resolution was (or is) late.
    pub resolution_breached: bool,
    /// When an escalation rule fired.
    pub escalated_at: Option<DateTime<Utc>>,
    /// Optimistic-concurrency version.
    pub version: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl Ticket {
    /// A new ticket, the organisation's `seq`-th: status `open`, priority `normal`, created and
    /// changed at `now`, with no requester, assignee, tags, custom values, links, SLA clock or
    /// breaches yet (version 0 until stored). Callers set the rest with struct-update syntax.
    pub fn new(seq: i64, subject: String, channel: String, now: DateTime<Utc>) -> Ticket {
        Ticket {
            id: Uuid::new_v4(),
            seq,
            number: number(seq),
            subject,
            description: String::new(),
            status: "open".into(),
            status_type: "open".into(),
            priority: "normal".into(),
            category: None,
            channel,
            requester_id: None,
            requester_email: None,
            assignee_id: None,
            team_id: None,
            tags: Vec::new(),
            custom_fields: Json(Map::new()),
            parent_id: None,
            merged_into_id: None,
            split_from_id: None,
            work_order_id: None,
            sla_policy_id: None,
            sla_elapsed_secs: 0,
            sla_running_since: None,
            first_response_due: None,
            next_response_due: None,
            resolution_due: None,
            first_responded_at: None,
            resolved_at: None,
            closed_at: None,
            first_response_breached: false,
            next_response_breached: false,
            resolution_breached: false,
            escalated_at: None,
            version: 0,
            created_at: now,
            updated_at: now,
        }
    }

    /// JSON of the ticket.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// `POST /api/v1/tickets`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTicket {
    /// Subject (required).
    pub subject: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Initial status (default `open`).
    pub status: Option<String>,
    /// Priority (default `normal`).
    pub priority: Option<String>,
    /// Category.
    pub category: Option<String>,
    /// Channel (default `web`; `portal` for customers).
    pub channel: Option<String>,
    /// Requester (customer).
    pub requester_id: Option<Uuid>,
    /// Requester e-mail.
    pub requester_email: Option<String>,
    /// Assignee.
    pub assignee_id: Option<Uuid>,
    /// Team.
    pub team_id: Option<Uuid>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Custom field values.
    #[serde(default)]
    pub custom_fields: Map<String, Value>,
    /// Parent ticket.
    pub parent_id: Option<Uuid>,
}

/// `PATCH /api/v1/tickets/{id}`: only the given fields change; `null` clears optional ones.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TicketPatch {
    /// Subject.
    pub subject: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Status.
    pub status: Option<String>,
    /// Priority.
    pub priority: Option<String>,
    /// Category.
    #[serde(default, with = "double_option")]
    pub category: Option<Option<String>>,
    /// Channel.
    pub channel: Option<String>,
    /// Requester.
    #[serde(default, with = "double_option")]
    pub requester_id: Option<Option<Uuid>>,
    /// Assignee.
    #[serde(default, with = "double_option")]
    pub assignee_id: Option<Option<Uuid>>,
    /// Team.
    #[serde(default, with = "double_option")]
    pub team_id: Option<Option<Uuid>>,
    /// Tags (replaces the list).
    pub tags: Option<Vec<String>>,
    /// Custom fields (merged; `null` removes one).
    pub custom_fields: Option<Map<String, Value>>,
    /// Parent ticket.
    #[serde(default, with = "double_option")]
    pub parent_id: Option<Option<Uuid>>,
    /// Version, when not sent as If-Match.
    pub version: Option<i64>,
}

/// Distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`).
mod double_option {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
    where
        T: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        Option::<T>::deserialize(d).map(Some)
    }
}

/// Normalises tags: trimmed, lower-case, deduplicated, sorted; each 1..=40 characters.
pub fn normalise_tags(tags: &[String]) -> Result<Vec<String>, crate::error::ApiError> {
    let mut out: Vec<String> = Vec::new();
    for tag in tags {
        let t = tag.trim().to_lowercase();
        if t.is_empty() || t.chars().count() > 40 || t.contains(',') {
            return Err(crate::error::ApiError::validation(
                "tags",
                "tags are 1..40 characters without commas",
            ));
        }
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out.sort();
    Ok(out)
}

/// 422 unless `value` is one of `allowed`.
pub fn check_one_of(
    field: &str,
    value: &str,
    allowed: &[&str],
) -> Result<(), crate::error::ApiError> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(crate::error::ApiError::validation(
            field,
            format!("{field} must be one of: {}", allowed.join(", ")),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_tags() {
        assert_eq!(number(42), "TK-000042");
        let tags = normalise_tags(&["VIP".into(), " billing ".into(), "vip".into()]).expect("ok");
        assert_eq!(tags, vec!["billing", "vip"]);
        assert!(normalise_tags(&["".into()]).is_err());
        assert!(check_one_of("priority", "huge", &PRIORITIES).is_err());
    }

    #[test]
    fn patch_tells_null_from_absent() {
        let p: TicketPatch =
            serde_json::from_str(r#"{"assignee_id": null, "priority": "high"}"#).expect("patch");
        assert_eq!(p.assignee_id, Some(None));
        assert_eq!(p.team_id, None);
    }
}
