//! End-to-end optimisation benchmark: 20 technicians × 200 jobs in Liechtenstein, sent as a
//! VROOM request through the HTTP router in-process (auth, JSON, snapping, matrix, solve).
//!
//! Needs PostgreSQL for the caller's token: `. scripts/pg.sh && fieldpath_pg_start`, then
//! `cargo run --release -p fieldpath-api --example optimize_bench -- [seconds]`.

use axum::body::Body;
use axum::http::Request;
use fieldpath_api::{auth::token, config::Config, db, state::AppState};
use rand::{Rng, SeedableRng};
use routing_graph::{Coord, ImportOptions, RoadGraph};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Instant;
use tower::ServiceExt;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let seconds: f64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10.0);
    let url = std::env::var("DATABASE_URL")
        .map_err(|_| anyhow::anyhow!("set DATABASE_URL (scripts/pg.sh)"))?;
    let t = Instant::now();
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../data/osm/liechtenstein-latest.osm.pbf"
    );
    let (graph, summary) = RoadGraph::from_pbf(path, &ImportOptions::default())?;
    println!(
        "import: {:.1} s ({} nodes)",
        t.elapsed().as_secs_f64(),
        summary.nodes
    );
    let graph = Arc::new(graph);

    // 200 job sites near roads, 20 technicians from Vaduz and Schaan.
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let mut sites = Vec::new();
    while sites.len() < 200 {
        let c = Coord::new(rng.random_range(9.47..9.62), rng.random_range(47.05..47.26));
        if let Ok(s) = graph.snap(c) {
            if s.distance_m < 200.0 {
                sites.push(c);
            }
        }
    }
    let jobs: Vec<Value> = sites
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut j = json!({"id": i, "location": [c.lon, c.lat], "service": 900});
            if i % 2 == 0 {
                let start = 28_800 + 3_600 * (i as i64 % 7);
                j["time_windows"] = json!([[start, start + 7_200]]);
            }
            j
        })
        .collect();
    let depots = [[9.5209, 47.1410], [9.5106, 47.1660]];
    let vehicles: Vec<Value> = (0..20)
        .map(|v| json!({"id": v, "start": depots[v % 2], "end": depots[v % 2], "time_window": [28_800, 61_200]}))
        .collect();
    let body = json!({"vehicles": vehicles, "jobs": jobs, "options": {"seconds": seconds}});

    // Matrix alone, for reference.
    let t = Instant::now();
    let mut points: Vec<Coord> = sites.clone();
    points.extend(depots.iter().map(|d| Coord::new(d[0], d[1])));
    let snapped: Vec<_> = points
        .iter()
        .map(|c| graph.snap(*c))
        .collect::<Result<_, _>>()?;
    graph.matrix_snapped(&snapped, &snapped)?;
    println!(
        "matrix {0}×{0}: {1:.1} ms",
        points.len(),
        t.elapsed().as_secs_f64() * 1e3
    );

    // A caller with a token, and the router.
    let mut config = Config::new(url);
    config.data_dir = std::env::temp_dir().join("fieldpath-bench");
    let pool = db::pool(&config)?;
    db::migrate(&pool).await?;
    let slug = format!("bench-{}", uuid::Uuid::new_v4().simple());
    let org = fieldpath_api::provision::organisation(&pool, &slug, &slug).await?;
    let hash = fieldpath_api::auth::password::hash("password")?;
    let (user,): (uuid::Uuid,) = sqlx::query_as(
        "INSERT INTO users (org_id, email, name, role, password_hash) VALUES ($1, $2, $2, 'dispatcher', $3) RETURNING id",
    )
    .bind(org)
    .bind(format!("d@{slug}.test"))
    .bind(hash)
    .fetch_one(&pool)
    .await?;
    let secret = token::generate("at");
    let mut conn = pool.acquire().await?;
    db::auth::insert_token(
        &mut conn,
        &db::auth::NewToken {
            org_id: org,
            user_id: user,
            kind: "access",
            family_id: uuid::Uuid::new_v4(),
            hash: &token::hash(&secret),
            name: None,
            expires_at: Some(chrono::Utc::now() + chrono::Duration::hours(1)),
        },
    )
    .await?;
    drop(conn);
    let state = AppState::with_parts(config, pool, Some(graph))?;
    let router = fieldpath_api::http::router(state);

    let t = Instant::now();
    let req = Request::post("/api/v1/optimize")
        .header("authorization", format!("Bearer {secret}"))
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))?;
    let res = router.oneshot(req).await?;
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX).await?;
    let wall = t.elapsed().as_secs_f64();
    let out: Value = serde_json::from_slice(&bytes)?;
    anyhow::ensure!(status.is_success(), "{status}: {out}");
    let s = &out["summary"];
    println!(
        "POST /api/v1/optimize: {wall:.2} s wall (budget {seconds} s); loading {} ms, solving {} ms; \
         routes {}, unassigned {}, cost {}, travel {} s, distance {} m, estimator {}",
        s["computing_times"]["loading"], s["computing_times"]["solving"], s["routes"], s["unassigned"],
        s["cost"], s["duration"], s["distance"], out["estimator"]
    );
    Ok(())
}
