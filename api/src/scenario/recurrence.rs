//! Recurring work orders (preventive maintenance): the dates a schedule such as "every 2
//! weeks on Tuesday and Thursday" or "monthly on the 31st" falls on within a horizon.
//!
//! Pure functions over calendar dates. Monthly rules are computed from the anchor each
//! time, so a day missing from a month (the 31st, 29 February) clips to that month's last
//! day without drifting the following occurrences.

use anyhow::{bail, Context};
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// The unit of a rule's period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Every N days.
    Days,
    /// Every N weeks (Monday-based weeks), on the given weekdays.
    Weeks,
    /// Every N months, on a day of the month.
    Months,
}

/// A schedule as written in a scenario file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Period length in `unit`s (≥ 1).
    pub every: u32,
    /// Days, weeks or months.
    pub unit: Unit,
    /// First possible date, `YYYY-MM-DD` (the anchor of the period).
    pub start: String,
    /// Last possible date, `YYYY-MM-DD`.
    #[serde(default)]
    pub until: Option<String>,
    /// Weeks: the weekdays visited in each active week (default: the start's weekday).
    /// Days: only dates on these weekdays are kept. Months: a date not on one of these
    /// weekdays moves forward to the next one that is.
    #[serde(default)]
    pub weekdays: Vec<String>,
    /// Months: the day of the month (default: the start's), clipped to the month's end.
    #[serde(default)]
    pub day_of_month: Option<u32>,
}

/// A validated schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recurrence {
    /// Period length in units.
    pub every: u32,
    /// Unit of the period.
    pub unit: Unit,
    /// Anchor date.
    pub start: NaiveDate,
    /// Last date, inclusive.
    pub until: Option<NaiveDate>,
    /// Weekdays (see [`Rule::weekdays`]).
    pub weekdays: Vec<Weekday>,
    /// Day of the month for monthly rules.
    pub day_of_month: u32,
}

/// Parses `"mon"`, `"Monday"`, … (case-insensitive).
pub fn parse_weekday(s: &str) -> anyhow::Result<Weekday> {
    s.trim()
        .parse::<Weekday>()
        .map_err(|_| anyhow::anyhow!("`{s}` is not a weekday (mon, tue, … sun)"))
}

/// Parses a `YYYY-MM-DD` date.
pub fn parse_date(s: &str) -> anyhow::Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| anyhow::anyhow!("`{s}` is not a date (YYYY-MM-DD)"))
}

impl Rule {
    /// Validates the rule; errors name the field.
    pub fn resolve(&self) -> anyhow::Result<Recurrence> {
        if self.every == 0 {
            bail!("field `every`: must be at least 1");
        }
        let start = parse_date(&self.start).context("field `start`")?;
        let until = match &self.until {
            Some(s) => Some(parse_date(s).context("field `until`")?),
            None => None,
        };
        let weekdays = self
            .weekdays
            .iter()
            .map(|w| parse_weekday(w))
            .collect::<anyhow::Result<Vec<_>>>()
            .context("field `weekdays`")?;
        let day_of_month = self.day_of_month.unwrap_or_else(|| start.day());
        if !(1..=31).contains(&day_of_month) {
            bail!("field `day_of_month`: must be 1 to 31, got {day_of_month}");
        }
        Ok(Recurrence {
            every: self.every,
            unit: self.unit,
            start,
            until,
            weekdays,
            day_of_month,
        })
    }
}

/// Number of days in `month` of `year`.
pub fn days_in_month(year: i32, month: u32) -> u32 {
    let (ny, nm) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(ny, nm, 1)
        .and_then(|d| d.pred_opt())
        .map_or(28, |d| d.day())
}

/// The `day` of the month `months` after (year, month), clipped to the month's end.
fn month_day(year: i32, month: u32, months: u32, day: u32) -> Option<NaiveDate> {
    let index = i64::from(year) * 12 + i64::from(month - 1) + i64::from(months);
    let y = i32::try_from(index.div_euclid(12)).ok()?;
    let m = u32::try_from(index.rem_euclid(12)).ok()? + 1;
    NaiveDate::from_ymd_opt(y, m, day.min(days_in_month(y, m)))
}

impl Recurrence {
    /// Every date of the schedule in `[from, to]` (inclusive), ascending, without repeats.
    pub fn dates(&self, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
        let last = match self.until {
            Some(u) => u.min(to),
            None => to,
        };
        let first = from.max(self.start);
        if last < first {
            return Vec::new();
        }
        let mut out = match self.unit {
            Unit::Days => self.daily(first, last),
            Unit::Weeks => self.weekly(first, last),
            Unit::Months => self.monthly(first, last),
        };
        out.dedup();
        out
    }

    fn daily(&self, first: NaiveDate, last: NaiveDate) -> Vec<NaiveDate> {
        let step = i64::from(self.every);
        let skip = (first - self.start).num_days().max(0);
        let mut k = (skip + step - 1) / step;
        let mut out = Vec::new();
        while let Some(d) = self.start.checked_add_signed(Duration::days(k * step)) {
            if d > last {
                break;
            }
            if self.weekdays.is_empty() || self.weekdays.contains(&d.weekday()) {
                out.push(d);
            }
            k += 1;
        }
        out
    }

    fn weekly(&self, first: NaiveDate, last: NaiveDate) -> Vec<NaiveDate> {
        let days = if self.weekdays.is_empty() {
            vec![self.start.weekday()]
        } else {
            self.weekdays.clone()
        };
        let monday0 =
            self.start - Duration::days(i64::from(self.start.weekday().num_days_from_monday()));
        let mut out = Vec::new();
        let mut d = first;
        while d <= last {
            let week = (d - monday0).num_days().div_euclid(7);
            if week % i64::from(self.every) == 0 && days.contains(&d.weekday()) {
                out.push(d);
            }
            match d.succ_opt() {
                Some(next) => d = next,
                None => break,
            }
        }
        out
    }

