//! Records: the generic CRUD paths generated from the resource catalogue (so they cannot
//! drift from the generic handlers), plus the hand-written record endpoints (work-order
//! transitions, asset history, attachment upload/download, activity log).

use super::{array, id_param, object, op, query_param, schema_ref, uuid, Doc};
use crate::db::lists::PAGES_AHEAD;
use crate::domain::fields::{Field, JsonShape, Kind};
use crate::domain::resources::{self, Resource};
use serde_json::{json, Map, Value};

fn kind_schema(kind: Kind) -> Value {
    match kind {
        Kind::Text { max } => json!({"type": "string", "maxLength": max}),
        Kind::Int { min, max } => json!({"type": "integer", "minimum": min, "maximum": max}),
        Kind::Float { min, max } => json!({"type": "number", "minimum": min, "maximum": max}),
        Kind::Bool => json!({"type": "boolean"}),
        Kind::Uuid => json!({"type": "string", "format": "uuid"}),
        Kind::Date => json!({"type": "string", "format": "date"}),
        Kind::Timestamp => json!({"type": "string", "format": "date-time"}),
        Kind::Enum(names) => json!({"type": "string", "enum": names}),
        Kind::PngBase64 => {
            json!({"type": "string", "contentEncoding": "base64", "contentMediaType": "image/png"})
        }
        Kind::Json(JsonShape::Skills) => {
            json!({"type": "array", "items": {"type": "object", "required": ["skill"],
            "properties": {"skill": {"type": "string"}, "level": {"type": "integer", "minimum": 1, "maximum": 5}}}})
        }
        Kind::Json(JsonShape::WorkingHours) => {
            json!({"type": "object", "description": "keyed by mon..sun",
            "additionalProperties": {"type": "array", "items": {"type": "object",
                "properties": {"start": {"type": "string", "example": "08:00"}, "end": {"type": "string", "example": "17:00"}}}}})
        }
        Kind::Json(JsonShape::Ranges) => {
            json!({"type": "array", "items": {"type": "object", "required": ["start", "end"],
            "properties": {"start": {"type": "string", "format": "date-time"}, "end": {"type": "string", "format": "date-time"}, "reason": {"type": "string"}}}})
        }
        Kind::Json(JsonShape::Parts) => {
            json!({"type": "array", "items": {"type": "object", "required": ["part", "quantity"],
            "properties": {"part": {"type": "string"}, "quantity": {"type": "number"}}}})
        }
    }
}

fn input_schema(fields: &[Field], with_required: bool) -> Value {
    let props: Map<String, Value> = fields
        .iter()
        .map(|f| (f.name.to_string(), kind_schema(f.kind)))
        .collect();
    let mut schema = json!({"type": "object", "properties": props});
    if with_required {
        let required: Vec<&str> = fields
            .iter()
            .filter(|f| f.required)
            .map(|f| f.name)
            .collect();
        schema["required"] = json!(required);
    }
    schema
}

fn resource_paths(res: &Resource, paths: &mut Map<String, Value>) {
    let name = res.entity;
    let record = json!({"$ref": format!("#/components/schemas/{name}")});
    let id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}});
    let if_match = json!({"name": "If-Match", "in": "header", "required": false, "schema": {"type": "string"}, "description": "\"<version>\" (or send `version` in the body)"});
    let mut query = vec![
        json!({"name": "page", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1}}),
        json!({"name": "limit", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": 200}}),
        json!({"name": "sort", "in": "query", "required": false, "schema": {"type": "string"}, "description": format!("[-]one of {} (default -created_at: newest first)", res.sorts.join(", "))}),
        json!({"name": "total", "in": "query", "required": false, "schema": {"type": "string", "enum": ["exact"]},
            "description": format!("`exact`: count every matching record. Without it the count stops {PAGES_AHEAD} × `limit` records past the start of the page (see `total_exact`)")}),
    ];
    for f in res.filters {
        query.push(json!({"name": f, "in": "query", "required": false, "schema": {"type": "string"}, "description": "equals; comma-separated for any of"}));
    }
    for f in res.extra_filters {
        query.push(json!({"name": f.name, "in": "query", "required": false, "schema": kind_schema(f.kind)}));
    }
    let page = json!({"type": "object", "properties": {"items": {"type": "array", "items": record}, "page": {"type": "integer"}, "limit": {"type": "integer"},
        "total": {"type": "integer", "description": "matching records: exact when `total_exact`, else a lower bound (there are at least this many)"},
        "total_exact": {"type": "boolean", "description": "false when the count stopped early (ask `?total=exact` for the full count)"}}});
    let collection = format!("/api/v1/{}", res.path);
    let mut coll = json!({"get": op(name, &format!("List {}", res.path), "200", page, None, json!(query), &["401", "403", "422"])});
    if res.creatable {
        coll["post"] = op(
            name,
            &format!("Create a {name}"),
            "201",
            record.clone(),
            Some(input_schema(res.fields, true)),
            json!([]),
            &["401", "403", "422"],
        );
    }
    paths.insert(collection.clone(), coll);
    let change_errors = ["400", "401", "403", "404", "409", "412", "422", "428"];
    paths.insert(
        format!("{collection}/{{id}}"),
        json!({
            "get": op(name, &format!("Get a {name}"), "200", record.clone(), None, json!([id]), &["401", "403", "404"]),
            "patch": op(name, &format!("Change fields of a {name}"), "200", record.clone(), Some(input_schema(res.fields, false)), json!([id, if_match]), &change_errors),
            "put": op(name, &format!("Replace a {name}"), "200", record.clone(), Some(input_schema(res.fields, true)), json!([id, if_match]), &change_errors),
            "delete": op(name, &format!("Delete a {name} (409 while still referenced)"), "204", json!({}), None, json!([id, if_match]), &["401", "403", "404", "409", "412", "428"]),
        }),
    );
}

