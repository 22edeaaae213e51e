//! Proposed schedules: the solver's answer as a diff against the current assignments, stored
//! in `schedule_plans`, committed in one transaction (409 when the records changed since the
//! proposal) or discarded.

use super::records::{Built, JobKind, Records};
use crate::db::activity::{self, Change};
use crate::error::ApiError;
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Map, Value};
use solver::{Solution, Step, UnassignedReason};
use sqlx::PgPool;
use std::collections::HashMap;
use uuid::Uuid;

fn at(from: DateTime<Utc>, secs: f64) -> DateTime<Utc> {
    from + Duration::milliseconds((secs * 1000.0).round() as i64)
}

fn reason_json(built: &Built, reason: &UnassignedReason) -> Value {
    let code = serde_json::to_value(reason)
        .ok()
        .and_then(|v| v.get("code").cloned())
        .unwrap_or(Value::Null);
    let message = match reason {
        UnassignedReason::Skills { missing } => {
            let names: Vec<&str> = missing
                .iter()
                .filter_map(|i| built.skill_names.get(*i).map(String::as_str))
                .collect();
            format!(
                "no technician has the required skills ({})",
                names.join(", ")
            )
        }
        other => other.message(),
    };
    json!({"code": code, "message": message})
}

/// The proposal (diff) and the basis (record versions) of a solved plan.
pub fn proposal(records: &Records, built: &Built, solution: &Solution) -> (Value, Value) {
    let from = records.from;
    let mut assignments = Vec::new();
    let mut kept = Vec::new();
    for route in &solution.routes {
        let (ti, _) = built.tech_days[route.technician];
        let tech = &records.technicians[ti];
        let mut seq = 0;
        for (step, times) in route.steps.iter().zip(&route.times) {
            let Step::Job(j) = *step else { continue };
            seq += 1;
            match &built.jobs[j] {
                JobKind::Fixed { assignment } => {
                    let a = &records.assignments[*assignment];
                    kept.push(json!({"assignment_id": a.id, "work_order_id": a.work_order_id, "technician_id": a.technician_id,
                        "planned_start": a.planned_start, "planned_end": a.planned_end, "locked": a.locked}));
                }
                JobKind::Plan { order, current } => {
                    let o = &records.orders[*order];
                    let start = at(from, times.start);
                    let end = at(from, times.end);
                    let previous = current.map(|c| &records.assignments[c]);
                    let change = match previous {
                        None => "add",
                        Some(p)
                            if p.technician_id == tech.id
                                && (p.planned_start - start).num_seconds().abs() < 60 =>
                        {
                            "keep"
                        }
                        Some(_) => "move",
                    };
                    assignments.push(json!({
                        "change": change,
                        "work_order_id": o.id, "number": o.number,
                        "technician_id": tech.id, "technician": tech.name,
                        "planned_start": start, "planned_end": end, "sequence": seq,
                        "previous": previous.map(|p| json!({"assignment_id": p.id, "technician_id": p.technician_id,
                            "planned_start": p.planned_start, "planned_end": p.planned_end})),
                    }));
                }
            }
        }
    }
    for &a in &built.fixed_outside {
        let a = &records.assignments[a];
        kept.push(json!({"assignment_id": a.id, "work_order_id": a.work_order_id, "technician_id": a.technician_id,
            "planned_start": a.planned_start, "planned_end": a.planned_end, "locked": a.locked}));
    }
    let mut unassigned = Vec::new();
    for u in &solution.unassigned {
        match &built.jobs[u.job] {
            JobKind::Plan { order, current } => {
                let o = &records.orders[*order];
                let current = current.map(|c| records.assignments[c].id);
                unassigned.push(json!({"work_order_id": o.id, "number": o.number,
                    "reason": reason_json(built, &u.reason),
                    "removes_assignment": current}));
            }
            JobKind::Fixed { assignment } => {
                let a = &records.assignments[*assignment];
                kept.push(json!({"assignment_id": a.id, "work_order_id": a.work_order_id, "technician_id": a.technician_id,
                    "planned_start": a.planned_start, "planned_end": a.planned_end, "locked": a.locked,
                    "note": "outside the technician's working time"}));
            }
        }
    }
    for &o in &built.skipped {
        let o = &records.orders[o];
        unassigned.push(json!({"work_order_id": o.id, "number": o.number,
            "reason": {"code": "several_assignments", "message": "the work order has several assignments; plan it by hand"},
            "removes_assignment": null}));
    }
    let count = |c: &str| assignments.iter().filter(|a| a["change"] == c).count();
    let summary = json!({
        "added": count("add"), "moved": count("move"), "unchanged": count("keep"),
        "kept_fixed": kept.len(), "unassigned": unassigned.len(),
        "distance_m": solution.summary.distance.round(), "travel_s": solution.summary.travel_time.round(),
        "estimator": built.travel.source.as_str(),
    });
    let versions = |it: &mut dyn Iterator<Item = (Uuid, i64)>| -> Value {
        Value::Object(
            it.map(|(id, v)| (id.to_string(), json!(v)))
                .collect::<Map<_, _>>(),
        )
    };
    let basis = json!({
        "work_orders": versions(&mut records.orders.iter().map(|o| (o.id, o.version))),
        "assignments": versions(&mut records.assignments.iter().map(|a| (a.id, a.version))),
        "technicians": versions(&mut records.technicians.iter().map(|t| (t.id, t.version))),
    });
    (
        json!({"assignments": assignments, "unassigned": unassigned, "kept": kept, "summary": summary}),
        basis,
    )
}

