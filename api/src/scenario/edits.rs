//! What-if edits of a scenario: the workforce (add or remove technicians, change shifts
//! and skills), the demand (add jobs, scale it with seeded jittered copies, change time
//! windows) and the objective (minimise technicians, cost rates).

use anyhow::{bail, Context};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use routing_graph::Coord;
use serde::{Deserialize, Serialize};

use super::file::{CostSpec, JobSpec, ShiftSpec, TechnicianSpec, WindowSpec};
use super::model::{normalise, Scenario};

/// One change to a scenario. In JSON: `{"add_technician": {...}}`, `{"scale_demand":
/// {"factor": 2}}`, …
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Edit {
    /// Adds a technician.
    AddTechnician(TechnicianSpec),
    /// Removes a technician (jobs pinned to them lose the pin).
    RemoveTechnician {
        /// Technician id.
        id: String,
    },
    /// Replaces the shifts of a technician (`"*"`: everyone).
    SetShifts {
        /// Technician id or `"*"`.
        technician: String,
        /// New working hours.
        shifts: Vec<ShiftSpec>,
    },
    /// Adds `count` copies of a technician (same skills, home, hours, costs), named
    /// `<id> +1`, `<id> +2`, …: "hire two more like Ana".
    CopyTechnician {
        /// Technician id.
        technician: String,
        /// Copies to add (1 to 50).
        #[serde(default = "one_copy")]
        count: usize,
    },
    /// Moves the start and/or end of working days that exist (days off stay off):
    /// "Tuesday's shift starts at 07:00".
    MoveShifts {
        /// Technician id or `"*"`.
        technician: String,
        /// Only these weekdays (`"mon"`…`"sun"`); empty: every working day.
        #[serde(default)]
        weekdays: Vec<String>,
        /// New start, `HH:MM`.
        #[serde(default)]
        start: Option<String>,
        /// New end, `HH:MM`.
        #[serde(default)]
        end: Option<String>,
    },
    /// Replaces the skills of a technician (`"*"`: everyone).
    SetSkills {
        /// Technician id or `"*"`.
        technician: String,
        /// New skill names.
        skills: Vec<String>,
    },
    /// Adds skills to a technician (`"*"`: everyone).
    AddSkills {
        /// Technician id or `"*"`.
        technician: String,
        /// Skill names to add.
        skills: Vec<String>,
    },
    /// Adds one-off jobs.
    AddJobs(Vec<JobSpec>),
    /// Scales the demand: `factor` 2 adds a jittered copy of every job, 1.5 of every
    /// other one, 0.5 keeps a random half. Seeded: the same seed gives the same copies.
    ScaleDemand {
        /// Demand multiplier (> 0).
        factor: f64,
        /// Largest move of a copy's site, metres.
        #[serde(default = "default_jitter_m")]
        jitter_m: f64,
        /// Largest shift of a copy's windows, minutes (either way).
        #[serde(default)]
        jitter_minutes: f64,
        /// Random seed.
        #[serde(default)]
        seed: u64,
    },
    /// Widens every job's windows by `minutes` on each side (negative narrows).
    WidenWindows {
        /// Minutes added before and after each window.
        minutes: f64,
    },
    /// Replaces one job's windows.
    SetWindows {
        /// Job id.
        job: String,
        /// New windows.
        windows: Vec<WindowSpec>,
    },
    /// Changes the objective: ranking and cost rates (applied to every technician).
    Objective {
        /// Rank fewer technician-days above cost.
        #[serde(default)]
        minimize_technicians: Option<bool>,
        /// New cost rates for everyone.
        #[serde(default)]
        costs: Option<CostSpec>,
    },
}

fn one_copy() -> usize {
    1
}

fn default_jitter_m() -> f64 {
    300.0
}

impl Edit {
    /// The edit's JSON name, for messages.
    pub fn name(&self) -> &'static str {
        match self {
            Edit::AddTechnician(_) => "add_technician",
            Edit::RemoveTechnician { .. } => "remove_technician",
            Edit::SetShifts { .. } => "set_shifts",
            Edit::CopyTechnician { .. } => "copy_technician",
            Edit::MoveShifts { .. } => "move_shifts",
            Edit::SetSkills { .. } => "set_skills",
            Edit::AddSkills { .. } => "add_skills",
            Edit::AddJobs(_) => "add_jobs",
            Edit::ScaleDemand { .. } => "scale_demand",
            Edit::WidenWindows { .. } => "widen_windows",
            Edit::SetWindows { .. } => "set_windows",
            Edit::Objective { .. } => "objective",
        }
    }
}

