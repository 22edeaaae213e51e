//! Operations: `/health`, `/ready`, `/metrics`, and this document with its docs page.

use super::{object, op, public, Doc};
use serde_json::json;

/// Add the operations area (all public: no token needed).
pub fn describe(doc: &mut Doc) {
    let none = json!([]);
    doc.add(
        "/health",
        "get",
        public(op(
            "operations",
            "The process is up",
            "200",
            object(
                &["status"],
                json!({"status": {"type": "string", "enum": ["ok"]}, "version": {"type": "string"}, "graph_loaded": {"type": "boolean"}}),
            ),
            None,
            none.clone(),
            &[],
        )),
    );
    doc.add(
        "/ready",
        "get",
        public(op(
            "operations",
            "The database answers (within 3 s)",
            "200",
            object(
                &["status"],
                json!({"status": {"type": "string", "enum": ["ready"]}, "database": {"type": "string"}}),
            ),
            None,
            none.clone(),
            &["503"],
        )),
    );
    let mut metrics = public(op(
        "operations",
        "Prometheus metrics: request latency histogram, solver runs",
        "200",
        json!({}),
        None,
        none.clone(),
        &[],
    ));
    metrics["responses"]["200"] = json!({"description": "Prometheus text exposition 0.0.4",
        "content": {"text/plain": {"schema": {"type": "string"}}}});
    doc.add("/metrics", "get", metrics);
    doc.add(
        "/api/v1/openapi.json",
        "get",
        public(op(
            "operations",
            "This OpenAPI 3.1 document",
            "200",
            json!({"type": "object"}),
            None,
            none.clone(),
            &[],
        )),
    );
    let mut page = public(op(
        "operations",
        "Human-readable API docs page",
        "200",
        json!({}),
        None,
        none,
        &[],
    ));
    page["responses"]["200"] = json!({"description": "HTML page", "content": {"text/html": {"schema": {"type": "string"}}}});
    doc.add("/api/v1/docs", "get", page);
}
