//! The resolved scenario: every clock time turned into seconds, every date into a day of
//! the horizon. Times of work orders are seconds from the horizon start (local midnight of
//! its first day); shifts and breaks are seconds from their day's midnight.

use anyhow::{bail, Context};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};
use routing_graph::Coord;
use serde::Serialize;

use super::file::{CostSpec, JobSpec, RecurringSpec, ScenarioFile, ShiftSpec, TechnicianSpec};
use super::recurrence::{parse_date, parse_weekday};

/// Seconds in a day.
pub const DAY: f64 = 86_400.0;

/// The planning period.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Horizon {
    /// First day.
    pub start: NaiveDate,
    /// Number of days.
    pub days: u32,
    /// Local time minus UTC, seconds.
    pub utc_offset_s: i32,
}

/// Working hours of one day, seconds from that day's midnight.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DayShift {
    /// Start of work.
    pub start: f64,
    /// Hard end (back home).
    pub end: f64,
    /// Work after this is overtime.
    pub overtime_after: Option<f64>,
    /// Unworked parts inside the shift (start, end), seconds from midnight, sorted.
    pub gaps: Vec<(f64, f64)>,
}

/// A daily break, seconds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DailyBreak {
    /// Length.
    pub duration: f64,
    /// Earliest start from midnight.
    pub earliest: f64,
    /// Latest start from midnight.
    pub latest: f64,
}

/// A technician over the horizon.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Technician {
    /// Identifier.
    pub id: String,
    /// Skill names.
    pub skills: Vec<String>,
    /// Start and end of every day.
    pub home: Coord,
    /// Working hours per horizon day (`None`: not working).
    pub days: Vec<Option<DayShift>>,
    /// Daily breaks.
    pub breaks: Vec<DailyBreak>,
    /// Cost rates.
    pub costs: CostSpec,
    /// Most jobs per day.
    pub max_jobs_per_day: Option<usize>,
}

/// A visit to plan.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WorkOrder {
    /// Identifier.
    pub id: String,
    /// Site.
    pub location: Coord,
    /// Time on site, seconds.
    pub service: f64,
    /// Windows for the start of service, seconds from the horizon start, sorted and
    /// disjoint; empty: any time.
    pub windows: Vec<(f64, f64)>,
    /// Skill names required.
    pub skills: Vec<String>,
    /// Weight of serving it.
    pub priority: u32,
    /// Only this technician (id) may serve it.
    pub technician: Option<String>,
    /// Generated from a recurring schedule.
    pub recurring: bool,
}

/// A scenario ready to plan.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scenario {
    /// Name.
    pub name: String,
    /// Road network file, as written.
    pub graph: Option<String>,
    /// Planning period.
    pub horizon: Horizon,
    /// Rank fewer technician-days above cost.
    pub minimize_technicians: bool,
    /// Cost rates of technicians without their own.
    pub default_costs: CostSpec,
    /// The workforce.
    pub technicians: Vec<Technician>,
    /// The demand.
    pub work_orders: Vec<WorkOrder>,
}

