//! Planning scenarios in the background (`/api/v1/scenarios/...`). (Schedule plans are in
//! `schedule.rs`, the board in `board.rs`.)

use super::{array, id_param, object, op, schema_ref, timestamp, uuid, Doc};
use serde_json::{json, Value};

fn scenario_run() -> Value {
    let opt_time = json!({"type": ["string", "null"], "format": "date-time"});
    object(
        &["id", "status", "progress"],
        json!({"id": uuid(), "org_id": uuid(), "name": {"type": "string"},
            "status": {"type": "string", "enum": ["queued", "running", "succeeded", "failed", "cancelled"]},
            "attempts": {"type": "integer"}, "progress": {"type": "number", "minimum": 0, "maximum": 1},
            "progress_note": {"type": "string"}, "cancel_requested": {"type": "boolean"},
            "worker_id": {"type": ["string", "null"]}, "error": {"type": ["string", "null"]},
            "source": {"type": ["object", "null"]}, "result": {"type": ["object", "null"], "description": "the comparison report"},
            "created_at": timestamp(), "started_at": opt_time.clone(), "finished_at": opt_time}),
    )
}

/// Add the scenarios area.
pub fn describe(doc: &mut Doc) {
    doc.schema("ScenarioRun", scenario_run());
    let id = json!([id_param()]);
    let variant = object(
        &["name"],
        json!({"name": {"type": "string"}, "edits": {"type": "array", "items": {"type": "object"}}}),
    );
    let mut enqueue = op(
        "scenario",
        "Enqueue a scenario run: a scenario file, or a copy of the records of a date range with what-if edits and variants",
        "202",
        schema_ref("ScenarioRun"),
        Some(json!({"type": "object", "properties": {"name": {"type": "string"},
            "scenario": {"type": "object", "description": "a scenario file (see the scenario format); or use from_records"},
            "from_records": object(&["start", "end"], json!({"start": {"type": "string", "format": "date"}, "end": {"type": "string", "format": "date"}})),
            "edits": {"type": "array", "items": {"type": "object"}, "description": "one what-if variant"},
            "variants": array(variant), "seconds": {"type": "number"}, "seed": {"type": "integer"}}})),
        json!([]),
        &["400", "401", "403", "422"],
    );
    enqueue["responses"]["202"]["description"] =
        json!("queued; `fieldpath worker` (or `serve --workers N`) runs it");
    doc.add("/api/v1/scenarios", "post", enqueue);
    doc.add(
        "/api/v1/scenarios",
        "get",
        op(
            "scenario",
            "The organisation's scenario runs",
            "200",
            object(
                &["items"],
                json!({"items": array(schema_ref("ScenarioRun"))}),
            ),
            None,
            json!([]),
            &["401", "403"],
        ),
    );
    doc.add(
        "/api/v1/scenarios/{id}",
        "get",
        op(
            "scenario",
            "A run's status, progress and (when done) report",
            "200",
            schema_ref("ScenarioRun"),
            None,
            id.clone(),
            &["401", "403", "404"],
        ),
    );
    doc.add(
        "/api/v1/scenarios/{id}",
        "delete",
        op(
            "scenario",
            "Cancel a run",
            "200",
            schema_ref("ScenarioRun"),
            None,
            id.clone(),
            &["401", "403", "404"],
        ),
    );
    let mut csv = op(
        "scenario",
        "The run's comparison report as CSV",
        "200",
        json!({}),
        None,
        id,
        &["401", "403", "404", "409"],
    );
    csv["responses"]["200"] =
        json!({"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}});
    doc.add("/api/v1/scenarios/{id}/report.csv", "get", csv);
}
