//! Tab completion for the terminal: given the text before the cursor, which words could
//! come next. Verbs come from the same tables the parsers use (`PROGRAMS`,
//! `kubectl::VERBS`, `sim::SUBCOMMANDS`, the AWS operation tables …) so completion and
//! parsing cannot drift apart; names come from the simulation as it stands (pods,
//! deployments, nodes, local images, workspace files).
//!
//! Completion only reads the simulation; it never changes it, so it is safe to call on
//! every key press and has no effect on determinism.

use crate::api::object::{KINDS, KindInfo, kind_by_name};
use crate::command::kubectl::flags::{FlagSpec, GLOBAL, switch, value};
use crate::command::{PROGRAMS, aws, docker, kubectl, sim};
use crate::simulation::Simulation;

/// What can replace the word being completed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Completion {
    /// Byte offset in the line where the word being completed starts; the caller replaces
    /// `line[start..]` with a candidate (or the candidates' common prefix).
    pub start: usize,
    /// Every word that fits, sorted and deduplicated (empty: nothing to complete).
    pub candidates: Vec<String>,
}

/// The longest prefix every candidate shares (on character boundaries); empty for none.
pub fn common_prefix(candidates: &[String]) -> String {
    let Some((first, rest)) = candidates.split_first() else {
        return String::new();
    };
    let mut len = first.len();
    for c in rest {
        len = first
            .char_indices()
            .zip(c.chars())
            .take_while(|((_, a), b)| a == b)
            .last()
            .map_or(0, |((i, a), _)| i + a.len_utf8())
            .min(len);
    }
    first[..len].to_string()
}

/// Completes the last word of `line` (the text before the cursor) against the
/// simulation's state.
pub fn complete(line: &str, sim: &Simulation) -> Completion {
    let tokens = lex(line);
    // Only the last simple command of a pipeline matters; right after `>`/`>>` comes a
    // workspace file name.
    let segment_start = tokens
        .iter()
        .rposition(|t| matches!(t.kind, TokenKind::Pipe | TokenKind::Redirect));
    let after_redirect = segment_start.is_some_and(|i| tokens[i].kind == TokenKind::Redirect);
    let segment: Vec<&Token> = tokens[segment_start.map_or(0, |i| i + 1)..]
        .iter()
        .collect();
    let words: Vec<&str> = segment.iter().map(|t| t.text.as_str()).collect();
    // The word under completion: the last one unless the line ends in a separator.
    let (done, current, start) = match segment.last() {
        Some(last) if last.end == line.len() => {
            (&words[..words.len() - 1], last.text.as_str(), last.start)
        }
        _ => (&words[..], "", line.len()),
    };
    let mut out = Completion {
        start,
        candidates: Vec::new(),
    };
    if after_redirect {
        if done.is_empty() {
            out.candidates = files(sim, current);
        }
        return finish(out, current);
    }
    let Some((program, args)) = done.split_first() else {
        let mut programs: Vec<String> = PROGRAMS.iter().map(|p| p.to_string()).collect();
        // `clear` is the terminal's own (it clears the screen; the simulator never sees it).
        programs.push("clear".into());
        out.candidates = programs;
        return finish(out, current);
    };
    let ctx = Ctx { sim, args, current };
    let (offset, candidates) = match *program {
        "kubectl" | "k" => ctx.kubectl(),
        "docker" => ctx.docker(),
        "aws" => ctx.aws(),
        "sim" => ctx.sim(),
        "help" if args.is_empty() => (0, strings(&HELP_TOPICS)),
        "ls" | "cat" => (0, files(sim, current)),
        _ => (0, Vec::new()),
    };
    out.start += offset;
    out.candidates = candidates;
    finish(out, &current[offset.min(current.len())..])
}

/// Keeps the candidates that extend `prefix`, sorted and deduplicated.
fn finish(mut out: Completion, prefix: &str) -> Completion {
    out.candidates.retain(|c| c.starts_with(prefix));
    out.candidates.sort();
    out.candidates.dedup();
    out
}

/// Topics `help` has a page for.
const HELP_TOPICS: [&str; 5] = ["aws", "docker", "files", "kubectl", "sim"];

/// The services `aws` models, besides `ecr` (same order as `command::aws`).
fn aws_services() -> Vec<(&'static str, Vec<aws::Operation>)> {
    vec![
        (
            "ecs",
            [aws::ecs::OPERATIONS, aws::task_definitions::OPERATIONS].concat(),
        ),
        ("elbv2", aws::elbv2::OPERATIONS.to_vec()),
        ("ec2", aws::ec2::OPERATIONS.to_vec()),
        ("autoscaling", aws::autoscaling::OPERATIONS.to_vec()),
        (
            "application-autoscaling",
            aws::application_autoscaling::OPERATIONS.to_vec(),
        ),
        ("eks", aws::eks::OPERATIONS.to_vec()),
    ]
}

