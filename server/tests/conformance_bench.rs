//! `shipshape conformance` and `shipshape bench scheduler|workshop`, run as the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use server::workshop::store::postgresql::ScratchDatabase;

const VECTORS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/reference/vectors"
);
const K8S_AND_IMAGES: [&str; 6] = [
    "tolerations",
    "scheduler",
    "hpa",
    "rolling",
    "kubelet",
    "images",
];

fn shipshape<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shipshape"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the shipshape binary runs")
}

fn conformance<P: AsRef<Path>>(files: &[P]) -> Output {
    let mut args = vec![std::ffi::OsString::from("conformance")];
    args.extend(files.iter().map(|f| f.as_ref().as_os_str().to_owned()));
    shipshape(&args)
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn vector(name: &str) -> PathBuf {
    let dir = Path::new(VECTORS);
    assert!(
        dir.is_dir(),
        "{} is missing: the shared reference directory (../shared) must be beside the clone",
        dir.display()
    );
    dir.join(format!("{name}.json"))
}

fn case_ids(path: &Path) -> Vec<String> {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_vector_passes_ecs_included() {
    let mut files: Vec<PathBuf> = K8S_AND_IMAGES.iter().map(|n| vector(n)).collect();
    files.push(vector("ecs"));
    let output = conformance(&files);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}{}", stderr(&output));

    let expected_cases: usize = files.iter().map(|f| case_ids(f).len()).sum();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), expected_cases + 1, "{text}");
    for line in &lines[..expected_cases] {
        assert!(line.starts_with("PASS "), "{line}");
    }
    assert_eq!(
        lines[expected_cases],
        format!("{expected_cases} passed, 0 failed, 0 skipped")
    );
}

#[test]
fn each_file_alone_has_no_failures_or_skips() {
    for name in K8S_AND_IMAGES.iter().copied().chain(["ecs"]) {
        let output = conformance(&[vector(name)]);
        let text = stdout(&output);
        assert!(output.status.success(), "{name}: {text}");
        assert!(text.ends_with(" failed, 0 skipped\n"), "{name}: {text}");
        assert!(text.contains(" passed, 0 failed, "), "{name}: {text}");
    }
}

#[test]
fn a_doctored_vector_fails_with_expected_and_got() {
    let mut doc: Value =
        serde_json::from_str(&std::fs::read_to_string(vector("scheduler")).unwrap()).unwrap();
    let case = doc["cases"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|c| c["kind"] == "numFeasibleNodesToFind")
        .expect("scheduler.json has a numFeasibleNodesToFind case");
    let id = case["id"].as_str().unwrap().to_string();
    let right = case["expected"]["numNodes"].as_i64().unwrap();
    case["expected"]["numNodes"] = Value::from(right + 1);
    let dir = tempfile::tempdir().unwrap();
    let doctored = dir.path().join("scheduler.json");
    std::fs::write(&doctored, serde_json::to_string(&doc).unwrap()).unwrap();

    let output = conformance(&[&doctored]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    let want = format!(
        "FAIL {id}: expected {{\"numNodes\":{}}}, got {{\"numNodes\":{right}}}\n",
        right + 1
    );
    assert!(text.contains(&want), "{want} not in:\n{text}");
    assert!(text.ends_with(" passed, 1 failed, 0 skipped\n"), "{text}");
}

#[test]
fn unreadable_and_invalid_files_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.json");
    let output = conformance(&[&missing]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).starts_with(&format!("error: cannot read {}: ", missing.display())),
        "{}",
        stderr(&output)
    );
    assert!(stdout(&output).is_empty());

    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"cases\": [").unwrap();
    let output = conformance(&[vector("hpa"), bad.clone()]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.starts_with(&format!(
            "error: {} is not a valid vector file: ",
            bad.display()
        )),
        "{err}"
    );
    assert!(stdout(&output).is_empty());

    // No files at all is a usage error (clap).
    assert_eq!(shipshape(&["conformance"]).status.code(), Some(2));
}

#[test]
fn bench_scheduler_reports_throughput_and_memory() {
    let output = shipshape(&[
        "bench",
        "scheduler",
        "--nodes",
        "200",
        "--pods",
        "400",
        "--seed",
        "7",
    ]);
    let text = stdout(&output);
    assert!(output.status.success(), "{text}{}", stderr(&output));
    assert!(
        text.contains("scheduled 400 pods on 200 nodes in "),
        "{text}"
    );
    assert!(text.contains(" pods/s\n"), "{text}");
    if cfg!(target_os = "linux") {
        assert!(
            text.lines()
                .any(|l| l.starts_with("peak memory: ") && l.ends_with(" MB")),
            "{text}"
        );
    }
    assert!(
        text.contains(
            "upstream kube-scheduler CI threshold for SchedulingBasic 5000 nodes: 810 pods/s"
        ),
        "{text}"
    );
}

/// A correctness smoke test of `shipshape bench workshop`: a handful of students for a
/// moment against the in-process server, on SQLite and on PostgreSQL. It never asserts on
/// time, only that every post was acknowledged, nothing acknowledged was lost, and the
/// report has its lines.
#[test]
fn bench_workshop_acknowledges_and_keeps_every_event() {
    bench_workshop_smoke(None);
}

/// The same on PostgreSQL, where the stream is fed by LISTEN/NOTIFY.
#[test]
fn bench_workshop_on_postgres_acknowledges_and_keeps_every_event() {
    if let Some(scratch) = ScratchDatabase::from_env() {
        bench_workshop_smoke(Some(scratch.url()));
    }
}

fn bench_workshop_smoke(database_url: Option<&str>) {
    let mut args = vec![
        "bench",
        "workshop",
        "--students",
        "6",
        "--interval",
        "100ms",
        "--duration",
        "1s",
    ];
    if let Some(url) = database_url {
        args.extend(["--database-url", url]);
    }
    let output = shipshape(&args);
    let text = stdout(&output);
    assert!(output.status.success(), "{text}{}", stderr(&output));
    let line = |prefix: &str| {
        text.lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no `{prefix}` line in:\n{text}"))
            .to_owned()
    };
    assert!(
        line("workload: ").contains("6 students each posting a progress event every 100ms for 1s")
    );
    let server = line("server: ");
    assert!(
        server.contains("in-process at http://127.0.0.1:"),
        "{server}"
    );
    let backend = if database_url.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    assert!(server.contains(backend), "{server}");
    // 6 students × 10 posts, every one acknowledged.
    let progress = line("progress: ");
    assert!(
        progress.starts_with("progress: 60 sent, 60 acknowledged in "),
        "{text}"
    );
    assert!(progress.ends_with(" acks/s; errors: none"), "{text}");
    assert!(line("ack latency (request sent → 201 read): p50 ").contains(" ms, p99 "));
    assert!(
        line("dashboard delay (201 read → same id on the stream): p50 ").contains(" of 60 relayed")
    );
    assert_eq!(
        line("lost: "),
        "lost: 0 (acknowledged but missing: 0 from the stream, 0 from the database, which holds 60 progress rows for the workshop)"
    );
}
