//! The report figures from ticket and survey rows (no I/O; definitions in [`super`]).

use super::{Grouping, Range};
use chrono::{DateTime, Days, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use uuid::Uuid;

/// What the report needs of a ticket.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TicketRow {
    /// Assignee.
    pub assignee_id: Option<Uuid>,
    /// Team.
    pub team_id: Option<Uuid>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// First public response.
    pub first_responded_at: Option<DateTime<Utc>>,
    /// Resolved or closed, if the ticket is resolved or closed now.
    pub done_at: Option<DateTime<Utc>>,
    /// First-response target.
    pub first_response_due: Option<DateTime<Utc>>,
    /// Resolution target.
    pub resolution_due: Option<DateTime<Utc>>,
    /// First response breach flag.
    pub first_response_breached: bool,
    /// Resolution breach flag.
    pub resolution_breached: bool,
}

/// A survey answer with its ticket's agent and team.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SurveyRow {
    /// The ticket's assignee.
    pub assignee_id: Option<Uuid>,
    /// The ticket's team.
    pub team_id: Option<Uuid>,
    /// 1..=5.
    pub rating: i32,
}

/// Average and median of durations.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Durations {
    /// Tickets measured.
    pub count: usize,
    /// Mean, seconds (None without tickets).
    pub avg_secs: Option<f64>,
    /// Median, seconds.
    pub median_secs: Option<f64>,
}

/// One SLA target's compliance.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Compliance {
    /// Tickets with a due time.
    pub with_target: usize,
    /// Done in time.
    pub met: usize,
    /// Breached.
    pub breached: usize,
    /// Not done, not yet due.
    pub pending: usize,
    /// `met / (met + breached)` in percent, one decimal (None when nothing was decided).
    pub compliance_pct: Option<f64>,
}

/// SLA compliance per target.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Sla {
    /// First response.
    pub first_response: Compliance,
    /// Resolution.
    pub resolution: Compliance,
}

/// Satisfaction.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Satisfaction {
    /// Answers.
    pub count: usize,
    /// Mean rating, two decimals.
    pub avg_rating: Option<f64>,
}

/// The figures of one group (or the total).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Metrics {
    /// Created in the range.
    pub created: usize,
    /// Resolved in the range.
    pub resolved: usize,
    /// Open at the end of the range.
    pub backlog_end: usize,
    /// First response times.
    pub first_response: Durations,
    /// Resolution times.
    pub resolution: Durations,
    /// SLA compliance.
    pub sla: Sla,
    /// Satisfaction.
    pub satisfaction: Satisfaction,
}

/// One day of the series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Day {
    /// Local date.
    pub date: String,
    /// Created that day.
    pub created: usize,
    /// Resolved that day.
    pub resolved: usize,
    /// Open at the end of the day.
    pub backlog: usize,
}

/// A group's row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupRow {
    /// Agent or team id; None for unassigned / no team.
    pub key: Option<Uuid>,
    /// Display name.
    pub name: String,
    /// Figures.
    #[serde(flatten)]
    pub metrics: Metrics,
}

/// Figures accumulated for one group.
#[derive(Default)]
struct Acc {
    m: Metrics,
    first: Vec<f64>,
    resolution: Vec<f64>,
    ratings: Vec<i32>,
}

fn within(t: DateTime<Utc>, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
    t >= start && t < end
}

/// Met, breached or pending for one target.
fn judge(
    c: &mut Compliance,
    due: Option<DateTime<Utc>>,
    done: Option<DateTime<Utc>>,
    flagged: bool,
    now: DateTime<Utc>,
) {
    let Some(due) = due else { return };
    c.with_target += 1;
    match done {
        _ if flagged => c.breached += 1,
        Some(at) if at > due => c.breached += 1,
        Some(_) => c.met += 1,
        None if due < now => c.breached += 1,
        None => c.pending += 1,
    }
}

