//! The one test command: every check and test in order, each stage timed, stopping at
//! the first failure. CI runs exactly this (`.ci/run` → `cargo xtask test`).

use std::fs;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::build::{self, Profile};
use crate::error::{Error, Result, bail};
use crate::postgres::{self, TestPostgres};
use crate::process::{self, format_duration};
use crate::serve::TestServer;
use crate::setup::{self, Scope, WASM_TARGET};
use crate::workspace::Workspace;

/// One stage of `cargo xtask test`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Install missing tools.
    Setup,
    /// `cargo fmt --check`.
    Fmt,
    /// `cargo clippy -D warnings`, native and the app for wasm32.
    Clippy,
    /// The simulator's dependency tree has no `getrandom`.
    Deps,
    /// `cargo test`, native: the workspace without the app (against a throw-away
    /// PostgreSQL server), then the app.
    CargoTest,
    /// The simulator's tests compiled to wasm32, run in Node.js.
    WasmTest,
    /// Release build of the app (Trunk) and the server.
    Build,
    /// Browser tests in Chromium against the release server.
    Browser,
}

impl Stage {
    /// Every stage, in the order they run.
    pub const ALL: [Stage; 8] = [
        Stage::Setup,
        Stage::Fmt,
        Stage::Clippy,
        Stage::Deps,
        Stage::CargoTest,
        Stage::WasmTest,
        Stage::Build,
        Stage::Browser,
    ];

    /// The stage's name, as `--only` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Setup => "setup",
            Stage::Fmt => "fmt",
            Stage::Clippy => "clippy",
            Stage::Deps => "deps",
            Stage::CargoTest => "cargo-test",
            Stage::WasmTest => "wasm-test",
            Stage::Build => "build",
            Stage::Browser => "browser",
        }
    }

    /// What the stage does, in a few words.
    pub fn summary(self) -> &'static str {
        match self {
            Stage::Setup => "install missing tools (as `cargo xtask setup`)",
            Stage::Fmt => "cargo fmt --all --check",
            Stage::Clippy => "cargo clippy -D warnings: workspace, and the app for wasm32",
            Stage::Deps => "determinism: no getrandom in the simulator's dependencies",
            Stage::CargoTest => "cargo test, native: workspace + throw-away PostgreSQL, then app",
            Stage::WasmTest => "simulator tests in wasm32 (wasm-bindgen-test-runner, Node.js)",
            Stage::Build => "release build: trunk build --release, shipshape server",
            Stage::Browser => "browser tests (tests/browser, Chromium) against the server",
        }
    }

    /// The stage called `name`, if any.
    pub fn from_name(name: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|stage| stage.name() == name)
    }
}

/// Options of `cargo xtask test`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Skip the browser stage and installing Chromium.
    pub skip_browser: bool,
    /// Run only these stages (all when empty).
    pub only: Vec<Stage>,
}

impl Options {
    /// The stages to run, in order.
    pub fn stages(&self) -> Vec<Stage> {
        Stage::ALL
            .into_iter()
            .filter(|stage| self.only.is_empty() || self.only.contains(stage))
            .filter(|stage| !(self.skip_browser && *stage == Stage::Browser))
            .collect()
    }
}

/// Runs the selected stages, printing a header and duration for each and a summary
/// ending in `test: N passed, M failed`. Fails at the first failing stage.
pub fn run(ws: &Workspace, options: &Options) -> Result<()> {
    let ws = &ws.clone().without_incremental();
    let stages = options.stages();
    let started = Instant::now();
    let mut passed: Vec<(Stage, Duration)> = Vec::new();
    for (index, &stage) in stages.iter().enumerate() {
        println!();
        println!(
            "==> [{}/{}] {}: {}",
            index + 1,
            stages.len(),
            stage.name(),
            stage.summary()
        );
        let stage_started = Instant::now();
        let outcome = run_stage(ws, stage, options);
        let elapsed = stage_started.elapsed();
        match outcome {
            Ok(()) => {
                println!(
                    "<== {} passed in {} ({})",
                    stage.name(),
                    format_duration(elapsed),
                    disk_report(ws)
                );
                passed.push((stage, elapsed));
            }
            Err(error) => {
                eprintln!();
                eprintln!(
                    "<== {} FAILED after {}:\n{error}",
                    stage.name(),
                    format_duration(elapsed)
                );
                print_summary(&passed, Some((stage, elapsed)), started.elapsed());
                return Err(Error::new(format!(
                    "stage `{}` failed (re-run just it with `cargo xtask test --only {}`)",
                    stage.name(),
                    stage.name()
                )));
            }
        }
    }
    print_summary(&passed, None, started.elapsed());
    Ok(())
}

