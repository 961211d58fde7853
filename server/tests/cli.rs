//! The real `shipshape` binary, run as a user would.

use std::process::{Command, Output, Stdio};

fn shipshape(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shipshape"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the shipshape binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

const SCRIPT: &str = "# a comment line is skipped\n\
kubectl get nodes\n\
\n\
sim advance 30s\n\
kubectl get pods -n kube-system\n";

#[test]
fn run_is_byte_reproducible() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("basics.script");
    std::fs::write(&script, SCRIPT).unwrap();
    let script = script.to_str().unwrap();

    let first = shipshape(&["run", "--seed", "3", script]);
    let second = shipshape(&["run", "--seed", "3", script]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert_eq!(first.stdout, second.stdout);
    let text = stdout(&first);
    assert!(text.contains("$ kubectl get nodes\n"), "{text}");
    assert!(!text.contains("a comment line"), "{text}");
}

#[test]
fn run_reads_stdin_and_fails_with_1_on_a_bad_command() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_shipshape"))
        .args(["run", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"kubectl frobnicate\nkubectl get nodes\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    // The transcript goes on past the failure.
    let text = stdout(&output);
    assert!(text.contains("$ kubectl frobnicate"), "{text}");
    assert!(text.contains("$ kubectl get nodes"), "{text}");
}

#[test]
fn unknown_scenario_is_a_usage_error_that_lists_names() {
    let output = shipshape(&["run", "--scenario", "nope", "-"]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(message.contains("unknown scenario `nope`"), "{message}");
    for name in simulator::Scenario::names() {
        assert!(message.contains(&name.to_string()), "{message}");
    }
}

#[test]
fn missing_script_is_a_usage_error() {
    let output = shipshape(&["run", "/no/such/script.txt"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("/no/such/script.txt"));
}

#[test]
fn lessons_list_json_parses() {
    let output = shipshape(&["lessons", "list", "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let lessons = value.as_array().unwrap();
    assert!(
        lessons.iter().any(|l| l["id"] == "meet-the-cluster"),
        "{value}"
    );
}

#[test]
fn lessons_check_passes() {
    let output = shipshape(&["lessons", "check"]);
    assert!(output.status.success(), "{}", stdout(&output));
    assert!(stdout(&output).contains("ok  meet-the-cluster"));
}