/// `aws ecr` operations (the ECR parser keeps its own list private; the tests check
/// that every one of these parses).
const ECR_OPERATIONS: [&str; 7] = [
    "create-repository",
    "delete-repository",
    "describe-image-scan-findings",
    "describe-images",
    "describe-repositories",
    "get-login-password",
    "list-images",
];

/// `aws` global options the parser accepts.
const AWS_GLOBAL: [&str; 4] = ["--no-cli-pager", "--output", "--profile", "--region"];

/// Flags of `kubectl get` and `kubectl describe` (the parser lists them inline).
const GET_FLAGS: [FlagSpec; 6] = [
    value("output", Some('o')),
    switch("all-namespaces", Some('A')),
    switch("show-labels", None),
    value("selector", Some('l')),
    switch("watch", Some('w')),
    value("field-selector", None),
];
const DESCRIBE_FLAGS: [FlagSpec; 2] = [
    switch("all-namespaces", Some('A')),
    value("selector", Some('l')),
];

/// `-o` formats kubectl prints.
const OUTPUT_FORMATS: [&str; 4] = ["json", "name", "wide", "yaml"];

/// Durations offered after `sim advance`.
const DURATIONS: [&str; 6] = ["10s", "30s", "1m", "5m", "10m", "1h"];

/// `sim traffic` / `sim usage` target types (see `load::parse_target`).
const LOAD_TARGETS: [(&str, &str); 4] = [
    ("service", "Service"),
    ("deployment", "Deployment"),
    ("pod", "Pod"),
    ("ecs-service", ""),
];

/// Docker flags by verb: (long, short, takes a value), as the docker parsers list them.
fn docker_flags(verb: &str) -> &'static [docker::FlagSpec] {
    match verb {
        "build" => docker::build::FLAGS,
        "run" => docker::run::FLAGS,
        "images" => &[("all", Some('a'), false)],
        "ps" => &[("all", Some('a'), false), ("quiet", Some('q'), false)],
        "logs" => &[("follow", Some('f'), false), ("tail", Some('n'), true)],
        "stop" => &[("time", Some('t'), true), ("timeout", None, true)],
        "rm" | "rmi" => &[("force", Some('f'), false)],
        "history" => &[("no-trunc", None, false), ("human", Some('H'), false)],
        "login" => &[
            ("username", Some('u'), true),
            ("password", Some('p'), true),
            ("password-stdin", None, false),
        ],
        _ => &[],
    }
}

/// The kubectl flags a verb accepts (besides the global ones).
fn kubectl_flags(verb: &str) -> &'static [FlagSpec] {
    use kubectl::{
        apply, autoscale, cordon, create, delete, drain, label, logs, rollout, scale, set, taint,
        top, wait,
    };
    match verb {
        "get" => &GET_FLAGS,
        "describe" => &DESCRIBE_FLAGS,
        "apply" => &apply::FLAGS,
        "delete" => &delete::FLAGS,
        "autoscale" => &autoscale::FLAGS,
        "top" => &top::FLAGS,
        "taint" => &taint::FLAGS,
        "cordon" | "uncordon" => &cordon::FLAGS,
        "drain" => &drain::FLAGS,
        "create" => &create::FLAGS,
        "scale" => &scale::FLAGS,
        "set" => &set::FLAGS,
        "rollout" => &rollout::FLAGS,
        "label" | "annotate" => &label::FLAGS,
        "logs" => &logs::FLAGS,
        "wait" => &wait::FLAGS,
        _ => &[],
    }
}

/// The words of the command being completed, and the simulation to read names from.
struct Ctx<'a> {
    sim: &'a Simulation,
    /// Complete words after the program name.
    args: &'a [&'a str],
    /// The (possibly empty) word being completed.
    current: &'a str,
}

/// A flag spec reduced to what completion needs: long name, short letter, takes a value.
type Flag = (&'static str, Option<char>, bool);

/// Splits `args` into positional words, skipping flags and the values they take.
fn positionals<'a>(args: &[&'a str], flags: &[Flag]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args[i];
        i += 1;
        if a == "--" {
            out.extend(args[i..].iter().copied());
            break;
        }
        if a.starts_with('-') && a.len() > 1 {
            if !a.contains('=') && flag_takes_value(a, flags) {
                i += 1;
            }
            continue;
        }
        out.push(a);
    }
    out
}

/// The long name of the flag `word` (`-o`, `--output`), if it is one of `flags`.
fn flag_named(word: &str, flags: &[Flag]) -> Option<Flag> {
    if let Some(long) = word.strip_prefix("--") {
        return flags.iter().copied().find(|f| f.0 == long);
    }
    let mut chars = word.strip_prefix('-')?.chars();
    let short = chars.next()?;
    // `-ojson` carries its value; only a bare `-o` waits for the next word.
    chars
        .next()
        .is_none()
        .then(|| flags.iter().copied().find(|f| f.1 == Some(short)))
        .flatten()
}

fn flag_takes_value(word: &str, flags: &[Flag]) -> bool {
    flag_named(word, flags).is_some_and(|f| f.2)
}