fn durations(mut v: Vec<f64>) -> Durations {
    if v.is_empty() {
        return Durations::default();
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let median = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    let round = |x: f64| (x * 10.0).round() / 10.0;
    Durations {
        count: n,
        avg_secs: Some(round(v.iter().sum::<f64>() / n as f64)),
        median_secs: Some(round(median)),
    }
}

fn finish(acc: Acc) -> Metrics {
    let mut m = acc.m;
    m.first_response = durations(acc.first);
    m.resolution = durations(acc.resolution);
    for c in [&mut m.sla.first_response, &mut m.sla.resolution] {
        let decided = c.met + c.breached;
        c.compliance_pct =
            (decided > 0).then(|| (c.met as f64 * 1000.0 / decided as f64).round() / 10.0);
    }
    m.satisfaction = Satisfaction {
        count: acc.ratings.len(),
        avg_rating: (!acc.ratings.is_empty()).then(|| {
            let sum: i32 = acc.ratings.iter().sum();
            (f64::from(sum) * 100.0 / acc.ratings.len() as f64).round() / 100.0
        }),
    };
    m
}

fn add_ticket(
    acc: &mut Acc,
    t: &TicketRow,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    now: DateTime<Utc>,
) {
    if within(t.created_at, start, end) {
        acc.m.created += 1;
        if let Some(at) = t.first_responded_at {
            acc.first
                .push((at - t.created_at).num_milliseconds() as f64 / 1000.0);
        }
        judge(
            &mut acc.m.sla.first_response,
            t.first_response_due,
            t.first_responded_at,
            t.first_response_breached,
            now,
        );
        judge(
            &mut acc.m.sla.resolution,
            t.resolution_due,
            t.done_at,
            t.resolution_breached,
            now,
        );
    }
    if let Some(done) = t.done_at.filter(|d| within(*d, start, end)) {
        acc.m.resolved += 1;
        acc.resolution
            .push((done - t.created_at).num_milliseconds() as f64 / 1000.0);
    }
    if t.created_at < end && t.done_at.is_none_or(|d| d >= end) {
        acc.m.backlog_end += 1;
    }
}

/// The key of a row under a grouping.
fn key_of(g: Grouping, assignee: Option<Uuid>, team: Option<Uuid>) -> Option<Uuid> {
    match g {
        Grouping::Agent => assignee,
        Grouping::Team => team,
        Grouping::None => None,
    }
}

/// Totals, per-group figures (keys only; the caller names them) and the daily series.
pub type Figures = (Metrics, Vec<(Option<Uuid>, Metrics)>, Vec<Day>);

/// Computes the [`Figures`] of a range.
pub fn report(
    range: &Range,
    grouping: Grouping,
    tickets: &[TicketRow],
    surveys: &[SurveyRow],
    now: DateTime<Utc>,
) -> Figures {
    let (start, end) = (range.start(), range.end());
    let mut total = Acc::default();
    let mut groups: BTreeMap<Option<Uuid>, Acc> = BTreeMap::new();
    for t in tickets {
        add_ticket(&mut total, t, start, end, now);
        if grouping != Grouping::None {
            let acc = groups
                .entry(key_of(grouping, t.assignee_id, t.team_id))
                .or_default();
            add_ticket(acc, t, start, end, now);
        }
    }
    for s in surveys {
        total.ratings.push(s.rating);
        if grouping != Grouping::None {
            groups
                .entry(key_of(grouping, s.assignee_id, s.team_id))
                .or_default()
                .ratings
                .push(s.rating);
        }
    }
    let series = range
        .days()
        .map(|day| {
            let (d0, d1) = (range.day_start(day), range.day_start(day + Days::new(1)));
            Day {
                date: day.to_string(),
                created: tickets
                    .iter()
                    .filter(|t| within(t.created_at, d0, d1))
                    .count(),
                resolved: tickets
                    .iter()
                    .filter(|t| t.done_at.is_some_and(|d| within(d, d0, d1)))
                    .count(),
                backlog: tickets
                    .iter()
                    .filter(|t| t.created_at < d1 && t.done_at.is_none_or(|d| d >= d1))
                    .count(),
            }
        })
        .collect();
    let groups = groups
        .into_iter()
        .map(|(k, acc)| (k, finish(acc)))
        .filter(|(_, m)| *m != Metrics::default())
        .collect();
    (finish(total), groups, series)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, d, h, 0, 0).unwrap()
    }

    fn ticket(created: DateTime<Utc>) -> TicketRow {
        TicketRow {
            assignee_id: None,
            team_id: None,
            created_at: created,
            first_responded_at: None,
            done_at: None,
            first_response_due: None,
            resolution_due: None,
            first_response_breached: false,
            resolution_breached: false,
        }
    }

    #[test]
    fn figures_follow_the_definitions() {
        let range = Range::parse(Some("2026-01-05"), Some("2026-01-06"), None, at(20, 0)).unwrap();
        let mut a = ticket(at(5, 8));
        a.first_responded_at = Some(at(5, 9));
        a.first_response_due = Some(at(5, 10));
        a.done_at = Some(at(6, 8));
        a.resolution_due = Some(at(5, 20));
        let mut b = ticket(at(5, 10));
        b.first_responded_at = Some(at(5, 13));
        b.first_response_due = Some(at(5, 12));
        let mut old = ticket(at(1, 0));
        old.done_at = Some(at(5, 12));
        let before = ticket(at(2, 0));
        let (total, groups, series) = report(
            &range,
            Grouping::None,
            &[a, b, old, before],
            &[SurveyRow {
                assignee_id: None,
                team_id: None,
                rating: 4,
            }],
            at(20, 0),
        );
        assert!(groups.is_empty());
        assert_eq!(
            (total.created, total.resolved, total.backlog_end),
            (2, 2, 2)
        );
        assert_eq!(total.first_response.avg_secs, Some(7200.0));
        assert_eq!(total.first_response.median_secs, Some(7200.0));
        // a: 24 h, old: 4 days 12 h.
        assert_eq!(
            total.resolution.median_secs,
            Some((24.0 * 3600.0 + 108.0 * 3600.0) / 2.0)
        );
        assert_eq!(total.sla.first_response.compliance_pct, Some(50.0));
        assert_eq!(
            (total.sla.resolution.met, total.sla.resolution.breached),
            (0, 1)
        );
        assert_eq!(total.satisfaction.avg_rating, Some(4.0));
        assert_eq!(
            series[0],
            Day {
                date: "2026-01-05".into(),
                created: 2,
                resolved: 1,
                backlog: 3
            }
        );
        assert_eq!(series[1].backlog, 2);
    }
}
