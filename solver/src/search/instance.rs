//! The problem preprocessed for the search: per-job data in flat arrays, technician
//! compatibility (skills, pinning, capacity, reachability alone), fixed re-planning
//! prefixes and time-window-aware neighbour lists.

use crate::model::{Problem, EPSILON};

use super::schedule::{self, Breaks};
use crate::solution::Step;

/// Sentinel for "no location" (open route start or end): travel to or from it is free.
pub(crate) const NO_LOC: usize = usize::MAX;

/// Tolerance for time feasibility inside the search (tighter than the checker's).
pub(crate) const TIME_EPS: f64 = EPSILON * 0.1;

/// Neighbours kept per job for the ruin step.
const NEIGHBOURS: usize = 40;

/// Fixed leading visits of a technician's route when re-planning.
#[derive(Clone, Debug)]
pub(crate) struct Prefix {
    /// Fixed jobs in order.
    pub jobs: Vec<usize>,
    /// Their planned service starts.
    pub starts: Vec<f64>,
}

/// Preprocessed problem.
pub(crate) struct Instance<'a> {
    /// The original problem.
    pub problem: &'a Problem,
    /// Number of jobs.
    pub n_jobs: usize,
    /// Number of technicians.
    pub n_techs: usize,
    /// `allowed[t * n_jobs + j]`: technician `t` may serve job `j` (skills, pin,
    /// capacity, max_jobs and reachable within the shift on an otherwise empty route).
    allowed: Vec<bool>,
    /// Jobs the search routes (not fixed by re-planning, servable by someone).
    pub free: Vec<usize>,
    /// True for jobs fixed by re-planning.
    pub fixed: Vec<bool>,
    /// Fixed prefix per technician.
    pub prefix: Vec<Option<Prefix>>,
    /// Technicians whose insertions are evaluated in O(1) (no breaks, no time cost,
    /// no overtime cost).
    pub fast: Vec<bool>,
    /// Start location per technician (or [`NO_LOC`]).
    pub start_loc: Vec<usize>,
    /// End location per technician (or [`NO_LOC`]).
    pub end_loc: Vec<usize>,
    /// Job neighbours by time-window-aware proximity, closest first.
    pub neighbours: Vec<Vec<usize>>,
    /// Mean distance from the technicians' starts, per job (for insertion ordering).
    pub depot_dist: Vec<f64>,
    /// Total demand per job (for insertion ordering).
    pub demand_sum: Vec<i64>,
    /// Width of the job's time windows (for insertion ordering).
    pub tw_width: Vec<f64>,
    /// Lower bound on the routes needed for all mandatory jobs (by capacity).
    pub min_routes: usize,
}

impl<'a> Instance<'a> {
    /// Preprocesses a validated problem.
    pub fn new(problem: &'a Problem) -> Self {
        let n_jobs = problem.jobs.len();
        let n_techs = problem.technicians.len();
        let mut fixed = vec![false; n_jobs];
        let mut prefix: Vec<Option<Prefix>> = vec![None; n_techs];
        if let Some(replan) = &problem.replan {
            for (t, visits) in &replan.routes {
                if prefix[*t].is_some() {
                    continue;
                }
                let mut p = Prefix {
                    jobs: Vec::new(),
                    starts: Vec::new(),
                };
                for v in visits {
                    if v.start < replan.freeze_time && !fixed[v.job] {
                        fixed[v.job] = true;
                        p.jobs.push(v.job);
                        p.starts.push(v.start);
                    }
                }
                if !p.jobs.is_empty() {
                    prefix[*t] = Some(p);
                }
            }
        }
        let fast = problem
            .technicians
            .iter()
            .map(|t| {
                t.breaks.is_empty()
                    && t.costs.per_time == 0.0
                    && (t.shift.soft_end.is_none() || t.shift.overtime_cost == 0.0)
            })
            .collect();
        let start_loc = problem
            .technicians
            .iter()
            .map(|t| t.start.unwrap_or(NO_LOC))
            .collect();
        let end_loc = problem
            .technicians
            .iter()
            .map(|t| t.end.unwrap_or(NO_LOC))
            .collect();
        let demand_sum = problem.jobs.iter().map(|j| j.demand.iter().sum()).collect();
        let tw_width = problem
            .jobs
            .iter()
            .map(|j| {
                if j.time_windows.is_empty() {
                    f64::INFINITY
                } else {
                    j.time_windows.iter().map(|w| w.end - w.start).sum()
                }
            })
            .collect();
        let mut inst = Self {
            problem,
            n_jobs,
            n_techs,
            allowed: vec![false; n_jobs * n_techs],
            free: Vec::new(),
            fixed,
            prefix,
            fast,
            start_loc,
            end_loc,
            neighbours: Vec::new(),
            depot_dist: vec![0.0; n_jobs],
            demand_sum,
            tw_width,
            min_routes: 0,
        };
        inst.compute_allowed();
        inst.compute_geometry();
        inst.min_routes = inst.capacity_bound();
        inst
    }

    /// Fewest technicians whose largest capacities cover the mandatory demand, per
    /// dimension (the route minimisation stops there).
    fn capacity_bound(&self) -> usize {
        let jobs = &self.problem.jobs;
        let mut bound = 0;
        for d in 0..self.problem.dimensions {
            let need: i64 = (0..self.n_jobs)
                .filter(|&j| self.fixed[j] || jobs[j].unassigned_cost.is_none())
                .map(|j| jobs[j].demand[d].max(0))
                .sum();
            let mut caps: Vec<i64> = self
                .problem
                .technicians
                .iter()
                .map(|t| t.capacity[d])
                .collect();
            caps.sort_unstable_by(|a, b| b.cmp(a));
            let mut acc = 0;
            let mut k = 0;
            while acc < need && k < caps.len() {
                acc += caps[k];
                k += 1;
            }
            bound = bound.max(k);
        }
        let mandatory = self.free.iter().any(|&j| jobs[j].unassigned_cost.is_none());
        bound.max(usize::from(mandatory))
    }

