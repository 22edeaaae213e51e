//! Ticket lifecycle: create, change, replies and notes, merge, split and conversion to a work
//! order. Each function runs inside the caller's transaction, recomputes the SLA clock and
//! writes the activity log (entity `ticket`); text from the customer side (a new ticket, an
//! edited description, a customer reply) has its sentiment scored as it arrives.

use super::assist;
use super::business_hours::BusinessCalendar;
use super::custom_fields;
use super::db::{config, messages, messages::NewMessage, messages::TicketMessage, tickets};
use super::mentions;
use super::sla;
use super::ticket::{
    check_one_of, normalise_tags, NewTicket, Ticket, TicketPatch, CHANNELS, PRIORITIES,
    STATUS_TYPES,
};
use crate::db::activity::{self, Change};
use crate::error::{ApiError, ApiResult};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use sqlx::types::Json;
use sqlx::PgConnection;
use uuid::Uuid;

/// Who acts, for whom, when.
#[derive(Debug, Clone, Copy)]
pub struct Actor {
    /// Organisation.
    pub org_id: Uuid,
    /// Acting user (None for the system, e.g. inbound mail or timers).
    pub user_id: Option<Uuid>,
    /// Whether the actor is on the customer side.
    pub customer: bool,
    /// The time of the change.
    pub now: DateTime<Utc>,
}

async fn log(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    action: &str,
    before: Option<&Value>,
    after: &Value,
) -> ApiResult<()> {
    activity::record(
        conn,
        Change {
            org_id: actor.org_id,
            actor_id: actor.user_id,
            entity: "ticket",
            entity_id: id,
            action,
            before,
            after: Some(after),
        },
    )
    .await?;
    Ok(())
}

/// The type of a status name: a built-in type, or the organisation's custom status.
async fn status_type(conn: &mut PgConnection, org_id: Uuid, name: &str) -> ApiResult<String> {
    if STATUS_TYPES.contains(&name) {
        return Ok(name.to_string());
    }
    config::status_type(conn, org_id, name)
        .await?
        .ok_or_else(|| {
            ApiError::validation(
                "status",
                format!("unknown status `{name}`; use a built-in type or a custom status"),
            )
        })
}

/// Sets status and type, stamping resolved/closed times.
pub(crate) async fn set_status(
    conn: &mut PgConnection,
    actor: &Actor,
    t: &mut Ticket,
    name: &str,
) -> ApiResult<()> {
    let kind = status_type(conn, actor.org_id, name).await?;
    if kind != t.status_type {
        match kind.as_str() {
            "resolved" => t.resolved_at = Some(actor.now),
            "closed" => t.closed_at = Some(actor.now),
            _ => {}
        }
    }
    t.status = name.to_string();
    t.status_type = kind;
    Ok(())
}

/// The applicable SLA policy and its calendar for the ticket.
async fn sla_context(
    conn: &mut PgConnection,
    org_id: Uuid,
    t: &Ticket,
) -> ApiResult<(Option<sla::SlaPolicy>, BusinessCalendar)> {
    let policies = config::policies(conn, org_id).await?;
    let Some(policy) = sla::choose(&policies, t).cloned() else {
        return Ok((None, BusinessCalendar::always()));
    };
    let calendar = match policy.calendar_id {
        Some(id) => config::calendar(conn, org_id, id)
            .await?
            .map(|c| c.calendar())
            .unwrap_or_else(BusinessCalendar::always),
        None => BusinessCalendar::always(),
    };
    Ok((Some(policy), calendar))
}

/// Recomputes the SLA clock and due times of `t` at `now`.
pub async fn refresh_sla(
    conn: &mut PgConnection,
    org_id: Uuid,
    t: &mut Ticket,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let (policy, calendar) = sla_context(conn, org_id, t).await?;
    sla::recompute(t, policy.as_ref(), &calendar, now);
    Ok(())
}

/// 422 unless `id` is an office user of the organisation.
pub(crate) async fn check_assignee(
    conn: &mut PgConnection,
    org_id: Uuid,
    id: Option<Uuid>,
) -> ApiResult<()> {
    let Some(id) = id else { return Ok(()) };
    let row: Option<(String,)> =
        sqlx::query_as("SELECT role FROM users WHERE org_id = $1 AND id = $2")
            .bind(org_id)
            .bind(id)
            .fetch_optional(conn)
            .await?;
    match row {
        Some((role,)) if ["admin", "dispatcher", "agent"].contains(&role.as_str()) => Ok(()),
        Some(_) => Err(ApiError::validation(
            "assignee_id",
            "the assignee must be an agent, dispatcher or admin",
        )),
        None => Err(ApiError::validation(
            "assignee_id",
            "references a record that does not exist",
        )),
    }
}

