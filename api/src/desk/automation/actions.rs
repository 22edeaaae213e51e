//! Running actions on a ticket. A [`Session`] holds the working copy of the ticket; each
//! action either changes it (assign, set field, tags, priority) or acts around it (reply,
//! note, notify, webhook, work order). In a dry run (`execute == false`) nothing is written:
//! the actions are resolved (who would be picked, the rendered text) and reported.
//! When executing, each action runs inside a savepoint: an action that fails (a deleted
//! team, an unknown status, a missing site) is reported as skipped and undone on its own
//! instead of failing the change that triggered it.

use super::assign::{self, Pick};
use super::model::{custom_key, Action};
use super::render::Context;
use super::store;
use crate::db::activity::{self, Change};
use crate::desk::custom_fields;
use crate::desk::db::{config, tickets};
use crate::desk::lifecycle::{self, Actor};
use crate::desk::ticket::{check_one_of, normalise_tags, Ticket, PRIORITIES};
use crate::error::{ApiError, ApiResult};
use serde_json::{json, Map, Value};
use sqlx::types::Json;
use sqlx::PgConnection;
use uuid::Uuid;

/// A ticket being worked on by rules or a macro.
pub struct Session<'c> {
    conn: &'c mut PgConnection,
    /// Who acts: the system for rules, the agent for macros.
    pub actor: Actor,
    /// Whether actions take effect (false: dry run).
    pub execute: bool,
    /// What triggered the actions, for the activity log (`rule: <name>`).
    pub source: String,
    saved: Ticket,
    /// The working copy.
    pub ticket: Ticket,
}

fn id_value(id: Option<Uuid>) -> Value {
    id.map_or(Value::Null, |u| Value::from(u.to_string()))
}

fn parse_id(value: &Value) -> ApiResult<Option<Uuid>> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => Uuid::parse_str(s)
            .map(Some)
            .map_err(|_| ApiError::validation("value", "not a UUID")),
        _ => Err(ApiError::validation("value", "not a UUID")),
    }
}

impl<'c> Session<'c> {
    /// A session on `ticket` (as stored).
    pub fn new(conn: &'c mut PgConnection, actor: Actor, ticket: Ticket, execute: bool) -> Self {
        Self {
            conn,
            actor,
            execute,
            source: String::new(),
            saved: ticket.clone(),
            ticket,
        }
    }

    /// The connection (inside the caller's transaction).
    pub fn conn(&mut self) -> &mut PgConnection {
        self.conn
    }

    /// Writes the working copy when it differs from the stored ticket (SLA recomputed,
    /// activity entry `automation`).
    pub async fn flush(&mut self) -> ApiResult<()> {
        if !self.execute || self.ticket.to_json() == self.saved.to_json() {
            return Ok(());
        }
        let org = self.actor.org_id;
        lifecycle::refresh_sla(self.conn, org, &mut self.ticket, self.actor.now).await?;
        let written = tickets::write(self.conn, org, &self.ticket).await?;
        let mut after = written.to_json();
        if let Some(obj) = after.as_object_mut() {
            obj.insert("automation".into(), Value::from(self.source.clone()));
        }
        activity::record(
            self.conn,
            Change {
                org_id: org,
                actor_id: self.actor.user_id,
                entity: "ticket",
                entity_id: written.id,
                action: "automation",
                before: Some(&self.saved.to_json()),
                after: Some(&after),
            },
        )
        .await?;
        self.saved = written.clone();
        self.ticket = written;
        Ok(())
    }

    /// The ticket after the session (flushed when executing).
    pub async fn finish(mut self) -> ApiResult<Ticket> {
        self.flush().await?;
        Ok(self.ticket)
    }