    /// Travel time between locations ([`NO_LOC`] is free).
    #[inline]
    pub fn time(&self, a: usize, b: usize) -> f64 {
        if a == NO_LOC || b == NO_LOC {
            0.0
        } else {
            self.problem.matrix.duration(a, b)
        }
    }

    /// Distance between locations ([`NO_LOC`] is free).
    #[inline]
    pub fn dist(&self, a: usize, b: usize) -> f64 {
        if a == NO_LOC || b == NO_LOC {
            0.0
        } else {
            self.problem.matrix.distance(a, b)
        }
    }

    /// Whether technician `t` may serve job `j` at all.
    #[inline]
    pub fn allowed(&self, t: usize, j: usize) -> bool {
        self.allowed[t * self.n_jobs + j]
    }

    /// Skills, pin, capacity and max_jobs compatibility (no timing).
    pub fn static_ok(&self, t: usize, j: usize) -> bool {
        let tech = &self.problem.technicians[t];
        let job = &self.problem.jobs[j];
        tech.skills.covers(&job.skills)
            && job.pinned_to.is_none_or(|p| p == t)
            && self.capacity_ok(t, j)
    }

    /// Demand within capacity (counting fixed jobs) and max_jobs not reached by the prefix.
    pub fn capacity_ok(&self, t: usize, j: usize) -> bool {
        let tech = &self.problem.technicians[t];
        let job = &self.problem.jobs[j];
        let fixed_jobs: &[usize] = self.prefix[t].as_ref().map_or(&[], |p| &p.jobs);
        if tech.max_jobs.is_some_and(|m| m <= fixed_jobs.len()) {
            return false;
        }
        (0..self.problem.dimensions).all(|d| {
            let fixed: i64 = fixed_jobs
                .iter()
                .map(|f| self.problem.jobs[*f].demand[d])
                .sum();
            fixed + job.demand[d] <= tech.capacity[d]
        })
    }

    /// Penalty for serving job `j` with technician `t` (soft preference).
    #[inline]
    pub fn preference_cost(&self, t: usize, j: usize) -> f64 {
        let job = &self.problem.jobs[j];
        match job.preferred {
            Some(p) if p != t => job.preference_penalty,
            _ => 0.0,
        }
    }

    fn compute_allowed(&mut self) {
        for t in 0..self.n_techs {
            for j in 0..self.n_jobs {
                if self.fixed[j] || !self.static_ok(t, j) {
                    continue;
                }
                // Reachable within its windows; the shift end alone does not exclude
                // it (with a non-metric matrix a detour can return sooner).
                let ok = schedule::evaluate(self, t, [j].into_iter()).is_some()
                    || schedule::evaluate_steps(self, t, &[Step::Job(j)], Breaks::Partial)
                        .is_some();
                self.allowed[t * self.n_jobs + j] = ok;
            }
        }
        self.free = (0..self.n_jobs)
            .filter(|&j| !self.fixed[j] && (0..self.n_techs).any(|t| self.allowed(t, j)))
            .collect();
    }

    fn compute_geometry(&mut self) {
        let jobs = &self.problem.jobs;
        for (j, job) in jobs.iter().enumerate() {
            let loc = job.location;
            let mut sum = 0.0;
            let mut count = 0.0;
            for t in 0..self.n_techs {
                if self.start_loc[t] != NO_LOC {
                    sum += self.dist(self.start_loc[t], loc);
                    count += 1.0;
                }
            }
            self.depot_dist[j] = if count > 0.0 { sum / count } else { 0.0 };
        }
        let free = self.free.clone();
        let mut neighbours = vec![Vec::new(); self.n_jobs];
        for &a in &free {
            let mut cand: Vec<(f64, usize)> = free
                .iter()
                .filter(|&&b| b != a)
                .map(|&b| (self.proximity(a, b), b))
                .collect();
            let k = NEIGHBOURS.min(cand.len());
            if k < cand.len() {
                cand.select_nth_unstable_by(k, |x, y| x.0.total_cmp(&y.0));
                cand.truncate(k);
            }
            cand.sort_by(|x, y| x.0.total_cmp(&y.0));
            neighbours[a] = cand.into_iter().map(|(_, b)| b).collect();
        }
        self.neighbours = neighbours;
    }

    /// Symmetric proximity: travel distance plus a penalty when the time windows make
    /// consecutive service awkward (waiting or lateness), as in granular VRPTW searches.
    fn proximity(&self, a: usize, b: usize) -> f64 {
        let ja = &self.problem.jobs[a];
        let jb = &self.problem.jobs[b];
        let d = 0.5 * (self.dist(ja.location, jb.location) + self.dist(jb.location, ja.location));
        let (Some(wa), Some(wb)) = (ja.time_windows.first(), jb.time_windows.first()) else {
            return d;
        };
        let (ea, la) = (wa.start, ja.time_windows.last().map_or(wa.end, |w| w.end));
        let (eb, lb) = (wb.start, jb.time_windows.last().map_or(wb.end, |w| w.end));
        let gap = |e1: f64, l1: f64, s1: f64, e2: f64, l2: f64, t: f64| {
            let wait = (e2 - (l1 + s1 + t)).max(0.0);
            let late = (e1 + s1 + t - l2).max(0.0);
            0.2 * wait + late
        };
        let tab = self.time(ja.location, jb.location);
        let tba = self.time(jb.location, ja.location);
        let g = gap(ea, la, ja.service, eb, lb, tab).min(gap(eb, lb, jb.service, ea, la, tba));
        d + g
    }
}
