//! A pure `docker build`: Dockerfile + build context + cache in, a [`BuildReport`] out.
//!
//! Cache semantics follow docs.docker.com/build/cache/invalidation and BuildKit
//! (moby/buildkit@73ed682, `dockerfile2llb/convert.go`):
//! - a step's cache key = its parent step's key + the instruction after variable
//!   expansion; `FROM` keys on the resolved base image digest;
//! - `COPY`/`ADD` also hash the copied files' paths and contents (mtimes are ignored);
//! - `RUN` keys on its command text plus the environment *and the build args in effect*:
//!   every `RUN` after an `ARG` uses it implicitly, so changing an `ARG` invalidates from
//!   its first use, not from its definition;
//! - once a step misses, every later step of that stage misses;
//! - `--no-cache` misses everything;
//! - only stages the target depends on are built (BuildKit skips the others);
//! - `ENV`, `LABEL`, `CMD`, `EXPOSE`, … only change the image config: they are not steps.
//!
//! Sizes and durations come from [`super::build_model`]. The caller owns the cache
//! ([`BuildCache`]) and folds a report into it with [`BuildCache::record`].

use super::build_model::{self, FsAdd, KB, MB, RunInput, join};
use super::catalog::Catalog;
use super::dockerfile::expand::{EnvMap, Lex};
use super::dockerfile::instruction::{CopySpec, Dockerfile, Health, Instruction, Stage};
use super::dockerignore::{DockerIgnore, glob_match};
use super::oci::{Digest, Empty, HealthConfig, History, Image, ImageConfig, Layer};
use crate::workspace::Workspace;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// What the learner asked for (`docker build -t TAG --build-arg K=V --target T --no-cache .`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildRequest {
    /// `-t` (normalised in the output as `docker.io/library/NAME:latest`).
    pub tag: Option<String>,
    /// `--build-arg`.
    pub build_args: BTreeMap<String, String>,
    /// `--target`.
    pub target: Option<String>,
    /// `--no-cache`.
    pub no_cache: bool,
}

/// What the cache remembers about one step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepInputs {
    /// Instruction text after expansion.
    pub text: String,
    /// Copied files: context path → content digest.
    pub files: BTreeMap<String, String>,
    /// Build args in effect (RUN).
    pub args: BTreeMap<String, String>,
    /// Environment (RUN).
    pub env: BTreeMap<String, String>,
}

/// One cache record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CacheEntry {
    /// The layer the step produced (none for metadata-only steps).
    pub layer: Option<Layer>,
    /// The instruction text.
    pub text: String,
}

/// The local build cache (BuildKit's cache, owned by the caller).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BuildCache {
    /// Cache key → record.
    pub entries: BTreeMap<String, CacheEntry>,
    /// Last inputs seen per step slot (`stage/position`), to explain misses.
    pub slots: BTreeMap<String, StepInputs>,
    /// Base images already pulled (manifest digests).
    pub pulled: BTreeSet<String>,
}

impl BuildCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// Folds a finished build into the cache.
    pub fn record(&mut self, report: &BuildReport) {
        for s in &report.steps {
            self.entries.insert(
                s.cache_key.clone(),
                CacheEntry {
                    layer: s.layer.clone(),
                    text: s.instruction.clone(),
                },
            );
            self.slots.insert(s.slot.clone(), s.inputs.clone());
            if let Some(d) = &s.base_digest {
                self.pulled.insert(d.clone());
            }
        }
    }

    /// `docker builder prune`.
    pub fn clear(&mut self) {
        *self = Self::default();
    }
}

/// Kind of a build step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum StepKind {
    /// `FROM`.
    From,
    /// `RUN`.
    Run,
    /// `COPY`.
    Copy,
    /// `ADD`.
    Add,
    /// `WORKDIR`.
    Workdir,
}

/// One step of the build, explained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BuildStep {
    /// Stage name (`builder`, or `stage-0` when unnamed).
    pub stage: String,
    /// Position label as docker prints it: `[2/5]` or `[builder 2/5]`.
    pub index: String,
    /// Step kind.
    pub kind: StepKind,
    /// Instruction text after expansion (`RUN npm ci`).
    pub instruction: String,
    /// Dockerfile line.
    pub line: usize,
    /// True if served from the cache.
    pub cached: bool,
    /// The cache key (a digest).
    pub cache_key: String,
    /// Why it hit or missed.
    pub reason: String,
    /// The layer produced (None for metadata-only steps).
    pub layer: Option<Layer>,
    /// Uncompressed bytes added to the image.
    pub size_added: u64,
    /// Simulated duration (0 when cached).
    pub duration_ms: u64,
    /// How the size was estimated.
    pub notes: Vec<String>,
    /// Slot key for miss explanations.
    pub slot: String,
    /// Inputs remembered by the cache.
    pub inputs: StepInputs,
    /// Resolved base digest for `FROM` steps.
    pub base_digest: Option<String>,
}

/// A stage BuildKit did not build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedStage {
    /// Stage index.
    pub index: usize,
    /// Stage name.
    pub name: String,
    /// Why.
    pub reason: String,
}

/// The result of a build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BuildReport {
    /// Steps in execution order (skipped stages excluded).
    pub steps: Vec<BuildStep>,
    /// The final image.
    pub image: Image,
    /// Image ID (config digest).
    pub image_id: Digest,
    /// Normalised tag (`docker.io/library/app:latest`).
    pub tag: Option<String>,
    /// Stages not built.
    pub skipped_stages: Vec<SkippedStage>,
    /// Final image size (uncompressed).
    pub total_size: u64,
    /// Total simulated duration.
    pub duration_ms: u64,
    /// `docker build` (tty) output.
    pub output: Vec<String>,
    /// `docker build --progress=plain` output.
    pub plain_output: Vec<String>,
    /// Files and bytes sent as context.
    pub context_files: usize,
    /// Context bytes.
    pub context_bytes: u64,
    /// Warnings (unused build args, …).
    pub warnings: Vec<String>,
}

