//! Search state of the hierarchy's upward searches, kept per thread and reused.
//!
//! Both directions of a query share one 16-byte label per node (the tentative weights
//! of the forward and the backward search), so that checking whether the other search
//! has reached a node touches the cache line just loaded. A query remembers the nodes it
//! touched and resets only those afterwards, so labels need no round stamp; the arcs
//! nodes were reached by are kept in a separate array, written only when the path is
//! wanted. Four labels share a cache line: on a stream of distinct queries most labels
//! come from the L2 cache. Each direction queues `(weight, node)` in a [`Queue`], an
//! array kept sorted, with lazy deletion (a popped entry whose weight is no longer the
//! node's is skipped). Hand-written: upward searches settle a few dozen nodes, where
//! the generic `BinaryHeap` and a pool behind a mutex were most of a query's time.

use crate::weight::{Weight, INFINITE};
use std::cell::RefCell;

/// `via` marker of a start node: start index `k` is stored as `START - k`.
pub(crate) const START: u32 = u32::MAX;
/// Side of the forward search (from the sources, upward arcs).
pub(crate) const FORWARD: usize = 0;
/// Side of the backward search (from the targets, downward arcs reversed).
pub(crate) const BACKWARD: usize = 1;

const UNREACHED: [Weight; 2] = [INFINITE; 2];

/// Tentative weights, the arcs nodes were reached by and the queues of a forward and a
/// backward upward search.
#[derive(Debug, Default)]
pub(crate) struct Searches {
    /// Per node, the tentative weight of each side ([`INFINITE`] when not reached).
    dist: Vec<[Weight; 2]>,
    /// Per node and side, the arc it was reached by (only for path queries).
    via: Vec<[u32; 2]>,
    /// Nodes whose label this query set.
    touched: Vec<u32>,
    queues: [Queue; 2],
}

impl Searches {
    /// Forgets the previous query; the arrays grow to `n` nodes if needed.
    fn reset(&mut self, n: usize) {
        self.queues.iter_mut().for_each(Queue::clear);
        for v in self.touched.drain(..) {
            self.dist[v as usize] = UNREACHED;
        }
        if self.dist.len() < n {
            self.dist.resize(n, UNREACHED);
            self.via.resize(n, [START; 2]);
        }
    }

    /// Tentative weight of `v` on side `S` ([`INFINITE`] if not reached).
    #[inline(always)]
    pub fn dist<const S: usize>(&self, v: u32) -> Weight {
        self.dist[v as usize][S]
    }

    /// Sum of both sides' tentative weights of `v` ([`INFINITE`] unless both reached it).
    #[inline(always)]
    pub fn total(&self, v: u32) -> Weight {
        let l = &self.dist[v as usize];
        l[0].saturating_add(l[1])
    }

    /// The arc (position in the search graph's arc array of side `S`) `v` was reached
    /// by, or `START - k` for the `k`-th start node; only set by `relax::<S, true>`.
    #[inline]
    pub fn via<const S: usize>(&self, v: u32) -> u32 {
        self.via[v as usize][S]
    }

    /// Sets `v` to `d` on side `S` and queues it, if `d` improves on it; with `PATH`,
    /// also records that `v` was reached by `via`.
    #[inline(always)]
    pub fn relax<const S: usize, const PATH: bool>(&mut self, v: u32, d: Weight, via: u32) {
        let l = &mut self.dist[v as usize];
        if d >= l[S] {
            return;
        }
        if *l == UNREACHED {
            self.touched.push(v);
        }
        l[S] = d;
        if PATH {
            self.via[v as usize][S] = via;
        }
        self.queues[S].push(d, v);
    }

    /// Smallest queued weight of side `S` ([`INFINITE`] when its queue is empty).
    #[inline(always)]
    pub fn min_key<const S: usize>(&self) -> Weight {
        self.queues[S].min_key()
    }

    /// Pops the next node of side `S` whose queued weight is still current.
    #[inline]
    pub fn pop<const S: usize>(&mut self) -> Option<(Weight, u32)> {
        while let Some(top) = self.queues[S].pop() {
            if top.0 == self.dist::<S>(top.1) {
                return Some(top);
            }
        }
        None
    }
}

