//! `cargo xtask bench`: the app's performance figures, measured in Chromium against a
//! release build (bundle sizes, timeline seeks, a 200-pod diagram update), plus the
//! simulator's own `shipshape bench timeline`. Reported, never asserted: speed is not a
//! test (see README, "Performance").

use crate::build::{self, Profile};
use crate::error::{Result, bail};
use crate::process;
use crate::setup::{self, Scope};
use crate::workspace::Workspace;

/// Where the browser measurements' Markdown report is written.
pub const REPORT: &str = "target/xtask/perf-report.md";

/// Builds in release mode, starts the server and runs tests/browser/perf/measure.mjs,
/// then `shipshape bench timeline`.
pub fn run(ws: &Workspace) -> Result<()> {
    setup::run(ws, Scope::Everything)?;
    build::run(ws, Profile::Release)?;
    let script = ws.join("tests/browser/perf/measure.mjs");
    if !script.is_file() {
        bail!("{} is missing", script.display());
    }
    crate::test::with_release_server(ws, "bench-server.log", |url| {
        process::run(
            ws.command("node")
                .arg(&script)
                .env("SHIPSHAPE_URL", url)
                .env("SHIPSHAPE_DIST", build::dist_dir(ws))
                .env("SHIPSHAPE_REPORT", ws.join(REPORT))
                .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"),
        )
    })?;
    println!("(report saved to {REPORT})");
    process::run(
        ws.command(build::server_binary(ws, Profile::Release))
            .args(["bench", "timeline"]),
    )
}
