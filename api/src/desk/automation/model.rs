//! What a rule is made of: its trigger, its conditions (`field` `op` `value`) and its ordered
//! actions, as stored in `automation_rules` (JSON arrays) and validated before saving.

use super::render;
use crate::desk::ticket::{check_one_of, PRIORITIES};
use crate::error::{ApiError, ApiResult};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sqlx::types::Json;
use uuid::Uuid;

/// Event triggers (run when a ticket is written).
pub const EVENT_TRIGGERS: [&str; 2] = ["ticket_created", "ticket_updated"];
/// Time triggers (run by the sweeper).
pub const TIME_TRIGGERS: [&str; 3] = ["sla_due_soon", "sla_breached", "on_hold"];
/// SLA due times a time rule can watch.
pub const SLA_TARGETS: [&str; 3] = ["first_response", "next_response", "resolution"];
/// Ticket fields conditions can read (plus `custom.<key>`).
pub const CONDITION_FIELDS: [&str; 13] = [
    "subject",
    "description",
    "status",
    "status_type",
    "priority",
    "category",
    "channel",
    "tags",
    "requester_id",
    "requester_email",
    "assignee_id",
    "team_id",
    "work_order_id",
];
/// Ticket fields the `set_field` action can write (plus `custom.<key>`).
pub const SETTABLE_FIELDS: [&str; 5] = ["status", "priority", "category", "team_id", "assignee_id"];

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// Equal (text case-insensitively; for tags: has the tag).
    Equals,
    /// Not equal.
    NotEquals,
    /// One of a list (for tags: has any of them).
    In,
    /// Text contains (case-insensitive; for tags: has the tag).
    Contains,
    /// The field changed in this event.
    Changed,
    /// The field changed in this event and now equals the value.
    ChangedTo,
    /// Null, empty text or no tags.
    IsEmpty,
}

/// One condition of a rule.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// A field of [`CONDITION_FIELDS`] or `custom.<key>`.
    pub field: String,
    /// Comparison.
    pub op: Op,
    /// Operand (unused by `changed` and `is_empty`; a list for `in`).
    #[serde(default)]
    pub value: Value,
}

/// How an `assign` action picks an agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// The next agent of the pool after the last one picked.
    RoundRobin,
    /// The agent whose skills best match the ticket's category and tags (then least load).
    Skill,
    /// The agent with the fewest open tickets.
    LeastLoad,
}

/// One action of a rule or macro; they run in order.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    /// Assign to a user, or to a team (and, with a strategy, to one of its members; without a
    /// team the pool is every agent of the organisation).
    Assign {
        /// A named user.
        #[serde(default)]
        user_id: Option<Uuid>,
        /// A team.
        #[serde(default)]
        team_id: Option<Uuid>,
        /// How to pick a member.
        #[serde(default)]
        strategy: Option<Strategy>,
    },
    /// Set a field ([`SETTABLE_FIELDS`] or `custom.<key>`).
    SetField {
        /// Field.
        field: String,
        /// New value (`null` clears optional fields).
        value: Value,
    },
    /// Add a tag.
    AddTag {
        /// Tag.
        tag: String,
    },
    /// Remove a tag.
    RemoveTag {
        /// Tag.
        tag: String,
    },
    /// One priority step up (no-op at urgent).
    RaisePriority,
    /// Assign to the SLA policy's `escalate_to` user and stamp `escalated_at`.
    Escalate,
    /// A public reply from a template (sent out by the e-mail channel like any reply).
    Reply {
        /// Template with `{{placeholders}}`.
        body: String,
    },
    /// An internal note from a template.
    Note {
        /// Template with `{{placeholders}}`.
        body: String,
    },
    /// In-app notification for users (and/or the ticket's assignee).
    Notify {
        /// Users.
        #[serde(default)]
        user_ids: Vec<Uuid>,
        /// Also the current assignee.
        #[serde(default)]
        assignee: bool,
        /// Template with `{{placeholders}}`.
        message: String,
    },
    /// Queue a signed `automation.rule` delivery to a webhook subscription.
    Webhook {
        /// Subscription.
        subscription_id: Uuid,
    },
    /// Turn the ticket into a work order (skipped when it has one).
    WorkOrder {
        /// Work-order fields (`site_id` required; see `lifecycle::to_work_order`).
        fields: Map<String, Value>,
    },
}

