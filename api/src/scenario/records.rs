//! A scenario copied from an organisation's records: the open work orders of a date range
//! (sites' snapped positions, windows, durations, skill levels, priorities), the active
//! technicians (skills, working hours per weekday with time off taken out, home, jobs per
//! day) and the assignments in force as the scenario's `current_plan`.
//!
//! The records are read once by [`crate::planning::records::load`] and interpreted by the
//! same helpers the schedule optimiser uses (working intervals, skill levels, priorities),
//! so both read the records the same way. Times are UTC (offset `+00:00`), as on the board.
//!
//! Mapping: a technician's id is their name (made unique with a `#n` suffix); a job's id is
//! the work-order number; skill levels become names (`hvac@1`…), a technician holding
//! every level up to theirs and a job requiring its own; a day with several working
//! intervals becomes one shift with the gaps as fixed unworked time; work orders already
//! dispatched, in progress or with a locked assignment keep their technician and start.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

use super::file::{
    GapSpec, HorizonSpec, JobSpec, ObjectiveSpec, PlannedVisitSpec, ScenarioFile, ShiftSpec,
    TechnicianSpec, WindowSpec,
};
use crate::planning::records::{day_intervals, level_names, priority_weight, Records};

/// Midnight (UTC) of `date`.
pub fn midnight(date: NaiveDate) -> DateTime<Utc> {
    date.and_time(NaiveTime::MIN).and_utc()
}

/// `HH:MM` of `seconds` from midnight (`24:00` for the day's end).
fn clock(seconds: f64) -> String {
    let m = (seconds / 60.0).round() as i64;
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// `YYYY-MM-DDTHH:MM` of an instant (UTC).
fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M").to_string()
}

/// Unique scenario ids for the technicians: their names, `#2`, `#3`… on repeats.
fn technician_ids(records: &Records) -> HashMap<Uuid, String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = HashMap::new();
    for t in &records.technicians {
        let base = if t.name.trim().is_empty() {
            t.id.to_string()
        } else {
            t.name.trim().to_string()
        };
        let n = seen.entry(base.clone()).or_insert(0);
        *n += 1;
        let id = if *n == 1 {
            base
        } else {
            format!("{base} #{n}")
        };
        out.insert(t.id, id);
    }
    out
}

/// The scenario file of `records` (read for whole days from `records.from`'s date to the
/// day before `records.to`), named `name`, without variants.
pub fn scenario_file(records: &Records, name: &str) -> ScenarioFile {
    let (from, to) = (records.from, records.to);
    let first = from.date_naive();
    let days = ((to - midnight(first)).num_seconds() as f64 / 86_400.0)
        .ceil()
        .max(1.0) as u32;
    let ids = technician_ids(records);

    let mut technicians = Vec::with_capacity(records.technicians.len());
    for t in &records.technicians {
        let mut shifts = Vec::new();
        for d in 0..days {
            let date = first + Duration::days(i64::from(d));
            let day = midnight(date);
            let offset = (day - from).num_seconds() as f64;
            let ivs = day_intervals(t, day, from, to);
            let (Some(a), Some(b)) = (ivs.first(), ivs.last()) else {
                continue;
            };
            let gaps = ivs
                .windows(2)
                .filter(|w| w[1].0 > w[0].1)
                .map(|w| GapSpec {
                    from: clock(w[0].1 - offset),
                    to: clock(w[1].0 - offset),
                })
                .collect();
            shifts.push(ShiftSpec {
                weekdays: Vec::new(),
                dates: vec![date.to_string()],
                start: clock(a.0 - offset),
                end: clock(b.1 - offset),
                overtime_after: None,
                off: false,
                gaps,
            });
        }
        technicians.push(TechnicianSpec {
            id: ids[&t.id].clone(),
            skills: level_names(&t.skills.0, false),
            home: [t.home_lon, t.home_lat],
            shifts,
            breaks: Vec::new(),
            costs: None,
            max_jobs_per_day: usize::try_from(t.max_jobs_per_day).ok(),
        });
    }

    // Assignments: the latest per work order is the one in force.
    let mut current: HashMap<Uuid, usize> = HashMap::new();
    for (i, a) in records.assignments.iter().enumerate() {
        if ids.contains_key(&a.technician_id) && a.planned_start >= from && a.planned_start < to {
            current.insert(a.work_order_id, i);
        }
    }
    let mut jobs = Vec::with_capacity(records.orders.len());
    let mut current_plan = Vec::new();
    let mut numbers = HashSet::new();
    for o in &records.orders {
        if !numbers.insert(o.number.clone()) {
            continue;
        }
        let assignment = current.get(&o.id).map(|&i| &records.assignments[i]);
        let fixed = assignment
            .filter(|a| a.locked || matches!(o.status.as_str(), "dispatched" | "in_progress"));
        let windows = match fixed {
            Some(a) => vec![WindowSpec {
                from: stamp(a.planned_start),
                to: stamp(a.planned_start),
            }],
            None => match (o.window_start, o.window_end) {
                (None, None) => Vec::new(),
                (s, e) => {
                    let s = s.unwrap_or(from).clamp(from, to);
                    let e = e.unwrap_or(to).clamp(s, to);
                    vec![WindowSpec {
                        from: stamp(s),
                        to: stamp(e),
                    }]
                }
            },
        };
        jobs.push(JobSpec {
            id: o.number.clone(),
            location: [o.lon, o.lat],
            minutes: f64::from(o.estimated_duration_min),
            windows,
            skills: level_names(&o.required_skills.0, true),
            priority: if fixed.is_some() {
                100
            } else {
                priority_weight(&o.priority)
            },
            technician: fixed.map(|a| ids[&a.technician_id].clone()),
        });
        if let Some(a) = assignment {
            current_plan.push(PlannedVisitSpec {
                job: o.number.clone(),
                technician: ids[&a.technician_id].clone(),
                start: stamp(a.planned_start),
            });
        }
    }
    current_plan.sort_by(|a, b| (&a.technician, &a.start).cmp(&(&b.technician, &b.start)));

    ScenarioFile {
        name: name.to_string(),
        graph: None,
        horizon: HorizonSpec {
            start: first.to_string(),
            days,
            utc_offset: Some("+00:00".into()),
        },
        objective: ObjectiveSpec::default(),
        technicians,
        jobs,
        recurring: Vec::new(),
        variants: Vec::new(),
        current_plan,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_formats_whole_minutes_and_the_day_end() {
        assert_eq!(clock(8.0 * 3600.0), "08:00");
        assert_eq!(clock(12.5 * 3600.0), "12:30");
        assert_eq!(clock(86_400.0), "24:00");
    }
}
