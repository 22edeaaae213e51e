//! Reading the records for the dashboard (three queries) and folding them into buckets.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::{Bucket, BucketFigures, Dashboard};
use crate::error::ApiError;
use crate::planning::records::{day_intervals, TechRow};
use crate::scenario::records::midnight;

/// A completed work order as the dashboard sees it.
#[derive(Debug, sqlx::FromRow)]
struct Completed {
    created_at: DateTime<Utc>,
    completed_at: DateTime<Utc>,
    started_at: Option<DateTime<Utc>>,
    window_start: Option<DateTime<Utc>>,
    window_end: Option<DateTime<Utc>>,
    estimated_duration_min: i32,
    resolution_due: Option<DateTime<Utc>>,
    follow_up: bool,
}

/// A committed plan: when it starts, its travel and its visits.
#[derive(Debug, sqlx::FromRow)]
struct Committed {
    range_start: DateTime<Utc>,
    travel_s: f64,
    jobs: i32,
}

/// Work orders completed in `[from, to)`: completion and start of work from the activity
/// log (first change into `completed` / `in_progress`), the earliest linked ticket's
/// resolution due time, and whether a follow-up repair came within `follow_up_days`.
const COMPLETED_SQL: &str = "
WITH done AS (
  SELECT a.entity_id AS id, min(a.at) AS completed_at FROM activity a
  WHERE a.org_id = $1 AND a.entity = 'work_order' AND a.after->>'status' = 'completed'
    AND (a.before IS NULL OR a.before->>'status' IS DISTINCT FROM 'completed')
  GROUP BY a.entity_id HAVING min(a.at) >= $2 AND min(a.at) < $3
), started AS (
  SELECT a.entity_id AS id, min(a.at) AS started_at FROM activity a JOIN done d ON d.id = a.entity_id
  WHERE a.org_id = $1 AND a.entity = 'work_order' AND a.after->>'status' = 'in_progress'
    AND (a.before IS NULL OR a.before->>'status' IS DISTINCT FROM 'in_progress')
    AND a.at <= d.completed_at
  GROUP BY a.entity_id
)
SELECT w.created_at, d.completed_at, s.started_at, w.window_start, w.window_end,
  w.estimated_duration_min,
  (SELECT min(t.resolution_due) FROM tickets t
    WHERE t.org_id = w.org_id AND t.work_order_id = w.id) AS resolution_due,
  EXISTS (SELECT 1 FROM work_orders f
    WHERE f.org_id = w.org_id AND f.id <> w.id AND f.work_type IN ('repair', 'emergency')
      AND CASE WHEN w.asset_id IS NOT NULL THEN f.asset_id = w.asset_id ELSE f.site_id = w.site_id END
      AND f.created_at > d.completed_at
      AND f.created_at <= d.completed_at + make_interval(days => $4)) AS follow_up
FROM done d
JOIN work_orders w ON w.org_id = $1 AND w.id = d.id
LEFT JOIN started s ON s.id = d.id
WHERE w.status = 'completed'";

/// Committed plans starting in `[from, to)`: travel total and visits planned (changed or
/// kept ones).
const COMMITTED_SQL: &str = "
SELECT range_start,
  coalesce((proposal->'summary'->>'travel_s')::double precision, 0) AS travel_s,
  (coalesce(jsonb_array_length(proposal->'assignments'), 0)
   + coalesce(jsonb_array_length(proposal->'kept'), 0))::int AS jobs
FROM schedule_plans
WHERE org_id = $1 AND status = 'committed' AND range_start >= $2 AND range_start < $3";

/// First day of the bucket holding `date`.
fn bucket_start(date: NaiveDate, bucket: Bucket) -> NaiveDate {
    match bucket {
        Bucket::Day => date,
        Bucket::Week => date - Duration::days(i64::from(date.weekday().num_days_from_monday())),
    }
}

/// Running sums of one bucket.
#[derive(Default, Clone)]
struct Sums {
    completed: u32,
    fixes: u32,
    service_s: f64,
    shift_s: f64,
    completion_s: f64,
    on_site: u32,
    on_site_s: f64,
    sla_measured: u32,
    sla_met: u32,
    planned_jobs: u32,
    travel_s: f64,
}

impl Sums {
    fn add(&mut self, o: &Sums) {
        self.completed += o.completed;
        self.fixes += o.fixes;
        self.service_s += o.service_s;
        self.shift_s += o.shift_s;
        self.completion_s += o.completion_s;
        self.on_site += o.on_site;
        self.on_site_s += o.on_site_s;
        self.sla_measured += o.sla_measured;
        self.sla_met += o.sla_met;
        self.planned_jobs += o.planned_jobs;
        self.travel_s += o.travel_s;
    }

