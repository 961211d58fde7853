//! `cargo xtask bench`: the app's performance figures, measured in Chromium against a
//! release build (bundle sizes, timeline seeks, a 200-pod diagram update), plus the
//! simulator's own `shipshape bench timeline`. Reported, never asserted: speed is not a
//! test (see README, "Performance").

use crate::build::{self, Profile};
use crate::error::{Result, bail};
use crate::process;
use crate::serve::TestServer;
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
    let log = ws.join("target/xtask/bench-server.log");
    let server = TestServer::start(
        ws,
        &build::server_binary(ws, Profile::Release),
        &build::dist_dir(ws),
        &log,
    )?;
    let mut node = ws.command("node");
    node.arg(&script)
        .env("SHIPSHAPE_URL", server.url())
        .env("SHIPSHAPE_DIST", build::dist_dir(ws))
        .env("SHIPSHAPE_REPORT", ws.join(REPORT))
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
    let outcome = process::run(&mut node);
    drop(server);
    outcome?;
    println!("(report saved to {REPORT})");
    process::run(
        ws.command(build::server_binary(ws, Profile::Release))
            .args(["bench", "timeline"]),
    )
}
