//! From a scenario to the solver's [`Problem`]: one solver technician per technician-day
//! (that day's shift, the same home and skills), times in seconds from the horizon start,
//! and a job's multi-day window split into one window per day clipped to working hours.

use anyhow::{bail, Context};
use routing_graph::{Coord, EstimatorKind, RoutingError, TravelEstimator};
use solver::{
    Break, Costs, Job, Objective, Problem, Shift, Skills, Technician, TimeWindow, TravelMatrix,
};
use std::collections::HashMap;

use super::model::{Scenario, DAY};

/// A solver technician's origin: which scenario technician, on which horizon day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TechDay {
    /// Index into [`Scenario::technicians`].
    pub technician: usize,
    /// Day of the horizon.
    pub day: u32,
}

/// The solver problem of a scenario and how to map its answers back.
#[derive(Clone, Debug)]
pub struct PlanningProblem {
    /// The problem; job `j` is work order `j` of the scenario.
    pub problem: Problem,
    /// Origin of each solver technician.
    pub tech_days: Vec<TechDay>,
    /// Who computed the travel matrix.
    pub estimator: EstimatorKind,
}

/// Builds the problem; travel between homes and sites comes from `travel`.
pub fn build(scenario: &Scenario, travel: &dyn TravelEstimator) -> anyhow::Result<PlanningProblem> {
    let homes = scenario.technicians.len();
    let points: Vec<Coord> = scenario
        .technicians
        .iter()
        .map(|t| t.home)
        .chain(scenario.work_orders.iter().map(|w| w.location))
        .collect();
    let name = |i: usize| {
        if i < homes {
            format!("home of technician `{}`", scenario.technicians[i].id)
        } else {
            format!("job `{}`", scenario.work_orders[i - homes].id)
        }
    };
    let matrix = if points.is_empty() {
        TravelMatrix::from_fn(0, |_, _| (0.0, 0.0))
    } else {
        let m = travel.matrix(&points, &points).map_err(|e| match e {
            RoutingError::MatrixPoint { index, source, .. } => {
                anyhow::anyhow!("{}: {source}", name(index))
            }
            other => anyhow::Error::from(other).context("travel matrix"),
        })?;
        TravelMatrix::new(points.len(), m.durations_s, m.distances_m).context("travel matrix")?
    };
    let skills = SkillIndex::new(scenario)?;

    let mut technicians = Vec::new();
    let mut tech_days = Vec::new();
    for (ti, t) in scenario.technicians.iter().enumerate() {
        let held = skills.of_technician(scenario, ti)?;
        for (d, shift) in t.days.iter().enumerate() {
            let Some(shift) = shift else { continue };
            let base = d as f64 * DAY;
            let (start, end) = (base + shift.start, base + shift.end);
            let breaks = t
                .breaks
                .iter()
                .enumerate()
                .filter(|(_, b)| base + b.earliest < end && base + b.latest >= start)
                .map(|(i, b)| Break {
                    id: format!("break{i}"),
                    duration: b.duration,
                    windows: vec![TimeWindow::new(
                        (base + b.earliest).max(start),
                        (base + b.latest).min(end),
                    )],
                })
                // Gaps between working intervals: breaks at a fixed time.
                .chain(shift.gaps.iter().enumerate().map(|(i, &(a, b))| Break {
                    id: format!("gap{i}"),
                    duration: b - a,
                    windows: vec![TimeWindow::new(base + a, base + a)],
                }))
                .collect();
            technicians.push(Technician {
                id: format!("{}@{}", t.id, scenario.horizon.date(d as u32)),
                start: Some(ti),
                end: Some(ti),
                shift: Shift {
                    start,
                    end,
                    soft_end: shift.overtime_after.map(|o| base + o),
                    overtime_cost: t.costs.overtime_per_hour / 3600.0,
                },
                breaks,
                skills: held,
                capacity: Vec::new(),
                max_jobs: t.max_jobs_per_day,
                costs: Costs {
                    fixed: t.costs.per_day,
                    per_time: t.costs.per_hour / 3600.0,
                    per_distance: t.costs.per_km / 1000.0,
                },
            });
            tech_days.push(TechDay {
                technician: ti,
                day: d as u32,
            });
        }
    }

    let hours = working_hours(scenario);
    let mut jobs = Vec::with_capacity(scenario.work_orders.len());
    for (j, w) in scenario.work_orders.iter().enumerate() {
        let mut job = Job::new(w.id.clone(), homes + j, w.service, 0);
        job.priority = w.priority;
        job.skills = skills.of_job(scenario, j)?;
        job.time_windows = day_windows(&w.windows, &hours, scenario.horizon.days);
        jobs.push(job);
    }
    let problem = Problem {
        matrix,
        technicians,
        jobs,
        dimensions: 0,
        objective: Objective {
            minimize_technicians: scenario.minimize_technicians,
        },
        replan: None,
    };
    problem.validate().context("planning problem")?;
    Ok(PlanningProblem {
        problem,
        tech_days,
        estimator: travel.kind(),
    })
}

