//! The OpenAPI 3.1 document at `/api/v1/openapi.json` against the real router: every
//! documented operation is routed (not the router's JSON 404 "no route" or 405), the
//! important hand-written endpoints are documented, and the document is structurally sound
//! (version, operations with responses, path parameters declared, every `$ref` resolves,
//! errors use the shared schemas, public endpoints opt out of the security requirement).

mod common;

use axum::http::{Method, StatusCode};
use common::TestApp;
use serde_json::Value;
use std::collections::BTreeSet;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// Endpoints that must be documented (method, path template).
const IMPORTANT: &[(&str, &str)] = &[
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/refresh"),
    ("post", "/api/v1/auth/logout"),
    ("get", "/api/v1/me"),
    ("get", "/api/v1/api-tokens"),
    ("post", "/api/v1/api-tokens"),
    ("delete", "/api/v1/api-tokens/{id}"),
    ("get", "/api/v1/users"),
    ("post", "/api/v1/users"),
    ("get", "/api/v1/work-orders"),
    ("post", "/api/v1/work-orders"),
    ("patch", "/api/v1/work-orders/{id}"),
    ("post", "/api/v1/work-orders/{id}/transition"),
    ("get", "/api/v1/assets/{id}/history"),
    ("post", "/api/v1/attachments"),
    ("get", "/api/v1/attachments/{id}/content"),
    ("get", "/api/v1/activity"),
    ("post", "/api/v1/optimize"),
    ("post", "/api/v1/optimize/native"),
    ("post", "/api/v1/optimize/jobs"),
    ("get", "/api/v1/optimize/jobs/{id}"),
    ("delete", "/api/v1/optimize/jobs/{id}"),
    ("post", "/api/v1/schedule/optimize"),
    ("get", "/api/v1/schedule/plans/{id}"),
    ("post", "/api/v1/schedule/plans/{id}/commit"),
    ("delete", "/api/v1/schedule/plans/{id}"),
    ("get", "/route/v1/{profile}/{coordinates}"),
    ("get", "/table/v1/{profile}/{coordinates}"),
    ("get", "/api/v1/tickets"),
    ("post", "/api/v1/tickets"),
    ("get", "/api/v1/tickets/{id}"),
    ("patch", "/api/v1/tickets/{id}"),
    ("get", "/api/v1/tickets/{id}/messages"),
    ("post", "/api/v1/tickets/{id}/messages"),
    ("get", "/api/v1/tickets/{id}/history"),
    ("post", "/api/v1/tickets/{id}/merge"),
    ("post", "/api/v1/tickets/{id}/split"),
    ("post", "/api/v1/tickets/{id}/work-order"),
    ("get", "/api/v1/desk/statuses"),
    ("post", "/api/v1/desk/fields"),
    ("post", "/api/v1/desk/teams"),
    ("post", "/api/v1/sla/calendars"),
    ("post", "/api/v1/sla/policies"),
    ("post", "/api/v1/scenarios"),
    ("get", "/api/v1/scenarios"),
    ("get", "/api/v1/scenarios/{id}"),
    ("delete", "/api/v1/scenarios/{id}"),
    ("get", "/api/v1/scenarios/{id}/report.csv"),
    ("get", "/api/v1/board/day"),
    ("post", "/api/v1/board/preview"),
    ("post", "/api/v1/board/moves"),
    ("post", "/api/v1/board/assignments/{id}/lock"),
    ("post", "/api/v1/board/assignments/{id}/unassign"),
    ("get", "/api/v1/board/my-route"),
    (
        "post",
        "/api/v1/board/my-route/stops/{work_order_id}/status",
    ),
    ("get", "/api/v1/events"),
    ("get", "/health"),
    ("get", "/ready"),
    ("get", "/metrics"),
    ("get", "/api/v1/openapi.json"),
];