/// Parses `HH:MM` (or `HH:MM:SS`) into seconds from midnight; `24:00` is the day's end.
pub fn parse_clock(s: &str) -> anyhow::Result<f64> {
    if s.trim() == "24:00" {
        return Ok(DAY);
    }
    let t = NaiveTime::parse_from_str(s.trim(), "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(s.trim(), "%H:%M:%S"))
        .map_err(|_| anyhow::anyhow!("`{s}` is not a clock time (HH:MM)"))?;
    Ok(f64::from(t.num_seconds_from_midnight()))
}

use chrono::Timelike;

/// Parses `+HH:MM` / `-HH:MM` / `Z` into seconds.
fn parse_offset(s: &str) -> anyhow::Result<i32> {
    let s = s.trim();
    if s == "Z" || s.is_empty() {
        return Ok(0);
    }
    let (sign, rest) = match s.split_at(1) {
        ("+", r) => (1, r),
        ("-", r) => (-1, r),
        _ => bail!("`{s}` is not a UTC offset (+HH:MM)"),
    };
    let secs = parse_clock(rest).with_context(|| format!("`{s}` is not a UTC offset (+HH:MM)"))?;
    if secs > 14.0 * 3600.0 {
        bail!("`{s}` is not a UTC offset (at most ±14:00)");
    }
    Ok(sign * secs as i32)
}

impl Horizon {
    /// The date of day `d`.
    pub fn date(&self, d: u32) -> NaiveDate {
        self.start + Duration::days(i64::from(d))
    }

    /// The last day.
    pub fn end_date(&self) -> NaiveDate {
        self.date(self.days.saturating_sub(1))
    }

    /// The day index of `date`, if inside the horizon.
    pub fn day_of(&self, date: NaiveDate) -> Option<u32> {
        let d = (date - self.start).num_days();
        (0..i64::from(self.days)).contains(&d).then_some(d as u32)
    }

    /// Seconds from the horizon start of `YYYY-MM-DDTHH:MM`, or of a bare date (its
    /// midnight, or the next midnight when `end_of_day`).
    pub fn parse_instant(&self, s: &str, end_of_day: bool) -> anyhow::Result<f64> {
        let s = s.trim();
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M") {
            return Ok((dt - self.start.and_time(NaiveTime::MIN)).num_seconds() as f64);
        }
        let date = parse_date(s).map_err(|_| {
            anyhow::anyhow!("`{s}` is not a date-time (YYYY-MM-DDTHH:MM) or date (YYYY-MM-DD)")
        })?;
        let days = (date - self.start).num_days() as f64 + if end_of_day { 1.0 } else { 0.0 };
        Ok(days * DAY)
    }

    /// Local date-time of `seconds` from the horizon start, `YYYY-MM-DDTHH:MM:SS±HH:MM`.
    pub fn format(&self, seconds: f64) -> String {
        let dt = self.start.and_time(NaiveTime::MIN) + Duration::seconds(seconds.round() as i64);
        let off = self.utc_offset_s;
        let sign = if off < 0 { '-' } else { '+' };
        let off = off.unsigned_abs();
        format!(
            "{}{sign}{:02}:{:02}",
            dt.format("%Y-%m-%dT%H:%M:%S"),
            off / 3600,
            (off % 3600) / 60
        )
    }

    /// Resolves a technician's spec; errors name the field.
    pub fn technician(
        &self,
        spec: &TechnicianSpec,
        defaults: &CostSpec,
    ) -> anyhow::Result<Technician> {
        let home = coord(spec.home).context("field `home`")?;
        let mut days = Vec::with_capacity(self.days as usize);
        let shifts = spec
            .shifts
            .iter()
            .enumerate()
            .map(|(i, s)| resolve_shift(s).with_context(|| format!("shifts[{i}]")))
            .collect::<anyhow::Result<Vec<_>>>()?;
        for d in 0..self.days {
            let date = self.date(d);
            let hit = shifts.iter().find(|(dates, weekdays, _)| {
                dates.contains(&date)
                    || weekdays.contains(&date.weekday())
                    || (dates.is_empty() && weekdays.is_empty())
            });
            days.push(hit.and_then(|(_, _, shift)| shift.clone()));
        }
        let breaks = spec
            .breaks
            .iter()
            .enumerate()
            .map(|(i, b)| -> anyhow::Result<DailyBreak> {
                let ctx = || format!("breaks[{i}]");
                let earliest = parse_clock(&b.earliest)
                    .context("field `earliest`")
                    .with_context(ctx)?;
                let latest = parse_clock(&b.latest)
                    .context("field `latest`")
                    .with_context(ctx)?;
                if latest < earliest || !(b.minutes >= 0.0 && b.minutes.is_finite()) {
                    bail!("breaks[{i}]: needs minutes ≥ 0 and latest ≥ earliest");
                }
                Ok(DailyBreak {
                    duration: b.minutes * 60.0,
                    earliest,
                    latest,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Technician {
            id: spec.id.clone(),
            skills: spec.skills.clone(),
            home,
            days,
            breaks,
            costs: spec.costs.clone().unwrap_or_else(|| defaults.clone()),
            max_jobs_per_day: spec.max_jobs_per_day,
        })
    }

    /// Resolves a one-off job's spec; errors name the field.
    pub fn work_order(&self, spec: &JobSpec) -> anyhow::Result<WorkOrder> {
        let location = coord(spec.location).context("field `location`")?;
        if !(spec.minutes >= 0.0 && spec.minutes.is_finite()) {
            bail!("field `minutes`: must be a number ≥ 0");
        }
        let mut windows = Vec::new();
        for (i, w) in spec.windows.iter().enumerate() {
            let from = self
                .parse_instant(&w.from, false)
                .with_context(|| format!("windows[{i}].from"))?;
            let to = self
                .parse_instant(&w.to, true)
                .with_context(|| format!("windows[{i}].to"))?;
            if to < from {
                bail!("windows[{i}]: `to` is before `from`");
            }
            windows.push((from, to));
        }
        Ok(WorkOrder {
            id: spec.id.clone(),
            location,
            service: spec.minutes * 60.0,
            windows: normalise(windows),
            skills: spec.skills.clone(),
            priority: spec.priority.max(1),
            technician: spec.technician.clone(),
            recurring: false,
        })
    }

    /// The visits a recurring spec generates over the horizon; errors name the field.
    pub fn recurring(&self, spec: &RecurringSpec) -> anyhow::Result<Vec<WorkOrder>> {
        let location = coord(spec.location).context("field `location`")?;
        let rule = spec.rule.resolve().context("rule")?;
        let from = match &spec.from {
            Some(s) => parse_clock(s).context("field `from`")?,
            None => 0.0,
        };
        let to = match &spec.to {
            Some(s) => parse_clock(s).context("field `to`")?,
            None => DAY,
        };
        if to < from {
            bail!("field `to`: before `from`");
        }
        let mut out = Vec::new();
        for date in rule.dates(self.start, self.end_date()) {
            let day = (date - self.start).num_days() as f64;
            let windows: Vec<(f64, f64)> = (0..=spec.slack_days)
                .map(|k| {
                    (
                        (day + f64::from(k)) * DAY + from,
                        (day + f64::from(k)) * DAY + to,
                    )
                })
                .collect();
            out.push(WorkOrder {
                id: format!("{}@{date}", spec.id),
                location,
                service: spec.minutes * 60.0,
                windows: normalise(windows),
                skills: spec.skills.clone(),
                priority: spec.priority.max(1),
                technician: None,
                recurring: true,
            });
        }
        Ok(out)
    }
}

/// Sorts windows and merges overlapping ones.
pub fn normalise(mut windows: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    windows.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(windows.len());
    for w in windows {
        match out.last_mut() {
            Some(last) if w.0 <= last.1 => last.1 = last.1.max(w.1),
            _ => out.push(w),
        }
    }
    out
}

fn coord(c: [f64; 2]) -> anyhow::Result<Coord> {
    let coord = Coord::new(c[0], c[1]);
    if !coord.is_valid() {
        bail!("[{}, {}] is not a [lon, lat] position", c[0], c[1]);
    }
    Ok(coord)
}

type ResolvedShift = (Vec<NaiveDate>, Vec<chrono::Weekday>, Option<DayShift>);

fn resolve_shift(s: &ShiftSpec) -> anyhow::Result<ResolvedShift> {
    let dates = s
        .dates
        .iter()
        .map(|d| parse_date(d))
        .collect::<anyhow::Result<Vec<_>>>()
        .context("field `dates`")?;
    let weekdays = s
        .weekdays
        .iter()
        .map(|w| parse_weekday(w))
        .collect::<anyhow::Result<Vec<_>>>()
        .context("field `weekdays`")?;
    if s.off {
        return Ok((dates, weekdays, None));
    }
    let start = parse_clock(&s.start).context("field `start`")?;
    let end = parse_clock(&s.end).context("field `end`")?;
    if end <= start {
        bail!("field `end`: must be after `start`");
    }
    let overtime_after = match &s.overtime_after {
        Some(t) => Some(parse_clock(t).context("field `overtime_after`")?),
        None => None,
    };
    let mut gaps = Vec::with_capacity(s.gaps.len());
    for (i, g) in s.gaps.iter().enumerate() {
        let from = parse_clock(&g.from).with_context(|| format!("gaps[{i}]: field `from`"))?;
        let to = parse_clock(&g.to).with_context(|| format!("gaps[{i}]: field `to`"))?;
        if !(start <= from && from < to && to <= end) {
            bail!("gaps[{i}]: must lie inside the shift, `from` before `to`");
        }
        gaps.push((from, to));
    }
    gaps.sort_by(|a, b| a.0.total_cmp(&b.0));
    Ok((
        dates,
        weekdays,
        Some(DayShift {
            start,
            end,
            overtime_after,
            gaps,
        }),
    ))
}

impl Scenario {
    /// Resolves a parsed file (its base scenario, before any variant's edits).
    pub fn from_file(file: &ScenarioFile) -> anyhow::Result<Self> {
        let h = &file.horizon;
        let start = parse_date(&h.start).context("horizon: field `start`")?;
        if !(1..=62).contains(&h.days) {
            bail!("horizon: field `days`: must be 1 to 62, got {}", h.days);
        }
        let utc_offset_s = match &h.utc_offset {
            Some(s) => parse_offset(s).context("horizon: field `utc_offset`")?,
            None => 0,
        };
        let horizon = Horizon {
            start,
            days: h.days,
            utc_offset_s,
        };
        let default_costs = file.objective.costs.clone().unwrap_or_default();
        let mut technicians = Vec::new();
        for (i, spec) in file.technicians.iter().enumerate() {
            let t = horizon
                .technician(spec, &default_costs)
                .with_context(|| format!("technicians[{i}] (`{}`)", spec.id))?;
            technicians.push(t);
        }
        let mut work_orders = Vec::new();
        for (i, spec) in file.jobs.iter().enumerate() {
            let w = horizon
                .work_order(spec)
                .with_context(|| format!("jobs[{i}] (`{}`)", spec.id))?;
            work_orders.push(w);
        }
        for (i, spec) in file.recurring.iter().enumerate() {
            let ws = horizon
                .recurring(spec)
                .with_context(|| format!("recurring[{i}] (`{}`)", spec.id))?;
            work_orders.extend(ws);
        }
        let scenario = Self {
            name: file.name.clone(),
            graph: file.graph.clone(),
            horizon,
            minimize_technicians: file.objective.minimize_technicians,
            default_costs,
            technicians,
            work_orders,
        };
        scenario.check_ids()?;
        Ok(scenario)
    }

    /// Rejects repeated technician or work-order ids and pins to unknown technicians.
    pub fn check_ids(&self) -> anyhow::Result<()> {
        let mut seen = std::collections::HashSet::new();
        for t in &self.technicians {
            if !seen.insert(t.id.as_str()) {
                bail!("technicians: field `id`: `{}` is used twice", t.id);
            }
        }
        for w in &self.work_orders {
            if let Some(t) = &w.technician {
                if !seen.contains(t.as_str()) {
                    bail!("jobs (`{}`): field `technician`: no technician `{t}`", w.id);
                }
            }
        }
        let mut seen = std::collections::HashSet::new();
        for w in &self.work_orders {
            if !seen.insert(w.id.as_str()) {
                bail!("jobs: field `id`: `{}` is used twice", w.id);
            }
        }
        Ok(())
    }
}
