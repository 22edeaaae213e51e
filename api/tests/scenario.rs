//! Planning scenarios: parsing errors name the field, edits apply, the greedy baseline and
//! the optimiser both pass the independent checker, the optimiser beats the baseline,
//! recurring work is generated over the horizon.

use chrono::NaiveDate;
use fieldpath_api::scenario::edits::{apply_all, Edit};
use fieldpath_api::scenario::generate::{sites_on_roads, week, WeekOptions};
use fieldpath_api::scenario::problem::build;
use fieldpath_api::scenario::{self, RunOptions, Scenario, Travel};
use routing_graph::{ImportOptions, RoadGraph, StraightLine};
use std::path::PathBuf;
use std::sync::Arc;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn example_text() -> String {
    std::fs::read_to_string(repo().join("data/scenarios/monaco-week.json"))
        .expect("example scenario")
}

fn example() -> Scenario {
    let file = scenario::parse(&example_text(), "monaco-week.json").expect("example parses");
    Scenario::from_file(&file).expect("example resolves")
}

fn error_of(text: &str) -> String {
    match scenario::parse(text, "s.json").and_then(|f| Scenario::from_file(&f)) {
        Ok(_) => panic!("accepted a bad scenario"),
        Err(e) => format!("{e:#}"),
    }
}

#[test]
fn unknown_and_mistyped_fields_are_named_with_their_line() {
    let text = example_text().replacen("\"max_jobs_per_day\"", "\"max_job_per_day\"", 1);
    let err = error_of(&text);
    assert!(
        err.contains("max_job_per_day") && err.contains("line "),
        "{err}"
    );

    let text = example_text().replacen("\"minutes\": 60,", "\"minutes\": \"sixty\",", 1);
    let err = error_of(&text);
    assert!(err.contains("`minutes`") && err.contains("line "), "{err}");

    let text = example_text().replacen("\"start\": \"08:00\"", "\"start\": \"8 o'clock\"", 1);
    let err = error_of(&text);
    assert!(
        err.contains("technicians[0]") && err.contains("`start`"),
        "{err}"
    );

    let text = example_text().replacen("\"technician\": \"bob\"", "\"technician\": \"zoe\"", 1);
    let err = error_of(&text);
    assert!(err.contains("`technician`") && err.contains("zoe"), "{err}");

    let text = example_text().replacen("\"add_technician\"", "\"hire\"", 1);
    let err = error_of(&text);
    assert!(err.contains("hire"), "{err}");
}

#[test]
fn edits_add_capacity_and_scale_demand() {
    let base = example();
    let travel = StraightLine::default();
    let before = build(&base, &travel).expect("base problem");

    let mut more = base.clone();
    let dave: Edit = serde_json::from_str(
        r#"{"add_technician": {"id": "dave", "home": [7.42, 43.737],
            "shifts": [{"start": "08:00", "end": "17:00"}]}}"#,
    )
    .expect("edit parses");
    apply_all(&mut more, &[dave]).expect("edit applies");
    let after = build(&more, &travel).expect("edited problem");
    // Five more technician-days (every day of the horizon), so more working time.
    assert_eq!(
        after.problem.technicians.len(),
        before.problem.technicians.len() + 5
    );

    let mut double = base.clone();
    let scale: Edit =
        serde_json::from_str(r#"{"scale_demand": {"factor": 2, "seed": 3}}"#).expect("edit parses");
    apply_all(&mut double, std::slice::from_ref(&scale)).expect("edit applies");
    assert_eq!(double.work_orders.len(), 2 * base.work_orders.len());
    let mut again = base.clone();
    apply_all(&mut again, &[scale]).expect("edit applies");
    assert_eq!(again, double, "seeded: the same copies");

    let mut fewer = base.clone();
    let remove: Edit =
        serde_json::from_str(r#"{"remove_technician": {"id": "nobody"}}"#).expect("edit parses");
    let err = format!("{:#}", apply_all(&mut fewer, &[remove]).unwrap_err());
    assert!(err.contains("edits[0]") && err.contains("nobody"), "{err}");
}

#[test]
fn multi_day_windows_become_one_window_per_working_day() {
    let s = example();
    let p = build(&s, &StraightLine::default()).expect("problem");
    let j = s
        .work_orders
        .iter()
        .position(|w| w.id == "WO-102")
        .expect("job");
    // Monday 08:00 to Wednesday 17:00: three days' working hours.
    assert_eq!(p.problem.jobs[j].time_windows.len(), 3);
    // Recurring work: Tuesday and Thursday chiller checks, one boiler check (31 Jan → 28 Feb
    // is before the horizon; 31 March after it; none), so two recurring visits.
    let recurring: Vec<&str> = s
        .work_orders
        .iter()
        .filter(|w| w.recurring)
        .map(|w| w.id.as_str())
        .collect();
    assert_eq!(
        recurring,
        [
            "PM-chiller-larvotto@2025-03-04",
            "PM-chiller-larvotto@2025-03-06"
        ]
    );
}

fn monaco() -> Arc<RoadGraph> {
    let (graph, _) = RoadGraph::from_pbf(
        repo().join("data/osm/monaco.osm.pbf"),
        &ImportOptions::default(),
    )
    .expect("monaco imports");
    Arc::new(graph)
}

#[test]
fn optimizer_beats_greedy_on_a_generated_day_and_both_pass_the_checker() {
    let graph = monaco();
    let sites = sites_on_roads(&graph, 200, 5);
    let file = week(&WeekOptions {
        name: "generated day".into(),
        graph: None,
        start: NaiveDate::from_ymd_opt(2025, 3, 3).expect("date"),
        days: 1,
        technicians: 4,
        jobs: 24,
        seed: 11,
        sites,
    });
    let travel = Travel {
        estimator: graph,
        warnings: Vec::new(),
    };
    let report = scenario::run(
        &file,
        &travel,
        &RunOptions {
            seconds: 2.0,
            seed: 1,
            threads: 1,
            ..RunOptions::default()
        },
    )
    .expect("scenario runs");
    assert_eq!(report.plans.len(), 2);
    let (greedy, optimized) = (&report.plans[0], &report.plans[1]);
    assert!(greedy.checked && optimized.checked);
    assert_eq!(report.estimator, "road_graph");
    assert!(
        optimized.unassigned <= greedy.unassigned,
        "{} > {}",
        optimized.unassigned,
        greedy.unassigned
    );
    assert!(
        optimized.travel_time_s <= greedy.travel_time_s + 1e-6,
        "optimized {} s > greedy {} s",
        optimized.travel_time_s,
        greedy.travel_time_s
    );
    assert_eq!(optimized.window_compliance, 1.0);
    assert_eq!(greedy.window_compliance, 1.0);
    assert!(optimized.technicians.iter().all(|t| t.utilisation <= 1.0));
    let csv = report.csv().expect("csv");
    assert_eq!(csv.lines().count(), 3, "{csv}");
}

#[test]
fn no_graph_falls_back_to_straight_lines_with_a_warning() {
    let mut file = scenario::parse(&example_text(), "monaco-week.json").expect("parses");
    file.graph = None;
    file.variants.clear();
    let travel = scenario::load_travel(None, None).expect("straight lines");
    let report = scenario::run(
        &file,
        &travel,
        &RunOptions {
            seconds: 0.5,
            threads: 1,
            ..RunOptions::default()
        },
    )
    .expect("runs");
    assert_eq!(report.estimator, "straight_line");
    assert_eq!(report.warnings.len(), 1);
    assert!(report.table().contains("warning: no road graph"));
}
