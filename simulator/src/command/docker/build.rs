//! `docker build [-t NAME:TAG]... [-f FILE] [--build-arg K=V] [--target STAGE]
//! [--no-cache] [--check] DIR`: runs `image::builder` against the daemon's build cache
//! (kept across builds), prints BuildKit's output and advances the clock by the build's
//! simulated duration (docker build blocks). Each step's cache verdict is an event with
//! a [`Detail::BuildStep`](crate::event::Detail) explanation.

use super::{api, daemon_event, parse_flags, query_escape};
use crate::command::CommandError;
use crate::components::docker::daemon::LocalImage;
use crate::event::{Component, Detail, EventDraft, ObjectRef, Source};
use crate::image::builder::{self, BuildRequest, StepKind};
use crate::image::catalog::{Catalog, Reference};
use crate::image::dockerfile::{Dockerfile, lint};
use crate::simulation::Simulation;
use crate::time::SimDuration;
use crate::workspace::Workspace;
use std::collections::BTreeMap;

/// Parsed `docker build` arguments.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BuildArgs {
    /// `-t` (repeatable).
    pub tags: Vec<String>,
    /// `-f`.
    pub file: Option<String>,
    /// `--build-arg`.
    pub build_args: BTreeMap<String, String>,
    /// `--target`.
    pub target: Option<String>,
    /// `--no-cache`.
    pub no_cache: bool,
    /// `--check`.
    pub check: bool,
    /// `-q`.
    pub quiet: bool,
    /// `--progress=plain`.
    pub plain: bool,
    /// The context directory.
    pub dir: String,
}

/// `docker build`'s flags (also offered by tab completion).
pub(crate) const FLAGS: &[super::FlagSpec] = &[
    ("tag", Some('t'), true),
    ("file", Some('f'), true),
    ("build-arg", None, true),
    ("target", None, true),
    ("no-cache", None, false),
    ("check", None, false),
    ("quiet", Some('q'), false),
    ("progress", None, true),
    ("pull", None, false),
    ("platform", None, true),
    ("load", None, false),
];

/// Parses `docker build` arguments.
pub fn parse(args: &[String]) -> Result<BuildArgs, CommandError> {
    let (pos, f) = parse_flags("buildx build", args, FLAGS, true)?;
    let [dir] = pos.as_slice() else {
        return Err(CommandError::new(
            "ERROR: \"docker buildx build\" requires exactly 1 argument.\nSee 'docker buildx build --help'.\n\nUsage:  docker buildx build [OPTIONS] PATH | URL | -\n\nStart a build",
        ));
    };
    for t in f.values("tag") {
        if let Err(_e) = Reference::parse(t) {
            let why = if t.to_lowercase() != *t {
                "repository name must be lowercase"
            } else {
                "invalid reference format"
            };
            return Err(CommandError::new(format!(
                "ERROR: invalid tag \"{t}\": {why}"
            )));
        }
    }
    let mut build_args = BTreeMap::new();
    for kv in f.values("build-arg") {
        let (k, v) = kv.split_once('=').unwrap_or((kv.as_str(), ""));
        build_args.insert(k.to_string(), v.to_string());
    }
    if let Some(p) = f.value("platform")
        && p != "linux/amd64"
    {
        return Err(CommandError::new(format!(
            "ERROR: this simulator builds linux/amd64 images only (got --platform {p})"
        )));
    }
    Ok(BuildArgs {
        tags: f.values("tag").to_vec(),
        file: f.value("file").map(str::to_string),
        build_args,
        target: f.value("target").map(str::to_string),
        no_cache: f.on("no-cache"),
        check: f.on("check"),
        quiet: f.on("quiet"),
        plain: f.value("progress") == Some("plain"),
        dir: dir.clone(),
    })
}

/// The files under `dir`, relative to it (the build context).
pub fn context(ws: &Workspace, dir: &str) -> Option<Workspace> {
    let d = Workspace::normalize(dir)?;
    if !ws.is_dir(&d) {
        return None;
    }
    let prefix = if d.is_empty() {
        String::new()
    } else {
        format!("{d}/")
    };
    let mut out = Workspace::new();
    for (p, c) in ws.files() {
        if let Some(rel) = p.strip_prefix(&prefix) {
            out.insert(rel, c);
        }
    }
    Some(out)
}

fn lint_report(src: &str, warnings: &[lint::Warning]) -> String {
    if warnings.is_empty() {
        return "Check complete, no warnings found.\n".to_string();
    }
    let lines: Vec<&str> = src.lines().collect();
    let mut out = format!(
        "Check complete, {} warning{} been found!\n",
        warnings.len(),
        if warnings.len() == 1 {
            " has"
        } else {
            "s have"
        }
    );
    for w in warnings {
        out.push_str(&format!(
            "\nWARN: {} - {}\n{} (line {})\n",
            w.rule, w.url, w.message, w.line
        ));
        if let Some(text) = lines.get(w.line.saturating_sub(1)) {
            out.push_str(&format!(
                "Dockerfile:{}\n--------------------\n {:>3} | >>> {}\n--------------------\n",
                w.line, w.line, text
            ));
        }
    }
    out
}

