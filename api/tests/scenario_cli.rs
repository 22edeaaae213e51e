//! `fieldpath plan` end to end on the shipped Monaco example.

use std::path::PathBuf;
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn plan_runs_the_example_and_writes_the_reports() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("report.json");
    let csv = dir.path().join("report.csv");
    let run = Command::new(env!("CARGO_BIN_EXE_fieldpath"))
        .current_dir(repo())
        .args([
            "plan",
            "--scenario",
            "data/scenarios/monaco-week.json",
            "--seconds",
            "1",
        ])
        .arg("--out")
        .arg(&out)
        .arg("--csv")
        .arg(&csv)
        .output()
        .expect("fieldpath runs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(stdout.contains("optimizer vs greedy"), "{stdout}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("report written"))
            .expect("JSON");
    let plans = report["plans"].as_array().expect("plans");
    assert_eq!(
        plans.len(),
        10,
        "base and four variants, greedy and optimized each"
    );
    assert!(plans.iter().all(|p| p["checked"] == true));
    assert_eq!(report["estimator"], "road_graph");
    assert!(plans[1]["routes"].as_array().is_some_and(|r| !r.is_empty()));
    let csv = std::fs::read_to_string(&csv).expect("CSV written");
    assert_eq!(csv.lines().count(), 11);
}

#[test]
fn a_bad_scenario_is_one_error_line_naming_the_field() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("bad.json");
    let text =
        std::fs::read_to_string(repo().join("data/scenarios/monaco-week.json")).expect("example");
    std::fs::write(&bad, text.replacen("\"days\": 5", "\"days\": \"five\"", 1)).expect("write");
    let run = Command::new(env!("CARGO_BIN_EXE_fieldpath"))
        .current_dir(repo())
        .args(["plan", "--seconds", "1", "--scenario"])
        .arg(&bad)
        .output()
        .expect("fieldpath runs");
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        errors[0].contains("`days`") && errors[0].contains("line 4"),
        "{stderr}"
    );
}