/// A priority queue for small searches: entries sorted by ascending weight, popped
/// entries left in place before `head`. A new entry moves in from the end past the few
/// entries heavier than it (a search's new weights are mostly among the heaviest), and
/// the minimum is the entry at `head`. On a stream of distinct queries this beat a
/// 4-ary heap by about a tenth: the heap's sift-down compares went a different way at
/// every pop, and those branches were mispredicted. Pushes cost O(queue length) in the
/// worst case, fine for upward searches, whose queues stay short.
#[derive(Debug, Default)]
struct Queue {
    entries: Vec<(Weight, u32)>,
    head: usize,
}

impl Queue {
    fn clear(&mut self) {
        self.entries.clear();
        self.head = 0;
    }

    #[inline(always)]
    fn min_key(&self) -> Weight {
        self.entries.get(self.head).map_or(INFINITE, |e| e.0)
    }

    #[inline(always)]
    fn push(&mut self, d: Weight, v: u32) {
        let q = &mut self.entries;
        let mut i = q.len();
        q.push((d, v));
        while i > self.head && q[i - 1].0 > d {
            q[i] = q[i - 1];
            i -= 1;
        }
        q[i] = (d, v);
    }

    #[inline(always)]
    fn pop(&mut self) -> Option<(Weight, u32)> {
        let top = *self.entries.get(self.head)?;
        self.head += 1;
        Some(top)
    }
}

thread_local! {
    static SEARCHES: RefCell<Searches> = RefCell::default();
}

/// Runs `f` with this thread's search state, reset for a graph of `n` nodes. The state
/// stays allocated for the thread's next queries (24 bytes per node of the largest
/// graph the thread has queried).
pub(crate) fn with_searches<R>(n: usize, f: impl FnOnce(&mut Searches) -> R) -> R {
    let run = |s: &mut Searches| {
        s.reset(n);
        f(s)
    };
    SEARCHES.with(|cell| match cell.try_borrow_mut() {
        Ok(mut s) => run(&mut s),
        // Only if `f` itself started a query on this thread: use a fresh state.
        Err(_) => run(&mut Searches::default()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Each side's queue returns its current weights in ascending order, whatever the
        /// order of insertions and improvements, and a reset forgets everything.
        #[test]
        fn pops_in_weight_order(ops in prop::collection::vec((0u32..50, 0u64..1000, any::<bool>()), 0..300)) {
            let mut s = Searches::default();
            s.reset(50);
            let mut best = [std::collections::BTreeMap::new(), std::collections::BTreeMap::new()];
            for &(v, d, backward) in &ops {
                if backward {
                    s.relax::<BACKWARD, true>(v, d, v);
                } else {
                    s.relax::<FORWARD, true>(v, d, v);
                }
                let e = best[usize::from(backward)].entry(v).or_insert(d);
                *e = (*e).min(d);
            }
            for (v, &d) in &best[0] {
                prop_assert_eq!(s.via::<FORWARD>(*v), *v);
                let b = best[1].get(v).copied().unwrap_or(INFINITE);
                prop_assert_eq!(s.total(*v), d.saturating_add(b));
            }
            let mut popped = Vec::new();
            while let Some((d, v)) = s.pop::<FORWARD>() {
                prop_assert_eq!(best[0].get(&v), Some(&d));
                popped.push(d);
            }
            prop_assert_eq!(popped.len(), best[0].len());
            prop_assert!(popped.windows(2).all(|w| w[0] <= w[1]));
            let mut popped = Vec::new();
            while let Some((d, v)) = s.pop::<BACKWARD>() {
                prop_assert_eq!(best[1].get(&v), Some(&d));
                popped.push(d);
            }
            prop_assert_eq!(popped.len(), best[1].len());
            prop_assert!(popped.windows(2).all(|w| w[0] <= w[1]));
            s.reset(50);
            prop_assert!((0..50).all(|v| s.dist::<FORWARD>(v) == INFINITE && s.dist::<BACKWARD>(v) == INFINITE));
        }
    }
}
