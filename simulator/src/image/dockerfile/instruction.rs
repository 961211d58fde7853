//! Typed instructions and build stages, from the parser's nodes.
//!
//! Ports BuildKit's `frontend/dockerfile/instructions/parse.go` and `bflag.go`
//! (moby/buildkit@73ed682): argument counts, allowed `--flags` per instruction (unknown
//! flags are errors, with a "did you mean" suggestion), `FROM image [AS name]` with the
//! stage-name rule `^[a-z][a-z0-9-_.]*$` (after lower-casing), `HEALTHCHECK NONE` vs
//! `[options] CMD`, heredoc sources for `COPY`/`ADD`, and the stage structure: every
//! instruction before the first `FROM` must be an `ARG` (otherwise "no build stage in
//! current context").
//!
//! Values are kept as written (quotes included where BuildKit keeps them); variable
//! expansion happens when a stage is built, see [`super::expand`].

use super::parser::{Ast, Heredoc, Node, ParseError, go_quote, parse, parse_heredoc};
use serde::Serialize;

/// A command line: exec form (`["a","b"]`, `json = true`) or shell form (one string).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CmdLine {
    /// The arguments (one element in shell form).
    pub args: Vec<String>,
    /// True for exec (JSON) form.
    pub json: bool,
}

impl CmdLine {
    /// True in shell form (the shell is prepended when run).
    pub fn prepends_shell(&self) -> bool {
        !self.json
    }
}

/// `KEY=value` as written (`ENV`, `LABEL`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyValue {
    /// Key as written.
    pub key: String,
    /// Value as written (quotes not yet removed).
    pub value: String,
}

/// One `ARG` name with an optional default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArgDef {
    /// Name.
    pub key: String,
    /// Default value as written, if any.
    pub value: Option<String>,
}

/// `COPY`/`ADD` sources and destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CopySpec {
    /// Source paths (or globs / URLs for `ADD`).
    pub sources: Vec<String>,
    /// Inline heredoc sources: (file name, content, expand).
    pub heredoc_sources: Vec<(String, String, bool)>,
    /// Destination path.
    pub dest: String,
    /// `--from=<stage|index|image>` (`COPY` only).
    pub from: Option<String>,
    /// `--chown=user:group`.
    pub chown: Option<String>,
    /// `--chmod=mode`.
    pub chmod: Option<String>,
    /// `--link`.
    pub link: bool,
    /// True when written as a JSON array.
    pub json: bool,
}

/// `HEALTHCHECK`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Health {
    /// `HEALTHCHECK NONE`: disable the base image's check.
    None,
    /// `HEALTHCHECK [options] CMD …`.
    Cmd {
        /// `["CMD", …]` (exec form) or `["CMD-SHELL", "…"]`.
        test: Vec<String>,
        /// `--interval` as written.
        interval: Option<String>,
        /// `--timeout` as written.
        timeout: Option<String>,
        /// `--start-period` as written.
        start_period: Option<String>,
        /// `--start-interval` as written.
        start_interval: Option<String>,
        /// `--retries`.
        retries: Option<u32>,
    },
}

