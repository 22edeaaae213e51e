//! SISR ruin (Christiaens & Vanden Berghe 2020): remove a few strings of consecutive
//! jobs from routes near a random seed job, sometimes keeping a sub-string in the middle
//! ("split string").

use rand::Rng;

use super::instance::Instance;
use super::state::{State, UNROUTED};

/// Ruin parameters.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RuinParams {
    /// Average number of removed jobs (c̄).
    pub avg_removed: f64,
    /// Maximum string length (L_max).
    pub max_string: f64,
    /// Probability of a split string rather than a plain string.
    pub split_rate: f64,
    /// Probability to stop growing the preserved part of a split string.
    pub split_depth: f64,
}

impl Default for RuinParams {
    fn default() -> Self {
        Self {
            avg_removed: 10.0,
            max_string: 10.0,
            split_rate: 0.5,
            split_depth: 0.01,
        }
    }
}

/// Removes strings around a random routed job; the removed jobs join `state.unassigned`.
pub(crate) fn ruin(inst: &Instance, state: &mut State, rng: &mut impl Rng, p: &RuinParams) {
    let routed: usize = state.routes.iter().map(|r| r.len()).sum();
    let used = state.routes.iter().filter(|r| r.len() > 0).count();
    if routed == 0 {
        return;
    }
    let avg_card = routed as f64 / used as f64;
    let ls_max = p.max_string.min(avg_card);
    let ks_max = (4.0 * p.avg_removed / (1.0 + ls_max) - 1.0).max(1.0);
    let ks = rng.random_range(1.0..ks_max + 1.0).floor() as usize;
    // Seed: a random routed job.
    let mut seed = inst.free[rng.random_range(0..inst.free.len())];
    let mut guard = 0;
    while state.route_of[seed] == UNROUTED {
        seed = inst.free[rng.random_range(0..inst.free.len())];
        guard += 1;
        if guard > 1000 {
            return;
        }
    }
    let mut ruined: Vec<usize> = Vec::with_capacity(ks);
    let neighbours = &inst.neighbours[seed];
    for c in std::iter::once(seed).chain(neighbours.iter().copied()) {
        if ruined.len() >= ks {
            break;
        }
        let r = state.route_of[c];
        if r == UNROUTED || ruined.contains(&(r as usize)) {
            continue;
        }
        let r = r as usize;
        let route = &state.routes[r];
        let len = route.len();
        let Some(pos) = route.jobs.iter().position(|&j| j == c) else {
            continue;
        };
        let lmax = (ls_max.min(len as f64)).max(1.0);
        let l = (rng.random_range(1.0..lmax + 1.0).floor() as usize).min(len);
        let positions = if l == len || rng.random::<f64>() >= p.split_rate {
            string(rng, pos, l, len)
        } else {
            split_string(rng, pos, l, len, p.split_depth)
        };
        state.remove_positions(inst, r, &positions);
        ruined.push(r);
    }
}

/// Positions of a random string of length `l` containing `pos`.
fn string(rng: &mut impl Rng, pos: usize, l: usize, len: usize) -> Vec<usize> {
    let lo = (pos + 1).saturating_sub(l);
    let hi = pos.min(len - l);
    let start = rng.random_range(lo..=hi);
    (start..start + l).collect()
}

/// A string of length `l + m` containing `pos`, minus `m` preserved middle jobs.
fn split_string(rng: &mut impl Rng, pos: usize, l: usize, len: usize, depth: f64) -> Vec<usize> {
    let mut m = 1;
    while l + m < len && rng.random::<f64>() > depth {
        m += 1;
    }
    let total = l + m;
    let lo = (pos + 1).saturating_sub(total);
    let hi = pos.min(len - total);
    let start = rng.random_range(lo..=hi);
    let keep = rng.random_range(0..=l);
    (start..start + total)
        .filter(|&i| i < start + keep || i >= start + keep + m)
        .collect()
}
