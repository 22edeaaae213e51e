//! Planning from the records: open work orders and technicians' working hours over a date
//! range → a [`solver::Problem`] (one solver technician per technician and working day).
//!
//! Conventions: times are seconds since the range start; working hours are read in UTC;
//! a day's several working intervals become one shift with the gaps as fixed breaks; time off
//! removes the day's shift, or trims it to the longest free part; skill levels become one
//! skill per level (`hvac@1`, `hvac@2`...), so a level-3 technician covers level-2 work.
//! Locked assignments and those of dispatched or in-progress work orders stay: they are
//! jobs pinned to their technician at their planned start, and are never rewritten.

use super::travel::{self, Place, Travel};
use crate::domain::fields::parse_hhmm;
use crate::error::ApiError;
use chrono::{DateTime, Datelike, Duration, NaiveTime, Utc};
use routing_graph::{Coord, RoadGraph};
use serde_json::Value;
use solver::{Break, Costs, Job, Objective, Problem, Shift, Skills, Technician, TimeWindow};
use sqlx::PgPool;
use std::collections::HashMap;
use uuid::Uuid;

/// A technician as read from the records.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TechRow {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// `[{"skill", "level"}]`.
    pub skills: sqlx::types::Json<Value>,
    /// `{"mon": [{"start", "end"}]}`.
    pub working_hours: sqlx::types::Json<Value>,
    /// `[{"start", "end"}]`.
    pub time_off: sqlx::types::Json<Value>,
    /// Home latitude.
    pub home_lat: f64,
    /// Home longitude.
    pub home_lon: f64,
    /// Jobs per day at most.
    pub max_jobs_per_day: i32,
    /// Record version.
    pub version: i64,
}

/// A work order with its site's coordinates.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrderRow {
    /// Id.
    pub id: Uuid,
    /// Human number.
    pub number: String,
    /// Lifecycle status.
    pub status: String,
    /// low / medium / high / urgent.
    pub priority: String,
    /// Earliest start.
    pub window_start: Option<DateTime<Utc>>,
    /// Latest start.
    pub window_end: Option<DateTime<Utc>>,
    /// Minutes on site.
    pub estimated_duration_min: i32,
    /// `[{"skill", "level"}]`.
    pub required_skills: sqlx::types::Json<Value>,
    /// Record version.
    pub version: i64,
    /// Site longitude (snapped when known).
    pub lon: f64,
    /// Site latitude (snapped when known).
    pub lat: f64,
}

/// An assignment.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AssignmentRow {
    /// Id.
    pub id: Uuid,
    /// Work order.
    pub work_order_id: Uuid,
    /// Technician.
    pub technician_id: Uuid,
    /// Planned start.
    pub planned_start: DateTime<Utc>,
    /// Planned end.
    pub planned_end: DateTime<Utc>,
    /// Locked by a dispatcher.
    pub locked: bool,
    /// Record version.
    pub version: i64,
}

/// Everything read for one planning run.
#[derive(Debug, Clone)]
pub struct Records {
    /// Range start.
    pub from: DateTime<Utc>,
    /// Range end.
    pub to: DateTime<Utc>,
    /// Active technicians.
    pub technicians: Vec<TechRow>,
    /// Open work orders touching the range.
    pub orders: Vec<OrderRow>,
    /// Their assignments.
    pub assignments: Vec<AssignmentRow>,
}

