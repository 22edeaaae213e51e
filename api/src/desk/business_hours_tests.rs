//! Unit and property tests of the business-hours arithmetic.

use super::*;
use proptest::prelude::*;

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("rfc3339")
        .with_timezone(&Utc)
}

fn weekdays(tz: &str, start: &str, end: &str, holidays: &[&str]) -> BusinessCalendar {
    let hours = DAY_KEYS[..5]
        .iter()
        .map(|d| (d.to_string(), vec![(start.to_string(), end.to_string())]))
        .collect();
    BusinessCalendar::from_spec(&CalendarSpec {
        time_zone: tz.into(),
        hours,
        holidays: holidays
            .iter()
            .map(|h| NaiveDate::parse_from_str(h, "%Y-%m-%d").expect("date"))
            .collect(),
    })
    .expect("calendar")
}

const H: i64 = 3600;

#[test]
fn within_one_day() {
    let cal = weekdays("UTC", "09:00", "17:00", &[]);
    // Wednesday 2025-01-08.
    assert_eq!(
        cal.business_seconds(utc("2025-01-08T10:00:00Z"), utc("2025-01-08T12:30:00Z")),
        2 * H + 1800
    );
    assert_eq!(
        cal.add_business_seconds(utc("2025-01-08T10:00:00Z"), 2 * H),
        Some(utc("2025-01-08T12:00:00Z"))
    );
    // Before opening: counting starts at 09:00.
    assert_eq!(
        cal.add_business_seconds(utc("2025-01-08T06:00:00Z"), H),
        Some(utc("2025-01-08T10:00:00Z"))
    );
    assert!(cal.is_open(utc("2025-01-08T16:59:59Z")));
    assert!(!cal.is_open(utc("2025-01-08T17:00:00Z")));
}

#[test]
fn across_the_weekend() {
    let cal = weekdays("UTC", "09:00", "17:00", &[]);
    // Friday 2025-01-10 16:00 + 2h → Monday 10:00.
    assert_eq!(
        cal.add_business_seconds(utc("2025-01-10T16:00:00Z"), 2 * H),
        Some(utc("2025-01-13T10:00:00Z"))
    );
    assert_eq!(
        cal.business_seconds(utc("2025-01-10T16:00:00Z"), utc("2025-01-13T10:00:00Z")),
        2 * H
    );
    // A Saturday counts nothing.
    assert_eq!(
        cal.business_seconds(utc("2025-01-11T00:00:00Z"), utc("2025-01-12T23:59:59Z")),
        0
    );
}

#[test]
fn holidays_are_closed() {
    let cal = weekdays("UTC", "09:00", "17:00", &["2025-12-25", "2025-12-26"]);
    // Wed 24 Dec 16:00 + 2h → skips Thu 25, Fri 26 and the weekend → Mon 29 10:00.
    assert_eq!(
        cal.add_business_seconds(utc("2025-12-24T16:00:00Z"), 2 * H),
        Some(utc("2025-12-29T10:00:00Z"))
    );
}

#[test]
fn time_zones_shift_the_hours() {
    let cal = weekdays("America/New_York", "09:00", "17:00", &[]);
    // 09:00 EST = 14:00 UTC in January.
    assert_eq!(
        cal.add_business_seconds(utc("2025-01-08T12:00:00Z"), H),
        Some(utc("2025-01-08T15:00:00Z"))
    );
    let tokyo = weekdays("Asia/Tokyo", "09:00", "18:00", &[]);
    // Monday 09:00 JST = Monday 00:00 UTC.
    assert!(tokyo.is_open(utc("2025-01-13T00:30:00Z")));
    assert!(!tokyo.is_open(utc("2025-01-12T23:30:00Z")));
}

#[test]
fn dst_changes_keep_wall_clock_hours() {
    // Europe/Paris goes to summer time on Sunday 2025-03-30 (02:00 → 03:00).
    let cal = weekdays("Europe/Paris", "09:00", "17:00", &[]);
    // Friday 28 March 16:00 CET (15:00Z) + 2h → Monday 31 March 10:00 CEST (08:00Z).
    assert_eq!(
        cal.add_business_seconds(utc("2025-03-28T15:00:00Z"), 2 * H),
        Some(utc("2025-03-31T08:00:00Z"))
    );
    // A 24/7 calendar in Paris: the short day has 23 hours, the long one 25.
    let all = BusinessCalendar::from_spec(&CalendarSpec {
        time_zone: "Europe/Paris".into(),
        hours: DAY_KEYS
            .iter()
            .map(|d| (d.to_string(), vec![("00:00".into(), "24:00".into())]))
            .collect(),
        holidays: vec![],
    })
    .expect("calendar");
    assert_eq!(
        all.business_seconds(utc("2025-03-29T23:00:00Z"), utc("2025-03-30T22:00:00Z")),
        23 * H
    );
    assert_eq!(
        all.business_seconds(utc("2025-10-25T22:00:00Z"), utc("2025-10-26T23:00:00Z")),
        25 * H
    );
    // Hours that fall into the spring-forward gap start at 03:00 instead.
    let night = BusinessCalendar::from_spec(&CalendarSpec {
        time_zone: "Europe/Paris".into(),
        hours: [("sun".to_string(), vec![("02:30".into(), "04:00".into())])].into(),
        holidays: vec![],
    })
    .expect("calendar");
    assert_eq!(
        night.business_seconds(utc("2025-03-29T00:00:00Z"), utc("2025-03-31T00:00:00Z")),
        H
    );
}

