//! A search state: one [`RouteState`] per technician, the unassigned free jobs, and an
//! undo log so a rejected ruin-and-recreate move is rolled back without cloning.

use std::cmp::Ordering;

use super::instance::Instance;
use super::route::RouteState;

/// Marker for "not in a route".
pub(crate) const UNROUTED: u32 = u32::MAX;

/// Lexicographic objective: unassigned mandatory priority, routes used, cost.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Score {
    /// Summed priority of unassigned mandatory jobs.
    pub unassigned: u64,
    /// Technicians used (0 when not minimised).
    pub vehicles: usize,
    /// Routes plus unassigned optional jobs' costs.
    pub cost: f64,
}

impl Score {
    /// Compares the first two levels only.
    pub fn cmp_levels(&self, other: &Score) -> Ordering {
        self.unassigned
            .cmp(&other.unassigned)
            .then(self.vehicles.cmp(&other.vehicles))
    }

    /// True when strictly better lexicographically (cost by a relative margin).
    pub fn better_than(&self, other: &Score) -> bool {
        match self.cmp_levels(other) {
            Ordering::Less => true,
            Ordering::Greater => false,
            Ordering::Equal => self.cost < other.cost - 1e-9 * (1.0 + other.cost.abs()),
        }
    }
}

/// A solution under search.
#[derive(Clone, Debug)]
pub(crate) struct State {
    /// One route per technician.
    pub routes: Vec<RouteState>,
    /// Route index per job ([`UNROUTED`] when not routed).
    pub route_of: Vec<u32>,
    /// Free jobs not in any route.
    pub unassigned: Vec<usize>,
    undo_routes: Vec<(usize, RouteState)>,
    touched: Vec<bool>,
    undo_unassigned: Vec<usize>,
    logging: bool,
}

impl State {
    /// Every technician's route empty (or fixed prefix only), all free jobs unassigned.
    pub fn empty(inst: &Instance) -> Self {
        let routes: Vec<RouteState> = (0..inst.n_techs)
            .map(|t| RouteState::new(inst, t))
            .collect();
        Self {
            route_of: vec![UNROUTED; inst.n_jobs],
            unassigned: inst.free.clone(),
            touched: vec![false; routes.len()],
            routes,
            undo_routes: Vec::new(),
            undo_unassigned: Vec::new(),
            logging: false,
        }
    }

    /// The lexicographic score.
    pub fn score(&self, inst: &Instance) -> Score {
        let jobs = &inst.problem.jobs;
        let mut s = Score {
            unassigned: 0,
            vehicles: 0,
            cost: 0.0,
        };
        for r in &self.routes {
            if r.used {
                s.vehicles += 1;
                s.cost += r.cost;
            }
        }
        if !inst.problem.objective.minimize_technicians {
            s.vehicles = 0;
        }
        for &j in &self.unassigned {
            match jobs[j].unassigned_cost {
                Some(c) => s.cost += c,
                None => s.unassigned += u64::from(jobs[j].priority.max(1)),
            }
        }
        s
    }

    /// Routes with at least one job or a fixed prefix.
    pub fn used_routes(&self) -> usize {
        self.routes.iter().filter(|r| r.used).count()
    }

    /// Starts recording changes for [`Self::rollback`].
    pub fn begin(&mut self) {
        self.logging = true;
        self.undo_routes.clear();
        self.undo_unassigned.clear();
        self.undo_unassigned.extend_from_slice(&self.unassigned);
    }

    /// Keeps the changes since [`Self::begin`].
    pub fn commit(&mut self) {
        self.logging = false;
        for (r, _) in self.undo_routes.drain(..) {
            self.touched[r] = false;
        }
    }

    /// Reverts to the state at [`Self::begin`].
    pub fn rollback(&mut self) {
        self.logging = false;
        let saved = std::mem::take(&mut self.undo_routes);
        for (r, _) in &saved {
            for &j in &self.routes[*r].jobs {
                self.route_of[j] = UNROUTED;
            }
        }
        for (r, route) in saved {
            for &j in &route.jobs {
                self.route_of[j] = r as u32;
            }
            self.routes[r] = route;
            self.touched[r] = false;
        }
        std::mem::swap(&mut self.unassigned, &mut self.undo_unassigned);
    }

    fn touch(&mut self, r: usize) {
        if self.logging && !self.touched[r] {
            self.touched[r] = true;
            self.undo_routes.push((r, self.routes[r].clone()));
        }
    }

    /// Removes the jobs at `positions` (ascending) of route `r` into the unassigned list.
    pub fn remove_positions(&mut self, inst: &Instance, r: usize, positions: &[usize]) {
        self.touch(r);
        let route = &mut self.routes[r];
        for &p in positions.iter().rev() {
            let j = route.jobs.remove(p);
            self.route_of[j] = UNROUTED;
            self.unassigned.push(j);
        }
        route.recompute_load(inst);
        route.update(inst);
    }

    /// Removes the whole route `r`.
    pub fn clear_route(&mut self, inst: &Instance, r: usize) {
        let n = self.routes[r].len();
        let all: Vec<usize> = (0..n).collect();
        self.remove_positions(inst, r, &all);
    }

    /// Inserts unassigned job `j` into route `r` at `pos`.
    pub fn insert(&mut self, inst: &Instance, j: usize, r: usize, pos: usize) {
        self.touch(r);
        if let Some(k) = self.unassigned.iter().position(|&u| u == j) {
            self.unassigned.swap_remove(k);
        }
        self.route_of[j] = r as u32;
        self.routes[r].insert(inst, j, pos);
    }

    /// Routes changed since [`Self::begin`].
    pub fn touched_routes(&self) -> Vec<usize> {
        self.undo_routes.iter().map(|(r, _)| *r).collect()
    }

    /// Replaces route `r`'s job list (recombination); the jobs must be unassigned.
    /// Returns false when the timing is infeasible.
    pub fn set_route(&mut self, inst: &Instance, r: usize, jobs: Vec<usize>) -> bool {
        self.touch(r);
        for &j in &jobs {
            if let Some(k) = self.unassigned.iter().position(|&u| u == j) {
                self.unassigned.swap_remove(k);
            }
            self.route_of[j] = r as u32;
        }
        let route = &mut self.routes[r];
        route.jobs = jobs;
        route.recompute_load(inst);
        route.update(inst)
    }
}
