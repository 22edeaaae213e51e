//! Help-desk reports over a date range: first response time, resolution time, SLA compliance,
//! backlog and satisfaction, in total, per agent or per team, with a per-day series.
//!
//! Definitions (all durations are wall-clock seconds, not business hours):
//! - the range is `from` 00:00 to the end of `to` in the report's time zone;
//! - *first response*: tickets created in the range that have a first response, from creation
//!   to `first_responded_at`;
//! - *resolution*: tickets resolved (or closed) in the range and still resolved/closed now,
//!   from creation to `resolved_at` (else `closed_at`);
//! - *SLA compliance* per target: of the tickets created in the range that have a due time, the
//!   ones met (done by the due time and not flagged) over met + breached (flagged, done late,
//!   or not done and overdue now); tickets not done and not yet due are `pending`;
//! - *backlog*: tickets created before a day's end and not resolved/closed by then (reopened
//!   tickets count as open); merged-away duplicates are left out everywhere;
//! - *satisfaction*: survey answers given in the range, grouped by the ticket's agent or team.

pub mod compute;
pub mod csv;
pub mod db;

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Serialize;

/// Longest range answered.
pub const MAX_DAYS: u64 = 366;

/// How rows are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Grouping {
    /// Totals only.
    None,
    /// Per assignee.
    Agent,
    /// Per team.
    Team,
}

impl Grouping {
    /// Parses `agent`, `team` or `none`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "none" => Some(Self::None),
            "agent" => Some(Self::Agent),
            "team" => Some(Self::Team),
            _ => None,
        }
    }
}

/// A validated report range.
#[derive(Debug, Clone)]
pub struct Range {
    /// First day.
    pub from: NaiveDate,
    /// Last day (inclusive).
    pub to: NaiveDate,
    /// Time zone the days are cut in.
    pub tz: Tz,
}

/// Why a range was refused: (field, message).
pub type RangeError = (&'static str, String);

impl Range {
    /// Parses `from`/`to` (`YYYY-MM-DD`, default: the 30 days up to today) and `tz` (IANA name,
    /// default UTC).
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        tz: Option<&str>,
        today: DateTime<Utc>,
    ) -> Result<Self, RangeError> {
        let tz: Tz = match tz {
            None => Tz::UTC,
            Some(name) => name
                .parse()
                .map_err(|_| ("tz", format!("unknown time zone `{name}`")))?,
        };
        let date = |field: &'static str, v: &str| {
            NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .map_err(|_| (field, format!("{field} must be a date like 2026-01-31")))
        };
        let to = match to {
            Some(v) => date("to", v)?,
            None => today.with_timezone(&tz).date_naive(),
        };
        let from = match from {
            Some(v) => date("from", v)?,
            None => to - Days::new(29),
        };
        if from > to {
            return Err(("from", "from must not be after to".into()));
        }
        if (to - from).num_days() as u64 >= MAX_DAYS {
            return Err(("to", format!("a report covers at most {MAX_DAYS} days")));
        }
        Ok(Self { from, to, tz })
    }

    /// The instant a local day starts (the first valid local time on DST changes).
    pub fn day_start(&self, day: NaiveDate) -> DateTime<Utc> {
        let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
        let local = self
            .tz
            .from_local_datetime(&midnight)
            .earliest()
            .or_else(|| {
                // Midnight skipped by a DST change: the day starts an hour later.
                self.tz
                    .from_local_datetime(&(midnight + chrono::Duration::hours(1)))
                    .earliest()
            });
        local
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| Utc.from_utc_datetime(&midnight))
    }

    /// Start of the range.
    pub fn start(&self) -> DateTime<Utc> {
        self.day_start(self.from)
    }

    /// End of the range (start of the day after `to`).
    pub fn end(&self) -> DateTime<Utc> {
        self.day_start(self.to + Days::new(1))
    }

    /// Every day of the range.
    pub fn days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.from.iter_days().take_while(move |d| *d <= self.to)
    }
}

/// A whole report, as answered by `GET /api/v1/reports/desk`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// Time zone of the days.
    pub tz: String,
    /// Grouping.
    pub group: Grouping,
    /// Durations are wall-clock time.
    pub clock: &'static str,
    /// Figures over everything.
    pub totals: compute::Metrics,
    /// Figures per agent or team (empty without grouping).
    pub groups: Vec<compute::GroupRow>,
    /// Created, resolved and backlog per day.
    pub series: Vec<compute::Day>,
}

/// Computes the report of an organisation.
pub async fn build(
    pool: &sqlx::PgPool,
    org_id: uuid::Uuid,
    range: &Range,
    grouping: Grouping,
    now: DateTime<Utc>,
) -> Result<Report, sqlx::Error> {
    let (start, end) = (range.start(), range.end());
    let tickets = db::tickets(pool, org_id, start, end).await?;
    let surveys = db::surveys(pool, org_id, start, end).await?;
    let (totals, groups, series) = compute::report(range, grouping, &tickets, &surveys, now);
    let ids: Vec<uuid::Uuid> = groups.iter().filter_map(|(k, _)| *k).collect();
    let names = db::names(pool, org_id, grouping, &ids).await?;
    let unnamed = match grouping {
        Grouping::Team => "No team",
        _ => "Unassigned",
    };
    let mut groups: Vec<compute::GroupRow> = groups
        .into_iter()
        .map(|(key, metrics)| compute::GroupRow {
            key,
            name: key
                .and_then(|k| names.get(&k).cloned())
                .unwrap_or_else(|| unnamed.to_string()),
            metrics,
        })
        .collect();
    groups.sort_by(|a, b| {
        (a.key.is_none(), a.name.to_lowercase()).cmp(&(b.key.is_none(), b.name.to_lowercase()))
    });
    Ok(Report {
        from: range.from,
        to: range.to,
        tz: range.tz.name().to_string(),
        group: grouping,
        clock: "wall",
        totals,
        groups,
        series,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_validated_and_cut_in_the_time_zone() {
        let now = Utc.with_ymd_and_hms(2026, 3, 10, 12, 0, 0).unwrap();
        let r = Range::parse(
            Some("2026-03-01"),
            Some("2026-03-31"),
            Some("Europe/Berlin"),
            now,
        )
        .unwrap();
        // DST starts on 29 March in Berlin: +01:00 before, +02:00 after.
        assert_eq!(
            r.start(),
            Utc.with_ymd_and_hms(2026, 2, 28, 23, 0, 0).unwrap()
        );
        assert_eq!(
            r.end(),
            Utc.with_ymd_and_hms(2026, 3, 31, 22, 0, 0).unwrap()
        );
        assert_eq!(r.days().count(), 31);
        let d = Range::parse(None, None, None, now).unwrap();
        assert_eq!(
            (d.from.to_string(), d.to.to_string()),
            ("2026-02-09".into(), "2026-03-10".into())
        );
        assert_eq!(
            Range::parse(Some("2026-13-01"), None, None, now)
                .unwrap_err()
                .0,
            "from"
        );
        assert_eq!(
            Range::parse(Some("2026-03-02"), Some("2026-03-01"), None, now)
                .unwrap_err()
                .0,
            "from"
        );
        assert_eq!(
            Range::parse(Some("2024-01-01"), Some("2026-01-01"), None, now)
                .unwrap_err()
                .0,
            "to"
        );
        assert_eq!(
            Range::parse(None, None, Some("Mars/Base"), now)
                .unwrap_err()
                .0,
            "tz"
        );
    }
}