/// How much `target/` holds and how much the disk has left: CI machines can be short
/// of disk, and a stage that fails with ENOSPC is easier to explain with these.
fn disk_report(ws: &Workspace) -> String {
    let target = dir_size(&ws.join("target"));
    let free = process::capture(
        ws.command("df")
            .args(["--output=avail", "-B1"])
            .arg(ws.join("target")),
    )
    .ok()
    .and_then(|out| out.lines().nth(1)?.trim().parse::<u64>().ok());
    match free {
        Some(free) => format!("target/ {}, {} free", gigabytes(target), gigabytes(free)),
        None => format!("target/ {}", gigabytes(target)),
    }
}

/// Bytes under `dir`, not following symlinks; unreadable entries count as zero.
fn dir_size(dir: &std::path::Path) -> u64 {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(|entry| entry.ok())
        .map(|entry| match entry.file_type() {
            Ok(kind) if kind.is_dir() => dir_size(&entry.path()),
            Ok(kind) if kind.is_file() => entry.metadata().map_or(0, |m| m.len()),
            _ => 0,
        })
        .sum()
}

/// `bytes` as gigabytes with one decimal.
fn gigabytes(bytes: u64) -> String {
    format!("{:.1} GB", bytes as f64 / 1e9)
}

fn print_summary(passed: &[(Stage, Duration)], failed: Option<(Stage, Duration)>, total: Duration) {
    println!();
    println!("summary:");
    for (stage, elapsed) in passed {
        println!(
            "  {:<11} ok      {:>8}",
            stage.name(),
            format_duration(*elapsed)
        );
    }
    if let Some((stage, elapsed)) = failed {
        println!(
            "  {:<11} FAILED  {:>8}",
            stage.name(),
            format_duration(elapsed)
        );
    }
    println!("  {:<11}         {:>8}", "total", format_duration(total));
    println!(
        "test: {} passed, {} failed",
        passed.len(),
        usize::from(failed.is_some())
    );
}

fn run_stage(ws: &Workspace, stage: Stage, options: &Options) -> Result<()> {
    match stage {
        Stage::Setup => {
            let scope = if options.skip_browser {
                Scope::NoBrowser
            } else {
                Scope::Everything
            };
            setup::run(ws, scope)
        }
        Stage::Fmt => process::run(ws.command("cargo").args(["fmt", "--all", "--check"])),
        Stage::Clippy => {
            process::run(ws.command("cargo").args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]))?;
            process::run(ws.command("cargo").args([
                "clippy",
                "-p",
                "app",
                "--target",
                WASM_TARGET,
                "--",
                "-D",
                "warnings",
            ]))
        }
        Stage::Deps => check_simulator_deps(ws),
        Stage::CargoTest => {
            // The app on its own, so that its dependencies' features (Leptos, web-sys)
            // don't change how the other crates' tests are built.
            with_test_postgres(ws, |started| {
                let mut cargo = ws.command("cargo");
                cargo.args(["test", "--workspace", "--exclude", "app"]);
                // A caller's own URL is inherited as it is (and, set here, would be
                // echoed with its password).
                if let Some(url) = started {
                    cargo.env(TEST_POSTGRES_VAR, url);
                }
                // A PostgreSQL test that cannot connect then fails instead of skipping,
                // so the run never passes without having run them.
                process::run(cargo.env("SHIPSHAPE_REQUIRE_POSTGRES", "1"))
            })?;
            process::run(ws.command("cargo").args(["test", "-p", "app"]))
        }
        Stage::WasmTest => process::run(
            ws.command("cargo")
                .args(["test", "-p", "simulator", "--target", WASM_TARGET])
                .env(
                    "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                    "wasm-bindgen-test-runner",
                ),
        ),
        Stage::Build => build::run(ws, Profile::Release),
        Stage::Browser => browser_tests(ws),
    }
}

/// The connection URL the server's PostgreSQL tests read: a role that may create and
/// drop databases.
const TEST_POSTGRES_VAR: &str = "SHIPSHAPE_TEST_POSTGRES";

/// Runs `body` with PostgreSQL for the tests: the caller's own `SHIPSHAPE_TEST_POSTGRES`
/// if set (`body` gets `None`: the variable is already in the environment), else a
/// throw-away server whose URL `body` gets, stopped (and its cluster deleted)
/// afterwards, whatever the outcome.
fn with_test_postgres(ws: &Workspace, body: impl FnOnce(Option<&str>) -> Result<()>) -> Result<()> {
    if let Some(url) = std::env::var(TEST_POSTGRES_VAR)
        .ok()
        .filter(|url| !url.is_empty())
    {
        println!(
            "postgres: using {TEST_POSTGRES_VAR}={} from the environment",
            postgres::redact_password(&url)
        );
        return body(None);
    }
    let server = TestPostgres::start(ws)?;
    println!("postgres: test server on {}", server.description());
    let outcome = body(Some(&server.url()));
    drop(server);
    outcome
}

