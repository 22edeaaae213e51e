//! Help desk: tickets, their conversation, history, merge/split, work orders from tickets,
//! and the desk settings (statuses, custom fields, teams, SLA calendars and policies).

use super::{
    array, id_param, object, op, paging_params, query_param, schema_ref, timestamp, uuid, Doc,
};
use serde_json::{json, Value};

fn nullable(format: &str) -> Value {
    json!({"type": ["string", "null"], "format": format})
}

fn ticket() -> Value {
    let text = json!({"type": "string"});
    let flag = json!({"type": "boolean"});
    object(
        &["id", "number", "subject", "status", "priority", "version"],
        json!({"id": uuid(), "seq": {"type": "integer"}, "number": text, "subject": text, "description": text,
            "status": text, "status_type": {"type": "string", "description": "open, pending, resolved or closed (the status's kind)"},
            "priority": text, "category": {"type": ["string", "null"]}, "channel": text,
            "requester_id": nullable("uuid"), "requester_email": {"type": ["string", "null"]},
            "assignee_id": nullable("uuid"), "team_id": nullable("uuid"), "tags": array(text.clone()),
            "custom_fields": {"type": "object"}, "parent_id": nullable("uuid"), "merged_into_id": nullable("uuid"),
            "split_from_id": nullable("uuid"), "work_order_id": nullable("uuid"), "sla_policy_id": nullable("uuid"),
            "sla_elapsed_secs": {"type": "integer"}, "sla_running_since": nullable("date-time"),
            "first_response_due": nullable("date-time"), "next_response_due": nullable("date-time"),
            "resolution_due": nullable("date-time"), "first_responded_at": nullable("date-time"),
            "resolved_at": nullable("date-time"), "closed_at": nullable("date-time"),
            "first_response_breached": flag, "next_response_breached": flag, "resolution_breached": flag,
            "escalated_at": nullable("date-time"), "version": {"type": "integer"},
            "created_at": timestamp(), "updated_at": timestamp()}),
    )
}

fn ticket_input(required: &[&str]) -> Value {
    let text = json!({"type": "string"});
    object(
        required,
        json!({"subject": text, "description": text, "status": text, "priority": text,
            "category": {"type": ["string", "null"]}, "channel": text,
            "requester_id": nullable("uuid"), "requester_email": {"type": "string"},
            "assignee_id": nullable("uuid"), "team_id": nullable("uuid"), "tags": array(text),
            "custom_fields": {"type": "object", "description": "keyed by the field's `key`, typed by its kind"},
            "parent_id": nullable("uuid")}),
    )
}

fn items(item: Value) -> Value {
    object(&["items"], json!({"items": array(item)}))
}

