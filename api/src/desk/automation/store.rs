//! Automation rows: rules, once-only firings, agent skills and notifications. Every query is
//! scoped by the organisation.

use super::model::{Rule, RuleInput};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

const RULE_COLUMNS: &str = "id, name, position, active, trigger, changed_fields, minutes, \
    sla_target, match_mode, conditions, actions, version, created_at, updated_at";

/// Rules of the organisation (all, or those with one of `triggers`), in evaluation order.
pub async fn rules(
    conn: &mut PgConnection,
    org_id: Uuid,
    triggers: Option<&[&str]>,
    active_only: bool,
) -> Result<Vec<Rule>, sqlx::Error> {
    let triggers: Option<Vec<String>> = triggers.map(|t| t.iter().map(|s| s.to_string()).collect());
    sqlx::query_as(&format!(
        "SELECT {RULE_COLUMNS} FROM automation_rules WHERE org_id = $1 \
         AND ($2::text[] IS NULL OR trigger = ANY($2)) AND (active OR NOT $3) \
         ORDER BY position, created_at, id"
    ))
    .bind(org_id)
    .bind(triggers)
    .bind(active_only)
    .fetch_all(conn)
    .await
}

/// One rule.
pub async fn rule(
    conn: &mut PgConnection,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<Rule>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {RULE_COLUMNS} FROM automation_rules WHERE org_id = $1 AND id = $2"
    ))
    .bind(org_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Inserts a rule (validated by the caller).
pub async fn insert_rule(pool: &PgPool, org_id: Uuid, r: &RuleInput) -> Result<Rule, sqlx::Error> {
    sqlx::query_as(&format!(
        "INSERT INTO automation_rules (org_id, name, position, active, trigger, changed_fields, \
         minutes, sla_target, match_mode, conditions, actions) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING {RULE_COLUMNS}"
    ))
    .bind(org_id)
    .bind(r.name.trim())
    .bind(r.position)
    .bind(r.active)
    .bind(&r.trigger)
    .bind(&r.changed_fields)
    .bind(r.minutes)
    .bind(&r.sla_target)
    .bind(&r.match_mode)
    .bind(Json(&r.conditions))
    .bind(Json(&r.actions))
    .fetch_one(pool)
    .await
}

/// Replaces a rule when its version is `expected`; None when missing or stale.
pub async fn update_rule(
    pool: &PgPool,
    org_id: Uuid,
    id: Uuid,
    expected: i64,
    r: &RuleInput,
) -> Result<Option<Rule>, sqlx::Error> {
    sqlx::query_as(&format!(
        "UPDATE automation_rules SET name = $4, position = $5, active = $6, trigger = $7, \
         changed_fields = $8, minutes = $9, sla_target = $10, match_mode = $11, conditions = $12, \
         actions = $13, version = version + 1, updated_at = now() \
         WHERE org_id = $1 AND id = $2 AND version = $3 RETURNING {RULE_COLUMNS}"
    ))
    .bind(org_id)
    .bind(id)
    .bind(expected)
    .bind(r.name.trim())
    .bind(r.position)
    .bind(r.active)
    .bind(&r.trigger)
    .bind(&r.changed_fields)
    .bind(r.minutes)
    .bind(&r.sla_target)
    .bind(&r.match_mode)
    .bind(Json(&r.conditions))
    .bind(Json(&r.actions))
    .fetch_optional(pool)
    .await
}

/// Deletes a rule at `expected` version; true when deleted.
pub async fn delete_rule(
    pool: &PgPool,
    org_id: Uuid,
    id: Uuid,
    expected: i64,
) -> Result<bool, sqlx::Error> {
    crate::desk::db::versioned::delete(pool, "automation_rules", org_id, id, expected).await
}

/// How many of the ids are office users, teams and webhook subscriptions of the organisation.
pub async fn count_refs(
    pool: &PgPool,
    org_id: Uuid,
    users: &[Uuid],
    teams: &[Uuid],
    subscriptions: &[Uuid],
) -> Result<(i64, i64, i64), sqlx::Error> {
    sqlx::query_as(
        "SELECT (SELECT count(DISTINCT id) FROM users WHERE org_id = $1 AND id = ANY($2) AND role IN ('admin', 'dispatcher', 'agent')), \
                (SELECT count(DISTINCT id) FROM desk_teams WHERE org_id = $1 AND id = ANY($3)), \
                (SELECT count(DISTINCT id) FROM webhook_subscriptions WHERE org_id = $1 AND id = ANY($4))",
    )
    .bind(org_id)
    .bind(users)
    .bind(teams)
    .bind(subscriptions)
    .fetch_one(pool)
    .await
}

/// Records that `rule_key` fired for the ticket and target; false when it already had.
pub async fn claim_firing(
    conn: &mut PgConnection,
    org_id: Uuid,
    rule_key: &str,
    ticket_id: Uuid,
    target: &str,
    at: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO automation_firings (org_id, rule_key, ticket_id, target, fired_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(org_id)
    .bind(rule_key)
    .bind(ticket_id)
    .bind(target)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The escalation user of an SLA policy.
pub async fn escalation_user(
    conn: &mut PgConnection,
    org_id: Uuid,
    policy_id: Uuid,
) -> Result<Option<Uuid>, sqlx::Error> {
    let row: Option<(Option<Uuid>,)> =
        sqlx::query_as("SELECT escalate_to_id FROM sla_policies WHERE org_id = $1 AND id = $2")
            .bind(org_id)
            .bind(policy_id)
            .fetch_optional(conn)
            .await?;
    Ok(row.and_then(|r| r.0))
}

/// Whether the team exists in the organisation.
pub async fn team_exists(
    conn: &mut PgConnection,
    org_id: Uuid,
    id: Uuid,
) -> Result<bool, sqlx::Error> {
    let row: Option<(Uuid,)> =
        sqlx::query_as("SELECT id FROM desk_teams WHERE org_id = $1 AND id = $2")
            .bind(org_id)
            .bind(id)
            .fetch_optional(conn)
            .await?;
    Ok(row.is_some())
}

/// Adds a notification for each user.
pub async fn notify(
    conn: &mut PgConnection,
    org_id: Uuid,
    users: &[Uuid],
    ticket_id: Option<Uuid>,
    message: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO desk_notifications (org_id, user_id, ticket_id, message) \
         SELECT $1, u, $3, $4 FROM unnest($2::uuid[]) AS u",
    )
    .bind(org_id)
    .bind(users)
    .bind(ticket_id)
    .bind(message)
    .execute(conn)
    .await?;
    Ok(())
}

/// A notification of a user.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Notification {
    /// Id.
    pub id: Uuid,
    /// Ticket concerned.
    pub ticket_id: Option<Uuid>,
    /// Text.
    pub message: String,
    /// When read.
    pub read_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

/// The user's latest notifications (unread only when asked).
pub async fn notifications(
    pool: &PgPool,
    org_id: Uuid,
    user_id: Uuid,
    unread_only: bool,
) -> Result<Vec<Notification>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, ticket_id, message, read_at, created_at FROM desk_notifications \
         WHERE org_id = $1 AND user_id = $2 AND (read_at IS NULL OR NOT $3) \
         ORDER BY created_at DESC, id LIMIT 200",
    )
    .bind(org_id)
    .bind(user_id)
    .bind(unread_only)
    .fetch_all(pool)
    .await
}