/// Endpoints answered without credentials.
const PUBLIC: &[(&str, &str)] = &[
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/refresh"),
    ("get", "/health"),
    ("get", "/ready"),
    ("get", "/metrics"),
    ("get", "/route/v1/{profile}/{coordinates}"),
    ("get", "/table/v1/{profile}/{coordinates}"),
];

async fn document(app: &TestApp) -> Value {
    let res = app
        .send(Method::GET, "/api/v1/openapi.json", None, None, &[])
        .await;
    assert_eq!(res.status, StatusCode::OK);
    res.body
}

fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                out.push((method.to_string(), path.clone(), op.clone()));
            }
        }
    }
    out
}

/// `{name}` segments of a path template.
fn template_params(path: &str) -> BTreeSet<String> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(str::to_string)
        .collect()
}

/// A concrete URL for a path template.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|segment| match segment {
            "{profile}" => "driving".to_string(),
            "{coordinates}" => "7.4166,43.7319;7.4246,43.7396".to_string(),
            s if s.starts_with('{') => uuid::Uuid::new_v4().to_string(),
            s => s.to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => collect_refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// utoipa's model is the document's type: a part that does not fit is left out of the served
/// document (and logged), so compare the served document with the full description.
#[tokio::test]
async fn every_part_fits_utoipas_model() {
    let app = TestApp::new().await;
    let served = document(&app).await;
    let full = fieldpath_api::http::openapi::spec_json();
    let mut dropped = Vec::new();
    for (path, item) in full["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            if served["paths"][path][method].is_null() {
                dropped.push(format!("{method} {path}"));
            }
        }
    }
    for name in full["components"]["schemas"]
        .as_object()
        .expect("schemas")
        .keys()
    {
        if served["components"]["schemas"][name].is_null() {
            dropped.push(format!("schema {name}"));
        }
    }
    assert!(
        dropped.is_empty(),
        "described but left out of the served document (see the error log): {dropped:#?}"
    );
}

#[tokio::test]
async fn every_documented_operation_is_routed() {
    let app = TestApp::new().await;
    let doc = document(&app).await;
    let ops = operations(&doc);
    assert!(ops.len() >= 100, "only {} operations documented", ops.len());
    let mut unrouted = Vec::new();
    for (method, path, _) in &ops {
        let uri = concrete(path);
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
        let body = matches!(method, Method::POST | Method::PUT | Method::PATCH)
            .then(|| serde_json::json!({}));
        // No credentials: a routed endpoint answers 401 (or, when public, its own answer)
        // without side effects; an unknown route gets the router's fallback.
        let res = app.send(method.clone(), &uri, None, body, &[]).await;
        let no_route = res.status == StatusCode::NOT_FOUND
            && res.body["error"]["code"] == "not_found"
            && res.body["error"]["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("no route"));
        if no_route || res.status == StatusCode::METHOD_NOT_ALLOWED {
            unrouted.push(format!("{method} {path} -> {}", res.status));
        }
    }
    assert!(
        unrouted.is_empty(),
        "documented but not routed: {unrouted:#?}"
    );
    // The check can fail: an undocumented path gets the fallback.
    let res = app
        .send(Method::GET, "/api/v1/no-such-thing", None, None, &[])
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(res.body["error"]["code"], "not_found");
}

#[tokio::test]
async fn important_endpoints_are_documented_with_the_right_security() {
    let app = TestApp::new().await;
    let doc = document(&app).await;
    let missing: Vec<_> = IMPORTANT
        .iter()
        .filter(|(method, path)| doc["paths"][path][method].is_null())
        .collect();
    assert!(missing.is_empty(), "not documented: {missing:?}");
    // Bearer tokens and the session cookie, everywhere but the public endpoints.
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["session"]["in"], "cookie");
    assert_eq!(schemes["session"]["name"], "fieldpath_session");
    assert_eq!(
        doc["security"],
        serde_json::json!([{"bearer": []}, {"session": []}])
    );
    for (method, path) in PUBLIC {
        assert_eq!(
            doc["paths"][path][method]["security"],
            serde_json::json!([]),
            "{method} {path} should be public"
        );
    }
    assert!(doc["paths"]["/api/v1/optimize/jobs/{id}"]["get"]["security"].is_null());
    // The optimisation schemas carry the native extensions and the job lifecycle.
    let schemas = &doc["components"]["schemas"];
    let job = &schemas["VroomInput"]["properties"]["jobs"]["items"]["properties"];
    assert!(job["pinned_vehicle"].is_object() && job["optional_cost"].is_object());
    assert!(schemas["VroomInput"]["properties"]["replan"]["properties"]["freeze_time"].is_object());
    let reason =
        &schemas["VroomOutput"]["properties"]["unassigned"]["items"]["properties"]["reason"];
    assert!(reason["properties"]["code"]["enum"].is_array());
    assert_eq!(
        schemas["OptimizeJob"]["properties"]["status"]["enum"],
        serde_json::json!(["queued", "running", "completed", "failed", "cancelled"])
    );
    let submit = &doc["paths"]["/api/v1/optimize/jobs"]["post"]["responses"]["202"];
    assert!(submit["headers"]["Location"].is_object());
}