/// Runs `docker build`.
pub fn run(sim: &mut Simulation, a: &BuildArgs) -> Result<String, CommandError> {
    let ws = &sim.state().workspace;
    let Some(ctx) = context(ws, &a.dir) else {
        return Err(CommandError::new(format!(
            "ERROR: unable to prepare context: path \"{}\" not found",
            a.dir
        )));
    };
    let df_path = match &a.file {
        Some(f) => f.clone(),
        None => {
            let d = Workspace::normalize(&a.dir).unwrap_or_default();
            if d.is_empty() {
                "Dockerfile".to_string()
            } else {
                format!("{d}/Dockerfile")
            }
        }
    };
    let Some(src) = ws.get(&df_path).map(str::to_string) else {
        let shown = a.file.as_deref().unwrap_or("Dockerfile");
        return Err(CommandError::new(format!(
            "ERROR: failed to solve: failed to read dockerfile: open {shown}: no such file or directory"
        )));
    };
    let df = Dockerfile::parse(&src).map_err(|e| {
        CommandError::new(match e.line {
            Some(l) => format!(
                "ERROR: failed to solve: dockerfile parse error on line {l}: {}",
                e.message
            ),
            None => format!("ERROR: failed to solve: {}", e.message),
        })
    })?;
    let catalog = Catalog::standard();
    let warnings = lint::check_dockerfile(&df, Some(&catalog));
    let mut path = format!(
        "POST /{}/build?dockerfile={}",
        crate::components::docker::daemon::API_VERSION,
        query_escape(a.file.as_deref().unwrap_or("Dockerfile"))
    );
    for t in &a.tags {
        path.push_str(&format!("&t={}", query_escape(t)));
    }
    if a.no_cache {
        path.push_str("&nocache=1");
    }
    if let Some(t) = &a.target {
        path.push_str(&format!("&target={}", query_escape(t)));
    }
    if a.check {
        api(
            sim,
            ObjectRef::new("dockerfile", df_path.clone()),
            &format!("{path}&call=check"),
            "200 OK",
        );
        daemon_event(
            sim,
            ObjectRef::new("dockerfile", df_path),
            "BuildChecked",
            format!(
                "BuildKit ran the build checks only: {} warning(s); nothing was built",
                warnings.len()
            ),
        );
        return Ok(lint_report(&src, &warnings));
    }
    let request = BuildRequest {
        tag: a.tags.first().cloned(),
        build_args: a.build_args.clone(),
        target: a.target.clone(),
        no_cache: a.no_cache,
    };
    // A base image already in the local image store (pulled, or run) is not downloaded
    // again: BuildKit in dockerd resolves `FROM` against the local store first.
    let mut cache = sim.state().docker.build_cache.clone();
    for img in sim.state().docker.images.values() {
        for pin in &img.repo_digests {
            if let Some((_, digest)) = pin.split_once('@') {
                cache.pulled.insert(digest.to_string());
            }
        }
    }
    let report = builder::build(&df, &ctx, &request, &cache, &catalog)
    .map_err(|e| {
        let mut m = e.message.clone();
        if let Some(l) = e.line
            && let Some(text) = src.lines().nth(l - 1)
        {
            m.push_str(&format!(
                "\n\nDockerfile:{l}\n--------------------\n {l:>3} | >>> {text}\n--------------------"
            ));
        }
        CommandError::new(m)
    })?;

    // The build blocks: time passes step by step, and each step's verdict is logged.
    let start = sim.now();
    let image_ref = ObjectRef::new(
        "image",
        a.tags
            .first()
            .map(|t| builder::normalise_tag(t))
            .unwrap_or_else(|| report.image_id.to_string()),
    );
    api(
        sim,
        image_ref.clone(),
        &path,
        "200 OK (streaming build output)",
    );
    let mut offset = 300 + 100;
    for s in &report.steps {
        offset += s.duration_ms;
        sim.run_until(start.after(SimDuration(offset)));
        let verdict = if s.cached { "CACHED" } else { "built" };
        let size = if s.size_added > 0 {
            format!(
                ", +{}",
                crate::components::docker::daemon::human_size(s.size_added)
            )
        } else {
            String::new()
        };
        let (kind, reason) = if s.kind == StepKind::From {
            (
                "BuildStep",
                format!("{} {}: {}", s.index, s.instruction, s.reason),
            )
        } else {
            (
                if s.cached {
                    "BuildCacheHit"
                } else {
                    "BuildCacheMiss"
                },
                format!(
                    "{} {} — {verdict}{size} (line {}): {}",
                    s.index, s.instruction, s.line, s.reason
                ),
            )
        };
        sim.record(
            EventDraft::new(
                Source::of(Component::Dockerd),
                image_ref.clone(),
                kind,
                reason,
            )
            .with_detail(Detail::BuildStep(Box::new(s.clone()))),
        );
    }
    sim.run_until(start.after(SimDuration(report.duration_ms)));
    let cached = report.steps.iter().filter(|s| s.cached).count();
    daemon_event(
        sim,
        image_ref,
        "ImageBuilt",
        format!(
            "built {} ({}) in {}: {} of {} steps from the build cache",
            report.image_id.short(),
            crate::components::docker::daemon::human_size(report.total_size),
            SimDuration(report.duration_ms),
            cached,
            report.steps.len()
        ),
    );

    // The daemon's state: cache, image, tags, layers.
    let now = sim.now();
    // The project handles SIGTERM if its source says so; a Go binary does by default (the
    // Go runtime installs its own handler, so it exits even as PID 1).
    let handles_sigterm = ctx.files().any(|(_, c)| c.contains("SIGTERM"))
        || report
            .steps
            .iter()
            .any(|s| s.instruction.contains("go build"));
    let files = top_level_files(&report);
    let host = &mut sim.world_mut().docker;
    host.build_cache.record(&report);
    let id = report.image_id.clone();
    host.images.entry(id.clone()).or_insert_with(|| LocalImage {
        image: report.image.clone(),
        built: Some(now),
        repo_digests: Default::default(),
        handles_sigterm,
        files,
    });
    for t in &a.tags {
        host.tags.insert(builder::normalise_tag(t), id.clone());
    }
    host.layers
        .extend(report.image.layers.iter().map(|l| l.digest.clone()));

    if a.quiet {
        return Ok(format!("{id}\n"));
    }
    let mut out = if a.plain {
        report.plain_output.join("\n")
    } else {
        report.output.join("\n")
    };
    out.push('\n');
    for extra in a.tags.iter().skip(1) {
        out.push_str(&format!(
            " => => naming to {}\n",
            builder::normalise_tag(extra)
        ));
    }
    for w in &report.warnings {
        out.push_str(&format!("{w}\n"));
    }
    if !warnings.is_empty() {
        out.push_str(&format!(
            "\n {} warning{} found (use docker --debug to expand):\n",
            warnings.len(),
            if warnings.len() == 1 { "" } else { "s" }
        ));
        for w in &warnings {
            out.push_str(&format!(" - {}: {} (line {})\n", w.rule, w.message, w.line));
        }
    }
    Ok(out)
}

