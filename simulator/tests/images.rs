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

// ---------------------------------------------------------------------------------------
// Builder golden scenarios.

use simulator::image::builder::{BuildCache, BuildReport, BuildRequest, StepKind, build};
use simulator::image::catalog::Catalog;
use simulator::workspace::Workspace;

const PACKAGE_JSON: &str = r#"{"name":"app","dependencies":{"express":"^4.19.2","pg":"^8.11.0","zod":"^3.23.0"},"devDependencies":{"vite":"^5.0.0","typescript":"^5.4.0","eslint":"^9.0.0"}}"#;

fn node_app() -> Workspace {
    let mut w = Workspace::new();
    w.insert("package.json", PACKAGE_JSON);
    w.insert("package-lock.json", "{\"lockfileVersion\":3}");
    w.insert(
        "src/app.js",
        "const express = require('express');\nexpress().listen(3000);\n",
    );
    w.insert("src/util.js", "module.exports = {};\n");
    w
}

fn run(df_src: &str, ws: &Workspace, req: &BuildRequest, cache: &mut BuildCache) -> BuildReport {
    let df = Dockerfile::parse(df_src).expect("parses");
    let report = build(&df, ws, req, cache, &Catalog::standard()).expect("builds");
    cache.record(&report);
    report
}

fn step<'a>(r: &'a BuildReport, prefix: &str) -> &'a simulator::image::builder::BuildStep {
    r.steps
        .iter()
        .find(|s| s.instruction.starts_with(prefix))
        .unwrap_or_else(|| panic!("no step {prefix} in {:#?}", r.output))
}

const NAIVE: &str =
    "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"src/app.js\"]\n";
const ORDERED: &str = "FROM node:22\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nCMD [\"node\", \"src/app.js\"]\n";

#[test]
fn copy_before_npm_ci_rebuilds_dependencies_but_reordered_hits_cache() {
    let req = BuildRequest {
        tag: Some("app".into()),
        ..BuildRequest::default()
    };
    let mut ws = node_app();

    let mut cache = BuildCache::new();
    let first = run(NAIVE, &ws, &req, &mut cache);
    assert!(
        first
            .steps
            .iter()
            .all(|s| !s.cached || s.kind == StepKind::From)
    );
    ws.insert(
        "src/app.js",
        "const express = require('express');\nexpress().listen(8080);\n",
    );
    let second = run(NAIVE, &ws, &req, &mut cache);
    assert!(step(&second, "WORKDIR").cached);
    let copy = step(&second, "COPY . .");
    assert!(!copy.cached);
    assert!(copy.reason.contains("src/app.js"), "{}", copy.reason);
    let npm = step(&second, "RUN npm ci");
    assert!(!npm.cached, "npm ci must rebuild after a source change");
    assert!(npm.reason.contains("propagates"), "{}", npm.reason);
    assert!(
        second
            .output
            .iter()
            .any(|l| l.starts_with(" => CACHED [2/4] WORKDIR /app")),
        "{:#?}",
        second.output
    );
    assert!(
        second
            .output
            .iter()
            .any(|l| l.contains("naming to docker.io/library/app:latest"))
    );

    let mut ws = node_app();
    let mut cache = BuildCache::new();
    run(ORDERED, &ws, &req, &mut cache);
    ws.insert(
        "src/app.js",
        "const express = require('express');\nexpress().listen(8080);\n",
    );
    let second = run(ORDERED, &ws, &req, &mut cache);
    assert!(step(&second, "COPY package*.json").cached);
    let npm = step(&second, "RUN npm ci");
    assert!(npm.cached, "npm ci should hit: {}", npm.reason);
    assert_eq!(npm.duration_ms, 0);
    assert!(!step(&second, "COPY . .").cached);
    assert!(
        second
            .plain_output
            .iter()
            .any(|l| l.ends_with("[4/5] RUN npm ci"))
    );
    assert!(second.plain_output.iter().any(|l| l.ends_with(" CACHED")));
}

#[test]
fn dockerignore_changes_checksum_and_size() {
    let req = BuildRequest::default();
    let mut ws = node_app();
    ws.insert("node_modules/express/index.js", "x".repeat(50_000));
    ws.insert(".git/objects/pack/big.pack", "shipshape:size=30MB\n");
    let mut cache = BuildCache::new();
    let without = run(NAIVE, &ws, &req, &mut cache);
    ws.insert(".dockerignore", "node_modules\n.git\n");
    let with = run(NAIVE, &ws, &req, &mut cache);
    let a = step(&without, "COPY . .");
    let b = step(&with, "COPY . .");
    assert_ne!(a.cache_key, b.cache_key);
    assert!(!b.cached);
    assert!(
        a.size_added > b.size_added + 30_000_000,
        "{} vs {}",
        a.size_added,
        b.size_added
    );
    assert!(
        !b.inputs
            .files
            .keys()
            .any(|p| p.starts_with("node_modules/") || p.starts_with(".git/"))
    );
    assert!(with.context_bytes < without.context_bytes);
}

