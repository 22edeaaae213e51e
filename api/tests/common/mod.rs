//! Test harness: the real router on a real PostgreSQL (DATABASE_URL from scripts/test.sh),
//! one fresh organisation per test so tests run in parallel.
#![allow(dead_code)]

pub mod desk;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::Router;
use fieldpath_api::auth::token;
use fieldpath_api::config::Config;
use fieldpath_api::db;
use fieldpath_api::domain::roles::Role;
use fieldpath_api::state::AppState;
use serde_json::{json, Value};
use sqlx::PgPool;
use tower::ServiceExt;
use uuid::Uuid;

/// The database URL, or a failing test with instructions.
pub fn database_url() -> String {
    match std::env::var("DATABASE_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "DATABASE_URL is not set: these tests need PostgreSQL. Run ./scripts/test.sh, or \
             `. scripts/pg.sh && fieldpath_pg_start` first (it starts a private cluster)."
        ),
    }
}

/// An app under test.
pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    pub pool: PgPool,
    _data: tempfile::TempDir,
}

/// A response: status, headers, JSON body (Null when empty or not JSON).
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub bytes: Vec<u8>,
}

impl Resp {
    /// The error code of an error answer.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or_default()
    }
    /// The error field of an error answer.
    pub fn field(&self) -> &str {
        self.body["error"]["field"].as_str().unwrap_or_default()
    }
    /// `id` of the answered record.
    pub fn id(&self) -> String {
        self.body["id"].as_str().unwrap_or_default().to_string()
    }
    /// The ETag header.
    pub fn etag(&self) -> String {
        self.headers
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    }
}

/// An organisation with one token per role.
pub struct Org {
    pub id: Uuid,
    pub slug: String,
    pub admin: String,
    pub dispatcher: String,
    pub agent: String,
    pub technician: String,
    pub customer: String,
    pub customer_id: Uuid,
    pub technician_user: Uuid,
}

impl Org {
    /// Token of a role.
    pub fn token(&self, role: Role) -> &str {
        match role {
            Role::Admin => &self.admin,
            Role::Dispatcher => &self.dispatcher,
            Role::Agent => &self.agent,
            Role::Technician => &self.technician,
            Role::Customer => &self.customer,
        }
    }
}

impl TestApp {
    /// A new app on the test database with default settings.
    pub async fn new() -> Self {
        Self::with_config(|_| {}).await
    }

    /// A new app with a loaded road graph.
    pub async fn with_graph(graph: std::sync::Arc<routing_graph::RoadGraph>) -> Self {
        Self::build(|_| {}, Some(graph)).await
    }

    /// A new app with adjusted settings.
    pub async fn with_config(adjust: impl FnOnce(&mut Config)) -> Self {
        Self::build(adjust, None).await
    }

    async fn build(
        adjust: impl FnOnce(&mut Config),
        graph: Option<std::sync::Arc<routing_graph::RoadGraph>>,
    ) -> Self {
        let data = tempfile::tempdir().expect("tempdir");
        let mut config = Config::new(database_url());
        config.data_dir = data.path().to_path_buf();
        config.max_connections = 8;
        adjust(&mut config);
        let pool = db::pool(&config).expect("pool");
        db::migrate(&pool).await.expect("migrations");
        let state = AppState::with_parts(config, pool.clone(), graph).expect("state");
        let router = fieldpath_api::http::router(state.clone());
        TestApp {
            router,
            state,
            pool,
            _data: data,
        }
    }

    /// Sends a request.
    pub async fn send(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = match body {
            Some(b) => req
                .header("content-type", "application/json")
                .body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        }
        .expect("request");
        self.raw(req).await
    }

