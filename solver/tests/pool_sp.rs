//! Set partitioning over small route pools with known optima.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use solver::pool_sp::{RoutePool, SelectParams};

fn pool() -> RoutePool {
    let mut p = RoutePool::new();
    p.add(0, &[0, 1], 10.0); // 0
    p.add(0, &[2, 3], 10.0); // 1
    for j in 0..4 {
        p.add(0, &[j], 4.0); // 2..=5
    }
    p.add(0, &[0, 1, 2, 3], 25.0); // 6
    p
}

#[test]
fn vehicles_first_then_cost() {
    let p = pool();
    let s = p.select(&SelectParams::mandatory(4, true)).expect("cover");
    assert_eq!(s.routes, vec![6]);
    assert_eq!(s.cost, 25.0);
    assert!(s.optimal);
    let s = p.select(&SelectParams::mandatory(4, false)).expect("cover");
    assert_eq!(s.routes, vec![2, 3, 4, 5]);
    assert_eq!(s.cost, 16.0);
}

#[test]
fn class_limits() {
    let p = pool();
    let mut params = SelectParams::mandatory(4, false);
    params.class_limits = vec![2];
    let s = p.select(&params).expect("cover");
    assert_eq!(s.routes, vec![0, 1]);
    assert_eq!(s.cost, 20.0);
    params.class_limits = vec![0];
    assert!(p.select(&params).is_none());
}

#[test]
fn optional_jobs_and_missing_cover() {
    let mut p = pool();
    p.add(1, &[4], 10.0);
    let mut params = SelectParams::mandatory(5, true);
    params.uncovered_cost[4] = Some(3.0);
    let s = p.select(&params).expect("cover");
    assert_eq!((s.routes.clone(), s.uncovered.clone()), (vec![6], vec![4]));
    assert_eq!(s.cost, 28.0);
    params.uncovered_cost[4] = Some(30.0);
    params.minimize_routes = false;
    let s = p.select(&params).expect("cover");
    assert_eq!(s.routes, vec![2, 3, 4, 5, 7]);
    assert!(s.uncovered.is_empty());
    // Job 5 is mandatory and in no route.
    assert!(p.select(&SelectParams::mandatory(6, true)).is_none());
    // Optional job 5 in no route stays uncovered.
    let mut params = SelectParams::mandatory(6, true);
    params.uncovered_cost[4] = Some(1.0);
    params.uncovered_cost[5] = Some(2.0);
    let s = p.select(&params).expect("cover");
    assert_eq!(s.uncovered, vec![4, 5]);
}

#[test]
fn dedupes_by_job_set_keeping_the_cheapest() {
    let mut p = RoutePool::new();
    assert!(p.add(0, &[1, 2, 3], 10.0));
    assert!(!p.add(0, &[3, 2, 1], 11.0));
    assert!(!p.add(0, &[1, 2, 3], 10.0));
    assert!(p.add(0, &[2, 1, 3], 9.0));
    assert!(p.add(1, &[1, 2, 3], 12.0), "another class is another route");
    assert!(!p.add(0, &[], 1.0));
    assert!(!p.add(0, &[4], f64::NAN));
    assert_eq!(p.len(), 2);
    assert_eq!(p.routes()[0].jobs, vec![2, 1, 3]);
    assert_eq!(p.routes()[0].cost, 9.0);
}

/// Exact optimum by dynamic programming over job subsets: (routes, cost).
fn exact(p: &RoutePool, n: usize, minimize_routes: bool) -> (usize, f64) {
    let full = (1usize << n) - 1;
    let mut best: Vec<Option<(usize, f64)>> = vec![None; full + 1];
    best[0] = Some((0, 0.0));
    let masks: Vec<(usize, f64)> = p
        .routes()
        .iter()
        .map(|r| (r.jobs.iter().fold(0, |m, j| m | 1 << j), r.cost))
        .collect();
    let better = |a: (usize, f64), b: (usize, f64)| {
        if minimize_routes && a.0 != b.0 {
            a.0 < b.0
        } else {
            a.1 < b.1
        }
    };
    for m in 0..=full {
        let Some(cur) = best[m] else { continue };
        if m == full {
            continue;
        }
        let low = (!m).trailing_zeros() as usize; // lowest uncovered job
        for &(rm, c) in &masks {
            if rm & (1 << low) != 0 && rm & m == 0 {
                let next = (cur.0 + 1, cur.1 + c);
                let slot = &mut best[m | rm];
                if slot.is_none_or(|s| better(next, s)) {
                    *slot = Some(next);
                }
            }
        }
    }
    best[full].expect("singletons cover")
}

#[test]
fn random_pools_match_exact_optimum() {
    let n = 12;
    for seed in 0..6 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut p = RoutePool::new();
        for j in 0..n {
            p.add(0, &[j], rng.random_range(20.0..40.0));
        }
        for _ in 0..80 {
            let len = rng.random_range(2..=5);
            let mut jobs: Vec<usize> = (0..len).map(|_| rng.random_range(0..n)).collect();
            jobs.sort_unstable();
            jobs.dedup();
            let cost = 10.0 * jobs.len() as f64 + rng.random_range(0.0..30.0);
            p.add(0, &jobs, cost);
        }
        for minimize_routes in [false, true] {
            let (routes, cost) = exact(&p, n, minimize_routes);
            let mut params = SelectParams::mandatory(n, minimize_routes);
            params.time_limit = std::time::Duration::from_secs(10);
            params.initial = (0..n).collect(); // the singletons
            let s = p.select(&params).expect("cover");
            assert!(s.optimal);
            assert!(
                (s.cost - cost).abs() < 1e-6,
                "seed {seed}: {} vs {cost}",
                s.cost
            );
            if minimize_routes {
                assert_eq!(s.routes.len(), routes, "seed {seed}");
            }
            let mut seen = vec![0; n];
            for &r in &s.routes {
                for &j in &p.routes()[r].jobs {
                    seen[j] += 1;
                }
            }
            assert!(seen.iter().all(|&c| c == 1), "exact cover");
        }
    }
}
