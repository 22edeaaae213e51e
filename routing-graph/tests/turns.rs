//! Turn restrictions on real relations of the shipped extracts.

mod common;

use common::{extract, monaco};
use routing_graph::osm::reader::read_roads;
use routing_graph::{Coord, ImportOptions, RoadGraph, TravelEstimator};

/// Monaco, relation 4261963: `no_*` turn from way 176527122 via node 25177185 onto way
/// 166399477. A route from the last stretch of the `from` way to the first stretch of the
/// `to` way would take exactly that turn; with restrictions it must go around.
#[test]
fn monaco_relation_4261963_forbidden_turn_is_not_taken() {
    let path = extract("monaco.osm.pbf");
    let roads = read_roads(&path).expect("read monaco");
    let r = roads
        .restrictions
        .iter()
        .find(|r| r.id == 4261963)
        .expect("relation 4261963 is read as a supported restriction");
    assert_eq!(
        (r.from_way, r.via_node, r.to_way),
        (176527122, 25177185, 166399477)
    );
    let way = |id: i64| {
        roads
            .ways
            .iter()
            .find(|w| w.id == id)
            .expect("way is drivable")
    };
    let (from, to) = (way(r.from_way), way(r.to_way));
    let at = |nodes: &[i64]| {
        nodes
            .iter()
            .position(|&n| n == r.via_node)
            .expect("via on way")
    };
    let (i, j) = (at(&from.nodes), at(&to.nodes));
    let coord = |id: i64| roads.coord(id).expect("node in extract");
    let via = coord(r.via_node);
    let before = coord(from.nodes[i - 1]); // from way arrives at the via node
    let after = coord(to.nodes[j + 1]); // to way leaves it
    let mid = |p: Coord, q: Coord| Coord::new((p.lon + q.lon) / 2.0, (p.lat + q.lat) / 2.0);
    let (src, dst) = (mid(before, via), mid(via, after));

    let restricted = monaco();
    let (ignoring, _) =
        RoadGraph::from_pbf_with_turn_restrictions(&path, &ImportOptions::default(), false)
            .expect("import without restrictions");
    let direct = ignoring
        .route(src, dst)
        .expect("route ignoring restrictions");
    let around = restricted.route(src, dst).expect("route with restrictions");
    let took_turn = |g: &[Coord]| {
        (1..g.len() - 1).any(|k| {
            g[k] == via && (g[k - 1] == before || k == 1) && (g[k + 1] == after || k + 2 == g.len())
        })
    };
    assert!(took_turn(&direct.geometry), "{:?}", direct.geometry);
    assert!(!took_turn(&around.geometry), "{:?}", around.geometry);
    assert!(around.duration_s > direct.duration_s + 5.0);

    // Dijkstra, the hierarchy, the matrix and a saved file all agree.
    let dijkstra = restricted.dijkstra_route(src, dst).expect("dijkstra route");
    assert_eq!(dijkstra.duration_s, around.duration_s);
    assert_eq!(dijkstra.distance_m, around.distance_m);
    let m = restricted.matrix(&[src], &[dst]).expect("matrix");
    assert_eq!(m.durations_s[0], around.duration_s);
    let file = tempfile::NamedTempFile::new().expect("temp file");
    restricted.save(file.path()).expect("save");
    let loaded = RoadGraph::load(file.path()).expect("load");
    assert_eq!(
        loaded.route(src, dst).expect("route").geometry,
        around.geometry
    );
}

#[test]
fn import_summary_counts_restrictions() {
    let opts = ImportOptions::default();
    let (_, with) = RoadGraph::from_pbf(extract("monaco.osm.pbf"), &opts).expect("import");
    let (_, without) =
        RoadGraph::from_pbf_with_turn_restrictions(extract("monaco.osm.pbf"), &opts, false)
            .expect("import");
    assert!(with.turn_restrictions >= 20, "{with:?}");
    assert_eq!(without.turn_restrictions, 0);
    assert!(
        with.nodes > without.nodes,
        "restricted junctions are expanded"
    );
    assert_eq!(with.edges, without.edges);
}