/// The simulator must be a pure function of its inputs: nothing in its normal
/// dependency tree, for any target, may reach for OS randomness.
fn check_simulator_deps(ws: &Workspace) -> Result<()> {
    let args = ["tree", "-p", "simulator", "-e", "normal", "--target", "all"];
    println!("$ cargo {}", args.join(" "));
    let tree = process::capture(ws.command("cargo").args(args))?;
    let offending: Vec<&str> = tree
        .lines()
        .filter(|line| line.contains("getrandom"))
        .collect();
    if !offending.is_empty() {
        bail!(
            "the simulator depends on getrandom (OS randomness breaks determinism and \
             native/wasm equality):\n{}\nfind the path with \
             `cargo tree -p simulator -e normal --target all -i getrandom`; \
             seed a named RNG (rand_chacha) instead",
            offending.join("\n")
        );
    }
    println!(
        "simulator: {} crates in its normal dependency tree, none of them getrandom",
        distinct_crates(&tree)
    );
    Ok(())
}

/// How many distinct `name vX.Y.Z` entries a `cargo tree` listing has.
fn distinct_crates(tree: &str) -> usize {
    let crates: std::collections::BTreeSet<String> = tree
        .lines()
        .map(|line| line.trim_start_matches(|c: char| !c.is_alphanumeric()))
        .filter_map(|entry| {
            let mut words = entry.split_whitespace();
            Some(format!("{} {}", words.next()?, words.next()?))
        })
        .collect();
    crates.len()
}

/// Starts the release server on a free port and runs tests/browser/*.test.mjs against it.
fn browser_tests(ws: &Workspace) -> Result<()> {
    let dir = ws.join("tests/browser");
    if !dir.join("node_modules/playwright-core").is_dir() {
        bail!("tests/browser/node_modules is missing: run `cargo xtask setup`");
    }
    let files = test_files(&dir)?;
    if files.is_empty() {
        bail!("no *.test.mjs files in {}", dir.display());
    }
    with_release_server(ws, "browser-server.log", |url| {
        let mut node = ws.command("node");
        node.args(["--test", "--test-reporter=spec"])
            .args(&files)
            .env("SHIPSHAPE_URL", url)
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        let outcome = process::run(&mut node);
        if outcome.is_err() {
            eprintln!("screenshots: tests/browser/artifacts/");
        }
        outcome
    })
}

/// Starts the release server (dist/ and a throw-away data directory) on a free port,
/// runs `body` with its URL, and stops it whatever happens. On failure the server log's
/// last lines are printed, since a browser error often starts there.
pub fn with_release_server(
    ws: &Workspace,
    log_name: &str,
    body: impl FnOnce(&str) -> Result<()>,
) -> Result<()> {
    let log = ws.join("target/xtask").join(log_name);
    let server = TestServer::start(
        ws,
        &build::server_binary(ws, Profile::Release),
        &build::dist_dir(ws),
        &log,
    )?;
    let outcome = body(&server.url());
    if outcome.is_err() {
        eprintln!(
            "server log, last lines ({}):\n{}",
            log.display(),
            server.log_tail(40)
        );
    }
    // The server is stopped when `server` drops, whatever the outcome.
    drop(server);
    outcome
}

/// The `*.test.mjs` files directly in `dir`, sorted.
fn test_files(dir: &std::path::Path) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            path.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(".test.mjs"))
        })
        .collect();
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_names_round_trip() {
        for stage in Stage::ALL {
            assert_eq!(Stage::from_name(stage.name()), Some(stage));
        }
        assert_eq!(Stage::from_name("nope"), None);
    }

    #[test]
    fn selecting_stages() {
        assert_eq!(Options::default().stages(), Stage::ALL.to_vec());
        let skip = Options {
            skip_browser: true,
            only: vec![],
        };
        assert!(!skip.stages().contains(&Stage::Browser));
        let only = Options {
            skip_browser: false,
            only: vec![Stage::Clippy, Stage::Fmt],
        };
        assert_eq!(only.stages(), vec![Stage::Fmt, Stage::Clippy]);
    }

    #[test]
    fn counting_crates_in_a_tree() {
        let tree = "simulator v0.1.0 (/w/simulator)\n├── rand v0.9.2\n│   └── rand_core v0.9.3\n└── rand_chacha v0.9.0\n    └── rand_core v0.9.3\n";
        assert_eq!(distinct_crates(tree), 4);
    }

    #[test]
    fn browser_test_files_are_found() {
        let ws = Workspace::locate().unwrap();
        let files = test_files(&ws.join("tests/browser")).unwrap();
        assert!(
            files
                .iter()
                .all(|f| f.to_string_lossy().ends_with(".test.mjs"))
        );
    }
}
