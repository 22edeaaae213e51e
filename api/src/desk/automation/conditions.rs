//! Evaluating rule conditions on a ticket, and which fields an update changed.

use super::model::{custom_key, Condition, Op, CONDITION_FIELDS};
use crate::desk::ticket::Ticket;
use serde_json::Value;

/// The value of a condition field on the ticket (`Null` when unset).
pub fn field_value(t: &Ticket, field: &str) -> Value {
    let text = |s: &str| Value::from(s);
    let opt = |s: &Option<String>| s.as_deref().map_or(Value::Null, Value::from);
    let id = |u: &Option<uuid::Uuid>| u.map_or(Value::Null, |u| Value::from(u.to_string()));
    match field {
        "subject" => text(&t.subject),
        "description" => text(&t.description),
        "status" => text(&t.status),
        "status_type" => text(&t.status_type),
        "priority" => text(&t.priority),
        "category" => opt(&t.category),
        "channel" => text(&t.channel),
        "tags" => Value::from(t.tags.clone()),
        "requester_id" => id(&t.requester_id),
        "requester_email" => opt(&t.requester_email),
        "assignee_id" => id(&t.assignee_id),
        "team_id" => id(&t.team_id),
        "work_order_id" => id(&t.work_order_id),
        other => custom_key(other)
            .and_then(|k| t.custom_fields.0.get(k).cloned())
            .unwrap_or(Value::Null),
    }
}

/// The fields (of [`CONDITION_FIELDS`] and `custom.<key>`) that differ between two versions.
pub fn changed_fields(before: &Ticket, after: &Ticket) -> Vec<String> {
    let mut out: Vec<String> = CONDITION_FIELDS
        .iter()
        .filter(|f| field_value(before, f) != field_value(after, f))
        .map(|f| f.to_string())
        .collect();
    let mut keys: Vec<&String> = before
        .custom_fields
        .0
        .keys()
        .chain(after.custom_fields.0.keys())
        .collect();
    keys.sort();
    keys.dedup();
    for k in keys {
        if before.custom_fields.0.get(k) != after.custom_fields.0.get(k) {
            out.push(format!("custom.{k}"));
        }
    }
    out
}

fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.to_lowercase() == y.to_lowercase(),
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::String(x), other) | (other, Value::String(x)) if !other.is_null() => {
            x.to_lowercase() == other.to_string().to_lowercase()
        }
        _ => a == b,
    }
}

fn equals(actual: &Value, expected: &Value) -> bool {
    match actual {
        Value::Array(items) => items.iter().any(|i| same(i, expected)),
        _ => same(actual, expected),
    }
}

/// Whether one condition holds; `changed` lists the fields changed by the event.
pub fn holds(c: &Condition, t: &Ticket, changed: &[String]) -> bool {
    let actual = field_value(t, &c.field);
    match c.op {
        Op::Equals => equals(&actual, &c.value),
        Op::NotEquals => !equals(&actual, &c.value),
        Op::In => c
            .value
            .as_array()
            .is_some_and(|options| options.iter().any(|o| equals(&actual, o))),
        Op::Contains => {
            let needle = c.value.as_str().unwrap_or_default().to_lowercase();
            match &actual {
                Value::Array(_) => equals(&actual, &c.value),
                Value::String(s) => s.to_lowercase().contains(&needle),
                _ => false,
            }
        }
        Op::Changed => changed.contains(&c.field),
        Op::ChangedTo => changed.contains(&c.field) && equals(&actual, &c.value),
        Op::IsEmpty => match &actual {
            Value::Null => true,
            Value::String(s) => s.trim().is_empty(),
            Value::Array(a) => a.is_empty(),
            _ => false,
        },
    }
}

/// Each condition's outcome and whether the rule matches (`all` or `any`; no conditions
/// always match).
pub fn evaluate(
    conditions: &[Condition],
    match_mode: &str,
    t: &Ticket,
    changed: &[String],
) -> (bool, Vec<bool>) {
    let each: Vec<bool> = conditions.iter().map(|c| holds(c, t, changed)).collect();
    let matched = if each.is_empty() {
        true
    } else if match_mode == "any" {
        each.iter().any(|b| *b)
    } else {
        each.iter().all(|b| *b)
    };
    (matched, each)
}
