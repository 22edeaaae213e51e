//! Recombination: good routes met by the search go into a [`RoutePool`]; set
//! partitioning over the pool (HiGHS, [`crate::pool_sp`]) picks the best combination,
//! which becomes a new best solution when it beats the search's.

use std::collections::HashMap;
use std::time::Duration;

use crate::pool_sp::{RoutePool, SelectParams};

use super::instance::Instance;
use super::state::{Score, State};

/// Most routes kept in the pool (the MIP grows with it).
const MAX_POOL: usize = 3_000;

/// Technician classes: technicians a route can move between freely.
pub(crate) struct Classes {
    /// Class per technician.
    pub class_of: Vec<usize>,
    /// Technicians per class, ascending.
    pub members: Vec<Vec<usize>>,
}

impl Classes {
    /// Groups technicians with identical start, end, shift, skills, capacity, limits and
    /// costs, without breaks, fixed visits, pins or preferences naming them.
    pub fn new(inst: &Instance) -> Self {
        let p = inst.problem;
        let mut named = vec![false; inst.n_techs];
        for job in &p.jobs {
            for t in [job.pinned_to, job.preferred].into_iter().flatten() {
                named[t] = true;
            }
        }
        let mut keys: HashMap<String, usize> = HashMap::new();
        let mut class_of = Vec::with_capacity(inst.n_techs);
        let mut members: Vec<Vec<usize>> = Vec::new();
        for (t, tech) in p.technicians.iter().enumerate() {
            let unique = named[t] || !tech.breaks.is_empty() || inst.prefix[t].is_some();
            let key = if unique {
                format!("#{t}")
            } else {
                format!(
                    "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
                    tech.start,
                    tech.end,
                    tech.shift,
                    tech.skills,
                    tech.capacity,
                    tech.max_jobs,
                    tech.costs
                )
            };
            let next = members.len();
            let c = *keys.entry(key).or_insert(next);
            if c == next {
                members.push(Vec::new());
            }
            members[c].push(t);
            class_of.push(c);
        }
        Self { class_of, members }
    }
}

/// Adds the used routes of `state` (those with free jobs) to `out`.
pub(crate) fn collect(
    state: &State,
    out: &mut Vec<(usize, Vec<usize>, f64)>,
    only: Option<&[usize]>,
) {
    let mut add = |r: usize| {
        let route = &state.routes[r];
        if !route.jobs.is_empty() && route.cost.is_finite() {
            out.push((route.tech, route.jobs.clone(), route.cost));
        }
    };
    match only {
        Some(rs) => rs.iter().for_each(|&r| add(r)),
        None => (0..state.routes.len()).for_each(add),
    }
}

/// Merges staged routes into the pool (until it is full).
pub(crate) fn merge(pool: &mut RoutePool, classes: &Classes, staged: &[(usize, Vec<usize>, f64)]) {
    for (t, jobs, cost) in staged {
        if pool.len() >= MAX_POOL {
            return;
        }
        pool.add(classes.class_of[*t], jobs, *cost);
    }
}

/// Solves the set partitioning over `pool`, starting from `best`; returns the combined
/// solution when it is feasible and strictly better.
pub(crate) fn recombine(
    inst: &Instance,
    pool: &mut RoutePool,
    classes: &Classes,
    best: &State,
    best_score: Score,
    time_limit: Duration,
) -> Option<(State, Score)> {
    if pool.len() < 2 || inst.free.is_empty() {
        return None;
    }
    let jobs = &inst.problem.jobs;
    let mut in_search = vec![false; inst.n_jobs];
    for &j in &inst.free {
        in_search[j] = true;
    }
    let mut uncovered_cost: Vec<Option<f64>> = Vec::with_capacity(inst.n_jobs);
    for (j, job) in jobs.iter().enumerate() {
        uncovered_cost.push(if !in_search[j] {
            Some(0.0)
        } else if let Some(c) = job.unassigned_cost {
            Some(c)
        } else if best.unassigned.contains(&j) {
            return None;
        } else {
            None
        });
    }
    // The best's routes as the start (added first so they are surely in the pool).
    let mut mine = Vec::new();
    collect(best, &mut mine, None);
    for (t, js, cost) in &mine {
        pool.add(classes.class_of[*t], js, *cost);
    }
    let initial = pool
        .routes()
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            mine.iter()
                .any(|(t, js, _)| classes.class_of[*t] == r.class && *js == r.jobs)
        })
        .map(|(i, _)| i)
        .collect();
    let params = SelectParams {
        uncovered_cost,
        class_limits: classes.members.iter().map(Vec::len).collect(),
        minimize_routes: inst.problem.objective.minimize_technicians,
        time_limit,
        mip_gap: 1e-7,
        initial,
    };
    let selection = pool.select(&params)?;
    let mut state = State::empty(inst);
    let mut next_member = vec![0usize; classes.members.len()];
    for &r in &selection.routes {
        let route = pool.get(r)?;
        let k = next_member[route.class];
        let t = *classes.members[route.class].get(k)?;
        next_member[route.class] += 1;
        if !state.set_route(inst, t, route.jobs.clone()) {
            return None;
        }
        let rs = &state.routes[t];
        let cap = &inst.problem.technicians[t].capacity;
        if rs.load.iter().zip(cap).any(|(l, c)| l > c) {
            return None;
        }
    }
    let score = state.score(inst);
    score.better_than(&best_score).then_some((state, score))
}
