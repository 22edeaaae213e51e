//! End-to-end tests of `fieldpath import`, `route` and `matrix`, running the real binary.
//!
//! The binary of another package is not exposed through `CARGO_BIN_EXE_*`, so it is
//! built once per test run with `cargo build --release -p fieldpath-api --bin fieldpath`
//! (a no-op when it is up to date) and run from `target/release/`.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Path of the freshly built `fieldpath` binary.
fn fieldpath() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let status = Command::new(env!("CARGO"))
            .args([
                "build",
                "--release",
                "-p",
                "fieldpath-api",
                "--bin",
                "fieldpath",
            ])
            .current_dir(workspace())
            .status()
            .expect("run cargo build");
        assert!(status.success(), "building the fieldpath binary failed");
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map_or_else(|| workspace().join("target"), PathBuf::from);
        let binary = target
            .join("release")
            .join(format!("fieldpath{}", std::env::consts::EXE_SUFFIX));
        assert!(binary.exists(), "{} not found", binary.display());
        binary
    })
}

fn run(args: &[&str]) -> Output {
    Command::new(fieldpath())
        .args(args)
        .output()
        .expect("run fieldpath")
}

fn stdout_json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

/// The one-line error of a failed run.
fn error_line(out: &Output) -> String {
    assert!(
        !out.status.success(),
        "unexpected success: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
    let last = stderr.lines().last().unwrap_or_default().to_string();
    assert!(last.starts_with("error: "), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "stderr: {stderr}");
    last
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli_graph");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir.join(name)
}

/// Monaco imported once through the CLI; returns the graph file.
fn monaco_graph() -> &'static Path {
    static GRAPH: OnceLock<PathBuf> = OnceLock::new();
    GRAPH.get_or_init(|| {
        let graph = scratch("monaco.graph");
        let pbf = workspace().join("data/osm/monaco.osm.pbf");
        let out = run(&[
            "import",
            pbf.to_str().unwrap_or_default(),
            "--out",
            graph.to_str().unwrap_or_default(),
        ]);
        assert!(
            out.status.success(),
            "import failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        for expected in [
            "graph nodes:",
            "graph edges:",
            "dropped:",
            "strongly connected",
            "time:",
        ] {
            assert!(
                stdout.contains(expected),
                "summary lacks {expected:?}: {stdout}"
            );
        }
        check_restriction_counters(&stdout);
        graph
    })
}

/// The summary's turn-restriction line: read = applied + skipped, and skipped is the sum
/// of its reasons; Monaco has a few dozen restrictions for cars, most of them applied.
fn check_restriction_counters(summary: &str) {
    let line = summary
        .lines()
        .find(|l| l.contains("turn restrictions:"))
        .unwrap_or_else(|| panic!("no turn-restriction line: {summary}"));
    for words in [
        "read for cars",
        "applied",
        "skipped",
        "unsupported form",
        "unresolved",
        "without any exit",
    ] {
        assert!(line.contains(words), "{line}");
    }
    let n: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|w| w.parse().ok())
        .collect();
    let [read, applied, skipped, unsupported, unresolved, dead_end] = n[..] else {
        panic!("expected six counters: {line}")
    };
    assert_eq!(read, applied + skipped, "{line}");
    assert_eq!(skipped, unsupported + unresolved + dead_end, "{line}");
    assert!(applied >= 20, "{line}");
}

fn graph_arg() -> String {
    monaco_graph().display().to_string()
}

#[test]
fn import_then_route_gives_json_along_the_roads() {
    let g = graph_arg();
    let out = run(&[
        "route",
        "--graph",
        &g,
        "--from",
        "7.419248,43.736715",
        "--to",
        "7.4268,43.7402",
    ]);
    let json = stdout_json(&out);
    assert_eq!(json["estimator"], "road_graph");
    assert!(json["duration"].as_f64().is_some_and(|d| d > 10.0));
    assert!(json["distance"].as_f64().is_some_and(|d| d > 500.0));
    let geometry = json["geometry"].as_array().cloned().unwrap_or_default();
    assert!(geometry.len() > 5);
    assert!(geometry
        .iter()
        .all(|p| p.as_array().is_some_and(|p| p.len() == 2)));
}