/// A failed build, with docker-like text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BuildError {
    /// `ERROR: failed to solve: …`.
    pub message: String,
    /// Dockerfile line, if the failure is tied to one.
    pub line: Option<usize>,
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

fn fail(line: Option<usize>, msg: impl Into<String>) -> BuildError {
    BuildError {
        message: format!("ERROR: failed to solve: {}", msg.into()),
        line,
    }
}

/// The filesystem view of a stage (what `COPY --from` and size estimates see).
#[derive(Debug, Clone, Default)]
struct Vfs {
    /// Path → (bytes, content, visible).
    entries: BTreeMap<String, (u64, Option<String>, bool)>,
    /// Bytes of the base image (opaque).
    base_bytes: u64,
}

impl Vfs {
    fn add(&mut self, a: &FsAdd) {
        let e = self
            .entries
            .entry(a.path.clone())
            .or_insert((0, None, true));
        e.0 += a.bytes;
        e.1 = a.content.clone();
        e.2 = true;
    }
    fn remove(&mut self, path: &str) {
        let prefix = path.trim_end_matches('*').trim_end_matches('/');
        for (p, e) in self.entries.iter_mut() {
            if p == path
                || p.starts_with(&format!("{prefix}/"))
                || (path.ends_with('*') && p.starts_with(prefix))
            {
                e.2 = false;
            }
        }
    }
    fn read(&self, path: &str) -> Option<String> {
        self.entries
            .get(path)
            .filter(|e| e.2)
            .and_then(|e| e.1.clone())
    }
    /// Visible entries at or under `path` (or matching a glob).
    fn select(&self, path: &str) -> Vec<(String, u64, Option<String>)> {
        let p = path.trim_end_matches('/');
        let is_glob = p.contains(['*', '?', '[']);
        self.entries
            .iter()
            .filter(|(_, e)| e.2)
            .filter(|(k, _)| {
                p.is_empty()
                    || *k == p
                    || k.starts_with(&format!("{p}/"))
                    || (is_glob && glob_match(p, k))
            })
            .map(|(k, e)| (k.clone(), e.0, e.1.clone()))
            .collect()
    }
    fn source_bytes_under(&self, dir: &str) -> u64 {
        self.select(dir)
            .iter()
            .filter(|(k, _, c)| c.is_some() && !k.contains("/node_modules"))
            .map(|(_, b, _)| *b)
            .sum()
    }
}

/// State of a stage while building.
#[derive(Debug, Clone)]
struct StageState {
    config: ImageConfig,
    layers: Vec<Layer>,
    key: String,
    vfs: Vfs,
    args: BTreeMap<String, String>,
    cmd_set: bool,
    built: bool,
}

fn sha(s: &str) -> String {
    Digest::of(s.as_bytes()).to_string()
}

fn env_map(cfg: &ImageConfig) -> BTreeMap<String, String> {
    cfg.config
        .env
        .iter()
        .map(|e| match e.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (e.clone(), String::new()),
        })
        .collect()
}

