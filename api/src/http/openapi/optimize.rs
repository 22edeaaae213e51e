//! Optimisation: `POST /api/v1/optimize` (VROOM's input and output, plus the native
//! extensions) and the asynchronous jobs under `/api/v1/optimize/jobs`.

use super::{array, id_param, object, op, schema_ref, timestamp, uuid, Doc};
use serde_json::{json, Value};

/// `[lon, lat]`.
fn coordinate() -> Value {
    json!({"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2,
        "description": "[lon, lat], routed over the loaded road graph"})
}

/// `[[start, end], ...]` in seconds.
fn window() -> Value {
    json!({"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2})
}

fn id_value() -> Value {
    json!({"type": ["integer", "string"], "description": "VROOM's integer, or (native) a string"})
}

fn amounts() -> Value {
    json!({"type": "array", "items": {"type": "integer"}})
}

fn vroom_input() -> Value {
    let skill = json!({"type": ["integer", "string"], "description": "VROOM's integer, or (native) a name such as \"hvac\""});
    let job = object(
        &["id"],
        json!({"id": id_value(), "description": {"type": "string"},
            "location": coordinate(), "location_index": {"type": "integer", "minimum": 0, "description": "index into the custom matrix"},
            "setup": {"type": "number"}, "service": {"type": "number", "description": "seconds"},
            "delivery": amounts(), "pickup": amounts(), "amount": amounts(),
            "skills": array(skill.clone()), "priority": {"type": "integer", "minimum": 0, "maximum": 100},
            "time_windows": array(window()),
            "pinned_vehicle": {"type": ["integer", "string"], "description": "native: only this vehicle may serve the job (a locked visit)"},
            "preferred_vehicle": {"type": ["integer", "string"], "description": "native: serve with this vehicle if reasonable"},
            "preference_penalty": {"type": "number", "description": "native: cost added when another vehicle serves it"},
            "optional_cost": {"type": "number", "description": "native: the job is optional; leaving it costs this much"}}),
    );
    let brk = object(
        &["id"],
        json!({"id": id_value(), "time_windows": array(window()), "service": {"type": "number"}, "description": {"type": "string"}}),
    );
    let vehicle = object(
        &["id"],
        json!({"id": id_value(), "profile": {"type": "string", "description": "selects the custom matrix in `matrices` (default `car`)"},
            "description": {"type": "string"}, "start": coordinate(), "start_index": {"type": "integer"},
            "end": coordinate(), "end_index": {"type": "integer"}, "capacity": amounts(),
            "skills": array(skill), "time_window": window(), "breaks": array(brk),
            "max_tasks": {"type": "integer", "minimum": 0},
            "costs": object(&[], json!({"fixed": {"type": "number"}, "per_hour": {"type": "number"}, "per_km": {"type": "number"}}))}),
    );
    let matrix = json!({"type": "array", "items": {"type": "array", "items": {"type": "number"}}});
    let replan = object(
        &["freeze_time"],
        json!({"freeze_time": {"type": "number", "description": "visits starting before this time (seconds) stay as they are"},
            "routes": array(object(&["vehicle"], json!({"vehicle": id_value(),
                "steps": array(object(&["job", "start"], json!({"job": id_value(), "start": {"type": "number"}})))})))}),
    );
    object(
        &[],
        json!({
            "format": {"type": "string", "enum": ["vroom", "native"], "description": "`native` enables the extensions; VROOM clients omit it"},
            "jobs": array(job), "vehicles": array(vehicle),
            "shipments": {"type": "array", "description": "not supported: a non-empty list is a 422"},
            "matrices": {"type": "object", "additionalProperties": object(&[], json!({"durations": matrix, "distances": matrix})),
                "description": "custom matrices keyed by profile (use `location_index`)"},
            "matrix": matrix,
            "options": object(&[], json!({"g": {"type": "boolean", "description": "return encoded route geometry"},
                "seconds": {"type": "number", "exclusiveMinimum": 0, "description": "time budget (default 3; at most 30 synchronously, 600 as a job)"},
                "iterations": {"type": "integer", "minimum": 0, "description": "per-thread iteration budget, for reproducible answers"},
                "seed": {"type": "integer", "minimum": 0},
                "minimize_vehicles": {"type": "boolean"}})),
            "replan": replan,
        }),
    )
}

fn vroom_output() -> Value {
    let totals = json!({"cost": {"type": "integer"}, "setup": {"type": "integer"}, "service": {"type": "integer"},
        "duration": {"type": "integer"}, "waiting_time": {"type": "integer"}, "priority": {"type": "integer"},
        "delivery": amounts(), "pickup": amounts(), "amount": amounts(), "distance": {"type": "integer"},
        "violations": {"type": "array"}});
    let mut summary = totals.clone();
    summary["routes"] = json!({"type": "integer"});
    summary["unassigned"] = json!({"type": "integer"});
    summary["computing_times"] = object(
        &[],
        json!({"loading": {"type": "integer"}, "solving": {"type": "integer"}, "routing": {"type": "integer"}}),
    );
    let step = object(
        &["type", "arrival", "duration"],
        json!({"type": {"type": "string", "enum": ["start", "job", "break", "end"]}, "id": id_value(),
            "location": coordinate(), "location_index": {"type": "integer"}, "setup": {"type": "integer"},
            "service": {"type": "integer"}, "waiting_time": {"type": "integer"}, "arrival": {"type": "integer"},
            "duration": {"type": "integer"}, "distance": {"type": "integer"}, "load": amounts(),
            "description": {"type": "string"}, "violations": {"type": "array"}}),
    );
    let mut route = totals;
    route["vehicle"] = id_value();
    route["description"] = json!({"type": "string"});
    route["geometry"] = json!({"type": "string", "description": "encoded polyline (options.g)"});
    route["steps"] = array(step);
    let unassigned = object(
        &["id", "type", "reason"],
        json!({"id": id_value(), "location": coordinate(), "location_index": {"type": "integer"},
            "type": {"type": "string", "enum": ["job"]}, "description": {"type": "string"},
            "reason": object(&["code", "message"], json!({
                "code": {"type": "string", "enum": ["skills", "pinned", "time_window", "capacity", "no_room", "not_worth_it"]},
                "message": {"type": "string"}}))}),
    );
    object(
        &["code", "summary", "unassigned", "routes"],
        json!({"code": {"type": "integer", "description": "0 = ok (VROOM)"},
            "summary": {"type": "object", "properties": summary},
            "unassigned": array(unassigned),
            "routes": array(json!({"type": "object", "properties": route})),
            "estimator": {"type": "string", "description": "extension: where the travel times came from (road graph, custom matrix, ...)"}}),
    )
}

fn job_view() -> Value {
    object(
        &["id", "status", "created_at", "progress"],
        json!({"id": uuid(),
            "status": {"type": "string", "enum": ["queued", "running", "completed", "failed", "cancelled"]},
            "created_at": timestamp(), "started_at": {"type": ["string", "null"], "format": "date-time"},
            "finished_at": {"type": ["string", "null"], "format": "date-time"},
            "progress": object(&["fraction"], json!({
                "fraction": {"type": "number", "minimum": 0, "maximum": 1, "description": "share of the time budget used"},
                "elapsed": {"type": "number", "description": "seconds of search"},
                "iterations": {"type": "integer"},
                "best": {"type": ["object", "null"], "description": "totals of the best solution so far",
                    "properties": {"cost": {"type": "number"}, "routes": {"type": "integer"}, "served": {"type": "integer"},
                        "unassigned_priority": {"type": "number"}, "distance": {"type": "number"}, "duration": {"type": "number"}}}})),
            "result": {"oneOf": [schema_ref("VroomOutput"), {"type": "null"}],
                "description": "the answer once completed; the best solution found when cancelled during the search"},
            "error": {"oneOf": [{"type": "null"}, {"type": "object", "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "field": {"type": ["string", "null"]}}}],
                "description": "why it failed (`interrupted` when the service stopped while it ran)"}}),
    )
}

/// Add the optimisation area.
pub fn describe(doc: &mut Doc) {
    doc.schema("VroomInput", vroom_input());
    doc.schema("VroomOutput", vroom_output());
    doc.schema("OptimizeJob", job_view());
    let none = json!([]);
    let errors = ["400", "401", "403", "413", "422"];
    doc.add(
        "/api/v1/optimize",
        "post",
        op(
            "optimize",
            "Solve a VROOM request synchronously (VROOM's input/output; `format: native` for pins, preferences, optional jobs, named skills and re-planning with a freeze time); every unassigned job carries a reason",
            "200",
            schema_ref("VroomOutput"),
            Some(schema_ref("VroomInput")),
            none.clone(),
            &errors,
        ),
    );
    doc.add(
        "/api/v1/optimize/native",
        "post",
        op(
            "optimize",
            "Same as /api/v1/optimize with `format: native`",
            "200",
            schema_ref("VroomOutput"),
            Some(schema_ref("VroomInput")),
            none.clone(),
            &errors,
        ),
    );
    let mut submit = op(
        "optimize",
        "Start an asynchronous optimisation job (kept in Postgres; survives restarts)",
        "202",
        schema_ref("OptimizeJob"),
        Some(schema_ref("VroomInput")),
        none,
        &errors,
    );
    submit["responses"]["202"]["headers"] = json!({"Location": {"schema": {"type": "string"},
        "description": "/api/v1/optimize/jobs/{id}"}});
    doc.add("/api/v1/optimize/jobs", "post", submit);
    let id = json!([id_param()]);
    doc.add(
        "/api/v1/optimize/jobs/{id}",
        "get",
        op(
            "optimize",
            "A job's status, progress (with the best totals so far) and result",
            "200",
            schema_ref("OptimizeJob"),
            None,
            id.clone(),
            &["401", "403", "404"],
        ),
    );
    doc.add(
        "/api/v1/optimize/jobs/{id}",
        "delete",
        op(
            "optimize",
            "Cancel a job: a queued one at once, a running one stops its search and keeps the best solution so far",
            "200",
            schema_ref("OptimizeJob"),
            None,
            id,
            &["401", "403", "404"],
        ),
    );
}
