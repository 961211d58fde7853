//! Command-line parsing and help texts (hand-written: xtask stays std-only).

use std::path::PathBuf;

use crate::build::Profile;
use crate::error::{Error, Result, bail};
use crate::serve::{self, DEFAULT_PORT};
use crate::setup::{self, Scope, TRUNK_VERSION, WASM_OPT_VERSION};
use crate::test::{self, Stage};

/// What the person asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Task {
    /// Print a help text.
    Help(String),
    /// `cargo xtask setup`.
    Setup(Scope),
    /// `cargo xtask build`.
    Build(Profile),
    /// `cargo xtask serve`.
    Serve(serve::Options),
    /// `cargo xtask test`.
    Test(test::Options),
    /// `cargo xtask bench`.
    Bench,
}

/// Parses the arguments after `cargo xtask`.
pub fn parse(args: &[String]) -> Result<Task> {
    let Some((command, rest)) = args.split_first() else {
        return Ok(Task::Help(main_help()));
    };
    let help = |text: String| -> Result<Option<Task>> {
        let wants_help = rest.iter().any(|a| a == "-h" || a == "--help");
        Ok(wants_help.then_some(Task::Help(text)))
    };
    match command.as_str() {
        "-h" | "--help" => Ok(Task::Help(main_help())),
        "help" => match rest.first().map(String::as_str) {
            None => Ok(Task::Help(main_help())),
            Some(topic) => topic_help(topic).map(Task::Help),
        },
        "setup" => {
            if let Some(task) = help(setup_help())? {
                return Ok(task);
            }
            let mut scope = Scope::Everything;
            let mut flags = Flags::new("setup", rest);
            while let Some(flag) = flags.next_flag()? {
                match flag.as_str() {
                    "--no-browser" => scope = Scope::NoBrowser,
                    _ => return Err(flags.unknown(&flag)),
                }
            }
            Ok(Task::Setup(scope))
        }
        "build" => {
            if let Some(task) = help(build_help())? {
                return Ok(task);
            }
            let mut profile = Profile::Debug;
            let mut flags = Flags::new("build", rest);
            while let Some(flag) = flags.next_flag()? {
                match flag.as_str() {
                    "--release" | "-r" => profile = Profile::Release,
                    _ => return Err(flags.unknown(&flag)),
                }
            }
            Ok(Task::Build(profile))
        }
        "serve" => {
            if let Some(task) = help(serve_help())? {
                return Ok(task);
            }
            let mut options = serve::Options::default();
            let mut flags = Flags::new("serve", rest);
            while let Some(flag) = flags.next_flag()? {
                match flag.as_str() {
                    "--port" | "-p" => {
                        let value = flags.value(&flag)?;
                        options.port = value.parse().map_err(|_| {
                            Error::new(format!(
                                "--port takes a port number (1-65535), not `{value}`"
                            ))
                        })?;
                    }
                    "--data" => options.data = Some(PathBuf::from(flags.value(&flag)?)),
                    "--dev" => options.dev = true,
                    _ => return Err(flags.unknown(&flag)),
                }
            }
            Ok(Task::Serve(options))
        }
        "test" => {
            if let Some(task) = help(test_help())? {
                return Ok(task);
            }
            let mut options = test::Options::default();
            let mut flags = Flags::new("test", rest);
            while let Some(flag) = flags.next_flag()? {
                match flag.as_str() {
                    "--skip-browser" => options.skip_browser = true,
                    "--only" => {
                        for name in flags.value(&flag)?.split(',').filter(|n| !n.is_empty()) {
                            let stage = Stage::from_name(name).ok_or_else(|| {
                                Error::new(format!(
                                    "unknown stage `{name}`; stages: {}",
                                    stage_names()
                                ))
                            })?;
                            options.only.push(stage);
                        }
                    }
                    _ => return Err(flags.unknown(&flag)),
                }
            }
            Ok(Task::Test(options))
        }
        "bench" => {
            if let Some(task) = help(bench_help())? {
                return Ok(task);
            }
            let mut flags = Flags::new("bench", rest);
            if let Some(flag) = flags.next_flag()? {
                return Err(flags.unknown(&flag));
            }
            Ok(Task::Bench)
        }
        other => bail!("unknown command `{other}`\n\n{}", main_help()),
    }
}

/// Walks `--flag`, `--flag value` and `--flag=value` arguments.
struct Flags<'a> {
    command: &'static str,
    args: std::slice::Iter<'a, String>,
    inline_value: Option<String>,
}

