//! Tests of policy choice and the SLA clock.

use super::*;
use crate::desk::business_hours::{CalendarSpec, DAY_KEYS};
use chrono::Duration;

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("rfc3339")
        .with_timezone(&Utc)
}

fn ticket(priority: &str, tags: &[&str]) -> Ticket {
    let created = at("2025-01-06T09:00:00Z");
    Ticket {
        priority: priority.into(),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        ..Ticket::new(1, "s".into(), "email".into(), created)
    }
}

fn policy(name: &str, position: i32, conditions: PolicyConditions) -> SlaPolicy {
    SlaPolicy {
        id: Uuid::new_v4(),
        name: name.into(),
        position,
        active: true,
        conditions: Json(conditions),
        first_response_mins: Some(60),
        next_response_mins: Some(120),
        resolution_mins: Some(8 * 60),
        calendar_id: None,
        escalate_to_id: None,
        version: 1,
    }
}

fn office_hours() -> BusinessCalendar {
    BusinessCalendar::from_spec(&CalendarSpec {
        time_zone: "UTC".into(),
        hours: DAY_KEYS[..5]
            .iter()
            .map(|d| (d.to_string(), vec![("09:00".into(), "17:00".into())]))
            .collect(),
        holidays: vec![],
    })
    .expect("calendar")
}

#[test]
fn first_matching_policy_by_position_applies() {
    let urgent = policy(
        "urgent",
        1,
        PolicyConditions {
            priority: vec!["urgent".into()],
            ..Default::default()
        },
    );
    let vip = policy(
        "vip",
        0,
        PolicyConditions {
            tags: vec!["vip".into()],
            ..Default::default()
        },
    );
    let fallback = policy("default", 9, PolicyConditions::default());
    let all = vec![fallback.clone(), urgent.clone(), vip.clone()];
    assert_eq!(
        choose(&all, &ticket("urgent", &["vip"])).map(|p| p.id),
        Some(vip.id)
    );
    assert_eq!(
        choose(&all, &ticket("urgent", &[])).map(|p| p.id),
        Some(urgent.id)
    );
    assert_eq!(
        choose(&all, &ticket("low", &[])).map(|p| p.id),
        Some(fallback.id)
    );
    let mut inactive = fallback;
    inactive.active = false;
    assert!(choose(&[inactive], &ticket("low", &[])).is_none());
}

#[test]
fn the_clock_pauses_on_hold_and_resumes() {
    let cal = office_hours();
    let p = policy("p", 0, PolicyConditions::default());
    let mut t = ticket("normal", &[]);
    let start = t.created_at;
    recompute(&mut t, Some(&p), &cal, start);
    assert_eq!(t.first_response_due, Some(at("2025-01-06T10:00:00Z")));
    assert_eq!(t.resolution_due, Some(at("2025-01-06T17:00:00Z")));
    // Two business hours later the ticket goes on hold until the next morning.
    t.status_type = "on_hold".into();
    recompute(&mut t, Some(&p), &cal, start + Duration::hours(2));
    assert_eq!(t.sla_elapsed_secs, 2 * 3600);
    assert_eq!(t.resolution_due, None);
    assert!(
        t.first_response_breached,
        "first response target (1h) was missed"
    );
    t.status_type = "open".into();
    recompute(&mut t, Some(&p), &cal, at("2025-01-07T09:00:00Z"));
    // 6 business hours left from Tuesday 09:00.
    assert_eq!(t.resolution_due, Some(at("2025-01-07T15:00:00Z")));
    assert!(!t.resolution_breached);
    // Resolved: the clock stops, nothing is due.
    t.status_type = "resolved".into();
    recompute(&mut t, Some(&p), &cal, at("2025-01-07T10:00:00Z"));
    assert_eq!((t.resolution_due, t.sla_running_since), (None, None));
    assert_eq!(t.sla_elapsed_secs, 3 * 3600);
}

#[test]
fn replies_meet_and_start_targets() {
    let cal = office_hours();
    let p = policy("p", 0, PolicyConditions::default());
    let mut t = ticket("normal", &[]);
    let created = t.created_at;
    recompute(&mut t, Some(&p), &cal, created);
    on_agent_reply(&mut t, at("2025-01-06T09:30:00Z"));
    assert!(!t.first_response_breached);
    assert_eq!(t.first_responded_at, Some(at("2025-01-06T09:30:00Z")));
    on_customer_reply(&mut t, Some(&p), &cal, at("2025-01-06T16:00:00Z"));
    assert_eq!(t.next_response_due, Some(at("2025-01-07T10:00:00Z")));
    mark_breaches(&mut t, at("2025-01-07T10:00:01Z"));
    assert!(t.next_response_breached);
    on_agent_reply(&mut t, at("2025-01-07T10:05:00Z"));
    assert_eq!(t.next_response_due, None);
}
