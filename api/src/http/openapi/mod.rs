//! The OpenAPI 3.1 description served at `/api/v1/openapi.json`, typed as utoipa's model.
//!
//! The document is assembled here from one file per area of the API; each area file has a
//! `pub fn describe(doc: &mut Doc)` that adds its operations and component schemas with the
//! shared helpers below ([`op`], [`id_param`], [`query_param`], ...). To describe a new area,
//! add a file and one line in [`document`]. Records are generated from the resource catalogue
//! (so they cannot drift from the generic handlers); everything else is written by hand, and
//! `api/tests/openapi.rs` checks every documented route exists in the real router and every
//! `$ref` resolves.

pub mod board;
pub mod dashboard;
pub mod desk;
pub mod desk_assist;
pub mod desk_automation;
pub mod desk_email;
pub mod desk_kb;
pub mod desk_views;
pub mod ops;
pub mod optimize;
pub mod osrm;
pub mod planning;
pub mod records;
pub mod schedule;
pub mod session;

use serde_json::{json, Map, Value};
use utoipa::openapi::OpenApi;

/// The paths and component schemas being assembled.
#[derive(Default)]
pub struct Doc {
    paths: Map<String, Value>,
    schemas: Map<String, Value>,
}

impl Doc {
    /// Add one operation (`method` lower-case) on `path`, keeping the path's other methods.
    pub fn add(&mut self, path: &str, method: &str, operation: Value) {
        let item = self
            .paths
            .entry(path.to_string())
            .or_insert_with(|| json!({}));
        item[method] = operation;
    }

    /// Merge whole path items (`{"/path": {"get": ..., "post": ...}}`) method by method.
    pub fn merge_paths(&mut self, paths: Map<String, Value>) {
        for (path, item) in paths {
            if let Value::Object(methods) = item {
                for (method, operation) in methods {
                    self.add(&path, &method, operation);
                }
            }
        }
    }

    /// Add a component schema, referenced as `#/components/schemas/<name>` (see [`schema_ref`]).
    pub fn schema(&mut self, name: &str, schema: Value) {
        self.schemas.insert(name.to_string(), schema);
    }

    /// The operation already documented for `method` on `path`, to adjust it in place.
    pub fn operation_mut(&mut self, path: &str, method: &str) -> Option<&mut Value> {
        self.paths
            .get_mut(path)
            .and_then(|item| item.get_mut(method))
    }
}

/// `{"$ref": "#/components/schemas/<name>"}`.
pub fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// What each error status means across the API (the body is always the `Error` schema).
fn error_description(code: &str) -> &'static str {
    match code {
        "400" => "malformed request (bad JSON, header or query)",
        "401" => "no valid token or session",
        "403" => "the caller's role may not do this",
        "404" => "not found in the caller's organisation",
        "405" => "method not allowed",
        "409" => "conflict with the current state",
        "412" => "version (If-Match) does not match: someone changed it first",
        "413" => "body too large",
        "415" => "unsupported media type",
        "422" => "invalid input; `error.field` names the field",
        "428" => "If-Match (or a body `version`) is required",
        "429" => "too many attempts; retry later",
        "503" => "dependency unavailable (database)",
        _ => "error",
    }
}

/// Error responses for the given status codes, each with the `Error` schema.
pub fn error_responses(codes: &[&str]) -> Map<String, Value> {
    codes
        .iter()
        .map(|c| {
            (
                c.to_string(),
                json!({"description": error_description(c),
                    "content": {"application/json": {"schema": schema_ref("Error")}}}),
            )
        })
        .collect()
}

/// One JSON operation: `ok` is the success status with `ok_schema` as its JSON body, `body`
/// the optional JSON request body, `params` an array of parameter objects, `errors` the
/// possible error statuses.
pub fn op(
    tag: &str,
    summary: &str,
    ok: &str,
    ok_schema: Value,
    body: Option<Value>,
    params: Value,
    errors: &[&str],
) -> Value {
    let mut responses = error_responses(errors);
    let success = if ok == "204" {
        json!({"description": "done, no content"})
    } else {
        json!({"description": "success", "content": {"application/json": {"schema": ok_schema}}})
    };
    responses.insert(ok.into(), success);
    let mut o =
        json!({"tags": [tag], "summary": summary, "parameters": params, "responses": responses});
    if let Some(schema) = body {
        o["requestBody"] =
            json!({"required": true, "content": {"application/json": {"schema": schema}}});
    }
    o
}

/// A required path parameter.
pub fn path_param(name: &str, schema: Value, description: &str) -> Value {
    json!({"name": name, "in": "path", "required": true, "schema": schema, "description": description})
}

/// The `{id}` path parameter (a UUID).
pub fn id_param() -> Value {
    path_param("id", uuid(), "identifier")
}

/// An optional query parameter.
pub fn query_param(name: &str, schema: Value, description: &str) -> Value {
    json!({"name": name, "in": "query", "required": false, "schema": schema, "description": description})
}

/// `page`/`limit` query parameters of paged lists.
pub fn paging_params() -> Vec<Value> {
    vec![
        query_param(
            "page",
            json!({"type": "integer", "minimum": 1}),
            "1-based page",
        ),
        query_param(
            "limit",
            json!({"type": "integer", "minimum": 1, "maximum": 200}),
            "page size",
        ),
    ]
}

/// `{"type": "string", "format": "uuid"}`.
pub fn uuid() -> Value {
    json!({"type": "string", "format": "uuid"})
}

/// `{"type": "string", "format": "date-time"}`.
pub fn timestamp() -> Value {
    json!({"type": "string", "format": "date-time"})
}

/// An object schema with the given properties, of which `required` must be present.
pub fn object(required: &[&str], properties: Value) -> Value {
    json!({"type": "object", "required": required, "properties": properties})
}

