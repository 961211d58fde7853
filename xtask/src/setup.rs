//! Tool installation: installs only what is missing, so a second run is a no-op.
//!
//! Everything is pinned so that a fresh Debian machine builds exactly what CI builds:
//! Trunk and wasm-bindgen-cli from crates.io (wasm-bindgen-cli matching the
//! `wasm-bindgen` crate in Cargo.lock), wasm-opt from npm's `binaryen` (Debian's is
//! too old and breaks the output), PostgreSQL, Chromium from Debian, playwright-core
//! from npm.

use std::fs;
use std::path::Path;
use std::time::Instant;

use crate::error::{Error, Result, bail};
use crate::postgres;
use crate::process::{self, format_duration};
use crate::workspace::Workspace;

/// The Trunk release the app is built with.
pub const TRUNK_VERSION: &str = "0.21.14";
/// The binaryen (wasm-opt) release, as Trunk.toml names it: `wasm_opt = "version_132"`.
pub const WASM_OPT_VERSION: &str = "version_132";
/// wasm-bindgen version used when neither Cargo.lock nor Cargo.toml pins one.
pub const FALLBACK_WASM_BINDGEN_VERSION: &str = "0.2.130";
/// The Rust target the app and the simulator's wasm tests compile for.
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// Debian's Chromium, the only browser the browser tests use.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// The oldest Node.js with a usable `node --test`.
const MIN_NODE_MAJOR: u32 = 18;

/// How much to install.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// What `cargo xtask build` needs: Rust target, Trunk, wasm-bindgen, wasm-opt, Node.js.
    Build,
    /// What the tests need short of a browser: the build tools and the PostgreSQL
    /// server the workshop store's tests run against.
    NoBrowser,
    /// Everything, including Chromium and the browser tests' Node packages.
    Everything,
}

/// Installs whatever `scope` needs and is missing, printing one `[setup]` line per tool.
pub fn run(ws: &Workspace, scope: Scope) -> Result<()> {
    let started = Instant::now();
    ensure_node(ws)?;
    ensure_wasm_target(ws)?;
    ensure_trunk(ws)?;
    ensure_wasm_bindgen(ws)?;
    ensure_wasm_opt(ws)?;
    if scope != Scope::Build {
        ensure_postgres(ws)?;
    }
    if scope == Scope::Everything {
        ensure_chromium(ws)?;
        ensure_browser_test_packages(ws)?;
    }
    check_trunk_toml(ws);
    println!("[setup] done in {}", format_duration(started.elapsed()));
    Ok(())
}

/// Prints the `[setup] LABEL ... ` line, and installs (then re-checks) if `present` is false.
fn ensure(
    label: &str,
    present: impl Fn() -> bool,
    takes: &str,
    install: impl FnOnce() -> Result<()>,
) -> Result<()> {
    if present() {
        println!("[setup] {label} ... already installed");
        return Ok(());
    }
    println!("[setup] {label} ... installing (takes {takes})");
    let started = Instant::now();
    install()?;
    if !present() {
        bail!(
            "[setup] {label}: installation finished but the tool is still missing or the wrong version"
        );
    }
    println!(
        "[setup] {label} ... installed in {}",
        format_duration(started.elapsed())
    );
    Ok(())
}

fn ensure_node(ws: &Workspace) -> Result<()> {
    let node_ok = || {
        let node = process::probe(ws.command("node").arg("--version"));
        let npm = process::probe(ws.command("npm").arg("--version"));
        npm.is_some() && node.as_deref().and_then(node_major) >= Some(MIN_NODE_MAJOR)
    };
    if let Some(version) = process::probe(ws.command("node").arg("--version"))
        && node_major(&version) < Some(MIN_NODE_MAJOR)
    {
        bail!(
            "Node.js {version} is too old: `node --test` needs Node.js {MIN_NODE_MAJOR} or newer; \
             please upgrade it"
        );
    }
    ensure("node + npm", node_ok, "~1 min", || {
        apt_install(ws, &["nodejs", "npm"])
    })
}