/// Reads the records of `org_id` for `[from, to)`.
pub async fn load(
    pool: &PgPool,
    org_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Records, ApiError> {
    let technicians: Vec<TechRow> = sqlx::query_as(
        "SELECT id, name, skills, working_hours, time_off, home_lat, home_lon, max_jobs_per_day, version \
         FROM technicians WHERE org_id = $1 AND active ORDER BY created_at, id",
    )
    .bind(org_id)
    .fetch_all(pool)
    .await?;
    let orders: Vec<OrderRow> = sqlx::query_as(
        "SELECT w.id, w.number, w.status, w.priority, w.window_start, w.window_end, \
         w.estimated_duration_min, w.required_skills, w.version, \
         coalesce(s.snapped_lon, s.lon) AS lon, coalesce(s.snapped_lat, s.lat) AS lat \
         FROM work_orders w JOIN sites s ON s.org_id = w.org_id AND s.id = w.site_id \
         WHERE w.org_id = $1 AND w.status IN ('draft', 'scheduled', 'dispatched', 'in_progress') \
         AND (w.window_start IS NULL OR w.window_start < $3) AND (w.window_end IS NULL OR w.window_end > $2) \
         ORDER BY w.seq LIMIT 5000",
    )
    .bind(org_id)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    let ids: Vec<Uuid> = orders.iter().map(|o| o.id).collect();
    let assignments: Vec<AssignmentRow> = sqlx::query_as(
        "SELECT id, work_order_id, technician_id, planned_start, planned_end, locked, version \
         FROM assignments WHERE org_id = $1 AND work_order_id = ANY($2) ORDER BY planned_start",
    )
    .bind(org_id)
    .bind(&ids)
    .fetch_all(pool)
    .await?;
    Ok(Records {
        from,
        to,
        technicians,
        orders,
        assignments,
    })
}

/// What a solver job stands for.
#[derive(Debug, Clone)]
pub enum JobKind {
    /// A work order to plan; its current unlocked assignment, if any.
    Plan {
        /// Index into `Records::orders`.
        order: usize,
        /// Index into `Records::assignments`.
        current: Option<usize>,
    },
    /// An assignment that stays (locked, dispatched or in progress).
    Fixed {
        /// Index into `Records::assignments`.
        assignment: usize,
    },
}

/// The problem built from the records and what its indices mean.
#[derive(Debug, Clone)]
pub struct Built {
    /// The solver's problem.
    pub problem: Problem,
    /// Per solver technician: (index into `Records::technicians`, day start).
    pub tech_days: Vec<(usize, DateTime<Utc>)>,
    /// Per solver job.
    pub jobs: Vec<JobKind>,
    /// Fixed assignments that could not be modelled (outside the range or hours): they stay.
    pub fixed_outside: Vec<usize>,
    /// Work orders not planned because they have several unlocked assignments.
    pub skipped: Vec<usize>,
    /// Skill names by index.
    pub skill_names: Vec<String>,
    /// Travel matrix.
    pub travel: Travel,
}

fn secs(t: DateTime<Utc>, from: DateTime<Utc>) -> f64 {
    (t - from).num_milliseconds() as f64 / 1000.0
}

/// Skill-level names of `[{"skill", "level"}]`: every level up to the held one for a
/// technician (`hvac@1`, `hvac@2`, `hvac@3` for level 3), exactly the level when `required`.
pub fn level_names(v: &Value, required: bool) -> Vec<String> {
    let mut out = Vec::new();
    for s in v.as_array().into_iter().flatten() {
        let Some(name) = s.get("skill").and_then(Value::as_str) else {
            continue;
        };
        let level = s
            .get("level")
            .and_then(Value::as_u64)
            .unwrap_or(1)
            .clamp(1, 5);
        let levels = if required { level..=level } else { 1..=level };
        out.extend(levels.map(|l| format!("{name}@{l}")));
    }
    out
}

fn level_skills(v: &Value, names: &mut HashMap<String, usize>, required: bool) -> Skills {
    let idx: Vec<usize> = level_names(v, required)
        .into_iter()
        .map(|key| {
            let n = names.len();
            *names.entry(key).or_insert(n)
        })
        .collect();
    Skills::from_indices(idx.into_iter().filter(|i| *i < Skills::MAX)).unwrap_or_default()
}

/// The solver priority of a work-order priority.
pub fn priority_weight(priority: &str) -> u32 {
    match priority {
        "urgent" => 8,
        "high" => 4,
        "medium" => 2,
        _ => 1,
    }
}

/// Working intervals of a technician on `day` (seconds since `from`), time off removed.
pub fn day_intervals(
    tech: &TechRow,
    day: DateTime<Utc>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<(f64, f64)> {
    let key = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        [day.weekday().num_days_from_monday() as usize];
    let mut out: Vec<(f64, f64)> = Vec::new();
    for iv in tech
        .working_hours
        .0
        .get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let parse = |k: &str| iv.get(k).and_then(Value::as_str).and_then(parse_hhmm);
        let (Some(s), Some(e)) = (parse("start"), parse("end")) else {
            continue;
        };
        let s = (day + Duration::minutes(i64::from(s))).max(from);
        let e = (day + Duration::minutes(i64::from(e))).min(to);
        if e > s {
            out.push((secs(s, from), secs(e, from)));
        }
    }
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    for off in tech.time_off.0.as_array().into_iter().flatten() {
        let parse = |k: &str| {
            off.get(k)
                .and_then(Value::as_str)
                .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
                .map(|t| secs(t.with_timezone(&Utc), from))
        };
        let (Some(os), Some(oe)) = (parse("start"), parse("end")) else {
            continue;
        };
        out = out
            .into_iter()
            .flat_map(|(s, e)| {
                if oe <= s || os >= e {
                    vec![(s, e)]
                } else {
                    [(s, os.min(e)), (oe.max(s), e)]
                        .into_iter()
                        .filter(|(a, b)| b > a)
                        .collect()
                }
            })
            .collect();
    }
    out
}

/// Builds the problem (blocking: computes the travel matrix).
pub fn build(records: &Records, graph: Option<&RoadGraph>) -> Result<Built, ApiError> {
    let (from, to) = (records.from, records.to);
    let mut names: HashMap<String, usize> = HashMap::new();
    let mut places = Vec::new();
    for t in &records.technicians {
        places.push(Place {
            field: format!("technicians[{}].home", t.id),
            coord: Some(Coord::new(t.home_lon, t.home_lat)),
            index: None,
        });
    }
    for o in &records.orders {
        places.push(Place {
            field: format!("work_orders[{}].site", o.number),
            coord: Some(Coord::new(o.lon, o.lat)),
            index: None,
        });
    }
    let travel = travel::from_coords(&places, graph)?;
    let tech_loc = |t: usize| travel.locations[t];
    let order_loc = |o: usize| travel.locations[records.technicians.len() + o];

    // Technician days.
    let mut technicians = Vec::new();
    let mut tech_days = Vec::new();
    let first_day = from.date_naive().and_time(NaiveTime::MIN).and_utc();
    for (ti, t) in records.technicians.iter().enumerate() {
        let skills = level_skills(&t.skills.0, &mut names, false);
        let mut day = first_day;
        while day < to {
            let mut ivs = day_intervals(t, day, from, to);
            if !ivs.is_empty() {
                // Keep the intervals from the longest one's side when time off split the day.
                ivs.sort_by(|a, b| a.0.total_cmp(&b.0));
                let breaks = ivs
                    .windows(2)
                    .enumerate()
                    .map(|(k, w)| Break {
                        id: format!("gap-{k}"),
                        duration: w[1].0 - w[0].1,
                        windows: vec![TimeWindow::new(w[0].1, w[0].1)],
                    })
                    .collect();
                let (start, end) = (ivs[0].0, ivs[ivs.len() - 1].1);
                technicians.push(Technician {
                    id: format!("{}@{}", t.id, day.date_naive()),
                    start: Some(tech_loc(ti)),
                    end: Some(tech_loc(ti)),
                    shift: Shift::new(start, end),
                    breaks,
                    skills,
                    capacity: Vec::new(),
                    max_jobs: usize::try_from(t.max_jobs_per_day).ok(),
                    costs: Costs {
                        fixed: 0.0,
                        per_time: 0.0,
                        per_distance: 1.0,
                    },
                });
                tech_days.push((ti, day));
            }
            day += Duration::days(1);
        }
    }

    // Jobs.
    let mut jobs = Vec::new();
    let mut kinds = Vec::new();
    let mut fixed_outside = Vec::new();
    let mut skipped = Vec::new();
    let tech_index: HashMap<Uuid, usize> = records
        .technicians
        .iter()
        .enumerate()
        .map(|(i, t)| (t.id, i))
        .collect();
    for (oi, o) in records.orders.iter().enumerate() {
        let mine: Vec<usize> = (0..records.assignments.len())
            .filter(|&a| records.assignments[a].work_order_id == o.id)
            .collect();
        let fixed_status = matches!(o.status.as_str(), "dispatched" | "in_progress");
        let fixed: Vec<usize> = mine
            .iter()
            .copied()
            .filter(|&a| records.assignments[a].locked || fixed_status)
            .collect();
        if fixed_status || !fixed.is_empty() {
            for a in fixed {
                let asg = &records.assignments[a];
                let start = secs(asg.planned_start, from);
                let day = asg
                    .planned_start
                    .date_naive()
                    .and_time(NaiveTime::MIN)
                    .and_utc();
                let td = tech_index
                    .get(&asg.technician_id)
                    .and_then(|&ti| tech_days.iter().position(|&(t, d)| t == ti && d == day));
                match td {
                    Some(td) if asg.planned_start >= from && asg.planned_end <= to => {
                        let mut job = Job::new(
                            format!("fixed:{}", asg.id),
                            order_loc(oi),
                            secs(asg.planned_end, from) - start,
                            0,
                        );
                        job.time_windows = vec![TimeWindow::new(start, start)];
                        job.pinned_to = Some(td);
                        job.priority = 1000;
                        jobs.push(job);
                        kinds.push(JobKind::Fixed { assignment: a });
                    }
                    _ => fixed_outside.push(a),
                }
            }
            continue;
        }
        if mine.len() > 1 {
            skipped.push(oi);
            continue;
        }
        let ws = o.window_start.map_or(0.0, |t| secs(t, from).max(0.0));
        let service = f64::from(o.estimated_duration_min) * 60.0;
        let we = o
            .window_end
            .map_or(secs(to, from), |t| secs(t, from).min(secs(to, from)));
        // The window bounds the start of service (a visit may end after window_end).
        let mut job = Job::new(o.number.clone(), order_loc(oi), service, 0);
        job.time_windows = vec![TimeWindow::new(ws, we.max(ws))];
        job.skills = level_skills(&o.required_skills.0, &mut names, true);
        job.priority = priority_weight(&o.priority);
        jobs.push(job);
        kinds.push(JobKind::Plan {
            order: oi,
            current: mine.first().copied(),
        });
    }
    let problem = Problem {
        matrix: travel.matrix.clone(),
        technicians,
        jobs,
        dimensions: 0,
        objective: Objective {
            minimize_technicians: false,
        },
        replan: None,
    };
    problem
        .validate()
        .map_err(|e| ApiError::validation("body", e.to_string()))?;
    let mut skill_names = vec![String::new(); names.len()];
    for (n, i) in names {
        skill_names[i] = n;
    }
    Ok(Built {
        problem,
        tech_days,
        jobs: kinds,
        fixed_outside,
        skipped,
        skill_names,
        travel,
    })
}