fn record_schema(res: &Resource) -> Value {
    let mut schema = input_schema(res.fields, false);
    let props = schema["properties"]
        .as_object_mut()
        .map(std::mem::take)
        .unwrap_or_default();
    let mut all = props;
    for ro in res.read_only {
        let mut schema = match *ro {
            "version" | "seq" | "size_bytes" => json!({"type": "integer"}),
            "snapped_lat" | "snapped_lon" | "snap_distance_m" => {
                json!({"type": ["number", "null"]})
            }
            r if r.ends_with("_at") => json!({"type": "string", "format": "date-time"}),
            r if r == "id" || r.ends_with("_id") => json!({"type": "string", "format": "uuid"}),
            _ => json!({"type": "string"}),
        };
        schema["readOnly"] = json!(true);
        all.entry(ro.to_string()).or_insert(schema);
    }
    schema["properties"] = Value::Object(all);
    schema
}

/// Add the records area.
pub fn describe(doc: &mut Doc) {
    let mut paths = Map::new();
    for res in resources::ALL {
        resource_paths(res, &mut paths);
        doc.schema(res.entity, record_schema(res));
    }
    doc.merge_paths(paths);
    let id = json!([id_param()]);
    doc.add(
        "/api/v1/work-orders/{id}/transition",
        "post",
        op(
            "work_order",
            "Move a work order along its lifecycle (draft → scheduled → dispatched → in_progress → completed / cancelled)",
            "200",
            schema_ref("work_order"),
            Some(object(
                &["to"],
                json!({"to": {"type": "string", "enum": crate::domain::work_order::STATUSES},
                    "version": {"type": "integer", "description": "optimistic concurrency (or If-Match)"}}),
            )),
            id.clone(),
            &["401", "403", "404", "409", "412", "422"],
        ),
    );
    doc.add(
        "/api/v1/assets/{id}/history",
        "get",
        op(
            "asset",
            "Service history of an asset: its work orders and service reports",
            "200",
            object(
                &["work_orders", "service_reports"],
                json!({"work_orders": array(schema_ref("work_order")),
                    "service_reports": array(schema_ref("service_report"))}),
            ),
            None,
            id.clone(),
            &["401", "403", "404"],
        ),
    );
    let mut download = op(
        "attachment",
        "Download an attachment's content",
        "200",
        json!({}),
        None,
        id,
        &["401", "403", "404"],
    );
    download["responses"]["200"] = json!({"description": "the file, with its stored content type",
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}});
    doc.add("/api/v1/attachments/{id}/content", "get", download);
    let mut upload = op(
        "attachment",
        "Upload a file for a work order or service report (raw body or multipart `file`)",
        "201",
        schema_ref("attachment"),
        None,
        json!([
            query_param("work_order_id", uuid(), "attach to this work order"),
            query_param("service_report_id", uuid(), "attach to this service report"),
            query_param(
                "filename",
                json!({"type": "string"}),
                "file name (raw uploads)"
            ),
        ]),
        &["400", "401", "403", "404", "413", "422"],
    );
    upload["requestBody"] = json!({"required": true, "content": {
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
        "multipart/form-data": {"schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}}}});
    doc.add("/api/v1/attachments", "post", upload);
    let mut activity_query = super::paging_params();
    activity_query.extend([
        query_param(
            "entity",
            json!({"type": "string"}),
            "entity kind, e.g. work_order",
        ),
        query_param("entity_id", uuid(), "one record"),
        query_param("actor_id", uuid(), "changes by this user"),
    ]);
    doc.add(
        "/api/v1/activity",
        "get",
        op(
            "activity",
            "Change log: who changed what, before and after",
            "200",
            object(
                &["items"],
                json!({"items": array(object(&[], json!({"id": {"type": "integer"}, "actor_id": {"type": ["string", "null"], "format": "uuid"},
                    "entity": {"type": "string"}, "entity_id": uuid(), "action": {"type": "string"},
                    "before": {}, "after": {}, "at": super::timestamp()}))),
                    "page": {"type": "integer"}, "limit": {"type": "integer"}, "total": {"type": "integer"}}),
            ),
            None,
            json!(activity_query),
            &["401", "403", "422"],
        ),
    );
}