    fn monthly(&self, first: NaiveDate, last: NaiveDate) -> Vec<NaiveDate> {
        let mut out = Vec::new();
        let mut k = 0u32;
        while let Some(nominal) = month_day(
            self.start.year(),
            self.start.month(),
            k * self.every,
            self.day_of_month,
        ) {
            if nominal > last {
                break;
            }
            let mut d = nominal;
            if !self.weekdays.is_empty() {
                while !self.weekdays.contains(&d.weekday()) {
                    d += Duration::days(1);
                }
            }
            if d >= first && d <= last {
                out.push(d);
            }
            k += 1;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        parse_date(s).expect("test date")
    }

    fn rule(every: u32, unit: Unit, start: &str, weekdays: &[&str]) -> Recurrence {
        Rule {
            every,
            unit,
            start: start.into(),
            until: None,
            weekdays: weekdays.iter().map(|s| s.to_string()).collect(),
            day_of_month: None,
        }
        .resolve()
        .expect("valid rule")
    }

    fn strings(dates: &[NaiveDate]) -> Vec<String> {
        dates.iter().map(|d| d.to_string()).collect()
    }

    #[test]
    fn every_three_days_from_anchor_not_from_horizon() {
        let r = rule(3, Unit::Days, "2025-03-01", &[]);
        let got = r.dates(date("2025-03-05"), date("2025-03-12"));
        assert_eq!(strings(&got), ["2025-03-07", "2025-03-10"]);
    }

    #[test]
    fn daily_on_weekdays_only() {
        let r = rule(1, Unit::Days, "2025-03-06", &["mon", "Friday"]);
        let got = r.dates(date("2025-03-01"), date("2025-03-14"));
        assert_eq!(strings(&got), ["2025-03-07", "2025-03-10", "2025-03-14"]);
    }

    #[test]
    fn every_two_weeks_on_tuesday_and_thursday() {
        // 2025-03-04 is a Tuesday.
        let r = rule(2, Unit::Weeks, "2025-03-04", &["tue", "thu"]);
        let got = r.dates(date("2025-03-01"), date("2025-03-31"));
        assert_eq!(
            strings(&got),
            ["2025-03-04", "2025-03-06", "2025-03-18", "2025-03-20"]
        );
    }

    #[test]
    fn weekly_defaults_to_the_start_weekday_and_skips_days_before_start() {
        // Anchor Wednesday 2025-03-05: the Monday of that week is not an occurrence.
        let r = rule(1, Unit::Weeks, "2025-03-05", &[]);
        let got = r.dates(date("2025-03-03"), date("2025-03-19"));
        assert_eq!(strings(&got), ["2025-03-05", "2025-03-12", "2025-03-19"]);
    }

    #[test]
    fn month_end_clips_without_drift_in_leap_and_common_years() {
        let r = rule(1, Unit::Months, "2024-01-31", &[]);
        let got = r.dates(date("2024-01-01"), date("2024-05-31"));
        assert_eq!(
            strings(&got),
            [
                "2024-01-31",
                "2024-02-29",
                "2024-03-31",
                "2024-04-30",
                "2024-05-31"
            ]
        );
        let r = rule(1, Unit::Months, "2025-01-31", &[]);
        let got = r.dates(date("2025-02-01"), date("2025-03-31"));
        assert_eq!(strings(&got), ["2025-02-28", "2025-03-31"]);
    }

    #[test]
    fn leap_day_yearly_as_twelve_months() {
        let r = rule(12, Unit::Months, "2024-02-29", &[]);
        let got = r.dates(date("2024-01-01"), date("2028-12-31"));
        assert_eq!(
            strings(&got),
            [
                "2024-02-29",
                "2025-02-28",
                "2026-02-28",
                "2027-02-28",
                "2028-02-29"
            ]
        );
    }

    #[test]
    fn monthly_moves_to_next_listed_weekday() {
        // 2025-03-01 is a Saturday: moves to Monday the 3rd.
        let r = rule(
            1,
            Unit::Months,
            "2025-03-01",
            &["mon", "tue", "wed", "thu", "fri"],
        );
        let got = r.dates(date("2025-03-01"), date("2025-06-30"));
        assert_eq!(
            strings(&got),
            ["2025-03-03", "2025-04-01", "2025-05-01", "2025-06-02"]
        );
    }

    #[test]
    fn quarterly_across_year_end_and_until() {
        let mut spec = Rule {
            every: 3,
            unit: Unit::Months,
            start: "2024-11-15".into(),
            until: Some("2025-08-14".into()),
            weekdays: vec![],
            day_of_month: None,
        };
        let got = spec
            .resolve()
            .expect("valid")
            .dates(date("2024-01-01"), date("2026-01-01"));
        assert_eq!(strings(&got), ["2024-11-15", "2025-02-15", "2025-05-15"]);
        spec.every = 0;
        let err = spec.resolve().unwrap_err().to_string();
        assert!(err.contains("`every`"), "{err}");
    }

    #[test]
    fn bad_weekday_names_the_field() {
        let err = Rule {
            every: 1,
            unit: Unit::Weeks,
            start: "2025-03-01".into(),
            until: None,
            weekdays: vec!["funday".into()],
            day_of_month: None,
        }
        .resolve()
        .unwrap_err();
        assert!(format!("{err:#}").contains("weekdays"));
    }

    #[test]
    fn days_in_month_knows_leap_years() {
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(2100, 2), 28);
        assert_eq!(days_in_month(2000, 2), 29);
        assert_eq!(days_in_month(2025, 12), 31);
    }
}
