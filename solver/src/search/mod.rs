//! The search: SISR ruin-and-recreate with route minimisation, run by parallel workers.
//!
//! - [`instance`]: preprocessing (compatibility, neighbours, fixed prefixes).
//! - [`schedule`]: exact linear route timing (breaks, windows, costs) and route records.
//! - [`route`] / [`state`]: routes with O(1) insertion checks, solution with undo log.
//! - [`ruin`] / [`recreate`]: SISR string removal and greedy insertion with blinks.
//! - [`worker`]: one thread's fleet minimisation then simulated annealing.
//! - [`reasons`]: why each unassigned job is unassigned.
//!
//! Workers run in epochs on a rayon pool; between epochs the best solution is shared.

mod exact;
mod instance;
mod reasons;
mod recombine;
mod recreate;
mod route;
mod ruin;
mod schedule;
mod state;
#[cfg(test)]
mod tests;
mod worker;

use std::sync::atomic::Ordering as AtomicOrdering;
use std::time::{Duration, Instant};

use crate::pool_sp::RoutePool;
use crate::solution::{Route, Solution, Summary, Unassigned};
use crate::{ModelError, Problem, Progress, SolveOptions};

use instance::Instance;
use state::State;
use worker::{Params, Phase, Worker};

/// Epoch length when the run is bounded by time only.
const EPOCH: Duration = Duration::from_millis(200);
/// Epoch length in iterations when `max_iterations` makes the run reproducible.
const EPOCH_ITERATIONS: u64 = 1_000;
/// Share of the time budget for the workers; the rest is for the final recombination.
const RESERVE: f64 = 0.95;

/// Solves `problem` within the options' budget.
///
/// Returns the best solution found: every mandatory job it can place is routed, the
/// others are listed with their reason. Deterministic for a given seed, thread count and
/// `max_iterations` (when the time limit is not hit first).
pub fn solve(problem: &Problem, options: &SolveOptions) -> Result<Solution, ModelError> {
    solve_with(problem, options, Params::default())
}

/// [`solve`] with explicit search parameters.
pub(crate) fn solve_with(
    problem: &Problem,
    options: &SolveOptions,
    params: Params,
) -> Result<Solution, ModelError> {
    problem.validate()?;
    let started = Instant::now();
    let inst = Instance::new(problem);
    if exact::applicable(&inst) {
        let routes = exact::solve(&inst);
        let mut state = State::empty(&inst);
        for r in &routes {
            state.set_route(&inst, r.technician, r.jobs().collect());
        }
        let solution = assemble(&inst, routes, &state);
        if let Some(progress) = &options.progress {
            progress(&Progress {
                elapsed: started.elapsed(),
                fraction: 1.0,
                best: solution.summary.clone(),
                iterations: 0,
            });
        }
        return Ok(solution);
    }
    let threads = if options.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        options.threads
    };
    let threads = threads.clamp(1, 64);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .ok();
    let seeds: Vec<u64> = (0..threads as u64)
        .map(|i| {
            options
                .seed
                .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                .wrapping_add(i)
        })
        .collect();
    let make = |s: &u64| Worker::new(&inst, *s, params);
    let mut workers: Vec<Worker> = match &pool {
        Some(p) => p.install(|| {
            use rayon::prelude::*;
            seeds.par_iter().map(make).collect()
        }),
        None => seeds.iter().map(make).collect(),
    };
    let deadline = started + options.time_limit;
    let cancelled = || {
        options
            .cancel
            .as_ref()
            .is_some_and(|c| c.load(AtomicOrdering::Relaxed))
    };
    let (mut best, mut best_score) = global_best(&workers);
    let classes = recombine::Classes::new(&inst);
    let mut route_pool = RoutePool::new();
    // Workers stop a little early to leave time for the final recombination.
    let search_limit = options.time_limit.mul_f64(RESERVE);
    let mut next_sp = if options.time_limit >= Duration::from_secs(2) {
        0.5
    } else {
        2.0
    };
    let mut last_report = Instant::now();
    report(options, started, 0.0, &inst, &best, &workers);
    let max_it = options.max_iterations;
    let limit = search_limit.as_secs_f64().max(1e-9);
    let search_deadline = started + search_limit;
    let mut epoch = 0u64;
    loop {
        let all_done = workers.iter().all(|w| w.phase == Phase::Done);
        if all_done || cancelled() || Instant::now() >= search_deadline {
            break;
        }
        if max_it.is_some_and(|m| workers.iter().all(|w| w.iterations >= m)) {
            break;
        }
        let epoch_end = Instant::now() + EPOCH;
        let run_one = |w: &mut Worker| {
            let steps = if max_it.is_some() {
                EPOCH_ITERATIONS
            } else {
                u64::MAX
            };
            w.run(steps, |it| {
                let now = Instant::now();
                if cancelled() || now >= search_deadline {
                    return 1.0;
                }
                match max_it {
                    Some(m) => it as f64 / m.max(1) as f64,
                    None if now >= epoch_end => 1.0,
                    None => (now - started).as_secs_f64() / limit,
                }
            });
        };
        match &pool {
            Some(p) => p.install(|| {
                use rayon::prelude::*;
                workers.par_iter_mut().for_each(run_one);
            }),
            None => workers.iter_mut().for_each(run_one),
        }
        epoch += 1;
        let (b, s) = global_best(&workers);
        let mut improved = s.better_than(&best_score);
        if improved {
            best = b;
            best_score = s;
        }
        for w in workers.iter_mut() {
            recombine::merge(&mut route_pool, &classes, &w.staged);
            w.staged.clear();
        }
        let used = started.elapsed().as_secs_f64() / options.time_limit.as_secs_f64().max(1e-9);
        if used >= next_sp && max_it.is_none() {
            next_sp += 0.25;
            let sp_time = options.time_limit.mul_f64(0.03);
            if let Some((b, s)) =
                recombine::recombine(&inst, &mut route_pool, &classes, &best, best_score, sp_time)
            {
                best = b;
                best_score = s;
                improved = true;
            }
        }
        share(&mut workers, &best, best_score, epoch);
        let fraction =
            (started.elapsed().as_secs_f64() / options.time_limit.as_secs_f64().max(1e-9)).min(1.0);
        if improved || last_report.elapsed() >= Duration::from_millis(900) {
            report(options, started, fraction, &inst, &best, &workers);
            last_report = Instant::now();
        }
    }
    for w in workers.iter_mut() {
        recombine::merge(&mut route_pool, &classes, &w.staged);
    }
    let left = deadline.saturating_duration_since(Instant::now());
    let sp_time = left.max(Duration::from_millis(20));
    if !cancelled() {
        if let Some((b, _)) =
            recombine::recombine(&inst, &mut route_pool, &classes, &best, best_score, sp_time)
        {
            best = b;
        }
    }
    let solution = materialise(&inst, &best);
    Ok(solution)
}

