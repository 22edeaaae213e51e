//! Knowledge base, customer portal and satisfaction surveys on the real Postgres: full-text
//! ranking and excerpts, filters, drafts hidden from customers and the public, versions kept on
//! every edit, feedback counted once per voter, deflections, surveys only after resolution and
//! only once, customers limited to their own tickets and public replies, tenant isolation, and
//! 401 / 403 / 404 / 409 / 412 / 422 / 428 answers.
//!
//! One test binary, one file per area: `articles` (search, drafts, versions, feedback), `portal`
//! (surveys, customer scope, suggestions and deflections), `tenants`.

#[path = "../common/mod.rs"]
mod common;

mod articles;
mod portal;
mod tenants;

use axum::http::{Method, StatusCode};
use common::{Org, TestApp};
use serde_json::Value;

async fn article(app: &TestApp, org: &Org, body: Value) -> common::Resp {
    let r = app.post("/api/v1/kb/articles", &org.agent, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r
}

fn titles(r: &common::Resp) -> Vec<String> {
    r.body["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|i| i["title"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

async fn public_get(app: &TestApp, uri: &str) -> common::Resp {
    app.send(Method::GET, uri, None, None, &[]).await
}