fn check_text(field: &str, value: &str, max: usize) -> ApiResult<()> {
    if value.trim().is_empty() || value.chars().count() > max {
        return Err(ApiError::validation(
            field,
            format!("{field} must be 1..{max} characters"),
        ));
    }
    Ok(())
}

/// Creates a ticket. Customers' tickets always have their own customer as requester.
pub async fn create(conn: &mut PgConnection, actor: &Actor, input: NewTicket) -> ApiResult<Ticket> {
    check_text("subject", &input.subject, 300)?;
    let priority = input.priority.unwrap_or_else(|| "normal".into());
    check_one_of("priority", &priority, &PRIORITIES)?;
    let channel = input.channel.unwrap_or_else(|| {
        if actor.customer {
            "portal".into()
        } else {
            "web".into()
        }
    });
    check_one_of("channel", &channel, &CHANNELS)?;
    check_assignee(conn, actor.org_id, input.assignee_id).await?;
    let defs = config::fields(conn, actor.org_id).await?;
    let custom = custom_fields::apply(&defs, &Map::new(), &input.custom_fields)?;
    let seq = tickets::next_seq(conn, actor.org_id).await?;
    let mut t = Ticket {
        description: input.description,
        priority,
        category: input.category,
        requester_id: input.requester_id,
        requester_email: input.requester_email,
        assignee_id: input.assignee_id,
        team_id: input.team_id,
        tags: normalise_tags(&input.tags)?,
        custom_fields: Json(custom),
        parent_id: input.parent_id,
        ..Ticket::new(seq, input.subject.trim().to_string(), channel, actor.now)
    };
    if let Some(status) = input.status {
        set_status(conn, actor, &mut t, &status).await?;
    }
    refresh_sla(conn, actor.org_id, &mut t, actor.now).await?;
    let saved = tickets::insert(conn, actor.org_id, &t).await?;
    let text = assist::description_text(&saved.subject, &saved.description);
    assist::score_arrival(conn, actor.org_id, saved.id, None, &text).await?;
    log(conn, actor, saved.id, "create", None, &saved.to_json()).await?;
    super::automation::on_created(conn, actor, saved).await
}

/// Loads and locks a ticket; 404 when missing, 412 when `expected` is stale.
pub async fn lock(
    conn: &mut PgConnection,
    org_id: Uuid,
    id: Uuid,
    expected: Option<i64>,
) -> ApiResult<Ticket> {
    let t = tickets::lock(conn, org_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("ticket"))?;
    if let Some(v) = expected {
        if v != t.version {
            return Err(ApiError::version_mismatch(t.version));
        }
    }
    Ok(t)
}

/// Saves a changed ticket with its activity entry.
async fn save(
    conn: &mut PgConnection,
    actor: &Actor,
    before: &Ticket,
    after: &Ticket,
    action: &str,
) -> ApiResult<Ticket> {
    let saved = tickets::write(conn, actor.org_id, after).await?;
    log(
        conn,
        actor,
        saved.id,
        action,
        Some(&before.to_json()),
        &saved.to_json(),
    )
    .await?;
    Ok(saved)
}

/// Applies a PATCH (version already checked by [`lock`]). `public_url` is the service's public
/// base URL (`Config::public_url`) for links in the e-mail the change may send.
pub async fn update(
    conn: &mut PgConnection,
    actor: &Actor,
    public_url: Option<&str>,
    before: Ticket,
    p: TicketPatch,
) -> ApiResult<Ticket> {
    let mut t = before.clone();
    if let Some(s) = p.subject {
        check_text("subject", &s, 300)?;
        t.subject = s.trim().to_string();
    }
    if let Some(d) = p.description {
        t.description = d;
    }
    if let Some(priority) = p.priority {
        check_one_of("priority", &priority, &PRIORITIES)?;
        t.priority = priority;
    }
    if let Some(channel) = p.channel {
        check_one_of("channel", &channel, &CHANNELS)?;
        t.channel = channel;
    }
    if let Some(c) = p.category {
        t.category = c;
    }
    if let Some(r) = p.requester_id {
        t.requester_id = r;
    }
    if let Some(a) = p.assignee_id {
        check_assignee(conn, actor.org_id, a).await?;
        t.assignee_id = a;
    }
    if let Some(team) = p.team_id {
        t.team_id = team;
    }
    if let Some(tags) = p.tags {
        t.tags = normalise_tags(&tags)?;
    }
    if let Some(parent) = p.parent_id {
        if parent == Some(t.id) {
            return Err(ApiError::validation(
                "parent_id",
                "a ticket cannot be its own parent",
            ));
        }
        t.parent_id = parent;
    }
    if let Some(fields) = p.custom_fields {
        let defs = config::fields(conn, actor.org_id).await?;
        t.custom_fields = Json(custom_fields::apply(&defs, &t.custom_fields.0, &fields)?);
    }
    if let Some(status) = p.status {
        set_status(conn, actor, &mut t, &status).await?;
    }
    refresh_sla(conn, actor.org_id, &mut t, actor.now).await?;
    let saved = save(conn, actor, &before, &t, "update").await?;
    if (&saved.subject, &saved.description) != (&before.subject, &before.description) {
        let text = assist::description_text(&saved.subject, &saved.description);
        assist::score_arrival(conn, actor.org_id, saved.id, None, &text).await?;
    }
    super::email::outbound::on_update(conn, actor, public_url, &before, &saved).await?;
    super::automation::on_updated(conn, actor, &before, saved).await
}

