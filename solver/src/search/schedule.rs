//! Linear-time route timing, exactly per the timing rules of [`crate::solution`]: the
//! reference evaluation for routes with breaks, time costs or overtime, and the builder
//! of the final [`Route`] records.
//!
//! Breaks are placed greedily: before travelling to the next job, the first pending break
//! is taken when it fits in the waiting time anyway, or when it could no longer start
//! after that job; breaks still pending after the last job are taken there.

use crate::solution::{Route, Step, StepTimes};

use super::instance::{Instance, NO_LOC, TIME_EPS};

/// Cost and totals of a feasible route.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Eval {
    /// Route cost (module docs of [`crate::solution`]).
    pub cost: f64,
    /// Departure from the start location.
    pub departure: f64,
    /// End of the route.
    pub end_time: f64,
    /// Distance travelled.
    pub distance: f64,
    /// Travel time.
    pub travel: f64,
    /// Waiting time.
    pub waiting: f64,
    /// Overtime.
    pub overtime: f64,
}

/// Earliest start ≥ `t` inside the job's windows (any time when it has none).
#[inline]
pub(crate) fn earliest_start(inst: &Instance, job: usize, t: f64) -> Option<f64> {
    let windows = &inst.problem.jobs[job].time_windows;
    if windows.is_empty() {
        return Some(t);
    }
    windows
        .iter()
        .find(|w| w.end + TIME_EPS >= t)
        .map(|w| t.max(w.start))
}

/// Latest start ≤ `t` inside the job's windows.
#[inline]
pub(crate) fn latest_start(inst: &Instance, job: usize, t: f64) -> Option<f64> {
    let windows = &inst.problem.jobs[job].time_windows;
    if windows.is_empty() {
        return Some(t);
    }
    windows
        .iter()
        .rev()
        .find(|w| w.start <= t + TIME_EPS)
        .map(|w| t.min(w.end))
}

/// How breaks are placed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Breaks {
    /// Greedily (module docs); the steps hold jobs only.
    Greedy,
    /// Where the steps say; each break must appear exactly once in a used route.
    Explicit,
    /// As [`Breaks::Explicit`], but missing breaks and the shift end are not checked
    /// (a prefix of a route being enumerated).
    Partial,
}

/// Evaluates technician `t`'s route serving the fixed prefix then `jobs`; `None` when
/// infeasible (windows, shift end, breaks). Capacity is the caller's business. When the
/// greedy break placement fails for a technician with one break, every position of the
/// break is tried.
pub(crate) fn evaluate(
    inst: &Instance,
    t: usize,
    jobs: impl Iterator<Item = usize> + Clone,
) -> Option<Eval> {
    let greedy = simulate(inst, t, jobs.clone().map(Step::Job), Breaks::Greedy, None);
    if greedy.is_some() || inst.problem.technicians[t].breaks.len() != 1 {
        return greedy;
    }
    // Breaks only delay: when the windows fail without the break, no position helps.
    simulate(inst, t, jobs.clone().map(Step::Job), Breaks::Partial, None)?;
    rescue(inst, t, jobs).map(|(e, _)| e)
}

/// Cheapest feasible position of a technician's single break, by trying all.
fn rescue(
    inst: &Instance,
    t: usize,
    jobs: impl Iterator<Item = usize> + Clone,
) -> Option<(Eval, usize)> {
    let n = jobs.clone().count();
    let mut best: Option<(Eval, usize)> = None;
    for k in 0..=n {
        let steps = jobs
            .clone()
            .take(k)
            .map(Step::Job)
            .chain(std::iter::once(Step::Break(0)))
            .chain(jobs.clone().skip(k).map(Step::Job));
        if let Some(e) = simulate(inst, t, steps, Breaks::Explicit, None) {
            if best.as_ref().is_none_or(|b| e.cost < b.0.cost) {
                best = Some((e, k));
            }
        }
    }
    best
}

/// Evaluates explicit steps (breaks where given).
pub(crate) fn evaluate_steps(
    inst: &Instance,
    t: usize,
    steps: &[Step],
    mode: Breaks,
) -> Option<Eval> {
    simulate(inst, t, steps.iter().copied(), mode, None)
}

