//! SLA policies and the ticket's SLA clock: which policy applies (first matching one by
//! position), and the due times recomputed on every change. The clock counts business time on
//! the policy's calendar and stands still while the ticket is in a paused status type.

use super::business_hours::BusinessCalendar;
use super::ticket::{Ticket, DONE_TYPES, PAUSED_TYPES};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::types::Json;
use uuid::Uuid;

/// Which tickets a policy covers; an empty list matches everything.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PolicyConditions {
    /// Any of these priorities.
    #[serde(default)]
    pub priority: Vec<String>,
    /// Any of these channels.
    #[serde(default)]
    pub channel: Vec<String>,
    /// Any of these customers (requester).
    #[serde(default)]
    pub customer_id: Vec<Uuid>,
    /// At least one of these tags.
    #[serde(default)]
    pub tags: Vec<String>,
}

impl PolicyConditions {
    /// Whether the ticket matches every non-empty condition.
    pub fn matches(&self, t: &Ticket) -> bool {
        (self.priority.is_empty() || self.priority.contains(&t.priority))
            && (self.channel.is_empty() || self.channel.contains(&t.channel))
            && (self.customer_id.is_empty()
                || t.requester_id
                    .is_some_and(|c| self.customer_id.contains(&c)))
            && (self.tags.is_empty() || self.tags.iter().any(|tag| t.tags.contains(tag)))
    }
}

/// An SLA policy of an organisation.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SlaPolicy {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Evaluation order (lowest first).
    pub position: i32,
    /// Inactive policies are skipped.
    pub active: bool,
    /// Conditions.
    pub conditions: Json<PolicyConditions>,
    /// First response target, business minutes.
    pub first_response_mins: Option<i32>,
    /// Next response target after a customer reply, business minutes.
    pub next_response_mins: Option<i32>,
    /// Resolution target, business minutes.
    pub resolution_mins: Option<i32>,
    /// Business calendar (None: around the clock).
    pub calendar_id: Option<Uuid>,
    /// Who a breached ticket is escalated to.
    pub escalate_to_id: Option<Uuid>,
    /// Version.
    pub version: i64,
}

/// The first active policy (by position, then name) matching the ticket.
pub fn choose<'a>(policies: &'a [SlaPolicy], ticket: &Ticket) -> Option<&'a SlaPolicy> {
    let mut sorted: Vec<&SlaPolicy> = policies.iter().filter(|p| p.active).collect();
    sorted.sort_by(|a, b| (a.position, &a.name).cmp(&(b.position, &b.name)));
    sorted.into_iter().find(|p| p.conditions.0.matches(ticket))
}

fn mins(m: Option<i32>) -> Option<i64> {
    m.map(|m| i64::from(m) * 60)
}

/// Brings the ticket's SLA clock and due times up to `now` after a change (status, priority,
/// policy...). `policy`/`calendar` are the applicable ones (None: no SLA). Sets breach flags
/// for targets already missed; never clears a breach.
pub fn recompute(
    t: &mut Ticket,
    policy: Option<&SlaPolicy>,
    calendar: &BusinessCalendar,
    now: DateTime<Utc>,
) {
    // Bank the business time run since the clock last started.
    if let Some(since) = t.sla_running_since {
        t.sla_elapsed_secs += calendar.business_seconds(since, now);
    }
    let running = !PAUSED_TYPES.contains(&t.status_type.as_str())
        && !DONE_TYPES.contains(&t.status_type.as_str());
    t.sla_running_since = running.then_some(now);
    t.sla_policy_id = policy.map(|p| p.id);
    let Some(policy) = policy else {
        t.first_response_due = None;
        t.next_response_due = None;
        t.resolution_due = None;
        return;
    };
    let due_in = |target: Option<i64>, elapsed: i64| {
        target.and_then(|target| calendar.add_business_seconds(now, (target - elapsed).max(0)))
    };
    if t.first_responded_at.is_none() {
        t.first_response_due = if running {
            due_in(mins(policy.first_response_mins), t.sla_elapsed_secs)
        } else {
            None
        };
        if let Some(target) = mins(policy.first_response_mins) {
            t.first_response_breached |= t.sla_elapsed_secs > target;
        }
    }
    if DONE_TYPES.contains(&t.status_type.as_str()) {
        t.resolution_due = None;
        t.next_response_due = None;
    } else {
        t.resolution_due = if running {
            due_in(mins(policy.resolution_mins), t.sla_elapsed_secs)
        } else {
            None
        };
        if !running {
            t.next_response_due = None;
        }
    }
    if let Some(target) = mins(policy.resolution_mins) {
        t.resolution_breached |= t.sla_elapsed_secs > target;
    }
    mark_breaches(t, now);
}

/// Sets the flags of due times that have passed at `now`.
pub fn mark_breaches(t: &mut Ticket, now: DateTime<Utc>) {
    if t.first_response_due.is_some_and(|d| d < now) && t.first_responded_at.is_none() {
        t.first_response_breached = true;
    }
    if t.next_response_due.is_some_and(|d| d < now) {
        t.next_response_breached = true;
    }
    if t.resolution_due.is_some_and(|d| d < now) {
        t.resolution_breached = true;
    }
}

/// A public agent reply at `now`: the first response is made (late if past due) and a pending
/// next-response target is met.
pub fn on_agent_reply(t: &mut Ticket, now: DateTime<Utc>) {
    if t.first_responded_at.is_none() {
        t.first_responded_at = Some(now);
        if t.first_response_due.is_some_and(|d| d < now) {
            t.first_response_breached = true;
        }
        t.first_response_due = None;
    }
    if let Some(due) = t.next_response_due.take() {
        if due < now {
            t.next_response_breached = true;
        }
    }
}

/// A customer reply at `now`: after a first response, the next-response target starts.
pub fn on_customer_reply(
    t: &mut Ticket,
    policy: Option<&SlaPolicy>,
    calendar: &BusinessCalendar,
    now: DateTime<Utc>,
) {
    if t.first_responded_at.is_some() && t.next_response_due.is_none() {
        if let Some(target) = policy.and_then(|p| mins(p.next_response_mins)) {
            t.next_response_due = calendar.add_business_seconds(now, target);
        }
    }
}

#[cfg(test)]
#[path = "sla_tests.rs"]
mod tests;
