//! Route pool and set partitioning with HiGHS.
//!
//! The search collects good routes it meets into a [`RoutePool`]; [`RoutePool::select`]
//! then picks the best combination of them with a mixed-integer program:
//!
//! ```text
//! min  Σ_r (BIG·[vehicles first] + cost_r) x_r + Σ_j uncovered_cost_j u_j
//! s.t. Σ_{r ∋ j} x_r = 1            for every mandatory job j
//!      Σ_{r ∋ j} x_r + u_j = 1      for every optional job j   (u_j ∈ [0, 1])
//!      Σ_{r of class c} x_r ≤ limit_c   for every class with a limit
//!      x_r ∈ {0, 1}
//! ```
//!
//! BIG exceeds any selection's total cost, so with `minimize_routes` fewer routes always
//! win. A *class* groups interchangeable technicians (same start, end, shift, skills,
//! capacity, costs, no breaks or pins that tell them apart): a route built for one of them
//! fits any, and the caller assigns concrete technicians to the chosen routes. Use one
//! class per technician when they all differ, a single class for a homogeneous fleet.
//!
//! Typical use by the search:
//!
//! ```
//! use solver::pool_sp::{RoutePool, SelectParams};
//! let mut pool = RoutePool::new();
//! pool.add(0, &[0, 1], 10.0);
//! pool.add(0, &[2], 4.0);
//! pool.add(0, &[1, 0], 9.0); // same jobs, cheaper order: replaces the first
//! pool.add(0, &[0, 1, 2], 16.0);
//! let params = SelectParams::mandatory(3, true);
//! let chosen = pool.select(&params).expect("a cover exists");
//! assert_eq!(chosen.routes, vec![2]); // one route beats two
//! assert_eq!(pool.get(0).map(|r| r.jobs.clone()), Some(vec![1, 0]));
//! ```

use std::collections::HashMap;
use std::time::Duration;

use good_lp::solvers::highs::highs;
use good_lp::{
    constraint, variable, Expression, ProblemVariables, Solution as _, SolutionStatus, SolverModel,
    Variable, WithInitialSolution,
};

/// A route of the pool: jobs in visiting order and its cost.
#[derive(Clone, Debug, PartialEq)]
pub struct PoolRoute {
    /// Class of technicians the route was built for (see module docs).
    pub class: usize,
    /// Job indices in visiting order.
    pub jobs: Vec<usize>,
    /// Route cost (as in [`crate::Route::cost`]).
    pub cost: f64,
}

/// Distinct routes, at most one per (class, job set): the cheapest order seen.
#[derive(Clone, Debug, Default)]
pub struct RoutePool {
    routes: Vec<PoolRoute>,
    by_set: HashMap<(usize, Vec<usize>), usize>,
}

/// What [`RoutePool::select`] solves.
#[derive(Clone, Debug)]
pub struct SelectParams {
    /// Per job (index = job index; the length is the number of jobs): `None` when the job
    /// must be covered exactly once, `Some(c)` when it may stay uncovered at cost `c`.
    /// Routes holding a job index beyond this length are never chosen.
    pub uncovered_cost: Vec<Option<f64>>,
    /// Most routes per class (index = class); classes beyond the vector are unlimited.
    pub class_limits: Vec<usize>,
    /// Vehicles first: minimise the number of routes, then cost.
    pub minimize_routes: bool,
    /// Wall-clock limit for HiGHS.
    pub time_limit: Duration,
    /// Relative MIP gap at which HiGHS stops.
    pub mip_gap: f64,
    /// Route indices of a known feasible selection, given to HiGHS as a start.
    pub initial: Vec<usize>,
}

impl SelectParams {
    /// `jobs` mandatory jobs, unlimited classes, 1 s, gap 1e-6, no start.
    pub fn mandatory(jobs: usize, minimize_routes: bool) -> Self {
        Self {
            uncovered_cost: vec![None; jobs],
            class_limits: Vec::new(),
            minimize_routes,
            time_limit: Duration::from_secs(1),
            mip_gap: 1e-6,
            initial: Vec::new(),
        }
    }
}

/// The routes [`RoutePool::select`] chose.
#[derive(Clone, Debug, PartialEq)]
pub struct Selection {
    /// Indices into the pool, ascending.
    pub routes: Vec<usize>,
    /// Optional jobs left uncovered, ascending.
    pub uncovered: Vec<usize>,
    /// Summed cost of the routes and of the uncovered jobs (without the BIG term).
    pub cost: f64,
    /// True when HiGHS proved optimality (within the gap); false on time limit.
    pub optimal: bool,
}

impl RoutePool {
    /// An empty pool.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of routes.
    pub fn len(&self) -> usize {
        self.routes.len()
    }

    /// True when the pool has no route.
    pub fn is_empty(&self) -> bool {
        self.routes.is_empty()
    }

    /// All routes; indices are stable (a cheaper order replaces a route in place).
    pub fn routes(&self) -> &[PoolRoute] {
        &self.routes
    }

    /// The route at `index`.
    pub fn get(&self, index: usize) -> Option<&PoolRoute> {
        self.routes.get(index)
    }

    /// Adds a route of `class` visiting `jobs` at `cost`. Returns true when it is new or
    /// cheaper than the stored route of the same class and job set (which it replaces);
    /// false for an empty, non-finite or not cheaper route.
    pub fn add(&mut self, class: usize, jobs: &[usize], cost: f64) -> bool {
        if jobs.is_empty() || !cost.is_finite() {
            return false;
        }
        let mut set = jobs.to_vec();
        set.sort_unstable();
        match self.by_set.get(&(class, set.clone())) {
            Some(&i) if self.routes[i].cost <= cost => false,
            Some(&i) => {
                self.routes[i].jobs = jobs.to_vec();
                self.routes[i].cost = cost;
                true
            }
            None => {
                self.by_set.insert((class, set), self.routes.len());
                self.routes.push(PoolRoute {
                    class,
                    jobs: jobs.to_vec(),
                    cost,
                });
                true
            }
        }
    }

