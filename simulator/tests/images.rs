//! Container images: the `images.json` conformance vectors, the real-world Dockerfiles in
//! `shared/reference/real/docker/`, and golden `docker build` scenarios.
#![cfg(not(target_arch = "wasm32"))]

use simulator::image::conformance::run_case;
use simulator::image::dockerfile::Dockerfile;
use simulator::image::dockerfile::lint;
use std::path::PathBuf;

fn shared() -> PathBuf {
    let p = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/reference"
    ));
    assert!(
        p.is_dir(),
        "shared reference data not found at {} (expected the /work/shared checkout next to the workspace)",
        p.display()
    );
    p
}

#[test]
fn every_images_vector_passes() {
    let path = shared().join("vectors/images.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let doc: serde_json::Value = serde_json::from_str(&text).expect("images.json is JSON");
    let cases = doc["cases"].as_array().expect("cases array");
    assert!(!cases.is_empty());
    let mut failures = Vec::new();
    for case in cases {
        let id = case["id"].as_str().unwrap_or("?");
        let kind = case["kind"].as_str().unwrap_or("?");
        match run_case(kind, &case["input"], &case["expected"]) {
            None => failures.push(format!("{id}: kind {kind} not handled")),
            Some(Err(e)) => failures.push(format!("{id}: {e}")),
            Some(Ok(())) => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{} failing cases:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn real_dockerfiles_parse_and_lint() {
    let dir = shared().join("real/docker");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("real/docker listing") {
        let path = entry.expect("entry").path();
        let src = std::fs::read_to_string(&path).expect("utf-8 Dockerfile");
        let df = Dockerfile::parse(&src)
            .unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()));
        assert!(!df.stages.is_empty());
        let warnings = lint::check(&src, None)
            .unwrap_or_else(|e| panic!("{} lint parse error: {e}", path.display()));
        let lines = src.lines().count().max(1);
        for w in &warnings {
            assert!(w.line >= 1 && w.line <= lines, "{}: {w:?}", path.display());
        }
        n += 1;
    }
    assert!(n >= 10, "expected the real Dockerfiles, found {n}");
}