/// Per day: earliest shift start and latest shift end of anyone working (seconds from
/// the horizon start), or `None` when nobody works.
fn working_hours(scenario: &Scenario) -> Vec<Option<(f64, f64)>> {
    (0..scenario.horizon.days as usize)
        .map(|d| {
            let base = d as f64 * DAY;
            scenario
                .technicians
                .iter()
                .filter_map(|t| t.days.get(d).and_then(Option::as_ref))
                .map(|s| (base + s.start, base + s.end))
                .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)))
        })
        .collect()
}

/// A job's windows clipped to each day's working hours (a window over three days gives
/// three windows). Nothing left: the raw windows, so that the job is reported as out of
/// reach rather than dropped.
fn day_windows(raw: &[(f64, f64)], hours: &[Option<(f64, f64)>], days: u32) -> Vec<TimeWindow> {
    let raw: Vec<(f64, f64)> = if raw.is_empty() {
        vec![(0.0, f64::from(days) * DAY)]
    } else {
        raw.to_vec()
    };
    let mut out: Vec<TimeWindow> = Vec::new();
    for (open, close) in hours.iter().flatten() {
        for &(a, b) in &raw {
            let (s, e) = (a.max(*open), b.min(*close));
            if s <= e {
                match out.last_mut() {
                    Some(last) if s <= last.end => last.end = last.end.max(e),
                    _ => out.push(TimeWindow::new(s, e)),
                }
            }
        }
    }
    if out.is_empty() {
        out = raw.iter().map(|&(a, b)| TimeWindow::new(a, b)).collect();
    }
    out
}

/// Skill names to solver indices; a job pinned to a technician requires that
/// technician's own pseudo-skill (all of their days hold it).
struct SkillIndex {
    index: HashMap<String, usize>,
}

impl SkillIndex {
    fn new(scenario: &Scenario) -> anyhow::Result<Self> {
        let mut index = HashMap::new();
        let names = scenario
            .technicians
            .iter()
            .flat_map(|t| t.skills.iter().cloned().chain([format!("@{}", t.id)]))
            .chain(
                scenario
                    .work_orders
                    .iter()
                    .flat_map(|w| w.skills.iter().cloned()),
            );
        for name in names {
            let next = index.len();
            index.entry(name).or_insert(next);
        }
        if index.len() > Skills::MAX {
            bail!(
                "too many distinct skills and technicians with pinned work ({} > {})",
                index.len(),
                Skills::MAX
            );
        }
        Ok(Self { index })
    }

    fn set<'a>(&self, names: impl IntoIterator<Item = &'a String>) -> anyhow::Result<Skills> {
        Ok(Skills::from_indices(
            names.into_iter().filter_map(|n| self.index.get(n).copied()),
        )?)
    }

    fn of_technician(&self, scenario: &Scenario, t: usize) -> anyhow::Result<Skills> {
        let tech = &scenario.technicians[t];
        let own = format!("@{}", tech.id);
        self.set(tech.skills.iter().chain([&own]))
    }

    fn of_job(&self, scenario: &Scenario, j: usize) -> anyhow::Result<Skills> {
        let w = &scenario.work_orders[j];
        let pin = w.technician.as_ref().map(|t| format!("@{t}"));
        self.set(w.skills.iter().chain(pin.as_ref()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_day_window_gives_one_window_per_day() {
        let hours = vec![
            Some((8.0 * 3600.0, 17.0 * 3600.0)),
            Some((DAY + 7.0 * 3600.0, DAY + 16.0 * 3600.0)),
            Some((2.0 * DAY + 8.0 * 3600.0, 2.0 * DAY + 17.0 * 3600.0)),
        ];
        let w = day_windows(&[(10.0 * 3600.0, 2.0 * DAY + 9.0 * 3600.0)], &hours, 3);
        assert_eq!(w.len(), 3);
        assert_eq!(w[0], TimeWindow::new(10.0 * 3600.0, 17.0 * 3600.0));
        assert_eq!(
            w[1],
            TimeWindow::new(DAY + 7.0 * 3600.0, DAY + 16.0 * 3600.0)
        );
        assert_eq!(
            w[2],
            TimeWindow::new(2.0 * DAY + 8.0 * 3600.0, 2.0 * DAY + 9.0 * 3600.0)
        );
    }

    #[test]
    fn window_outside_working_hours_is_kept_raw() {
        let hours = vec![Some((8.0 * 3600.0, 17.0 * 3600.0))];
        let w = day_windows(&[(20.0 * 3600.0, 22.0 * 3600.0)], &hours, 1);
        assert_eq!(w, vec![TimeWindow::new(20.0 * 3600.0, 22.0 * 3600.0)]);
    }
}