/// Marks a user's notification read; false when it is not theirs.
pub async fn mark_read(
    pool: &PgPool,
    org_id: Uuid,
    user_id: Uuid,
    id: Uuid,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE desk_notifications SET read_at = coalesce(read_at, now()) \
         WHERE org_id = $1 AND user_id = $2 AND id = $3",
    )
    .bind(org_id)
    .bind(user_id)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Skills of an agent.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AgentSkills {
    /// User.
    pub user_id: Uuid,
    /// Name.
    pub name: String,
    /// Skills (lower-case, matched against category and tags).
    pub skills: Vec<String>,
}

/// Office users with their skills.
pub async fn agent_skills(pool: &PgPool, org_id: Uuid) -> Result<Vec<AgentSkills>, sqlx::Error> {
    sqlx::query_as(
        "SELECT u.id AS user_id, u.name, coalesce(s.skills, '{}') AS skills FROM users u \
         LEFT JOIN agent_skills s ON s.org_id = u.org_id AND s.user_id = u.id \
         WHERE u.org_id = $1 AND u.role IN ('admin', 'dispatcher', 'agent') ORDER BY u.name, u.id",
    )
    .bind(org_id)
    .fetch_all(pool)
    .await
}

/// Replaces an agent's skills.
pub async fn set_skills(
    pool: &PgPool,
    org_id: Uuid,
    user_id: Uuid,
    skills: &[String],
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO agent_skills (org_id, user_id, skills) VALUES ($1, $2, $3) \
         ON CONFLICT (org_id, user_id) DO UPDATE SET skills = EXCLUDED.skills",
    )
    .bind(org_id)
    .bind(user_id)
    .bind(skills)
    .execute(pool)
    .await?;
    Ok(())
}