#[test]
fn multi_stage_is_under_a_tenth_of_single_stage() {
    let single = "FROM node:22\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\nCMD [\"npx\", \"vite\", \"preview\"]\n";
    let multi = "FROM node:22 AS build\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\n\nFROM node:22 AS test\nRUN echo never built\n\nFROM nginx:1.27-alpine\nCOPY --from=build /app/dist /usr/share/nginx/html\n";
    let ws = node_app();
    let req = BuildRequest::default();
    let s = run(single, &ws, &req, &mut BuildCache::new());
    let m = run(multi, &ws, &req, &mut BuildCache::new());
    assert!(
        s.total_size > 1_100_000_000,
        "single-stage {}",
        s.total_size
    );
    assert!(
        m.total_size * 10 < s.total_size,
        "multi {} vs single {}",
        m.total_size,
        s.total_size
    );
    assert_eq!(m.skipped_stages.len(), 1);
    assert_eq!(m.skipped_stages[0].name, "test");
    let copy = step(&m, "COPY --from=build");
    assert!(copy.size_added < 5_000_000);
    assert!(
        m.output
            .iter()
            .any(|l| l.contains("[build 4/6] RUN npm ci")),
        "{:#?}",
        m.output
    );
    assert_eq!(
        m.image.config.config.cmd.as_deref(),
        Some(&["nginx".to_string(), "-g".into(), "daemon off;".into()][..])
    );
}

#[test]
fn arg_change_invalidates_at_first_use_not_definition() {
    let src = "FROM alpine:3.21\nRUN apk add --no-cache curl\nARG VERSION=1.0\nCOPY src/app.js /app.js\nRUN echo building $VERSION\nRUN echo done\n";
    let ws = node_app();
    let mut cache = BuildCache::new();
    run(src, &ws, &BuildRequest::default(), &mut cache);
    let mut req = BuildRequest::default();
    req.build_args.insert("VERSION".into(), "2.0".into());
    let r = run(src, &ws, &req, &mut cache);
    assert!(step(&r, "RUN apk add").cached);
    assert!(
        step(&r, "COPY src/app.js").cached,
        "COPY does not use VERSION"
    );
    let first_use = step(&r, "RUN echo building");
    assert!(!first_use.cached);
    assert!(
        first_use
            .reason
            .contains("ARG VERSION changed at first use"),
        "{}",
        first_use.reason
    );
    assert!(step(&r, "RUN echo done").reason.contains("propagates"));
}

#[test]
fn no_cache_misses_everything() {
    let ws = node_app();
    let mut cache = BuildCache::new();
    run(ORDERED, &ws, &BuildRequest::default(), &mut cache);
    let r = run(
        ORDERED,
        &ws,
        &BuildRequest {
            no_cache: true,
            ..BuildRequest::default()
        },
        &mut cache,
    );
    assert!(r.steps.iter().all(|s| !s.cached), "{:#?}", r.output);
    assert!(
        r.steps
            .iter()
            .filter(|s| s.kind != StepKind::From)
            .all(|s| s.reason.contains("--no-cache"))
    );
    // And the same inputs without --no-cache hit everything.
    let again = run(ORDERED, &ws, &BuildRequest::default(), &mut cache);
    assert!(again.steps.iter().all(|s| s.cached), "{:#?}", again.output);
}

#[test]
fn unknown_base_image_fails_like_buildkit() {
    let df = Dockerfile::parse("FROM nodee:22\n").unwrap();
    let err = build(
        &df,
        &Workspace::new(),
        &BuildRequest::default(),
        &BuildCache::new(),
        &Catalog::standard(),
    )
    .unwrap_err();
    assert!(
        err.message.starts_with("ERROR: failed to solve: nodee:22: failed to resolve source metadata for docker.io/library/nodee:22"),
        "{}",
        err.message
    );
    let df = Dockerfile::parse("FROM node:99\n").unwrap();
    let err = build(
        &df,
        &Workspace::new(),
        &BuildRequest::default(),
        &BuildCache::new(),
        &Catalog::standard(),
    )
    .unwrap_err();
    assert!(
        err.message
            .ends_with("docker.io/library/node:99: not found"),
        "{}",
        err.message
    );
}

/// Speed check, not a correctness test: `cargo test -p simulator --test images -- --ignored
/// --nocapture bench_parse_and_build_200_lines`.
#[test]
#[ignore]
#[allow(clippy::disallowed_types, clippy::disallowed_methods)]
fn bench_parse_and_build_200_lines() {
    let mut src = String::from(
        "# syntax=docker/dockerfile:1\nARG NODE=22\nFROM node:${NODE} AS build\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\n",
    );
    let mut i = 0;
    while src.lines().count() < 190 {
        src.push_str(&format!("ENV VAR_{i}=value_{i}\nRUN echo step {i} && \\\n    mkdir -p /tmp/{i}\nCOPY src/util.js /app/u{i}.js\n"));
        i += 1;
    }
    src.push_str("RUN npm run build\nFROM nginx:1.27-alpine\nCOPY --from=build /app/dist /usr/share/nginx/html\nEXPOSE 80\n");
    let lines = src.lines().count();
    let ws = node_app();
    let catalog = Catalog::standard();
    let cache = BuildCache::new();
    let n = 1000;
    let start = std::time::Instant::now();
    let mut total = 0u64;
    for _ in 0..n {
        let df = Dockerfile::parse(&src).expect("parses");
        let r = build(&df, &ws, &BuildRequest::default(), &cache, &catalog).expect("builds");
        total += r.total_size;
    }
    let per = start.elapsed() / n;
    eprintln!(
        "parse+build of a {lines}-line Dockerfile: {per:?} per iteration ({n} iterations, checksum {total})"
    );
}
