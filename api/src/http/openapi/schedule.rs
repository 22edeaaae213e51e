//! Planning from the records: `POST /api/v1/schedule/optimize` proposes a plan, which a
//! dispatcher reads, commits or discards under `/api/v1/schedule/plans/{id}`.

use super::{array, id_param, object, op, schema_ref, timestamp, uuid, Doc};
use serde_json::{json, Value};

fn plan() -> Value {
    let change = object(
        &[
            "change",
            "work_order_id",
            "technician_id",
            "planned_start",
            "planned_end",
        ],
        json!({"change": {"type": "string", "enum": ["add", "move", "keep"]}, "work_order_id": uuid(), "number": {"type": "string"},
            "technician_id": uuid(), "technician": {"type": "string"}, "planned_start": timestamp(), "planned_end": timestamp(),
            "sequence": {"type": "integer"}, "previous": {"type": ["object", "null"], "description": "the assignment it replaces"}}),
    );
    let unassigned = object(
        &["work_order_id", "reason"],
        json!({"work_order_id": uuid(), "number": {"type": "string"},
            "reason": object(&["code", "message"], json!({"code": {"type": "string"}, "message": {"type": "string"}})),
            "removes_assignment": {"type": ["string", "null"], "format": "uuid"}}),
    );
    let kept = object(
        &["assignment_id", "work_order_id"],
        json!({"assignment_id": uuid(), "work_order_id": uuid(), "technician_id": uuid(),
            "planned_start": timestamp(), "planned_end": timestamp(), "locked": {"type": "boolean"}, "note": {"type": "string"}}),
    );
    object(
        &[
            "id",
            "status",
            "assignments",
            "unassigned",
            "kept",
            "summary",
        ],
        json!({"id": uuid(), "status": {"type": "string", "enum": ["proposed", "committed", "discarded"]},
            "from": timestamp(), "to": timestamp(), "created_at": timestamp(),
            "decided_at": {"type": ["string", "null"], "format": "date-time"},
            "assignments": array(change), "unassigned": array(unassigned),
            "kept": {"type": "array", "items": kept, "description": "locked and in-progress assignments, left as they are"},
            "summary": object(&[], json!({"added": {"type": "integer"}, "moved": {"type": "integer"}, "unchanged": {"type": "integer"},
                "kept_fixed": {"type": "integer"}, "unassigned": {"type": "integer"}, "distance_m": {"type": "number"},
                "travel_s": {"type": "number"}, "estimator": {"type": "string"}}))}),
    )
}

/// Add the schedule area.
pub fn describe(doc: &mut Doc) {
    doc.schema("Plan", plan());
    let id = json!([id_param()]);
    doc.add(
        "/api/v1/schedule/optimize",
        "post",
        op(
            "schedule",
            "Propose a plan for open work orders and technicians' shifts in a range (at most 14 days); stored as `proposed`",
            "201",
            schema_ref("Plan"),
            Some(object(
                &["from", "to"],
                json!({"from": timestamp(), "to": timestamp(),
                    "options": object(&[], json!({"seconds": {"type": "number", "exclusiveMinimum": 0, "maximum": 30}, "iterations": {"type": "integer", "minimum": 0}}))}),
            )),
            json!([]),
            &["400", "401", "403", "422"],
        ),
    );
    doc.add(
        "/api/v1/schedule/plans/{id}",
        "get",
        op(
            "schedule",
            "A proposed (or decided) plan",
            "200",
            schema_ref("Plan"),
            None,
            id.clone(),
            &["401", "403", "404"],
        ),
    );
    doc.add(
        "/api/v1/schedule/plans/{id}",
        "delete",
        op(
            "schedule",
            "Discard a proposed plan",
            "200",
            schema_ref("Plan"),
            None,
            id.clone(),
            &["401", "403", "404", "409"],
        ),
    );
    doc.add("/api/v1/schedule/plans/{id}/commit", "post", op("schedule", "Write the plan's assignments in one transaction (409 when the records changed meanwhile)", "200", schema_ref("Plan"), None, id, &["401", "403", "404", "409"]));
}