/// Builds the full route record (steps and times), or `None` when infeasible.
pub(crate) fn build_route(inst: &Instance, t: usize, jobs: &[usize]) -> Option<Route> {
    let mut steps = Vec::new();
    let greedy = simulate(
        inst,
        t,
        jobs.iter().map(|&j| Step::Job(j)),
        Breaks::Greedy,
        Some(&mut steps),
    );
    if let Some(eval) = greedy {
        return build_from(inst, t, eval, steps);
    }
    if inst.problem.technicians[t].breaks.len() != 1 {
        return None;
    }
    let (_, k) = rescue(inst, t, jobs.iter().copied())?;
    let mut explicit: Vec<Step> = jobs.iter().map(|&j| Step::Job(j)).collect();
    explicit.insert(k, Step::Break(0));
    build_steps(inst, t, &explicit, Breaks::Explicit)
}

/// Builds the route record of explicit steps.
pub(crate) fn build_steps(
    inst: &Instance,
    t: usize,
    steps: &[Step],
    mode: Breaks,
) -> Option<Route> {
    let mut out = Vec::new();
    let eval = simulate(inst, t, steps.iter().copied(), mode, Some(&mut out))?;
    build_from(inst, t, eval, out)
}

fn build_from(
    inst: &Instance,
    t: usize,
    eval: Eval,
    steps: Vec<(Step, StepTimes)>,
) -> Option<Route> {
    let fixed = inst.prefix[t].as_ref().map_or(0, |p| p.jobs.len());
    Some(Route {
        technician: t,
        departure: eval.departure,
        steps: steps.iter().map(|s| s.0).collect(),
        times: steps.iter().map(|s| s.1).collect(),
        fixed,
        end_time: eval.end_time,
        distance: eval.distance,
        travel_time: eval.travel,
        waiting: eval.waiting,
        overtime: eval.overtime,
        cost: eval.cost,
    })
}

/// Walking state of a simulation.
struct Walk<'o> {
    loc: usize,
    time: f64,
    distance: f64,
    travel: f64,
    waiting: f64,
    penalty: f64,
    out: Option<&'o mut Vec<(Step, StepTimes)>>,
}

impl Walk<'_> {
    fn push(&mut self, step: Step, arrival: f64, start: f64, end: f64) {
        if let Some(out) = self.out.as_deref_mut() {
            out.push((
                step,
                StepTimes {
                    arrival,
                    start,
                    end,
                },
            ));
        }
    }
}