/// `--long` and `-s` spellings of every flag.
fn flag_words(flags: &[Flag]) -> Vec<String> {
    flags
        .iter()
        .flat_map(|(long, short, _)| {
            std::iter::once(format!("--{long}")).chain(short.map(|s| format!("-{s}")))
        })
        .collect()
}

fn kube_flags(specs: &[FlagSpec]) -> Vec<Flag> {
    specs
        .iter()
        .chain(GLOBAL.iter())
        .map(|f| (f.long, f.short, f.takes_value))
        .collect()
}

impl Ctx<'_> {
    /// The value of the flag `--name`/`-s` given earlier on the line, if any.
    fn flag_value(&self, long: &str, short: Option<char>) -> Option<&str> {
        let mut found = None;
        for (i, a) in self.args.iter().enumerate() {
            let bare = a.split_once('=').map_or(*a, |(k, _)| k);
            let matches = bare.strip_prefix("--") == Some(long)
                || short.is_some_and(|s| bare.strip_prefix('-') == Some(s.to_string().as_str()));
            if matches {
                found = match a.split_once('=') {
                    Some((_, v)) => Some(v),
                    None => self.args.get(i + 1).copied(),
                };
            }
        }
        found
    }

    /// If the word being completed is `--flag=VAL…`, the flag and where its value starts.
    fn inline_flag(&self, flags: &[Flag]) -> Option<(Flag, usize)> {
        let (name, _) = self.current.split_once('=')?;
        let flag = flag_named(name, flags)?;
        Some((flag, name.len() + 1))
    }

    /// The flag whose value the current word is (`-o █`), if any.
    fn pending_flag(&self, flags: &[Flag]) -> Option<Flag> {
        // A flag right before is waiting for its value, unless that flag is itself the
        // value of the word before it (`-l -o`) — rare enough to ignore.
        let prev = self.args.last()?;
        flag_named(prev, flags).filter(|f| f.2 && !prev.contains('='))
    }

    /// Flag names, flag values, or `None` when the word is a positional one.
    fn flags_or_values(
        &self,
        flags: &[Flag],
        values: impl Fn(&str, &str) -> Vec<String>,
    ) -> Option<(usize, Vec<String>)> {
        if let Some(flag) = self.pending_flag(flags) {
            return Some((0, values(flag.0, self.current)));
        }
        if self.current.starts_with('-') {
            if let Some((flag, at)) = self.inline_flag(flags) {
                return Some((at, values(flag.0, &self.current[at..])));
            }
            return Some((0, flag_words(flags)));
        }
        None
    }

    fn namespace(&self) -> &str {
        self.flag_value("namespace", Some('n')).unwrap_or("default")
    }

    /// Names of `kind`'s objects in the namespace the line names (default `default`).
    fn names(&self, kind: &KindInfo) -> Vec<String> {
        let ns = self.namespace();
        self.sim
            .state()
            .api
            .store
            .of_kind(kind.kind)
            .filter(|o| !kind.namespaced || o.meta().namespace_or_default() == ns)
            .map(|o| o.meta().name.clone())
            .collect()
    }

    /// Resource type words (plural, singular, short names) of `kinds` (all when empty),
    /// or `TYPE/NAME` forms once the word has a slash.
    fn types_or_names(&self, kinds: &[&str]) -> (usize, Vec<String>) {
        let allowed = |k: &KindInfo| kinds.is_empty() || kinds.contains(&k.kind);
        if let Some((ty, _)) = self.current.split_once('/') {
            let names = kind_by_name(ty)
                .filter(|k| allowed(k))
                .map(|k| self.names(k))
                .unwrap_or_default();
            return (0, names.into_iter().map(|n| format!("{ty}/{n}")).collect());
        }
        let words = KINDS
            .iter()
            .filter(|k| allowed(k))
            .flat_map(|k| {
                [k.plural, k.singular]
                    .into_iter()
                    .chain(k.short.iter().copied())
            })
            .map(str::to_string)
            .collect();
        (0, words)
    }

    /// Names of the kind named by `ty` (`pods`, `deploy` …; the first of `a,b` lists).
    fn names_of(&self, ty: &str) -> Vec<String> {
        let first = ty.split(',').next().unwrap_or(ty);
        kind_by_name(first)
            .map(|k| self.names(k))
            .unwrap_or_default()
    }

    fn kubectl(&self) -> (usize, Vec<String>) {
        // The verb is the first word that is not a flag (as the parser finds it).
        let global = kube_flags(&[]);
        let verb = positionals(self.args, &global).first().copied();
        let flags = kube_flags(verb.map_or(&[], kubectl_flags));
        let values = |flag: &str, typed: &str| match flag {
            "output" => strings(&OUTPUT_FORMATS),
            "filename" => files(self.sim, typed),
            "namespace" => self.names_of("namespaces"),
            "image" => local_images(self.sim),
            _ => Vec::new(),
        };
        if let Some(found) = self.flags_or_values(&flags, values) {
            return found;
        }
        let pos = positionals(self.args, &flags);
        let Some((verb, pos)) = pos.split_first() else {
            return (0, strings(&kubectl::VERBS));
        };
        let none = || (0, Vec::new());
        match (*verb, pos) {
            ("get", []) => {
                let (at, mut words) = self.types_or_names(&[]);
                if !self.current.contains('/') {
                    words.extend(strings(&["events", "event", "ev"]));
                }
                (at, words)
            }
            ("describe" | "delete", []) | ("label" | "annotate", []) => self.types_or_names(&[]),
            ("get" | "describe" | "delete", [ty, ..]) | ("label" | "annotate", [ty])
                if !ty.contains('/') =>
            {
                (0, self.names_of(ty))
            }
            ("get" | "describe" | "delete", [_, ..]) => self.types_or_names(&[]),
            ("scale" | "autoscale", _) => self.types_or_names(&["Deployment", "ReplicaSet"]),
            ("rollout", []) => (0, strings(&kubectl::rollout::SUBCOMMANDS)),
            ("rollout", [_, ..]) => self.types_or_names(&["Deployment"]),
            ("set", []) => (0, strings(&["image"])),
            ("set", [_]) => self.types_or_names(&["Deployment", "ReplicaSet", "Pod"]),
            ("logs", []) => {
                if self.current.contains('/') {
                    self.types_or_names(&["Deployment", "Pod"])
                } else {
                    (0, self.names_of("pods"))
                }
            }
            ("top", []) => (0, strings(&["node", "nodes", "pod", "pods"])),
            ("top", [ty]) => (0, self.names_of(ty)),
            ("taint", []) => (0, strings(&["node", "nodes", "no"])),
            ("taint", [_]) | ("cordon" | "uncordon" | "drain", []) => (0, self.names_of("nodes")),
            ("create", []) => (
                0,
                strings(&["configmap", "deployment", "namespace", "secret"]),
            ),
            ("create", ["secret"]) => (0, strings(&["docker-registry", "generic"])),
            ("wait", _) => self.types_or_names(&[]),
            _ => none(),
        }
    }

    fn docker(&self) -> (usize, Vec<String>) {
        let (verb, rest) = match self.args.split_first() {
            None => {
                let mut verbs = strings(&docker::VERBS);
                // `docker container ls`: accepted by the parser, not a suggestion there.
                verbs.push("container".into());
                return (0, verbs);
            }
            Some((&"image", rest)) => match rest.split_first() {
                None => return (0, strings(&DOCKER_IMAGE_SUBCOMMANDS)),
                Some((sub, rest)) => (docker_image_verb(sub), rest),
            },
            Some((&"container", rest)) => match rest.split_first() {
                None => return (0, strings(&DOCKER_CONTAINER_SUBCOMMANDS)),
                Some((sub, rest)) => (docker_container_verb(sub), rest),
            },
            Some((&"buildx", [])) => return (0, strings(&["build"])),
            Some((&"buildx", [_, rest @ ..])) => ("build", rest),
            Some((verb, rest)) => (*verb, rest),
        };
        let flags: Vec<Flag> = docker_flags(verb).to_vec();
        let sub = Ctx {
            sim: self.sim,
            args: rest,
            current: self.current,
        };
        let values = |flag: &str, typed: &str| match (verb, flag) {
            ("build", "file") => files(self.sim, typed),
            ("build", "tag") => local_images(self.sim),
            _ => Vec::new(),
        };
        if let Some(found) = sub.flags_or_values(&flags, values) {
            return found;
        }
        let pos = positionals(rest, &flags);
        match (verb, pos.len()) {
            ("push" | "history" | "inspect" | "rmi", _) | ("run" | "tag", 0) => {
                (0, local_images(self.sim))
            }
            ("pull", 0) => (0, catalog_images()),
            ("build", 0) => {
                let mut dirs = vec![".".to_string()];
                dirs.extend(
                    files(self.sim, self.current)
                        .into_iter()
                        .filter(|f| f.ends_with('/')),
                );
                (0, dirs)
            }
            ("stop" | "rm" | "logs", _) | ("exec", 0) => (0, containers(self.sim)),
            _ => (0, Vec::new()),
        }
    }

    fn aws(&self) -> (usize, Vec<String>) {
        // Global options may come anywhere; `--output`, `--region`, `--profile` take a value.
        let global: Vec<Flag> = vec![
            ("output", None, true),
            ("region", None, true),
            ("profile", None, true),
            ("no-cli-pager", None, false),
        ];
        let pos = positionals(self.args, &global);
        let services = aws_services();
        let Some((service, pos)) = pos.split_first() else {
            if self.pending_flag(&global).is_some_and(|f| f.0 == "output") {
                return (0, strings(&["json"]));
            }
            if self.pending_flag(&global).is_some() {
                return (0, Vec::new());
            }
            if self.current.starts_with('-') {
                return (0, strings(&AWS_GLOBAL));
            }
            let mut names: Vec<String> = services.iter().map(|(n, _)| n.to_string()).collect();
            names.push("ecr".into());
            return (0, names);
        };
        let operations: Vec<aws::Operation> = if *service == "ecr" {
            ECR_OPERATIONS.iter().map(|op| (*op, &[][..])).collect()
        } else {
            match services.into_iter().find(|(n, _)| n == service) {
                Some((_, ops)) => ops,
                None => return (0, Vec::new()),
            }
        };
        let waiters: Vec<&str> = match *service {
            "ecs" => aws::ecs::WAITERS.to_vec(),
            "eks" => aws::eks::WAITERS.iter().map(|(n, _, _)| *n).collect(),
            _ => Vec::new(),
        };
        let Some((operation, pos)) = pos.split_first() else {
            if self.current.starts_with('-') {
                return (0, strings(&AWS_GLOBAL));
            }
            let mut names: Vec<String> = operations.iter().map(|(n, _)| n.to_string()).collect();
            if !waiters.is_empty() {
                names.push("wait".into());
            }
            return (0, names);
        };
        if *operation == "wait" && pos.is_empty() && !self.current.starts_with('-') {
            return (0, strings(&waiters));
        }
        // `file://…` values name workspace files.
        if let Some(path) = self.current.strip_prefix("file://") {
            let found = files(self.sim, path);
            return ("file://".len(), found);
        }
        if self.current.starts_with("--") {
            let params: &[&str] = if *operation == "wait" {
                match *service {
                    "ecs" => &["cluster", "services", "tasks"],
                    _ => &aws::eks::WAITER_PARAMS,
                }
            } else {
                operations
                    .iter()
                    .find(|(n, _)| n == operation)
                    .map_or(&[][..], |(_, p)| *p)
            };
            let mut words: Vec<String> = params.iter().map(|p| format!("--{p}")).collect();
            words.extend(strings(&AWS_GLOBAL));
            return (0, words);
        }
        (0, Vec::new())
    }

    fn sim(&self) -> (usize, Vec<String>) {
        let flags: Vec<Flag> = vec![
            ("namespace", Some('n'), true),
            ("daily", None, true),
            ("cpu-per-request", None, true),
        ];
        if let Some(found) = self.flags_or_values(&flags, |f, _| match f {
            "namespace" => self.names_of("namespaces"),
            _ => Vec::new(),
        }) {
            return match self.args.first() {
                Some(&"traffic" | &"usage") => found,
                _ => (0, Vec::new()),
            };
        }
        let pos = positionals(self.args, &flags);
        match pos.as_slice() {
            [] => (0, strings(&sim::SUBCOMMANDS)),
            ["advance"] => (0, strings(&DURATIONS)),
            ["node"] => (0, strings(&sim::NODE_SUBCOMMANDS)),
            ["node", "fail" | "recover"] => (0, self.names_of("nodes")),
            ["pod"] => (0, strings(&sim::POD_SUBCOMMANDS)),
            ["pod", _] => (0, self.names_of("pods")),
            ["traffic" | "usage"] => self.load_target(),
            ["traffic", _] => (0, strings(&["off"])),
            ["usage", _] => (0, strings(&["clear", "cpu="])),
            ["price"] => (
                0,
                crate::cost::PriceList::default()
                    .entries()
                    .into_iter()
                    .map(|(n, _)| n)
                    .collect(),
            ),
            ["compare", ..] => (0, strings(&crate::compare::PLATFORMS)),
            _ => (0, Vec::new()),
        }
    }

    /// `TYPE/` for `sim traffic|usage`, then `TYPE/NAME` once the type is typed.
    fn load_target(&self) -> (usize, Vec<String>) {
        let Some((ty, _)) = self.current.split_once('/') else {
            return (
                0,
                LOAD_TARGETS.iter().map(|(t, _)| format!("{t}/")).collect(),
            );
        };
        let kind = LOAD_TARGETS.iter().find(|(t, _)| *t == ty).map(|(_, k)| *k);
        let names = match kind {
            Some("") => self
                .sim
                .state()
                .aws
                .services
                .keys()
                .map(|(_, name)| name.clone())
                .collect(),
            Some(kind) => KINDS
                .iter()
                .find(|k| k.kind == kind)
                .map(|k| self.names(k))
                .unwrap_or_default(),
            None => Vec::new(),
        };
        (0, names.into_iter().map(|n| format!("{ty}/{n}")).collect())
    }
}

