//! Sites are snapped to the loaded road graph on save (Monaco extract from data/osm).

mod common;

use axum::http::StatusCode;
use common::TestApp;
use routing_graph::{ImportOptions, RoadGraph};
use serde_json::json;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sites_snap_to_roads_or_are_refused() {
    let pbf = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/osm/monaco.osm.pbf");
    let (graph, _) = RoadGraph::from_pbf(pbf, &ImportOptions::default()).expect("import Monaco");
    let app = TestApp::with_graph(Arc::new(graph)).await;
    let org = app.org().await;

    // Near the Casino: snapped a few metres onto a road.
    let site = app
        .post(
            "/api/v1/sites",
            &org.agent,
            json!({"name": "Casino", "lat": 43.7396, "lon": 7.4277}),
        )
        .await;
    assert_eq!(site.status, StatusCode::CREATED, "{}", site.body);
    let distance = site.body["snap_distance_m"].as_f64().expect("snapped");
    assert!(distance < 200.0, "snap distance {distance}");
    assert!(site.body["snapped_lat"].is_number() && site.body["snapped_lon"].is_number());

    // Moving it re-snaps; the middle of the Atlantic is refused with field "location".
    let moved = app
        .patch(
            &format!("/api/v1/sites/{}", site.id()),
            &org.agent,
            &site.etag(),
            json!({"lat": 43.7310}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    assert_ne!(moved.body["snapped_lat"], site.body["snapped_lat"]);
    let sea = app
        .post(
            "/api/v1/sites",
            &org.agent,
            json!({"name": "Sea", "lat": 30.0, "lon": -40.0}),
        )
        .await;
    assert_eq!(
        (sea.status, sea.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "location"),
        "{}",
        sea.body
    );
}
