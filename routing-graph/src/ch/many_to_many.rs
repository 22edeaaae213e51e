//! Many-to-many tables with buckets (Knopp, Sanders, Schultes, Schulz, Wagner 2007):
//! a backward upward search from every target leaves `(target, weight)` in a bucket at
//! each node it settles; a forward upward search from every source scans the buckets
//! of the nodes it settles. Both phases run in parallel with rayon.

use super::query::upward_space;
use super::ContractionHierarchy;
use crate::endpoints::Endpoints;
use crate::network::csr_offsets;
use crate::weight::{Weight, INFINITE};
use rayon::prelude::*;

/// Row-major `sources × targets` weights ([`INFINITE`] where unreachable).
pub(crate) fn table(
    ch: &ContractionHierarchy,
    sources: &[Endpoints],
    targets: &[Endpoints],
) -> Vec<Weight> {
    let n = ch.search_id.len();
    let entries: Vec<Vec<(u32, Weight)>> = targets
        .par_iter()
        .map(|starts| {
            let mut found = Vec::new();
            upward_space(ch, starts, false, |v, d| found.push((v, d)));
            found
        })
        .collect();
    // Buckets in CSR form: entries of node v are bucket[first[v]..first[v + 1]].
    let mut flat: Vec<(u32, u32, Weight)> = Vec::with_capacity(entries.iter().map(Vec::len).sum());
    for (t, list) in entries.iter().enumerate() {
        flat.extend(list.iter().map(|&(v, d)| (v, t as u32, d)));
    }
    flat.par_sort_unstable_by_key(|&(v, t, _)| (v, t));
    let first = csr_offsets(n, flat.iter().map(|&(v, _, _)| v));
    let bucket: Vec<(u32, Weight)> = flat.into_iter().map(|(_, t, d)| (t, d)).collect();

    let cols = targets.len();
    let mut out = vec![INFINITE; sources.len() * cols];
    out.par_chunks_mut(cols.max(1))
        .zip(sources.par_iter())
        .for_each(|(row, starts)| {
            upward_space(ch, starts, true, |v, d| {
                let entries = &bucket[first[v as usize] as usize..first[v as usize + 1] as usize];
                for &(t, bd) in entries {
                    let cell = &mut row[t as usize];
                    *cell = (*cell).min(d + bd);
                }
            });
        });
    out
}
