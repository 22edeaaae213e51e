//! Contraction hierarchies (Geisberger, Sanders, Schultes, Delling 2008).
//!
//! Written by hand: no maintained crate offers CH with the two things we need, a
//! packed (time, distance) weight carried on shortcuts and many-to-many bucket queries
//! over snapped edge endpoints. `contract` orders and contracts the nodes, `query`
//! answers one-to-one queries, `many_to_many` computes matrices (Knopp et al. 2007),
//! `labels` derives hub labels for one-to-one queries without a search.

pub(crate) mod contract;
pub(crate) mod labels;
pub(crate) mod many_to_many;
pub(crate) mod query;
pub(crate) mod search;

use crate::network::EdgeDir;
use crate::weight::Weight;

/// Marks a [`ChArc`] that is an original road edge direction.
pub(crate) const ORIGINAL: u32 = u32::MAX;

/// An arc of the hierarchy: an original edge direction, or a shortcut made of two arcs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ChArc {
    /// First half of a shortcut, or [`ORIGINAL`].
    pub first: u32,
    /// Second half of a shortcut, or the [`EdgeDir`] of an original arc.
    pub second: u32,
}

/// An arc towards a higher-ranked node, stored at the lower-ranked one, as built and
/// stored in the graph file (the hierarchy keeps its parts in [`SearchArc`] and arc ids).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UpArc {
    /// The other (higher) node.
    pub node: u32,
    /// Index into [`ContractionHierarchy::arcs`].
    pub arc: u32,
    /// Cost.
    pub weight: Weight,
}

/// What a search reads of an [`UpArc`]: the other node and the weight, in 12 bytes
/// (4-byte aligned, the packed weight as two halves) instead of 16. The arc ids, only
/// needed to unpack a found path, live in a parallel array: the arrays searches touch
/// are a quarter smaller, and more of them stays in cache between queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SearchArc {
    /// The other (higher) node.
    pub node: u32,
    /// High half of the weight (milliseconds).
    weight_hi: u32,
    /// Low half of the weight (decimetres).
    weight_lo: u32,
}

impl SearchArc {
    /// The searchable part of `a`.
    pub fn new(a: &UpArc) -> Self {
        Self {
            node: a.node,
            weight_hi: (a.weight >> 32) as u32,
            weight_lo: a.weight as u32,
        }
    }

    /// Cost.
    #[inline(always)]
    pub fn weight(&self) -> Weight {
        (u64::from(self.weight_hi) << 32) | u64::from(self.weight_lo)
    }
}

/// Splits arcs into what searches read and their arc ids.
fn split_arcs(arcs: &[UpArc]) -> (Vec<SearchArc>, Vec<u32>) {
    (
        arcs.iter().map(SearchArc::new).collect(),
        arcs.iter().map(|a| a.arc).collect(),
    )
}

/// The preprocessed hierarchy. The search graph (`up`, `down`) has its own numbering:
/// node `v` of the road network is node `search_id[v]` there.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ContractionHierarchy {
    /// Search-graph id of each road network node (a permutation).
    pub search_id: Vec<u32>,
    /// CSR offsets of `up`.
    pub up_first: Vec<u32>,
    /// Arcs `v -> node` with `node` higher, grouped by `v` (forward searches; search ids).
    pub up: Vec<SearchArc>,
    /// Index into [`Self::arcs`] of each arc of `up`.
    pub up_arc: Vec<u32>,
    /// CSR offsets of `down`.
    pub down_first: Vec<u32>,
    /// Arcs `node -> v` with `node` higher, grouped by `v` (backward searches; search ids).
    pub down: Vec<SearchArc>,
    /// Index into [`Self::arcs`] of each arc of `down`.
    pub down_arc: Vec<u32>,
    /// All arcs, for unpacking shortcuts.
    pub arcs: Vec<ChArc>,
}

impl ContractionHierarchy {
    /// The hierarchy from its search-graph numbering, the CSR offsets and arcs of each
    /// direction (as built or read from a graph file) and all arcs.
    pub fn new(
        search_id: Vec<u32>,
        (up_first, up): (Vec<u32>, Vec<UpArc>),
        (down_first, down): (Vec<u32>, Vec<UpArc>),
        arcs: Vec<ChArc>,
    ) -> Self {
        let ((up, up_arc), (down, down_arc)) = (split_arcs(&up), split_arcs(&down));
        Self {
            search_id,
            up_first,
            up,
            up_arc,
            down_first,
            down,
            down_arc,
            arcs,
        }
    }

    /// Search-graph id of road network node `v`.
    #[inline]
    pub fn node(&self, v: u32) -> u32 {
        self.search_id[v as usize]
    }

    /// Upward arcs leaving `v`.
    #[inline]
    pub fn up(&self, v: u32) -> &[SearchArc] {
        &self.up[self.up_first[v as usize] as usize..self.up_first[v as usize + 1] as usize]
    }

    /// Upward arcs entering `v` (for backward searches).
    #[inline]
    pub fn down(&self, v: u32) -> &[SearchArc] {
        &self.down[self.down_first[v as usize] as usize..self.down_first[v as usize + 1] as usize]
    }

    /// Node whose upward arcs hold position `pos` of `up`.
    pub fn up_tail(&self, pos: u32) -> u32 {
        self.up_first.partition_point(|&f| f <= pos) as u32 - 1
    }

    /// Node whose downward arcs hold position `pos` of `down`.
    pub fn down_tail(&self, pos: u32) -> u32 {
        self.down_first.partition_point(|&f| f <= pos) as u32 - 1
    }

    /// Appends the original edge directions of `arc`, in travel order.
    pub fn unpack(&self, arc: u32, out: &mut Vec<EdgeDir>) {
        let mut stack = vec![arc];
        while let Some(a) = stack.pop() {
            let c = self.arcs[a as usize];
            if c.first == ORIGINAL {
                out.push(c.second);
            } else {
                stack.push(c.second);
                stack.push(c.first);
            }
        }
    }

    /// Number of shortcuts in the search graph.
    pub fn shortcut_count(&self) -> usize {
        self.up_arc
            .iter()
            .chain(&self.down_arc)
            .filter(|&&a| self.arcs[a as usize].first != ORIGINAL)
            .count()
    }

    /// Releases spare capacity.
    pub fn shrink_to_fit(&mut self) {
        self.search_id.shrink_to_fit();
        self.up_first.shrink_to_fit();
        self.up.shrink_to_fit();
        self.up_arc.shrink_to_fit();
        self.down_first.shrink_to_fit();
        self.down.shrink_to_fit();
        self.down_arc.shrink_to_fit();
        self.arcs.shrink_to_fit();
    }

    /// Bytes held by the arrays.
    pub fn memory_bytes(&self) -> usize {
        use std::mem::size_of;
        (self.search_id.len() + self.up_first.len() + self.down_first.len()) * 4
            + (self.up.len() + self.down.len()) * (size_of::<SearchArc>() + 4)
            + self.arcs.len() * size_of::<ChArc>()
    }
}