/// `docker image …` subcommands the parser accepts.
const DOCKER_IMAGE_SUBCOMMANDS: [&str; 9] = [
    "build", "history", "inspect", "list", "ls", "pull", "push", "rm", "tag",
];
/// `docker container …` subcommands the parser accepts.
const DOCKER_CONTAINER_SUBCOMMANDS: [&str; 8] =
    ["exec", "inspect", "list", "logs", "ls", "rm", "run", "stop"];

fn docker_image_verb(sub: &str) -> &str {
    match sub {
        "ls" | "list" => "images",
        "rm" => "rmi",
        other => other,
    }
}

fn docker_container_verb(sub: &str) -> &str {
    match sub {
        "ls" | "list" => "ps",
        other => other,
    }
}

fn strings(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| w.to_string()).collect()
}

/// Workspace paths extending `prefix`, one directory level at a time (`k8s/`, then
/// `k8s/web.yaml`), as a shell completes them.
fn files(sim: &Simulation, prefix: &str) -> Vec<String> {
    let typed = prefix.strip_prefix("./").unwrap_or(prefix);
    let lead = &prefix[..prefix.len() - typed.len()];
    let dir_end = typed.rfind('/').map_or(0, |i| i + 1);
    sim.state()
        .workspace
        .files()
        .filter_map(|(path, _)| {
            let rest = path.strip_prefix(&typed[..dir_end])?;
            let entry = match rest.split_once('/') {
                Some((dir, _)) => format!("{dir}/"),
                None => rest.to_string(),
            };
            Some(format!("{lead}{}{entry}", &typed[..dir_end]))
        })
        .collect()
}

