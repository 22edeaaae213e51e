//! OSRM-compatible `route` and `table`: same answers as the road graph, OSRM's shapes and errors.

mod common;
#[path = "fixtures/graph.rs"]
mod graph;

use axum::http::{Method, StatusCode};
use common::TestApp;
use routing_graph::Coord;
use serde_json::Value;

const POINTS: [(f64, f64); 4] = [
    (7.4197, 43.7311),
    (7.4268, 43.7402),
    (7.4246, 43.7356),
    (7.4167, 43.7283),
];

fn coords(points: &[(f64, f64)]) -> String {
    points
        .iter()
        .map(|(lon, lat)| format!("{lon},{lat}"))
        .collect::<Vec<_>>()
        .join(";")
}

async fn get(app: &TestApp, uri: &str) -> common::Resp {
    app.send(Method::GET, uri, None, None, &[]).await
}

fn close(a: &Value, b: f64) -> bool {
    (a.as_f64().expect("number") - b).abs() <= 0.051
}

#[tokio::test]
async fn table_equals_the_graph_matrix() {
    let app = graph::app_with_graph().await;
    let g = graph::monaco();
    let snapped: Vec<_> = POINTS
        .iter()
        .map(|(lon, lat)| g.snap(Coord::new(*lon, *lat)).expect("snap"))
        .collect();
    let m = g.matrix_snapped(&snapped, &snapped).expect("matrix");
    let res = get(
        &app,
        &format!(
            "/table/v1/driving/{}?annotations=duration,distance",
            coords(&POINTS)
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body["code"], "Ok");
    for i in 0..POINTS.len() {
        for j in 0..POINTS.len() {
            assert!(
                close(&res.body["durations"][i][j], m.duration(i, j)),
                "duration {i} {j}"
            );
            assert!(
                close(&res.body["distances"][i][j], m.distance(i, j)),
                "distance {i} {j}"
            );
        }
    }
    assert_eq!(res.body["sources"].as_array().unwrap().len(), 4);
    let wp = &res.body["sources"][1];
    assert!(
        close(&wp["location"][0], snapped[1].location.lon)
            || (wp["location"][0].as_f64().unwrap() - snapped[1].location.lon).abs() < 1e-9
    );
    assert!(wp["distance"].is_number() && wp["name"].is_string());

    // Sources and destinations select rows and columns; durations only by default.
    let res = get(
        &app,
        &format!(
            "/table/v1/driving/{}?sources=0;2&destinations=1;3",
            coords(&POINTS)
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(res.body["distances"].is_null());
    assert!(close(&res.body["durations"][1][0], m.duration(2, 1)));
    assert!(close(&res.body["durations"][0][1], m.duration(0, 3)));
    assert_eq!(res.body["destinations"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn route_matches_the_graph_route() {
    let app = graph::app_with_graph().await;
    let g = graph::monaco();
    let (a, b) = (
        Coord::new(POINTS[0].0, POINTS[0].1),
        Coord::new(POINTS[1].0, POINTS[1].1),
    );
    let expected = g
        .route_snapped(&g.snap(a).unwrap(), &g.snap(b).unwrap())
        .expect("route");
    let res = get(&app, &format!("/route/v1/driving/{}", coords(&POINTS[..2]))).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body["code"], "Ok");
    let route = &res.body["routes"][0];
    assert!(close(&route["duration"], expected.duration_s));
    assert!(close(&route["distance"], expected.distance_m));
    assert_eq!(route["weight_name"], "duration");
    assert_eq!(route["legs"].as_array().unwrap().len(), 1);
    assert!(route["legs"][0]["steps"].as_array().unwrap().is_empty());
    let line =
        fieldpath_api::osrm::polyline::decode(route["geometry"].as_str().unwrap(), 5).unwrap();
    assert_eq!(line.len(), expected.geometry.len());
    assert_eq!(res.body["waypoints"].as_array().unwrap().len(), 2);

    // Three points: two legs whose sums make the route.
    let res = get(
        &app,
        &format!(
            "/route/v1/driving/{}?geometries=geojson",
            coords(&POINTS[..3])
        ),
    )
    .await;
    let route = &res.body["routes"][0];
    let legs = route["legs"].as_array().unwrap();
    assert_eq!(legs.len(), 2);
    let sum: f64 = legs.iter().map(|l| l["duration"].as_f64().unwrap()).sum();
    assert!((sum - route["duration"].as_f64().unwrap()).abs() < 0.2);
    assert_eq!(route["geometry"]["type"], "LineString");
    assert!(route["geometry"]["coordinates"].as_array().unwrap().len() >= 2);

    // polyline6 and overview=false.
    let res = get(
        &app,
        &format!(
            "/route/v1/driving/{}?geometries=polyline6",
            coords(&POINTS[..2])
        ),
    )
    .await;
    let line6 = fieldpath_api::osrm::polyline::decode(
        res.body["routes"][0]["geometry"].as_str().unwrap(),
        6,
    )
    .unwrap();
    assert!((line6[0].lat - line[0].lat).abs() < 1e-5);
    let res = get(
        &app,
        &format!("/route/v1/car/{}?overview=false", coords(&POINTS[..2])),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body["routes"][0]["geometry"].is_null());
}

#[tokio::test]
async fn errors_in_osrm_style() {
    let app = graph::app_with_graph().await;
    let cases = [
        ("/route/v1/driving/7.41,43.73".to_string(), "InvalidQuery"),
        (
            "/route/v1/driving/7.41;43.73;7.42".to_string(),
            "InvalidQuery",
        ),
        (
            "/route/v1/driving/a,b;7.42,43.74".to_string(),
            "InvalidQuery",
        ),
        (
            format!("/route/v1/driving/{}?geometries=wkt", coords(&POINTS[..2])),
            "InvalidOptions",
        ),
        (
            format!("/table/v1/driving/{}?sources=9", coords(&POINTS)),
            "InvalidOptions",
        ),
        (
            format!("/table/v1/driving/{}?annotations=speed", coords(&POINTS)),
            "InvalidOptions",
        ),
        // Paris is far from every road of the Monaco graph.
        (
            "/route/v1/driving/7.4197,43.7311;2.3522,48.8566".to_string(),
            "NoSegment",
        ),
        (
            "/table/v1/driving/2.3522,48.8566;7.4197,43.7311".to_string(),
            "NoSegment",
        ),
    ];
    for (uri, code) in cases {
        let res = get(&app, &uri).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{uri}: {}", res.body);
        assert_eq!(res.body["code"], code, "{uri}: {}", res.body);
        assert!(res.body["message"].is_string());
    }
}

#[tokio::test]
async fn straight_line_without_a_graph() {
    let app = TestApp::new().await;
    let res = get(&app, &format!("/table/v1/driving/{}", coords(&POINTS))).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body["durations"][0][0], 0.0);
    assert!(res.body["durations"][0][1].as_f64().unwrap() > 0.0);
    let res = get(&app, &format!("/route/v1/driving/{}", coords(&POINTS[..2]))).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
}
