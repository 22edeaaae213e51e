//! Demo history for the dashboard: the last four weeks of completed work, as if the demo
//! company had used Fieldpath — per working technician-day a short route of visits (travel
//! from the road graph when there is one), each work order created a few days earlier,
//! assigned, started and completed (activity log entries for every status change), a
//! committed plan per day with that day's travel, some visits late for their window and
//! some repairs coming back to a recently visited asset (follow-ups). Inserted in a few
//! set-based statements so that `fieldpath demo` stays quick. Runs once per organisation.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use routing_graph::{Coord, RoadGraph, StraightLine, TravelEstimator};
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

use crate::domain::work_order;
use crate::planning::records::{day_intervals, TechRow};
use crate::scenario::records::midnight;

/// Days of history.
pub const HISTORY_DAYS: i64 = 28;

/// A site with its asset (if any) and customer.
#[derive(sqlx::FromRow)]
struct SiteRow {
    id: Uuid,
    customer_id: Option<Uuid>,
    lat: f64,
    lon: f64,
    asset_id: Option<Uuid>,
}

/// One work order of the history, columns as inserted.
#[derive(Default)]
struct History {
    id: Vec<Uuid>,
    seq: Vec<i64>,
    number: Vec<String>,
    title: Vec<String>,
    work_type: Vec<String>,
    priority: Vec<String>,
    customer: Vec<Option<Uuid>>,
    site: Vec<Uuid>,
    asset: Vec<Option<Uuid>>,
    window_start: Vec<DateTime<Utc>>,
    window_end: Vec<DateTime<Utc>>,
    minutes: Vec<i32>,
    skills: Vec<Value>,
    created: Vec<DateTime<Utc>>,
    started: Vec<DateTime<Utc>>,
    completed: Vec<DateTime<Utc>>,
    technician: Vec<Uuid>,
}