    /// Chooses routes covering every mandatory job exactly once and every optional job at
    /// most once, within the class limits, minimising (routes first if asked) then cost.
    /// `None` when no cover exists or HiGHS found none within the time limit.
    pub fn select(&self, params: &SelectParams) -> Option<Selection> {
        let n = params.uncovered_cost.len();
        let usable: Vec<usize> = (0..self.routes.len())
            .filter(|&r| {
                let route = &self.routes[r];
                route.jobs.iter().all(|&j| j < n)
                    && params.class_limits.get(route.class).is_none_or(|&l| l > 0)
            })
            .collect();
        let mut covering: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (k, &r) in usable.iter().enumerate() {
            for &j in &self.routes[r].jobs {
                covering[j].push(k);
            }
        }
        if (0..n).any(|j| params.uncovered_cost[j].is_none() && covering[j].is_empty()) {
            return None;
        }
        // BIG > any selection's cost: each chosen route can be charged to a distinct job.
        let big = 1.0
            + covering
                .iter()
                .map(|rs| {
                    rs.iter()
                        .map(|&k| self.routes[usable[k]].cost.abs())
                        .fold(0.0, f64::max)
                })
                .sum::<f64>()
            + params
                .uncovered_cost
                .iter()
                .flatten()
                .map(|c| c.abs())
                .sum::<f64>();
        let per_route = if params.minimize_routes { big } else { 0.0 };

        let mut vars = ProblemVariables::new();
        let x: Vec<Variable> = usable
            .iter()
            .map(|_| vars.add(variable().binary()))
            .collect();
        let u: Vec<Option<Variable>> = params
            .uncovered_cost
            .iter()
            .map(|c| c.map(|_| vars.add(variable().clamp(0.0, 1.0))))
            .collect();
        if x.is_empty() && u.iter().all(Option::is_none) {
            return Some(Selection {
                routes: Vec::new(),
                uncovered: Vec::new(),
                cost: 0.0,
                optimal: true,
            });
        }
        let mut objective = Expression::from(0.0);
        for (k, &r) in usable.iter().enumerate() {
            objective += (per_route + self.routes[r].cost) * x[k];
        }
        for (j, v) in u.iter().enumerate() {
            if let (Some(v), Some(c)) = (v, params.uncovered_cost[j]) {
                objective += c * *v;
            }
        }
        let mut model = highs(vars.minimise(objective))
            .set_time_limit(params.time_limit.as_secs_f64())
            .set_option("output_flag", false)
            .set_option("mip_rel_gap", params.mip_gap.max(0.0));
        for j in 0..n {
            let mut row: Expression = covering[j].iter().map(|&k| x[k]).sum();
            if let Some(v) = u[j] {
                row += v;
            }
            model.add_constraint(constraint::eq(row, 1.0));
        }
        let mut per_class: HashMap<usize, Expression> = HashMap::new();
        for (k, &r) in usable.iter().enumerate() {
            let class = self.routes[r].class;
            if class < params.class_limits.len() {
                *per_class.entry(class).or_default() += x[k];
            }
        }
        for (class, row) in per_class {
            model.add_constraint(constraint::leq(row, params.class_limits[class] as f64));
        }
        let model = match self.warm_start(params, &usable, &x, &u) {
            Some(start) => model.with_initial_solution(start),
            None => model,
        };
        let solution = model.solve().ok()?;
        let routes: Vec<usize> = usable
            .iter()
            .enumerate()
            .filter(|(k, _)| solution.value(x[*k]) > 0.5)
            .map(|(_, &r)| r)
            .collect();
        let mut covered = vec![false; n];
        for &r in &routes {
            for &j in &self.routes[r].jobs {
                covered[j] = true;
            }
        }
        let uncovered: Vec<usize> = (0..n).filter(|&j| !covered[j]).collect();
        let cost = routes.iter().map(|&r| self.routes[r].cost).sum::<f64>()
            + uncovered
                .iter()
                .filter_map(|&j| params.uncovered_cost[j])
                .sum::<f64>();
        Some(Selection {
            routes,
            uncovered,
            cost,
            optimal: matches!(
                solution.status(),
                SolutionStatus::Optimal | SolutionStatus::GapLimit
            ),
        })
    }

    /// Variable values of `params.initial`, when it is a valid partial cover.
    fn warm_start(
        &self,
        params: &SelectParams,
        usable: &[usize],
        x: &[Variable],
        u: &[Option<Variable>],
    ) -> Option<Vec<(Variable, f64)>> {
        if params.initial.is_empty() {
            return None;
        }
        let mut covered = vec![false; params.uncovered_cost.len()];
        let mut start = Vec::new();
        for (k, r) in usable.iter().enumerate() {
            let chosen = params.initial.contains(r);
            if chosen {
                for &j in &self.routes[*r].jobs {
                    if std::mem::replace(&mut covered[j], true) {
                        return None;
                    }
                }
            }
            start.push((x[k], if chosen { 1.0 } else { 0.0 }));
        }
        for (j, v) in u.iter().enumerate() {
            match v {
                Some(v) => start.push((*v, if covered[j] { 0.0 } else { 1.0 })),
                None if !covered[j] => return None,
                None => {}
            }
        }
        Some(start)
    }
}
