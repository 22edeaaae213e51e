//! Report queries, every one scoped by the organisation id.

use super::compute::{SurveyRow, TicketRow};
use super::Grouping;
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use std::collections::HashMap;
use uuid::Uuid;

/// Tickets that matter for `[start, end)`: created before the end and either created in the
/// range or not done before its start (merged-away duplicates left out).
pub async fn tickets(
    pool: &PgPool,
    org_id: Uuid,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<Vec<TicketRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT assignee_id, team_id, created_at, first_responded_at, done_at, \
                first_response_due, resolution_due, first_response_breached, resolution_breached \
         FROM (SELECT t.*, CASE WHEN t.status_type IN ('resolved', 'closed') \
                                THEN coalesce(t.resolved_at, t.closed_at) END AS done_at \
               FROM tickets t WHERE t.org_id = $1 AND t.merged_into_id IS NULL \
               AND t.created_at < $3) x \
         WHERE created_at >= $2 OR done_at IS NULL OR done_at >= $2",
    )
    .bind(org_id)
    .bind(start)
    .bind(end)
    .fetch_all(pool)
    .await
}

/// Survey answers given in `[start, end)` with their tickets' agent and team.
pub async fn surveys(
    pool: &PgPool,
    org_id: Uuid,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<Vec<SurveyRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT t.assignee_id, t.team_id, s.rating FROM ticket_surveys s \
         JOIN tickets t ON t.org_id = s.org_id AND t.id = s.ticket_id \
         WHERE s.org_id = $1 AND s.created_at >= $2 AND s.created_at < $3 \
         AND t.merged_into_id IS NULL",
    )
    .bind(org_id)
    .bind(start)
    .bind(end)
    .fetch_all(pool)
    .await
}

/// Display names of agents (name, else e-mail) or teams.
pub async fn names(
    pool: &PgPool,
    org_id: Uuid,
    grouping: Grouping,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, String>, sqlx::Error> {
    let sql = match grouping {
        Grouping::None => return Ok(HashMap::new()),
        Grouping::Agent => {
            "SELECT id, coalesce(nullif(name, ''), email) FROM users WHERE org_id = $1 AND id = ANY($2)"
        }
        Grouping::Team => "SELECT id, name FROM desk_teams WHERE org_id = $1 AND id = ANY($2)",
    };
    let rows: Vec<(Uuid, String)> = sqlx::query_as(sql)
        .bind(org_id)
        .bind(ids)
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().collect())
}
