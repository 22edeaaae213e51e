//! Hub labels computed from the contraction hierarchy ("CH-based hub labels", Abraham,
//! Delling, Goldberg, Werneck 2011/2012), for one-to-one queries without a search.
//!
//! Every node gets a forward label, the sorted `(hub, weight)` list of its pruned upward
//! search space over `up` arcs, and a backward label, the same over `down` arcs. Any
//! shortest path has a highest-ranked node that is a hub of both the source's forward and
//! the target's backward label at its exact distance, so the shortest weight is the
//! minimum of `forward[hub] + backward[hub]` over the common hubs, found by one pass over
//! each short label (Liechtenstein: 16 entries on average). Why: a plain CH query on a
//! stream of distinct pairs pays cold caches and mispredicted branches for its ~38
//! settled nodes and ~65 relaxations (about 2.5× its time when repeated); a label query
//! reads a few consecutive cache lines and takes no data-dependent branch.
//!
//! Construction goes from the top of the hierarchy down, one level at a time (a node's
//! level is one more than the highest level among the nodes its arcs lead up to, so
//! nodes of one level only read labels of finished levels and are built in parallel).
//! A node's candidate label is itself at weight 0 merged with the labels of the nodes its
//! arcs lead to, plus the arc weight, keeping the smallest weight per hub; an entry whose
//! weight is above the true distance to its hub (a label query between the candidate and
//! the hub's opposite label, already final) is pruned. Weights are the packed
//! (milliseconds, decimetres) [`Weight`] of the hierarchy, so the minimum is the same
//! lexicographic optimum as Dijkstra's and the CH query's, ties included.
//!
//! Written by hand: no crate builds hub labels from a contraction hierarchy, let alone
//! ours with its packed weights. Labels are built on import and load (not stored in the
//! graph file) and skipped when they would exceed a memory budget: label size grows with
//! the graph (hundreds of hubs per node on a country), and the CH query still answers.

mod build;
#[cfg(test)]
mod tests;

use super::ContractionHierarchy;
use crate::endpoints::Endpoint;
use crate::weight::{Weight, INFINITE};
use std::cell::RefCell;
use std::time::Duration;

thread_local! {
    /// Per node (search id), the best weight from the sources of the running query
    /// through it as a hub ([`INFINITE`] outside a query); see
    /// [`HubLabels::shortest_weight`].
    static SOURCE_HUBS: RefCell<Vec<Weight>> = const { RefCell::new(Vec::new()) };
}

/// Default memory budget of the labels (512 MiB).
pub(crate) const DEFAULT_BUDGET_BYTES: usize = 512 << 20;

/// Bytes per label entry: a `u32` hub and a `u64` weight.
pub(crate) const ENTRY_BYTES: usize = 12;

/// The labels of one direction, flat: the label of search-graph node `v` is
/// `hub[first[v]..first[v + 1]]` with the weights at the same positions, hubs ascending.
/// Hubs are search ids (the top of the hierarchy in one block, the rest along a Hilbert
/// curve, so a label's low hubs lie near each other in the query's per-hub array).
/// Hubs and weights interleaved in 12-byte entries measured the same on Liechtenstein.
#[derive(Debug, Clone, Default, PartialEq)]
struct Side {
    first: Vec<u32>,
    hub: Vec<u32>,
    weight: Vec<Weight>,
}

impl Side {
    /// The label of search-graph node `v`: hubs (ascending) and their weights.
    #[inline(always)]
    fn label(&self, v: u32) -> (&[u32], &[Weight]) {
        let (a, b) = (
            self.first[v as usize] as usize,
            self.first[v as usize + 1] as usize,
        );
        (&self.hub[a..b], &self.weight[a..b])
    }

    fn memory_bytes(&self) -> usize {
        self.first.len() * 4 + self.hub.len() * ENTRY_BYTES
    }
}

/// Size and build time of a set of hub labels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HubLabelStats {
    /// Entries of all forward and backward labels.
    pub entries: usize,
    /// Mean entries per label (forward and backward labels together).
    pub mean_label_len: f64,
    /// Bytes held by the label arrays.
    pub memory_bytes: usize,
    /// Time to build them from the hierarchy.
    pub build_time: Duration,
}