/// Stores a proposal; returns the plan as answered by the API.
pub async fn store(
    pool: &PgPool,
    org_id: Uuid,
    user: Uuid,
    records: &Records,
    proposal: Value,
    basis: Value,
) -> Result<Value, ApiError> {
    let (id,): (Uuid,) = sqlx::query_as(
        "INSERT INTO schedule_plans (org_id, created_by, range_start, range_end, proposal, basis) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(org_id)
    .bind(user)
    .bind(records.from)
    .bind(records.to)
    .bind(sqlx::types::Json(&proposal))
    .bind(sqlx::types::Json(&basis))
    .fetch_one(pool)
    .await?;
    get(pool, org_id, id).await
}

type PlanRow = (
    Uuid,
    String,
    DateTime<Utc>,
    DateTime<Utc>,
    sqlx::types::Json<Value>,
    sqlx::types::Json<Value>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
);

async fn row(
    conn: &mut sqlx::PgConnection,
    org_id: Uuid,
    id: Uuid,
    lock: bool,
) -> Result<PlanRow, ApiError> {
    let sql = format!(
        "SELECT id, status, range_start, range_end, proposal, basis, created_at, decided_at \
         FROM schedule_plans WHERE org_id = $1 AND id = $2{}",
        if lock { " FOR UPDATE" } else { "" }
    );
    sqlx::query_as(&sql)
        .bind(org_id)
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| ApiError::not_found("plan"))
}

fn view(r: PlanRow) -> Value {
    let mut v = r.4 .0;
    v["id"] = json!(r.0);
    v["status"] = json!(r.1);
    v["from"] = json!(r.2);
    v["to"] = json!(r.3);
    v["created_at"] = json!(r.6);
    v["decided_at"] = json!(r.7);
    v
}

/// A plan of `org_id` (404 for another organisation's).
pub async fn get(pool: &PgPool, org_id: Uuid, id: Uuid) -> Result<Value, ApiError> {
    let mut conn = pool.acquire().await?;
    Ok(view(row(&mut conn, org_id, id, false).await?))
}

/// Marks a proposed plan discarded (409 when already committed or discarded).
pub async fn discard(pool: &PgPool, org_id: Uuid, id: Uuid) -> Result<Value, ApiError> {
    let mut tx = pool.begin().await?;
    let r = row(&mut tx, org_id, id, true).await?;
    if r.1 != "proposed" {
        return Err(ApiError::conflict(format!("the plan is already {}", r.1)));
    }
    sqlx::query("UPDATE schedule_plans SET status = 'discarded', decided_at = now() WHERE org_id = $1 AND id = $2")
        .bind(org_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    get(pool, org_id, id).await
}

fn versions(basis: &Value, key: &str) -> HashMap<Uuid, i64> {
    basis[key]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.parse().ok()?, v.as_i64()?)))
        .collect()
}

fn uuid(v: &Value) -> Option<Uuid> {
    v.as_str().and_then(|s| s.parse().ok())
}

fn time(v: &Value) -> Option<DateTime<Utc>> {
    serde_json::from_value(v.clone()).ok()
}

