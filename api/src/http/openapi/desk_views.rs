//! Agent pages: saved views of the ticket list, the agents' list itself, office users, and
//! ticket presence (collision notice).

use super::{array, id_param, object, op, paging_params, query_param, timestamp, uuid, Doc};
use serde_json::{json, Value};

fn filters() -> Value {
    let list =
        |items: Value, what: &str| json!({"type": "array", "items": items, "description": what});
    let text = json!({"type": "string"});
    json!({"type": "object", "additionalProperties": false, "properties": {
        "status": list(text.clone(), "status names (built-in or custom)"),
        "status_type": list(json!({"enum": ["open", "pending", "on_hold", "resolved", "closed"]}), "status types"),
        "priority": list(json!({"enum": ["low", "normal", "high", "urgent"]}), "priorities"),
        "assignee": list(text.clone(), "`me` (the viewer), `unassigned`, or user ids"),
        "team": list(uuid(), "team ids"),
        "tag": list(text.clone(), "any of these tags"),
        "channel": list(json!({"enum": ["email", "web", "portal", "phone", "api"]}), "channels"),
        "q": {"type": "string", "maxLength": 200, "description": "text in subject, description or number"},
        "breached": {"type": "boolean", "description": "only breached (true) or unbreached (false) tickets"}}})
}

fn view_body(required: &[&str]) -> Value {
    object(
        required,
        json!({
            "name": {"type": "string", "minLength": 1, "maxLength": 80, "description": "unique per owner"},
            "filters": super::schema_ref("DeskViewFilters"),
            "columns": array(json!({"enum": crate::desk::views::COLUMNS})),
            "sort": {"type": "string", "description": "a sort key, `-key` for descending: number, subject, requester, status, priority, assignee, sla_due, updated_at, created_at"},
            "shared": {"type": "boolean", "description": "listed for every office user of the organisation"},
        }),
    )
}

