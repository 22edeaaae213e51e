//! Help-desk automation: rules and dry runs, agents' skills, notifications, macros, webhook
//! subscriptions and their delivery log, SLA calendar/policy changes.

use super::{
    array, id_param, object, op, path_param, query_param, schema_ref, timestamp, uuid, Doc,
};
use serde_json::{json, Value};

fn text() -> Value {
    json!({"type": "string"})
}

fn any_object() -> Value {
    json!({"type": "object", "additionalProperties": true})
}

fn if_match() -> Value {
    json!({"name": "If-Match", "in": "header", "required": true, "schema": text(), "description": "the record's ETag"})
}

fn items(schema: Value) -> Value {
    object(&["items"], json!({"items": array(schema)}))
}

/// tag, path, method, summary, success status, success schema, body, parameters, errors.
type Entry<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    Value,
    Option<Value>,
    Value,
    &'a [&'a str],
);

/// Adds the automation operations and schemas.
pub fn describe(doc: &mut Doc) {
    doc.schema("AutomationRule", object(
        &["id", "name", "trigger", "actions", "version"],
        json!({"id": uuid(), "name": text(), "position": {"type": "integer"}, "active": {"type": "boolean"},
            "trigger": {"enum": ["ticket_created", "ticket_updated", "sla_due_soon", "sla_breached", "on_hold"]},
            "changed_fields": array(text()), "minutes": {"type": ["integer", "null"]},
            "sla_target": {"type": ["string", "null"], "enum": ["first_response", "next_response", "resolution", null]},
            "match_mode": {"enum": ["all", "any"]},
            "conditions": array(object(&["field", "op"], json!({"field": text(),
                "op": {"enum": ["equals", "not_equals", "in", "contains", "changed", "changed_to", "is_empty"]}, "value": {}}))),
            "actions": array(object(&["type"], json!({"type": {"enum": ["assign", "set_field", "add_tag", "remove_tag",
                "raise_priority", "escalate", "reply", "note", "notify", "webhook", "work_order"]}}))),
            "version": {"type": "integer"}, "created_at": timestamp(), "updated_at": timestamp()}),
    ));
    doc.schema("Macro", object(
        &["id", "name", "body", "kind", "actions", "version"],
        json!({"id": uuid(), "name": text(), "body": {"type": "string", "description": "with {{placeholders}}"},
            "kind": {"enum": ["reply", "note"]}, "actions": array(any_object()), "version": {"type": "integer"},
            "created_at": timestamp(), "updated_at": timestamp()}),
    ));
    doc.schema("WebhookSubscription", object(
        &["id", "url", "events", "active", "version"],
        json!({"id": uuid(), "url": text(), "events": array(text()), "active": {"type": "boolean"},
            "secret": {"type": "string", "description": "only in the answer to POST"},
            "version": {"type": "integer"}, "created_at": timestamp(), "updated_at": timestamp()}),
    ));
    doc.schema("WebhookDelivery", object(
        &["id", "event", "status", "attempts"],
        json!({"id": uuid(), "event": text(), "status": {"enum": ["pending", "delivered", "failed"]},
            "attempts": {"type": "integer"}, "next_attempt_at": {"type": ["string", "null"], "format": "date-time"},
            "last_status_code": {"type": ["integer", "null"]}, "last_error": {"type": ["string", "null"]},
            "delivered_at": {"type": ["string", "null"], "format": "date-time"}, "created_at": timestamp(), "payload": any_object()}),
    ));
    let rule = schema_ref("AutomationRule");
    let mac = schema_ref("Macro");
    let hook = schema_ref("WebhookSubscription");
    let none = json!([]);
    let id = json!([id_param()]);
    let id_if = json!([id_param(), if_match()]);
    let w: &[&str] = &["401", "403", "404", "412", "422", "428"];
    let r: &[&str] = &["401", "403", "404"];
    let entries: Vec<Entry> = vec![
        ("automation", "/api/v1/automation/rules", "get", "Rules in evaluation order (`?trigger=`)", "200", items(rule.clone()), None,
            json!([query_param("trigger", text(), "only rules with this trigger")]), &["401", "403", "422"]),
        ("automation", "/api/v1/automation/rules", "post", "Add a rule (admins)", "201", rule.clone(), Some(rule.clone()), none.clone(), &["401", "403", "422"]),
        ("automation", "/api/v1/automation/rules/{id}", "get", "One rule", "200", rule.clone(), None, id.clone(), r),
        ("automation", "/api/v1/automation/rules/{id}", "patch", "Replace a rule (admins)", "200", rule.clone(), Some(rule.clone()), id_if.clone(), w),
        ("automation", "/api/v1/automation/rules/{id}", "delete", "Delete a rule (admins)", "204", json!({}), None, id_if.clone(), w),
        ("automation", "/api/v1/automation/rules/{id}/test", "post",
            "Dry run on a ticket: each condition's outcome and the actions it would perform, changing nothing", "200",
            object(&["matched", "conditions", "actions"], json!({"matched": {"type": "boolean"},
                "conditions": array(any_object()), "actions": array(any_object())})),
            Some(object(&["ticket_id"], json!({"ticket_id": uuid()}))), id.clone(), &["401", "403", "404", "422"]),
        ("automation", "/api/v1/automation/agents", "get", "Office users with their skills", "200",
            items(object(&["user_id", "name", "skills"], json!({"user_id": uuid(), "name": text(), "skills": array(text())}))),
            None, none.clone(), &["401", "403"]),
        ("automation", "/api/v1/automation/agents/{user_id}/skills", "put", "Replace an agent's skills (admins)", "200",
            object(&["user_id", "skills"], json!({"user_id": uuid(), "skills": array(text())})),
            Some(object(&["skills"], json!({"skills": array(text())}))),
            json!([path_param("user_id", uuid(), "agent")]), &["401", "403", "404", "422"]),
        ("automation", "/api/v1/notifications", "get", "The caller's notifications, newest first (`?unread=true`)", "200",
            items(object(&["id", "message"], json!({"id": uuid(), "ticket_id": {"type": ["string", "null"], "format": "uuid"},
                "message": text(), "read_at": {"type": ["string", "null"], "format": "date-time"}, "created_at": timestamp()}))),
            None, json!([query_param("unread", json!({"type": "boolean"}), "only unread ones")]), &["401", "403", "422"]),
        ("automation", "/api/v1/notifications/{id}/read", "post", "Mark a notification read", "204", json!({}), None, id.clone(), r),
        ("macros", "/api/v1/macros", "get", "Macros / canned responses by name", "200", items(mac.clone()), None, none.clone(), &["401", "403"]),
        ("macros", "/api/v1/macros", "post", "Add a macro", "201", mac.clone(), Some(mac.clone()), none.clone(), &["401", "403", "409", "422"]),
        ("macros", "/api/v1/macros/{id}", "get", "One macro", "200", mac.clone(), None, id.clone(), r),
        ("macros", "/api/v1/macros/{id}", "patch", "Replace a macro", "200", mac.clone(), Some(mac.clone()), id_if.clone(), w),
        ("macros", "/api/v1/macros/{id}", "delete", "Delete a macro", "204", json!({}), None, id_if.clone(), w),
        ("macros", "/api/v1/tickets/{id}/macros/{macro_id}", "post",
            "Apply a macro: post the rendered body as the caller, run its actions", "200",
            object(&["ticket", "actions"], json!({"ticket": any_object(), "message": any_object(), "actions": array(any_object())})),
            None, json!([id_param(), path_param("macro_id", uuid(), "macro")]), &["401", "403", "404", "422"]),
        ("webhooks", "/api/v1/webhooks", "get", "Webhook subscriptions (admins)", "200", items(hook.clone()), None, none.clone(), &["401", "403"]),
        ("webhooks", "/api/v1/webhooks", "post",
            "Subscribe a URL to events; deliveries carry X-Fieldpath-Signature: sha256=<hex HMAC-SHA256(secret, \"<X-Fieldpath-Timestamp>.<body>\")>",
            "201", hook.clone(), Some(hook.clone()), none.clone(), &["401", "403", "422"]),
        ("webhooks", "/api/v1/webhooks/{id}", "get", "One subscription", "200", hook.clone(), None, id.clone(), r),
        ("webhooks", "/api/v1/webhooks/{id}", "patch", "Change url, events, active or secret", "200", hook.clone(), Some(hook.clone()), id_if.clone(), w),
        ("webhooks", "/api/v1/webhooks/{id}", "delete", "Delete a subscription and its log", "204", json!({}), None, id_if.clone(), w),
        ("webhooks", "/api/v1/webhooks/{id}/deliveries", "get", "Delivery log, newest first", "200",
            items(schema_ref("WebhookDelivery")), None,
            json!([id_param(), query_param("limit", json!({"type": "integer", "minimum": 1, "maximum": 500}), "rows (default 50)")]),
            &["401", "403", "404", "422"]),
        ("sla", "/api/v1/sla/calendars/{id}", "patch", "Change a business calendar; open tickets' due times are recomputed", "200",
            any_object(), Some(any_object()), id_if.clone(), w),
        ("sla", "/api/v1/sla/calendars/{id}", "delete", "Delete a business calendar (409 while a policy uses it)", "204",
            json!({}), None, id_if.clone(), &["401", "403", "404", "409", "412", "428"]),
        ("sla", "/api/v1/sla/policies/{id}", "patch", "Change an SLA policy; open tickets' due times are recomputed", "200",
            any_object(), Some(any_object()), id_if.clone(), w),
        ("sla", "/api/v1/sla/policies/{id}", "delete", "Delete an SLA policy; open tickets fall to the next matching one", "204",
            json!({}), None, id_if, w),
    ];
    for (tag, path, method, summary, ok, schema, body, params, errors) in entries {
        doc.add(
            path,
            method,
            op(tag, summary, ok, schema, body, params, errors),
        );
    }
}