fn ensure_wasm_target(ws: &Workspace) -> Result<()> {
    // Run in the workspace so rustup uses the toolchain rust-toolchain.toml pins.
    let present = || {
        process::probe(ws.command("rustup").args(["target", "list", "--installed"]))
            .is_some_and(|targets| targets.lines().any(|t| t.trim() == WASM_TARGET))
    };
    if process::probe(ws.command("rustup").arg("--version")).is_none() {
        bail!("rustup is required (https://rustup.rs) to add the {WASM_TARGET} target");
    }
    ensure(
        &format!("rust target {WASM_TARGET}"),
        present,
        "~30 s",
        || process::run(ws.command("rustup").args(["target", "add", WASM_TARGET])),
    )
}

fn ensure_trunk(ws: &Workspace) -> Result<()> {
    let present = || {
        process::probe(ws.command("trunk").arg("--version"))
            .is_some_and(|out| reports_version(&out, "trunk", TRUNK_VERSION))
    };
    ensure(
        &format!("trunk {TRUNK_VERSION}"),
        present,
        "~10 min",
        || {
            process::run(ws.command("cargo").args([
                "install",
                "trunk",
                "--version",
                TRUNK_VERSION,
                "--locked",
            ]))
        },
    )
}

fn ensure_wasm_bindgen(ws: &Workspace) -> Result<()> {
    let version = wasm_bindgen_version(ws);
    let present = || {
        ["wasm-bindgen", "wasm-bindgen-test-runner"]
            .iter()
            .all(|tool| {
                process::probe(ws.command(tool).arg("--version"))
                    .is_some_and(|out| reports_version(&out, tool, &version))
            })
    };
    // Not --locked: wasm-bindgen-cli's own lock file lags its releases' needs.
    ensure(
        &format!("wasm-bindgen-cli {version}"),
        present,
        "~5 min",
        || {
            process::run(ws.command("cargo").args([
                "install",
                "wasm-bindgen-cli",
                "--version",
                &version,
            ]))
        },
    )
}

fn ensure_wasm_opt(ws: &Workspace) -> Result<()> {
    let wasm_opt = ws.join("xtask/node_modules/.bin/wasm-opt");
    let present = || {
        process::probe(ws.command(&wasm_opt).arg("--version"))
            .is_some_and(|out| out.contains(&format!("({WASM_OPT_VERSION})")))
    };
    ensure(
        &format!("wasm-opt {WASM_OPT_VERSION} (npm binaryen)"),
        present,
        "~10 s",
        || npm_ci(ws, "xtask"),
    )
}

fn ensure_postgres(ws: &Workspace) -> Result<()> {
    // The server binaries, not a running server: the test command starts its own
    // throw-away cluster (see postgres.rs) and never uses Debian's `main` one.
    let present = || postgres::bin_dir(Path::new(postgres::DEBIAN_ROOT)).is_some();
    ensure("postgresql (Debian)", present, "~1 min", || {
        apt_install(ws, &["postgresql"])
    })
}

fn ensure_chromium(ws: &Workspace) -> Result<()> {
    let present = || Path::new(CHROMIUM).is_file();
    ensure("chromium (Debian)", present, "~1 min", || {
        apt_install(ws, &["chromium", "chromium-driver"])
    })
}

fn ensure_browser_test_packages(ws: &Workspace) -> Result<()> {
    let dir = ws.join("tests/browser");
    let wanted = fs::read_to_string(dir.join("package-lock.json"))
        .ok()
        .and_then(|lock| locked_npm_version(&lock, "playwright-core"));
    let present = || {
        let installed = fs::read_to_string(dir.join("node_modules/playwright-core/package.json"))
            .ok()
            .and_then(|manifest| json_string_field(&manifest, "version"));
        installed.is_some() && (wanted.is_none() || installed == wanted)
    };
    let label = match &wanted {
        Some(version) => format!("playwright-core {version} (npm, no browser download)"),
        None => "playwright-core (npm, no browser download)".to_string(),
    };
    ensure(&label, present, "~10 s", || npm_ci(ws, "tests/browser"))
}

/// `npm ci` in `dir`: installs exactly what package-lock.json says. Never a browser.
fn npm_ci(ws: &Workspace, dir: &str) -> Result<()> {
    process::run(
        ws.command_in(dir, "npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"),
    )
}