/// Seeds the history of `org_id` up to the day before `today`; returns the work orders
/// added (0 when the organisation already has completed work).
pub async fn seed_history(
    pool: &PgPool,
    org_id: Uuid,
    graph: Option<&RoadGraph>,
    today: NaiveDate,
) -> anyhow::Result<usize> {
    let (done,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM work_orders WHERE org_id = $1 AND status = 'completed'",
    )
    .bind(org_id)
    .fetch_one(pool)
    .await?;
    if done > 0 {
        return Ok(0);
    }
    let technicians: Vec<TechRow> = sqlx::query_as(
        "SELECT id, name, skills, working_hours, time_off, home_lat, home_lon, max_jobs_per_day, version \
         FROM technicians WHERE org_id = $1 AND active ORDER BY created_at, id",
    )
    .bind(org_id)
    .fetch_all(pool)
    .await?;
    let sites: Vec<SiteRow> = sqlx::query_as(
        "SELECT s.id, s.customer_id, coalesce(s.snapped_lat, s.lat) AS lat, \
           coalesce(s.snapped_lon, s.lon) AS lon, \
           (SELECT a.id FROM assets a WHERE a.org_id = s.org_id AND a.site_id = s.id \
            ORDER BY a.created_at LIMIT 1) AS asset_id \
         FROM sites s WHERE s.org_id = $1 ORDER BY s.created_at, s.id",
    )
    .bind(org_id)
    .fetch_all(pool)
    .await?;
    if technicians.is_empty() || sites.is_empty() {
        return Ok(0);
    }
    let straight = StraightLine::default();
    let travel: &dyn TravelEstimator = match graph {
        Some(g) => g,
        None => &straight,
    };
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let mut h = History::default();
    // (day, travel seconds, visit indices) per day with work.
    let mut days: Vec<(NaiveDate, f64, Vec<usize>)> = Vec::new();
    let mut recent: Vec<(usize, DateTime<Utc>)> = Vec::new();
    for back in (1..=HISTORY_DAYS).rev() {
        let date = today - Duration::days(back);
        let d0 = midnight(date);
        let mut day_travel = 0.0;
        let mut visits = Vec::new();
        for t in &technicians {
            let Some(&(shift_start, shift_end)) =
                day_intervals(t, d0, d0, d0 + Duration::days(1)).first()
            else {
                continue;
            };
            let count = rng
                .random_range(3..=5)
                .min(t.max_jobs_per_day.max(1) as usize);
            let mut chosen: Vec<(usize, bool)> = Vec::with_capacity(count);
            for _ in 0..count {
                // About one visit in twelve goes back to an asset seen in the last ten days.
                let back_to = recent
                    .iter()
                    .rev()
                    .take_while(|(_, at)| *at > d0 - Duration::days(10))
                    .map(|(s, _)| *s)
                    .nth(rng.random_range(0..20));
                match back_to.filter(|_| rng.random_bool(0.08)) {
                    Some(s) => chosen.push((s, true)),
                    None => chosen.push((rng.random_range(0..sites.len()), false)),
                }
            }
            let home = Coord::new(t.home_lon, t.home_lat);
            let mut points = vec![home];
            points.extend(
                chosen
                    .iter()
                    .map(|(s, _)| Coord::new(sites[*s].lon, sites[*s].lat)),
            );
            let Ok(m) = travel.matrix(&points, &points) else {
                continue;
            };
            let n = points.len();
            let mut clock = d0 + Duration::seconds(shift_start as i64);
            let mut at = 0;
            for (k, &(s, repair)) in chosen.iter().enumerate() {
                let drive = m.durations_s[at * n + k + 1];
                day_travel += drive;
                at = k + 1;
                let arrive = clock + Duration::seconds(drive.round() as i64);
                let minutes = [30, 45, 60, 90][rng.random_range(0..4)];
                let actual = (f64::from(minutes) * rng.random_range(0.8..1.3)).round() as i64;
                let done = arrive + Duration::minutes(actual);
                if (done - d0).num_seconds() as f64 > shift_end + 3600.0 {
                    break;
                }
                // Windows of two hours; one visit in eight started after its window.
                let late = rng.random_bool(0.125);
                let w_start = if late {
                    arrive - Duration::minutes(150)
                } else {
                    arrive - Duration::minutes(rng.random_range(0..90))
                };
                let kind = if repair {
                    "repair"
                } else {
                    ["maintenance", "inspection", "installation", "maintenance"]
                        [rng.random_range(0..4)]
                };
                let skill = t
                    .skills
                    .0
                    .as_array()
                    .and_then(|a| a.first())
                    .and_then(|s| s.get("skill"))
                    .and_then(Value::as_str)
                    .unwrap_or("hvac")
                    .to_string();
                h.id.push(Uuid::new_v4());
                h.title.push(format!(
                    "{} — {}",
                    kind[..1].to_uppercase() + &kind[1..],
                    skill.replace('_', " ")
                ));
                h.work_type.push(kind.into());
                h.priority
                    .push(["low", "medium", "medium", "high"][rng.random_range(0..4)].into());
                h.customer.push(sites[s].customer_id);
                h.site.push(sites[s].id);
                h.asset.push(sites[s].asset_id);
                h.window_start.push(w_start);
                h.window_end.push(w_start + Duration::hours(2));
                h.minutes.push(minutes);
                h.skills.push(json!([{"skill": skill, "level": 1}]));
                h.created.push(
                    d0 - Duration::days(rng.random_range(1..6))
                        + Duration::minutes(rng.random_range(480..1020)),
                );
                h.started.push(arrive);
                h.completed.push(done);
                h.technician.push(t.id);
                visits.push(h.id.len() - 1);
                recent.push((s, done));
                clock = done;
            }
            day_travel += m.durations_s[at * n];
        }
        if !visits.is_empty() {
            days.push((date, day_travel, visits));
        }
    }
    let count = h.id.len();
    if count == 0 {
        return Ok(0);
    }
    insert(pool, org_id, &mut h, &days).await?;
    Ok(count)
}

