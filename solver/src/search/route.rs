//! A route under search: its jobs, load and cost, plus forward/backward time data that
//! make an insertion check O(1) for technicians without breaks or time-dependent costs
//! (earliest start forward, latest feasible start backward — the concatenation idea of
//! Vidal et al. 2013 specialised to inserting one job). Other technicians fall back to
//! the linear [`schedule::evaluate`].

use super::instance::{Instance, TIME_EPS};
use super::schedule::{self, earliest_start, latest_start};

/// One technician's route in a search state.
#[derive(Clone, Debug)]
pub(crate) struct RouteState {
    /// Technician index.
    pub tech: usize,
    /// Free jobs in order (after the fixed prefix, if any).
    pub jobs: Vec<usize>,
    /// Load per dimension, fixed prefix included.
    pub load: Vec<i64>,
    /// Route cost (0 when unused).
    pub cost: f64,
    /// True when the route has a job or a fixed prefix.
    pub used: bool,
    /// Fast mode: node locations, start → jobs → end.
    loc: Vec<usize>,
    /// Fast mode: service time per node.
    service: Vec<f64>,
    /// Fast mode: earliest service start per node.
    early: Vec<f64>,
    /// Fast mode: latest service start per node keeping the rest feasible.
    late: Vec<f64>,
}

impl RouteState {
    /// An empty route (or the fixed prefix) of technician `t`.
    pub fn new(inst: &Instance, t: usize) -> Self {
        let mut load = vec![0; inst.problem.dimensions];
        if let Some(p) = &inst.prefix[t] {
            for &j in &p.jobs {
                for (l, d) in load.iter_mut().zip(&inst.problem.jobs[j].demand) {
                    *l += d;
                }
            }
        }
        let mut r = Self {
            tech: t,
            jobs: Vec::new(),
            load,
            cost: 0.0,
            used: false,
            loc: Vec::new(),
            service: Vec::new(),
            early: Vec::new(),
            late: Vec::new(),
        };
        r.update(inst);
        r
    }

    /// Number of free jobs.
    pub fn len(&self) -> usize {
        self.jobs.len()
    }

    /// Recomputes cost and caches after the job list changed. Returns false when the
    /// route is infeasible (which the search never produces).
    pub fn update(&mut self, inst: &Instance) -> bool {
        let t = self.tech;
        self.used = !self.jobs.is_empty() || inst.prefix[t].is_some();
        let eval = schedule::evaluate(inst, t, self.jobs.iter().copied());
        self.cost = eval.map_or(f64::INFINITY, |e| e.cost);
        if inst.fast[t] {
            self.fill_fast(inst);
        }
        eval.is_some()
    }

    /// Recomputes the load from scratch.
    pub fn recompute_load(&mut self, inst: &Instance) {
        let dims = inst.problem.dimensions;
        let mut load = vec![0; dims];
        let prefix = inst.prefix[self.tech].as_ref().map_or(&[][..], |p| &p.jobs);
        for &j in prefix.iter().chain(&self.jobs) {
            for (l, d) in load.iter_mut().zip(&inst.problem.jobs[j].demand) {
                *l += d;
            }
        }
        self.load = load;
    }