impl<'a> Flags<'a> {
    fn new(command: &'static str, args: &'a [String]) -> Self {
        Self {
            command,
            args: args.iter(),
            inline_value: None,
        }
    }

    fn next_flag(&mut self) -> Result<Option<String>> {
        if let Some(value) = self.inline_value.take() {
            bail!("unexpected value `{value}` ({})", self.hint());
        }
        let Some(arg) = self.args.next() else {
            return Ok(None);
        };
        if !arg.starts_with('-') {
            bail!("unexpected argument `{arg}` ({})", self.hint());
        }
        match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                self.inline_value = Some(value.to_string());
                Ok(Some(flag.to_string()))
            }
            _ => Ok(Some(arg.clone())),
        }
    }

    fn value(&mut self, flag: &str) -> Result<String> {
        if let Some(value) = self.inline_value.take() {
            return Ok(value);
        }
        match self.args.next() {
            Some(value) if !value.starts_with("--") => Ok(value.clone()),
            _ => bail!("{flag} needs a value ({})", self.hint()),
        }
    }

    fn unknown(&self, flag: &str) -> Error {
        Error::new(format!("unknown option `{flag}` ({})", self.hint()))
    }

    fn hint(&self) -> String {
        format!("see `cargo xtask {} --help`", self.command)
    }
}

fn topic_help(topic: &str) -> Result<String> {
    match topic {
        "setup" => Ok(setup_help()),
        "build" => Ok(build_help()),
        "serve" => Ok(serve_help()),
        "test" => Ok(test_help()),
        "bench" => Ok(bench_help()),
        other => bail!("no help for `{other}`: commands are setup, build, serve, test, bench"),
    }
}

fn stage_names() -> String {
    Stage::ALL.map(Stage::name).join(", ")
}

/// `cargo xtask --help`.
pub fn main_help() -> String {
    format!(
        "\
Shipshape developer tasks.

Usage: cargo xtask <COMMAND> [OPTIONS]

Commands:
  setup   Install the build and test tools that are missing (safe to re-run)
  build   Build the web app (Trunk, into dist/) and the `shipshape` server
  serve   Build in release mode and serve the app on http://127.0.0.1:{DEFAULT_PORT}
  test    Run every check and test, stopping at the first failure (what CI runs)
  bench   Measure bundle size, timeline seeks and diagram updates (release, Chromium)
  help    Print this message or a command's help

Run `cargo xtask <COMMAND> --help` for a command's options."
    )
}

fn bench_help() -> String {
    format!(
        "\
Measure the app's performance in headless Chromium against a release build, and the
simulator's timeline seeks natively. Reports figures; nothing fails on time.

Usage: cargo xtask bench

Measures:
  - the bundle in dist/: each file raw and brotli (quality 11)
  - seeking a sandbox timeline of over 10,000 events (slider input to layout done)
  - a 200-pod diagram update (moving the timeline over a step that removes 50 pods)
  - `shipshape bench timeline` (native seeks over a 10,000-event timeline)
The browser part's report is also written to {report}.

Options:
  -h, --help  Print help",
        report = crate::bench::REPORT,
    )
}

