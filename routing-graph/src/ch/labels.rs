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

use super::ContractionHierarchy;
use crate::endpoints::Endpoint;
use crate::weight::{Weight, INFINITE};
use rayon::prelude::*;
use std::cell::RefCell;
use std::time::{Duration, Instant};

thread_local! {
    /// Per node (search id), the best weight from the sources of the running query
    /// through it as a hub ([`INFINITE`] outside a query); see
    /// [`HubLabels::shortest_weight`].
    static SOURCE_HUBS: RefCell<Vec<Weight>> = const { RefCell::new(Vec::new()) };
}

/// Default memory budget of the labels (512 MiB).
pub(crate) const DEFAULT_BUDGET_BYTES: usize = 512 << 20;

/// Bytes per label entry: a `u32` hub and a `u64` weight.
const ENTRY_BYTES: usize = 12;

/// The labels of one direction, flat: the label of search-graph node `v` is
/// `hub[first[v]..first[v + 1]]` with the weights at the same positions, hubs ascending.
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

    fn from_labels(labels: Vec<Label>) -> Self {
        let total: usize = labels.iter().map(|l| l.hub.len()).sum();
        let mut side = Side {
            first: Vec::with_capacity(labels.len() + 1),
            hub: Vec::with_capacity(total),
            weight: Vec::with_capacity(total),
        };
        side.first.push(0);
        for l in labels {
            side.hub.extend_from_slice(&l.hub);
            side.weight.extend_from_slice(&l.weight);
            side.first.push(side.hub.len() as u32);
        }
        side
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
pub(crate) struct OverBudget {
    /// Bytes the labels of the levels built so far already needed.
    pub bytes: usize,
    /// The budget.
    pub budget: usize,
}

/// A label under construction: hubs ascending, weights at the same positions.
#[derive(Debug, Clone, Default, PartialEq)]
struct Label {
    hub: Vec<u32>,
    weight: Vec<Weight>,
}

impl Label {
    /// The label of `entries`: the smallest weight per hub, hubs ascending.
    fn from_entries(mut entries: Vec<(u32, Weight)>) -> Self {
        entries.sort_unstable();
        // Sorted by (hub, weight): the first entry of each hub has its smallest weight.
        entries.dedup_by_key(|e| e.0);
        Label {
            hub: entries.iter().map(|e| e.0).collect(),
            weight: entries.iter().map(|e| e.1).collect(),
        }
    }
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
    /// Builds the labels of `ch`, or gives up as soon as they need more than
    /// `budget_bytes`.
    pub fn build(ch: &ContractionHierarchy, budget_bytes: usize) -> Result<Self, OverBudget> {
        let t = Instant::now();
        let n = ch.search_id.len();
        let mut forward = vec![Label::default(); n];
        let mut backward = vec![Label::default(); n];
        // Offsets of both sides, then entries as levels are added.
        let mut bytes = 2 * (n + 1) * 4;
        for level in levels(ch) {
            let built: Vec<(Label, Label)> = level
                .par_iter()
                .map(|&v| {
                    let f = candidate(v, ch.up(v).iter().map(|a| (a.node, a.weight())), &forward);
                    let b = candidate(
                        v,
                        ch.down(v).iter().map(|a| (a.node, a.weight())),
                        &backward,
                    );
                    // Forward entry (h, d): the true v -> h distance meets at a hub of
                    // h's backward label; backward entry (h, d): h -> v, h's forward label.
                    let f = prune(f, |h| &backward[h as usize], true);
                    let b = prune(b, |h| &forward[h as usize], false);
                    (f, b)
                })
                .collect();
            for (&v, (f, b)) in level.iter().zip(built) {
                bytes += (f.hub.len() + b.hub.len()) * ENTRY_BYTES;
                forward[v as usize] = f;
                backward[v as usize] = b;
            }
            if bytes > budget_bytes || bytes / ENTRY_BYTES > u32::MAX as usize {
                return Err(OverBudget {
                    bytes,
                    budget: budget_bytes,
                });
            }
        }
        let (forward, backward) = (Side::from_labels(forward), Side::from_labels(backward));
        let entries = forward.hub.len() + backward.hub.len();
        let stats = HubLabelStats {
            entries,
            mean_label_len: entries as f64 / (2 * n).max(1) as f64,
            memory_bytes: forward.memory_bytes() + backward.memory_bytes(),
            build_time: t.elapsed(),
        };
        Ok(Self {
            forward,
            backward,
            stats,
        })
    }

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

/// Smallest `aw[i] + bw[j]` over `ah[i] == bh[j]` ([`INFINITE`] if no hub is common):
/// the label query by sorted merge, used while building (the candidate label is not
/// final, so it cannot be scattered once). Both hub lists ascend. Branch-free but for
/// the loop: the advance of each side and the minimum are arithmetic, since whether the
/// next hubs match is unpredictable.
#[inline(always)]
fn min_sum(ah: &[u32], aw: &[Weight], bh: &[u32], bw: &[Weight]) -> Weight {
    let (aw, bw) = (&aw[..ah.len()], &bw[..bh.len()]);
    let (mut i, mut j, mut best) = (0, 0, INFINITE);
    while i < ah.len() && j < bh.len() {
        let (x, y) = (ah[i], bh[j]);
        let sum = aw[i].saturating_add(bw[j]);
        best = if x == y { best.min(sum) } else { best };
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    best
}

/// `v` at weight 0 and the labels of the nodes its arcs lead to plus the arc weights,
/// the smallest weight per hub, hubs ascending.
fn candidate(v: u32, arcs: impl Iterator<Item = (u32, Weight)>, labels: &[Label]) -> Label {
    let mut entries: Vec<(u32, Weight)> = vec![(v, 0)];
    for (w, c) in arcs {
        let l = &labels[w as usize];
        entries.extend(l.hub.iter().zip(&l.weight).map(|(&h, &d)| (h, d + c)));
    }
    Label::from_entries(entries)
}

/// Drops the entries of `label` whose weight exceeds the true distance to their hub: a
/// label query between `label` and `opposite(hub)`, the hub's final label of the other
/// direction (`label` is a forward label if `forward`).
fn prune<'a>(label: Label, opposite: impl Fn(u32) -> &'a Label, forward: bool) -> Label {
    let keep: Vec<bool> = label
        .hub
        .iter()
        .zip(&label.weight)
        .map(|(&h, &d)| {
            let o = opposite(h);
            let best = if forward {
                min_sum(&label.hub, &label.weight, &o.hub, &o.weight)
            } else {
                min_sum(&o.hub, &o.weight, &label.hub, &label.weight)
            };
            best >= d
        })
        .collect();
    let mut out = Label::default();
    for ((h, d), k) in label.hub.into_iter().zip(label.weight).zip(keep) {
        if k {
            out.hub.push(h);
            out.weight.push(d);
        }
    }
    out
}

/// The search graph's nodes by level, top first: level 0 has no arc up (neither in `up`
/// nor in `down`), a node's level is one more than the highest among the nodes its arcs
/// lead to. Kahn's algorithm over the arcs reversed.
fn levels(ch: &ContractionHierarchy) -> Vec<Vec<u32>> {
    let n = ch.search_id.len();
    let higher = |v: u32| ch.up(v).iter().chain(ch.down(v)).map(|a| a.node);
    // Lower neighbours of each node, in CSR form.
    let mut first = vec![0u32; n + 1];
    for v in 0..n as u32 {
        for w in higher(v) {
            first[w as usize + 1] += 1;
        }
    }
    for i in 0..n {
        first[i + 1] += first[i];
    }
    let mut fill = first.clone();
    let mut lower = vec![0u32; first[n] as usize];
    let mut waiting: Vec<u32> = vec![0; n];
    let mut level = vec![0u32; n];
    let mut ready = Vec::new();
    for v in 0..n as u32 {
        for w in higher(v) {
            lower[fill[w as usize] as usize] = v;
            fill[w as usize] += 1;
            waiting[v as usize] += 1;
        }
        if waiting[v as usize] == 0 {
            ready.push(v);
        }
    }
    let mut head = 0;
    while let Some(&w) = ready.get(head) {
        head += 1;
        for &v in &lower[first[w as usize] as usize..first[w as usize + 1] as usize] {
            level[v as usize] = level[v as usize].max(level[w as usize] + 1);
            waiting[v as usize] -= 1;
            if waiting[v as usize] == 0 {
                ready.push(v);
            }
        }
    }
    debug_assert_eq!(ready.len(), n, "the hierarchy's arcs form no cycle");
    let depth = level.iter().max().map_or(0, |&l| l as usize + 1);
    let mut out = vec![Vec::new(); depth];
    for v in 0..n as u32 {
        out[level[v as usize] as usize].push(v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::build_network;
    use crate::ch::contract::contract;
    use crate::ch::{query, ChArc, UpArc, ORIGINAL};
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
        assert!(HubLabels::build(&ch, 0).is_err());
    }

    /// On Monaco: every label is sorted by hub without duplicates, holds its own node at
    /// weight 0, and label queries equal the hierarchy's query between random nodes,
    /// with one or two endpoints per side at partial weights.
    #[test]
    fn monaco_labels_are_sorted_and_equal_the_hierarchy_query() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/osm/monaco.osm.pbf");
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
}
