//! One search thread: construction, then route minimisation (SISR fleet minimisation
//! with absence counters), then distance minimisation by SISR ruin-and-recreate under
//! simulated-annealing acceptance.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::instance::Instance;
use super::recombine::collect;
use super::recreate::{recreate, Open};
use super::ruin::{ruin, RuinParams};
use super::state::{Score, State};

/// Most routes staged for the pool between two collections.
const MAX_STAGED: usize = 500;
/// Accepted solutions within this factor of the best cost feed the route pool.
const POOL_WITHIN: f64 = 1.003;

/// Search phase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Removing routes.
    Fleet,
    /// Minimising cost.
    Distance,
    /// Converged (no improvement for long).
    Done,
}

/// Tunable parameters of a worker.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Params {
    /// Ruin parameters.
    pub ruin: RuinParams,
    /// Blink rate of recreate.
    pub blink: f64,
    /// Share of the budget for fleet minimisation at most.
    pub fleet_share: f64,
    /// Initial temperature, relative to the mean edge cost.
    pub t0: f64,
    /// Final temperature, relative to the mean edge cost.
    pub tf: f64,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            ruin: RuinParams::default(),
            blink: 0.01,
            fleet_share: 0.4,
            // Same 100:1 ratio as SISR's T0 = 100, Tf = 1. The former 0.3 → 0.005 froze
            // the annealing in the first local optimum on long routes (c203 stayed at
            // +13.5% for the whole run): 6 → 0.06 reaches the c2xx optima in seconds.
            t0: 6.0,
            tf: 0.06,
        }
    }
}

/// A search thread's state.
pub(crate) struct Worker<'a> {
    inst: &'a Instance<'a>,
    rng: ChaCha8Rng,
    params: Params,
    /// Current solution.
    pub cur: State,
    cur_score: Score,
    /// Best solution found by this worker.
    pub best: State,
    /// Its score.
    pub best_score: Score,
    /// Current phase.
    pub phase: Phase,
    absences: Vec<u64>,
    /// Iterations done.
    pub iterations: u64,
    last_improvement: u64,
    stall_limit: u64,
    edge_cost: f64,
    minimize_vehicles: bool,
    /// Budget fraction seen last, and where the distance phase began.
    fraction: f64,
    distance_from: f64,
    /// Good routes met since the driver last collected them (technician, jobs, cost).
    pub staged: Vec<(usize, Vec<usize>, f64)>,
}