/// An array of `items`.
pub fn array(items: Value) -> Value {
    json!({"type": "array", "items": items})
}

/// Mark an operation as needing no authentication (overrides the document-wide security).
pub fn public(mut operation: Value) -> Value {
    operation["security"] = json!([]);
    operation
}

/// The OpenAPI document as JSON, before it is typed as utoipa's model (see [`document`]).
pub fn spec_json() -> Value {
    let mut doc = Doc::default();
    doc.schema(
        "Error",
        json!({"type": "object", "required": ["error"], "properties": {"error": {"type": "object",
            "required": ["code", "message"], "properties": {
            "code": {"type": "string", "description": "machine-readable, e.g. `not_found`, `invalid`, `version_mismatch`"},
            "message": {"type": "string"},
            "field": {"type": ["string", "null"], "description": "the offending input field, when there is one"}}}}}),
    );
    records::describe(&mut doc);
    session::describe(&mut doc);
    ops::describe(&mut doc);
    planning::describe(&mut doc);
    dashboard::describe(&mut doc);
    optimize::describe(&mut doc);
    desk_assist::describe(&mut doc);
    osrm::describe(&mut doc);
    schedule::describe(&mut doc);
    board::describe(&mut doc);
    desk::describe(&mut doc);
    desk_kb::describe(&mut doc);
    desk_email::describe(&mut doc);
    desk_views::describe(&mut doc);
    desk_automation::describe(&mut doc);
    let mut spec = json!({
        "openapi": "3.1.0",
        "info": {"title": "Fieldpath API", "version": env!("CARGO_PKG_VERSION"),
            "description": "Dispatch, route optimisation and help desk. Authenticate with POST /api/v1/auth/login and send `Authorization: Bearer <token>` (or use the session cookie it sets, or an API token)."},
        "paths": doc.paths,
        "components": {"schemas": doc.schemas, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "description": "access token from login/refresh, or an API token"},
            "session": {"type": "apiKey", "in": "cookie", "name": "fieldpath_session"}}},
        "security": [{"bearer": []}, {"session": []}],
    });
    add_enum_types(&mut spec);
    spec
}

/// JSON type name of a scalar (None for arrays and objects).
fn scalar_type(v: &Value) -> Option<&'static str> {
    match v {
        Value::String(_) => Some("string"),
        Value::Bool(_) => Some("boolean"),
        Value::Null => Some("null"),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some("integer"),
        Value::Number(_) => Some("number"),
        _ => None,
    }
}

/// utoipa's model needs a `type` next to `enum`/`const`; adds the type the values imply to
/// every schema that lacks one (validation is unchanged: the values already fix the type).
fn add_enum_types(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if !map.contains_key("type") && !map.contains_key("$ref") {
                let values: Option<Vec<&Value>> = match (map.get("enum"), map.get("const")) {
                    (Some(Value::Array(items)), None) => Some(items.iter().collect()),
                    (None, Some(c)) => Some(vec![c]),
                    _ => None,
                };
                let types: Option<Vec<&str>> =
                    values.and_then(|vs| vs.into_iter().map(scalar_type).collect());
                if let Some(mut types) = types.filter(|t| !t.is_empty()) {
                    types.sort_unstable();
                    types.dedup();
                    map.insert(
                        "type".into(),
                        match types.as_slice() {
                            [one] => json!(one),
                            many => json!(many),
                        },
                    );
                }
            }
            map.values_mut().for_each(add_enum_types);
        }
        Value::Array(items) => items.iter_mut().for_each(add_enum_types),
        _ => {}
    }
}

/// Whether `paths` and `schemas` fit utoipa's model (the error when not).
fn misfit(paths: Value, schemas: Value) -> Option<serde_json::Error> {
    let doc = json!({"openapi": "3.1.0", "info": {"title": "", "version": ""},
        "paths": paths, "components": {"schemas": schemas}});
    serde_json::from_value::<OpenApi>(doc).err()
}

/// Drops (and logs) each operation and schema that does not fit utoipa's model, so that one
/// bad description does not blank the whole document.
fn without_misfits(spec: &mut Value) {
    if let Some(paths) = spec["paths"].as_object_mut() {
        for (path, item) in paths.iter_mut() {
            if let Some(methods) = item.as_object_mut() {
                methods.retain(|method, op| {
                    let error = misfit(json!({path.as_str(): {method.as_str(): op}}), json!({}));
                    if let Some(e) = &error {
                        tracing::error!(%path, %method, error = %e, "OpenAPI operation dropped");
                    }
                    error.is_none()
                });
            }
        }
    }
    if let Some(schemas) = spec["components"]["schemas"].as_object_mut() {
        schemas.retain(|name, schema| {
            let error = misfit(json!({}), json!({name.as_str(): schema}));
            if let Some(e) = &error {
                tracing::error!(%name, error = %e, "OpenAPI schema dropped");
            }
            error.is_none()
        });
    }
}

/// The OpenAPI document. `api/tests/openapi.rs` checks every part fits utoipa's model; at
/// run time a misfit is logged and left out rather than failing requests.
pub fn document() -> OpenApi {
    let mut spec = spec_json();
    if misfit(spec["paths"].clone(), spec["components"]["schemas"].clone()).is_some() {
        without_misfits(&mut spec);
    }
    serde_json::from_value(spec).unwrap_or_else(|e| {
        tracing::error!(error = %e, "OpenAPI document does not fit utoipa's model");
        OpenApi::default()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn document_fits_utoipa() {
        let typed: Result<utoipa::openapi::OpenApi, _> = serde_json::from_value(super::spec_json());
        assert!(typed.is_ok(), "{:?}", typed.err());
    }
}
