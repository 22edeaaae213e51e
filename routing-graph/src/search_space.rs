//! Reusable per-query state of the plain Dijkstra baseline: tentative weights, parents and a
//! heap, reset in O(1) by a round counter instead of clearing the arrays.

use crate::weight::{Weight, INFINITE};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Mutex;

/// Parent marker: the node was a start node of the search (index `k` of the start list
/// is stored as `INIT - k`).
pub(crate) const INIT: u32 = u32::MAX;

/// Per-node search state, kept together so that one access touches one cache line.
#[derive(Debug, Clone, Copy)]
struct Label {
    dist: Weight,
    parent: (u32, u32),
    stamp: u32,
}

/// Tentative weights, parents and the priority queue of one search.
#[derive(Debug)]
pub(crate) struct SearchSpace {
    labels: Vec<Label>,
    round: u32,
    /// Min-heap of (weight, node).
    pub heap: BinaryHeap<Reverse<(Weight, u32)>>,
}

impl SearchSpace {
    /// State for a graph of `n` nodes.
    pub fn new(n: usize) -> Self {
        let label = Label {
            dist: INFINITE,
            parent: (INIT, INIT),
            stamp: 0,
        };
        Self {
            labels: vec![label; n],
            round: 1,
            heap: BinaryHeap::new(),
        }
    }

    /// Forgets the previous search.
    pub fn reset(&mut self) {
        self.heap.clear();
        self.round = self.round.wrapping_add(1);
        if self.round == 0 {
            self.labels.iter_mut().for_each(|l| l.stamp = 0);
            self.round = 1;
        }
    }

    /// Tentative weight of `v` ([`INFINITE`] if not reached).
    #[inline]
    pub fn dist(&self, v: u32) -> Weight {
        let label = &self.labels[v as usize];
        if label.stamp == self.round {
            label.dist
        } else {
            INFINITE
        }
    }

    /// `(parent node, arc)` of a reached node.
    #[inline]
    pub fn parent(&self, v: u32) -> (u32, u32) {
        self.labels[v as usize].parent
    }

    /// Sets `v` to `d` (with its parent) and queues it, if `d` improves on it.
    #[inline]
    pub fn relax(&mut self, v: u32, d: Weight, parent: (u32, u32)) -> bool {
        if d < self.dist(v) {
            self.labels[v as usize] = Label {
                dist: d,
                parent,
                stamp: self.round,
            };
            self.heap.push(Reverse((d, v)));
            true
        } else {
            false
        }
    }

    /// Pops the next node whose queued weight is still current.
    #[inline]
    pub fn pop(&mut self) -> Option<(Weight, u32)> {
        while let Some(Reverse((d, v))) = self.heap.pop() {
            if d == self.dist(v) {
                return Some((d, v));
            }
        }
        None
    }
}

/// A pool of search spaces so that concurrent queries don't allocate.
#[derive(Debug)]
pub(crate) struct SpacePool {
    n: usize,
    free: Mutex<Vec<SearchSpace>>,
}

impl SpacePool {
    /// An empty pool for graphs of `n` nodes.
    pub fn new(n: usize) -> Self {
        Self {
            n,
            free: Mutex::new(Vec::new()),
        }
    }

    /// Runs `f` with a clean search space.
    pub fn with<R>(&self, f: impl FnOnce(&mut SearchSpace) -> R) -> R {
        let mut space = self.take();
        let r = f(&mut space);
        self.give(space);
        r
    }

    /// Takes a clean search space (a new one if the pool is empty).
    pub fn take(&self) -> SearchSpace {
        let popped = self.free.lock().map(|mut f| f.pop()).unwrap_or(None);
        let mut space = popped.unwrap_or_else(|| SearchSpace::new(self.n));
        space.reset();
        space
    }

    /// Returns a search space to the pool.
    pub fn give(&self, space: SearchSpace) {
        if let Ok(mut free) = self.free.lock() {
            if free.len() < 64 {
                free.push(space);
            }
        }
    }
}