#[test]
fn rejects_bad_definitions() {
    let spec = |tz: &str, day: &str, s: &str, e: &str| CalendarSpec {
        time_zone: tz.into(),
        hours: [(day.to_string(), vec![(s.to_string(), e.to_string())])].into(),
        holidays: vec![],
    };
    let field = |s: CalendarSpec| {
        BusinessCalendar::from_spec(&s)
            .map(|_| ())
            .unwrap_err()
            .field
    };
    assert_eq!(
        field(spec("Mars/Olympus", "mon", "09:00", "17:00")),
        "time_zone"
    );
    assert_eq!(field(spec("UTC", "funday", "09:00", "17:00")), "hours");
    assert_eq!(field(spec("UTC", "mon", "17:00", "09:00")), "hours");
    assert_eq!(field(spec("UTC", "mon", "9am", "17:00")), "hours");
    let overlapping = CalendarSpec {
        time_zone: "UTC".into(),
        hours: [(
            "mon".to_string(),
            vec![
                ("09:00".into(), "12:00".into()),
                ("11:00".into(), "13:00".into()),
            ],
        )]
        .into(),
        holidays: vec![],
    };
    assert_eq!(field(overlapping), "hours");
}

#[test]
fn a_calendar_without_hours_never_reaches_a_due_time() {
    let empty = BusinessCalendar::from_spec(&CalendarSpec {
        time_zone: "UTC".into(),
        hours: WeeklyHours::new(),
        holidays: vec![],
    })
    .expect("calendar");
    assert!(!empty.has_hours());
    assert_eq!(
        empty.add_business_seconds(utc("2025-01-08T10:00:00Z"), 60),
        None
    );
    assert_eq!(
        empty.add_business_seconds(utc("2025-01-08T10:00:00Z"), 0),
        Some(utc("2025-01-08T10:00:00Z"))
    );
}

fn calendars() -> impl Strategy<Value = BusinessCalendar> {
    let zones = prop::sample::select(vec![
        "UTC",
        "Europe/Paris",
        "America/New_York",
        "Australia/Sydney",
        "Asia/Kolkata",
        "America/Sao_Paulo",
    ]);
    let day = prop::collection::vec((0u32..12, 1u32..12), 0..3);
    (
        zones,
        prop::collection::vec(day, 7),
        prop::collection::vec(0i64..120, 0..4),
    )
        .prop_map(|(tz, days, holidays)| {
            let mut hours = WeeklyHours::new();
            for (key, ranges) in DAY_KEYS.iter().zip(days) {
                // Disjoint half-days: a range per 2-hour slot start, lengths in 15 minutes.
                let mut cursor = 0u32;
                let mut list = Vec::new();
                for (gap, len) in ranges {
                    let start = cursor + gap * 15;
                    let end = (start + len * 15).min(24 * 60);
                    if start >= end {
                        break;
                    }
                    let fmt = |m: u32| format!("{:02}:{:02}", m / 60, m % 60);
                    list.push((fmt(start), fmt(end)));
                    cursor = end;
                }
                hours.insert(key.to_string(), list);
            }
            let base = NaiveDate::from_ymd_opt(2025, 1, 1).expect("date");
            BusinessCalendar::from_spec(&CalendarSpec {
                time_zone: tz.into(),
                hours,
                holidays: holidays
                    .into_iter()
                    .map(|d| base + Duration::days(d * 3))
                    .collect(),
            })
            .expect("generated calendars are valid")
        })
}

fn instants() -> impl Strategy<Value = DateTime<Utc>> {
    // 2024-06-01 .. 2026-06-01, second resolution: covers DST changes of both hemispheres.
    (1_717_200_000i64..1_780_272_000).prop_map(|s| Utc.timestamp_opt(s, 0).single().expect("ts"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn adding_then_measuring_round_trips(cal in calendars(), from in instants(), secs in 0i64..400_000) {
        if let Some(due) = cal.add_business_seconds(from, secs) {
            prop_assert!(due >= from);
            prop_assert_eq!(cal.business_seconds(from, due), secs);
        } else {
            prop_assert!(!cal.has_hours() || secs > 0);
        }
    }

    #[test]
    fn measuring_is_additive(cal in calendars(), a in instants(), b in instants(), c in instants()) {
        let mut v = [a, b, c];
        v.sort();
        prop_assert_eq!(
            cal.business_seconds(v[0], v[1]) + cal.business_seconds(v[1], v[2]),
            cal.business_seconds(v[0], v[2])
        );
        prop_assert!(cal.business_seconds(v[0], v[2]) <= (v[2] - v[0]).num_seconds());
    }

    #[test]
    fn the_always_open_calendar_is_wall_time(from in instants(), secs in 0i64..10_000_000) {
        let cal = BusinessCalendar::always();
        prop_assert_eq!(cal.add_business_seconds(from, secs), Some(from + Duration::seconds(secs)));
    }
}
