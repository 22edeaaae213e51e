//! Query correctness: hub labels and the contraction hierarchy against Dijkstra,
//! matrices against one-to-one queries, one-way streets, snapping and geometry.

mod common;

use common::{extract, liechtenstein, monaco, polyline_length_m, random_snapped};
use routing_graph::{
    BBox, Coord, EstimatorKind, ImportOptions, Resolution, RoadGraph, SnapOptions, Snapped,
    TravelEstimator,
};

/// `travel` (hub labels) and `ch_travel` (hierarchy search) both return exactly
/// Dijkstra's `(seconds, metres)` for every pair: same packed weight, same tie-breaking.
fn labels_and_ch_equal_dijkstra(g: &RoadGraph, points: &[Snapped]) {
    for pair in points.chunks(2) {
        let labels = g.travel(&pair[0], &pair[1]);
        let dijkstra = g.dijkstra_travel(&pair[0], &pair[1]);
        assert!(
            labels.is_some(),
            "no path {:?} -> {:?}",
            pair[0].input,
            pair[1].input
        );
        assert_eq!(labels, dijkstra, "{} -> {}", pair[0].input, pair[1].input);
        assert_eq!(
            g.ch_travel(&pair[0], &pair[1]),
            dijkstra,
            "{} -> {}",
            pair[0].input,
            pair[1].input
        );
    }
}

#[test]
fn labels_and_ch_equal_dijkstra_on_1000_random_pairs_liechtenstein() {
    let g = liechtenstein();
    assert!(g.has_hub_labels());
    labels_and_ch_equal_dijkstra(g, &random_snapped(g, 2000, 7));
}

#[test]
fn labels_and_ch_equal_dijkstra_on_1000_random_pairs_monaco() {
    let g = monaco();
    assert!(g.has_hub_labels());
    labels_and_ch_equal_dijkstra(g, &random_snapped(g, 2000, 11));
}

/// Under a budget too small for the labels there are none, `travel` falls back to the
/// hierarchy search with the same answers, and the labels' memory is gone; a larger
/// budget brings them back.
#[test]
fn without_labels_over_budget_travel_still_equals_dijkstra() {
    let (mut g, _) = RoadGraph::from_pbf(extract("monaco.osm.pbf"), &ImportOptions::default())
        .expect("monaco import");
    let stats = g
        .hub_label_stats()
        .expect("labels within the default budget");
    let with_labels = g.memory_bytes();
    g.set_hub_label_budget(stats.memory_bytes / 2);
    assert!(!g.has_hub_labels());
    assert_eq!(g.hub_label_stats(), None);
    assert_eq!(g.memory_bytes(), with_labels - stats.memory_bytes);
    labels_and_ch_equal_dijkstra(&g, &random_snapped(&g, 400, 13));
    g.set_hub_label_budget(stats.memory_bytes);
    assert!(g.has_hub_labels());
    assert_eq!(g.memory_bytes(), with_labels);
}

#[test]
fn route_geometry_follows_the_roads() {
    let g = liechtenstein();
    let points = random_snapped(g, 200, 3);
    for pair in points.chunks(2) {
        let route = g.route_snapped(&pair[0], &pair[1]).expect("route");
        let baseline = g.dijkstra_route_snapped(&pair[0], &pair[1]).expect("route");
        assert_eq!(route.duration_s, baseline.duration_s);
        assert_eq!(route.distance_m, baseline.distance_m);
        assert_eq!(route.estimator, EstimatorKind::RoadGraph);
        assert_eq!(route.geometry.first(), Some(&pair[0].location));
        assert_eq!(route.geometry.last(), Some(&pair[1].location));
        // The unpacked polyline is as long as the distance reported (rounding only).
        let length = polyline_length_m(&route.geometry);
        assert!(
            (length - route.distance_m).abs() <= 1.0 + route.distance_m * 0.001,
            "geometry {length} m vs distance {} m",
            route.distance_m
        );
    }
}

#[test]
fn matrix_cells_equal_one_to_one_queries() {
    let g = liechtenstein();
    let points = random_snapped(g, 40, 5);
    let coords: Vec<Coord> = points.iter().map(|p| p.input).collect();
    let m = g.matrix(&coords, &coords).expect("matrix");
    assert_eq!((m.sources, m.targets), (40, 40));
    assert_eq!(m.estimator, EstimatorKind::RoadGraph);
    for (i, s) in points.iter().enumerate() {
        for (j, t) in points.iter().enumerate() {
            let (duration, distance) = g.travel(s, t).expect("path");
            assert_eq!(m.duration(i, j), duration, "cell {i},{j}");
            assert_eq!(m.distance(i, j), distance, "cell {i},{j}");
        }
        assert_eq!(m.duration(i, i), 0.0);
    }
    // Rectangular matrices too.
    let m = g.matrix(&coords[..3], &coords[3..10]).expect("matrix");
    assert_eq!(m.duration_rows().len(), 3);
    assert_eq!(
        m.duration(2, 6),
        g.travel(&points[2], &points[9]).expect("path").0
    );
}