#[test]
fn matrix_reads_points_file_with_comments() {
    let points = scratch("points.txt");
    std::fs::write(
        &points,
        "# Monaco\n7.419248,43.736715\n\n7.4268, 43.7402\n   # harbour\n7.4210,43.7350\n",
    )
    .expect("write");
    let out = run(&[
        "matrix",
        "--graph",
        &graph_arg(),
        "--points",
        points.to_str().unwrap_or_default(),
    ]);
    let json = stdout_json(&out);
    assert_eq!(json["estimator"], "road_graph");
    for key in ["durations", "distances"] {
        let rows = json[key].as_array().cloned().unwrap_or_default();
        assert_eq!(rows.len(), 3, "{key}");
        for (i, row) in rows.iter().enumerate() {
            let row = row.as_array().cloned().unwrap_or_default();
            assert_eq!(row.len(), 3);
            assert_eq!(row[i].as_f64(), Some(0.0));
            assert!(row
                .iter()
                .enumerate()
                .all(|(j, v)| i == j || v.as_f64().is_some_and(|v| v > 0.0)));
        }
    }
}

#[test]
fn matrix_bad_line_is_named() {
    let points = scratch("bad_points.txt");
    std::fs::write(&points, "7.419248,43.736715\n# fine\n7.42;43.73\n").expect("write");
    let out = run(&[
        "matrix",
        "--graph",
        &graph_arg(),
        "--points",
        points.to_str().unwrap_or_default(),
    ]);
    let line = error_line(&out);
    assert!(line.contains("line 3"), "{line}");
}

#[test]
fn unsnappable_and_swapped_points_are_clear_errors() {
    let g = graph_arg();
    let out = run(&[
        "route",
        "--graph",
        &g,
        "--from",
        "7.0,43.0",
        "--to",
        "7.4268,43.7402",
    ]);
    let line = error_line(&out);
    assert!(
        line.contains("[7, 43]") && line.contains("from the nearest road"),
        "{line}"
    );
    let out = run(&[
        "route",
        "--graph",
        &g,
        "--from",
        "43.7367,7.4192",
        "--to",
        "7.4268,43.7402",
    ]);
    assert!(error_line(&out).contains("did you swap lat and lon?"));
    let points = scratch("far_points.txt");
    std::fs::write(&points, "7.419248,43.736715\n\n8.5,43.0\n").expect("write");
    let out = run(&[
        "matrix",
        "--graph",
        &g,
        "--points",
        points.to_str().unwrap_or_default(),
    ]);
    let line = error_line(&out);
    assert!(
        line.contains("line 3") && line.contains("nearest road"),
        "{line}"
    );
}

#[test]
fn bad_input_files_are_clear_errors() {
    let out = run(&[
        "import",
        "/nonexistent/monaco.osm.pbf",
        "--out",
        scratch("x.graph").to_str().unwrap_or_default(),
    ]);
    assert!(error_line(&out).contains("/nonexistent/monaco.osm.pbf"));

    let garbage = scratch("garbage.osm.pbf");
    std::fs::write(
        &garbage,
        (0..50_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect::<Vec<_>>(),
    )
    .expect("write");
    let out = run(&[
        "import",
        garbage.to_str().unwrap_or_default(),
        "--out",
        scratch("y.graph").to_str().unwrap_or_default(),
    ]);
    assert!(error_line(&out).contains("not a valid .osm.pbf"));

    let mut damaged = std::fs::read(monaco_graph()).expect("read graph");
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0xFF;
    let damaged_path = scratch("damaged.graph");
    std::fs::write(&damaged_path, damaged).expect("write");
    let out = run(&[
        "route",
        "--graph",
        damaged_path.to_str().unwrap_or_default(),
        "--from",
        "7.42,43.73",
        "--to",
        "7.43,43.74",
    ]);
    assert!(error_line(&out).contains("damaged"));
}

#[test]
fn without_a_graph_the_straight_line_estimator_answers() {
    let out = run(&["route", "--from", "9.52,47.14", "--to", "9.52,47.15"]);
    let json = stdout_json(&out);
    assert_eq!(json["estimator"], "straight_line");
    let distance = json["distance"].as_f64().unwrap_or_default();
    assert!((distance - 1111.95 * 1.3).abs() < 1.0, "{distance}");
}
