//! What the board checks before a visit is placed: skills, shift, breaks, time window,
//! overlaps (including travel from the previous and to the next stop), daily job limit, lock.

use super::data::{AssignRow, JobRow, TechRow};
use super::travel::{travel, LatLon, Travel};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use routing_graph::RoadGraph;
use serde::Serialize;
use serde_json::Value;

/// A time interval.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Span {
    /// Start.
    pub start: DateTime<Utc>,
    /// End.
    pub end: DateTime<Utc>,
}

/// A technician's working day: outer bounds and the breaks inside them.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Shift {
    /// First start to last end of the day's working hours.
    pub start: DateTime<Utc>,
    /// Last end.
    pub end: DateTime<Utc>,
    /// Gaps between working-hour intervals and time off within the shift.
    pub breaks: Vec<Span>,
}

/// A problem with a placement.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Violation {
    /// `skill`, `no_shift`, `outside_shift`, `break`, `time_window`, `overlap`, `max_jobs`,
    /// `locked`, `closed`.
    pub code: &'static str,
    /// Explanation for the dispatcher.
    pub message: String,
}

fn violation(code: &'static str, message: impl Into<String>) -> Violation {
    Violation {
        code,
        message: message.into(),
    }
}

fn day_key(day: NaiveDate) -> &'static str {
    match day.weekday() {
        Weekday::Mon => "mon",
        Weekday::Tue => "tue",
        Weekday::Wed => "wed",
        Weekday::Thu => "thu",
        Weekday::Fri => "fri",
        Weekday::Sat => "sat",
        Weekday::Sun => "sun",
    }
}

fn at(day: NaiveDate, hhmm: &str) -> Option<DateTime<Utc>> {
    let time = NaiveTime::parse_from_str(hhmm, "%H:%M").ok()?;
    Some(Utc.from_utc_datetime(&day.and_time(time)))
}

fn parse_ts(v: Option<&Value>) -> Option<DateTime<Utc>> {
    v.and_then(Value::as_str)
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.with_timezone(&Utc))
}

/// The technician's shift on `day` (working hours are read as UTC), `None` on a day off.
pub fn shift(tech: &TechRow, day: NaiveDate) -> Option<Shift> {
    let mut spans: Vec<Span> = tech
        .working_hours
        .get(day_key(day))
        .and_then(Value::as_array)?
        .iter()
        .filter_map(|i| {
            let start = at(day, i.get("start")?.as_str()?)?;
            let end = at(day, i.get("end")?.as_str()?)?;
            (end > start).then_some(Span { start, end })
        })
        .collect();
    spans.sort_by_key(|s| s.start);
    let (first, last) = (spans.first()?, spans.last()?);
    let mut breaks: Vec<Span> = spans
        .windows(2)
        .filter(|w| w[1].start > w[0].end)
        .map(|w| Span {
            start: w[0].end,
            end: w[1].start,
        })
        .collect();
    let (start, end) = (first.start, last.end);
    for off in tech.time_off.as_array().into_iter().flatten() {
        if let (Some(s), Some(e)) = (parse_ts(off.get("start")), parse_ts(off.get("end"))) {
            if s < end && e > start {
                breaks.push(Span {
                    start: s.max(start),
                    end: e.min(end),
                });
            }
        }
    }
    breaks.sort_by_key(|b| b.start);
    Some(Shift { start, end, breaks })
}

/// Skills the technician lacks for the job (`"hvac ≥ 3"`).
pub fn missing_skills(tech: &TechRow, job: &JobRow) -> Vec<String> {
    let level_of = |skill: &str| {
        tech.skills
            .as_array()
            .into_iter()
            .flatten()
            .filter(|s| s.get("skill").and_then(Value::as_str) == Some(skill))
            .filter_map(|s| s.get("level").and_then(Value::as_i64))
            .max()
    };
    job.required_skills
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| {
            let skill = r.get("skill")?.as_str()?;
            let need = r.get("level").and_then(Value::as_i64).unwrap_or(1);
            (level_of(skill).unwrap_or(0) < need).then(|| format!("{skill} ≥ {need}"))
        })
        .collect()
}

/// A proposed placement and everything needed to judge it.
pub struct Placement<'a> {
    /// The technician.
    pub tech: &'a TechRow,
    /// The job.
    pub job: &'a JobRow,
    /// Planned start of work.
    pub start: DateTime<Utc>,
    /// The technician's other visits that day (the moved assignment excluded), by start.
    pub others: &'a [(AssignRow, LatLon)],
    /// The assignment being moved, if it exists.
    pub moving: Option<&'a AssignRow>,
}

