//! Tests of the hub labels: a hand-made graph with known labels and distances, and
//! Monaco against the hierarchy's query.

use super::*;
use crate::build::build_network;
use crate::ch::contract::contract;
use crate::ch::{query, ChArc, UpArc, ORIGINAL};
use crate::endpoints::Endpoint;
use crate::osm::reader::read_roads;
use crate::weight::{add, pack};
use rand::{Rng, SeedableRng};

fn at(node: u32) -> [Endpoint; 1] {
    [Endpoint {
        node,
        weight: 0,
        dir: 0,
    }]
}

/// Four nodes ranked by id (search id = node id): two-way roads 0-1 (10 s), 0-2 (5 s),
/// 1-2 (3 s), 2-3 (4 s) and a one-way road 0 -> 3 (2 s). Contracting 0, 1, 2 in turn
/// needs no shortcut (each detour through a lower node has a shorter witness).
fn diamond() -> (ContractionHierarchy, [[Weight; 4]; 4]) {
    let roads: [(u32, u32, u64, bool); 5] = [
        (0, 1, 10, true),
        (0, 2, 5, true),
        (1, 2, 3, true),
        (2, 3, 4, true),
        (0, 3, 2, false),
    ];
    let w = |s: u64| pack(s * 1000, s * 100);
    let (mut up, mut down) = (vec![Vec::new(); 4], vec![Vec::new(); 4]);
    let mut arcs = Vec::new();
    for &(a, b, s, two_way) in &roads {
        arcs.push(ChArc {
            first: ORIGINAL,
            second: arcs.len() as u32,
        });
        let arc = arcs.len() as u32 - 1;
        // a < b: the arc a -> b goes up from a; b -> a comes down to a.
        up[a as usize].push(UpArc {
            node: b,
            arc,
            weight: w(s),
        });
        if two_way {
            down[a as usize].push(UpArc {
                node: b,
                arc,
                weight: w(s),
            });
        }
    }
    let csr = |lists: Vec<Vec<UpArc>>| {
        let mut first = vec![0u32];
        let mut flat = Vec::new();
        for l in lists {
            flat.extend(l);
            first.push(flat.len() as u32);
        }
        (first, flat)
    };
    let ch = ContractionHierarchy::new((0..4).collect(), csr(up), csr(down), arcs);
    // All-pairs shortest weights (Floyd-Warshall over the roads).
    let mut d = [[INFINITE; 4]; 4];
    for (v, row) in d.iter_mut().enumerate() {
        row[v] = 0;
    }
    for &(a, b, s, two_way) in &roads {
        d[a as usize][b as usize] = w(s);
        if two_way {
            d[b as usize][a as usize] = w(s);
        }
    }
    for k in 0..4 {
        for i in 0..4 {
            for j in 0..4 {
                d[i][j] = d[i][j].min(add(d[i][k], d[k][j]));
            }
        }
    }
    (ch, d)
}

/// On the hand-made graph: the pruned labels are the expected ones, and label
/// queries give every pair's shortest weight, one-way road included.
#[test]
fn diamond_labels_are_pruned_and_exact() {
    let (ch, d) = diamond();
    let labels = HubLabels::build(&ch, DEFAULT_BUDGET_BYTES).expect("within budget");
    let w = |s: u64| pack(s * 1000, s * 100);
    // 0 -> 1 is cheaper through 2 (8 s) than by the direct road (10 s): hub 1 is
    // pruned; 0 -> 3 by the one-way road (2 s).
    assert_eq!(labels.forward(0), (&[0, 2, 3][..], &[0, w(5), w(2)][..]));
    // 3 -> 0 has no one-way shortcut: through 2 (9 s).
    assert_eq!(labels.backward(0), (&[0, 2, 3][..], &[0, w(5), w(9)][..]));
    for s in 0..4 {
        for t in 0..4 {
            let found = labels.shortest_weight(&ch, &at(s), &at(t));
            assert_eq!(found, Some(d[s as usize][t as usize]), "{s} -> {t}");
        }
    }
    // Nothing fits in no memory.
    assert!(matches!(
        HubLabels::build(&ch, 0),
        Err(Skipped::OverBudget { budget: 0, .. })
    ));
}

/// Two nodes each "above" the other (only a damaged file could say so): no labels.
#[test]
fn cyclic_arcs_are_not_a_hierarchy() {
    let arc = |node| UpArc {
        node,
        arc: 0,
        weight: pack(1000, 10),
    };
    let original = ChArc {
        first: ORIGINAL,
        second: 0,
    };
    let ch = ContractionHierarchy::new(
        vec![0, 1],
        (vec![0, 1, 2], vec![arc(1), arc(0)]),
        (vec![0, 0, 0], vec![]),
        vec![original],
    );
    assert_eq!(
        HubLabels::build(&ch, DEFAULT_BUDGET_BYTES),
        Err(Skipped::NotAHierarchy)
    );
}

/// On Monaco: every label is sorted by hub without duplicates, holds its own node at
/// weight 0, and label queries equal the hierarchy's query between random nodes,
/// with one or two endpoints per side at partial weights.
#[test]
fn monaco_labels_are_sorted_and_equal_the_hierarchy_query() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/osm/monaco.osm.pbf");
    let net = build_network(&read_roads(&path).expect("monaco extract"), true).0;
    let ch = contract(&net, &|_, _| {});
    let labels = HubLabels::build(&ch, DEFAULT_BUDGET_BYTES).expect("within budget");
    let n = ch.search_id.len() as u32;
    for v in 0..n {
        for (hubs, weights) in [labels.forward(v), labels.backward(v)] {
            assert!(hubs.windows(2).all(|p| p[0] < p[1]), "label of {v}");
            assert_eq!(hubs.len(), weights.len());
            let own = hubs.binary_search(&v).expect("own node is a hub");
            assert_eq!(weights[own], 0);
        }
    }
    let stats = labels.stats();
    assert_eq!(
        stats.entries,
        labels.forward.hub.len() + labels.backward.hub.len()
    );
    assert!(stats.mean_label_len >= 1.0);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    let endpoints = |rng: &mut rand_chacha::ChaCha8Rng| -> Vec<Endpoint> {
        (0..rng.random_range(1..=2))
            .map(|_| Endpoint {
                node: rng.random_range(0..n),
                weight: pack(rng.random_range(0..5000), rng.random_range(0..500)),
                dir: 0,
            })
            .collect()
    };
    for _ in 0..2000 {
        let (s, t) = (endpoints(&mut rng), endpoints(&mut rng));
        assert_eq!(
            labels.shortest_weight(&ch, &s, &t),
            query::shortest_weight(&ch, &s, &t),
            "{s:?} -> {t:?}"
        );
    }
}
