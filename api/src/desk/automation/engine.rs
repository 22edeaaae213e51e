//! Event rules: after a ticket is created or updated, the organisation's active rules for
//! that event run in order; those whose conditions hold run their actions. Changes made by
//! actions form the next event of the chain (`ticket_updated` with the changed fields), but a
//! rule fires at most once per chain and a chain has at most [`MAX_DEPTH`] rounds, so rules
//! that undo each other cannot loop. Webhook events `ticket.created` / `ticket.updated` are
//! queued with the final ticket.

use super::actions::Session;
use super::conditions::{changed_fields, evaluate, field_value};
use super::model::Rule;
use super::store;
use crate::desk::lifecycle::Actor;
use crate::desk::ticket::Ticket;
use crate::desk::webhooks;
use crate::error::ApiResult;
use serde_json::{json, Value};
use sqlx::PgConnection;
use std::collections::HashSet;
use uuid::Uuid;

/// Rounds of a rule chain (the triggering event, then changes made by actions).
pub const MAX_DEPTH: usize = 5;

/// The actor automation acts as: the system, at the time of the triggering change.
pub fn system(actor: &Actor) -> Actor {
    Actor {
        org_id: actor.org_id,
        user_id: None,
        customer: false,
        now: actor.now,
    }
}

/// Runs `ticket_created` rules on a new ticket and queues `ticket.created`.
pub async fn on_created(conn: &mut PgConnection, actor: &Actor, t: Ticket) -> ApiResult<Ticket> {
    let t = chain(conn, actor, "ticket_created", Vec::new(), t).await?;
    webhooks::emit(
        conn,
        actor.org_id,
        "ticket.created",
        &json!({"ticket": t.to_json()}),
    )
    .await?;
    Ok(t)
}

/// Runs `ticket_updated` rules after a change and queues `ticket.updated` (when anything
/// changed).
pub async fn on_updated(
    conn: &mut PgConnection,
    actor: &Actor,
    before: &Ticket,
    t: Ticket,
) -> ApiResult<Ticket> {
    let changed = changed_fields(before, &t);
    let t = chain(conn, actor, "ticket_updated", changed, t).await?;
    let changed = changed_fields(before, &t);
    if !changed.is_empty() {
        let data = json!({"ticket": t.to_json(), "changed": changed});
        webhooks::emit(conn, actor.org_id, "ticket.updated", &data).await?;
    }
    Ok(t)
}

fn listens(rule: &Rule, trigger: &str, changed: &[String]) -> bool {
    rule.trigger == trigger
        && (trigger != "ticket_updated"
            || (!changed.is_empty()
                && (rule.changed_fields.is_empty()
                    || rule.changed_fields.iter().any(|f| changed.contains(f)))))
}

async fn chain(
    conn: &mut PgConnection,
    actor: &Actor,
    trigger: &str,
    mut changed: Vec<String>,
    t: Ticket,
) -> ApiResult<Ticket> {
    let rules = store::rules(
        conn,
        actor.org_id,
        Some(&["ticket_created", "ticket_updated"]),
        true,
    )
    .await?;
    if rules.is_empty() {
        return Ok(t);
    }
    let mut fired: HashSet<Uuid> = HashSet::new();
    let mut session = Session::new(conn, system(actor), t, true);
    let mut trigger = trigger;
    for depth in 0..MAX_DEPTH {
        let round_start = session.ticket.clone();
        for rule in &rules {
            if fired.contains(&rule.id) || !listens(rule, trigger, &changed) {
                continue;
            }
            let (matched, _) = evaluate(
                &rule.conditions.0,
                &rule.match_mode,
                &session.ticket,
                &changed,
            );
            if !matched {
                continue;
            }
            fired.insert(rule.id);
            session.source = format!("rule: {}", rule.name);
            session.run(&rule.actions.0).await?;
        }
        changed = changed_fields(&round_start, &session.ticket);
        if changed.is_empty() {
            break;
        }
        if depth + 1 == MAX_DEPTH {
            tracing::warn!(ticket = %session.ticket.id, "automation chain stopped at the depth limit");
        }
        trigger = "ticket_updated";
    }
    session.finish().await
}

/// Dry run of one rule on a ticket: each condition's outcome and the actions it would take
/// with resolved values. Runs in a transaction the caller rolls back; writes nothing.
pub async fn dry_run(
    conn: &mut PgConnection,
    actor: &Actor,
    rule: &Rule,
    t: Ticket,
) -> ApiResult<Value> {
    let (matched, each) = evaluate(&rule.conditions.0, &rule.match_mode, &t, &[]);
    let conditions: Vec<Value> = rule
        .conditions
        .0
        .iter()
        .zip(&each)
        .map(|(c, ok)| {
            json!({"field": c.field, "op": c.op, "value": c.value,
                   "actual": field_value(&t, &c.field), "matched": ok})
        })
        .collect();
    let ticket_id = t.id;
    let actions = if matched {
        let mut session = Session::new(conn, system(actor), t, false);
        session.source = format!("rule: {}", rule.name);
        session.run(&rule.actions.0).await?
    } else {
        Vec::new()
    };
    Ok(json!({
        "rule_id": rule.id,
        "ticket_id": ticket_id,
        "trigger": rule.trigger,
        "matched": matched,
        "conditions": conditions,
        "actions": actions,
        "note": "changed / changed_to conditions are evaluated without a triggering change",
    }))
}