/// A typed instruction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Instruction {
    /// `RUN [--mount=…] [--network=…] cmd` (heredocs become inline scripts).
    Run {
        /// The command.
        cmd: CmdLine,
        /// `--mount` values.
        mounts: Vec<String>,
        /// `--network`.
        network: Option<String>,
        /// Heredoc scripts/files.
        heredocs: Vec<Heredoc>,
    },
    /// `CMD`.
    Cmd(CmdLine),
    /// `ENTRYPOINT`.
    Entrypoint(CmdLine),
    /// `ENV`; `legacy` for the `ENV k v` form.
    Env {
        /// Pairs.
        pairs: Vec<KeyValue>,
        /// True for `ENV key value`.
        legacy: bool,
    },
    /// `ARG`.
    Arg(Vec<ArgDef>),
    /// `LABEL`; `legacy` for `LABEL k v`.
    Label {
        /// Pairs.
        pairs: Vec<KeyValue>,
        /// True for `LABEL key value`.
        legacy: bool,
    },
    /// `COPY`.
    Copy(CopySpec),
    /// `ADD`.
    Add(CopySpec),
    /// `WORKDIR`.
    Workdir(String),
    /// `USER`.
    User(String),
    /// `EXPOSE` (sorted, as BuildKit does).
    Expose(Vec<String>),
    /// `VOLUME`.
    Volume(Vec<String>),
    /// `HEALTHCHECK`.
    Healthcheck(Health),
    /// `SHELL` (JSON form only).
    Shell(Vec<String>),
    /// `STOPSIGNAL`.
    StopSignal(String),
    /// `ONBUILD <instruction>`: stored as text, run by child images.
    Onbuild(String),
    /// `MAINTAINER` (deprecated; becomes the `author` field).
    Maintainer(String),
}

impl Instruction {
    /// Upper-case instruction name (`RUN`).
    pub fn name(&self) -> &'static str {
        match self {
            Instruction::Run { .. } => "RUN",
            Instruction::Cmd(_) => "CMD",
            Instruction::Entrypoint(_) => "ENTRYPOINT",
            Instruction::Env { .. } => "ENV",
            Instruction::Arg(_) => "ARG",
            Instruction::Label { .. } => "LABEL",
            Instruction::Copy(_) => "COPY",
            Instruction::Add(_) => "ADD",
            Instruction::Workdir(_) => "WORKDIR",
            Instruction::User(_) => "USER",
            Instruction::Expose(_) => "EXPOSE",
            Instruction::Volume(_) => "VOLUME",
            Instruction::Healthcheck(_) => "HEALTHCHECK",
            Instruction::Shell(_) => "SHELL",
            Instruction::StopSignal(_) => "STOPSIGNAL",
            Instruction::Onbuild(_) => "ONBUILD",
            Instruction::Maintainer(_) => "MAINTAINER",
        }
    }
}

/// An instruction with its source position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Command {
    /// The typed instruction.
    pub instruction: Instruction,
    /// Keyword as written (for casing checks).
    pub keyword: String,
    /// The logical line as written (continuations joined), trimmed.
    pub text: String,
    /// 1-based first line.
    pub line: usize,
    /// 1-based last line.
    pub end_line: usize,
}

/// A build stage: `FROM base [AS name]` and its commands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stage {
    /// Base image reference as written (may contain `$ARG`s).
    pub base: String,
    /// Lower-cased stage name, if named.
    pub name: Option<String>,
    /// Stage name as written.
    pub name_as_written: Option<String>,
    /// `--platform` as written.
    pub platform: Option<String>,
    /// `FROM` keyword as written.
    pub from_keyword: String,
    /// `AS` keyword as written.
    pub as_keyword: Option<String>,
    /// The `FROM` line, trimmed.
    pub text: String,
    /// 1-based line of `FROM`.
    pub line: usize,
    /// Commands in order.
    pub commands: Vec<Command>,
}

/// A parsed and typed Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dockerfile {
    /// The raw AST (keeps directives, warnings, heredocs and dumps).
    pub ast: Ast,
    /// `ARG`s before the first `FROM` (usable in `FROM` lines).
    pub meta_args: Vec<(ArgDef, usize)>,
    /// Stages in order.
    pub stages: Vec<Stage>,
}