fn simulate(
    inst: &Instance,
    t: usize,
    steps: impl Iterator<Item = Step>,
    mode: Breaks,
    out: Option<&mut Vec<(Step, StepTimes)>>,
) -> Option<Eval> {
    let tech = &inst.problem.technicians[t];
    let pjobs = &inst.problem.jobs;
    let start_loc = inst.start_loc[t];
    let mut w = Walk {
        loc: start_loc,
        time: tech.shift.start,
        distance: 0.0,
        travel: 0.0,
        waiting: 0.0,
        penalty: 0.0,
        out,
    };
    let mut departure = tech.shift.start;
    let mut used = false;
    // Index into `w.out` of the first job step and its travel time, for late departure.
    let mut first_job: Option<(f64, f64)> = None;
    if let Some(prefix) = &inst.prefix[t] {
        used = true;
        for (k, (&j, &start)) in prefix.jobs.iter().zip(&prefix.starts).enumerate() {
            let loc = pjobs[j].location;
            let tt = inst.time(w.loc, loc);
            if k == 0 {
                departure = if start_loc == NO_LOC {
                    start
                } else {
                    tech.shift.start.max(start - tt)
                };
                w.time = departure;
            }
            let arrival = w.time + tt;
            w.distance += inst.dist(w.loc, loc);
            w.travel += tt;
            w.waiting += (start - arrival).max(0.0);
            let end = start + pjobs[j].service;
            w.push(Step::Job(j), arrival.min(start), start, end);
            w.penalty += inst.preference_cost(t, j);
            w.loc = loc;
            w.time = end;
        }
    }
    let breaks = &tech.breaks;
    let mut next_break = 0;
    let mut steps_before_first_job = 0usize;
    let mut taken = 0u64;
    for step in steps {
        let j = match step {
            Step::Job(j) => j,
            Step::Break(k) => {
                let b = breaks.get(k)?;
                if mode == Breaks::Greedy || k >= 64 || taken & (1 << k) != 0 {
                    return None;
                }
                taken |= 1 << k;
                let bs = break_start(&b.windows, w.time)?;
                w.waiting += bs - w.time;
                w.push(Step::Break(k), w.time, bs, bs + b.duration);
                w.time = bs + b.duration;
                if first_job.is_none() {
                    steps_before_first_job += 1;
                }
                continue;
            }
        };
        used = true;
        let loc = pjobs[j].location;
        let tt = inst.time(w.loc, loc);
        // Breaks before travelling to j.
        while mode == Breaks::Greedy && next_break < breaks.len() {
            let b = &breaks[next_break];
            let bs = break_start(&b.windows, w.time)?;
            let arrive_direct = w.time + tt;
            let start_direct = earliest_start(inst, j, arrive_direct);
            let last_break_start = b.windows.last().map_or(f64::INFINITY, |x| x.end);
            let take = match start_direct {
                None => true,
                Some(s) => {
                    bs + b.duration + tt <= s + TIME_EPS
                        || last_break_start + TIME_EPS < s + pjobs[j].service
                }
            };
            if !take {
                break;
            }
            w.waiting += bs - w.time;
            w.push(Step::Break(next_break), w.time, bs, bs + b.duration);
            w.time = bs + b.duration;
            next_break += 1;
            if first_job.is_none() {
                steps_before_first_job += 1;
            }
        }
        let arrival = w.time + tt;
        let start = earliest_start(inst, j, arrival)?;
        let end = start + pjobs[j].service;
        w.distance += inst.dist(w.loc, loc);
        w.travel += tt;
        w.waiting += start - arrival;
        if first_job.is_none() && inst.prefix[t].is_none() {
            first_job = Some((tt, start));
        }
        w.push(Step::Job(j), arrival, start, end);
        w.penalty += inst.preference_cost(t, j);
        w.loc = loc;
        w.time = end;
    }
    if !used {
        return Some(Eval {
            departure,
            end_time: departure,
            ..Eval::default()
        });
    }
    if mode == Breaks::Explicit && taken.count_ones() as usize != breaks.len() {
        return None;
    }
    while mode == Breaks::Greedy && next_break < breaks.len() {
        let b = &breaks[next_break];
        let bs = break_start(&b.windows, w.time)?;
        w.waiting += bs - w.time;
        w.push(Step::Break(next_break), w.time, bs, bs + b.duration);
        w.time = bs + b.duration;
        next_break += 1;
    }
    let end_loc = inst.end_loc[t];
    let tt = inst.time(w.loc, end_loc);
    w.distance += inst.dist(w.loc, end_loc);
    w.travel += tt;
    let end_time = w.time + tt;
    if end_time > tech.shift.end + TIME_EPS && mode != Breaks::Partial {
        return None;
    }
    // Late departure: leave so as to arrive exactly at the first service start, when
    // the route begins with a job (cuts waiting; duration costs time).
    if let (Some((tt0, first)), 0) = (first_job, steps_before_first_job) {
        let late = start_loc == NO_LOC || tech.costs.per_time > 0.0;
        if late {
            {
                let dep = if start_loc == NO_LOC {
                    first
                } else {
                    tech.shift.start.max(first - tt0)
                };
                let saved = dep - departure;
                if saved > 0.0 {
                    departure = dep;
                    w.waiting = (w.waiting - saved).max(0.0);
                    if let Some(out) = w.out.as_deref_mut() {
                        out[0].1.arrival = if start_loc == NO_LOC {
                            first
                        } else {
                            dep + tt0
                        };
                    }
                }
            }
        }
    }
    let overtime = tech.shift.soft_end.map_or(0.0, |s| (end_time - s).max(0.0));
    let c = &tech.costs;
    let cost = c.fixed
        + c.per_time * (end_time - departure)
        + c.per_distance * w.distance
        + tech.shift.overtime_cost * overtime
        + w.penalty;
    Some(Eval {
        cost,
        departure,
        end_time,
        distance: w.distance,
        travel: w.travel,
        waiting: w.waiting,
        overtime,
    })
}

/// Earliest break start ≥ `t` inside its windows.
fn break_start(windows: &[crate::model::TimeWindow], t: f64) -> Option<f64> {
    windows
        .iter()
        .find(|w| w.end + TIME_EPS >= t)
        .map(|w| t.max(w.start))
}