/// The best worker's best solution (lowest index on ties, for determinism).
fn global_best(workers: &[Worker]) -> (State, state::Score) {
    let mut k = 0;
    for (i, w) in workers.iter().enumerate() {
        if w.best_score.better_than(&workers[k].best_score) {
            k = i;
        }
    }
    (workers[k].best.clone(), workers[k].best_score)
}

/// Workers behind the global best in routes or unassigned jobs adopt it at once; behind
/// in cost, every few epochs.
fn share(workers: &mut [Worker], best: &State, score: state::Score, epoch: u64) {
    for w in workers.iter_mut() {
        let behind_levels = score.cmp_levels(&w.best_score) == std::cmp::Ordering::Less;
        let behind_cost = score.better_than(&w.best_score);
        if behind_levels || (behind_cost && epoch.is_multiple_of(5) && w.phase == Phase::Distance) {
            w.adopt(best, score);
        }
    }
}

fn report(
    options: &SolveOptions,
    started: Instant,
    fraction: f64,
    inst: &Instance,
    best: &State,
    workers: &[Worker],
) {
    if let Some(progress) = &options.progress {
        let sol = materialise(inst, best);
        progress(&Progress {
            elapsed: started.elapsed(),
            fraction,
            best: sol.summary,
            iterations: workers.iter().map(|w| w.iterations).sum(),
        });
    }
}

/// Turns a search state into the public [`Solution`] with exact times and reasons.
fn materialise(inst: &Instance, state: &State) -> Solution {
    let mut routes: Vec<Route> = Vec::new();
    let mut dropped: Vec<usize> = Vec::new();
    for r in &state.routes {
        if !r.used {
            continue;
        }
        match schedule::build_route(inst, r.tech, &r.jobs) {
            Some(route) => routes.push(route),
            None => dropped.extend(r.jobs.iter().copied()),
        }
    }
    debug_assert!(dropped.is_empty(), "search produced an infeasible route");
    assemble(inst, routes, state)
}

/// The [`Solution`] of finished routes: reasons for the jobs left out, and totals.
fn assemble(inst: &Instance, routes: Vec<Route>, state: &State) -> Solution {
    let mut served = vec![false; inst.n_jobs];
    for route in &routes {
        for j in route.jobs() {
            served[j] = true;
        }
    }
    let mut unassigned = Vec::new();
    for (j, &is_served) in served.iter().enumerate() {
        if !is_served {
            unassigned.push(Unassigned {
                job: j,
                reason: reasons::reason(inst, state, j),
            });
        }
    }
    let mut summary = Summary::default();
    for route in &routes {
        summary.technicians_used += 1;
        summary.cost += route.cost;
        summary.distance += route.distance;
        summary.travel_time += route.travel_time;
        summary.duration += route.duration();
        summary.waiting += route.waiting;
        summary.overtime += route.overtime;
        summary.served += route.jobs().count();
    }
    for u in &unassigned {
        let job = &inst.problem.jobs[u.job];
        match job.unassigned_cost {
            Some(c) => summary.cost += c,
            None => summary.unassigned_priority += u64::from(job.priority),
        }
    }
    Solution {
        routes,
        unassigned,
        summary,
    }
}
