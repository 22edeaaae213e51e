//! SISR recreate: greedy insertion with blinks. The unassigned jobs are sorted (random,
//! demand, far from the depot, close to the depot, tight windows), then each goes to its
//! cheapest feasible position, skipping each position with a small "blink" probability.

use rand::seq::SliceRandom;
use rand::Rng;

use super::instance::Instance;
use super::state::State;

/// How new routes may be opened during recreate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Open {
    /// Open an unused technician's route only when no used route can take the job.
    WhenNeeded,
    /// Treat unused routes like the others (cost decides).
    Freely,
    /// Never open a route (fleet minimisation).
    Never,
}

/// Reinserts the unassigned jobs of `state`.
pub(crate) fn recreate(
    inst: &Instance,
    state: &mut State,
    rng: &mut impl Rng,
    blink: f64,
    open: Open,
    absences: Option<&[u64]>,
) {
    let mut order = std::mem::take(&mut state.unassigned);
    sort_jobs(inst, &mut order, rng, absences);
    state.unassigned = order.clone();
    for j in order {
        if let Some((r, pos, delta)) = best_insertion(inst, state, j, rng, blink, open) {
            let worth = inst.problem.jobs[j]
                .unassigned_cost
                .is_none_or(|c| delta < c);
            if worth {
                state.insert(inst, j, r, pos);
            }
        }
    }
}

fn sort_jobs(inst: &Instance, order: &mut [usize], rng: &mut impl Rng, absences: Option<&[u64]>) {
    order.shuffle(rng);
    let prio = |j: usize| std::cmp::Reverse(inst.problem.jobs[j].priority);
    if let Some(abs) = absences {
        if rng.random::<f64>() < 0.5 {
            order.sort_by_key(|&j| std::cmp::Reverse(abs[j]));
            return;
        }
    }
    let k = rng.random_range(0..11);
    match k {
        0..=3 => order.sort_by_key(|&j| prio(j)),
        4..=7 => order.sort_by_key(|&j| (prio(j), std::cmp::Reverse(inst.demand_sum[j]))),
        8..=9 => order.sort_by(|&a, &b| {
            prio(a)
                .cmp(&prio(b))
                .then(inst.depot_dist[b].total_cmp(&inst.depot_dist[a]))
        }),
        _ => order.sort_by(|&a, &b| {
            prio(a)
                .cmp(&prio(b))
                .then(inst.tw_width[a].total_cmp(&inst.tw_width[b]))
        }),
    }
}

/// Cheapest insertion of job `j`: `(route, position, delta)`.
pub(crate) fn best_insertion(
    inst: &Instance,
    state: &State,
    j: usize,
    rng: &mut impl Rng,
    blink: f64,
    open: Open,
) -> Option<(usize, usize, f64)> {
    let mut best: Option<(usize, usize, f64)> = None;
    let mut any_unused = false;
    let optional = inst.problem.jobs[j].unassigned_cost.is_some();
    let vehicles_first = inst.problem.objective.minimize_technicians;
    for (r, route) in state.routes.iter().enumerate() {
        if !route.used && (open != Open::Freely || optional && vehicles_first) {
            any_unused = true;
            continue;
        }
        scan_route(inst, state, r, j, rng, blink, &mut best);
    }
    // With vehicles first, opening a route for an optional job never pays.
    if best.is_none() && any_unused && open == Open::WhenNeeded && !(optional && vehicles_first) {
        for (r, route) in state.routes.iter().enumerate() {
            if !route.used {
                scan_route(inst, state, r, j, rng, 0.0, &mut best);
            }
        }
    }
    best
}

fn scan_route(
    inst: &Instance,
    state: &State,
    r: usize,
    j: usize,
    rng: &mut impl Rng,
    blink: f64,
    best: &mut Option<(usize, usize, f64)>,
) {
    let route = &state.routes[r];
    if !inst.allowed(route.tech, j) || !route.fits(inst, j) {
        return;
    }
    for pos in 0..=route.len() {
        if blink > 0.0 && rng.random::<f64>() < blink {
            continue;
        }
        if let Some(d) = route.insertion_delta(inst, j, pos) {
            if best.is_none_or(|b| d < b.2) {
                *best = Some((r, pos, d));
            }
        }
    }
}