impl Dockerfile {
    /// Parses and types a Dockerfile. Errors read like BuildKit's, e.g.
    /// `Dockerfile:3: unknown instruction: RUNN (did you mean RUN?)`.
    pub fn parse(src: &str) -> Result<Dockerfile, ParseError> {
        if src.is_empty() {
            return Err(ParseError::at(0, "the Dockerfile cannot be empty"));
        }
        let ast = parse(src)?;
        let mut meta_args = Vec::new();
        let mut stages: Vec<Stage> = Vec::new();
        for node in &ast.children {
            let err = |m: String| ParseError::span(node.start_line, node.end_line, m);
            let kw = node.keyword();
            if kw == "from" {
                stages.push(parse_from(node).map_err(err)?);
                continue;
            }
            let instruction = parse_instruction(node).map_err(err)?;
            let command = Command {
                instruction,
                keyword: node.value.clone(),
                text: node.original.trim().to_string(),
                line: node.start_line,
                end_line: node.end_line,
            };
            match stages.last_mut() {
                Some(stage) => stage.commands.push(command),
                None => match command.instruction {
                    Instruction::Arg(defs) => {
                        meta_args.extend(defs.into_iter().map(|d| (d, node.start_line)));
                    }
                    _ => return Err(err("no build stage in current context".to_string())),
                },
            }
        }
        if stages.is_empty() {
            let last = ast.children.last().map(|n| n.end_line).unwrap_or(0);
            return Err(ParseError::at(
                last,
                "dockerfile contains no stages to build",
            ));
        }
        Ok(Dockerfile {
            ast,
            meta_args,
            stages,
        })
    }

    /// Index of the stage called `name` (case-insensitive) or with that numeric index.
    pub fn stage_index(&self, name: &str) -> Option<usize> {
        let lower = name.to_ascii_lowercase();
        if let Some(i) = self
            .stages
            .iter()
            .position(|s| s.name.as_deref() == Some(&lower))
        {
            return Some(i);
        }
        name.parse::<usize>()
            .ok()
            .filter(|&i| i < self.stages.len())
    }
}

const INSTRUCTIONS: [&str; 18] = [
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

/// Levenshtein distance (for "did you mean").
pub(crate) fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// BuildKit's `suggest.WrapError`: appends ` (did you mean X?)` for a close option
/// (edit distance < 3), matching the case of `val` when case-insensitive.
pub(crate) fn suggest(
    message: String,
    val: &str,
    options: &[&str],
    case_sensitive: bool,
) -> String {
    let v = if case_sensitive {
        val.to_string()
    } else {
        val.to_lowercase()
    };
    let mut best: Option<String> = None;
    let mut min = 3;
    for opt in options {
        let o = if case_sensitive {
            opt.to_string()
        } else {
            opt.to_lowercase()
        };
        if o == v {
            return message;
        }
        let d = levenshtein(&v, &o);
        if d < min {
            min = d;
            best = Some(if case_sensitive {
                o
            } else if val == val.to_lowercase() {
                o.to_lowercase()
            } else if val == val.to_uppercase() {
                o.to_uppercase()
            } else {
                o
            });
        }
    }
    match best {
        Some(b) => format!("{message} (did you mean {b}?)"),
        None => message,
    }
}

#[derive(Clone, Copy, PartialEq)]
enum FlagType {
    Bool,
    Str,
    Strings,
}

/// `BFlags`: declared flags and their parsed values.
struct Flags<'a> {
    raw: &'a [String],
    decl: Vec<(&'static str, FlagType)>,
    values: Vec<(&'static str, Vec<String>)>,
}

impl<'a> Flags<'a> {
    fn new(raw: &'a [String]) -> Self {
        Flags {
            raw,
            decl: Vec::new(),
            values: Vec::new(),
        }
    }
    fn add(&mut self, name: &'static str, t: FlagType) {
        self.decl.push((name, t));
    }
    fn parse(&mut self) -> Result<(), String> {
        for arg in self.raw {
            let Some(a) = arg.strip_prefix("--") else {
                return Err(format!("arg should start with -- : {arg}"));
            };
            let (name, value) = match a.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (a, None),
            };
            let Some(&(decl_name, t)) = self.decl.iter().find(|(n, _)| *n == name) else {
                let names: Vec<&str> = self.decl.iter().map(|(n, _)| *n).collect();
                return Err(suggest(format!("unknown flag: {name}"), name, &names, true));
            };
            let used = self.values.iter().position(|(n, _)| *n == decl_name);
            if used.is_some() && t != FlagType::Strings {
                return Err(format!("duplicate flag specified: {name}"));
            }
            let v = match t {
                FlagType::Bool => match value {
                    Some("") => return Err(format!("missing a value on flag: {name}")),
                    None => "true".to_string(),
                    Some(v) => match v.to_lowercase().as_str() {
                        "true" => "true".to_string(),
                        "false" => "false".to_string(),
                        _ => {
                            return Err(format!(
                                "expecting boolean value for flag {name}, not: {v}"
                            ));
                        }
                    },
                },
                FlagType::Str | FlagType::Strings => match value {
                    None => return Err(format!("missing a value on flag: {name}")),
                    Some(v) => v.to_string(),
                },
            };
            match used {
                Some(i) => self.values[i].1.push(v),
                None => self.values.push((decl_name, vec![v])),
            }
        }
        Ok(())
    }
    fn get(&self, name: &str) -> Option<String> {
        self.values
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, v)| v.last().cloned())
    }
    fn all(&self, name: &str) -> Vec<String> {
        self.values
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
    fn bool(&self, name: &str) -> bool {
        self.get(name).as_deref() == Some("true")
    }
}