/// Build args that BuildKit predefines for `FROM` lines.
fn platform_args() -> EnvMap {
    [
        ("BUILDPLATFORM", "linux/amd64"),
        ("BUILDOS", "linux"),
        ("BUILDARCH", "amd64"),
        ("BUILDVARIANT", ""),
        ("TARGETPLATFORM", "linux/amd64"),
        ("TARGETOS", "linux"),
        ("TARGETARCH", "amd64"),
        ("TARGETVARIANT", ""),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn human(bytes: u64) -> String {
    if bytes >= MB {
        format!("{:.2}MB", bytes as f64 / MB as f64)
    } else if bytes >= KB {
        format!("{:.2}kB", bytes as f64 / KB as f64)
    } else {
        format!("{bytes}B")
    }
}

fn secs(ms: u64) -> String {
    format!("{}.{}s", ms / 1000, (ms % 1000) / 100)
}

/// Normalises `-t app` to `docker.io/library/app:latest`.
pub fn normalise_tag(tag: &str) -> String {
    super::catalog::Reference::parse(tag)
        .map(|r| r.full())
        .unwrap_or_else(|_| tag.to_string())
}

struct Ctx<'a> {
    df: &'a Dockerfile,
    catalog: &'a Catalog,
    cache: &'a BuildCache,
    req: &'a BuildRequest,
    context: Vec<(String, String)>,
    meta: EnvMap,
    lex: Lex,
    used_args: BTreeSet<String>,
}

/// Builds `df` with `context` (the workspace; `.dockerignore` applied) — a pure function.
pub fn build(
    df: &Dockerfile,
    context: &Workspace,
    request: &BuildRequest,
    cache: &BuildCache,
    catalog: &Catalog,
) -> Result<BuildReport, BuildError> {
    let ignore = context
        .get(".dockerignore")
        .map(DockerIgnore::parse)
        .unwrap_or_default();
    let files: Vec<(String, String)> = ignore
        .context(context)
        .into_iter()
        .map(|(p, c)| (p.to_string(), c.to_string()))
        .collect();
    let mut meta = platform_args();
    for (def, _) in &df.meta_args {
        let v = match request.build_args.get(&def.key) {
            Some(v) => Some(v.clone()),
            None => match &def.value {
                Some(d) => Some(
                    Lex::new(df.ast.escape_token)
                        .process_word(d, &meta)
                        .map_err(|e| fail(None, e))?,
                ),
                None => None,
            },
        };
        if let Some(v) = v {
            meta.insert(def.key.clone(), v);
        }
    }
    let mut ctx = Ctx {
        df,
        catalog,
        cache,
        req: request,
        context: files,
        meta,
        lex: Lex::new(df.ast.escape_token),
        used_args: df.meta_args.iter().map(|(d, _)| d.key.clone()).collect(),
    };
    let target = match &request.target {
        Some(t) => df
            .stage_index(t)
            .filter(|i| df.stages[*i].name.is_some() || t.parse::<usize>().is_err())
            .ok_or_else(|| fail(None, format!("target stage \"{t}\" could not be found")))?,
        None => df.stages.len() - 1,
    };
    // Which stages does the target need? (BuildKit only solves those.)
    let mut needed = BTreeSet::new();
    let mut todo = vec![target];
    while let Some(i) = todo.pop() {
        if !needed.insert(i) {
            continue;
        }
        for d in ctx.deps(i) {
            if d < i {
                todo.push(d);
            }
        }
    }
    let skipped_stages: Vec<SkippedStage> = (0..df.stages.len())
        .filter(|i| !needed.contains(i))
        .map(|i| SkippedStage {
            index: i,
            name: stage_name(&df.stages[i], i),
            reason: format!(
                "not needed for target {}: BuildKit only builds the stages the target depends on",
                stage_name(&df.stages[target], target)
            ),
        })
        .collect();

    let multi = needed.len() > 1;
    let mut states: BTreeMap<usize, StageState> = BTreeMap::new();
    let mut steps = Vec::new();
    for &i in &needed {
        let st = ctx.build_stage(i, multi, &states, &mut steps)?;
        states.insert(i, st);
    }
    let final_state = states
        .remove(&target)
        .ok_or_else(|| fail(None, "internal: target not built"))?;
    let image = Image {
        config: final_state.config,
        layers: final_state.layers,
    };
    let image_id = image.id();
    let tag = request.tag.as_deref().map(normalise_tag);
    let mut warnings = Vec::new();
    let unused: Vec<&String> = request
        .build_args
        .keys()
        .filter(|k| !ctx.used_args.contains(*k))
        .collect();
    if !unused.is_empty() {
        let names: Vec<&str> = unused.iter().map(|s| s.as_str()).collect();
        warnings.push(format!(
            "[Warning] One or more build-args [{}] were not consumed",
            names.join(" ")
        ));
    }
    let context_bytes: u64 = ctx.context.iter().map(|(_, c)| c.len() as u64).sum();
    let context_files = ctx.context.len();
    let new_bytes: u64 = steps
        .iter()
        .filter(|s| !s.cached)
        .map(|s| s.size_added)
        .sum();
    let export = build_model::export_ms(new_bytes);
    let total_ms: u64 = steps.iter().map(|s| s.duration_ms).sum::<u64>() + export + 300;
    let (output, plain_output) = render(
        df,
        &steps,
        &image_id,
        tag.as_deref(),
        total_ms,
        export,
        context_bytes,
        ignore.patterns.len(),
    );
    Ok(BuildReport {
        total_size: image.size(),
        steps,
        image,
        image_id,
        tag,
        skipped_stages,
        duration_ms: total_ms,
        output,
        plain_output,
        context_files,
        context_bytes,
        warnings,
    })
}

fn stage_name(s: &Stage, i: usize) -> String {
    s.name.clone().unwrap_or_else(|| format!("stage-{i}"))
}

#[allow(clippy::too_many_arguments)]
fn render(
    df: &Dockerfile,
    steps: &[BuildStep],
    id: &Digest,
    tag: Option<&str>,
    total_ms: u64,
    export_ms: u64,
    context_bytes: u64,
    ignore_lines: usize,
) -> (Vec<String>, Vec<String>) {
    let mut tty = Vec::new();
    let mut plain = Vec::new();
    let df_bytes: usize = df.ast.children.iter().map(|n| n.original.len() + 1).sum();
    let mut n = 0usize;
    let mut push = |tty: &mut Vec<String>,
                    plain: &mut Vec<String>,
                    title: &str,
                    sub: &[String],
                    cached: bool,
                    ms: u64| {
        n += 1;
        if cached {
            tty.push(format!(" => CACHED {title}"));
            plain.push(format!("#{n} {title}"));
            plain.push(format!("#{n} CACHED"));
        } else {
            tty.push(format!(" => {title}  {}", secs(ms)));
            plain.push(format!("#{n} {title}"));
            for s in sub {
                tty.push(format!(" => => {s}"));
                plain.push(format!("#{n} {s} done"));
            }
            plain.push(format!("#{n} DONE {}", secs(ms)));
        }
        plain.push(String::new());
    };
    let header_ms = total_ms;
    tty.push(format!(
        "[+] Building {} ({}/{}) FINISHED",
        secs(header_ms),
        steps.len() + 4,
        steps.len() + 4
    ));
    push(
        &mut tty,
        &mut plain,
        "[internal] load build definition from Dockerfile",
        &[format!(
            "transferring dockerfile: {}",
            human(df_bytes as u64)
        )],
        false,
        0,
    );
    let mut bases: Vec<String> = steps
        .iter()
        .filter(|s| s.kind == StepKind::From && s.base_digest.is_some())
        .map(|s| {
            s.instruction
                .trim_start_matches("FROM ")
                .split('@')
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    bases.dedup();
    for b in &bases {
        push(
            &mut tty,
            &mut plain,
            &format!("[internal] load metadata for {b}"),
            &[],
            false,
            300,
        );
    }
    push(
        &mut tty,
        &mut plain,
        "[internal] load .dockerignore",
        &[format!(
            "transferring context: {}",
            human(ignore_lines as u64 * 10 + 2)
        )],
        false,
        0,
    );
    let mut context_shown = false;
    for s in steps {
        if !context_shown && matches!(s.kind, StepKind::Copy | StepKind::Add) {
            push(
                &mut tty,
                &mut plain,
                "[internal] load build context",
                &[format!("transferring context: {}", human(context_bytes))],
                false,
                100,
            );
            context_shown = true;
        }
        push(
            &mut tty,
            &mut plain,
            &format!("{} {}", s.index, s.instruction),
            &[],
            s.cached,
            s.duration_ms,
        );
    }
    let mut sub = vec![
        "exporting layers".to_string(),
        format!("writing image {id}"),
    ];
    if let Some(t) = tag {
        sub.push(format!("naming to {t}"));
    }
    push(
        &mut tty,
        &mut plain,
        "exporting to image",
        &sub,
        false,
        export_ms,
    );
    (tty, plain)
}

impl Ctx<'_> {
    /// Stages that stage `i` depends on (FROM stage, COPY --from, RUN --mount from=).
    fn deps(&self, i: usize) -> Vec<usize> {
        let s = &self.df.stages[i];
        let mut out = Vec::new();
        let base = self
            .lex
            .process_word(&s.base, &self.meta)
            .unwrap_or_else(|_| s.base.clone());
        if let Some(j) = self.stage_ref(&base, i) {
            out.push(j);
        }
        for c in &s.commands {
            match &c.instruction {
                Instruction::Copy(spec) => {
                    if let Some(f) = &spec.from
                        && let Some(j) = self.stage_ref(f, i)
                    {
                        out.push(j);
                    }
                }
                Instruction::Run { mounts, .. } => {
                    for m in mounts {
                        for kv in m.split(',') {
                            if let Some(f) = kv.strip_prefix("from=")
                                && let Some(j) = self.stage_ref(f, i)
                            {
                                out.push(j);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// An earlier stage named (or numbered) `name`, as seen from stage `i`.
    fn stage_ref(&self, name: &str, i: usize) -> Option<usize> {
        let lower = name.to_ascii_lowercase();
        if let Some(j) = self.df.stages[..i]
            .iter()
            .position(|s| s.name.as_deref() == Some(&lower))
        {
            return Some(j);
        }
        name.parse::<usize>().ok().filter(|&j| j < i)
    }

    fn build_stage(
        &mut self,
        i: usize,
        multi: bool,
        states: &BTreeMap<usize, StageState>,
        steps: &mut Vec<BuildStep>,
    ) -> Result<StageState, BuildError> {
        let stage = &self.df.stages[i];
        let sname = stage_name(stage, i);
        let total = 1 + stage
            .commands
            .iter()
            .filter(|c| {
                matches!(
                    c.instruction,
                    Instruction::Run { .. }
                        | Instruction::Copy(_)
                        | Instruction::Add(_)
                        | Instruction::Workdir(_)
                )
            })
            .count();
        let label = |n: usize| {
            if multi {
                format!("[{sname} {n}/{total}]")
            } else {
                format!("[{n}/{total}]")
            }
        };
        let mut missed = false;
        let no_cache = self.req.no_cache;

        // FROM
        let base = self
            .lex
            .process_word(&stage.base, &self.meta)
            .map_err(|e| fail(Some(stage.line), e))?;
        let mut st;
        let from_text;
        let mut base_digest = None;
        let from_ms;
        if let Some(j) = self.stage_ref(&base, i) {
            let parent = states
                .get(&j)
                .ok_or_else(|| fail(Some(stage.line), "internal: parent stage not built"))?;
            st = StageState {
                args: BTreeMap::new(),
                cmd_set: false,
                built: true,
                ..parent.clone()
            };
            from_text = format!("FROM {}", stage_name(&self.df.stages[j], j));
            from_ms = 0;
        } else if base.eq_ignore_ascii_case("scratch") {
            st = StageState {
                config: ImageConfig::scratch(),
                layers: Vec::new(),
                key: sha("FROM scratch"),
                vfs: Vfs::default(),
                args: BTreeMap::new(),
                cmd_set: false,
                built: true,
            };
            from_text = "FROM scratch".to_string();
            from_ms = 0;
        } else {
            let b = self
                .catalog
                .resolve(&base)
                .map_err(|e| fail(Some(stage.line), format!("{base}: {e}")))?;
            let r =
                super::catalog::Reference::parse(&base).map_err(|e| fail(Some(stage.line), e))?;
            let mut cfg = b.image.config.clone();
            cfg.history = b.image.config.history.clone();
            st = StageState {
                config: cfg,
                layers: b.image.layers.clone(),
                key: sha(&format!("FROM {}@{}", b.repository, b.digest)),
                vfs: Vfs {
                    entries: BTreeMap::new(),
                    base_bytes: b.image.size(),
                },
                args: BTreeMap::new(),
                cmd_set: false,
                built: true,
            };
            let shown = match &r.tag {
                Some(t) => format!("{}:{t}", r.repository()),
                None => r.repository(),
            };
            from_text = format!("FROM {shown}@{}", b.digest);
            base_digest = Some(b.digest.to_string());
            from_ms = if self.cache.pulled.contains(b.digest.as_str()) && !no_cache {
                0
            } else {
                build_model::pull_ms(b.image.compressed_size(), b.image.size())
            };
        }
        let slot0 = format!("{sname}/1");
        let from_inputs = StepInputs {
            text: from_text.clone(),
            files: BTreeMap::new(),
            args: BTreeMap::new(),
            env: BTreeMap::new(),
        };
        let from_cached = base_digest
            .as_ref()
            .is_some_and(|d| self.cache.pulled.contains(d))
            && !no_cache;
        let from_reason = match (&base_digest, from_cached) {
            (Some(_), true) => {
                "base image already pulled: same digest, nothing to download".to_string()
            }
            (Some(d), false) => match self.cache.slots.get(&slot0) {
                Some(prev) if prev.text != from_text => format!("base image changed: now {}", d),
                _ if no_cache => "--no-cache: base image metadata re-resolved".to_string(),
                _ => format!(
                    "pulling {} ({} compressed)",
                    base,
                    human(
                        self.catalog
                            .resolve(&base)
                            .map(|b| b.image.compressed_size())
                            .unwrap_or(0)
                    )
                ),
            },
            (None, _) => "FROM starts from an earlier stage or scratch".to_string(),
        };
        steps.push(BuildStep {
            stage: sname.clone(),
            index: label(1),
            kind: StepKind::From,
            instruction: from_text,
            line: stage.line,
            cached: from_cached,
            cache_key: st.key.clone(),
            reason: from_reason,
            layer: None,
            size_added: 0,
            duration_ms: from_ms,
            notes: Vec::new(),
            slot: slot0,
            inputs: from_inputs,
            base_digest,
        });

        let mut n = 1;
        for c in &stage.commands {
            let env_now = env_map(&st.config);
            let mut scope: EnvMap = st.args.clone();
            scope.extend(env_now.clone());
            let expand = |s: &str| {
                self.lex
                    .process_word(s, &scope)
                    .map_err(|e| fail(Some(c.line), e))
            };
            let step_kind = match &c.instruction {
                Instruction::Run { .. } => Some(StepKind::Run),
                Instruction::Copy(_) => Some(StepKind::Copy),
                Instruction::Add(_) => Some(StepKind::Add),
                Instruction::Workdir(_) => Some(StepKind::Workdir),
                _ => None,
            };
            let Some(kind) = step_kind else {
                self.apply_metadata(&mut st, c, &scope)?;
                continue;
            };
            n += 1;
            let slot = format!("{sname}/{n}");
            let mut inputs = StepInputs {
                text: String::new(),
                files: BTreeMap::new(),
                args: BTreeMap::new(),
                env: BTreeMap::new(),
            };
            let mut adds: Vec<FsAdd> = Vec::new();
            let mut removes: Vec<String> = Vec::new();
            let mut notes = Vec::new();
            let duration;
            let mut key_extra = String::new();
            let workdir = if st.config.config.working_dir.is_empty() {
                "/".to_string()
            } else {
                st.config.config.working_dir.clone()
            };
            match &c.instruction {
                Instruction::Run {
                    cmd,
                    mounts,
                    network,
                    heredocs,
                } => {
                    let script = if !heredocs.is_empty()
                        && cmd.args.first().is_some_and(|a| {
                            a.trim_start().starts_with("<<")
                                || a.trim_start()
                                    .chars()
                                    .next()
                                    .is_some_and(|c| c.is_ascii_digit())
                        }) {
                        heredocs
                            .iter()
                            .map(|h| h.effective_content())
                            .collect::<Vec<_>>()
                            .join("\n")
                    } else {
                        cmd.args.join(" ")
                    };
                    inputs.text = format!(
                        "RUN {}",
                        c.text
                            .split_once(char::is_whitespace)
                            .map(|(_, r)| r.trim())
                            .unwrap_or_default()
                    );
                    inputs.args = st.args.clone();
                    inputs.env = env_now.clone();
                    key_extra = format!(
                        "{mounts:?}{network:?}{}",
                        heredocs
                            .iter()
                            .map(|h| h.content.clone())
                            .collect::<String>()
                    );
                    let cache_mounts: Vec<String> = mounts
                        .iter()
                        .filter(|m| m.split(',').any(|kv| kv == "type=cache"))
                        .filter_map(|m| {
                            m.split(',').find_map(|kv| {
                                kv.strip_prefix("target=")
                                    .or_else(|| kv.strip_prefix("dst="))
                                    .or_else(|| kv.strip_prefix("destination="))
                            })
                        })
                        .map(|t| join(&workdir, t))
                        .collect();
                    let vfs = &st.vfs;
                    let read = |p: &str| vfs.read(p);
                    let fx = build_model::model_run(&RunInput {
                        script: &script,
                        workdir: &workdir,
                        read: &read,
                        source_bytes: vfs.source_bytes_under(&workdir),
                        cache_mounts: &cache_mounts,
                        env: &env_now,
                    });
                    adds = fx.adds;
                    removes = fx.removes;
                    notes = fx.notes;
                    duration = fx.duration_ms;
                    // whiteouts for files of earlier layers
                    for r in &removes {
                        if !st.vfs.select(r.trim_end_matches('*')).is_empty() {
                            notes.push(format!("rm {r}: hides files of an earlier layer (whiteout) — the image does not shrink"));
                        }
                    }
                }
                Instruction::Copy(spec) | Instruction::Add(spec) => {
                    let kw = if kind == StepKind::Copy {
                        "COPY"
                    } else {
                        "ADD"
                    };
                    let (a, text, files, extra, n_ms) =
                        self.copy(spec, kw, &workdir, &scope, states, i, c.line)?;
                    adds = a;
                    inputs.text = text;
                    inputs.files = files;
                    key_extra = extra;
                    duration = n_ms;
                    notes.push(format!(
                        "{} files, {}",
                        adds.len(),
                        human(adds.iter().map(|a| a.bytes).sum())
                    ));
                }
                Instruction::Workdir(p) => {
                    let p = expand(p)?;
                    let abs = join(&workdir, &p);
                    inputs.text = format!("WORKDIR {abs}");
                    st.config.config.working_dir = abs;
                    duration = 20;
                }
                _ => return Err(fail(Some(c.line), "internal: not a build step")),
            }
            let key = sha(&format!(
                "{}\n{}\n{:?}\n{:?}\n{:?}\n{}",
                st.key, inputs.text, inputs.files, inputs.args, inputs.env, key_extra
            ));
            let in_cache = self.cache.entries.contains_key(&key);
            let (cached, reason) = if no_cache {
                (false, "--no-cache: cache disabled".to_string())
            } else if missed {
                (
                    false,
                    "cache miss propagates: an earlier step in this stage missed".to_string(),
                )
            } else if in_cache {
                (true, hit_reason(kind, &inputs))
            } else {
                (false, miss_reason(self.cache.slots.get(&slot), &inputs))
            };
            if !cached {
                missed = true;
            }
            let bytes: u64 = adds.iter().map(|a| a.bytes).sum();
            for a in &adds {
                st.vfs.add(a);
            }
            for r in &removes {
                st.vfs.remove(r);
            }
            let layer = (bytes > 0).then(|| {
                let l = Layer::synthetic(
                    &format!("step:{key}"),
                    bytes,
                    compressed(kind, bytes),
                    &format!("{} # buildkit", inputs.text),
                );
                st.layers.push(l.clone());
                st.config.rootfs.diff_ids.push(l.diff_id.clone());
                l
            });
            st.config.history.push(History {
                created_by: format!("{} # buildkit", inputs.text),
                comment: "buildkit.dockerfile.v0".to_string(),
                empty_layer: layer.is_none(),
            });
            st.key = key.clone();
            steps.push(BuildStep {
                stage: sname.clone(),
                index: label(n),
                kind,
                instruction: inputs.text.clone(),
                line: c.line,
                cached,
                cache_key: key,
                reason,
                layer,
                size_added: bytes,
                duration_ms: if cached { 0 } else { duration },
                notes,
                slot,
                inputs,
                base_digest: None,
            });
        }
        st.built = true;
        Ok(st)
    }

    #[allow(clippy::type_complexity)]
    #[allow(clippy::too_many_arguments)]
    fn copy(
        &self,
        spec: &CopySpec,
        kw: &str,
        workdir: &str,
        scope: &EnvMap,
        states: &BTreeMap<usize, StageState>,
        stage_i: usize,
        line: usize,
    ) -> Result<(Vec<FsAdd>, String, BTreeMap<String, String>, String, u64), BuildError> {
        let ex = |s: &str| {
            self.lex
                .process_word(s, scope)
                .map_err(|e| fail(Some(line), e))
        };
        let dest_raw = ex(&spec.dest)?;
        let dest = join(workdir, &dest_raw);
        let dest_is_dir = dest_raw.ends_with('/')
            || dest_raw == "."
            || spec.sources.len() + spec.heredoc_sources.len() > 1;
        let srcs: Vec<String> = spec
            .sources
            .iter()
            .map(|s| ex(s))
            .collect::<Result<_, _>>()?;
        let mut flags = String::new();
        if let Some(f) = &spec.from {
            flags.push_str(&format!("--from={} ", ex(f)?));
        }
        if let Some(f) = &spec.chown {
            flags.push_str(&format!("--chown={} ", ex(f)?));
        }
        if let Some(f) = &spec.chmod {
            flags.push_str(&format!("--chmod={} ", ex(f)?));
        }
        if spec.link {
            flags.push_str("--link ");
        }
        let mut names: Vec<String> = srcs.clone();
        names.extend(
            spec.heredoc_sources
                .iter()
                .map(|(n, _, _)| format!("<<{n}")),
        );
        let text = format!("{kw} {flags}{} {dest_raw}", names.join(" "));
        let mut adds = Vec::new();
        let mut files = BTreeMap::new();
        let mut extra = String::new();
        for (name, content, expand) in &spec.heredoc_sources {
            let body = if *expand {
                ex(content).unwrap_or_else(|_| content.clone())
            } else {
                content.clone()
            };
            let path = if dest_is_dir || dest_raw.ends_with('/') {
                join(&dest, name)
            } else {
                dest.clone()
            };
            files.insert(format!("<<{name}"), sha(&body));
            adds.push(FsAdd {
                path,
                bytes: body.len() as u64,
                content: Some(body),
            });
        }
        match spec.from.as_ref().map(|f| ex(f)).transpose()? {
            Some(from) => {
                let (vfs, from_key) = match self.stage_ref(&from, stage_i) {
                    Some(j) => {
                        let s = states
                            .get(&j)
                            .ok_or_else(|| fail(Some(line), "internal: source stage not built"))?;
                        (s.vfs.clone(), s.key.clone())
                    }
                    None => {
                        let b = self
                            .catalog
                            .resolve(&from)
                            .map_err(|e| fail(Some(line), format!("{from}: {e}")))?;
                        let v = Vfs {
                            base_bytes: b.image.size(),
                            ..Vfs::default()
                        };
                        (v, b.digest.to_string())
                    }
                };
                extra = from_key;
                for s in &srcs {
                    let abs = join("/", s);
                    if abs == "/" {
                        let total =
                            vfs.base_bytes + vfs.select("").iter().map(|e| e.1).sum::<u64>();
                        adds.push(FsAdd {
                            path: dest.clone(),
                            bytes: total,
                            content: None,
                        });
                        files.insert(abs.clone(), format!("{total}"));
                        continue;
                    }
                    let found = vfs.select(&abs);
                    if found.is_empty() {
                        if vfs.base_bytes == 0 {
                            return Err(fail(
                                Some(line),
                                format!(
                                    "failed to compute cache key: failed to calculate checksum of ref: \"{abs}\": not found"
                                ),
                            ));
                        }
                        // A file of the base image we do not model: assume 1 MB.
                        let target = if dest_is_dir {
                            join(&dest, abs.rsplit('/').next().unwrap_or("file"))
                        } else {
                            dest.clone()
                        };
                        adds.push(FsAdd {
                            path: target,
                            bytes: MB,
                            content: None,
                        });
                        files.insert(abs.clone(), "base-image-file".to_string());
                        continue;
                    }
                    for (p, b, content) in found {
                        let rel = p.strip_prefix(&abs).unwrap_or(&p).trim_start_matches('/');
                        let target = if rel.is_empty() {
                            if dest_is_dir {
                                join(&dest, p.rsplit('/').next().unwrap_or("file"))
                            } else {
                                dest.clone()
                            }
                        } else {
                            join(&dest, rel)
                        };
                        files.insert(
                            p.clone(),
                            format!("{b}:{}", content.as_deref().map(sha).unwrap_or_default()),
                        );
                        adds.push(FsAdd {
                            path: target,
                            bytes: b,
                            content,
                        });
                    }
                }
            }
            None => {
                for s in &srcs {
                    let rel = s
                        .trim_start_matches("./")
                        .trim_start_matches('/')
                        .trim_end_matches('/');
                    let rel = if rel == "." { "" } else { rel };
                    let is_glob = rel.contains(['*', '?', '[']);
                    let mut any = false;
                    for (p, content) in &self.context {
                        let (hit, under) = if rel.is_empty() {
                            (true, p.as_str())
                        } else if p == rel {
                            (true, "")
                        } else if let Some(u) = p.strip_prefix(&format!("{rel}/")) {
                            (true, u)
                        } else if is_glob && glob_match(rel, p) {
                            (true, "")
                        } else {
                            (false, "")
                        };
                        if !hit {
                            continue;
                        }
                        any = true;
                        let name = p.rsplit('/').next().unwrap_or(p);
                        let target = if !under.is_empty() {
                            join(&dest, under)
                        } else if dest_is_dir || is_glob {
                            join(&dest, name)
                        } else {
                            dest.clone()
                        };
                        files.insert(p.clone(), sha(content));
                        adds.push(FsAdd {
                            path: target,
                            bytes: build_model::file_size(content),
                            content: Some(content.clone()),
                        });
                    }
                    if !any {
                        if kw == "ADD"
                            && (rel.starts_with("http://") || rel.starts_with("https://"))
                        {
                            adds.push(FsAdd {
                                path: join(&dest, rel.rsplit('/').next().unwrap_or("download")),
                                bytes: 10 * MB,
                                content: None,
                            });
                            files.insert(rel.to_string(), "remote".to_string());
                            continue;
                        }
                        return Err(fail(
                            Some(line),
                            format!(
                                "failed to compute cache key: failed to calculate checksum of ref: \"/{rel}\": not found"
                            ),
                        ));
                    }
                }
            }
        }
        let bytes: u64 = adds.iter().map(|a| a.bytes).sum();
        Ok((adds, text, files, extra, build_model::copy_ms(bytes)))
    }

    fn apply_metadata(
        &mut self,
        st: &mut StageState,
        c: &super::dockerfile::Command,
        scope: &EnvMap,
    ) -> Result<(), BuildError> {
        let ex = |s: &str| {
            self.lex
                .process_word(s, scope)
                .map_err(|e| fail(Some(c.line), e))
        };
        let cfg = &mut st.config.config;
        let shell_wrap = |args: &[String], json: bool, shell: &[String]| -> Vec<String> {
            if json {
                args.to_vec()
            } else {
                let mut v = if shell.is_empty() {
                    vec!["/bin/sh".to_string(), "-c".to_string()]
                } else {
                    shell.to_vec()
                };
                v.push(args.join(" "));
                v
            }
        };
        let mut created_by = c.text.clone();
        match &c.instruction {
            Instruction::Env { pairs, .. } => {
                let mut parts = Vec::new();
                for kv in pairs {
                    let v = ex(&kv.value)?;
                    parts.push(format!("{}={v}", kv.key));
                    cfg.env_set(&kv.key, &v);
                }
                created_by = format!("ENV {}", parts.join(" "));
            }
            Instruction::Arg(defs) => {
                for d in defs {
                    self.used_args.insert(d.key.clone());
                    let v = match self.req.build_args.get(&d.key) {
                        Some(v) => Some(v.clone()),
                        None => match &d.value {
                            Some(dv) => Some(ex(dv)?),
                            None => self.meta.get(&d.key).cloned().filter(|_| {
                                self.df.meta_args.iter().any(|(m, _)| m.key == d.key)
                                    || platform_args().contains_key(&d.key)
                            }),
                        },
                    };
                    match v {
                        Some(v) => {
                            st.args.insert(d.key.clone(), v);
                        }
                        None => {
                            st.args.remove(&d.key);
                        }
                    }
                }
                created_by = format!(
                    "ARG {}",
                    defs.iter()
                        .map(|d| d.key.clone())
                        .collect::<Vec<_>>()
                        .join(" ")
                );
            }
            Instruction::Label { pairs, .. } => {
                for kv in pairs {
                    let k = ex(&kv.key)?;
                    let v = ex(&kv.value)?;
                    cfg.labels.insert(k, v);
                }
            }
            Instruction::Cmd(cl) => {
                cfg.cmd = Some(shell_wrap(&cl.args, cl.json, &cfg.shell));
                st.cmd_set = true;
            }
            Instruction::Entrypoint(cl) => {
                cfg.entrypoint = Some(shell_wrap(&cl.args, cl.json, &cfg.shell));
                // Setting ENTRYPOINT resets a CMD inherited from the base image.
                if !st.cmd_set {
                    cfg.cmd = None;
                }
            }
            Instruction::User(u) => cfg.user = ex(u)?,
            Instruction::Expose(ports) => {
                for p in ports {
                    for w in self
                        .lex
                        .process_words(p, scope)
                        .map_err(|e| fail(Some(c.line), e))?
                    {
                        let key = if w.contains('/') {
                            w.to_lowercase()
                        } else {
                            format!("{w}/tcp")
                        };
                        cfg.exposed_ports.insert(key, Empty {});
                    }
                }
            }
            Instruction::Volume(vols) => {
                for v in vols {
                    cfg.volumes.insert(ex(v)?, Empty {});
                }
            }
            Instruction::StopSignal(s) => cfg.stop_signal = ex(s)?,
            Instruction::Healthcheck(h) => {
                cfg.healthcheck = Some(match h {
                    Health::None => HealthConfig {
                        test: vec!["NONE".to_string()],
                        ..HealthConfig::default()
                    },
                    Health::Cmd {
                        test,
                        interval,
                        timeout,
                        start_period,
                        start_interval,
                        retries,
                    } => {
                        let ns = |v: &Option<String>| {
                            v.as_deref()
                                .and_then(super::dockerfile::instruction::parse_go_duration_ms)
                                .map(|ms| (ms * 1e6) as u64)
                                .unwrap_or(0)
                        };
                        HealthConfig {
                            test: test.clone(),
                            interval: ns(interval),
                            timeout: ns(timeout),
                            start_period: ns(start_period),
                            start_interval: ns(start_interval),
                            retries: retries.map(u64::from).unwrap_or(0),
                        }
                    }
                });
            }
            Instruction::Shell(s) => cfg.shell = s.clone(),
            Instruction::Onbuild(e) => cfg.on_build.push(e.clone()),
            Instruction::Maintainer(m) => st.config.author = m.clone(),
            _ => {}
        }
        st.config.history.push(History {
            created_by,
            comment: "buildkit.dockerfile.v0".to_string(),
            empty_layer: true,
        });
        Ok(())
    }
}

/// Compressed size estimate: text/source compresses ~4×, binaries ~2.5×.
fn compressed(kind: StepKind, bytes: u64) -> u64 {
    match kind {
        StepKind::Copy | StepKind::Add => bytes / 4 + 1,
        _ => bytes * 2 / 5 + 1,
    }
}

fn hit_reason(kind: StepKind, inputs: &StepInputs) -> String {
    match kind {
        StepKind::Copy | StepKind::Add => format!(
            "{}: checksum of {} files unchanged, same parent",
            inputs.text,
            inputs.files.len()
        ),
        StepKind::Run => {
            "same command, environment and build args after an unchanged parent".to_string()
        }
        _ => "same instruction after an unchanged parent".to_string(),
    }
}

fn miss_reason(prev: Option<&StepInputs>, now: &StepInputs) -> String {
    let Some(prev) = prev else {
        return "not in cache: first build of this step".to_string();
    };
    let changed_args: Vec<String> = now
        .args
        .iter()
        .filter(|(k, v)| prev.args.get(*k) != Some(*v))
        .map(|(k, v)| match prev.args.get(k) {
            Some(old) => format!("ARG {k} changed at first use ({old} → {v})"),
            None => format!("ARG {k} changed at first use (now {v})"),
        })
        .collect();
    if prev.text == now.text && !changed_args.is_empty() {
        return changed_args.join("; ");
    }
    if prev.text != now.text {
        return format!("instruction changed: `{}` → `{}`", prev.text, now.text);
    }
    if prev.files != now.files {
        let mut changed: Vec<&str> = now
            .files
            .iter()
            .filter(|(k, v)| prev.files.get(*k) != Some(*v))
            .map(|(k, _)| k.as_str())
            .collect();
        let removed = prev
            .files
            .keys()
            .filter(|k| !now.files.contains_key(*k))
            .count();
        let total = changed.len() + removed;
        changed.truncate(3);
        let mut list = changed.join(", ");
        if removed > 0 {
            list.push_str(&format!(
                "{}{removed} removed",
                if list.is_empty() { "" } else { ", " }
            ));
        }
        return format!("{} : checksum of {total} files changed ({list})", now.text);
    }
    if prev.env != now.env {
        let keys: Vec<&str> = now
            .env
            .iter()
            .filter(|(k, v)| prev.env.get(*k) != Some(*v))
            .map(|(k, _)| k.as_str())
            .collect();
        return format!("ENV changed: {}", keys.join(", "));
    }
    if !changed_args.is_empty() {
        return changed_args.join("; ");
    }
    "not in cache: the parent step changed (or the cache was pruned)".to_string()
}
