//! Business-time arithmetic on a [`BusinessCalendar`]: weekly opening hours in an IANA time
//! zone, minus holidays. Pure functions, no I/O: the SLA clock is built on
//! [`BusinessCalendar::business_seconds`] and [`BusinessCalendar::add_business_seconds`].
//!
//! Each local day's opening intervals are turned into UTC instants with the zone's rules for
//! that day, so days of 23 or 25 hours (DST changes) count what the clock on the wall shows.
//! A local time that does not exist (spring-forward gap) moves to the first valid minute after
//! it; an ambiguous one (fall-back) takes its earlier instant.

use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Utc,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// How far ahead [`BusinessCalendar::add_business_seconds`] looks before giving up (a calendar
/// whose every day is a holiday has no business time).
const HORIZON_DAYS: i64 = 3 * 366;

/// Day keys of the weekly hours, Monday first.
pub const DAY_KEYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Weekly hours as stored: `{"mon": [["09:00", "17:00"]], ...}` (missing days are closed).
pub type WeeklyHours = BTreeMap<String, Vec<(String, String)>>;

/// Why a calendar definition is not acceptable (the field and a message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarError {
    /// The field at fault: `time_zone` or `hours`.
    pub field: &'static str,
    /// Explanation.
    pub message: String,
}

/// Opening hours per weekday in a time zone, with holidays (whole local days closed).
#[derive(Debug, Clone, PartialEq)]
pub struct BusinessCalendar {
    tz: Tz,
    /// Minutes from local midnight, `[start, end)`, sorted and disjoint; index 0 is Monday.
    week: [Vec<(u32, u32)>; 7],
    holidays: BTreeSet<NaiveDate>,
}

/// The wire form of a calendar (what clients send and the database keeps).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CalendarSpec {
    /// IANA zone, e.g. `Europe/Paris`.
    pub time_zone: String,
    /// Weekly opening hours.
    pub hours: WeeklyHours,
    /// Closed days.
    #[serde(default)]
    pub holidays: Vec<NaiveDate>,
}

fn parse_minutes(text: &str) -> Option<u32> {
    if text == "24:00" {
        return Some(24 * 60);
    }
    let t = NaiveTime::parse_from_str(text, "%H:%M").ok()?;
    Some(t.num_seconds_from_midnight() / 60)
}

impl BusinessCalendar {
    /// Open around the clock, UTC, no holidays.
    pub fn always() -> Self {
        Self {
            tz: Tz::UTC,
            week: std::array::from_fn(|_| vec![(0, 24 * 60)]),
            holidays: BTreeSet::new(),
        }
    }

    /// Checks and builds a calendar from its wire form.
    pub fn from_spec(spec: &CalendarSpec) -> Result<Self, CalendarError> {
        let tz: Tz = spec.time_zone.parse().map_err(|_| CalendarError {
            field: "time_zone",
            message: format!("`{}` is not an IANA time zone", spec.time_zone),
        })?;
        let mut week: [Vec<(u32, u32)>; 7] = Default::default();
        for (key, ranges) in &spec.hours {
            let day = DAY_KEYS
                .iter()
                .position(|d| d == key)
                .ok_or_else(|| CalendarError {
                    field: "hours",
                    message: format!("unknown day `{key}`; use {}", DAY_KEYS.join(", ")),
                })?;
            let mut parsed = Vec::new();
            for (start, end) in ranges {
                let (Some(s), Some(e)) = (parse_minutes(start), parse_minutes(end)) else {
                    return Err(CalendarError {
                        field: "hours",
                        message: format!("{key}: times must be HH:MM (00:00..24:00)"),
                    });
                };
                if e <= s {
                    return Err(CalendarError {
                        field: "hours",
                        message: format!("{key}: {start}-{end} ends before it starts"),
                    });
                }
                parsed.push((s, e));
            }
            parsed.sort_unstable();
            if parsed.windows(2).any(|w| w[1].0 < w[0].1) {
                return Err(CalendarError {
                    field: "hours",
                    message: format!("{key}: intervals overlap"),
                });
            }
            week[day] = parsed;
        }
        Ok(Self {
            tz,
            week,
            holidays: spec.holidays.iter().copied().collect(),
        })
    }

    /// Whether the calendar has any opening hours at all.
    pub fn has_hours(&self) -> bool {
        self.week.iter().any(|d| !d.is_empty())
    }

    /// The UTC instant of local `date` + `minutes` (gaps move forward, ambiguity → earlier).
    fn instant(&self, date: NaiveDate, minutes: u32) -> DateTime<Utc> {
        let local: NaiveDateTime =
            date.and_time(NaiveTime::MIN) + Duration::minutes(i64::from(minutes));
        for shift in 0..=24 * 60 {
            let candidate = local + Duration::minutes(shift);
            if let Some(t) = self.tz.from_local_datetime(&candidate).earliest() {
                return t.with_timezone(&Utc);
            }
        }
        // Unreachable with real zone data (gaps are at most a day); fall back to UTC reading.
        Utc.from_utc_datetime(&local)
    }

    /// The opening intervals of a local day as UTC instants.
    fn day_intervals(&self, date: NaiveDate) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        if self.holidays.contains(&date) {
            return Vec::new();
        }
        let weekday = date.weekday().num_days_from_monday() as usize;
        self.week[weekday]
            .iter()
            .map(|&(s, e)| (self.instant(date, s), self.instant(date, e)))
            .filter(|(s, e)| e > s)
            .collect()
    }

    /// The local date a day scan starts from (one day early: intervals of the previous local
    /// day can reach past UTC midnight).
    fn first_scan_day(&self, at: DateTime<Utc>) -> NaiveDate {
        let local = at.with_timezone(&self.tz).date_naive();
        local.pred_opt().unwrap_or(local)
    }

    /// Business seconds in `[from, to)`; 0 when `to <= from`.
    pub fn business_seconds(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        if to <= from {
            return 0;
        }
        let mut total = 0;
        let mut day = self.first_scan_day(from);
        let last = to.with_timezone(&self.tz).date_naive();
        while day <= last {
            for (s, e) in self.day_intervals(day) {
                let s = s.max(from);
                let e = e.min(to);
                if e > s {
                    total += (e - s).num_seconds();
                }
            }
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
        }
        total
    }

    /// The instant at which `secs` business seconds have passed since `from` (the end of the
    /// last needed opening interval is not skipped past: adding exactly the time left in an
    /// interval lands on its end). `None` when the calendar has no hours within the horizon.
    pub fn add_business_seconds(&self, from: DateTime<Utc>, secs: i64) -> Option<DateTime<Utc>> {
        if secs <= 0 {
            return Some(from);
        }
        let mut left = secs;
        let mut day = self.first_scan_day(from);
        for _ in 0..HORIZON_DAYS {
            for (s, e) in self.day_intervals(day) {
                let s = s.max(from);
                if e <= s {
                    continue;
                }
                let available = (e - s).num_seconds();
                if available >= left {
                    return Some(s + Duration::seconds(left));
                }
                left -= available;
            }
            day = day.succ_opt()?;
        }
        None
    }

    /// Whether `at` is inside opening hours.
    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        self.business_seconds(at, at + Duration::seconds(1)) == 1
    }
}

#[cfg(test)]
#[path = "business_hours_tests.rs"]
mod tests;