fn parse_from(node: &Node) -> Result<Stage, String> {
    let args = &node.args;
    let (name, as_kw, written) = match args.len() {
        3 if args[1].eq_ignore_ascii_case("as") => {
            let lower = args[2].to_lowercase();
            let ok = lower.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                && lower
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c));
            if !ok {
                return Err(format!(
                    "invalid name for build stage: {}, name can't start with a number or contain symbols",
                    go_quote(&args[2])
                ));
            }
            (Some(lower), Some(args[1].clone()), Some(args[2].clone()))
        }
        1 => (None, None, None),
        _ => return Err("FROM requires either one or three arguments".to_string()),
    };
    let mut flags = Flags::new(&node.flags);
    flags.add("platform", FlagType::Str);
    flags.parse()?;
    Ok(Stage {
        base: args[0].clone(),
        name,
        name_as_written: written,
        platform: flags.get("platform"),
        from_keyword: node.value.clone(),
        as_keyword: as_kw,
        text: node.original.trim().to_string(),
        line: node.start_line,
        commands: Vec::new(),
    })
}

fn pairs(node: &Node, name: &str) -> Result<(Vec<KeyValue>, bool), String> {
    if node.args.is_empty() {
        return Err(format!("{name} requires at least one argument"));
    }
    let mut out = Vec::new();
    let mut legacy = false;
    for t in node.args.chunks(3) {
        if t.len() < 2 || t[0].is_empty() {
            return Err(format!("{name} names can not be blank"));
        }
        legacy |= t.get(2).is_some_and(|s| s.is_empty());
        out.push(KeyValue {
            key: t[0].clone(),
            value: t[1].clone(),
        });
    }
    Ok((out, legacy))
}

fn sources_and_dest(node: &Node, name: &str, mut flags: Flags) -> Result<CopySpec, String> {
    if node.args.len() < 2 {
        return Err(format!(
            "{name} requires at least two arguments, but only one was provided. Destination could not be determined"
        ));
    }
    let is_copy = name == "COPY";
    flags.add("chown", FlagType::Str);
    flags.add("chmod", FlagType::Str);
    flags.add("link", FlagType::Bool);
    flags.add("exclude", FlagType::Strings);
    if is_copy {
        flags.add("from", FlagType::Str);
        flags.add("parents", FlagType::Bool);
    } else {
        flags.add("checksum", FlagType::Str);
        flags.add("keep-git-dir", FlagType::Bool);
        flags.add("unpack", FlagType::Bool);
    }
    flags.parse()?;
    let (srcs, dest) = node.args.split_at(node.args.len() - 1);
    let dest = dest[0].clone();
    if parse_heredoc(&dest).ok().flatten().is_some() {
        return Err(format!("{name} cannot accept a heredoc as a destination"));
    }
    let mut sources = Vec::new();
    let mut heredoc_sources = Vec::new();
    for s in srcs {
        match parse_heredoc(s).ok().flatten() {
            Some(h) if !node.json => {
                let found = node.heredocs.iter().find(|d| d.name == h.name);
                let content = found.map(|d| d.effective_content()).unwrap_or_default();
                heredoc_sources.push((h.name.clone(), content, h.expand));
            }
            _ => sources.push(s.clone()),
        }
    }
    Ok(CopySpec {
        sources,
        heredoc_sources,
        dest,
        from: flags.get("from"),
        chown: flags.get("chown"),
        chmod: flags.get("chmod"),
        link: flags.bool("link"),
        json: node.json,
    })
}

