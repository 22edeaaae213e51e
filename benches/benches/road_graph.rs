//! Road graph benchmark on Liechtenstein: import + preprocessing (hub label build time and
//! memory included), one-to-one queries (hub labels and the plain contraction hierarchy
//! query vs plain Dijkstra, with their median ratios measured in the same run), 100×100
//! and 1000×1000 matrices, and the memory of the loaded graph.
//!
//! Run with `cargo bench -p fieldpath-benches --bench road_graph`.

use criterion::{criterion_group, Criterion};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use routing_graph::{Coord, ImportOptions, RoadGraph, Snapped, TravelEstimator};
use std::hint::black_box;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

fn extract() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/osm/liechtenstein-latest.osm.pbf")
}

fn graph() -> &'static RoadGraph {
    static GRAPH: OnceLock<RoadGraph> = OnceLock::new();
    GRAPH.get_or_init(
        || match RoadGraph::from_pbf(extract(), &ImportOptions::default()) {
            Ok((graph, _)) => graph,
            Err(e) => panic!("import failed: {e}"),
        },
    )
}

/// `n` seeded random locations of the extract that snap to a road.
fn random_points(n: usize, seed: u64) -> Vec<Snapped> {
    let g = graph();
    let Some(bbox) = g.bbox() else {
        panic!("empty graph")
    };
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let c = Coord::new(
            rng.random_range(bbox.min.lon..bbox.max.lon),
            rng.random_range(bbox.min.lat..bbox.max.lat),
        );
        if let Ok(s) = g.snap(c) {
            out.push(s);
        }
    }
    out
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Time of one query of each pair with `query`: every pair is queried `reps` times (to be
/// above the clock resolution) and the mean kept. All pairs run with one algorithm in one
/// pass, after an untimed warm-up pass, as a server answers a stream of queries:
/// interleaving the algorithms pair by pair let Dijkstra's sweep over the whole graph
/// evict the hierarchy's arrays before every CH query, which timed cache refills rather
/// than the query.
fn per_pair(
    points: &[Snapped],
    reps: u32,
    query: impl Fn(&Snapped, &Snapped) -> Option<(f64, f64)>,
) -> Vec<Duration> {
    for pair in points.chunks(2) {
        black_box(query(&pair[0], &pair[1]));
    }
    points
        .chunks(2)
        .map(|pair| {
            let t = Instant::now();
            for _ in 0..reps {
                black_box(query(&pair[0], &pair[1]));
            }
            t.elapsed() / reps
        })
        .collect()
}

/// Median over pairs of `baseline / fast` per pair.
fn median_ratio(fast: &[Duration], baseline: &[Duration]) -> f64 {
    let mut ratios: Vec<f64> = fast
        .iter()
        .zip(baseline)
        .map(|(f, b)| b.as_secs_f64() / f.as_secs_f64().max(1e-12))
        .collect();
    ratios.sort_by(f64::total_cmp);
    ratios[ratios.len() / 2]
}

/// Times 1000 random pairs with hub labels (`travel`), the plain hierarchy query
/// (`ch_travel`) and Dijkstra, each in its own pass, and prints the medians, the ratios
/// of the medians to Dijkstra's and the medians of the per-pair ratios: each pair
/// repeated 20 times (the query in isolation), then each pair queried once in turn (a
/// stream of distinct queries, where caches and branch predictors are colder: every
/// query pays more).
fn one_to_one_report() {
    let g = graph();
    let points = random_points(2000, 1);
    for (label, reps) in [("each pair 20x", 20u32), ("stream, each pair once", 1)] {
        let labels = per_pair(&points, reps, |a, b| g.travel(a, b));
        let ch = per_pair(&points, reps, |a, b| g.ch_travel(a, b));
        let dij = per_pair(&points, reps, |a, b| g.dijkstra_travel(a, b));
        let (labels_ratio, ch_ratio) = (median_ratio(&labels, &dij), median_ratio(&ch, &dij));
        let (labels, ch, dij) = (median(labels), median(ch), median(dij));
        let speedup = |t: Duration| dij.as_secs_f64() / t.as_secs_f64();
        println!(
            "one-to-one ({label}; 1000 random pairs, duration+distance): hub labels median \
             {labels:?}, CH median {ch:?}, Dijkstra median {dij:?}; ratio of medians: labels \
             {:.0}x, CH {:.0}x; median per-pair ratio: labels {labels_ratio:.0}x, CH \
             {ch_ratio:.0}x",
            speedup(labels),
            speedup(ch),
        );
    }
    let t = Instant::now();
    for pair in points.chunks(2) {
        black_box(g.route_snapped(&pair[0], &pair[1]).ok());
    }
    println!(
        "one-to-one route with geometry (CH): mean {:?}",
        t.elapsed() / 1000
    );
}

fn summary_report() {
    let t = Instant::now();
    let (g, summary) = match RoadGraph::from_pbf(extract(), &ImportOptions::default()) {
        Ok(x) => x,
        Err(e) => panic!("import failed: {e}"),
    };
    println!(
        "import + preprocessing (hub labels included): {:?} (read {:?}, build {:?}, contract {:?}); {} nodes, {} edges, {} arcs, \
         {} shortcuts, {} nodes dropped outside the largest SCC",
        t.elapsed(),
        summary.read_time,
        summary.build_time,
        summary.contraction_time,
        g.node_count(),
        g.edge_count(),
        g.arc_count(),
        g.shortcut_count(),
        summary.dropped_component_nodes
    );
    match g.hub_label_stats() {
        Some(s) => println!(
            "hub labels: built in {:?}, {} entries (mean {:.1} per label), {} bytes",
            s.build_time, s.entries, s.mean_label_len, s.memory_bytes
        ),
        None => println!("hub labels: over the memory budget, not built"),
    }
    println!(
        "memory of the loaded graph (hub labels included): {} bytes",
        graph().memory_bytes()
    );
    for n in [100usize, 1000] {
        let coords: Vec<Coord> = random_points(n, n as u64).iter().map(|s| s.input).collect();
        let mut times = Vec::new();
        for _ in 0..5 {
            let t = Instant::now();
            black_box(graph().matrix(&coords, &coords).ok());
            times.push(t.elapsed());
        }
        println!(
            "{n}x{n} matrix (snapping included): median of 5 {:?}",
            median(times)
        );
    }
}

fn import(c: &mut Criterion) {
    let mut group = c.benchmark_group("import");
    group.sample_size(10);
    group.bench_function("liechtenstein_import_and_ch", |b| {
        b.iter(|| {
            RoadGraph::from_pbf(extract(), &ImportOptions::default())
                .map(|(g, _)| g.node_count())
                .ok()
        })
    });
    group.finish();
}

fn one_to_one(c: &mut Criterion) {
    let g = graph();
    let points = random_points(2000, 2);
    let mut group = c.benchmark_group("one_to_one");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(3));
    type Travel = fn(&RoadGraph, &Snapped, &Snapped) -> Option<(f64, f64)>;
    let algorithms: [(&str, Travel); 3] = [
        ("labels", RoadGraph::travel),
        ("ch", RoadGraph::ch_travel),
        ("dijkstra", RoadGraph::dijkstra_travel),
    ];
    for (name, travel) in algorithms {
        let mut i = 0;
        // The next pair each iteration (a plain counter: `iter_batched`'s per-iteration
        // set-up would be timed at the scale of a label query).
        group.bench_function(name, |b| {
            b.iter(|| {
                i = (i + 2) % points.len();
                travel(g, &points[i], &points[i + 1])
            })
        });
    }
    group.finish();
}

fn matrices(c: &mut Criterion) {
    let g = graph();
    let mut group = c.benchmark_group("matrix");
    group.sample_size(10);
    for n in [100usize, 1000] {
        let coords: Vec<Coord> = random_points(n, n as u64).iter().map(|s| s.input).collect();
        group.bench_function(format!("{n}x{n}"), |b| {
            b.iter(|| g.matrix(&coords, &coords).ok())
        });
    }
    group.finish();
}

criterion_group!(benches, import, one_to_one, matrices);

fn main() {
    summary_report();
    one_to_one_report();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