/// Add the agent-pages area.
pub fn describe(doc: &mut Doc) {
    let tag = "desk views";
    doc.schema("DeskViewFilters", filters());
    doc.schema(
        "DeskView",
        object(
            &["id", "owner_id", "owner_name", "name", "filters", "columns", "sort", "shared", "version", "mine", "editable"],
            json!({"id": uuid(), "owner_id": uuid(), "owner_name": {"type": "string"}, "name": {"type": "string"},
                "filters": super::schema_ref("DeskViewFilters"), "columns": array(json!({"type": "string"})),
                "sort": {"type": "string"}, "shared": {"type": "boolean"}, "version": {"type": "integer"},
                "mine": {"type": "boolean", "description": "the caller owns it"},
                "editable": {"type": "boolean", "description": "the caller may change it (owner, or an admin for shared views)"},
                "created_at": timestamp(), "updated_at": timestamp()}),
        ),
    );
    let view = super::schema_ref("DeskView");
    let if_match = json!({"name": "If-Match", "in": "header", "required": true, "schema": {"type": "string"}, "description": "the view's ETag"});
    doc.add(
        "/api/v1/desk/views",
        "get",
        op(
            tag,
            "The caller's saved views, then the organisation's shared ones",
            "200",
            object(&["items"], json!({"items": array(view.clone())})),
            None,
            json!([]),
            &["401", "403"],
        ),
    );
    doc.add(
        "/api/v1/desk/views",
        "post",
        op(
            tag,
            "Save a view of the ticket list (answers it with its ETag)",
            "201",
            view.clone(),
            Some(view_body(&["name"])),
            json!([]),
            &["401", "403", "409", "422"],
        ),
    );
    doc.add(
        "/api/v1/desk/views/{id}",
        "get",
        op(
            tag,
            "One view (own or shared; others' private views are 404)",
            "200",
            view.clone(),
            None,
            json!([id_param()]),
            &["401", "403", "404"],
        ),
    );
    doc.add(
        "/api/v1/desk/views/{id}",
        "patch",
        op(
            tag,
            "Change a view: its owner, or an admin for a shared one",
            "200",
            view.clone(),
            Some(view_body(&[])),
            json!([id_param(), if_match.clone()]),
            &["401", "403", "404", "409", "412", "422", "428"],
        ),
    );
    doc.add(
        "/api/v1/desk/views/{id}",
        "delete",
        op(
            tag,
            "Delete a view: its owner, or an admin for a shared one",
            "204",
            json!({}),
            None,
            json!([id_param(), if_match]),
            &["401", "403", "404", "412", "428"],
        ),
    );

    let mut params = paging_params();
    params.push(query_param(
        "view",
        uuid(),
        "apply this saved view's filters and sort; the other parameters override them",
    ));
    params.push(query_param(
        "sort",
        json!({"type": "string"}),
        "sort key, `-key` descending (default `-updated_at`)",
    ));
    for (name, what) in [
        ("status", "status names"),
        ("status_type", "status types"),
        ("priority", "priorities"),
        ("assignee", "`me`, `unassigned` or user ids"),
        ("team", "team ids"),
        ("tag", "tags"),
        ("channel", "channels"),
    ] {
        params.push(query_param(
            name,
            json!({"type": "string"}),
            &format!("comma-separated {what}"),
        ));
    }
    params.push(query_param(
        "q",
        json!({"type": "string"}),
        "text in subject, description or number",
    ));
    params.push(query_param(
        "breached",
        json!({"type": "boolean"}),
        "SLA breached or not",
    ));
    let row = object(
        &[
            "id", "number", "subject", "status", "priority", "breached", "version",
        ],
        json!({"id": uuid(), "number": {"type": "string"}, "subject": {"type": "string"}, "status": {"type": "string"},
            "status_type": {"type": "string"}, "priority": {"type": "string"}, "channel": {"type": "string"},
            "category": {"type": ["string", "null"]}, "tags": array(json!({"type": "string"})),
            "requester_id": {"type": ["string", "null"]}, "requester_name": {"type": ["string", "null"]},
            "assignee_id": {"type": ["string", "null"]}, "assignee_name": {"type": ["string", "null"]},
            "team_id": {"type": ["string", "null"]}, "team_name": {"type": ["string", "null"]},
            "sla_due": {"type": ["string", "null"], "format": "date-time", "description": "earliest running SLA target"},
            "breached": {"type": "boolean"}, "version": {"type": "integer"},
            "created_at": timestamp(), "updated_at": timestamp()}),
    );
    doc.add("/api/v1/desk/tickets", "get", op(tag, "The agents' ticket list: display names, next SLA due, view filters incl. assignee=me/unassigned",
        "200", object(&["items", "page", "limit", "total"], json!({"items": array(row), "page": {"type": "integer"},
            "limit": {"type": "integer"}, "total": {"type": "integer"}})), None, Value::Array(params), &["401", "403", "422"]));
    doc.add("/api/v1/desk/agents", "get", op(tag, "The organisation's active office users (assignee pickers, @mentions)",
        "200", object(&["items"], json!({"items": array(object(&["id", "name", "email", "role"], json!({
            "id": uuid(), "name": {"type": "string"}, "email": {"type": "string"}, "role": {"enum": ["admin", "dispatcher", "agent"]}})))})),
        None, json!([]), &["401", "403"]));

    let others = object(
        &["items", "ttl_secs"],
        json!({"ttl_secs": {"type": "integer"}, "items": array(object(
        &["user_id", "name", "state", "seen_at"], json!({"user_id": uuid(), "name": {"type": "string"},
            "state": {"enum": ["viewing", "replying"]}, "seen_at": timestamp()})))}),
    );
    let ticket = json!([id_param()]);
    doc.add(
        "/api/v1/tickets/{id}/presence",
        "get",
        op(
            "desk presence",
            "Who else has the ticket open (entries expire 30 s after the last heartbeat)",
            "200",
            others.clone(),
            None,
            ticket.clone(),
            &["401", "403", "404"],
        ),
    );
    doc.add("/api/v1/tickets/{id}/presence", "post", op("desk presence", "Heartbeat of an open ticket page (every ~10 s); answers who else is there. Arrivals and state changes publish `ticket.presence` on /api/v1/events",
        "200", others, Some(object(&["state"], json!({"state": {"type": "string", "enum": ["viewing", "replying"]}}))), ticket.clone(), &["401", "403", "404", "422"]));
    doc.add(
        "/api/v1/tickets/{id}/presence",
        "delete",
        op(
            "desk presence",
            "Leave the ticket (the page was closed)",
            "204",
            json!({}),
            None,
            ticket,
            &["401", "403", "404"],
        ),
    );
}