    fn figures(&self, start: NaiveDate, end: NaiveDate) -> BucketFigures {
        let ratio = |a: f64, b: f64| (b > 0.0).then(|| a / b);
        BucketFigures {
            start,
            end,
            completed: self.completed,
            first_time_fixes: self.fixes,
            first_time_fix_rate: ratio(f64::from(self.fixes), f64::from(self.completed)),
            service_h: self.service_s / 3600.0,
            shift_h: self.shift_s / 3600.0,
            utilisation: ratio(self.service_s, self.shift_s),
            avg_completion_h: ratio(self.completion_s / 3600.0, f64::from(self.completed)),
            on_site_measured: self.on_site,
            avg_on_site_min: ratio(self.on_site_s / 60.0, f64::from(self.on_site)),
            sla_measured: self.sla_measured,
            sla_met: self.sla_met,
            sla_compliance: ratio(f64::from(self.sla_met), f64::from(self.sla_measured)),
            planned_jobs: self.planned_jobs,
            travel_h: self.travel_s / 3600.0,
            travel_per_job_min: ratio(self.travel_s / 60.0, f64::from(self.planned_jobs)),
        }
    }
}

fn secs(d: Duration) -> f64 {
    d.num_milliseconds() as f64 / 1000.0
}

/// The dashboard of `org_id` for the days `from..=to`.
pub async fn compute(
    pool: &PgPool,
    org_id: Uuid,
    from: NaiveDate,
    to: NaiveDate,
    bucket: Bucket,
    follow_up_days: u32,
) -> Result<Dashboard, ApiError> {
    let (start, end) = (midnight(from), midnight(to) + Duration::days(1));
    let completed: Vec<Completed> = sqlx::query_as(COMPLETED_SQL)
        .bind(org_id)
        .bind(start)
        .bind(end)
        .bind(i32::try_from(follow_up_days).unwrap_or(i32::MAX))
        .fetch_all(pool)
        .await?;
    let committed: Vec<Committed> = sqlx::query_as(COMMITTED_SQL)
        .bind(org_id)
        .bind(start)
        .bind(end)
        .fetch_all(pool)
        .await?;
    let technicians: Vec<TechRow> = sqlx::query_as(
        "SELECT id, name, skills, working_hours, time_off, home_lat, home_lon, max_jobs_per_day, version \
         FROM technicians WHERE org_id = $1 AND active",
    )
    .bind(org_id)
    .fetch_all(pool)
    .await?;

    let mut firsts = Vec::new();
    let mut day = bucket_start(from, bucket);
    while day <= to {
        firsts.push(day);
        day += Duration::days(if bucket == Bucket::Day { 1 } else { 7 });
    }
    let mut sums = vec![Sums::default(); firsts.len()];
    let slot = |t: DateTime<Utc>| -> Option<usize> {
        let b = bucket_start(t.date_naive(), bucket);
        firsts.binary_search(&b).ok()
    };

    for c in &completed {
        let Some(i) = slot(c.completed_at) else {
            continue;
        };
        let s = &mut sums[i];
        s.completed += 1;
        s.fixes += u32::from(!c.follow_up);
        s.completion_s += secs(c.completed_at - c.created_at).max(0.0);
        let on_site = c.started_at.map(|st| secs(c.completed_at - st).max(0.0));
        if let Some(o) = on_site {
            s.on_site += 1;
            s.on_site_s += o;
        }
        s.service_s += on_site.unwrap_or(f64::from(c.estimated_duration_min) * 60.0);
        let began = c.started_at.unwrap_or(c.completed_at);
        let window = (c.window_start.is_some() || c.window_end.is_some()).then(|| {
            c.window_start.is_none_or(|w| began >= w) && c.window_end.is_none_or(|w| began <= w)
        });
        let ticket = c.resolution_due.map(|due| c.completed_at <= due);
        if window.is_some() || ticket.is_some() {
            s.sla_measured += 1;
            s.sla_met += u32::from(window.unwrap_or(true) && ticket.unwrap_or(true));
        }
    }
    for p in &committed {
        if let Some(i) = slot(p.range_start) {
            sums[i].planned_jobs += u32::try_from(p.jobs).unwrap_or(0);
            sums[i].travel_s += p.travel_s;
        }
    }
    // Working time, day by day over the requested days only.
    let mut date = from;
    while date <= to {
        let (d0, d1) = (midnight(date), midnight(date) + Duration::days(1));
        let worked: f64 = technicians
            .iter()
            .flat_map(|t| day_intervals(t, d0, d0, d1))
            .map(|(a, b)| b - a)
            .sum();
        if let Some(i) = slot(d0) {
            sums[i].shift_s += worked;
        }
        date += Duration::days(1);
    }

    let mut total = Sums::default();
    let mut buckets = Vec::with_capacity(firsts.len());
    for (i, s) in sums.iter().enumerate() {
        total.add(s);
        let first = firsts[i].max(from);
        let last = match bucket {
            Bucket::Day => firsts[i],
            Bucket::Week => firsts[i] + Duration::days(6),
        }
        .min(to);
        buckets.push(s.figures(first, last));
    }
    Ok(Dashboard {
        from,
        to,
        bucket,
        follow_up_days,
        buckets,
        total: total.figures(from, to),
    })
}