/// Rue Bosio, Monaco (OSM way 94399437, `highway=residential`, `oneway=yes`), drawn
/// from east (7.41973, 43.73694) to west (7.41694, 43.73580).
const RUE_BOSIO_EAST: Coord = Coord::new(7.419_248, 43.736_715); // between its nodes 2 and 3
const RUE_BOSIO_WEST: Coord = Coord::new(7.418_241, 43.736_279); // between its nodes 11 and 12

#[test]
fn one_way_street_is_only_routable_one_way() {
    let g = monaco();
    let with = g
        .route(RUE_BOSIO_EAST, RUE_BOSIO_WEST)
        .expect("route along Rue Bosio");
    let against = g
        .route(RUE_BOSIO_WEST, RUE_BOSIO_EAST)
        .expect("route around");
    let straight = RUE_BOSIO_EAST.haversine_m(RUE_BOSIO_WEST);
    // With the one-way: straight along the street.
    assert!(
        with.distance_m < straight * 1.2,
        "{} m vs {} m",
        with.distance_m,
        straight
    );
    // Against it: a detour around the block.
    assert!(
        against.distance_m > with.distance_m * 2.0,
        "{} m",
        against.distance_m
    );
    assert!(against.duration_s > with.duration_s);
}

#[test]
fn snapping_projects_onto_the_segment_beside_the_point() {
    let g = monaco();
    // Rue Bosio between its nodes 7 and 8, and a point about 4 m north of it.
    let (a, b) = (
        Coord::new(7.418_779_7, 43.736_531_6),
        Coord::new(7.418_681_3, 43.736_489_7),
    );
    let on_street = a.lerp(b, 0.5);
    let beside = Coord::new(on_street.lon, on_street.lat + 0.000_036);
    let s = g.snap(beside).expect("snaps");
    assert!(
        s.distance_m > 2.0 && s.distance_m < 4.5,
        "{} m",
        s.distance_m
    );
    // The projection lies on segment a-b (not on a node): distance to the line ~0.
    let along = a.haversine_m(s.location) + s.location.haversine_m(b);
    assert!(
        (along - a.haversine_m(b)).abs() < 0.05,
        "off the segment by {}",
        along - a.haversine_m(b)
    );
    assert!(s.location.haversine_m(a) > 1.0 && s.location.haversine_m(b) > 1.0);
    assert_eq!(s.h3_cell.resolution(), Resolution::Nine);
}

#[test]
fn snap_options_change_radius_and_h3_resolution() {
    let g = monaco();
    let near = Coord::new(7.418_73, 43.736_546);
    let strict = SnapOptions {
        max_distance_m: 1.0,
        h3_resolution: Resolution::Seven,
    };
    assert!(g.snap_with(near, &strict).is_err());
    let loose = SnapOptions {
        max_distance_m: 50.0,
        h3_resolution: Resolution::Seven,
    };
    let s = g.snap_with(near, &loose).expect("snaps within 50 m");
    assert_eq!(s.h3_cell.resolution(), Resolution::Seven);
    assert_eq!(g.snap_options().max_distance_m, 1000.0);
}

#[test]
fn route_to_the_same_point_is_empty() {
    let g = monaco();
    let r = g.route(RUE_BOSIO_EAST, RUE_BOSIO_EAST).expect("route");
    assert_eq!((r.duration_s, r.distance_m), (0.0, 0.0));
}

#[test]
fn road_polylines_within_a_bbox() {
    let g = monaco();
    let bbox = BBox::new(Coord::new(7.415, 43.734), Coord::new(7.421, 43.738));
    let roads: Vec<_> = g.roads_in(bbox).collect();
    assert!(roads.len() > 10 && roads.len() < g.edge_count());
    assert!(roads
        .iter()
        .all(|r| r.coords.len() >= 2 && (r.forward || r.backward)));
    let far = BBox::new(Coord::new(0.0, 0.0), Coord::new(0.1, 0.1));
    assert_eq!(g.roads_in(far).count(), 0);
}

#[test]
fn answers_serialise_with_their_estimator() {
    let g = monaco();
    let r = g.route(RUE_BOSIO_EAST, RUE_BOSIO_WEST).expect("route");
    let json = serde_json::to_value(&r).expect("json");
    assert_eq!(json["estimator"], "road_graph");
    assert!(json["geometry"][0].as_array().is_some_and(|p| p.len() == 2));
    assert!(json["waypoints"][0]["h3_cell"]
        .as_str()
        .is_some_and(|c| c.len() == 15));
}