fn cmdline(node: &Node) -> CmdLine {
    CmdLine {
        args: node.args.clone(),
        json: node.json,
    }
}

fn exactly_one(node: &Node, name: &str) -> Result<String, String> {
    if node.args.len() != 1 {
        return Err(format!("{name} requires exactly one argument"));
    }
    Ok(node.args[0].clone())
}

/// `ParseInstruction` for everything but `FROM`.
fn parse_instruction(node: &Node) -> Result<Instruction, String> {
    let mut flags = Flags::new(&node.flags);
    let kw = node.keyword();
    let ins = match kw.as_str() {
        "env" => {
            flags.parse()?;
            let (pairs, legacy) = pairs(node, "ENV")?;
            Instruction::Env { pairs, legacy }
        }
        "label" => {
            flags.parse()?;
            let (pairs, legacy) = pairs(node, "LABEL")?;
            Instruction::Label { pairs, legacy }
        }
        "maintainer" => {
            let m = exactly_one(node, "MAINTAINER")?;
            flags.parse()?;
            Instruction::Maintainer(m)
        }
        "add" => Instruction::Add(sources_and_dest(node, "ADD", flags)?),
        "copy" => Instruction::Copy(sources_and_dest(node, "COPY", flags)?),
        "onbuild" => {
            let Some(sub) = &node.sub else {
                return Err("ONBUILD requires at least one argument".to_string());
            };
            flags.parse()?;
            let trigger = sub.value.to_uppercase();
            match trigger.as_str() {
                "ONBUILD" => {
                    return Err("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed".to_string());
                }
                "MAINTAINER" | "FROM" => {
                    return Err(format!("{trigger} isn't allowed as an ONBUILD trigger"));
                }
                _ => {}
            }
            let original = node.original.trim_start();
            let mut expr = original
                .get(7..)
                .unwrap_or_default()
                .trim_start()
                .to_string();
            for h in &node.heredocs {
                expr.push('\n');
                expr.push_str(&h.content);
                expr.push_str(&h.name);
            }
            Instruction::Onbuild(expr)
        }
        "workdir" => {
            let p = exactly_one(node, "WORKDIR")?;
            flags.parse()?;
            Instruction::Workdir(p)
        }
        "run" => {
            flags.add("mount", FlagType::Strings);
            flags.add("network", FlagType::Str);
            flags.add("security", FlagType::Str);
            flags.parse()?;
            Instruction::Run {
                cmd: cmdline(node),
                mounts: flags.all("mount"),
                network: flags.get("network"),
                heredocs: node.heredocs.clone(),
            }
        }
        "cmd" => {
            flags.parse()?;
            Instruction::Cmd(cmdline(node))
        }
        "entrypoint" => {
            flags.parse()?;
            Instruction::Entrypoint(cmdline(node))
        }
        "healthcheck" => {
            if node.args.is_empty() {
                return Err("HEALTHCHECK requires at least one argument".to_string());
            }
            let typ = node.args[0].to_uppercase();
            let rest = &node.args[1..];
            if typ == "NONE" {
                if !rest.is_empty() {
                    return Err("HEALTHCHECK NONE takes no arguments".to_string());
                }
                Instruction::Healthcheck(Health::None)
            } else {
                for f in [
                    "interval",
                    "timeout",
                    "start-period",
                    "start-interval",
                    "retries",
                ] {
                    flags.add(f, FlagType::Str);
                }
                flags.parse()?;
                if typ != "CMD" {
                    return Err(format!("Unknown type \"{typ}\" in HEALTHCHECK (try CMD)"));
                }
                if rest.is_empty() {
                    return Err("Missing command after HEALTHCHECK CMD".to_string());
                }
                for f in ["interval", "timeout", "start-period", "start-interval"] {
                    if let Some(v) = flags.get(f) {
                        check_duration(f, &v)?;
                    }
                }
                let retries = match flags.get("retries") {
                    None => None,
                    Some(v) => {
                        let r: i64 = v.parse().map_err(|_| {
                            format!("strconv.ParseInt: parsing {}: invalid syntax", go_quote(&v))
                        })?;
                        if r < 1 {
                            return Err(format!("--retries must be at least 1 (not {r})"));
                        }
                        Some(r.min(u32::MAX as i64) as u32)
                    }
                };
                let mut test = vec![if node.json { "CMD" } else { "CMD-SHELL" }.to_string()];
                test.extend(rest.iter().cloned());
                Instruction::Healthcheck(Health::Cmd {
                    test,
                    interval: flags.get("interval"),
                    timeout: flags.get("timeout"),
                    start_period: flags.get("start-period"),
                    start_interval: flags.get("start-interval"),
                    retries,
                })
            }
        }
        "expose" => {
            if node.args.is_empty() {
                return Err("EXPOSE requires at least one argument".to_string());
            }
            flags.parse()?;
            let mut ports = node.args.clone();
            ports.sort();
            Instruction::Expose(ports)
        }
        "user" => {
            let u = exactly_one(node, "USER")?;
            flags.parse()?;
            Instruction::User(u)
        }
        "volume" => {
            if node.args.is_empty() {
                return Err("VOLUME requires at least one argument".to_string());
            }
            flags.parse()?;
            let mut vols = Vec::new();
            for v in &node.args {
                let v = v.trim();
                if v.is_empty() {
                    return Err("VOLUME specified can not be an empty string".to_string());
                }
                vols.push(v.to_string());
            }
            Instruction::Volume(vols)
        }
        // BuildKit does not parse STOPSIGNAL's flags.
        "stopsignal" => Instruction::StopSignal(exactly_one(node, "STOPSIGNAL")?),
        "arg" => {
            if node.args.is_empty() {
                return Err("ARG requires at least one argument".to_string());
            }
            let mut defs = Vec::new();
            for a in &node.args {
                match a.split_once('=') {
                    Some(("", _)) => return Err("ARG names can not be blank".to_string()),
                    Some((k, v)) => defs.push(ArgDef {
                        key: k.to_string(),
                        value: Some(v.to_string()),
                    }),
                    None => defs.push(ArgDef {
                        key: a.clone(),
                        value: None,
                    }),
                }
            }
            Instruction::Arg(defs)
        }
        "shell" => {
            flags.parse()?;
            if node.args.is_empty() {
                return Err("SHELL requires at least one argument".to_string());
            }
            if !node.json {
                return Err(format!(
                    "SHELL requires the arguments to be in JSON form: {}",
                    node.original.trim()
                ));
            }
            Instruction::Shell(node.args.clone())
        }
        _ => {
            return Err(suggest(
                format!("unknown instruction: {}", node.value),
                &node.value,
                &INSTRUCTIONS,
                false,
            ));
        }
    };
    Ok(ins)
}

