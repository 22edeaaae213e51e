//! One-to-one queries: bidirectional upward Dijkstra with stall-on-demand.

use super::ContractionHierarchy;
use crate::dijkstra::NodePath;
use crate::endpoints::Endpoint;
use crate::search_space::{SearchSpace, INIT};
use crate::weight::{add, Weight, INFINITE};

/// Shortest path between endpoint lists (its edges only if `with_path`); `fwd` and
/// `bwd` must be clean search spaces.
pub(crate) fn shortest_path(
    ch: &ContractionHierarchy,
    fwd: &mut SearchSpace,
    bwd: &mut SearchSpace,
    sources: &[Endpoint],
    targets: &[Endpoint],
    with_path: bool,
) -> Option<NodePath> {
    for (k, s) in sources.iter().enumerate() {
        fwd.relax(ch.node(s.node), s.weight, (INIT - k as u32, INIT));
    }
    for (k, t) in targets.iter().enumerate() {
        bwd.relax(ch.node(t.node), t.weight, (INIT - k as u32, INIT));
    }
    let mut best = INFINITE;
    let mut meeting = None;
    loop {
        let (fk, bk) = (fwd.min_key(), bwd.min_key());
        if fk.min(bk) >= best {
            break;
        }
        let forward = fk <= bk;
        let (this, other) = if forward {
            (&mut *fwd, &*bwd)
        } else {
            (&mut *bwd, &*fwd)
        };
        let Some((d, v)) = this.pop() else { continue }; // only stale entries were left
        let total = add(d, other.dist(v));
        if total < best {
            best = total;
            meeting = Some(v);
        }
        let (relax_arcs, stall_arcs) = if forward {
            (ch.up(v), ch.down(v))
        } else {
            (ch.down(v), ch.up(v))
        };
        if stall_arcs
            .iter()
            .any(|a| add(this.dist(a.node), a.weight) < d)
        {
            continue; // stall-on-demand: v is reached more cheaply from above
        }
        for a in relax_arcs {
            this.relax(a.node, d + a.weight, (v, a.arc));
        }
    }
    let m = meeting?;
    let mut edges = Vec::new();
    // Forward half: walk back to the source, then unpack in travel order.
    let mut arcs = Vec::new();
    let mut v = m;
    let source = loop {
        let (p, arc) = fwd.parent(v);
        if arc == INIT {
            break (INIT - p) as usize;
        }
        if with_path {
            arcs.push(arc);
        }
        v = p;
    };
    for &arc in arcs.iter().rev() {
        ch.unpack(arc, &mut edges);
    }
    // Backward half: parents lead towards the target, already in travel order.
    let mut v = m;
    let target = loop {
        let (p, arc) = bwd.parent(v);
        if arc == INIT {
            break (INIT - p) as usize;
        }
        if with_path {
            ch.unpack(arc, &mut edges);
        }
        v = p;
    };
    Some(NodePath {
        weight: best,
        source,
        target,
        edges,
    })
}

/// Upward search space of one side: every non-stalled settled node (rank id) with its
/// weight.
pub(crate) fn upward_space(
    ch: &ContractionHierarchy,
    space: &mut SearchSpace,
    starts: &[Endpoint],
    forward: bool,
    mut settled: impl FnMut(u32, Weight),
) {
    for s in starts {
        space.relax(ch.node(s.node), s.weight, (INIT, INIT));
    }
    while let Some((d, v)) = space.pop() {
        let (relax_arcs, stall_arcs) = if forward {
            (ch.up(v), ch.down(v))
        } else {
            (ch.down(v), ch.up(v))
        };
        if stall_arcs
            .iter()
            .any(|a| add(space.dist(a.node), a.weight) < d)
        {
            continue;
        }
        settled(v, d);
        for a in relax_arcs {
            space.relax(a.node, d + a.weight, (v, a.arc));
        }
    }
}