/// A stored rule.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Rule {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Evaluation order (lowest first).
    pub position: i32,
    /// Inactive rules never run.
    pub active: bool,
    /// One of [`EVENT_TRIGGERS`] or [`TIME_TRIGGERS`].
    pub trigger: String,
    /// `ticket_updated`: only when one of these fields changed (empty: any change).
    pub changed_fields: Vec<String>,
    /// `sla_due_soon`: minutes before the due time; `on_hold`: minutes on hold.
    pub minutes: Option<i32>,
    /// SLA time rules: the watched due time (None: any).
    pub sla_target: Option<String>,
    /// `all` conditions or `any` of them.
    pub match_mode: String,
    /// Conditions.
    pub conditions: Json<Vec<Condition>>,
    /// Actions, in order.
    pub actions: Json<Vec<Action>>,
    /// Optimistic-concurrency version.
    pub version: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// The body of `POST`/`PATCH /api/v1/automation/rules` (all fields for POST).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleInput {
    /// Name.
    pub name: String,
    /// Order.
    #[serde(default)]
    pub position: i32,
    /// Active (default true).
    #[serde(default = "yes")]
    pub active: bool,
    /// Trigger.
    pub trigger: String,
    /// Changed fields filter.
    #[serde(default)]
    pub changed_fields: Vec<String>,
    /// Minutes for time rules.
    #[serde(default)]
    pub minutes: Option<i32>,
    /// SLA target for time rules.
    #[serde(default)]
    pub sla_target: Option<String>,
    /// `all` (default) or `any`.
    #[serde(default = "all")]
    pub match_mode: String,
    /// Conditions.
    #[serde(default)]
    pub conditions: Vec<Condition>,
    /// Actions.
    pub actions: Vec<Action>,
    /// Version (PATCH, when not sent as If-Match).
    #[serde(default)]
    pub version: Option<i64>,
}

fn yes() -> bool {
    true
}

fn all() -> String {
    "all".into()
}

/// Whether `field` names a readable ticket field.
pub fn known_field(field: &str) -> bool {
    CONDITION_FIELDS.contains(&field) || custom_key(field).is_some()
}

/// The key of a `custom.<key>` field.
pub fn custom_key(field: &str) -> Option<&str> {
    field.strip_prefix("custom.").filter(|k| !k.is_empty())
}

impl RuleInput {
    /// 422 with the offending field unless the rule is well-formed.
    pub fn validate(&self) -> ApiResult<()> {
        if self.name.trim().is_empty() || self.name.chars().count() > 200 {
            return Err(ApiError::validation(
                "name",
                "name must be 1..200 characters",
            ));
        }
        let mut triggers: Vec<&str> = EVENT_TRIGGERS.to_vec();
        triggers.extend(TIME_TRIGGERS);
        check_one_of("trigger", &self.trigger, &triggers)?;
        check_one_of("match_mode", &self.match_mode, &["all", "any"])?;
        for f in &self.changed_fields {
            if !known_field(f) {
                return Err(ApiError::validation(
                    "changed_fields",
                    format!("unknown field `{f}`"),
                ));
            }
        }
        let timed = TIME_TRIGGERS.contains(&self.trigger.as_str());
        let needs_minutes = ["sla_due_soon", "on_hold"].contains(&self.trigger.as_str());
        match self.minutes {
            Some(m) if m <= 0 => {
                return Err(ApiError::validation("minutes", "minutes must be positive"))
            }
            None if needs_minutes => {
                return Err(ApiError::validation(
                    "minutes",
                    format!("{} needs minutes", self.trigger),
                ))
            }
            Some(_) if !needs_minutes => {
                return Err(ApiError::validation(
                    "minutes",
                    "only sla_due_soon and on_hold rules take minutes",
                ))
            }
            _ => {}
        }
        if let Some(target) = &self.sla_target {
            if !self.trigger.starts_with("sla_") {
                return Err(ApiError::validation(
                    "sla_target",
                    "only SLA rules take sla_target",
                ));
            }
            check_one_of("sla_target", target, &SLA_TARGETS)?;
        }
        for (i, c) in self.conditions.iter().enumerate() {
            validate_condition(c).map_err(|e| e.with_field(format!("conditions[{i}]")))?;
            if timed && matches!(c.op, Op::Changed | Op::ChangedTo) {
                return Err(ApiError::validation(
                    format!("conditions[{i}]"),
                    "time rules have no changes to look at",
                ));
            }
        }
        validate_actions(&self.actions, true)
    }
}