/// The verdict on a placement.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// Start of work.
    pub planned_start: DateTime<Utc>,
    /// End of work.
    pub planned_end: DateTime<Utc>,
    /// Position in the day.
    pub sequence: i32,
    /// From the previous stop (or home).
    pub travel_before: Travel,
    /// To the next stop (or home).
    pub travel_after: Travel,
    /// Everything wrong; empty when the placement is clean.
    pub violations: Vec<Violation>,
}

/// Judges a placement.
pub fn judge(graph: Option<&RoadGraph>, p: &Placement<'_>) -> Verdict {
    let end = p.start + Duration::minutes(i64::from(p.job.estimated_duration_min));
    let site = (p.job.lat, p.job.lon);
    let home = (p.tech.home_lat, p.tech.home_lon);
    let prev = p
        .others
        .iter()
        .rev()
        .find(|(a, _)| a.planned_start <= p.start);
    let next = p.others.iter().find(|(a, _)| a.planned_start > p.start);
    let travel_before = travel(graph, prev.map_or(home, |(_, at)| *at), site);
    let travel_after = travel(graph, site, next.map_or(home, |(_, at)| *at));
    let sequence = p
        .others
        .iter()
        .filter(|(a, _)| a.planned_start <= p.start)
        .count() as i32;
    let mut v = Vec::new();
    if matches!(p.job.status.as_str(), "completed" | "cancelled") {
        v.push(violation(
            "closed",
            format!("the work order is {}", p.job.status),
        ));
    }
    if p.moving.is_some_and(|a| a.locked) {
        v.push(violation(
            "locked",
            "the assignment is locked; unlock it first",
        ));
    }
    let missing = missing_skills(p.tech, p.job);
    if !missing.is_empty() {
        v.push(violation(
            "skill",
            format!("{} lacks {}", p.tech.name, missing.join(", ")),
        ));
    }
    match shift(p.tech, p.start.date_naive()) {
        None => v.push(violation(
            "no_shift",
            format!("{} does not work that day", p.tech.name),
        )),
        Some(s) => {
            if p.start < s.start || end > s.end {
                v.push(violation(
                    "outside_shift",
                    format!(
                        "outside the shift {}–{}",
                        s.start.format("%H:%M"),
                        s.end.format("%H:%M")
                    ),
                ));
            }
            if let Some(b) = s.breaks.iter().find(|b| p.start < b.end && end > b.start) {
                v.push(violation(
                    "break",
                    format!(
                        "overlaps the break {}–{}",
                        b.start.format("%H:%M"),
                        b.end.format("%H:%M")
                    ),
                ));
            }
        }
    }
    if let Some(ws) = p.job.window_start.filter(|ws| p.start < *ws) {
        v.push(violation(
            "time_window",
            format!("starts before the window opens at {}", ws.format("%H:%M")),
        ));
    }
    if let Some(we) = p.job.window_end.filter(|we| end > *we) {
        v.push(violation(
            "time_window",
            format!("ends after the window closes at {}", we.format("%H:%M")),
        ));
    }
    let travel_in = Duration::seconds(travel_before.seconds.round() as i64);
    let travel_out = Duration::seconds(travel_after.seconds.round() as i64);
    if let Some((a, _)) = p
        .others
        .iter()
        .find(|(a, _)| p.start < a.planned_end && end > a.planned_start)
    {
        v.push(violation(
            "overlap",
            format!(
                "overlaps the visit {}–{}",
                a.planned_start.format("%H:%M"),
                a.planned_end.format("%H:%M")
            ),
        ));
    } else if prev.is_some_and(|(a, _)| a.planned_end + travel_in > p.start) {
        v.push(violation(
            "overlap",
            format!(
                "no time to travel from the previous stop ({} min drive)",
                travel_in.num_minutes().max(1)
            ),
        ));
    } else if next.is_some_and(|(a, _)| end + travel_out > a.planned_start) {
        v.push(violation(
            "overlap",
            format!(
                "no time to reach the next stop ({} min drive)",
                travel_out.num_minutes().max(1)
            ),
        ));
    }
    if p.others.len() as i32 >= p.tech.max_jobs_per_day {
        v.push(violation(
            "max_jobs",
            format!(
                "{} already has {} jobs (limit {})",
                p.tech.name,
                p.others.len(),
                p.tech.max_jobs_per_day
            ),
        ));
    }
    Verdict {
        planned_start: p.start,
        planned_end: end,
        sequence,
        travel_before,
        travel_after,
        violations: v,
    }
}
