//! Exact solution of tiny problems (a handful of jobs and technicians): every step
//! sequence per technician (breaks anywhere), then the best combination over
//! technicians by subset dynamic programming, under the lexicographic objective.

use crate::solution::{Route, Step};

use super::instance::Instance;
use super::schedule::{self, Breaks};

/// Most free jobs solved exactly.
pub(crate) const MAX_JOBS: usize = 7;
/// Most technicians solved exactly.
pub(crate) const MAX_TECHS: usize = 3;
/// Most breaks per technician solved exactly.
const MAX_BREAKS: usize = 3;

/// Whether the problem is small enough.
pub(crate) fn applicable(inst: &Instance) -> bool {
    inst.free.len() <= MAX_JOBS
        && inst.n_techs <= MAX_TECHS
        && inst.prefix.iter().all(Option::is_none)
        && inst
            .problem
            .technicians
            .iter()
            .all(|t| t.breaks.len() <= MAX_BREAKS)
}

/// Best (cost, steps) of a technician's route, per subset of the free jobs.
type Table = Vec<Option<(f64, Vec<Step>)>>;

/// Best (cost, steps) per subset of the free jobs, for technician `t`.
fn best_routes(inst: &Instance, t: usize) -> Table {
    let n = inst.free.len();
    let mut best: Table = vec![None; 1 << n];
    let nb = inst.problem.technicians[t].breaks.len();
    let mut steps = Vec::new();
    dfs(inst, t, nb, &mut steps, 0, 0, &mut best);
    best
}

fn dfs(
    inst: &Instance,
    t: usize,
    nb: usize,
    steps: &mut Vec<Step>,
    mask: usize,
    breaks: usize,
    best: &mut [Option<(f64, Vec<Step>)>],
) {
    let n = inst.free.len();
    let tech = &inst.problem.technicians[t];
    for k in 0..n + nb {
        let (step, m, b) = if k < n {
            let j = inst.free[k];
            if mask & (1 << k) != 0 || !inst.allowed(t, j) {
                continue;
            }
            (Step::Job(j), mask | 1 << k, breaks)
        } else {
            let kb = k - n;
            if breaks & (1 << kb) != 0 {
                continue;
            }
            (Step::Break(kb), mask, breaks | 1 << kb)
        };
        if m != mask {
            let count = m.count_ones() as usize;
            if tech.max_jobs.is_some_and(|mx| count > mx) {
                continue;
            }
            let over = (0..inst.problem.dimensions).any(|d| {
                let load: i64 = (0..n)
                    .filter(|i| m & (1 << i) != 0)
                    .map(|i| inst.problem.jobs[inst.free[i]].demand[d])
                    .sum();
                load > tech.capacity[d]
            });
            if over {
                continue;
            }
        }
        steps.push(step);
        if schedule::evaluate_steps(inst, t, steps, Breaks::Partial).is_some() {
            if m != 0 {
                if let Some(e) = schedule::evaluate_steps(inst, t, steps, Breaks::Explicit) {
                    let slot = &mut best[m];
                    if slot.as_ref().is_none_or(|(c, _)| e.cost < *c) {
                        *slot = Some((e.cost, steps.clone()));
                    }
                }
            }
            dfs(inst, t, nb, steps, m, b, best);
        }
        steps.pop();
    }
}

/// Objective key of a partial combination: (vehicles, cost).
type Key = (usize, f64);

/// Solves exactly; the routes of the optimal solution.
pub(crate) fn solve(inst: &Instance) -> Vec<Route> {
    let n = inst.free.len();
    let full = (1usize << n) - 1;
    let tables: Vec<Table> = (0..inst.n_techs).map(|t| best_routes(inst, t)).collect();
    // g[mask]: best (vehicles, cost) covering exactly mask, and each technician's subset.
    let mut g: Vec<Option<(Key, Vec<usize>)>> = vec![None; 1 << n];
    g[0] = Some(((0, 0.0), vec![0; inst.n_techs]));
    for (ti, table) in tables.iter().enumerate() {
        let mut next = g.clone();
        for (mask, entry) in g.iter().enumerate() {
            let Some(((v, c), choice)) = entry else {
                continue;
            };
            let rest = full & !mask;
            let mut sub = rest;
            while sub != 0 {
                if let Some((rc, _)) = &table[sub] {
                    let key = (v + 1, c + rc);
                    let m = mask | sub;
                    if next[m].as_ref().is_none_or(|(k, _)| better(inst, key, *k)) {
                        let mut ch = choice.clone();
                        ch[ti] = sub;
                        next[m] = Some((key, ch));
                    }
                }
                sub = (sub - 1) & rest;
            }
        }
        g = next;
    }
    // Choose the mask with the best full objective.
    let jobs = &inst.problem.jobs;
    let mut best: Option<((u64, usize, f64), usize)> = None;
    for (mask, entry) in g.iter().enumerate() {
        let Some(((v, c), _)) = entry else { continue };
        let mut prio = 0u64;
        let mut cost = *c;
        for i in 0..n {
            if mask & (1 << i) == 0 {
                match jobs[inst.free[i]].unassigned_cost {
                    Some(u) => cost += u,
                    None => prio += u64::from(jobs[inst.free[i]].priority),
                }
            }
        }
        let vehicles = if inst.problem.objective.minimize_technicians {
            *v
        } else {
            0
        };
        let key = (prio, vehicles, cost);
        let take = best.as_ref().is_none_or(|(b, _)| {
            key.0 < b.0 || (key.0 == b.0 && (key.1 < b.1 || (key.1 == b.1 && key.2 < b.2 - 1e-9)))
        });
        if take {
            best = Some((key, mask));
        }
    }
    let Some((_, mask)) = best else {
        return Vec::new();
    };
    let Some((_, choice)) = &g[mask] else {
        return Vec::new();
    };
    let mut routes = Vec::new();
    for (t, &sub) in choice.iter().enumerate() {
        if sub == 0 {
            continue;
        }
        if let Some((_, steps)) = &tables[t][sub] {
            if let Some(r) = schedule::build_steps(inst, t, steps, Breaks::Explicit) {
                routes.push(r);
            }
        }
    }
    routes
}

fn better(inst: &Instance, a: Key, b: Key) -> bool {
    if inst.problem.objective.minimize_technicians && a.0 != b.0 {
        return a.0 < b.0;
    }
    a.1 < b.1 - 1e-9
}
