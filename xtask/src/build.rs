//! Building: the web app with Trunk (app/ → dist/) and the `shipshape` server binary.

use std::env;
use std::path::PathBuf;

use crate::error::{Result, bail};
use crate::process;
use crate::workspace::Workspace;

/// Which cargo profile to build with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// Fast to compile: `trunk build`, `cargo build`.
    Debug,
    /// Optimised: `trunk build --release` (with wasm-opt), `cargo build --release`.
    Release,
}

impl Profile {
    /// The target/ subdirectory cargo writes this profile's binaries to.
    pub fn dir(self) -> &'static str {
        match self {
            Self::Debug => "debug",
            Self::Release => "release",
        }
    }
}

/// Builds the app into dist/ and then the server. Assumes setup has run.
pub fn run(ws: &Workspace, profile: Profile) -> Result<()> {
    app(ws, profile)?;
    server(ws, profile)
}

/// `trunk build [--release]` in the workspace root (Trunk.toml: app/index.html → dist/),
/// with wasm-bindgen and wasm-opt found on xtask's PATH.
pub fn app(ws: &Workspace, profile: Profile) -> Result<()> {
    if !ws.join("Trunk.toml").is_file() {
        bail!("Trunk.toml is missing from the workspace root; it says how to build app/");
    }
    let mut trunk = ws.command("trunk");
    trunk.arg("build");
    if profile == Profile::Release {
        trunk.arg("--release");
    }
    // Setup put the pinned wasm-bindgen and wasm-opt on PATH, so Trunk downloads no
    // tools. (Not TRUNK_OFFLINE: Trunk would pass --offline to cargo as well, which
    // fails on a fresh machine whose registry cache lacks the app's crates.)
    trunk.env("TRUNK_SKIP_VERSION_CHECK", "true");
    // Trunk 0.21 reads NO_COLOR as a bool and rejects the common NO_COLOR=1.
    if env::var_os("NO_COLOR").is_some_and(|v| v != "true" && v != "false") {
        trunk.env("NO_COLOR", "true");
    }
    process::run(&mut trunk)?;
    if !ws.join("dist/index.html").is_file() {
        bail!("trunk build succeeded but dist/index.html is missing; check Trunk.toml's dist");
    }
    // Release builds ship NAME.br and NAME.gz beside each asset (the server prefers
    // them); debug builds are served compressed on the fly, which is quicker to build.
    if profile == Profile::Release {
        process::run(
            ws.command("node")
                .arg(ws.join("xtask/precompress.mjs"))
                .arg(dist_dir(ws)),
        )?;
    }
    Ok(())
}

/// `cargo build -p server [--release]`: the `shipshape` binary.
pub fn server(ws: &Workspace, profile: Profile) -> Result<()> {
    let mut cargo = ws.command("cargo");
    cargo.args(["build", "-p", "server", "--bin", "shipshape"]);
    if profile == Profile::Release {
        cargo.arg("--release");
    }
    process::run(&mut cargo)
}

/// Where cargo puts the `shipshape` binary for `profile` (honours `CARGO_TARGET_DIR`).
pub fn server_binary(ws: &Workspace, profile: Profile) -> PathBuf {
    let target = match env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => ws.join(PathBuf::from(dir)),
        _ => ws.join("target"),
    };
    target.join(profile.dir()).join("shipshape")
}

/// The directory Trunk builds the app into.
pub fn dist_dir(ws: &Workspace) -> PathBuf {
    ws.join("dist")
}