/// `apt-get update && apt-get install -y PACKAGES`, as root or through `sudo -n`.
fn apt_install(ws: &Workspace, packages: &[&str]) -> Result<()> {
    let wanted = packages.join(" ");
    let is_root = process::probe(ws.command("id").arg("-u")).as_deref() == Some("0");
    let sudo = process::probe(ws.command("sudo").arg("--version")).is_some();
    if !is_root && !sudo {
        bail!(
            "installing {wanted} needs root: run `apt-get install -y {wanted}` as root, \
             then run this command again"
        );
    }
    let apt = |args: &[&str]| {
        let mut command = if is_root {
            ws.command("apt-get")
        } else {
            let mut sudo = ws.command("sudo");
            sudo.args(["-n", "apt-get"]);
            sudo
        };
        command.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        process::run(&mut command).map_err(|e| {
            Error::new(format!(
                "{e}\n(installing {wanted} with apt-get; without root, `sudo -n` must work)"
            ))
        })
    };
    apt(&["update"])?;
    let mut install = vec!["install", "-y"];
    install.extend_from_slice(packages);
    apt(&install)
}

/// The wasm-bindgen version the workspace builds with: from Cargo.lock, else the
/// `=x.y.z` pin in the root Cargo.toml, else [`FALLBACK_WASM_BINDGEN_VERSION`].
pub fn wasm_bindgen_version(ws: &Workspace) -> String {
    let from_lock = fs::read_to_string(ws.join("Cargo.lock"))
        .ok()
        .and_then(|lock| locked_crate_version(&lock, "wasm-bindgen"));
    let from_manifest = || {
        fs::read_to_string(ws.join("Cargo.toml"))
            .ok()
            .and_then(|manifest| pinned_crate_version(&manifest, "wasm-bindgen"))
    };
    from_lock
        .or_else(from_manifest)
        .unwrap_or_else(|| FALLBACK_WASM_BINDGEN_VERSION.to_string())
}

/// Warns when Trunk.toml asks for tool versions other than the ones setup installs:
/// Trunk would then try to download them, which fails offline.
fn check_trunk_toml(ws: &Workspace) {
    let Ok(trunk_toml) = fs::read_to_string(ws.join("Trunk.toml")) else {
        return;
    };
    let expected = [
        ("wasm_bindgen", wasm_bindgen_version(ws)),
        ("wasm_opt", WASM_OPT_VERSION.to_string()),
    ];
    for (key, want) in expected {
        if let Some(got) = toml_string_value(&trunk_toml, key)
            && got != want
        {
            println!(
                "[setup] warning: Trunk.toml has {key} = \"{got}\" but setup installs {want}; \
                 Trunk will try to download {got} and fail offline"
            );
        }
    }
}

/// Whether `tool --version` output is `TOOL VERSION` (ignoring anything after).
fn reports_version(output: &str, tool: &str, version: &str) -> bool {
    let mut words = output.split_whitespace();
    words.next() == Some(tool) && words.next() == Some(version)
}

/// The major version in `node --version` output such as `v20.20.2`.
fn node_major(output: &str) -> Option<u32> {
    output
        .trim()
        .trim_start_matches('v')
        .split('.')
        .next()?
        .parse()
        .ok()
}

/// The version of `package` in a Cargo.lock.
fn locked_crate_version(lock: &str, package: &str) -> Option<String> {
    let mut in_package = false;
    for line in lock.lines().map(str::trim) {
        if line == "[[package]]" {
            in_package = false;
        } else if let Some(name) = line.strip_prefix("name = ") {
            in_package = name.trim_matches('"') == package;
        } else if in_package && let Some(version) = line.strip_prefix("version = ") {
            return Some(version.trim_matches('"').to_string());
        }
    }
    None
}

/// The exact `=x.y.z` requirement for `package` in a Cargo.toml, as `x.y.z`.
fn pinned_crate_version(manifest: &str, package: &str) -> Option<String> {
    manifest.lines().map(str::trim).find_map(|line| {
        let rest = line.strip_prefix(package)?.trim_start().strip_prefix('=')?;
        let quoted = rest.split('"').nth(1)?;
        let version = quoted.strip_prefix('=')?.trim();
        let numeric = version.split('.').count() == 3
            && version.split('.').all(|part| part.parse::<u32>().is_ok());
        numeric.then(|| version.to_string())
    })
}

