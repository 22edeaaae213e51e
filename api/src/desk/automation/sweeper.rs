//! Time rules and SLA breaches, evaluated by a periodic sweep. For each open ticket of an
//! organisation whose due times are near or past (or that is on hold), the sweep:
//! 1. sets the breach flags of due times that have passed (`first_response_breached`...) and
//!    queues a `ticket.sla_breached` webhook event for each newly breached target;
//! 2. escalates a breached ticket once to its SLA policy's `escalate_to` user (reassign,
//!    `escalated_at`, notification);
//! 3. runs the actions of `sla_due_soon`, `sla_breached` and `on_hold` rules whose conditions
//!    hold, each at most once per ticket and target (`automation_firings`).
//!
//! `on_hold` measures time on hold as time since the ticket last changed while on hold.
//! [`sweep_org`] takes "now" as an argument so tests can run it at a chosen time.

use super::actions::Session;
use super::conditions::{changed_fields, evaluate};
use super::model::{Action, Rule, SLA_TARGETS, TIME_TRIGGERS};
use super::store;
use crate::desk::db::tickets;
use crate::desk::lifecycle::Actor;
use crate::desk::sla;
use crate::desk::ticket::{Ticket, DONE_TYPES};
use crate::desk::webhooks;
use crate::error::ApiResult;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

/// What one sweep did.
#[derive(Debug, Default, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct SweepReport {
    /// Tickets looked at.
    pub tickets: usize,
    /// Breach flags newly set.
    pub breaches: usize,
    /// Built-in escalations.
    pub escalations: usize,
    /// Time-rule firings.
    pub rules_fired: usize,
}

fn due(t: &Ticket, target: &str) -> Option<DateTime<Utc>> {
    match target {
        "first_response" => t.first_response_due,
        "next_response" => t.next_response_due,
        _ => t.resolution_due,
    }
}

fn breached(t: &Ticket, target: &str) -> bool {
    match target {
        "first_response" => t.first_response_breached,
        "next_response" => t.next_response_breached,
        _ => t.resolution_breached,
    }
}

/// The targets (SLA targets, or `on_hold`) for which a time rule is due on the ticket.
fn due_targets(rule: &Rule, t: &Ticket, now: DateTime<Utc>) -> Vec<&'static str> {
    let minutes = Duration::minutes(i64::from(rule.minutes.unwrap_or(0)));
    let watched = |target: &&&str| rule.sla_target.as_deref().is_none_or(|w| w == **target);
    match rule.trigger.as_str() {
        "sla_breached" => SLA_TARGETS
            .iter()
            .filter(watched)
            .filter(|target| breached(t, target))
            .copied()
            .collect(),
        "sla_due_soon" => SLA_TARGETS
            .iter()
            .filter(watched)
            .filter(|target| {
                !breached(t, target)
                    && due(t, target).is_some_and(|d| d > now && d <= now + minutes)
            })
            .copied()
            .collect(),
        "on_hold" if t.status_type == "on_hold" && t.updated_at <= now - minutes => vec!["on_hold"],
        _ => Vec::new(),
    }
}

/// Sweeps every organisation with open tickets that have due times or are on hold.
pub async fn sweep_all(pool: &PgPool, now: DateTime<Utc>) -> ApiResult<SweepReport> {
    let orgs: Vec<(Uuid,)> = sqlx::query_as(
        "SELECT DISTINCT org_id FROM tickets WHERE status_type NOT IN ('resolved', 'closed') \
         AND (LEAST(first_response_due, next_response_due, resolution_due) IS NOT NULL \
              OR status_type = 'on_hold')",
    )
    .fetch_all(pool)
    .await?;
    let mut total = SweepReport::default();
    for (org,) in orgs {
        let r = sweep_org(pool, org, now).await?;
        total.tickets += r.tickets;
        total.breaches += r.breaches;
        total.escalations += r.escalations;
        total.rules_fired += r.rules_fired;
    }
    Ok(total)
}