/// Writes a proposed plan: assignments added, moved or removed, work orders set to
/// `scheduled` (or back to `draft` when their assignment is removed), in one transaction.
/// 409 when a work order, assignment or technician it was computed from changed meanwhile.
pub async fn commit(pool: &PgPool, org_id: Uuid, actor: Uuid, id: Uuid) -> Result<Value, ApiError> {
    let mut tx = pool.begin().await?;
    let r = row(&mut tx, org_id, id, true).await?;
    if r.1 != "proposed" {
        return Err(ApiError::conflict(format!("the plan is already {}", r.1)));
    }
    let (proposal, basis) = (&r.4 .0, &r.5 .0);
    let changed =
        || ApiError::conflict("the records changed since the plan was proposed; optimise again");
    let wo = versions(basis, "work_orders");
    let ids: Vec<Uuid> = wo.keys().copied().collect();
    let now: Vec<(Uuid, i64)> = sqlx::query_as(
        "SELECT id, version FROM work_orders WHERE org_id = $1 AND id = ANY($2) FOR UPDATE",
    )
    .bind(org_id)
    .bind(&ids)
    .fetch_all(&mut *tx)
    .await?;
    if now.len() != wo.len() || now.iter().any(|(i, v)| wo.get(i) != Some(v)) {
        return Err(changed());
    }
    let asg = versions(basis, "assignments");
    let now: Vec<(Uuid, i64)> = sqlx::query_as("SELECT id, version FROM assignments WHERE org_id = $1 AND work_order_id = ANY($2) FOR UPDATE")
        .bind(org_id)
        .bind(&ids)
        .fetch_all(&mut *tx)
        .await?;
    if now.len() != asg.len() || now.iter().any(|(i, v)| asg.get(i) != Some(v)) {
        return Err(changed());
    }
    let techs = versions(basis, "technicians");
    let tech_ids: Vec<Uuid> = techs.keys().copied().collect();
    let now: Vec<(Uuid, i64)> = sqlx::query_as("SELECT id, version FROM technicians WHERE org_id = $1 AND id = ANY($2) AND active FOR SHARE")
        .bind(org_id)
        .bind(&tech_ids)
        .fetch_all(&mut *tx)
        .await?;
    if now.len() != techs.len() || now.iter().any(|(i, v)| techs.get(i) != Some(v)) {
        return Err(changed());
    }

    let bad = || ApiError::internal("stored plan is malformed");
    let mut written = 0usize;
    for a in proposal["assignments"].as_array().into_iter().flatten() {
        let change = a["change"].as_str().unwrap_or_default();
        if change == "keep" {
            continue;
        }
        let wo_id = uuid(&a["work_order_id"]).ok_or_else(bad)?;
        let tech = uuid(&a["technician_id"]).ok_or_else(bad)?;
        let (start, end) = (
            time(&a["planned_start"]).ok_or_else(bad)?,
            time(&a["planned_end"]).ok_or_else(bad)?,
        );
        let seq = a["sequence"].as_i64().unwrap_or(0) as i32;
        let (entity_id, action) = match uuid(&a["previous"]["assignment_id"]) {
            Some(prev) => {
                sqlx::query("UPDATE assignments SET technician_id = $3, planned_start = $4, planned_end = $5, sequence = $6, \
                             version = version + 1, updated_at = now() WHERE org_id = $1 AND id = $2")
                    .bind(org_id).bind(prev).bind(tech).bind(start).bind(end).bind(seq)
                    .execute(&mut *tx).await?;
                (prev, "update")
            }
            None => {
                let (new_id,): (Uuid,) = sqlx::query_as(
                    "INSERT INTO assignments (org_id, work_order_id, technician_id, planned_start, planned_end, sequence) \
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
                    .bind(org_id).bind(wo_id).bind(tech).bind(start).bind(end).bind(seq)
                    .fetch_one(&mut *tx).await?;
                (new_id, "create")
            }
        };
        activity::record(
            &mut tx,
            Change {
                org_id,
                actor_id: Some(actor),
                entity: "assignment",
                entity_id,
                action,
                before: None,
                after: Some(a),
            },
        )
        .await?;
        sqlx::query("UPDATE work_orders SET status = 'scheduled', version = version + 1, updated_at = now() \
                     WHERE org_id = $1 AND id = $2 AND status = 'draft'")
            .bind(org_id).bind(wo_id).execute(&mut *tx).await?;
        written += 1;
    }
    for u in proposal["unassigned"].as_array().into_iter().flatten() {
        let Some(prev) = uuid(&u["removes_assignment"]) else {
            continue;
        };
        let wo_id = uuid(&u["work_order_id"]).ok_or_else(bad)?;
        sqlx::query("DELETE FROM assignments WHERE org_id = $1 AND id = $2")
            .bind(org_id)
            .bind(prev)
            .execute(&mut *tx)
            .await?;
        activity::record(
            &mut tx,
            Change {
                org_id,
                actor_id: Some(actor),
                entity: "assignment",
                entity_id: prev,
                action: "delete",
                before: Some(u),
                after: None,
            },
        )
        .await?;
        sqlx::query(
            "UPDATE work_orders SET status = 'draft', version = version + 1, updated_at = now() \
                     WHERE org_id = $1 AND id = $2 AND status = 'scheduled'",
        )
        .bind(org_id)
        .bind(wo_id)
        .execute(&mut *tx)
        .await?;
        written += 1;
    }
    sqlx::query("UPDATE schedule_plans SET status = 'committed', decided_at = now() WHERE org_id = $1 AND id = $2")
        .bind(org_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    let mut v = get(pool, org_id, id).await?;
    v["written"] = json!(written);
    Ok(v)
}