/// The version of `node_modules/PACKAGE` in an npm package-lock.json (lockfile v2/v3).
fn locked_npm_version(lock: &str, package: &str) -> Option<String> {
    let key = format!("\"node_modules/{package}\"");
    let entry = &lock[lock.find(&key)? + key.len()..];
    json_string_field(entry, "version")
}

/// The first `"field": "value"` string value in a JSON text.
fn json_string_field(json: &str, field: &str) -> Option<String> {
    let key = format!("\"{field}\"");
    let after_key = &json[json.find(&key)? + key.len()..];
    let value = after_key.trim_start().strip_prefix(':')?.trim_start();
    Some(value.strip_prefix('"')?.split('"').next()?.to_string())
}

/// The string value of `key = "value"` in a TOML text (first occurrence, any table).
fn toml_string_value(toml: &str, key: &str) -> Option<String> {
    toml.lines().map(str::trim).find_map(|line| {
        let rest = line.strip_prefix(key)?.trim_start().strip_prefix('=')?;
        Some(rest.split('"').nth(1)?.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_reports_must_match_exactly() {
        assert!(reports_version("trunk 0.21.14\n", "trunk", "0.21.14"));
        assert!(!reports_version("trunk 0.21.1", "trunk", "0.21.14"));
        assert!(reports_version(
            "wasm-bindgen 0.2.130",
            "wasm-bindgen",
            "0.2.130"
        ));
        assert!(!reports_version("", "wasm-bindgen", "0.2.130"));
    }

    #[test]
    fn node_major_versions() {
        assert_eq!(node_major("v20.20.2"), Some(20));
        assert_eq!(node_major("v18.19.0\n"), Some(18));
        assert_eq!(node_major("garbage"), None);
    }

    #[test]
    fn wasm_bindgen_version_comes_from_the_lock_file() {
        let lock = r#"
[[package]]
name = "wasm-bindgen-macro"
version = "0.2.999"

[[package]]
name = "wasm-bindgen"
version = "0.2.130"
source = "registry+https://github.com/rust-lang/crates.io-index"
"#;
        assert_eq!(
            locked_crate_version(lock, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(locked_crate_version(lock, "serde"), None);
    }

    #[test]
    fn exact_pins_in_the_manifest() {
        let manifest = "wasm-bindgen-test = \"0.3\"\nwasm-bindgen = \"=0.2.130\"\n";
        assert_eq!(
            pinned_crate_version(manifest, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        let table = "wasm-bindgen = { version = \"=0.2.131\", default-features = false }";
        assert_eq!(
            pinned_crate_version(table, "wasm-bindgen").as_deref(),
            Some("0.2.131")
        );
        assert_eq!(
            pinned_crate_version("wasm-bindgen = \"0.2\"", "wasm-bindgen"),
            None
        );
    }

    #[test]
    fn workspace_pin_matches_cargo_toml() {
        let ws = Workspace::locate().unwrap();
        let version = wasm_bindgen_version(&ws);
        assert_eq!(version.split('.').count(), 3, "{version}");
    }

    #[test]
    fn npm_lock_and_manifest_versions() {
        let lock = r#"{ "packages": { "": { "dependencies": { "playwright-core": "1.65.1" } },
            "node_modules/playwright-core": { "version": "1.65.1", "bin": {} } } }"#;
        assert_eq!(
            locked_npm_version(lock, "playwright-core").as_deref(),
            Some("1.65.1")
        );
        assert_eq!(
            json_string_field(r#"{"name":"x","version" : "2.0.0"}"#, "version").as_deref(),
            Some("2.0.0")
        );
    }

    #[test]
    fn trunk_toml_values() {
        let toml = "[build]\ntarget = \"app/index.html\"\n[tools]\nwasm_bindgen = \"0.2.130\"\nwasm_opt = \"version_132\"\n";
        assert_eq!(
            toml_string_value(toml, "wasm_opt").as_deref(),
            Some("version_132")
        );
        assert_eq!(
            toml_string_value(toml, "wasm_bindgen").as_deref(),
            Some("0.2.130")
        );
    }
}
