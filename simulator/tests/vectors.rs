//! Runs the upstream conformance vectors (`../shared/reference/vectors/*.json`, beside the
//! clone) through the simulator's own rule functions via `simulator::conformance`.
#![cfg(not(target_arch = "wasm32"))]

use simulator::conformance::{
    Report, ecs, hpa, images, kubelet, rolling, run_file, scheduler, tolerations,
};
use std::path::PathBuf;

fn vectors_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/reference/vectors"
    ))
}

fn run(name: &str, runner: fn(&str) -> Result<Report, String>) {
    let dir = vectors_dir();
    assert!(
        dir.is_dir(),
        "{} is missing: the shared reference directory (../shared) must be beside the clone",
        dir.display()
    );
    let path = dir.join(format!("{name}.json"));
    let json = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let report = runner(&json).unwrap_or_else(|e| panic!("{name}.json: {e}"));
    println!("== {name}.json");
    for line in &report.lines {
        println!("{line}");
    }
    let failures: Vec<&String> = report
        .lines
        .iter()
        .filter(|l| l.starts_with("FAIL") || l.starts_with("SKIP"))
        .collect();
    assert_eq!(
        (report.failed, report.skipped),
        (0, 0),
        "{name}.json: {} failed, {} skipped:\n{}",
        report.failed,
        report.skipped,
        failures
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(report.passed > 0, "{name}.json has no cases");
}

#[test]
fn tolerations_vectors() {
    run("tolerations", tolerations::run_vectors);
}

#[test]
fn scheduler_vectors() {
    run("scheduler", scheduler::run_vectors);
}

#[test]
fn hpa_vectors() {
    run("hpa", hpa::run_vectors);
}

#[test]
fn rolling_vectors() {
    run("rolling", rolling::run_vectors);
}

#[test]
fn kubelet_vectors() {
    run("kubelet", kubelet::run_vectors);
}

#[test]
fn images_vectors() {
    run("images", images::run_vectors);
}

#[test]
fn ecs_vectors() {
    run("ecs", ecs::run_vectors);
}

/// `run_file` (what `shipshape conformance` uses) routes every file by its topic: the same
/// counts as the topic's own runner, with nothing skipped or failed.
#[test]
fn run_file_routes_every_file() {
    for name in [
        "tolerations",
        "scheduler",
        "hpa",
        "rolling",
        "kubelet",
        "images",
        "ecs",
    ] {
        let Ok(json) = std::fs::read_to_string(vectors_dir().join(format!("{name}.json"))) else {
            continue;
        };
        let r = run_file(&json).unwrap();
        assert_eq!(r.failed, 0, "{name}.json: {:?}", r.lines);
        assert_eq!(r.skipped, 0, "{name}.json: {:?}", r.lines);
        assert!(r.passed > 0, "{name}.json");
    }
}

/// Other topics' files must skip cleanly, not fail, in every runner.
#[test]
fn foreign_kinds_skip() {
    type Runner = fn(&str) -> Result<Report, String>;
    let runners: [(&str, Runner); 6] = [
        ("tolerations", tolerations::run_vectors),
        ("scheduler", scheduler::run_vectors),
        ("hpa", hpa::run_vectors),
        ("rolling", rolling::run_vectors),
        ("kubelet", kubelet::run_vectors),
        ("ecs", ecs::run_vectors),
    ];
    for other in ["ecs", "images"] {
        let path = vectors_dir().join(format!("{other}.json"));
        let Ok(json) = std::fs::read_to_string(&path) else {
            continue;
        };
        for (name, runner) in runners {
            if name == other {
                continue;
            }
            let r = runner(&json).unwrap();
            assert_eq!((r.passed, r.failed), (0, 0), "{other}.json in {name}");
            assert!(r.skipped > 0);
        }
    }
}