    fn fill_fast(&mut self, inst: &Instance) {
        let t = self.tech;
        let tech = &inst.problem.technicians[t];
        let jobs = &inst.problem.jobs;
        let n = self.jobs.len();
        self.loc.clear();
        self.service.clear();
        self.early.clear();
        self.late.clear();
        // Start node: the start location at shift start, or the last fixed visit.
        let (start_loc, start_time, start_service) = match &inst.prefix[t] {
            Some(p) => {
                let (&j, &s) = p
                    .jobs
                    .last()
                    .zip(p.starts.last())
                    .expect("non-empty prefix");
                (jobs[j].location, s, jobs[j].service)
            }
            None => (inst.start_loc[t], tech.shift.start, 0.0),
        };
        self.loc.push(start_loc);
        self.service.push(start_service);
        self.early.push(start_time);
        let mut time = start_time + start_service;
        let mut prev = start_loc;
        for &j in &self.jobs {
            let loc = jobs[j].location;
            let arr = time + inst.time(prev, loc);
            let s = earliest_start(inst, j, arr).unwrap_or(f64::INFINITY);
            self.loc.push(loc);
            self.service.push(jobs[j].service);
            self.early.push(s);
            time = s + jobs[j].service;
            prev = loc;
        }
        self.loc.push(inst.end_loc[t]);
        self.service.push(0.0);
        self.early.push(time + inst.time(prev, inst.end_loc[t]));
        // Backward latest starts.
        self.late.resize(n + 2, 0.0);
        self.late[n + 1] = tech.shift.end;
        for i in (1..=n).rev() {
            let j = self.jobs[i - 1];
            let bound =
                self.late[i + 1] - inst.time(self.loc[i], self.loc[i + 1]) - self.service[i];
            self.late[i] = latest_start(inst, j, bound).unwrap_or(f64::NEG_INFINITY);
        }
        self.late[0] = self.late[1] - inst.time(self.loc[0], self.loc[1]) - self.service[0];
    }

    /// Whether job `j` fits the load and max_jobs.
    #[inline]
    pub fn fits(&self, inst: &Instance, j: usize) -> bool {
        let tech = &inst.problem.technicians[self.tech];
        if let Some(m) = tech.max_jobs {
            let fixed = inst.prefix[self.tech].as_ref().map_or(0, |p| p.jobs.len());
            if self.jobs.len() + fixed >= m {
                return false;
            }
        }
        self.load
            .iter()
            .zip(&inst.problem.jobs[j].demand)
            .zip(&tech.capacity)
            .all(|((l, d), c)| l + d <= *c)
    }

    /// Cost increase of inserting job `j` before position `pos` (0..=len), or `None`
    /// when the timing becomes infeasible. Capacity is checked by [`Self::fits`].
    #[inline]
    pub fn insertion_delta(&self, inst: &Instance, j: usize, pos: usize) -> Option<f64> {
        if inst.fast[self.tech] {
            self.fast_delta(inst, j, pos)
        } else {
            let seq = self.jobs[..pos]
                .iter()
                .copied()
                .chain(std::iter::once(j))
                .chain(self.jobs[pos..].iter().copied());
            schedule::evaluate(inst, self.tech, seq).map(|e| e.cost - self.cost)
        }
    }

    #[inline]
    fn fast_delta(&self, inst: &Instance, j: usize, pos: usize) -> Option<f64> {
        let job = &inst.problem.jobs[j];
        let (a, b) = (pos, pos + 1);
        let la = self.loc[a];
        let lb = self.loc[b];
        let lj = job.location;
        let arr = self.early[a] + self.service[a] + inst.time(la, lj);
        let s = earliest_start(inst, j, arr)?;
        let arr_b = s + job.service + inst.time(lj, lb);
        if arr_b > self.late[b] + TIME_EPS {
            return None;
        }
        let tech = &inst.problem.technicians[self.tech];
        let dd = inst.dist(la, lj) + inst.dist(lj, lb) - inst.dist(la, lb);
        let mut delta = tech.costs.per_distance * dd + inst.preference_cost(self.tech, j);
        if !self.used {
            delta += tech.costs.fixed + tech.costs.per_distance * inst.dist(la, lb);
        }
        Some(delta)
    }

    /// Inserts job `j` at `pos` and refreshes the caches.
    pub fn insert(&mut self, inst: &Instance, j: usize, pos: usize) {
        self.jobs.insert(pos, j);
        for (l, d) in self.load.iter_mut().zip(&inst.problem.jobs[j].demand) {
            *l += d;
        }
        self.update(inst);
    }
}