/// Adds a public reply or an internal note; @mentions are resolved to users. A customer's
/// reply reopens a pending/resolved ticket; an agent's reply counts as a response.
pub async fn add_message(
    conn: &mut PgConnection,
    actor: &Actor,
    before: Ticket,
    kind: &str,
    body: &str,
) -> ApiResult<(Ticket, TicketMessage)> {
    check_one_of("kind", kind, &["reply", "note"])?;
    check_text("body", body, 50_000)?;
    if actor.customer && kind == "note" {
        return Err(ApiError::forbidden("customers cannot write internal notes"));
    }
    let mentioned =
        messages::resolve_mentions(conn, actor.org_id, &mentions::handles(body)).await?;
    let message = messages::insert(
        conn,
        actor.org_id,
        &NewMessage {
            ticket_id: before.id,
            kind,
            body,
            author_id: actor.user_id,
            from_customer: actor.customer,
            mentions: &mentioned,
        },
    )
    .await?;
    if kind == "reply" && actor.customer {
        assist::score_arrival(
            conn,
            actor.org_id,
            before.id,
            Some(message.id),
            &message.body,
        )
        .await?;
    }
    let mut t = before.clone();
    if kind == "reply" {
        if actor.customer {
            if ["pending", "resolved"].contains(&t.status_type.as_str()) {
                set_status(conn, actor, &mut t, "open").await?;
            }
            refresh_sla(conn, actor.org_id, &mut t, actor.now).await?;
            let (policy, calendar) = sla_context(conn, actor.org_id, &t).await?;
            sla::on_customer_reply(&mut t, policy.as_ref(), &calendar, actor.now);
        } else {
            sla::on_agent_reply(&mut t, actor.now);
            refresh_sla(conn, actor.org_id, &mut t, actor.now).await?;
        }
    }
    let saved = tickets::write(conn, actor.org_id, &t).await?;
    let entry = serde_json::to_value(&message).map_err(ApiError::internal)?;
    log(conn, actor, saved.id, kind, None, &entry).await?;
    super::email::outbound::on_message(conn, actor, &saved, &message).await?;
    Ok((saved, message))
}

/// Merges `source` into `target`: messages move, the source closes pointing at the target.
pub async fn merge(
    conn: &mut PgConnection,
    actor: &Actor,
    source: Ticket,
    target: Ticket,
) -> ApiResult<(Ticket, Ticket)> {
    if source.id == target.id {
        return Err(ApiError::validation(
            "target_id",
            "a ticket cannot be merged into itself",
        ));
    }
    if target.merged_into_id.is_some() {
        return Err(
            ApiError::conflict("the target was itself merged into another ticket")
                .with_field("target_id"),
        );
    }
    if source.merged_into_id.is_some() {
        return Err(ApiError::conflict("the ticket is already merged"));
    }
    let moved = messages::move_all(conn, actor.org_id, source.id, target.id).await?;
    let mut s = source.clone();
    s.merged_into_id = Some(target.id);
    set_status(conn, actor, &mut s, "closed").await?;
    refresh_sla(conn, actor.org_id, &mut s, actor.now).await?;
    let s = save(conn, actor, &source, &s, "merge").await?;
    let mut t = target.clone();
    for tag in &source.tags {
        if !t.tags.contains(tag) {
            t.tags.push(tag.clone());
        }
    }
    t.tags.sort();
    let t = tickets::write(conn, actor.org_id, &t).await?;
    let note = serde_json::json!({"merged_from": source.id, "number": source.number, "messages_moved": moved});
    log(conn, actor, t.id, "merge_in", None, &note).await?;
    Ok((s, t))
}

