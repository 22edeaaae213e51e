//! One-to-one queries: bidirectional upward Dijkstra, the two searches alternating by
//! smallest queued weight until neither can improve the best meeting node.
//!
//! No stall-on-demand: on the Liechtenstein graph it stalls fewer than one settled node
//! in ten, and testing for it (a scan of the node's arcs from above) cost more than the
//! arcs it saved, about 5 % of the query time.

use super::search::{with_searches, Searches, BACKWARD, FORWARD, START};
use super::ContractionHierarchy;
use crate::dijkstra::NodePath;
use crate::endpoints::Endpoint;
use crate::weight::{Weight, INFINITE};

/// Weight of the shortest path between endpoint lists.
pub(crate) fn shortest_weight(
    ch: &ContractionHierarchy,
    sources: &[Endpoint],
    targets: &[Endpoint],
) -> Option<Weight> {
    with_searches(ch.search_id.len(), |s| {
        meet::<false>(ch, s, sources, targets).map(|(w, _)| w)
    })
}

/// Shortest path between endpoint lists with its edges.
pub(crate) fn shortest_path(
    ch: &ContractionHierarchy,
    sources: &[Endpoint],
    targets: &[Endpoint],
) -> Option<NodePath> {
    with_searches(ch.search_id.len(), |s| {
        let (best, meeting) = meet::<true>(ch, s, sources, targets)?;
        // The arcs a node was reached by lead back to the start; their tails are found
        // by binary search in the CSR offsets (the labels keep no parent node).
        let mut edges = Vec::new();
        // Forward half: walk back to the source, then unpack in travel order.
        let mut arcs = Vec::new();
        let mut v = meeting;
        let source = loop {
            let via = s.via::<FORWARD>(v);
            if via > START - sources.len() as u32 {
                break (START - via) as usize;
            }
            arcs.push(ch.up_arc[via as usize]);
            v = ch.up_tail(via);
        };
        for &arc in arcs.iter().rev() {
            ch.unpack(arc, &mut edges);
        }
        // Backward half: the arcs lead towards the target, already in travel order.
        let mut v = meeting;
        let target = loop {
            let via = s.via::<BACKWARD>(v);
            if via > START - targets.len() as u32 {
                break (START - via) as usize;
            }
            ch.unpack(ch.down_arc[via as usize], &mut edges);
            v = ch.down_tail(via);
        };
        Some(NodePath {
            weight: best,
            source,
            target,
            edges,
        })
    })
}

/// Runs both searches until neither can improve the best meeting; returns its weight and
/// node.
fn meet<const PATH: bool>(
    ch: &ContractionHierarchy,
    s: &mut Searches,
    sources: &[Endpoint],
    targets: &[Endpoint],
) -> Option<(Weight, u32)> {
    for (k, e) in sources.iter().enumerate() {
        s.relax::<FORWARD, PATH>(ch.node(e.node), e.weight, START - k as u32);
    }
    for (k, e) in targets.iter().enumerate() {
        s.relax::<BACKWARD, PATH>(ch.node(e.node), e.weight, START - k as u32);
    }
    let mut best = (INFINITE, u32::MAX);
    // The sides take turns (a predictable branch; choosing the side with the smaller
    // key mispredicted about every other step); each stops once its smallest queued
    // weight cannot improve the best meeting.
    loop {
        let forward = s.min_key::<FORWARD>() < best.0;
        if forward {
            step::<FORWARD, PATH>(ch, s, &mut best);
        }
        let backward = s.min_key::<BACKWARD>() < best.0;
        if backward {
            step::<BACKWARD, PATH>(ch, s, &mut best);
        }
        if !forward && !backward {
            break;
        }
    }
    (best.0 != INFINITE).then_some(best)
}

/// Settles the next node of side `S`, records it if it is a better meeting and relaxes
/// its arcs.
#[inline(always)]
fn step<const S: usize, const PATH: bool>(
    ch: &ContractionHierarchy,
    s: &mut Searches,
    best: &mut (Weight, u32),
) {
    let Some((d, v)) = s.pop::<S>() else { return }; // only stale entries were left
    let total = s.total(v);
    if total < best.0 {
        *best = (total, v);
    }
    let (first, arcs) = if S == FORWARD {
        (ch.up_first[v as usize], ch.up(v))
    } else {
        (ch.down_first[v as usize], ch.down(v))
    };
    for (i, a) in arcs.iter().enumerate() {
        // An arc that cannot lead to a better meeting is not queued at all.
        let nd = d + a.weight();
        if nd < best.0 {
            s.relax::<S, PATH>(a.node, nd, first + i as u32);
        }
    }
}