/// Forward and backward hub labels of every node of a hierarchy's search graph.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HubLabels {
    forward: Side,
    backward: Side,
    stats: HubLabelStats,
}

/// Why labels were not built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Skipped {
    /// They would need more memory than the budget.
    OverBudget {
        /// Bytes the labels of the levels built so far already needed.
        bytes: usize,
        /// The budget.
        budget: usize,
    },
    /// The arcs towards higher nodes form a cycle (only a damaged or foreign graph file
    /// that passed the checks could have one): there is no top to build down from.
    NotAHierarchy,
}

/// Smallest `through[hub] + weight + offset` over the entries of a backward label
/// ([`INFINITE`] if `through` reaches none of its hubs).
#[inline(always)]
fn min_through(through: &[Weight], hubs: &[u32], weights: &[Weight], offset: Weight) -> Weight {
    let mut best = INFINITE;
    for (&h, &w) in hubs.iter().zip(weights) {
        best = best.min(through[h as usize].saturating_add(w + offset));
    }
    best
}

impl HubLabels {
    /// Size and build time.
    pub fn stats(&self) -> HubLabelStats {
        self.stats
    }

    /// Bytes held by the label arrays.
    pub fn memory_bytes(&self) -> usize {
        self.stats.memory_bytes
    }

    /// Weight of the shortest path between endpoint lists (network node ids with their
    /// partial weights), the same as [`super::query::shortest_weight`]: the minimum over
    /// endpoint pairs and common hubs of `offsets + forward[hub] + backward[hub]`.
    ///
    /// Not a sorted merge per endpoint pair: the source labels' weights (plus offsets)
    /// are scattered into a per-thread array indexed by hub, the target labels look
    /// their hubs up in it, and the source entries are reset. Measured on Liechtenstein
    /// (stream of distinct pairs, `travel` included): 0.67 µs with four merges (each
    /// step's loads wait on the previous comparison, and the loop exits mispredict),
    /// 0.32–0.38 µs this way, where every load and store is independent. The array costs
    /// 8 bytes per node per querying thread, a third of the hierarchy search's state.
    pub fn shortest_weight(
        &self,
        ch: &ContractionHierarchy,
        sources: &[Endpoint],
        targets: &[Endpoint],
    ) -> Option<Weight> {
        let best = self.with_sources(ch, sources, |through| {
            let mut best = INFINITE;
            for t in targets {
                let (h, w) = self.backward.label(ch.node(t.node));
                best = best.min(min_through(through, h, w, t.weight));
            }
            best
        });
        (best != INFINITE).then_some(best)
    }

    /// Runs `f` with this thread's array of, per hub (search id), the smallest weight
    /// from `sources` to it by their forward labels ([`INFINITE`] for other nodes), and
    /// clears it afterwards.
    fn with_sources<R>(
        &self,
        ch: &ContractionHierarchy,
        sources: &[Endpoint],
        f: impl FnOnce(&[Weight]) -> R,
    ) -> R {
        let run = |through: &mut Vec<Weight>| {
            let n = ch.search_id.len();
            if through.len() < n {
                through.resize(n, INFINITE);
            }
            for s in sources {
                let (h, w) = self.forward.label(ch.node(s.node));
                for (&h, &w) in h.iter().zip(w) {
                    let slot = &mut through[h as usize];
                    *slot = (*slot).min(w + s.weight);
                }
            }
            let out = f(through);
            for s in sources {
                for &h in self.forward.label(ch.node(s.node)).0 {
                    through[h as usize] = INFINITE;
                }
            }
            out
        };
        SOURCE_HUBS.with(|cell| match cell.try_borrow_mut() {
            Ok(mut through) => run(&mut through),
            // Only if `f` itself started a label query on this thread.
            Err(_) => run(&mut Vec::new()),
        })
    }

    /// Forward label of search-graph node `v`: hubs ascending and weights.
    #[cfg(test)]
    pub fn forward(&self, v: u32) -> (&[u32], &[Weight]) {
        self.forward.label(v)
    }

    /// Backward label of search-graph node `v`: hubs ascending and weights.
    #[cfg(test)]
    pub fn backward(&self, v: u32) -> (&[u32], &[Weight]) {
        self.backward.label(v)
    }
}
