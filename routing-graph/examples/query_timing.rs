//! Quick one-to-one timing on the Liechtenstein extract without criterion:
//! `cargo run --release -p routing-graph --example query_timing`. Prints the median CH
//! and Dijkstra times of 1000 seeded random pairs and their ratio (same run, three
//! times); with `--ch-only`, the CH medians of 15 rounds (for `perf record`); with
//! `--stream`, each pair queried once in turn (no repetitions), hub labels too. The
//! criterion bench in `benches/` is the reference; this builds in seconds, for quick
//! iterations and profiling.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use routing_graph::{Coord, ImportOptions, RoadGraph, Snapped};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// A one-to-one query: `(seconds, metres)` between two snapped points.
type Query<'a> = dyn Fn(&Snapped, &Snapped) -> Option<(f64, f64)> + 'a;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/osm/liechtenstein-latest.osm.pbf");
    let t = Instant::now();
    let (g, summary) = match RoadGraph::from_pbf(path, &ImportOptions::default()) {
        Ok(x) => x,
        Err(e) => panic!("import failed: {e}"),
    };
    println!(
        "import {:?} (contract {:?}); {} nodes, {} shortcuts",
        t.elapsed(),
        summary.contraction_time,
        g.node_count(),
        g.shortcut_count()
    );
    println!("hub labels: {:?}", g.hub_label_stats());
    let Some(bbox) = g.bbox() else {
        panic!("empty graph")
    };
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut points: Vec<Snapped> = Vec::new();
    while points.len() < 2000 {
        let c = Coord::new(
            rng.random_range(bbox.min.lon..bbox.max.lon),
            rng.random_range(bbox.min.lat..bbox.max.lat),
        );
        if let Ok(s) = g.snap(c) {
            points.push(s);
        }
    }
    if std::env::args().any(|a| a == "--stream") {
        // Each pair queried once, one after the other: what a server answering distinct
        // queries sees (colder caches and branch predictors than repeating a pair).
        for round in 0..3 {
            let time = |query: &Query| {
                let times: Vec<Duration> = points
                    .chunks(2)
                    .map(|pair| {
                        let t = Instant::now();
                        black_box(query(&pair[0], &pair[1]));
                        t.elapsed()
                    })
                    .collect();
                median(times)
            };
            let labels = time(&|a, b| g.travel(a, b));
            let ch = time(&|a, b| g.ch_travel(a, b));
            let dij = time(&|a, b| g.dijkstra_travel(a, b));
            println!(
                "stream {round}: labels median {labels:?} ({:.1}x), CH median {ch:?} ({:.1}x), \
                 Dijkstra median {dij:?}",
                dij.as_secs_f64() / labels.as_secs_f64(),
                dij.as_secs_f64() / ch.as_secs_f64()
            );
        }
        return;
    }
    let only_ch = std::env::args().any(|a| a == "--ch-only");
    let rounds = if only_ch { 15 } else { 3 };
    let mut ch_medians = Vec::new();
    for _ in 0..rounds {
        let reps = 20u32;
        let (mut ch, mut dij) = (Vec::new(), Vec::new());
        for pair in points.chunks(2) {
            let t = Instant::now();
            for _ in 0..reps {
                black_box(g.ch_travel(&pair[0], &pair[1]));
            }
            ch.push(t.elapsed() / reps);
            if !only_ch {
                let t = Instant::now();
                for _ in 0..reps {
                    black_box(g.dijkstra_travel(&pair[0], &pair[1]));
                }
                dij.push(t.elapsed() / reps);
            }
        }
        if only_ch {
            ch_medians.push(median(ch));
            continue;
        }
        let (c, d) = (median(ch), median(dij));
        println!(
            "CH median {c:?}, Dijkstra median {d:?}, ratio {:.1}x",
            d.as_secs_f64() / c.as_secs_f64()
        );
    }
    if only_ch {
        ch_medians.sort();
        println!(
            "CH medians: min {:?}, median {:?}",
            ch_medians[0],
            ch_medians[ch_medians.len() / 2]
        );
    }
}