fn validate_condition(c: &Condition) -> ApiResult<()> {
    if !known_field(&c.field) {
        return Err(ApiError::validation(
            "field",
            format!("unknown field `{}`", c.field),
        ));
    }
    let ok = match c.op {
        Op::In => c.value.as_array().is_some_and(|a| !a.is_empty()),
        Op::Changed | Op::IsEmpty => true,
        Op::Contains => c.value.is_string(),
        Op::Equals | Op::NotEquals | Op::ChangedTo => !c.value.is_array() && !c.value.is_object(),
    };
    if ok {
        Ok(())
    } else {
        Err(ApiError::validation(
            "value",
            "the value does not fit the operator",
        ))
    }
}

/// 422 unless every action is well-formed (`escalate` only in rules).
pub fn validate_actions(actions: &[Action], in_rule: bool) -> ApiResult<()> {
    if in_rule && actions.is_empty() {
        return Err(ApiError::validation(
            "actions",
            "a rule needs at least one action",
        ));
    }
    for (i, a) in actions.iter().enumerate() {
        validate_action(a, in_rule).map_err(|e| e.with_field(format!("actions[{i}]")))?;
    }
    Ok(())
}

fn validate_action(a: &Action, in_rule: bool) -> ApiResult<()> {
    let bad = |m: &str| Err(ApiError::validation("action", m.to_string()));
    match a {
        Action::Assign {
            user_id,
            team_id,
            strategy,
        } => {
            if user_id.is_some() && strategy.is_some() {
                return bad("assign takes a user_id or a strategy, not both");
            }
            if user_id.is_none() && team_id.is_none() && strategy.is_none() {
                return bad("assign needs a user_id, a team_id or a strategy");
            }
        }
        Action::SetField { field, value } => {
            if !(SETTABLE_FIELDS.contains(&field.as_str()) || custom_key(field).is_some()) {
                return bad("set_field: the field cannot be set by automation");
            }
            match field.as_str() {
                "priority" => {
                    check_one_of("value", value.as_str().unwrap_or_default(), &PRIORITIES)?
                }
                "status" if !value.is_string() => return bad("status must be a status name"),
                "status" if value.as_str().is_some_and(|s| s.is_empty()) => {
                    return bad("status must be a status name")
                }
                "team_id" | "assignee_id"
                    if !(value.is_null()
                        || value.as_str().is_some_and(|s| Uuid::parse_str(s).is_ok())) =>
                {
                    return bad("the value must be a UUID or null")
                }
                _ => {}
            }
        }
        Action::AddTag { tag } | Action::RemoveTag { tag } => {
            crate::desk::ticket::normalise_tags(std::slice::from_ref(tag))?;
        }
        Action::RaisePriority => {}
        Action::Escalate if !in_rule => return bad("escalate is for rules"),
        Action::Escalate => {}
        Action::Reply { body } | Action::Note { body } => {
            if body.trim().is_empty() {
                return bad("the body is empty");
            }
            render::check(body).map_err(|m| ApiError::validation("body", m))?;
        }
        Action::Notify {
            user_ids,
            assignee,
            message,
        } => {
            if user_ids.is_empty() && !assignee {
                return bad("notify needs user_ids or assignee: true");
            }
            render::check(message).map_err(|m| ApiError::validation("message", m))?;
        }
        Action::Webhook { .. } => {}
        Action::WorkOrder { fields } => {
            if !fields.get("site_id").is_some_and(Value::is_string) {
                return bad("work_order needs fields.site_id");
            }
        }
    }
    Ok(())
}

/// Users and subscriptions the actions name (checked against the organisation on save).
pub fn referenced_ids(actions: &[Action]) -> (Vec<Uuid>, Vec<Uuid>, Vec<Uuid>) {
    let (mut users, mut teams, mut subs) = (Vec::new(), Vec::new(), Vec::new());
    for a in actions {
        match a {
            Action::Assign {
                user_id, team_id, ..
            } => {
                users.extend(user_id);
                teams.extend(team_id);
            }
            Action::Notify { user_ids, .. } => users.extend(user_ids),
            Action::Webhook { subscription_id } => subs.push(*subscription_id),
            Action::SetField { field, value } if field == "team_id" || field == "assignee_id" => {
                if let Some(id) = value.as_str().and_then(|s| Uuid::parse_str(s).ok()) {
                    if field == "team_id" {
                        teams.push(id)
                    } else {
                        users.push(id)
                    }
                }
            }
            _ => {}
        }
    }
    (users, teams, subs)
}
