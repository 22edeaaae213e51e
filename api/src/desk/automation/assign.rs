//! Picking an agent for a ticket: round-robin over a pool, by skill (agents' skills against
//! the ticket's category and tags) or by least load (open tickets per agent). The pool is a
//! team's office members, or every active agent of the organisation when there is no team.

use super::model::Strategy;
use crate::desk::ticket::Ticket;
use crate::error::ApiResult;
use sqlx::PgConnection;
use std::collections::HashMap;
use uuid::Uuid;

/// The pool's agents, ordered by id (the round-robin order).
pub async fn pool(
    conn: &mut PgConnection,
    org_id: Uuid,
    team_id: Option<Uuid>,
) -> ApiResult<Vec<Uuid>> {
    let rows: Vec<(Uuid,)> = match team_id {
        Some(team) => {
            sqlx::query_as(
                "SELECT u.id FROM desk_teams t JOIN users u ON u.org_id = t.org_id AND u.id = ANY(t.member_ids) \
                 WHERE t.org_id = $1 AND t.id = $2 AND u.active AND u.role IN ('admin', 'dispatcher', 'agent') \
                 ORDER BY u.id",
            )
            .bind(org_id)
            .bind(team)
            .fetch_all(&mut *conn)
            .await?
        }
        None => {
            sqlx::query_as(
                "SELECT id FROM users WHERE org_id = $1 AND active AND role = 'agent' ORDER BY id",
            )
            .bind(org_id)
            .fetch_all(&mut *conn)
            .await?
        }
    };
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Open (not resolved or closed) tickets per agent, other than `except`.
pub async fn loads(
    conn: &mut PgConnection,
    org_id: Uuid,
    agents: &[Uuid],
    except: Uuid,
) -> ApiResult<HashMap<Uuid, i64>> {
    let rows: Vec<(Uuid, i64)> = sqlx::query_as(
        "SELECT assignee_id, count(*) FROM tickets WHERE org_id = $1 AND assignee_id = ANY($2) \
         AND status_type NOT IN ('resolved', 'closed') AND id <> $3 GROUP BY assignee_id",
    )
    .bind(org_id)
    .bind(agents)
    .bind(except)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().collect())
}

/// The least-loaded of `agents` (ties: pool order).
fn least_loaded(agents: &[Uuid], loads: &HashMap<Uuid, i64>) -> Option<Uuid> {
    agents
        .iter()
        .min_by_key(|a| loads.get(a).copied().unwrap_or(0))
        .copied()
}

/// The agent after the pool's last pick (the first one when none or gone).
async fn next_in_turn(
    conn: &mut PgConnection,
    org_id: Uuid,
    pool_id: Uuid,
    agents: &[Uuid],
) -> ApiResult<Option<Uuid>> {
    let last: Option<(Uuid,)> = sqlx::query_as(
        "SELECT last_user_id FROM assignment_cursors WHERE org_id = $1 AND pool_id = $2",
    )
    .bind(org_id)
    .bind(pool_id)
    .fetch_optional(&mut *conn)
    .await?;
    let next = match last.and_then(|(l,)| agents.iter().position(|a| *a == l)) {
        Some(i) => agents.get((i + 1) % agents.len()),
        None => agents.first(),
    };
    Ok(next.copied())
}

/// Records the round-robin pick (only when actions really run, not on dry runs).
pub async fn advance(
    conn: &mut PgConnection,
    org_id: Uuid,
    team_id: Option<Uuid>,
    user_id: Uuid,
) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO assignment_cursors (org_id, pool_id, last_user_id) VALUES ($1, $2, $3) \
         ON CONFLICT (org_id, pool_id) DO UPDATE SET last_user_id = EXCLUDED.last_user_id",
    )
    .bind(org_id)
    .bind(team_id.unwrap_or(Uuid::nil()))
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// What a pick found: the agent (None: empty pool) and how.
#[derive(Debug, Clone)]
pub struct Pick {
    /// Chosen agent.
    pub user_id: Option<Uuid>,
    /// Explanation for dry runs (`skill match 2`, `least load 0`, `next in turn`...).
    pub reason: String,
}

/// Picks an agent of the pool for `t` with `strategy` (read-only; see [`advance`]).
pub async fn pick(
    conn: &mut PgConnection,
    org_id: Uuid,
    team_id: Option<Uuid>,
    strategy: Strategy,
    t: &Ticket,
) -> ApiResult<Pick> {
    // Locks the cursor row so concurrent round-robin picks of one pool queue up.
    if strategy == Strategy::RoundRobin {
        sqlx::query(
            "SELECT 1 FROM assignment_cursors WHERE org_id = $1 AND pool_id = $2 FOR UPDATE",
        )
        .bind(org_id)
        .bind(team_id.unwrap_or(Uuid::nil()))
        .execute(&mut *conn)
        .await?;
    }
    let agents = pool(conn, org_id, team_id).await?;
    if agents.is_empty() {
        return Ok(Pick {
            user_id: None,
            reason: "the pool has no agents".into(),
        });
    }
    match strategy {
        Strategy::RoundRobin => {
            let next = next_in_turn(conn, org_id, team_id.unwrap_or(Uuid::nil()), &agents).await?;
            Ok(Pick {
                user_id: next,
                reason: "next in turn".into(),
            })
        }
        Strategy::LeastLoad => {
            let loads = loads(conn, org_id, &agents, t.id).await?;
            let user = least_loaded(&agents, &loads);
            let n = user.and_then(|u| loads.get(&u).copied()).unwrap_or(0);
            Ok(Pick {
                user_id: user,
                reason: format!("least load ({n} open tickets)"),
            })
        }
        Strategy::Skill => {
            let wanted: Vec<String> = t
                .category
                .iter()
                .chain(t.tags.iter())
                .map(|s| s.to_lowercase())
                .collect();
            let rows: Vec<(Uuid, Vec<String>)> = sqlx::query_as(
                "SELECT user_id, skills FROM agent_skills WHERE org_id = $1 AND user_id = ANY($2)",
            )
            .bind(org_id)
            .bind(&agents)
            .fetch_all(&mut *conn)
            .await?;
            let score = |u: &Uuid| {
                rows.iter().find(|(id, _)| id == u).map_or(0, |(_, s)| {
                    s.iter()
                        .filter(|k| wanted.contains(&k.to_lowercase()))
                        .count()
                })
            };
            let best = agents.iter().map(score).max().unwrap_or(0);
            let loads = loads(conn, org_id, &agents, t.id).await?;
            if best == 0 {
                let user = least_loaded(&agents, &loads);
                return Ok(Pick {
                    user_id: user,
                    reason: "no skill matches; least load".into(),
                });
            }
            let skilled: Vec<Uuid> = agents
                .iter()
                .filter(|a| score(a) == best)
                .copied()
                .collect();
            Ok(Pick {
                user_id: least_loaded(&skilled, &loads),
                reason: format!("{best} matching skill(s), then least load"),
            })
        }
    }
}