/// Top-level entries the final stage copied into its working directory (for `ls`).
fn top_level_files(report: &builder::BuildReport) -> Vec<String> {
    let Some(last) = report.steps.last().map(|s| s.stage.clone()) else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    for s in report.steps.iter().filter(|s| s.stage == last) {
        match s.kind {
            StepKind::Copy | StepKind::Add => {
                for k in s.inputs.files.keys() {
                    let name = k.trim_start_matches('/');
                    let name = if s.instruction.contains("--from=") {
                        name.rsplit('/').next().unwrap_or(name)
                    } else {
                        name.split('/').next().unwrap_or(name)
                    };
                    if !name.is_empty() && !name.starts_with("<<") {
                        out.push(name.to_string());
                    }
                }
            }
            StepKind::Run
                if s.instruction.contains("npm ci") || s.instruction.contains("npm install") =>
            {
                out.push("node_modules".to_string());
            }
            _ => {}
        }
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use crate::{Scenario, Simulation, Workspace};

    #[test]
    fn a_base_image_in_the_local_store_is_not_downloaded_again() {
        let mut ws = Workspace::new();
        ws.insert(
            "Dockerfile",
            "FROM nginx:1.27-alpine\nCOPY index.html /usr/share/nginx/html/\n".to_string(),
        );
        ws.insert("index.html", "<h1>hi</h1>\n".to_string());
        let scenario = Scenario::named("default").unwrap().with_workspace(ws);
        let mut cold = Simulation::new(&scenario);
        let out = cold.run("docker build -t site:1 .").unwrap().output;
        assert!(!out.contains("CACHED [1/2] FROM"), "{out}");
        let mut warm = Simulation::new(&scenario);
        warm.run("docker pull nginx:1.27-alpine").unwrap();
        let out = warm.run("docker build -t site:1 .").unwrap().output;
        assert!(out.contains("CACHED [1/2] FROM"), "{out}");
    }
}