    /// Runs the actions in order; answers one report per action (`{"type", ...resolved
    /// values}`, with `"skipped": reason` when it did nothing).
    pub async fn run(&mut self, actions: &[Action]) -> ApiResult<Vec<Value>> {
        let mut out = Vec::with_capacity(actions.len());
        for action in actions {
            if !self.execute {
                out.push(self.step(action).await?);
                continue;
            }
            let (saved, ticket) = (self.saved.clone(), self.ticket.clone());
            sqlx::query("SAVEPOINT automation_action")
                .execute(&mut *self.conn)
                .await?;
            match self.step(action).await {
                Ok(report) => {
                    sqlx::query("RELEASE SAVEPOINT automation_action")
                        .execute(&mut *self.conn)
                        .await?;
                    out.push(report);
                }
                Err(e) if e.status.is_client_error() => {
                    sqlx::query("ROLLBACK TO SAVEPOINT automation_action")
                        .execute(&mut *self.conn)
                        .await?;
                    tracing::warn!(source = %self.source, error = %e.message, "automation action skipped");
                    self.saved = saved;
                    self.ticket = ticket;
                    let kind = serde_json::to_value(action).unwrap_or(Value::Null);
                    out.push(json!({"type": kind["type"], "skipped": e.message}));
                }
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    async fn context(&mut self) -> ApiResult<Context> {
        Ok(Context::load(
            self.conn,
            self.actor.org_id,
            &self.ticket,
            self.actor.user_id,
        )
        .await?)
    }

    async fn step(&mut self, action: &Action) -> ApiResult<Value> {
        let org = self.actor.org_id;
        match action {
            Action::Assign {
                user_id,
                team_id,
                strategy,
            } => {
                if team_id.is_some() {
                    self.ticket.team_id = *team_id;
                }
                let mut reason = Value::Null;
                if let Some(u) = user_id {
                    lifecycle::check_assignee(self.conn, org, Some(*u)).await?;
                    self.ticket.assignee_id = Some(*u);
                } else if let Some(s) = strategy {
                    let pool = team_id.or(self.ticket.team_id);
                    let Pick {
                        user_id: picked,
                        reason: why,
                    } = assign::pick(self.conn, org, pool, *s, &self.ticket).await?;
                    reason = Value::from(why);
                    let Some(picked) = picked else {
                        return Ok(
                            json!({"type": "assign", "team_id": id_value(pool), "skipped": reason}),
                        );
                    };
                    if self.execute && *s == super::model::Strategy::RoundRobin {
                        assign::advance(self.conn, org, pool, picked).await?;
                    }
                    self.ticket.assignee_id = Some(picked);
                }
                Ok(
                    json!({"type": "assign", "user_id": id_value(self.ticket.assignee_id),
                    "team_id": id_value(self.ticket.team_id), "strategy": strategy, "reason": reason}),
                )
            }
            Action::SetField { field, value } => {
                self.set_field(field, value).await?;
                Ok(json!({"type": "set_field", "field": field, "value": value}))
            }
            Action::AddTag { tag } | Action::RemoveTag { tag } => {
                let tag = normalise_tags(std::slice::from_ref(tag))?.remove(0);
                let adding = matches!(action, Action::AddTag { .. });
                let kind = if adding { "add_tag" } else { "remove_tag" };
                let has = self.ticket.tags.contains(&tag);
                if adding == has {
                    return Ok(json!({"type": kind, "tag": tag, "skipped": "nothing to change"}));
                }
                if adding {
                    self.ticket.tags.push(tag.clone());
                    self.ticket.tags.sort();
                } else {
                    self.ticket.tags.retain(|t| *t != tag);
                }
                Ok(json!({"type": kind, "tag": tag}))
            }
            Action::RaisePriority => {
                let at = PRIORITIES
                    .iter()
                    .position(|p| *p == self.ticket.priority)
                    .unwrap_or(0);
                let Some(next) = PRIORITIES.get(at + 1) else {
                    return Ok(json!({"type": "raise_priority", "skipped": "already urgent"}));
                };
                self.ticket.priority = next.to_string();
                Ok(json!({"type": "raise_priority", "value": next}))
            }
            Action::Escalate => {
                let to = match self.ticket.sla_policy_id {
                    Some(p) => store::escalation_user(self.conn, org, p).await?,
                    None => None,
                };
                let Some(to) = to else {
                    return Ok(
                        json!({"type": "escalate", "skipped": "the SLA policy names no escalate_to user"}),
                    );
                };
                self.ticket.assignee_id = Some(to);
                self.ticket.escalated_at = Some(self.actor.now);
                if self.execute {
                    let message = format!(
                        "Escalated to you: {} {}",
                        self.ticket.number, self.ticket.subject
                    );
                    store::notify(self.conn, org, &[to], Some(self.ticket.id), &message).await?;
                }
                Ok(json!({"type": "escalate", "user_id": to.to_string()}))
            }
            Action::Reply { body } | Action::Note { body } => {
                let kind = if matches!(action, Action::Reply { .. }) {
                    "reply"
                } else {
                    "note"
                };
                let text = self.context().await?.render(body);
                if !self.execute {
                    return Ok(json!({"type": kind, "body": text}));
                }
                self.flush().await?;
                let (t, message) =
                    lifecycle::add_message(self.conn, &self.actor, self.saved.clone(), kind, &text)
                        .await?;
                self.saved = t.clone();
                self.ticket = t;
                Ok(json!({"type": kind, "body": text, "message_id": message.id.to_string()}))
            }
            Action::Notify {
                user_ids,
                assignee,
                message,
            } => {
                let mut to = user_ids.clone();
                if *assignee {
                    to.extend(self.ticket.assignee_id);
                }
                to.sort();
                to.dedup();
                let text = self.context().await?.render(message);
                if to.is_empty() {
                    return Ok(
                        json!({"type": "notify", "message": text, "skipped": "nobody to notify"}),
                    );
                }
                if self.execute {
                    store::notify(self.conn, org, &to, Some(self.ticket.id), &text).await?;
                }
                Ok(json!({"type": "notify", "user_ids": to, "message": text}))
            }
            Action::Webhook { subscription_id } => {
                if self.execute {
                    self.flush().await?;
                    let payload = json!({"rule": self.source, "ticket": self.ticket.to_json()});
                    let queued = crate::desk::webhooks::enqueue(
                        self.conn,
                        org,
                        *subscription_id,
                        "automation.rule",
                        &payload,
                    )
                    .await?;
                    if !queued {
                        return Err(ApiError::validation(
                            "subscription_id",
                            "no active webhook subscription with this id",
                        ));
                    }
                }
                Ok(
                    json!({"type": "webhook", "subscription_id": subscription_id, "event": "automation.rule"}),
                )
            }
            Action::WorkOrder { fields } => {
                if let Some(wo) = self.ticket.work_order_id {
                    return Ok(
                        json!({"type": "work_order", "work_order_id": wo.to_string(), "skipped": "the ticket already has a work order"}),
                    );
                }
                if !self.execute {
                    return Ok(json!({"type": "work_order", "fields": fields}));
                }
                self.flush().await?;
                let (t, wo) = lifecycle::to_work_order(
                    self.conn,
                    &self.actor,
                    self.saved.clone(),
                    fields.clone(),
                )
                .await?;
                self.saved = t.clone();
                self.ticket = t;
                Ok(json!({"type": "work_order", "fields": fields, "work_order_id": wo["id"]}))
            }
        }
    }

    async fn set_field(&mut self, field: &str, value: &Value) -> ApiResult<()> {
        let org = self.actor.org_id;
        match field {
            "priority" => {
                let p = value.as_str().unwrap_or_default();
                check_one_of("value", p, &PRIORITIES)?;
                self.ticket.priority = p.to_string();
            }
            "status" => {
                let name = value.as_str().unwrap_or_default().to_string();
                lifecycle::set_status(self.conn, &self.actor, &mut self.ticket, &name).await?;
            }
            "category" => {
                self.ticket.category = value.as_str().map(str::to_string);
            }
            "team_id" => {
                let team = parse_id(value)?;
                if let Some(team) = team {
                    if !store::team_exists(self.conn, org, team).await? {
                        return Err(ApiError::validation("team_id", "no such team"));
                    }
                }
                self.ticket.team_id = team;
            }
            "assignee_id" => {
                let user = parse_id(value)?;
                lifecycle::check_assignee(self.conn, org, user).await?;
                self.ticket.assignee_id = user;
            }
            other => {
                let Some(key) = custom_key(other) else {
                    return Err(ApiError::validation(
                        "field",
                        format!("cannot set `{other}`"),
                    ));
                };
                let defs = config::fields(self.conn, org).await?;
                let mut submitted = Map::new();
                submitted.insert(key.to_string(), value.clone());
                let merged = custom_fields::apply(&defs, &self.ticket.custom_fields.0, &submitted)?;
                self.ticket.custom_fields = Json(merged);
            }
        }
        Ok(())
    }
}
