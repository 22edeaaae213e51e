//! The dispatcher board and the technician route (`/api/v1/board/...`) and the live event
//! stream (`/api/v1/events`).

use super::{
    array, id_param, object, op, path_param, query_param, schema_ref, timestamp, uuid, Doc,
};
use serde_json::json;

/// Add the board area.
pub fn describe(doc: &mut Doc) {
    let date = query_param(
        "date",
        json!({"type": "string", "format": "date"}),
        "day (default today, UTC)",
    );
    let version =
        json!({"type": "integer", "description": "the version the dispatcher saw (or If-Match)"});
    let placement = object(
        &["work_order_id", "technician_id", "start"],
        json!({"work_order_id": uuid(), "technician_id": uuid(), "start": timestamp(),
            "assignment_id": {"type": "string", "format": "uuid", "description": "when moving a planned job"},
            "version": version.clone(), "accept_violations": {"type": "boolean", "description": "save despite reported violations"}}),
    );
    let verdict = json!({"type": "object", "description": "resulting times, travel before and after, violations"});
    let obj = json!({"type": "object"});
    let id = json!([id_param()]);
    doc.add("/api/v1/board/day", "get", op("board", "The board's data: technicians, shifts, assignments and open work orders for a day or a week", "200", obj.clone(), None,
        json!([date.clone(), query_param("days", json!({"type": "integer", "minimum": 1, "maximum": 7}), "number of days (default 1)")]), &["401", "403", "422"]));
    doc.add(
        "/api/v1/board/preview",
        "post",
        op(
            "board",
            "Judge a placement without saving it",
            "200",
            verdict.clone(),
            Some(placement.clone()),
            json!([]),
            &["401", "403", "404", "422"],
        ),
    );
    doc.add(
        "/api/v1/board/moves",
        "post",
        op(
            "board",
            "Save a placement (create or move an assignment); published to the live boards",
            "200",
            object(
                &["assignment", "verdict"],
                json!({"assignment": schema_ref("assignment"), "verdict": verdict}),
            ),
            Some(placement),
            json!([]),
            &["401", "403", "404", "409", "412", "422", "428"],
        ),
    );
    doc.add(
        "/api/v1/board/assignments/{id}/lock",
        "post",
        op(
            "board",
            "Pin (lock) or release an assignment",
            "200",
            schema_ref("assignment"),
            Some(object(
                &["locked"],
                json!({"locked": {"type": "boolean"}, "version": version.clone()}),
            )),
            id.clone(),
            &["401", "403", "404", "412", "422", "428"],
        ),
    );
    doc.add(
        "/api/v1/board/assignments/{id}/unassign",
        "post",
        op(
            "board",
            "Remove an assignment (not when locked); the job goes back to the queue",
            "200",
            obj.clone(),
            Some(object(&[], json!({"version": version}))),
            id,
            &["401", "403", "404", "409", "412", "428"],
        ),
    );
    doc.add("/api/v1/board/roads", "get", op("board", "Road polylines for the map panel", "200",
        object(&["roads"], json!({"bbox": array(json!({"type": "number"})), "roads": array(array(json!({"type": "number"})))})), None,
        json!([query_param("bbox", json!({"type": "string"}), "minlon,minlat,maxlon,maxlat (whole graph when absent)")]), &["401", "403", "422", "503"]));
    doc.add(
        "/api/v1/board/positions",
        "get",
        op(
            "board",
            "Last known positions of the technicians",
            "200",
            obj.clone(),
            None,
            json!([]),
            &["401", "403"],
        ),
    );
    doc.add("/api/v1/board/position", "post", op("board", "A technician reports their position", "200", obj.clone(),
        Some(object(&["lat", "lon"], json!({"lat": {"type": "number"}, "lon": {"type": "number"}, "accuracy_m": {"type": "number"}, "at": timestamp()}))),
        json!([]), &["401", "403", "422"]));
    doc.add(
        "/api/v1/board/my-route",
        "get",
        op(
            "board",
            "A technician's route for the day (planners may name the technician)",
            "200",
            obj.clone(),
            None,
            json!([date, query_param("technician_id", uuid(), "planners only")]),
            &["401", "403", "404", "422"],
        ),
    );
    doc.add("/api/v1/board/my-route/stops/{work_order_id}/status", "post", op("board", "Record a stop status (on_my_way, arrived, completed) and move the work order along; idempotent by client_id", "200", obj,
        Some(object(&["status"], json!({"status": {"type": "string", "enum": ["on_my_way", "arrived", "completed"]}, "at": timestamp(),
            "client_id": {"type": "string", "description": "idempotency key from the offline queue"}}))),
        json!([path_param("work_order_id", uuid(), "the stop's work order")]), &["401", "403", "404", "409", "422"]));
    let mut events = op("board", "Live events of the organisation (Server-Sent Events: assignment.changed, technician.position, ...)", "200", json!({}), None, json!([]), &["401", "403"]);
    events["responses"]["200"] = json!({"description": "an event stream", "content": {"text/event-stream": {"schema": {"type": "string"}}}});
    doc.add("/api/v1/events", "get", events);
}