/// Splits a reply off `source` into a new linked ticket (the message moves to it).
pub async fn split(
    conn: &mut PgConnection,
    actor: &Actor,
    source: Ticket,
    message_id: Uuid,
) -> ApiResult<Ticket> {
    let message = messages::lock(conn, actor.org_id, source.id, message_id)
        .await?
        .ok_or_else(|| ApiError::validation("message_id", "no such message on this ticket"))?;
    let subject: String = message
        .body
        .lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(120)
        .collect();
    let input = NewTicket {
        subject: if subject.trim().is_empty() {
            format!("Split from {}", source.number)
        } else {
            subject
        },
        description: message.body.clone(),
        status: None,
        priority: Some(source.priority.clone()),
        category: source.category.clone(),
        channel: Some(source.channel.clone()),
        requester_id: source.requester_id,
        requester_email: source.requester_email.clone(),
        assignee_id: source.assignee_id,
        team_id: source.team_id,
        tags: source.tags.clone(),
        custom_fields: Map::new(),
        parent_id: None,
    };
    let created = create(conn, actor, input).await?;
    let mut linked = created.clone();
    linked.split_from_id = Some(source.id);
    linked.custom_fields = source.custom_fields.clone();
    sqlx::query("UPDATE ticket_messages SET ticket_id = $3, moved_from_id = $2 WHERE org_id = $1 AND id = $4")
        .bind(actor.org_id)
        .bind(source.id)
        .bind(created.id)
        .bind(message_id)
        .execute(&mut *conn)
        .await?;
    let linked = save(conn, actor, &created, &linked, "split").await?;
    let note = serde_json::json!({"split_to": linked.id, "number": linked.number, "message_id": message_id});
    log(conn, actor, source.id, "split_out", None, &note).await?;
    Ok(linked)
}

/// Creates a work order from the ticket (site required) and links both ways: the ticket keeps
/// `work_order_id`, the work order's description names the ticket and the work order's
/// activity entry carries `ticket_id`.
pub async fn to_work_order(
    conn: &mut PgConnection,
    actor: &Actor,
    before: Ticket,
    mut fields: Map<String, Value>,
) -> ApiResult<(Ticket, Value)> {
    if before.work_order_id.is_some() {
        return Err(ApiError::conflict("the ticket already has a work order"));
    }
    if !fields.get("site_id").is_some_and(Value::is_string) {
        return Err(ApiError::validation("site_id", "site_id is required"));
    }
    for key in fields.keys() {
        if ![
            "site_id",
            "asset_id",
            "title",
            "work_type",
            "window_start",
            "window_end",
            "estimated_duration_min",
            "priority",
        ]
        .contains(&key.as_str())
        {
            return Err(ApiError::validation(
                key.clone(),
                format!("unknown field `{key}`"),
            ));
        }
    }
    let priority = match before.priority.as_str() {
        "normal" => "medium",
        other => other,
    };
    fields
        .entry("priority")
        .or_insert_with(|| Value::from(priority));
    fields
        .entry("title")
        .or_insert_with(|| Value::from(before.subject.clone()));
    fields.insert(
        "description".into(),
        Value::from(format!(
            "From ticket {} ({})\n\n{}",
            before.number, before.id, before.description
        )),
    );
    if let Some(customer) = before.requester_id {
        fields.insert("customer_id".into(), Value::from(customer.to_string()));
    }
    let seq = crate::db::orgs::next_work_order_seq(conn, actor.org_id).await?;
    fields.insert("seq".into(), Value::from(seq));
    fields.insert(
        "number".into(),
        Value::from(crate::domain::work_order::number(seq)),
    );
    let wo = crate::db::records::insert(
        conn,
        &crate::domain::resources::WORK_ORDERS,
        actor.org_id,
        &fields,
    )
    .await?;
    let wo_id = wo
        .get("id")
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
        .ok_or_else(|| ApiError::internal("work order without id"))?;
    let mut after_wo = wo.clone();
    if let Some(obj) = after_wo.as_object_mut() {
        obj.insert("ticket_id".into(), Value::from(before.id.to_string()));
    }
    activity::record(
        conn,
        Change {
            org_id: actor.org_id,
            actor_id: actor.user_id,
            entity: "work_order",
            entity_id: wo_id,
            action: "create",
            before: None,
            after: Some(&after_wo),
        },
    )
    .await?;
    let mut t = before.clone();
    t.work_order_id = Some(wo_id);
    let saved = save(conn, actor, &before, &t, "work_order").await?;
    Ok((saved, wo))
}