/// Applies `edits` in order; errors name the edit and its field.
pub fn apply_all(scenario: &mut Scenario, edits: &[Edit]) -> anyhow::Result<()> {
    for (i, edit) in edits.iter().enumerate() {
        apply(scenario, edit).with_context(|| format!("edits[{i}] ({})", edit.name()))?;
    }
    scenario.check_ids()
}

/// Indices of technicians matching `id` (`"*"`: all); an unknown id is an error.
fn matching(scenario: &Scenario, id: &str) -> anyhow::Result<Vec<usize>> {
    let found: Vec<usize> = (0..scenario.technicians.len())
        .filter(|&i| id == "*" || scenario.technicians[i].id == id)
        .collect();
    if found.is_empty() && id != "*" {
        bail!("field `technician`: no technician `{id}`");
    }
    Ok(found)
}

/// Applies one edit.
pub fn apply(scenario: &mut Scenario, edit: &Edit) -> anyhow::Result<()> {
    match edit {
        Edit::AddTechnician(spec) => {
            let t = scenario.horizon.technician(spec, &scenario.default_costs)?;
            scenario.technicians.push(t);
        }
        Edit::RemoveTechnician { id } => {
            let before = scenario.technicians.len();
            scenario.technicians.retain(|t| &t.id != id);
            if scenario.technicians.len() == before {
                bail!("field `id`: no technician `{id}`");
            }
            for w in &mut scenario.work_orders {
                if w.technician.as_deref() == Some(id.as_str()) {
                    w.technician = None;
                }
            }
        }
        Edit::SetShifts { technician, shifts } => {
            for i in matching(scenario, technician)? {
                let t = &scenario.technicians[i];
                let spec = TechnicianSpec {
                    id: t.id.clone(),
                    skills: Vec::new(),
                    home: [t.home.lon, t.home.lat],
                    shifts: shifts.clone(),
                    breaks: Vec::new(),
                    costs: None,
                    max_jobs_per_day: None,
                };
                let resolved = scenario
                    .horizon
                    .technician(&spec, &scenario.default_costs)?;
                scenario.technicians[i].days = resolved.days;
            }
        }
        Edit::CopyTechnician { technician, count } => {
            if !(1..=50).contains(count) {
                bail!("field `count`: must be 1 to 50, got {count}");
            }
            let i = matching(scenario, technician)?
                .into_iter()
                .next()
                .context("field `technician`: `*` is not allowed here")?;
            for k in 1..=*count {
                let mut copy = scenario.technicians[i].clone();
                copy.id = format!("{} +{k}", copy.id);
                scenario.technicians.push(copy);
            }
        }
        Edit::MoveShifts {
            technician,
            weekdays,
            start,
            end,
        } => {
            let days = weekdays
                .iter()
                .map(|w| super::recurrence::parse_weekday(w))
                .collect::<anyhow::Result<Vec<_>>>()
                .context("field `weekdays`")?;
            let start = start
                .as_deref()
                .map(super::model::parse_clock)
                .transpose()
                .context("field `start`")?;
            let end = end
                .as_deref()
                .map(super::model::parse_clock)
                .transpose()
                .context("field `end`")?;
            let horizon = scenario.horizon.clone();
            for i in matching(scenario, technician)? {
                for (d, shift) in scenario.technicians[i].days.iter_mut().enumerate() {
                    let Some(shift) = shift else { continue };
                    let date = horizon.date(d as u32);
                    if !days.is_empty() && !days.contains(&chrono::Datelike::weekday(&date)) {
                        continue;
                    }
                    let (s, e) = (start.unwrap_or(shift.start), end.unwrap_or(shift.end));
                    if e <= s {
                        bail!("field `end`: must be after `start`");
                    }
                    shift.start = s;
                    shift.end = e;
                    shift.gaps.retain(|&(a, b)| a >= s && b <= e);
                    shift.overtime_after = shift.overtime_after.map(|o| o.clamp(s, e));
                }
            }
        }
        Edit::SetSkills { technician, skills } => {
            for i in matching(scenario, technician)? {
                scenario.technicians[i].skills = skills.clone();
            }
        }
        Edit::AddSkills { technician, skills } => {
            for i in matching(scenario, technician)? {
                let t = &mut scenario.technicians[i];
                for s in skills {
                    if !t.skills.contains(s) {
                        t.skills.push(s.clone());
                    }
                }
            }
        }
        Edit::AddJobs(specs) => {
            for (i, spec) in specs.iter().enumerate() {
                let w = scenario
                    .horizon
                    .work_order(spec)
                    .with_context(|| format!("[{i}] (`{}`)", spec.id))?;
                scenario.work_orders.push(w);
            }
        }
        Edit::ScaleDemand {
            factor,
            jitter_m,
            jitter_minutes,
            seed,
        } => scale_demand(scenario, *factor, *jitter_m, *jitter_minutes, *seed)?,
        Edit::WidenWindows { minutes } => {
            if !minutes.is_finite() {
                bail!("field `minutes`: must be a number");
            }
            let d = minutes * 60.0;
            for w in &mut scenario.work_orders {
                let widened = w
                    .windows
                    .iter()
                    .map(|&(a, b)| (a - d, b + d))
                    .filter(|(a, b)| a <= b)
                    .collect();
                w.windows = normalise(widened);
            }
        }
        Edit::SetWindows { job, windows } => {
            let Some(i) = scenario.work_orders.iter().position(|w| &w.id == job) else {
                bail!("field `job`: no job `{job}`");
            };
            let spec = JobSpec {
                id: job.clone(),
                location: [0.0, 0.0],
                minutes: 0.0,
                windows: windows.clone(),
                skills: Vec::new(),
                priority: 1,
                technician: None,
            };
            let resolved = scenario.horizon.work_order(&spec)?;
            scenario.work_orders[i].windows = resolved.windows;
        }
        Edit::Objective {
            minimize_technicians,
            costs,
        } => {
            if let Some(m) = minimize_technicians {
                scenario.minimize_technicians = *m;
            }
            if let Some(c) = costs {
                scenario.default_costs = c.clone();
                for t in &mut scenario.technicians {
                    t.costs = c.clone();
                }
            }
        }
    }
    Ok(())
}