/// Add the help desk area.
pub fn describe(doc: &mut Doc) {
    doc.schema("Ticket", ticket());
    let id = json!([id_param()]);
    let none = json!([]);
    let mut list_query = paging_params();
    for f in ["status", "status_type", "priority", "channel", "category"] {
        list_query.push(query_param(
            f,
            json!({"type": "string"}),
            "equals; comma-separated for any of",
        ));
    }
    for f in [
        "assignee_id",
        "team_id",
        "requester_id",
        "parent_id",
        "work_order_id",
        "merged_into_id",
    ] {
        list_query.push(query_param(
            f,
            json!({"type": "string"}),
            "UUIDs, comma-separated",
        ));
    }
    list_query.extend([
        query_param("tag", json!({"type": "string"}), "has any of these tags"),
        query_param("q", json!({"type": "string"}), "text in subject or description"),
        query_param("breached", json!({"type": "boolean"}), "an SLA target is breached"),
        query_param(
            "sort",
            json!({"type": "string"}),
            "[-]created_at, updated_at, seq, priority, resolution_due, first_response_due or subject",
        ),
    ]);
    let page = object(
        &["items"],
        json!({"items": array(schema_ref("Ticket")), "page": {"type": "integer"}, "limit": {"type": "integer"}, "total": {"type": "integer"}}),
    );
    doc.add(
        "/api/v1/tickets",
        "get",
        op(
            "ticket",
            "List tickets (customers see their own)",
            "200",
            page,
            None,
            json!(list_query),
            &["401", "403", "422"],
        ),
    );
    doc.add(
        "/api/v1/tickets",
        "post",
        op(
            "ticket",
            "Open a ticket (SLA targets set by the matching policy)",
            "201",
            schema_ref("Ticket"),
            Some(ticket_input(&["subject"])),
            none.clone(),
            &["401", "403", "422"],
        ),
    );
    doc.add(
        "/api/v1/tickets/{id}",
        "get",
        op(
            "ticket",
            "One ticket (ETag = version)",
            "200",
            schema_ref("Ticket"),
            None,
            id.clone(),
            &["401", "403", "404"],
        ),
    );
    let mut patch_body = ticket_input(&[]);
    patch_body["properties"]["version"] = json!({"type": "integer", "description": "or If-Match"});
    let mut patch_params = vec![id_param()];
    patch_params.push(json!({"name": "If-Match", "in": "header", "required": false, "schema": {"type": "string"}}));
    doc.add(
        "/api/v1/tickets/{id}",
        "patch",
        op(
            "ticket",
            "Change a ticket (status, assignment, fields) with optimistic concurrency",
            "200",
            schema_ref("Ticket"),
            Some(patch_body),
            json!(patch_params),
            &["401", "403", "404", "409", "412", "422", "428"],
        ),
    );
    let message = object(
        &["id", "kind", "body"],
        json!({"id": uuid(), "ticket_id": uuid(), "kind": {"type": "string", "enum": ["reply", "note"]}, "body": {"type": "string"},
            "author_id": nullable("uuid"), "author_email": {"type": ["string", "null"]}, "from_customer": {"type": "boolean"},
            "mentions": array(uuid()), "moved_from_id": nullable("uuid"), "created_at": timestamp()}),
    );
    doc.add(
        "/api/v1/tickets/{id}/messages",
        "get",
        op(
            "ticket",
            "The conversation, oldest first (internal notes hidden from customers)",
            "200",
            items(message.clone()),
            None,
            id.clone(),
            &["401", "403", "404"],
        ),
    );
    doc.add("/api/v1/tickets/{id}/messages", "post", op("ticket", "Add a public reply or (office roles) an internal note", "201",
        object(&["message", "ticket"], json!({"message": message, "ticket": schema_ref("Ticket")})),
        Some(object(&["body"], json!({"kind": {"type": "string", "enum": ["reply", "note"], "default": "reply"}, "body": {"type": "string"}}))),
        id.clone(), &["401", "403", "404", "422"]));
    doc.add(
        "/api/v1/tickets/{id}/history",
        "get",
        op(
            "ticket",
            "The ticket's change log",
            "200",
            object(
                &["items"],
                json!({"items": array(json!({"type": "object"})), "total": {"type": "integer"}}),
            ),
            None,
            id.clone(),
            &["401", "403", "404"],
        ),
    );
    doc.add(
        "/api/v1/tickets/{id}/merge",
        "post",
        op(
            "ticket",
            "Merge this ticket into another (its conversation moves; it is closed)",
            "200",
            schema_ref("Ticket"),
            Some(object(&["target_id"], json!({"target_id": uuid()}))),
            id.clone(),
            &["401", "403", "404", "409", "422"],
        ),
    );
    doc.add(
        "/api/v1/tickets/{id}/split",
        "post",
        op(
            "ticket",
            "Split a message off into a new ticket",
            "201",
            schema_ref("Ticket"),
            Some(object(&["message_id"], json!({"message_id": uuid()}))),
            id.clone(),
            &["401", "403", "404", "409", "422"],
        ),
    );
    doc.add("/api/v1/tickets/{id}/work-order", "post", op("ticket", "Create a work order from the ticket and link them", "201",
        object(&["ticket", "work_order"], json!({"ticket": schema_ref("Ticket"), "work_order": schema_ref("work_order")})),
        Some(json!({"type": "object", "description": "work-order fields (site_id, type, priority, time windows, ...); defaults from the ticket"})),
        id, &["401", "403", "404", "409", "422"]));

    let status = object(
        &["name", "status_type"],
        json!({"id": uuid(), "name": {"type": "string"},
        "status_type": {"type": "string", "enum": ["open", "pending", "resolved", "closed"]}}),
    );
    let field = object(
        &["key", "kind"],
        json!({"id": uuid(), "key": {"type": "string"}, "label": {"type": "string"},
        "kind": {"type": "string", "enum": ["text", "number", "date", "select"]},
        "options": array(json!({"type": "string"})), "required": {"type": "boolean"}}),
    );
    let team = object(
        &["name"],
        json!({"id": uuid(), "name": {"type": "string"}, "member_ids": array(uuid())}),
    );
    let calendar = object(
        &["name", "spec"],
        json!({"id": uuid(), "name": {"type": "string"},
        "spec": object(&["time_zone", "hours"], json!({"time_zone": {"type": "string", "example": "Europe/Paris"},
            "hours": {"type": "object", "description": "{\"mon\": [[\"09:00\", \"17:00\"]], ...}; missing days are closed",
                "additionalProperties": array(json!({"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2}))},
            "holidays": array(json!({"type": "string", "format": "date"}))}))}),
    );
    let policy = object(
        &["name"],
        json!({"id": uuid(), "name": {"type": "string"}, "position": {"type": "integer", "description": "first matching policy wins"},
        "conditions": object(&[], json!({"priority": array(json!({"type": "string"})), "channel": array(json!({"type": "string"})),
            "customer_id": array(uuid()), "tags": array(json!({"type": "string"}))})),
        "first_response_mins": {"type": ["integer", "null"]}, "next_response_mins": {"type": ["integer", "null"]},
        "resolution_mins": {"type": ["integer", "null"]}, "calendar_id": nullable("uuid"), "escalate_to_id": nullable("uuid")}),
    );
    for (path, name, what, schema, list_errors) in [
        (
            "/api/v1/desk/statuses",
            "desk",
            "ticket statuses",
            status,
            ["401", "403"],
        ),
        (
            "/api/v1/desk/fields",
            "desk",
            "custom ticket fields",
            field,
            ["401", "403"],
        ),
        ("/api/v1/desk/teams", "desk", "teams", team, ["401", "403"]),
        (
            "/api/v1/sla/calendars",
            "sla",
            "business-hours calendars",
            calendar,
            ["401", "403"],
        ),
        (
            "/api/v1/sla/policies",
            "sla",
            "SLA policies",
            policy,
            ["401", "403"],
        ),
    ] {
        doc.add(
            path,
            "get",
            op(
                name,
                &format!("List {what}"),
                "200",
                items(schema.clone()),
                None,
                none.clone(),
                &list_errors,
            ),
        );
        doc.add(
            path,
            "post",
            op(
                name,
                &format!("Add to the {what} (admin)"),
                "201",
                schema.clone(),
                Some(schema),
                none.clone(),
                &["401", "403", "409", "422"],
            ),
        );
    }
}