/// Writes the history: work orders, assignments, activity and committed plans.
async fn insert(
    pool: &PgPool,
    org_id: Uuid,
    h: &mut History,
    days: &[(NaiveDate, f64, Vec<usize>)],
) -> anyhow::Result<()> {
    let count = h.id.len() as i64;
    let mut tx = pool.begin().await?;
    h.seq = crate::db::orgs::next_work_order_seqs(&mut tx, org_id, count).await?;
    h.number = h.seq.iter().map(|s| work_order::number(*s)).collect();
    sqlx::query(
        "INSERT INTO work_orders (id, org_id, seq, number, title, work_type, priority, status, \
           customer_id, site_id, asset_id, window_start, window_end, estimated_duration_min, \
           required_skills, created_at, updated_at, version) \
         SELECT u.id, $1, u.seq, u.number, u.title, u.work_type, u.priority, 'completed', \
           u.customer_id, u.site_id, u.asset_id, u.ws, u.we, u.minutes, u.skills, u.created, u.done, 4 \
         FROM UNNEST($2::uuid[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], \
           $8::uuid[], $9::uuid[], $10::uuid[], $11::timestamptz[], $12::timestamptz[], $13::int[], \
           $14::jsonb[], $15::timestamptz[], $16::timestamptz[]) \
           AS u(id, seq, number, title, work_type, priority, customer_id, site_id, asset_id, ws, we, \
                minutes, skills, created, done)",
    )
    .bind(org_id)
    .bind(&h.id)
    .bind(&h.seq)
    .bind(&h.number)
    .bind(&h.title)
    .bind(&h.work_type)
    .bind(&h.priority)
    .bind(&h.customer)
    .bind(&h.site)
    .bind(&h.asset)
    .bind(&h.window_start)
    .bind(&h.window_end)
    .bind(&h.minutes)
    .bind(&h.skills)
    .bind(&h.created)
    .bind(&h.completed)
    .execute(&mut *tx)
    .await?;
    let planned_end: Vec<DateTime<Utc>> = h
        .started
        .iter()
        .zip(&h.minutes)
        .map(|(s, m)| *s + Duration::minutes(i64::from(*m)))
        .collect();
    sqlx::query(
        "INSERT INTO assignments (org_id, work_order_id, technician_id, planned_start, planned_end, created_at) \
         SELECT $1, u.wo, u.tech, u.ps, u.pe, u.ps - interval '1 day' \
         FROM UNNEST($2::uuid[], $3::uuid[], $4::timestamptz[], $5::timestamptz[]) AS u(wo, tech, ps, pe)",
    )
    .bind(org_id)
    .bind(&h.id)
    .bind(&h.technician)
    .bind(&h.started)
    .bind(&planned_end)
    .execute(&mut *tx)
    .await?;
    // Status history: created as scheduled, started on arrival, completed on leaving.
    sqlx::query(
        "INSERT INTO activity (org_id, entity, entity_id, action, before, after, at) \
         SELECT $1, 'work_order', u.id, s.action, s.before, s.after, s.at \
         FROM UNNEST($2::uuid[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::timestamptz[]) \
           AS u(id, number, created, started, done) \
         CROSS JOIN LATERAL (VALUES \
           ('create', NULL::jsonb, jsonb_build_object('id', u.id, 'number', u.number, 'status', 'scheduled'), u.created), \
           ('update', jsonb_build_object('id', u.id, 'number', u.number, 'status', 'scheduled'), \
                      jsonb_build_object('id', u.id, 'number', u.number, 'status', 'in_progress'), u.started), \
           ('update', jsonb_build_object('id', u.id, 'number', u.number, 'status', 'in_progress'), \
                      jsonb_build_object('id', u.id, 'number', u.number, 'status', 'completed'), u.done) \
         ) AS s(action, before, after, at)",
    )
    .bind(org_id)
    .bind(&h.id)
    .bind(&h.number)
    .bind(&h.created)
    .bind(&h.started)
    .bind(&h.completed)
    .execute(&mut *tx)
    .await?;
    for (date, travel_s, visits) in days {
        let assignments: Vec<Value> = visits
            .iter()
            .map(|&i| {
                json!({"change": "add", "work_order_id": h.id[i], "number": h.number[i],
                    "technician_id": h.technician[i], "planned_start": h.started[i],
                    "planned_end": planned_end[i]})
            })
            .collect();
        let proposal = json!({"assignments": assignments, "unassigned": [], "kept": [],
            "summary": {"added": visits.len(), "moved": 0, "unchanged": 0, "kept_fixed": 0,
                "unassigned": 0, "travel_s": travel_s.round(), "distance_m": null,
                "estimator": "history"}});
        let start = midnight(*date);
        sqlx::query(
            "INSERT INTO schedule_plans (org_id, status, range_start, range_end, proposal, basis, created_at, decided_at) \
             VALUES ($1, 'committed', $2, $3, $4, '{}'::jsonb, $5, $5)",
        )
        .bind(org_id)
        .bind(start)
        .bind(start + Duration::days(1))
        .bind(proposal)
        .bind(start - Duration::hours(10))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