/// Scales the demand by `factor` with seeded jittered copies (or a seeded subset).
pub fn scale_demand(
    scenario: &mut Scenario,
    factor: f64,
    jitter_m: f64,
    jitter_minutes: f64,
    seed: u64,
) -> anyhow::Result<()> {
    if !(factor > 0.0 && factor.is_finite()) {
        bail!("field `factor`: must be a number > 0, got {factor}");
    }
    if !(jitter_m >= 0.0 && jitter_minutes >= 0.0) {
        bail!("fields `jitter_m` and `jitter_minutes` must be ≥ 0");
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = scenario.work_orders.len();
    let target = (n as f64 * factor).round() as usize;
    if target <= n {
        let mut keep: Vec<usize> = (0..n).collect();
        keep.shuffle(&mut rng);
        keep.truncate(target);
        keep.sort_unstable();
        let old = std::mem::take(&mut scenario.work_orders);
        scenario.work_orders = keep.into_iter().map(|i| old[i].clone()).collect();
        return Ok(());
    }
    for k in 0..target - n {
        let mut copy = scenario.work_orders[k % n].clone();
        copy.id = format!("{}~{}", copy.id, k / n + 1);
        copy.location = jitter(copy.location, jitter_m, &mut rng);
        let shift = if jitter_minutes > 0.0 {
            rng.random_range(-jitter_minutes..=jitter_minutes) * 60.0
        } else {
            0.0
        };
        for w in &mut copy.windows {
            w.0 += shift;
            w.1 += shift;
        }
        copy.recurring = false;
        scenario.work_orders.push(copy);
    }
    Ok(())
}

/// A point at most `metres` from `c`, uniformly in the disc.
pub fn jitter(c: Coord, metres: f64, rng: &mut impl Rng) -> Coord {
    if metres <= 0.0 {
        return c;
    }
    let r = metres * rng.random::<f64>().sqrt();
    let a = rng.random::<f64>() * std::f64::consts::TAU;
    let dlat = r * a.sin() / 111_320.0;
    let dlon = r * a.cos() / (111_320.0 * c.lat.to_radians().cos().max(0.01));
    Coord::new(c.lon + dlon, c.lat + dlat)
}
