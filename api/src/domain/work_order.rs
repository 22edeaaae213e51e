//! Work-order lifecycle and numbering.

use super::roles::Role;

/// Statuses in lifecycle order.
pub const STATUSES: &[&str] = &[
    "draft",
    "scheduled",
    "dispatched",
    "in_progress",
    "completed",
    "cancelled",
];

/// Statuses a work order can be created in.
pub const INITIAL_STATUSES: &[&str] = &["draft", "scheduled"];

/// Statuses that count as "open" (filter `?status=open`).
pub const OPEN_STATUSES: &[&str] = &["draft", "scheduled", "dispatched", "in_progress"];

/// Priorities, lowest first.
pub const PRIORITIES: &[&str] = &["low", "medium", "high", "urgent"];

/// Kinds of work.
pub const WORK_TYPES: &[&str] = &[
    "maintenance",
    "repair",
    "installation",
    "inspection",
    "emergency",
];

/// Whether `from → to` is an allowed lifecycle step:
/// draft → scheduled → dispatched → in_progress → completed, back from scheduled/dispatched
/// to an earlier planning state (re-planning), and cancelled from any state before completion.
pub fn transition_allowed(from: &str, to: &str) -> bool {
    matches!(
        (from, to),
        ("draft", "scheduled")
            | ("scheduled", "draft")
            | ("scheduled", "dispatched")
            | ("dispatched", "scheduled")
            | ("dispatched", "in_progress")
            | ("in_progress", "completed")
            | (
                "draft" | "scheduled" | "dispatched" | "in_progress",
                "cancelled"
            )
    )
}

/// Whether `role` may perform `from → to`: planners may do any allowed step, technicians only
/// start and finish work.
pub fn role_may_transition(role: Role, from: &str, to: &str) -> bool {
    match role {
        Role::Admin | Role::Dispatcher => true,
        Role::Technician => matches!(
            (from, to),
            ("dispatched", "in_progress") | ("in_progress", "completed")
        ),
        Role::Agent => matches!((from, to), ("draft", "scheduled") | ("draft", "cancelled")),
        Role::Customer => false,
    }
}

/// The display number of the `seq`-th work order of an organisation: `WO-000123` (the same
/// format is the SQL function `work_order_number` the create statements use; a test keeps
/// the two equal).
pub fn number(seq: i64) -> String {
    format!("WO-{seq:06}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle() {
        assert!(transition_allowed("draft", "scheduled"));
        assert!(transition_allowed("in_progress", "completed"));
        assert!(!transition_allowed("draft", "completed"));
        assert!(!transition_allowed("completed", "cancelled"));
        assert!(!transition_allowed("cancelled", "draft"));
        assert!(role_may_transition(
            Role::Technician,
            "dispatched",
            "in_progress"
        ));
        assert!(!role_may_transition(Role::Technician, "draft", "scheduled"));
        assert_eq!(number(123), "WO-000123");
    }
}
