//! Harness for the board tests: the real router on the real PostgreSQL (DATABASE_URL), one
//! fresh organisation per test with a dispatcher, a technician login linked to a technician,
//! and records inserted directly.
#![allow(dead_code)]

use crate::common::TestApp;
use axum::body::Body;
use axum::http::{Method, Request};
use axum::Router;
use fieldpath_api::auth::token;
use fieldpath_api::db::{self, auth::NewToken};
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

pub use crate::common::Resp;

/// The app under test: the shared harness of `tests/common` plus board fixtures.
pub struct App {
    pub router: Router,
    pub pool: PgPool,
    inner: TestApp,
}

/// One organisation's fixtures.
pub struct Fixture {
    pub org: Uuid,
    pub dispatcher: String,
    pub technician: String,
    pub agent: String,
    /// Linked to the technician login; hvac 3, plumbing 2; works 08:00–12:00 and 13:00–17:00.
    pub tech: Uuid,
    /// Electrical only; works 08:00–17:00.
    pub other_tech: Uuid,
    pub site: Uuid,
}

impl App {
    /// Builds the app (no road graph: travel is the straight-line estimate).
    pub async fn new() -> Self {
        let inner = TestApp::new().await;
        App {
            router: inner.router.clone(),
            pool: inner.pool.clone(),
            inner,
        }
    }

    /// Sends a request with a bearer token and optional JSON body.
    pub async fn call(&self, method: Method, uri: &str, token: &str, body: Option<Value>) -> Resp {
        self.inner.send(method, uri, Some(token), body, &[]).await
    }

    pub async fn get(&self, uri: &str, token: &str) -> Resp {
        self.call(Method::GET, uri, token, None).await
    }

    pub async fn post(&self, uri: &str, token: &str, body: Value) -> Resp {
        self.call(Method::POST, uri, token, Some(body)).await
    }

    async fn login(&self, org: Uuid, role: &str) -> (Uuid, String) {
        let (user,): (Uuid,) = sqlx::query_as(
            "INSERT INTO users (org_id, email, name, role, password_hash) \
             VALUES ($1, $2, $3, $4, 'x') RETURNING id",
        )
        .bind(org)
        .bind(format!("{role}-{}@board.test", Uuid::new_v4().simple()))
        .bind(format!("Test {role}"))
        .bind(role)
        .fetch_one(&self.pool)
        .await
        .expect("user");
        let secret = token::generate("at");
        let hash = token::hash(&secret);
        let mut conn = self.pool.acquire().await.expect("conn");
        db::auth::insert_token(
            &mut conn,
            &NewToken {
                org_id: org,
                user_id: user,
                kind: "access",
                family_id: Uuid::new_v4(),
                hash: &hash,
                name: None,
                expires_at: None,
            },
        )
        .await
        .expect("token");
        (user, secret)
    }

    async fn technician(
        &self,
        org: Uuid,
        name: &str,
        skills: Value,
        hours: Value,
        user: Option<Uuid>,
    ) -> Uuid {
        let (id,): (Uuid,) = sqlx::query_as(
            "INSERT INTO technicians (org_id, user_id, name, skills, working_hours, home_lat, home_lon) \
             VALUES ($1, $2, $3, $4, $5, 43.7384, 7.4246) RETURNING id",
        )
        .bind(org)
        .bind(user)
        .bind(name)
        .bind(skills)
        .bind(hours)
        .fetch_one(&self.pool)
        .await
        .expect("technician");
        id
    }

    /// A fresh organisation with fixtures.
    pub async fn fixture(&self) -> Fixture {
        let slug = format!("board-{}", Uuid::new_v4().simple());
        let org = fieldpath_api::provision::organisation(&self.pool, &slug, &slug)
            .await
            .expect("org");
        let (_, dispatcher) = self.login(org, "dispatcher").await;
        let (_, agent) = self.login(org, "agent").await;
        let (tech_user, technician) = self.login(org, "technician").await;
        let all_days = |spans: Value| json!({"mon": spans, "tue": spans, "wed": spans, "thu": spans, "fri": spans, "sat": spans, "sun": spans});
        let tech = self
            .technician(
                org,
                "Ada Tech",
                json!([{"skill": "hvac", "level": 3}, {"skill": "plumbing", "level": 2}]),
                all_days(
                    json!([{"start": "08:00", "end": "12:00"}, {"start": "13:00", "end": "17:00"}]),
                ),
                Some(tech_user),
            )
            .await;
        let other_tech = self
            .technician(
                org,
                "Bo Sparks",
                json!([{"skill": "electrical", "level": 5}]),
                all_days(json!([{"start": "08:00", "end": "17:00"}])),
                None,
            )
            .await;
        let (site,): (Uuid,) = sqlx::query_as(
            "INSERT INTO sites (org_id, name, lat, lon) VALUES ($1, 'Quai', 43.7350, 7.4210) RETURNING id",
        )
        .bind(org)
        .fetch_one(&self.pool)
        .await
        .expect("site");
        Fixture {
            org,
            dispatcher,
            technician,
            agent,
            tech,
            other_tech,
            site,
        }
    }

    /// A scheduled work order at the fixture's site on `date` with a window `from`–`to` (hours).
    pub async fn work_order(
        &self,
        f: &Fixture,
        date: &str,
        from: u32,
        to: u32,
        skill: &str,
    ) -> Uuid {
        let (seq,): (i64,) = sqlx::query_as("SELECT next_work_order_seq($1)")
            .bind(f.org)
            .fetch_one(&self.pool)
            .await
            .expect("seq");
        let (id,): (Uuid,) = sqlx::query_as(
            "INSERT INTO work_orders (org_id, seq, number, title, status, site_id, window_start, \
             window_end, estimated_duration_min, required_skills) \
             VALUES ($1, $2, $3, 'Fix it', 'scheduled', $4, $5::timestamptz, $6::timestamptz, 60, $7) RETURNING id",
        )
        .bind(f.org)
        .bind(seq)
        .bind(format!("WO-{seq:06}"))
        .bind(f.site)
        .bind(format!("{date}T{from:02}:00:00Z"))
        .bind(format!("{date}T{to:02}:00:00Z"))
        .bind(json!([{"skill": skill, "level": 1}]))
        .fetch_one(&self.pool)
        .await
        .expect("work order");
        id
    }
}

/// A request with a bearer token.
pub fn request(method: Method, uri: &str, token: &str, body: Option<Value>) -> Request<Body> {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", format!("Bearer {token}"));
    match body {
        Some(b) => req
            .header("content-type", "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .expect("request")
}

/// The codes of a preview's violations.
pub fn codes(verdict: &Value) -> Vec<String> {
    verdict["violations"]
        .as_array()
        .map(|v| {
            v.iter()
                .filter_map(|x| x["code"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}
