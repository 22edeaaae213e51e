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

/// Every `only_*` restriction of Monaco that the graph applies: a route from the `from`
/// way onto any other road at the via node, which ignoring restrictions would turn there
/// directly, must not take that turn once restrictions are applied (and the hierarchy
/// agrees with Dijkstra on it).
#[test]
fn monaco_only_restrictions_forbid_every_other_turn() {
    use routing_graph::osm::restriction::RestrictionKind;
    let path = extract("monaco.osm.pbf");
    let roads = read_roads(&path).expect("read monaco");
    let restricted = monaco();
    let (ignoring, _) =
        RoadGraph::from_pbf_with_turn_restrictions(&path, &ImportOptions::default(), false)
            .expect("import without restrictions");
    let coord = |id: i64| roads.coord(id).expect("node in extract");
    let mid = |p: Coord, q: Coord| Coord::new((p.lon + q.lon) / 2.0, (p.lat + q.lat) / 2.0);
    let neighbours = |nodes: &[i64], via: i64| -> Vec<i64> {
        let Some(k) = nodes.iter().position(|&n| n == via) else {
            return Vec::new();
        };
        [k.checked_sub(1), Some(k + 1)]
            .into_iter()
            .flatten()
            .filter_map(|j| nodes.get(j).copied())
            .collect()
    };
    let mut checked = Vec::new();
    for r in roads
        .restrictions
        .iter()
        .filter(|r| r.kind == RestrictionKind::Only)
    {
        let Some(from) = roads.ways.iter().find(|w| w.id == r.from_way) else {
            continue;
        };
        let via = coord(r.via_node);
        for before in neighbours(&from.nodes, r.via_node) {
            let before = coord(before);
            let src = mid(before, via);
            for other in roads
                .ways
                .iter()
                .filter(|w| w.id != r.to_way && w.id != r.from_way)
            {
                for after in neighbours(&other.nodes, r.via_node) {
                    let after = coord(after);
                    let dst = mid(via, after);
                    let turns_directly = |g: &[Coord]| {
                        (1..g.len().saturating_sub(1)).any(|k| {
                            g[k] == via
                                && (g[k - 1] == before || k == 1)
                                && (g[k + 1] == after || k + 2 == g.len())
                        })
                    };
                    let (Ok(direct), Ok(route)) =
                        (ignoring.route(src, dst), restricted.route(src, dst))
                    else {
                        continue;
                    };
                    if !turns_directly(&direct.geometry) {
                        continue; // not a turn the restriction is about
                    }
                    assert!(
                        !turns_directly(&route.geometry),
                        "relation {} allows only way {}, yet the route turns onto way {}",
                        r.id,
                        r.to_way,
                        other.id
                    );
                    let dijkstra = restricted.dijkstra_route(src, dst).expect("dijkstra");
                    assert_eq!(dijkstra.duration_s, route.duration_s);
                    checked.push((r.id, other.id));
                }
            }
        }
    }
    // 25 turns of 24 relations when written.
    assert!(
        checked.len() >= 10,
        "too few only_* turns of Monaco forbid a turn otherwise taken: {checked:?}"
    );
}
