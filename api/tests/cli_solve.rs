//! `fieldpath solve` in-process: a Solomon instance solved, checked and written as VRPLIB;
//! malformed input rejected with one clear error.

use std::path::PathBuf;

use clap::Parser;
use fieldpath_api::cli::{run, Cli};
use solver::formats::{solomon, vrplib};
use solver::UnassignedReason;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../data/solomon")
        .join(name)
}

fn solve(instance: &std::path::Path, out: &std::path::Path) -> anyhow::Result<()> {
    let cli = Cli::try_parse_from([
        "fieldpath".as_ref(),
        "solve".as_ref(),
        "--solomon".as_ref(),
        instance.as_os_str(),
        "--seconds".as_ref(),
        "1".as_ref(),
        "--threads".as_ref(),
        "1".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ])?;
    run(cli)
}

#[test]
fn solves_c101_and_writes_a_checked_vrplib_solution() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("c101.sol");
    solve(&data("c101.txt"), &out).expect("solve succeeds");

    let text = std::fs::read_to_string(&out).expect("solution written");
    let sol = vrplib::parse(&text).expect("valid VRPLIB");
    let instance =
        solomon::parse(&std::fs::read_to_string(data("c101.txt")).expect("read")).expect("parse");
    let problem = &instance.problem;
    let routes = vrplib::job_indices(problem, &sol).expect("known customers");
    let rebuilt = solver::check::assemble(
        problem,
        routes
            .into_iter()
            .enumerate()
            .map(|(t, jobs)| (t, jobs.into_iter().map(solver::Step::Job).collect()))
            .collect(),
        UnassignedReason::NoRoom,
    );
    let checked = solver::check::check(problem, &rebuilt).expect("file solution is feasible");
    assert_eq!(checked.summary.served, 100);
    let cost = sol.cost.expect("Cost line");
    assert!((cost - checked.summary.distance).abs() < 0.006, "{cost}");
    assert!(checked.summary.technicians_used <= 12);
}

#[test]
fn malformed_instance_is_one_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.txt");
    let text = std::fs::read_to_string(data("c101.txt")).expect("read");
    std::fs::write(&bad, text.replacen("   45         68", "   45    oops", 1)).expect("write");
    let err = solve(&bad, &dir.path().join("x.sol")).expect_err("malformed");
    let msg = format!("{err:#}");
    assert!(
        msg.contains("bad.txt") && msg.contains("line 11") && msg.contains("expected"),
        "{msg}"
    );
    assert!(!msg.contains('\n'), "one line: {msg}");

    let err = solve(&dir.path().join("missing.txt"), &dir.path().join("x.sol"))
        .expect_err("missing file");
    assert!(format!("{err:#}").contains("cannot read instance file"));
}