/// Tags in the local Docker daemon, as `docker images` shows them (`web:1.0`).
fn local_images(sim: &Simulation) -> Vec<String> {
    sim.state()
        .docker
        .tags
        .keys()
        .map(|r| crate::components::docker::daemon::familiar(r))
        .collect()
}

/// Containers on the local Docker daemon, by name.
fn containers(sim: &Simulation) -> Vec<String> {
    sim.state()
        .docker
        .containers
        .values()
        .map(|c| c.name.clone())
        .collect()
}

/// Every `repository:tag` in the built-in public image catalog.
fn catalog_images() -> Vec<String> {
    crate::image::catalog::Catalog::standard()
        .images()
        .iter()
        .flat_map(|image| {
            let repo = crate::components::docker::daemon::familiar(&image.repository);
            image
                .tags
                .iter()
                .map(move |tag| format!("{repo}:{tag}"))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// A word of the line with its byte span, or an operator.
#[derive(Debug)]
struct Token {
    kind: TokenKind,
    /// The word with quotes removed.
    text: String,
    /// Where the word's text starts (after an opening quote).
    start: usize,
    /// Byte offset just past the word (or where an open quote runs to the end).
    end: usize,
}

#[derive(Debug, PartialEq, Eq)]
enum TokenKind {
    Word,
    Pipe,
    Redirect,
}

/// Splits a line the way the shell would for completion: whitespace outside quotes
/// separates words, `|`, `>` and `>>` are operators. Never fails: an open quote simply
/// runs to the end of the line.
fn lex(line: &str) -> Vec<Token> {
    let mut tokens: Vec<Token> = Vec::new();
    let mut word: Option<Token> = None;
    let mut quote: Option<char> = None;
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let end = i + c.len_utf8();
        if let Some(q) = quote {
            if c == q {
                quote = None;
            } else if let Some(w) = word.as_mut() {
                w.text.push(c);
            }
            if let Some(w) = word.as_mut() {
                w.end = end;
            }
            continue;
        }
        match c {
            c if c.is_whitespace() => tokens.extend(word.take()),
            '|' | '>' => {
                tokens.extend(word.take());
                let (kind, end) = if c == '|' {
                    (TokenKind::Pipe, end)
                } else if chars.peek().is_some_and(|(_, n)| *n == '>') {
                    chars.next();
                    (TokenKind::Redirect, end + 1)
                } else {
                    (TokenKind::Redirect, end)
                };
                tokens.push(Token {
                    kind,
                    text: String::new(),
                    start: i,
                    end,
                });
            }
            '"' | '\'' => {
                quote = Some(c);
                let w = word.get_or_insert(Token {
                    kind: TokenKind::Word,
                    text: String::new(),
                    start: end,
                    end,
                });
                w.end = end;
            }
            c => {
                let w = word.get_or_insert(Token {
                    kind: TokenKind::Word,
                    text: String::new(),
                    start: i,
                    end,
                });
                w.text.push(c);
                w.end = end;
            }
        }
    }
    tokens.extend(word);
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Command;
    use crate::scenario::Scenario;

    fn sim() -> Simulation {
        let mut sim = Simulation::new(&Scenario::named("default").expect("default scenario"));
        sim.run("kubectl create deployment web --image=nginx:1.27 --replicas=2")
            .expect("create deployment");
        sim.run("sim advance 30s").expect("advance");
        sim
    }

    fn words(line: &str, sim: &Simulation) -> Vec<String> {
        complete(line, sim).candidates
    }

    fn has(line: &str, sim: &Simulation, want: &[&str]) {
        let got = words(line, sim);
        for w in want {
            assert!(got.iter().any(|g| g == w), "{line:?}: {w:?} not in {got:?}");
        }
    }

    #[test]
    fn common_prefix_of_candidates() {
        let c = |v: &[&str]| common_prefix(&strings(v));
        assert_eq!(c(&[]), "");
        assert_eq!(c(&["deploy"]), "deploy");
        assert_eq!(c(&["deploy", "deployment", "deployments"]), "deploy");
        assert_eq!(c(&["pods", "po", "pod"]), "po");
        assert_eq!(c(&["née", "nü"]), "n");
        assert_eq!(c(&["abc", "xyz"]), "");
    }

    #[test]
    fn programs_and_start_offsets() {
        let s = sim();
        let c = complete("kub", &s);
        assert_eq!((c.start, c.candidates), (0, vec!["kubectl".to_string()]));
        has(
            "",
            &s,
            &["kubectl", "docker", "aws", "sim", "help", "clear", "ls"],
        );
        let c = complete("kubectl get deploy", &s);
        assert_eq!(c.start, "kubectl get ".len());
        assert_eq!(c.candidates, ["deploy", "deployment", "deployments"]);
        // A pipeline completes its last command.
        assert_eq!(words("kubectl get pods | ca", &s), ["cat"]);
        assert_eq!(complete("echo hi > ", &s).start, "echo hi > ".len());
    }

    #[test]
    fn every_completed_verb_parses() {
        let s = sim();
        let unknown = |line: &str| match Command::parse(line) {
            Ok(_) => false,
            Err(e) => {
                let m = e.to_string();
                m.contains("unknown command")
                    || m.contains("command not found")
                    || m.contains("is not a docker command")
                    || m.contains("Invalid choice")
            }
        };
        for program in words("", &s).iter().filter(|p| *p != "clear") {
            assert!(!unknown(program), "{program}");
        }
        for prefix in ["kubectl", "docker", "sim", "aws", "sim node", "sim pod"] {
            for verb in words(&format!("{prefix} "), &s) {
                // `docker image` and `docker container` need a subcommand to parse.
                let sub = if matches!(verb.as_str(), "image" | "container") {
                    " ls"
                } else {
                    ""
                };
                let line = format!("{prefix} {verb}{sub}");
                assert!(!unknown(&line), "{line}: {:?}", Command::parse(&line));
            }
        }
        for sub in ["image", "container"] {
            for verb in words(&format!("docker {sub} "), &s) {
                let line = format!("docker {sub} {verb}");
                assert!(!unknown(&line), "{line}");
            }
        }
        for service in words("aws ", &s) {
            let ops = words(&format!("aws {service} "), &s);
            assert!(!ops.is_empty(), "aws {service}");
            for op in ops {
                let line = format!("aws {service} {op}");
                assert!(!unknown(&line), "{line}: {:?}", Command::parse(&line));
            }
        }
        for waiter in words("aws ecs wait ", &s) {
            assert!(!unknown(&format!("aws ecs wait {waiter}")), "{waiter}");
        }
        for sub in words("kubectl rollout ", &s) {
            let line = format!("kubectl rollout {sub} deployment/web");
            assert!(!unknown(&line), "{line}");
        }
        for topic in words("help ", &s) {
            assert!(crate::command::help::text(Some(&topic)).is_ok(), "{topic}");
        }
        assert_eq!(words("kubectl ", &s).len(), kubectl::VERBS.len());
    }

    #[test]
    fn kubectl_types_and_names() {
        let s = sim();
        has(
            "kubectl get ",
            &s,
            &["pods", "po", "deployments", "deploy", "hpa", "events"],
        );
        has("kubectl get nodes ", &s, &["control-plane", "worker-1"]);
        assert_eq!(words("kubectl get deploy w", &s), ["web"]);
        assert_eq!(
            words("kubectl describe deployment/", &s),
            ["deployment/web"]
        );
        let pods = words("kubectl get pods web-", &s);
        assert_eq!(pods.len(), 2, "{pods:?}");
        has("kubectl delete pod/", &s, &[&format!("pod/{}", pods[0])]);
        has("kubectl logs ", &s, &[&pods[1]]);
        // Namespaces: `-n` picks where names come from, and completes itself.
        has(
            "kubectl get pods -n kube-system ",
            &s,
            &["etcd-control-plane"],
        );
        assert!(
            !words("kubectl get pods ", &s)
                .iter()
                .any(|p| p.starts_with("etcd"))
        );
        has("kubectl get pods -n ", &s, &["default", "kube-system"]);
        has("kubectl scale deploy/", &s, &["deploy/web"]);
        assert!(words("kubectl scale pod/", &s).is_empty());
        assert_eq!(words("kubectl rollout ", &s), {
            let mut v = strings(&kubectl::rollout::SUBCOMMANDS);
            v.sort();
            v
        });
        has(
            "kubectl rollout status deployment/",
            &s,
            &["deployment/web"],
        );
        has("kubectl cordon ", &s, &["worker-1", "worker-3"]);
        has("kubectl taint nodes ", &s, &["worker-2"]);
        assert_eq!(words("kubectl set ", &s), ["image"]);
    }

    #[test]
    fn kubectl_flags_and_values() {
        let s = sim();
        assert_eq!(
            words("kubectl get pods -o ", &s),
            ["json", "name", "wide", "yaml"]
        );
        assert_eq!(words("kubectl get pods -o w", &s), ["wide"]);
        let c = complete("kubectl get pods --output=y", &s);
        assert_eq!(c.start, "kubectl get pods --output=".len());
        assert_eq!(c.candidates, ["yaml"]);
        has(
            "kubectl scale deploy/web --",
            &s,
            &["--replicas", "--namespace"],
        );
        has(
            "kubectl create deployment x --",
            &s,
            &["--image", "--replicas"],
        );
        has("kubectl get -", &s, &["-o", "--output", "-A", "-n"]);
        // A flag's value is not taken for a positional word.
        has("kubectl -n default get ", &s, &["pods"]);
    }

    #[test]
    fn files_after_filename_and_redirects() {
        let scenario = Scenario::named("default").expect("default scenario");
        let mut workspace = scenario.workspace.clone();
        workspace.insert("k8s/web.yaml", "a");
        let mut s = Simulation::new(&scenario.with_workspace(workspace));
        s.run("echo b > notes.txt").expect("write");
        has("kubectl apply -f ", &s, &["k8s/", "notes.txt"]);
        assert_eq!(words("kubectl apply -f k8s/", &s), ["k8s/web.yaml"]);
        assert_eq!(words("kubectl apply --filename=./k8", &s), ["./k8s/"]);
        assert_eq!(words("cat no", &s), ["notes.txt"]);
        assert_eq!(words("echo hi >> no", &s), ["notes.txt"]);
        let c = complete(
            "aws ecs register-task-definition --cli-input-json file://no",
            &s,
        );
        assert_eq!(c.candidates, ["notes.txt"]);
        assert_eq!(
            c.start,
            "aws ecs register-task-definition --cli-input-json file://".len()
        );
    }

    #[test]
    fn docker_images_and_containers() {
        let mut s = sim();
        s.run("docker pull nginx:1.27").expect("pull");
        s.run("docker tag nginx:1.27 web:1.0").expect("tag");
        has("docker push ", &s, &["nginx:1.27", "web:1.0"]);
        assert_eq!(words("docker run w", &s), ["web:1.0"]);
        has("docker tag ", &s, &["web:1.0"]);
        has(
            "docker ",
            &s,
            &["build", "push", "pull", "run", "images", "ps", "tag"],
        );
        has("docker pull ngi", &s, &["nginx:1.27"]);
        has("docker build -", &s, &["-t", "--tag", "-f", "--no-cache"]);
        has("docker image ", &s, &["ls", "push"]);
        assert!(words("docker run web:1.0 ", &s).is_empty());
    }

    #[test]
    fn aws_services_operations_and_parameters() {
        let s = sim();
        has(
            "aws ",
            &s,
            &[
                "ecs",
                "ecr",
                "eks",
                "elbv2",
                "ec2",
                "autoscaling",
                "application-autoscaling",
            ],
        );
        has(
            "aws ecs ",
            &s,
            &["create-service", "register-task-definition", "wait"],
        );
        has(
            "aws ecs create-service --",
            &s,
            &["--cluster", "--service-name", "--region"],
        );
        has("aws ecs wait ", &s, &["services-stable"]);
        has("aws ecr ", &s, &["create-repository", "get-login-password"]);
        assert_eq!(words("aws --output ", &s), ["json"]);
    }

    #[test]
    fn sim_subcommands_and_names() {
        let s = sim();
        has(
            "sim ",
            &s,
            &[
                "advance", "node", "traffic", "usage", "cost", "price", "compare",
            ],
        );
        assert_eq!(words("sim node ", &s), ["add", "fail", "recover"]);
        has("sim node fail ", &s, &["worker-1", "worker-2"]);
        assert!(words("sim node add ", &s).is_empty());
        has("sim traffic ", &s, &["service/", "deployment/"]);
        assert_eq!(words("sim traffic deployment/", &s), ["deployment/web"]);
        has("sim price ", &s, &["fargate-vcpu-hour"]);
        has("sim compare ", &s, &["eks", "ecs-fargate"]);
        assert_eq!(words("sim pod crash web-", &s).len(), 2);
    }

    #[test]
    fn odd_input_never_panics() {
        let s = sim();
        for line in [
            "\"",
            "'kub",
            "kubectl get 'po",
            "|",
            ">",
            ">>",
            "a | | b",
            "kubectl -",
            "--",
            "kubectl get pods -o",
            "docker image",
            "aws ecs wait",
            "sim node fail worker-1 ",
            "é",
            "kubectl get é/",
            "kubectl --output=",
            "aws ecs x --",
            "docker buildx ",
            "  ",
            "kubectl get pods -n",
        ] {
            let c = complete(line, &s);
            assert!(c.start <= line.len(), "{line:?}");
            assert!(line.is_char_boundary(c.start), "{line:?}");
        }
        let c = complete("cat 'no", &s);
        assert_eq!(c.start, "cat '".len());
    }
}