/// Upward search space of one side: every settled node (search id) with its weight.
pub(crate) fn upward_space(
    ch: &ContractionHierarchy,
    starts: &[Endpoint],
    forward: bool,
    settled: impl FnMut(u32, Weight),
) {
    with_searches(ch.search_id.len(), |s| {
        if forward {
            sweep::<FORWARD>(ch, s, starts, settled);
        } else {
            sweep::<BACKWARD>(ch, s, starts, settled);
        }
    })
}

fn sweep<const S: usize>(
    ch: &ContractionHierarchy,
    s: &mut Searches,
    starts: &[Endpoint],
    mut settled: impl FnMut(u32, Weight),
) {
    for e in starts {
        s.relax::<S, false>(ch.node(e.node), e.weight, START);
    }
    while let Some((d, v)) = s.pop::<S>() {
        let stall_arcs = if S == FORWARD { ch.down(v) } else { ch.up(v) };
        // Stall-on-demand: v is reached more cheaply from above, so no bucket entry.
        if stall_arcs
            .iter()
            .any(|a| s.dist::<S>(a.node).saturating_add(a.weight()) < d)
        {
            continue;
        }
        settled(v, d);
        let arcs = if S == FORWARD { ch.up(v) } else { ch.down(v) };
        for a in arcs {
            s.relax::<S, false>(a.node, d + a.weight(), START);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::build_network;
    use crate::ch::contract::contract;
    use crate::dijkstra;
    use crate::network::RoadNetwork;
    use crate::osm::reader::read_roads;
    use crate::search_space::SearchSpace;
    use crate::turns::TURN;
    use rand::{Rng, SeedableRng};

    fn monaco() -> RoadNetwork {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/osm/monaco.osm.pbf");
        let roads = read_roads(&path).expect("monaco extract");
        build_network(&roads, true).0
    }

    fn at(node: u32) -> [Endpoint; 1] {
        [Endpoint {
            node,
            weight: 0,
            dir: 0,
        }]
    }

    /// Unpacked paths (arcs found back from the labels' arc positions, shortcuts
    /// expanded) are chains of road edges from source to target whose weights add up to
    /// the query's weight, which is Dijkstra's.
    #[test]
    fn unpacked_paths_are_connected_and_weigh_the_query_weight() {
        let net = monaco();
        let ch = contract(&net, &|_, _| {});
        let mut space = SearchSpace::new(net.node_count());
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let n = net.node_count() as u32;
        let mut found = 0;
        for _ in 0..300 {
            let (s, t) = (rng.random_range(0..n), rng.random_range(0..n));
            space.reset();
            let baseline = dijkstra::shortest_path(&net, &mut space, &at(s), &at(t));
            let path = shortest_path(&ch, &at(s), &at(t));
            assert_eq!(path.as_ref().map(|p| p.weight), baseline.map(|p| p.weight));
            let Some(path) = path else {
                continue; // copies of restricted junctions need not reach each other
            };
            found += 1;
            assert_eq!(shortest_weight(&ch, &at(s), &at(t)), Some(path.weight));
            let roads: Vec<u32> = path.edges.iter().copied().filter(|&d| d != TURN).collect();
            let weight: Weight = roads
                .iter()
                .map(|&d| {
                    let e = &net.edges[(d >> 1) as usize];
                    if d & 1 == 0 {
                        e.forward
                    } else {
                        e.backward
                    }
                })
                .sum();
            assert_eq!(weight, path.weight, "{s} -> {t}");
            // Junction at each end of an edge direction, as driven.
            let ends = |d: u32| {
                let e = &net.edges[(d >> 1) as usize];
                if d & 1 == 0 {
                    (e.from, e.to)
                } else {
                    (e.to, e.from)
                }
            };
            for w in roads.windows(2) {
                assert_eq!(ends(w[0]).1, ends(w[1]).0, "{s} -> {t}");
            }
            if let (Some(&first), Some(&last)) = (roads.first(), roads.last()) {
                let junction = |v: u32| net.coords[v as usize];
                assert_eq!(junction(ends(first).0), junction(s));
                assert_eq!(junction(ends(last).1), junction(t));
            }
        }
        assert!(found >= 250, "only {found} of 300 pairs connected");
    }
}