/// Sweeps one organisation at `now`; each ticket in its own transaction.
pub async fn sweep_org(pool: &PgPool, org_id: Uuid, now: DateTime<Utc>) -> ApiResult<SweepReport> {
    let mut conn = pool.acquire().await?;
    let rules = store::rules(&mut conn, org_id, Some(&TIME_TRIGGERS), true).await?;
    drop(conn);
    let lead = rules
        .iter()
        .filter(|r| r.trigger == "sla_due_soon")
        .filter_map(|r| r.minutes)
        .max()
        .unwrap_or(0);
    let ids: Vec<(Uuid,)> = sqlx::query_as(
        "SELECT id FROM tickets WHERE org_id = $1 AND status_type NOT IN ('resolved', 'closed') \
         AND merged_into_id IS NULL \
         AND (LEAST(first_response_due, next_response_due, resolution_due) <= $2 \
              OR first_response_breached OR next_response_breached OR resolution_breached \
              OR status_type = 'on_hold') ORDER BY id",
    )
    .bind(org_id)
    .bind(now + Duration::minutes(i64::from(lead)))
    .fetch_all(pool)
    .await?;
    let mut report = SweepReport::default();
    for (id,) in ids {
        sweep_ticket(pool, org_id, id, &rules, now, &mut report).await?;
    }
    Ok(report)
}

async fn sweep_ticket(
    pool: &PgPool,
    org_id: Uuid,
    id: Uuid,
    rules: &[Rule],
    now: DateTime<Utc>,
    report: &mut SweepReport,
) -> ApiResult<()> {
    let mut tx = pool.begin().await?;
    let Some(before) = tickets::lock(&mut tx, org_id, id).await? else {
        return Ok(());
    };
    if DONE_TYPES.contains(&before.status_type.as_str()) {
        return Ok(());
    }
    report.tickets += 1;
    let mut t = before.clone();
    sla::mark_breaches(&mut t, now);
    let newly: Vec<&str> = SLA_TARGETS
        .iter()
        .filter(|target| breached(&t, target) && !breached(&before, target))
        .copied()
        .collect();
    report.breaches += newly.len();
    let actor = Actor {
        org_id,
        user_id: None,
        customer: false,
        now,
    };
    let mut session = Session::new(&mut tx, actor, t, true);
    session.source = "sla".into();
    let any_breach = SLA_TARGETS
        .iter()
        .any(|target| breached(&session.ticket, target));
    if any_breach && session.ticket.escalated_at.is_none() && session.ticket.sla_policy_id.is_some()
    {
        let policy = session.ticket.sla_policy_id.unwrap_or_default();
        let to = store::escalation_user(session.conn(), org_id, policy).await?;
        if to.is_some()
            && store::claim_firing(session.conn(), org_id, "sla_escalation", id, "ticket", now)
                .await?
        {
            session.source = "sla escalation".into();
            session.run(&[Action::Escalate]).await?;
            report.escalations += 1;
        }
    }
    for rule in rules {
        for target in due_targets(rule, &session.ticket, now) {
            let (matched, _) = evaluate(&rule.conditions.0, &rule.match_mode, &session.ticket, &[]);
            if !matched
                || !store::claim_firing(
                    session.conn(),
                    org_id,
                    &rule.id.to_string(),
                    id,
                    target,
                    now,
                )
                .await?
            {
                continue;
            }
            session.source = format!("rule: {} ({target})", rule.name);
            session.run(&rule.actions.0).await?;
            report.rules_fired += 1;
        }
    }
    let after = session.finish().await?;
    for target in &newly {
        let data = json!({"ticket": after.to_json(), "target": target});
        webhooks::emit(&mut tx, org_id, "ticket.sla_breached", &data).await?;
    }
    let changed = changed_fields(&before, &after);
    if !changed.is_empty() {
        let data = json!({"ticket": after.to_json(), "changed": changed});
        webhooks::emit(&mut tx, org_id, "ticket.updated", &data).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Runs [`sweep_all`] every minute in the background.
pub fn spawn(pool: PgPool) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match sweep_all(&pool, Utc::now()).await {
                Ok(r) if r.breaches + r.escalations + r.rules_fired > 0 => {
                    tracing::info!(?r, "help-desk sweep")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e.message, "help-desk sweep failed"),
            }
        }
    });
}
