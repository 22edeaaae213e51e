//! The OpenAPI 3.1 description, generated from the resource catalogue (so it cannot drift
//! from the generic handlers) plus the hand-written endpoints, typed as utoipa's model.

use crate::domain::fields::{Field, JsonShape, Kind};
use crate::domain::resources::{self, Resource};
use serde_json::{json, Map, Value};
use utoipa::openapi::OpenApi;

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

fn error_responses(codes: &[&str]) -> Map<String, Value> {
    codes
        .iter()
        .map(|c| (c.to_string(), json!({"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})))
        .collect()
}

fn op(
    tag: &str,
    summary: &str,
    ok: &str,
    ok_schema: Value,
    body: Option<Value>,
    params: Value,
    errors: &[&str],
) -> Value {
    let mut responses = error_responses(errors);
    responses.insert(
        ok.into(),
        json!({"description": "success", "content": {"application/json": {"schema": ok_schema}}}),
    );
    let mut o =
        json!({"tags": [tag], "summary": summary, "parameters": params, "responses": responses});
    if let Some(schema) = body {
        o["requestBody"] =
            json!({"required": true, "content": {"application/json": {"schema": schema}}});
    }
    o
}

fn resource_paths(res: &Resource, paths: &mut Map<String, Value>) {
    let name = res.entity;
    let record = json!({"$ref": format!("#/components/schemas/{name}")});
    let id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}});
    let if_match = json!({"name": "If-Match", "in": "header", "required": false, "schema": {"type": "string"}, "description": "\"<version>\" (or send `version` in the body)"});
    let mut query = vec![
        json!({"name": "page", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1}}),
        json!({"name": "limit", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": 200}}),
        json!({"name": "sort", "in": "query", "required": false, "schema": {"type": "string"}, "description": format!("[-]one of {}", res.sorts.join(", "))}),
    ];
    for f in res.filters {
        query.push(json!({"name": f, "in": "query", "required": false, "schema": {"type": "string"}, "description": "equals; comma-separated for any of"}));
    }
    for f in res.extra_filters {
        query.push(json!({"name": f.name, "in": "query", "required": false, "schema": kind_schema(f.kind)}));
    }
    let page = json!({"type": "object", "properties": {"items": {"type": "array", "items": record}, "page": {"type": "integer"}, "limit": {"type": "integer"}, "total": {"type": "integer"}}});
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
            "delete": {"tags": [name], "summary": format!("Delete a {name}"), "parameters": [id, if_match],
                "responses": {"204": {"description": "deleted"}, "401": {"description": "error"}, "403": {"description": "error"}, "404": {"description": "error"}, "409": {"description": "still referenced"}, "412": {"description": "version mismatch"}, "428": {"description": "If-Match missing"}}},
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

/// The OpenAPI document.
pub fn document() -> OpenApi {
    let mut paths = Map::new();
    let mut schemas = Map::new();
    schemas.insert(
        "Error".into(),
        json!({"type": "object", "properties": {"error": {"type": "object", "properties": {
            "code": {"type": "string"}, "message": {"type": "string"}, "field": {"type": ["string", "null"]}}}}}),
    );
    for res in resources::ALL {
        resource_paths(res, &mut paths);
        schemas.insert(res.entity.into(), record_schema(res));
    }
    let obj = json!({"type": "object"});
    let none = json!([]);
    let id = json!([{"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}}]);
    let extra = [
        (
            "/api/v1/auth/login",
            "post",
            op(
                "auth",
                "Log in: tokens + session cookie",
                "200",
                obj.clone(),
                Some(
                    json!({"type": "object", "required": ["email", "password"], "properties": {"email": {"type": "string"}, "password": {"type": "string"}}}),
                ),
                none.clone(),
                &["400", "401", "422", "429"],
            ),
        ),
        (
            "/api/v1/auth/refresh",
            "post",
            op(
                "auth",
                "Exchange a refresh token (rotated)",
                "200",
                obj.clone(),
                Some(
                    json!({"type": "object", "required": ["refresh_token"], "properties": {"refresh_token": {"type": "string"}}}),
                ),
                none.clone(),
                &["401", "422"],
            ),
        ),
        (
            "/api/v1/auth/logout",
            "post",
            op(
                "auth",
                "Revoke this login's tokens and session",
                "204",
                obj.clone(),
                None,
                none.clone(),
                &["401"],
            ),
        ),
        (
            "/api/v1/me",
            "get",
            op(
                "auth",
                "The current user",
                "200",
                obj.clone(),
                None,
                none.clone(),
                &["401"],
            ),
        ),
        (
            "/api/v1/api-tokens",
            "get",
            op(
                "auth",
                "My API tokens",
                "200",
                obj.clone(),
                None,
                none.clone(),
                &["401"],
            ),
        ),
        (
            "/api/v1/api-tokens",
            "post",
            op(
                "auth",
                "Create an API token (secret shown once)",
                "201",
                obj.clone(),
                Some(
                    json!({"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "expires_in_days": {"type": "integer"}}}),
                ),
                none.clone(),
                &["401", "403", "422"],
            ),
        ),
        (
            "/api/v1/api-tokens/{id}",
            "delete",
            op(
                "auth",
                "Revoke an API token",
                "204",
                obj.clone(),
                None,
                id.clone(),
                &["401", "404"],
            ),
        ),
        (
            "/api/v1/users",
            "get",
            op(
                "users",
                "Users of the organisation",
                "200",
                obj.clone(),
                None,
                none.clone(),
                &["401", "403"],
            ),
        ),
        (
            "/api/v1/users",
            "post",
            op(
                "users",
                "Create a user (admin)",
                "201",
                obj.clone(),
                Some(
                    json!({"type": "object", "required": ["email", "name", "role", "password"], "properties": {"email": {"type": "string"}, "name": {"type": "string"}, "role": {"type": "string", "enum": ["admin", "dispatcher", "agent", "technician", "customer"]}, "password": {"type": "string", "minLength": 8}, "customer_id": {"type": "string", "format": "uuid"}}}),
                ),
                none.clone(),
                &["401", "403", "409", "422"],
            ),
        ),
        (
            "/api/v1/users/{id}",
            "get",
            op(
                "users",
                "One user",
                "200",
                obj.clone(),
                None,
                id.clone(),
                &["401", "403", "404"],
            ),
        ),
        (
            "/api/v1/work-orders/{id}/transition",
            "post",
            op(
                "work_order",
                "Move a work order along its lifecycle",
                "200",
                json!({"$ref": "#/components/schemas/work_order"}),
                Some(
                    json!({"type": "object", "required": ["to"], "properties": {"to": {"type": "string", "enum": crate::domain::work_order::STATUSES}, "version": {"type": "integer"}}}),
                ),
                id.clone(),
                &["401", "403", "404", "409", "412", "422"],
            ),
        ),
        (
            "/api/v1/assets/{id}/history",
            "get",
            op(
                "asset",
                "Service history: work orders and reports",
                "200",
                obj.clone(),
                None,
                id.clone(),
                &["401", "403", "404"],
            ),
        ),
        (
            "/api/v1/attachments/{id}/content",
            "get",
            op(
                "attachment",
                "Download the file",
                "200",
                json!({"type": "string", "format": "binary"}),
                None,
                id.clone(),
                &["401", "403", "404"],
            ),
        ),
        (
            "/api/v1/activity",
            "get",
            op(
                "activity",
                "Change log (?entity=&entity_id=&actor_id=)",
                "200",
                obj.clone(),
                None,
                none.clone(),
                &["401", "403", "422"],
            ),
        ),
        (
            "/health",
            "get",
            op(
                "operations",
                "Process is up",
                "200",
                obj.clone(),
                None,
                none.clone(),
                &[],
            ),
        ),
        (
            "/ready",
            "get",
            op(
                "operations",
                "Database reachable",
                "200",
                obj.clone(),
                None,
                none.clone(),
                &["503"],
            ),
        ),
        (
            "/metrics",
            "get",
            op(
                "operations",
                "Prometheus metrics",
                "200",
                json!({"type": "string"}),
                None,
                none.clone(),
                &[],
            ),
        ),
    ];
    for (path, method, operation) in extra {
        let item = paths.entry(path.to_string()).or_insert_with(|| json!({}));
        item[method] = operation;
    }
    // Uploads: raw body or multipart.
    if let Some(item) = paths.get_mut("/api/v1/attachments") {
        item["post"] = json!({"tags": ["attachment"], "summary": "Upload a file (?work_order_id=|service_report_id=&filename=; raw body or multipart `file`)",
            "requestBody": {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}, "multipart/form-data": {"schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}}}},
            "responses": {"201": {"description": "stored"}, "401": {"description": "error"}, "403": {"description": "error"}, "422": {"description": "error"}}});
    }
    let doc = json!({
        "openapi": "3.1.0",
        "info": {"title": "Fieldpath API", "version": env!("CARGO_PKG_VERSION"),
            "description": "Dispatch and field-service records. Authenticate with POST /api/v1/auth/login and send `Authorization: Bearer <token>`."},
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}, "session": {"type": "apiKey", "in": "cookie", "name": "fieldpath_session"}}},
        "security": [{"bearer": []}, {"session": []}],
    });
    // The unit test below checks the document fits utoipa's model; at run time a bad fit is
    // logged and an empty document served rather than failing requests.
    serde_json::from_value(doc).unwrap_or_else(|e| {
        tracing::error!(error = %e, "OpenAPI document does not fit utoipa's model");
        OpenApi::default()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn document_fits_utoipa() {
        let doc = super::document();
        assert!(
            !doc.paths.paths.is_empty(),
            "document does not fit utoipa's model (see the log)"
        );
        assert!(
            doc.paths.paths.contains_key("/api/v1/work-orders/{id}"),
            "document fell back to empty"
        );
    }
}