impl<'a> Worker<'a> {
    /// Builds a worker and its initial solution by greedy insertion.
    pub fn new(inst: &'a Instance<'a>, seed: u64, params: Params) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let minimize_vehicles = inst.problem.objective.minimize_technicians;
        let open = if minimize_vehicles {
            Open::WhenNeeded
        } else {
            Open::Freely
        };
        let mut cur = State::empty(inst);
        recreate(inst, &mut cur, &mut rng, 0.0, open, None);
        let cur_score = cur.score(inst);
        let edge_cost = edge_cost(&cur);
        let n = inst.free.len() as u64;
        let phase = if minimize_vehicles && cur.used_routes() > inst.min_routes {
            Phase::Fleet
        } else {
            Phase::Distance
        };
        let mut w = Self {
            inst,
            rng,
            params,
            best: cur.clone(),
            best_score: cur_score,
            cur,
            cur_score,
            phase,
            absences: vec![0; inst.n_jobs],
            iterations: 0,
            last_improvement: 0,
            stall_limit: 5_000 + 2_000 * n,
            edge_cost,
            minimize_vehicles,
            fraction: 0.0,
            distance_from: 0.0,
            staged: Vec::new(),
        };
        if inst.free.is_empty() {
            w.phase = Phase::Done;
        } else if w.phase == Phase::Fleet {
            w.start_fleet_round();
        }
        w
    }

    /// Adopts a better solution found elsewhere.
    pub fn adopt(&mut self, best: &State, score: Score) {
        self.best = best.clone();
        self.best_score = score;
        self.cur = best.clone();
        self.cur_score = score;
        self.last_improvement = self.iterations;
        if self.phase == Phase::Fleet {
            self.start_fleet_round();
        }
    }

    /// Runs until `stop(iterations, phase)` says so; `fraction()` is the budget used.
    pub fn run(&mut self, steps: u64, mut fraction: impl FnMut(u64) -> f64) {
        let end = self.iterations.saturating_add(steps);
        while self.iterations < end && self.phase != Phase::Done {
            let f = fraction(self.iterations);
            if f >= 1.0 {
                break;
            }
            self.fraction = f;
            match self.phase {
                Phase::Fleet => {
                    if f >= self.params.fleet_share {
                        self.end_fleet();
                    } else {
                        self.fleet_step();
                    }
                }
                Phase::Distance => self.distance_step(f),
                Phase::Done => {}
            }
            self.iterations += 1;
        }
    }

    fn end_fleet(&mut self) {
        self.cur = self.best.clone();
        self.cur_score = self.best_score;
        self.phase = Phase::Distance;
        self.last_improvement = self.iterations;
        self.distance_from = self.fraction;
    }

    /// Removes the smallest route of the current solution into the unassigned list.
    fn start_fleet_round(&mut self) {
        let inst = self.inst;
        let mut cand: Vec<(usize, usize)> = self
            .cur
            .routes
            .iter()
            .enumerate()
            .filter(|(_, r)| r.len() > 0 && inst.prefix[r.tech].is_none())
            .map(|(i, r)| (r.len(), i))
            .collect();
        if cand.is_empty() || self.cur.used_routes() <= self.inst.min_routes {
            self.end_fleet();
            return;
        }
        cand.sort_unstable();
        let pick = if self.rng.random::<f64>() < 0.5 {
            cand[0].1
        } else {
            cand[self.rng.random_range(0..cand.len().min(3))].1
        };
        self.cur.clear_route(inst, pick);
        recreate(
            inst,
            &mut self.cur,
            &mut self.rng,
            0.0,
            Open::Never,
            Some(&self.absences),
        );
        self.cur_score = self.cur.score(inst);
    }

    fn absence_sum(&self, s: &State) -> u64 {
        s.unassigned
            .iter()
            .filter(|&&j| self.inst.problem.jobs[j].unassigned_cost.is_none())
            .map(|&j| self.absences[j])
            .sum()
    }

    fn fleet_step(&mut self) {
        let inst = self.inst;
        let before_abs = self.absence_sum(&self.cur);
        self.cur.begin();
        ruin(inst, &mut self.cur, &mut self.rng, &self.params.ruin);
        recreate(
            inst,
            &mut self.cur,
            &mut self.rng,
            self.params.blink,
            Open::Never,
            Some(&self.absences),
        );
        let score = self.cur.score(inst);
        let accept = score.unassigned < self.cur_score.unassigned
            || (score.unassigned == self.cur_score.unassigned
                && self.absence_sum(&self.cur) < before_abs);
        if accept {
            self.cur.commit();
            self.cur_score = score;
        } else {
            self.cur.rollback();
        }
        for k in 0..self.cur.unassigned.len() {
            let j = self.cur.unassigned[k];
            self.absences[j] += 1;
        }
        if self.cur_score.cmp_levels(&self.best_score) == std::cmp::Ordering::Less {
            self.best = self.cur.clone();
            self.best_score = self.cur_score;
            self.last_improvement = self.iterations;
            self.start_fleet_round();
        }
    }

    fn distance_step(&mut self, fraction: f64) {
        let inst = self.inst;
        let open = if self.minimize_vehicles {
            Open::WhenNeeded
        } else {
            Open::Freely
        };
        let from = self.distance_from.min(0.95);
        let local = ((fraction - from) / (1.0 - from)).clamp(0.0, 1.0);
        let (t0, tf) = (
            self.params.t0 * self.edge_cost,
            self.params.tf * self.edge_cost,
        );
        let temp = t0 * (tf / t0).powf(local);
        self.cur.begin();
        ruin(inst, &mut self.cur, &mut self.rng, &self.params.ruin);
        recreate(
            inst,
            &mut self.cur,
            &mut self.rng,
            self.params.blink,
            open,
            None,
        );
        let score = self.cur.score(inst);
        let accept = match score.cmp_levels(&self.cur_score) {
            std::cmp::Ordering::Less => true,
            std::cmp::Ordering::Greater => false,
            std::cmp::Ordering::Equal => {
                let u: f64 = self.rng.random::<f64>().max(1e-300);
                score.cost < self.cur_score.cost - temp * u.ln()
            }
        };
        if accept {
            let new_best = score.better_than(&self.best_score);
            if self.staged.len() < MAX_STAGED {
                if new_best {
                    collect(&self.cur, &mut self.staged, None);
                } else if score.cost <= self.best_score.cost * POOL_WITHIN
                    && score.cmp_levels(&self.best_score).is_le()
                {
                    let touched = self.cur.touched_routes();
                    collect(&self.cur, &mut self.staged, Some(&touched));
                }
            }
            self.cur.commit();
            self.cur_score = score;
            if new_best {
                self.best = self.cur.clone();
                self.best_score = score;
                self.last_improvement = self.iterations;
            }
        } else {
            self.cur.rollback();
        }
        if self.iterations - self.last_improvement > self.stall_limit {
            self.phase = Phase::Done;
        }
    }
}

/// Mean cost per travelled edge of a solution (the construction's sets the temperature
/// scale: hotter than the final solution's, which helps escape clustered optima).
fn edge_cost(s: &State) -> f64 {
    let served: usize = s.routes.iter().map(|r| r.len()).sum();
    let edges = (served + s.used_routes()).max(1) as f64;
    let cost: f64 = s.routes.iter().filter(|r| r.used).map(|r| r.cost).sum();
    (cost / edges).max(1e-6)
}
