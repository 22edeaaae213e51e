//! Turn restrictions on the node-based graph, by expanding only the restricted junctions.
//!
//! A junction with at least one restriction is replaced by one *in-copy* per edge
//! direction arriving there and one *out-copy* per edge direction leaving it, joined by
//! zero-weight turn arcs for exactly the allowed turns (in-copy of `a` → out-copy of `b`).
//! Every other junction stays one node, so the graph grows only by a few nodes per
//! restriction, and Dijkstra, the contraction hierarchy and the matrices need no change:
//! a forbidden turn simply has no arc. Searches start at the node an edge direction
//! arrives at ([`RoadNetwork::dir_head`](crate::network::RoadNetwork)) and end at the
//! node it leaves from (`dir_tail`), which are the copies at expanded junctions.

use crate::network::{edge_dir, EdgeDir, RoadEdge};
use crate::osm::restriction::{RestrictionKind, TurnRestriction};
use crate::weight::INFINITE;
use std::collections::{BTreeMap, HashMap};

/// Marks a turn arc (inside an expanded junction) where an [`EdgeDir`] is expected.
pub(crate) const TURN: EdgeDir = u32::MAX - 1;

/// Forbidden `(arriving, leaving)` edge directions at each restricted junction.
pub(crate) type ForbiddenTurns = BTreeMap<u32, Vec<(EdgeDir, EdgeDir)>>;

/// What became of the restrictions read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct TurnStats {
    /// Restrictions applied.
    pub applied: usize,
    /// Restrictions whose ways or via node are not (or not joined) in the graph.
    pub unresolved: usize,
    /// Restrictions left out because they would leave an arriving road without any exit.
    pub dead_ends: usize,
}

/// Whether edge direction `d` may be driven (loops never are part of a path).
pub(crate) fn drivable(edges: &[RoadEdge], d: EdgeDir) -> bool {
    let e = &edges[(d >> 1) as usize];
    let w = if d & 1 == 0 { e.forward } else { e.backward };
    e.from != e.to && w != INFINITE
}

/// `(tail, head)` junctions of an edge direction.
fn ends(edges: &[RoadEdge], d: EdgeDir) -> (u32, u32) {
    let e = &edges[(d >> 1) as usize];
    if d & 1 == 0 {
        (e.from, e.to)
    } else {
        (e.to, e.from)
    }
}

/// Resolves OSM restrictions to forbidden turns between edge directions.
///
/// `edge_way[e]` is the OSM way of edge `e`, `junction_osm[v]` the OSM node of junction `v`.
pub(crate) fn resolve(
    restrictions: &[TurnRestriction],
    edges: &[RoadEdge],
    edge_way: &[i64],
    junction_osm: &[i64],
) -> (ForbiddenTurns, TurnStats) {
    let mut stats = TurnStats::default();
    let junction: HashMap<i64, u32> = junction_osm
        .iter()
        .enumerate()
        .map(|(v, &id)| (id, v as u32))
        .collect();
    let mut way_edges: HashMap<i64, Vec<u32>> = HashMap::new();
    for (e, &way) in edge_way.iter().enumerate() {
        way_edges.entry(way).or_default().push(e as u32);
    }
    let mut leaving: HashMap<u32, Vec<EdgeDir>> = HashMap::new();
    let dirs = |way: i64, via: u32, arriving: bool| -> Vec<EdgeDir> {
        let list = way_edges.get(&way).map_or(&[][..], Vec::as_slice);
        list.iter()
            .flat_map(|&e| [edge_dir(e, false), edge_dir(e, true)])
            .filter(|&d| {
                let (tail, head) = ends(edges, d);
                drivable(edges, d) && via == if arriving { head } else { tail }
            })
            .collect()
    };
    // Per junction, per arriving direction: the restrictions' forbidden exits.
    let mut candidates: BTreeMap<u32, BTreeMap<EdgeDir, Vec<EdgeDir>>> = BTreeMap::new();
    let mut per_from: BTreeMap<(u32, EdgeDir), Vec<usize>> = BTreeMap::new();
    for (k, r) in restrictions.iter().enumerate() {
        let Some(&via) = junction.get(&r.via_node) else {
            stats.unresolved += 1;
            continue;
        };
        let (from, to) = (dirs(r.from_way, via, true), dirs(r.to_way, via, false));
        if from.is_empty() || to.is_empty() {
            stats.unresolved += 1;
            continue;
        }
        let exits = leaving.entry(via).or_insert_with(|| {
            let mut out: Vec<EdgeDir> = (0..edges.len() as u32 * 2)
                .filter(|&d| drivable(edges, d) && ends(edges, d).0 == via)
                .collect();
            out.sort_unstable();
            out
        });
        let forbidden: Vec<EdgeDir> = match r.kind {
            RestrictionKind::No => to,
            RestrictionKind::Only => exits.iter().copied().filter(|d| !to.contains(d)).collect(),
        };
        for a in from {
            candidates
                .entry(via)
                .or_default()
                .entry(a)
                .or_default()
                .extend(&forbidden);
            per_from.entry((via, a)).or_default().push(k);
        }
    }
    // Drop the restrictions of an arriving direction that would have no exit left.
    let mut dropped = vec![false; restrictions.len()];
    let mut out = ForbiddenTurns::new();
    for (via, by_from) in candidates {
        let exits = leaving.get(&via).map_or(&[][..], Vec::as_slice);
        for (a, mut forbidden) in by_from {
            forbidden.sort_unstable();
            forbidden.dedup();
            if exits.iter().all(|d| forbidden.contains(d)) {
                for &k in per_from.get(&(via, a)).map_or(&[][..], Vec::as_slice) {
                    dropped[k] = true;
                }
                continue;
            }
            out.entry(via)
                .or_default()
                .extend(forbidden.into_iter().map(|b| (a, b)));
        }
    }
    let resolved = restrictions.len() - stats.unresolved;
    stats.dead_ends = dropped.iter().filter(|d| **d).count();
    stats.applied = resolved - stats.dead_ends;
    (out, stats)
}
