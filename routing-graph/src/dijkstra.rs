//! Plain Dijkstra on the road network: the baseline the contraction hierarchy is
//! checked and benchmarked against.

use crate::endpoints::Endpoint;
use crate::network::{EdgeDir, RoadNetwork};
use crate::search_space::{SearchSpace, INIT};
use crate::weight::{add, Weight, INFINITE};

/// A path found between endpoint lists.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NodePath {
    /// Total weight, endpoints' partial edges included.
    pub weight: Weight,
    /// Index of the source endpoint used.
    pub source: usize,
    /// Index of the target endpoint used.
    pub target: usize,
    /// Full edges between them, in travel order.
    pub edges: Vec<EdgeDir>,
}

/// Shortest path from any source endpoint to any target endpoint.
pub(crate) fn shortest_path(
    net: &RoadNetwork,
    space: &mut SearchSpace,
    sources: &[Endpoint],
    targets: &[Endpoint],
) -> Option<NodePath> {
    for (k, s) in sources.iter().enumerate() {
        space.relax(s.node, s.weight, (INIT - k as u32, INIT));
    }
    let mut best = INFINITE;
    let mut best_at: Option<(u32, usize)> = None;
    while let Some((d, v)) = space.pop() {
        if d >= best {
            break;
        }
        for (k, t) in targets.iter().enumerate() {
            if t.node == v && add(d, t.weight) < best {
                best = add(d, t.weight);
                best_at = Some((v, k));
            }
        }
        for arc in net.out(v) {
            space.relax(arc.head, d + arc.weight, (v, arc.edge_dir));
        }
    }
    let (mut v, target) = best_at?;
    let mut edges = Vec::new();
    loop {
        let (parent, dir) = space.parent(v);
        if dir == INIT {
            edges.reverse();
            return Some(NodePath {
                weight: best,
                source: (INIT - parent) as usize,
                target,
                edges,
            });
        }
        edges.push(dir);
        v = parent;
    }
}