/// Go `time.ParseDuration` syntax check plus BuildKit's 1ms minimum.
fn check_duration(flag: &str, v: &str) -> Result<(), String> {
    let ms =
        parse_go_duration_ms(v).ok_or_else(|| format!("time: invalid duration {}", go_quote(v)))?;
    if ms < 1.0 {
        return Err(format!("Interval \"{flag}\" cannot be less than 1ms"));
    }
    Ok(())
}

/// Parses a Go duration (`1h30m`, `500ms`, `2.5s`) into milliseconds.
pub fn parse_go_duration_ms(v: &str) -> Option<f64> {
    let s = v.strip_prefix('+').unwrap_or(v);
    if s == "0" {
        return Some(0.0);
    }
    if s.is_empty() || s.starts_with('-') {
        return None;
    }
    let mut total = 0.0;
    let mut rest = s;
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_end == 0 {
            return None;
        }
        let n: f64 = rest[..num_end].parse().ok()?;
        rest = &rest[num_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let factor = match &rest[..unit_end] {
            "ns" => 1e-6,
            "us" | "µs" | "μs" => 1e-3,
            "ms" => 1.0,
            "s" => 1e3,
            "m" => 60e3,
            "h" => 3600e3,
            _ => return None,
        };
        total += n * factor;
        rest = &rest[unit_end..];
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(src: &str) -> String {
        Dockerfile::parse(src).unwrap_err().to_string()
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(
            err("FROM alpine\nWORKDIR /a\nRUNN echo\n"),
            "Dockerfile:3: unknown instruction: RUNN (did you mean RUN?)"
        );
        assert_eq!(
            err("RUN echo\nFROM a\n"),
            "Dockerfile:1: no build stage in current context"
        );
        assert_eq!(
            err("ARG A=1\n"),
            "Dockerfile:1: dockerfile contains no stages to build"
        );
        assert_eq!(err(""), "Dockerfile: the Dockerfile cannot be empty");
        assert_eq!(
            err("FROM a\nCOPY --form=b x y\n"),
            "Dockerfile:2: unknown flag: form (did you mean from?)"
        );
        assert_eq!(
            err("FROM a AS 1x\n"),
            "Dockerfile:1: invalid name for build stage: \"1x\", name can't start with a number or contain symbols"
        );
    }

    #[test]
    fn typed_instructions() {
        let df = Dockerfile::parse(
            "ARG V=1\nFROM --platform=linux/amd64 node:${V} AS Build\nENV a=1 b=\"x y\"\nENV k v w\nCOPY --from=x --chown=1:1 --link a b /d/\nHEALTHCHECK --interval=30s --retries=3 CMD curl -f localhost\nCOPY <<EOF /f\nhi\nEOF\n",
        )
        .unwrap();
        assert_eq!(df.meta_args[0].0.key, "V");
        let s = &df.stages[0];
        assert_eq!(s.name.as_deref(), Some("build"));
        assert_eq!(s.platform.as_deref(), Some("linux/amd64"));
        match &s.commands[0].instruction {
            Instruction::Env { pairs, legacy } => {
                assert!(!legacy);
                assert_eq!(pairs[1].value, "\"x y\"");
            }
            other => panic!("{other:?}"),
        }
        match &s.commands[1].instruction {
            Instruction::Env { pairs, legacy } => {
                assert!(legacy);
                assert_eq!(
                    (pairs[0].key.as_str(), pairs[0].value.as_str()),
                    ("k", "v w")
                );
            }
            other => panic!("{other:?}"),
        }
        match &s.commands[2].instruction {
            Instruction::Copy(c) => {
                assert_eq!(c.from.as_deref(), Some("x"));
                assert!(c.link);
                assert_eq!(c.sources, vec!["a", "b"]);
            }
            other => panic!("{other:?}"),
        }
        match &s.commands[3].instruction {
            Instruction::Healthcheck(Health::Cmd { test, retries, .. }) => {
                assert_eq!(test[0], "CMD-SHELL");
                assert_eq!(*retries, Some(3));
            }
            other => panic!("{other:?}"),
        }
        match &s.commands[4].instruction {
            Instruction::Copy(c) => assert_eq!(c.heredoc_sources[0].1, "hi\n"),
            other => panic!("{other:?}"),
        }
    }
}
