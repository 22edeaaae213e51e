//! Shared test fixtures: each extract is imported once per test binary.
#![allow(dead_code)]

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use routing_graph::{Coord, ImportOptions, RoadGraph, Snapped};
use std::path::PathBuf;
use std::sync::OnceLock;

/// Path of a shipped OSM extract.
pub fn extract(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../data/osm")
        .join(name)
}

fn import(name: &str) -> RoadGraph {
    let (graph, _) = RoadGraph::from_pbf(extract(name), &ImportOptions::default())
        .unwrap_or_else(|e| panic!("importing {name}: {e}"));
    graph
}

/// Monaco (with the surrounding French towns).
pub fn monaco() -> &'static RoadGraph {
    static GRAPH: OnceLock<RoadGraph> = OnceLock::new();
    GRAPH.get_or_init(|| import("monaco.osm.pbf"))
}

/// Liechtenstein.
pub fn liechtenstein() -> &'static RoadGraph {
    static GRAPH: OnceLock<RoadGraph> = OnceLock::new();
    GRAPH.get_or_init(|| import("liechtenstein-latest.osm.pbf"))
}

/// `n` random points of the graph's bounding box that snap, seeded.
pub fn random_snapped(graph: &RoadGraph, n: usize, seed: u64) -> Vec<Snapped> {
    let bbox = graph.bbox().expect("graph has roads");
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let c = Coord::new(
            rng.random_range(bbox.min.lon..bbox.max.lon),
            rng.random_range(bbox.min.lat..bbox.max.lat),
        );
        if let Ok(s) = graph.snap(c) {
            out.push(s);
        }
    }
    out
}

/// Length of a polyline in metres.
pub fn polyline_length_m(points: &[Coord]) -> f64 {
    points.windows(2).map(|w| w[0].haversine_m(w[1])).sum()
}