    /// Sends a prepared request.
    pub async fn raw(&self, req: Request<Body>) -> Resp {
        let res = self.router.clone().oneshot(req).await.expect("router");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), 64 * 1024 * 1024)
            .await
            .expect("body")
            .to_vec();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            body,
            bytes,
        }
    }

    pub async fn get(&self, uri: &str, token: &str) -> Resp {
        self.send(Method::GET, uri, Some(token), None, &[]).await
    }
    pub async fn post(&self, uri: &str, token: &str, body: Value) -> Resp {
        self.send(Method::POST, uri, Some(token), Some(body), &[])
            .await
    }
    pub async fn patch(&self, uri: &str, token: &str, version: &str, body: Value) -> Resp {
        self.send(
            Method::PATCH,
            uri,
            Some(token),
            Some(body),
            &[("if-match", version)],
        )
        .await
    }
    pub async fn delete(&self, uri: &str, token: &str, version: &str) -> Resp {
        self.send(
            Method::DELETE,
            uri,
            Some(token),
            None,
            &[("if-match", version)],
        )
        .await
    }

    /// A new organisation with a user and a minted access token per role.
    pub async fn org(&self) -> Org {
        let slug = format!("t-{}", Uuid::new_v4().simple());
        let id = fieldpath_api::provision::organisation(&self.pool, &slug, &slug)
            .await
            .expect("org");
        let (customer_id,): (Uuid,) = sqlx::query_as(
            "INSERT INTO customers (org_id, name) VALUES ($1, 'Own customer') RETURNING id",
        )
        .bind(id)
        .fetch_one(&self.pool)
        .await
        .expect("customer");
        let mut tokens = Vec::new();
        let mut technician_user = Uuid::nil();
        for role in Role::ALL {
            let email = format!("{}@{slug}.test", role.as_str());
            let customer = (role == Role::Customer).then_some(customer_id);
            let user = self.user(id, &email, role, customer).await;
            if role == Role::Technician {
                technician_user = user;
            }
            tokens.push(self.mint(id, user).await);
        }
        let mut t = tokens.into_iter();
        let mut next = || t.next().expect("token");
        Org {
            id,
            slug,
            admin: next(),
            dispatcher: next(),
            agent: next(),
            technician: next(),
            customer: next(),
            customer_id,
            technician_user,
        }
    }

    /// The id of the organisation's user with `role` (as [`Self::org`] makes one per role).
    pub async fn user_of(&self, org: &Org, role: &str) -> Uuid {
        let (id,): (Uuid,) =
            sqlx::query_as("SELECT id FROM users WHERE org_id = $1 AND email = $2")
                .bind(org.id)
                .bind(format!("{role}@{}.test", org.slug))
                .fetch_one(&self.pool)
                .await
                .expect("user");
        id
    }

    /// A user with a fixed cheap-to-store password hash (`password` for all).
    pub async fn user(&self, org: Uuid, email: &str, role: Role, customer: Option<Uuid>) -> Uuid {
        static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let hash =
            HASH.get_or_init(|| fieldpath_api::auth::password::hash("password").expect("hash"));
        let (id,): (Uuid,) = sqlx::query_as(
            "INSERT INTO users (org_id, email, name, role, customer_id, password_hash) VALUES ($1, $2, $2, $3, $4, $5) RETURNING id",
        )
        .bind(org)
        .bind(email)
        .bind(role.as_str())
        .bind(customer)
        .bind(hash)
        .fetch_one(&self.pool)
        .await
        .expect("user");
        id
    }

    /// An access token for a user, stored hashed like a real one.
    pub async fn mint(&self, org: Uuid, user: Uuid) -> String {
        let secret = token::generate("at");
        let mut conn = self.pool.acquire().await.expect("conn");
        let t = db::auth::NewToken {
            org_id: org,
            user_id: user,
            kind: "access",
            family_id: Uuid::new_v4(),
            hash: &token::hash(&secret),
            name: None,
            expires_at: Some(chrono::Utc::now() + chrono::Duration::hours(1)),
        };
        db::auth::insert_token(&mut conn, &t).await.expect("token");
        secret
    }

    /// A site, technician, asset and work order of the organisation (ids by name).
    pub async fn records(&self, org: &Org) -> Records {
        let t = &org.dispatcher;
        let customer = self
            .post("/api/v1/customers", t, json!({"name": "ACME"}))
            .await;
        assert_eq!(customer.status, StatusCode::CREATED, "{}", customer.body);
        let site = self
            .post(
                "/api/v1/sites",
                t,
                json!({"name": "HQ", "lat": 43.74, "lon": 7.42, "customer_id": customer.id()}),
            )
            .await;
        assert_eq!(site.status, StatusCode::CREATED, "{}", site.body);
        let asset = self
            .post(
                "/api/v1/assets",
                t,
                json!({"site_id": site.id(), "model": "Otis Gen2"}),
            )
            .await;
        assert_eq!(asset.status, StatusCode::CREATED, "{}", asset.body);
        let tech = self
            .post("/api/v1/technicians", t, json!({"name": "Ana", "home_lat": 43.73, "home_lon": 7.41, "skills": [{"skill": "hvac", "level": 2}]}))
            .await;
        assert_eq!(tech.status, StatusCode::CREATED, "{}", tech.body);
        let wo = self
            .post(
                "/api/v1/work-orders",
                t,
                json!({"title": "Fix lift", "site_id": site.id(), "asset_id": asset.id(), "customer_id": customer.id(), "priority": "high"}),
            )
            .await;
        assert_eq!(wo.status, StatusCode::CREATED, "{}", wo.body);
        let assignment = self
            .post(
                "/api/v1/assignments",
                t,
                json!({"work_order_id": wo.id(), "technician_id": tech.id(), "planned_start": "2030-01-01T08:00:00Z", "planned_end": "2030-01-01T09:00:00Z"}),
            )
            .await;
        assert_eq!(
            assignment.status,
            StatusCode::CREATED,
            "{}",
            assignment.body
        );
        let report = self
            .post(
                "/api/v1/service-reports",
                t,
                json!({"work_order_id": wo.id(), "work_done": "Replaced cable"}),
            )
            .await;
        assert_eq!(report.status, StatusCode::CREATED, "{}", report.body);
        let attachment = self
            .send(
                Method::POST,
                &format!(
                    "/api/v1/attachments?work_order_id={}&filename=photo.png",
                    wo.id()
                ),
                Some(t),
                None,
                &[],
            )
            .await;
        assert_eq!(
            attachment.status,
            StatusCode::CREATED,
            "{}",
            attachment.body
        );
        Records {
            customer: customer.id(),
            site: site.id(),
            asset: asset.id(),
            technician: tech.id(),
            work_order: wo.id(),
            assignment: assignment.id(),
            service_report: report.id(),
            attachment: attachment.id(),
        }
    }
}

/// Ids of one record of each kind.
pub struct Records {
    pub customer: String,
    pub site: String,
    pub asset: String,
    pub technician: String,
    pub work_order: String,
    pub assignment: String,
    pub service_report: String,
    pub attachment: String,
}

impl Records {
    /// (collection path, id) of every kind.
    pub fn all(&self) -> Vec<(&'static str, &str)> {
        vec![
            ("customers", &self.customer),
            ("sites", &self.site),
            ("assets", &self.asset),
            ("technicians", &self.technician),
            ("work-orders", &self.work_order),
            ("assignments", &self.assignment),
            ("service-reports", &self.service_report),
            ("attachments", &self.attachment),
        ]
    }
}
