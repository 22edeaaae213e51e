//! Construction of the hub labels from the hierarchy, top level first (see the parent
//! module).

use super::{HubLabelStats, HubLabels, Side, Skipped, ENTRY_BYTES};
use crate::ch::ContractionHierarchy;
use crate::weight::{Weight, INFINITE};
use rayon::prelude::*;
use std::time::Instant;

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

impl Side {
    /// The flat form of one label per node.
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
}

impl HubLabels {
    /// Builds the labels of `ch`, or gives up as soon as they need more than
    /// `budget_bytes` (or if `ch` is not a hierarchy).
    pub fn build(ch: &ContractionHierarchy, budget_bytes: usize) -> Result<Self, Skipped> {
        let t = Instant::now();
        let n = ch.search_id.len();
        let mut forward = vec![Label::default(); n];
        let mut backward = vec![Label::default(); n];
        // Offsets of both sides, then entries as levels are added.
        let mut bytes = 2 * (n + 1) * 4;
        for level in levels(ch).ok_or(Skipped::NotAHierarchy)? {
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
                return Err(Skipped::OverBudget {
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
/// lead to. Kahn's algorithm over the arcs reversed; `None` if the arcs form a cycle.
fn levels(ch: &ContractionHierarchy) -> Option<Vec<Vec<u32>>> {
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
    if ready.len() != n {
        return None; // the nodes left wait on each other
    }
    let depth = level.iter().max().map_or(0, |&l| l as usize + 1);
    let mut out = vec![Vec::new(); depth];
    for v in 0..n as u32 {
        out[level[v as usize] as usize].push(v);
    }
    Some(out)
}
