//! VRPLIB solution files: one line per route with the customer numbers it visits, then
//! the total distance.
//!
//! ```text
//! Route #1: 20 24 25 27 29 30 28 26 23 22 21
//! Route #2: 67 65 63 62 74 72 61 64 68 66 69
//! Cost 828.94
//! ```

use std::fmt::Write as _;

use super::FormatError;
use crate::model::Problem;
use crate::solution::{Solution, Step};

/// A parsed VRPLIB solution.
#[derive(Clone, Debug, PartialEq)]
pub struct VrplibSolution {
    /// Customer numbers of each route, in order.
    pub routes: Vec<Vec<usize>>,
    /// The stated cost, if the file has a `Cost` line.
    pub cost: Option<f64>,
}

/// Writes `solution` in VRPLIB form: routes numbered from 1 with the jobs' ids (the
/// customer numbers for Solomon instances), breaks left out, then `Cost` = total distance
/// with 2 decimals.
pub fn write(problem: &Problem, solution: &Solution) -> String {
    let mut out = String::new();
    let mut number = 0;
    for route in &solution.routes {
        let ids: Vec<&str> = route
            .steps
            .iter()
            .filter_map(|s| match s {
                Step::Job(j) => problem.jobs.get(*j).map(|job| job.id.as_str()),
                Step::Break(_) => None,
            })
            .collect();
        if ids.is_empty() {
            continue;
        }
        number += 1;
        let _ = writeln!(out, "Route #{number}: {}", ids.join(" "));
    }
    let _ = writeln!(out, "Cost {:.2}", solution.summary.distance);
    out
}

/// Parses a VRPLIB solution. Empty lines are skipped; any other line must be a
/// `Route #k: ...` or `Cost x` line.
pub fn parse(text: &str) -> Result<VrplibSolution, FormatError> {
    let mut routes = Vec::new();
    let mut cost = None;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let line = line.trim();
        let bad = |expected: &str| FormatError::Line {
            line: n,
            expected: expected.to_string(),
            found: line.to_string(),
        };
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("Route") {
            let (_, customers) = rest
                .split_once(':')
                .ok_or_else(|| bad("`Route #k: <customer numbers>`"))?;
            let route = customers
                .split_whitespace()
                .map(|c| c.parse::<usize>())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| bad("customer numbers (integers) after `Route #k:`"))?;
            routes.push(route);
        } else if let Some(rest) = line.strip_prefix("Cost") {
            let value = rest
                .trim()
                .parse::<f64>()
                .map_err(|_| bad("`Cost <number>`"))?;
            cost = Some(value);
        } else {
            return Err(bad("a `Route #k:` or `Cost` line"));
        }
    }
    Ok(VrplibSolution { routes, cost })
}

/// Maps the customer numbers of `sol` to job indices of `problem` (by job id), route by
/// route. An unknown customer is reported as a [`FormatError::Line`] on its route.
pub fn job_indices(
    problem: &Problem,
    sol: &VrplibSolution,
) -> Result<Vec<Vec<usize>>, FormatError> {
    let by_id: std::collections::HashMap<&str, usize> = problem
        .jobs
        .iter()
        .enumerate()
        .map(|(i, j)| (j.id.as_str(), i))
        .collect();
    sol.routes
        .iter()
        .enumerate()
        .map(|(r, route)| {
            route
                .iter()
                .map(|c| {
                    by_id
                        .get(c.to_string().as_str())
                        .copied()
                        .ok_or_else(|| FormatError::Line {
                            line: r + 1,
                            expected: "customer numbers of the instance".into(),
                            found: c.to_string(),
                        })
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_routes_and_cost() {
        let sol = parse("Route #1: 3 1 2\r\nRoute #2: 5\r\n\r\nCost 12.50\r\n").expect("valid");
        assert_eq!(sol.routes, vec![vec![3, 1, 2], vec![5]]);
        assert_eq!(sol.cost, Some(12.5));
    }

    #[test]
    fn rejects_garbage() {
        assert!(matches!(
            parse("Route #1: 3 x\n"),
            Err(FormatError::Line { line: 1, .. })
        ));
        assert!(matches!(
            parse("Route #1: 3\nfoo\n"),
            Err(FormatError::Line { line: 2, .. })
        ));
        assert!(matches!(
            parse("Cost abc\n"),
            Err(FormatError::Line { line: 1, .. })
        ));
    }
}