fn setup_help() -> String {
    format!(
        "\
Install what building and testing Shipshape needs, skipping what is already there.

Usage: cargo xtask setup [--no-browser]

Installs, if missing:
  - the {target} Rust target (rustup)
  - trunk {TRUNK_VERSION} and wasm-bindgen-cli at Cargo.lock's wasm-bindgen version
    (cargo install; ~15 min on 2 cores, the bulk of a cold set-up)
  - wasm-opt {WASM_OPT_VERSION} (npm binaryen, into xtask/node_modules)
  - Node.js and npm (apt)
  - PostgreSQL server binaries (apt `postgresql`; the workshop store's tests run
    against a throw-away cluster `cargo xtask test` starts, never Debian's own)
  - for browser tests: Chromium (apt) and playwright-core (npm, into
    tests/browser/node_modules; it never downloads a browser)
A second run installs nothing and takes about a second.

Options:
      --no-browser  Skip Chromium and the browser tests' npm packages
  -h, --help        Print help",
        target = setup::WASM_TARGET,
    )
}

fn build_help() -> String {
    "\
Build the web app with Trunk (app/ into dist/) and the `shipshape` server binary.
Installs missing build tools first (Rust target, Trunk, wasm-bindgen, wasm-opt,
Node.js; not PostgreSQL or the browser tools).

Usage: cargo xtask build [--release]

Options:
  -r, --release  Optimised build (wasm-opt; target/release/shipshape)
  -h, --help     Print help"
        .to_string()
}

fn serve_help() -> String {
    format!(
        "\
Build (release unless --dev), then run `shipshape serve` with the built app.

Usage: cargo xtask serve [--port PORT] [--data DIR] [--dev]

Options:
  -p, --port PORT  Port to listen on [default: {DEFAULT_PORT}]
      --data DIR   Where the server keeps workshop data [default: data/]
      --dev        Debug build: quicker to compile, slower to run
  -h, --help       Print help"
    )
}

fn test_help() -> String {
    let stages: Vec<String> = Stage::ALL
        .iter()
        .map(|stage| format!("  {:<11} {}", stage.name(), stage.summary()))
        .collect();
    format!(
        "\
Run every check and test, stage by stage, stopping at the first failure.
Prints each stage's duration and ends with `test: N passed, M failed`.
The cargo-test stage starts a throw-away PostgreSQL server (a fresh cluster on a free
port, deleted afterwards) and passes its URL to the tests as SHIPSHAPE_TEST_POSTGRES,
with SHIPSHAPE_REQUIRE_POSTGRES=1; set SHIPSHAPE_TEST_POSTGRES yourself to use your
own server instead.

Usage: cargo xtask test [--skip-browser] [--only STAGE[,STAGE...]]

Stages, in order:
{}

Options:
      --skip-browser  Skip the browser stage (and installing Chromium)
      --only STAGES   Run only these stages, e.g. `--only fmt,clippy`
  -h, --help          Print help",
        stages.join("\n")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_args(args: &[&str]) -> Result<Task> {
        parse(&args.iter().map(|a| a.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn no_arguments_prints_help() {
        assert_eq!(parse_args(&[]).unwrap(), Task::Help(main_help()));
        assert_eq!(parse_args(&["--help"]).unwrap(), Task::Help(main_help()));
        assert_eq!(
            parse_args(&["help", "test"]).unwrap(),
            Task::Help(test_help())
        );
        assert_eq!(
            parse_args(&["serve", "-h"]).unwrap(),
            Task::Help(serve_help())
        );
    }

    #[test]
    fn setup_and_build() {
        assert_eq!(
            parse_args(&["setup"]).unwrap(),
            Task::Setup(Scope::Everything)
        );
        assert_eq!(
            parse_args(&["setup", "--no-browser"]).unwrap(),
            Task::Setup(Scope::NoBrowser)
        );
        assert_eq!(parse_args(&["build"]).unwrap(), Task::Build(Profile::Debug));
        assert_eq!(
            parse_args(&["build", "--release"]).unwrap(),
            Task::Build(Profile::Release)
        );
    }

    #[test]
    fn serve_options() {
        assert_eq!(
            parse_args(&["serve"]).unwrap(),
            Task::Serve(serve::Options::default())
        );
        let Task::Serve(options) =
            parse_args(&["serve", "--port", "9000", "--data=/tmp/d", "--dev"]).unwrap()
        else {
            panic!("not serve");
        };
        assert_eq!(options.port, 9000);
        assert_eq!(options.data, Some(PathBuf::from("/tmp/d")));
        assert!(options.dev);
        assert!(parse_args(&["serve", "--port", "http"]).is_err());
        assert!(parse_args(&["serve", "--port"]).is_err());
    }

    #[test]
    fn test_options() {
        let Task::Test(options) =
            parse_args(&["test", "--skip-browser", "--only", "fmt,clippy"]).unwrap()
        else {
            panic!("not test");
        };
        assert!(options.skip_browser);
        assert_eq!(options.only, vec![Stage::Fmt, Stage::Clippy]);
        let err = parse_args(&["test", "--only", "lint"]).unwrap_err();
        assert!(err.to_string().contains("cargo-test"), "{err}");
    }

    #[test]
    fn mistakes_are_explained() {
        let err = parse_args(&["build", "--fast"]).unwrap_err().to_string();
        assert!(err.contains("cargo xtask build --help"), "{err}");
        let err = parse_args(&["deploy"]).unwrap_err().to_string();
        assert!(err.contains("unknown command `deploy`"), "{err}");
        assert!(parse_args(&["setup", "--no-browser=yes"]).is_err());
    }
}