#[tokio::test]
async fn the_document_is_structurally_valid_openapi_3_1() {
    let app = TestApp::new().await;
    let doc = document(&app).await;
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    let mut problems = Vec::new();
    let mut operation_ids = BTreeSet::new();
    for (method, path, op) in operations(&doc) {
        let here = format!("{method} {path}");
        if !path.starts_with('/') {
            problems.push(format!("{here}: path must start with /"));
        }
        if op["summary"].as_str().is_none_or(str::is_empty) || !op["tags"].is_array() {
            problems.push(format!("{here}: summary and tags"));
        }
        let responses = op["responses"].as_object().expect("responses");
        if !responses.keys().any(|c| c.starts_with('2')) {
            problems.push(format!("{here}: no success response"));
        }
        for (code, response) in responses {
            if !response["description"].is_string() {
                problems.push(format!("{here} {code}: description is required"));
            }
            if code.starts_with('4') || code.starts_with('5') {
                let schema = &response["content"]["application/json"]["schema"]["$ref"];
                let shared = [
                    "#/components/schemas/Error",
                    "#/components/schemas/OsrmError",
                ];
                if !shared.iter().any(|s| schema == s) {
                    problems.push(format!("{here} {code}: error without the Error schema"));
                }
            }
        }
        let declared: BTreeSet<String> = op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .inspect(|p| {
                let located = ["path", "query", "header", "cookie"]
                    .contains(&p["in"].as_str().unwrap_or_default());
                if !p["name"].is_string() || !located || !p["schema"].is_object() {
                    problems.push(format!("{here}: bad parameter {p}"));
                }
                if p["in"] == "path" && p["required"] != true {
                    problems.push(format!(
                        "{here}: path parameter {} must be required",
                        p["name"]
                    ));
                }
            })
            .filter(|p| p["in"] == "path")
            .filter_map(|p| p["name"].as_str().map(str::to_string))
            .collect();
        if declared != template_params(&path) {
            problems.push(format!(
                "{here}: path parameters {declared:?} do not match the template"
            ));
        }
        if let Some(body) = op.get("requestBody") {
            if !body["content"].is_object() {
                problems.push(format!("{here}: requestBody without content"));
            }
        }
        if let Some(id) = op["operationId"].as_str() {
            if !operation_ids.insert(id.to_string()) {
                problems.push(format!("{here}: duplicate operationId {id}"));
            }
        }
    }
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    assert!(refs.len() > 50);
    for r in refs {
        match r.strip_prefix("#/components/schemas/") {
            Some(name) if schemas.contains_key(name) => {}
            _ => problems.push(format!("unresolved $ref {r}")),
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
