//! Realistic generated weeks, for benchmarks and tests: technicians with mixed skills and
//! early or normal shifts with a lunch break, and jobs on road-side sites with the usual
//! mix of windows (all day, morning or afternoon slots, two-hour appointments, and
//! "some time in the next days" windows spanning days).

use chrono::{Duration, NaiveDate};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use routing_graph::{Coord, RoadGraph};

use super::file::{
    BreakSpec, HorizonSpec, JobSpec, ObjectiveSpec, ScenarioFile, ShiftSpec, TechnicianSpec,
    WindowSpec,
};

/// Skills of generated scenarios.
pub const SKILLS: [&str; 4] = ["electrical", "plumbing", "hvac", "gas"];

/// What to generate.
#[derive(Clone, Debug)]
pub struct WeekOptions {
    /// Name of the scenario.
    pub name: String,
    /// Road graph file named in the scenario.
    pub graph: Option<String>,
    /// First day (a Monday for a working week).
    pub start: NaiveDate,
    /// Days (weekends get no shifts).
    pub days: u32,
    /// Technicians.
    pub technicians: usize,
    /// Jobs over the whole horizon.
    pub jobs: usize,
    /// Random seed.
    pub seed: u64,
    /// Candidate sites (homes and jobs are drawn from them); see [`sites_on_roads`].
    pub sites: Vec<Coord>,
}

/// Up to `n` points on the graph's roads, drawn at random (seeded).
pub fn sites_on_roads(graph: &RoadGraph, n: usize, seed: u64) -> Vec<Coord> {
    let Some(bbox) = graph.bbox() else {
        return Vec::new();
    };
    let points: Vec<Coord> = graph
        .roads_in(bbox)
        .filter(|r| r.forward && r.backward)
        .filter_map(|r| r.coords.get(r.coords.len() / 2).copied())
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    points.choose_multiple(&mut rng, n).copied().collect()
}

fn stamp(date: NaiveDate, minutes: u32) -> String {
    format!("{}T{:02}:{:02}", date, minutes / 60, minutes % 60)
}

/// A generated scenario (no variants).
pub fn week(options: &WeekOptions) -> ScenarioFile {
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let site = |rng: &mut ChaCha8Rng| {
        let c = options
            .sites
            .choose(rng)
            .copied()
            .unwrap_or(Coord::new(0.0, 0.0));
        [c.lon, c.lat]
    };
    let weekdays: Vec<String> = ["mon", "tue", "wed", "thu", "fri"]
        .map(String::from)
        .to_vec();
    let technicians = (0..options.technicians)
        .map(|i| {
            let count = rng.random_range(1..=3);
            let mut skills: Vec<String> = SKILLS
                .choose_multiple(&mut rng, count)
                .map(|s| s.to_string())
                .collect();
            skills.sort();
            let early = rng.random_bool(0.3);
            let (start, end, overtime) = if early {
                ("07:00", "16:30", "16:00")
            } else {
                ("08:00", "17:30", "17:00")
            };
            TechnicianSpec {
                id: format!("T{:02}", i + 1),
                skills,
                home: site(&mut rng),
                shifts: vec![ShiftSpec {
                    weekdays: weekdays.clone(),
                    dates: Vec::new(),
                    start: start.into(),
                    end: end.into(),
                    overtime_after: Some(overtime.into()),
                    off: false,
                    gaps: Vec::new(),
                }],
                breaks: vec![BreakSpec {
                    minutes: 30.0,
                    earliest: "11:30".into(),
                    latest: "13:30".into(),
                }],
                costs: None,
                max_jobs_per_day: None,
            }
        })
        .collect();
    let working: Vec<NaiveDate> = (0..options.days)
        .map(|d| options.start + Duration::days(i64::from(d)))
        .filter(|d| {
            use chrono::Datelike;
            d.weekday().num_days_from_monday() < 5
        })
        .collect();
    let mut jobs = Vec::with_capacity(options.jobs);
    for i in 0..options.jobs {
        let Some(&day) = working.choose(&mut rng) else {
            break;
        };
        let last = working.last().copied().unwrap_or(day);
        let kind: f64 = rng.random();
        let (from, to) = if kind < 0.35 {
            (stamp(day, 8 * 60), stamp(day, 16 * 60 + 30))
        } else if kind < 0.60 {
            (stamp(day, 8 * 60), stamp(day, 12 * 60))
        } else if kind < 0.75 {
            (stamp(day, 12 * 60), stamp(day, 16 * 60 + 30))
        } else if kind < 0.90 {
            let until = (day + Duration::days(2)).min(last);
            (stamp(day, 8 * 60), stamp(until, 16 * 60 + 30))
        } else {
            let hour = rng.random_range(8..15);
            (stamp(day, hour * 60), stamp(day, hour * 60 + 120))
        };
        let minutes = *[30.0, 45.0, 60.0, 60.0, 90.0]
            .choose(&mut rng)
            .unwrap_or(&60.0);
        let skills = if rng.random_bool(0.55) {
            SKILLS
                .choose(&mut rng)
                .map(|s| vec![s.to_string()])
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        jobs.push(JobSpec {
            id: format!("J{:04}", i + 1),
            location: site(&mut rng),
            minutes,
            windows: vec![WindowSpec { from, to }],
            skills,
            priority: if rng.random_bool(0.15) { 2 } else { 1 },
            technician: None,
        });
    }
    ScenarioFile {
        name: options.name.clone(),
        graph: options.graph.clone(),
        horizon: HorizonSpec {
            start: options.start.to_string(),
            days: options.days,
            utc_offset: Some("+01:00".into()),
        },
        objective: ObjectiveSpec::default(),
        technicians,
        jobs,
        recurring: Vec::new(),
        variants: Vec::new(),
        current_plan: Vec::new(),
    }
}
