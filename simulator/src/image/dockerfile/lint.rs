//! `docker build --check`: BuildKit's build checks, each reported with its line.
//!
//! Rule names, texts and URLs are BuildKit's (`frontend/dockerfile/linter/ruleset.go`,
//! checks run from `dockerfile2llb/convert.go`, moby/buildkit@73ed682):
//!
//! | rule | fires when |
//! |---|---|
//! | `FromAsCasing` | `FROM` and `AS` differ in case (`FROM x as y`) |
//! | `StageNameCasing` | a stage name is not lower case |
//! | `DuplicateStageName` | two stages share a name |
//! | `ReservedStageName` | a stage is called `scratch` or `context` |
//! | `ConsistentInstructionCasing` | an instruction's case differs from the file's majority |
//! | `JSONArgsRecommended` | `CMD`/`ENTRYPOINT` in shell form (unless the stage set `SHELL`) |
//! | `MaintainerDeprecated` | `MAINTAINER` is used |
//! | `MultipleInstructionsDisallowed` | more than one `CMD`/`ENTRYPOINT`/`HEALTHCHECK` in a stage (reported on all but the last) |
//! | `WorkdirRelativePath` | a relative `WORKDIR` before any absolute one in the stage (and the base sets none) |
//! | `UndefinedVar` | an expanded instruction uses a variable no `ARG`/`ENV`/base image defines |
//! | `UndefinedArgInFrom` | `FROM` uses an `ARG` not declared before the first `FROM` |
//! | `InvalidDefaultArgInFrom` | `FROM`'s global ARG defaults give an empty/invalid image name |
//! | `SecretsUsedInArgOrEnv` | an `ARG`/`ENV` name has a `_`-separated token like `password`, `secret`, `token`, `key`, `auth`, `apikey`, `credential(s)`, `passwd`, `pword` (not `public`) |
//! | `LegacyKeyValueFormat` | `ENV key value` / `LABEL key value` |
//! | `RedundantTargetPlatform` | `FROM --platform=$TARGETPLATFORM` |
//! | `FromPlatformFlagConstDisallowed` | `FROM --platform=linux/amd64` (a constant) |
//! | `ExposeProtoCasing` | `EXPOSE 80/TCP` |
//! | `NoEmptyContinuation` | a blank line inside a continued instruction |
//!
//! `# check=skip=Rule1,Rule2` (or `skip=all`) at the top of the file disables rules.

use super::expand::{EnvMap, Lex};
use super::instruction::{Dockerfile, Instruction, Stage, levenshtein};
use super::parser::ParseError;
use crate::image::catalog::Catalog;
use serde::Serialize;
use std::collections::BTreeSet;

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// BuildKit rule name (`FromAsCasing`).
    pub rule: &'static str,
    /// 1-based line.
    pub line: usize,
    /// The message, as BuildKit prints it.
    pub message: String,
    /// Documentation link.
    pub url: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} - {}: {} (line {})",
            self.rule, self.url, self.message, self.line
        )
    }
}

/// Parses and checks `src`; a parse error is returned as such.
pub fn check(src: &str, catalog: Option<&Catalog>) -> Result<Vec<Warning>, ParseError> {
    Ok(check_dockerfile(&Dockerfile::parse(src)?, catalog))
}

fn url(rule: &str) -> String {
    let mut slug = String::new();
    for (i, c) in rule.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            slug.push('-');
        }
        slug.push(c.to_ascii_lowercase());
    }
    let slug = slug.replace("j-s-o-n", "json");
    format!("https://docs.docker.com/go/dockerfile/rule/{slug}/")
}

fn self_consistent(s: &str) -> bool {
    s == s.to_lowercase() || s == s.to_uppercase()
}

fn is_secret_name(name: &str) -> bool {
    let tokens: Vec<String> = name.split('_').map(str::to_lowercase).collect();
    let deny = [
        "apikey",
        "auth",
        "credential",
        "credentials",
        "key",
        "password",
        "pword",
        "passwd",
        "secret",
        "token",
    ];
    let check = |t: &str| deny.contains(&t);
    let first = tokens.first().map(String::as_str).unwrap_or_default();
    let last = tokens.last().map(String::as_str).unwrap_or_default();
    let allow = first == "public" || last == "public";
    // (?:_|^)(token)(?:_|$): the token must be a whole `_`-separated segment.
    !allow && tokens.iter().any(|t| check(t))
}

/// Checks a parsed Dockerfile.
pub fn check_dockerfile(df: &Dockerfile, catalog: Option<&Catalog>) -> Vec<Warning> {
    let mut out: Vec<Warning> = Vec::new();
    let mut warn = |rule: &'static str, line: usize, message: String| {
        out.push(Warning {
            rule,
            line,
            message,
            url: url(rule),
        });
    };
    let lex = Lex::new(df.ast.escape_token);

    for w in &df.ast.warnings {
        warn(
            "NoEmptyContinuation",
            w.line,
            "Empty continuation line".to_string(),
        );
    }

    // Casing across the file.
    let mut lower = 0;
    let mut upper = 0;
    let mut names: Vec<(&str, usize)> = Vec::new();
    for s in &df.stages {
        names.push((&s.from_keyword, s.line));
        for c in &s.commands {
            names.push((&c.keyword, c.line));
        }
    }
    for (n, _) in &names {
        if self_consistent(n) {
            if *n == n.to_lowercase() {
                lower += 1;
            } else {
                upper += 1;
            }
        }
    }
    let majority_lower = lower > upper;
    for (n, line) in &names {
        let correct = if majority_lower && n.to_lowercase() != *n {
            "lowercase"
        } else if !majority_lower && n.to_uppercase() != *n {
            "uppercase"
        } else {
            continue;
        };
        warn(
            "ConsistentInstructionCasing",
            *line,
            format!("Command '{n}' should match the case of the command majority ({correct})"),
        );
    }

    // Global ARGs for FROM.
    let mut meta: EnvMap = EnvMap::new();
    let builtin: BTreeSet<&str> = [
        "BUILDPLATFORM",
        "BUILDOS",
        "BUILDARCH",
        "BUILDVARIANT",
        "TARGETPLATFORM",
        "TARGETOS",
        "TARGETARCH",
        "TARGETVARIANT",
    ]
    .into_iter()
    .collect();
    for b in &builtin {
        meta.insert(b.to_string(), String::new());
    }
    let mut meta_defaults = EnvMap::new();
    for (d, line) in &df.meta_args {
        if is_secret_name(&d.key) {
            warn(
                "SecretsUsedInArgOrEnv",
                *line,
                format!(
                    "Do not use ARG or ENV instructions for sensitive data (ARG \"{}\")",
                    d.key
                ),
            );
        }
        meta.insert(d.key.clone(), String::new());
        if let Some(v) = &d.value {
            let v = lex
                .process_word(v, &meta_defaults)
                .unwrap_or_else(|_| v.clone());
            meta_defaults.insert(d.key.clone(), v);
        }
    }

    let mut seen_names: Vec<String> = Vec::new();
    let mut stage_env: Vec<BTreeSet<String>> = Vec::new();
    for (si, s) in df.stages.iter().enumerate() {
        check_from(df, s, &lex, &meta, &meta_defaults, &builtin, &mut warn);
        if let Some(name) = &s.name {
            let written = s.name_as_written.clone().unwrap_or_default();
            if written != written.to_lowercase() {
                warn(
                    "StageNameCasing",
                    s.line,
                    format!("Stage name '{written}' should be lowercase"),
                );
            }
            if seen_names.contains(name) {
                warn(
                    "DuplicateStageName",
                    s.line,
                    format!("Duplicate stage name \"{name}\", stage names should be unique"),
                );
            }
            if name == "scratch" || name == "context" {
                warn(
                    "ReservedStageName",
                    s.line,
                    format!("Stage name should not use the same name as reserved stage \"{name}\""),
                );
            }
            seen_names.push(name.clone());
        }
        if let Some(as_kw) = &s.as_keyword {
            let from_upper = s.from_keyword == s.from_keyword.to_uppercase();
            let as_upper = *as_kw == as_kw.to_uppercase();
            if from_upper != as_upper {
                warn(
                    "FromAsCasing",
                    s.line,
                    format!(
                        "'{as_kw}' and '{}' keywords' casing do not match",
                        s.from_keyword
                    ),
                );
            }
        }

        // Scope: the base image's env (or the parent stage's), then ARG/ENV as declared.
        let base_lower = s.base.to_lowercase();
        let parent = df.stages[..si]
            .iter()
            .position(|p| p.name.as_deref() == Some(&base_lower));
        let mut known: BTreeSet<String> = match parent {
            Some(p) => stage_env[p].clone(),
            None => base_env(&s.base, &meta_defaults, &lex, catalog),
        };
        let mut workdir_abs =
            parent.is_some() || base_has_workdir(&s.base, &meta_defaults, &lex, catalog);
        let mut shell_set = false;
        let mut last: [Option<usize>; 3] = [None; 3];
        for c in &s.commands {
            let scope: EnvMap = known.iter().map(|k| (k.clone(), String::new())).collect();
            let snapshot = known.clone();
            let undefined =
                |words: &[&String], warn: &mut dyn FnMut(&'static str, usize, String)| {
                    for w in words {
                        if let Ok(p) = lex.process(w, &scope) {
                            for u in p.unmatched {
                                let sug = snapshot
                                    .iter()
                                    .filter(|k| {
                                        levenshtein(k, &u) < 3 && !k.eq_ignore_ascii_case(&u)
                                            || (k.eq_ignore_ascii_case(&u) && **k != u)
                                    })
                                    .min_by_key(|k| levenshtein(k, &u))
                                    .cloned();
                                let mut m = format!("Usage of undefined variable '${u}'");
                                if let Some(sg) = sug {
                                    m.push_str(&format!(" (did you mean ${sg}?)"));
                                }
                                warn("UndefinedVar", c.line, m);
                            }
                        }
                    }
                };
            match &c.instruction {
                Instruction::Env { pairs, legacy } => {
                    let vals: Vec<&String> = pairs.iter().map(|p| &p.value).collect();
                    undefined(&vals, &mut warn);
                    if *legacy {
                        warn("LegacyKeyValueFormat", c.line, "\"ENV key=value\" should be used instead of legacy \"ENV key value\" format".to_string());
                    }
                    for p in pairs {
                        if is_secret_name(&p.key) {
                            warn(
                                "SecretsUsedInArgOrEnv",
                                c.line,
                                format!(
                                    "Do not use ARG or ENV instructions for sensitive data (ENV \"{}\")",
                                    p.key
                                ),
                            );
                        }
                        known.insert(p.key.clone());
                    }
                }
                Instruction::Label { pairs, legacy } => {
                    let vals: Vec<&String> =
                        pairs.iter().flat_map(|p| [&p.key, &p.value]).collect();
                    undefined(&vals, &mut warn);
                    if *legacy {
                        warn("LegacyKeyValueFormat", c.line, "\"LABEL key=value\" should be used instead of legacy \"LABEL key value\" format".to_string());
                    }
                }
                Instruction::Arg(defs) => {
                    for d in defs {
                        if let Some(v) = &d.value {
                            undefined(&[v], &mut warn);
                        }
                        if is_secret_name(&d.key) {
                            warn(
                                "SecretsUsedInArgOrEnv",
                                c.line,
                                format!(
                                    "Do not use ARG or ENV instructions for sensitive data (ARG \"{}\")",
                                    d.key
                                ),
                            );
                        }
                        known.insert(d.key.clone());
                    }
                }
                Instruction::Copy(spec) | Instruction::Add(spec) => {
                    let mut words: Vec<&String> = spec.sources.iter().collect();
                    words.push(&spec.dest);
                    words.extend(spec.chown.iter());
                    words.extend(spec.chmod.iter());
                    undefined(&words, &mut warn);
                }
                Instruction::Workdir(p) => {
                    undefined(&[p], &mut warn);
                    if p.starts_with('/') || p.starts_with('$') {
                        workdir_abs = true;
                    } else if !workdir_abs {
                        warn(
                            "WorkdirRelativePath",
                            c.line,
                            format!(
                                "Relative workdir \"{p}\" can have unexpected results if the base image changes"
                            ),
                        );
                    }
                }
                Instruction::User(u) | Instruction::StopSignal(u) => undefined(&[u], &mut warn),
                Instruction::Volume(v) => undefined(&v.iter().collect::<Vec<_>>(), &mut warn),
                Instruction::Expose(ports) => {
                    undefined(&ports.iter().collect::<Vec<_>>(), &mut warn);
                    for p in ports {
                        if let Some((_, proto)) = p.split_once('/')
                            && proto != proto.to_lowercase()
                        {
                            warn(
                                "ExposeProtoCasing",
                                c.line,
                                format!(
                                    "Defined protocol '{p}' in EXPOSE instruction should be lowercase"
                                ),
                            );
                        }
                    }
                }
                Instruction::Maintainer(_) => {
                    warn(
                        "MaintainerDeprecated",
                        c.line,
                        "Maintainer instruction is deprecated in favor of using label".to_string(),
                    );
                }
                Instruction::Shell(_) => shell_set = true,
                Instruction::Cmd(cl) | Instruction::Entrypoint(cl) if !cl.json && !shell_set => {
                    warn(
                        "JSONArgsRecommended",
                        c.line,
                        format!(
                            "JSON arguments recommended for {} to prevent unintended behavior related to OS signals",
                            c.instruction.name()
                        ),
                    );
                }
                _ => {}
            }
            let slot = match c.instruction {
                Instruction::Cmd(_) => Some(0),
                Instruction::Entrypoint(_) => Some(1),
                Instruction::Healthcheck(_) => Some(2),
                _ => None,
            };
            if let Some(k) = slot {
                if let Some(prev) = last[k] {
                    warn(
                        "MultipleInstructionsDisallowed",
                        prev,
                        format!(
                            "Multiple {} instructions should not be used in the same stage because only the last one will be used",
                            c.instruction.name()
                        ),
                    );
                }
                last[k] = Some(c.line);
            }
        }
        stage_env.push(known);
    }
    out = apply_skips(df, out);
    out.sort_by_key(|w| w.line);
    out
}

fn check_from(
    df: &Dockerfile,
    s: &Stage,
    lex: &Lex,
    meta: &EnvMap,
    defaults: &EnvMap,
    builtin: &BTreeSet<&str>,
    warn: &mut dyn FnMut(&'static str, usize, String),
) {
    let _ = df;
    let mut words = vec![s.base.clone()];
    if let Some(p) = &s.platform {
        words.push(p.clone());
        if p == "$TARGETPLATFORM" || p == "${TARGETPLATFORM}" {
            warn(
                "RedundantTargetPlatform",
                s.line,
                format!(
                    "Setting platform to predefined {p} in FROM is redundant as this is the default behavior"
                ),
            );
        } else if !p.contains('$') {
            warn(
                "FromPlatformFlagConstDisallowed",
                s.line,
                format!("FROM --platform flag should not use constant value \"{p}\""),
            );
        }
    }
    for w in &words {
        if let Ok(p) = lex.process(w, meta) {
            for u in p.unmatched {
                let sug = meta
                    .keys()
                    .filter(|k| !builtin.contains(k.as_str()))
                    .find(|k| levenshtein(k, &u) < 3)
                    .cloned();
                let mut m = format!("FROM argument '{u}' is not declared");
                if let Some(sg) = sug {
                    m.push_str(&format!(" (did you mean {sg}?)"));
                }
                warn("UndefinedArgInFrom", s.line, m);
            }
        }
    }
    if s.base.contains('$') {
        let v = lex.process_word(&s.base, defaults).unwrap_or_default();
        if crate::image::catalog::Reference::parse(&v).is_err()
            && !v.eq_ignore_ascii_case("scratch")
        {
            warn(
                "InvalidDefaultArgInFrom",
                s.line,
                format!(
                    "Default value for ARG {} results in empty or invalid base image name",
                    s.base
                ),
            );
        }
    }
}

fn resolve_base<'a>(
    base: &str,
    defaults: &EnvMap,
    lex: &Lex,
    catalog: Option<&'a Catalog>,
) -> Option<&'a crate::image::catalog::BaseImage> {
    let b = lex.process_word(base, defaults).ok()?;
    catalog?.resolve(&b).ok()
}

fn base_env(
    base: &str,
    defaults: &EnvMap,
    lex: &Lex,
    catalog: Option<&Catalog>,
) -> BTreeSet<String> {
    match resolve_base(base, defaults, lex, catalog) {
        Some(b) => b
            .image
            .config
            .config
            .env
            .iter()
            .filter_map(|e| e.split_once('=').map(|(k, _)| k.to_string()))
            .collect(),
        // Unknown (or no catalog): assume a typical Linux image's environment.
        None => ["PATH", "HOME", "HOSTNAME"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
    }
}

fn base_has_workdir(base: &str, defaults: &EnvMap, lex: &Lex, catalog: Option<&Catalog>) -> bool {
    resolve_base(base, defaults, lex, catalog)
        .is_some_and(|b| !b.image.config.config.working_dir.is_empty())
}

/// Honours `# check=skip=A,B` / `skip=all`.
fn apply_skips(df: &Dockerfile, out: Vec<Warning>) -> Vec<Warning> {
    let Some(d) = df.ast.directives.iter().find(|d| d.name == "check") else {
        return out;
    };
    let mut skip: Vec<String> = Vec::new();
    for part in d.value.split(';') {
        if let Some((k, v)) = part.trim().split_once('=')
            && k.trim().eq_ignore_ascii_case("skip")
        {
            skip.extend(v.split(',').map(|s| s.trim().to_string()));
        }
    }
    if skip.iter().any(|s| s.eq_ignore_ascii_case("all")) {
        return Vec::new();
    }
    out.into_iter()
        .filter(|w| !skip.iter().any(|s| s == w.rule))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(src: &str) -> Vec<(&'static str, usize)> {
        check(src, Some(&Catalog::standard()))
            .unwrap()
            .into_iter()
            .map(|w| (w.rule, w.line))
            .collect()
    }

    #[test]
    fn buildkit_checks() {
        let src = "FROM node:22 as Build\nMAINTAINER me\nWORKDIR app\nENV DB_PASSWORD secret\nCOPY $SRC /app\nCMD node a.js\nCMD node b.js\nrun echo\nFROM node:22 AS build\n";
        let r = rules(src);
        for want in [
            ("FromAsCasing", 1),
            ("StageNameCasing", 1),
            ("MaintainerDeprecated", 2),
            ("WorkdirRelativePath", 3),
            ("SecretsUsedInArgOrEnv", 4),
            ("LegacyKeyValueFormat", 4),
            ("UndefinedVar", 5),
            ("JSONArgsRecommended", 6),
            ("MultipleInstructionsDisallowed", 6),
            ("ConsistentInstructionCasing", 8),
            ("DuplicateStageName", 9),
        ] {
            assert!(r.contains(&want), "missing {want:?} in {r:?}");
        }
    }

    #[test]
    fn secrets_regex_tokens() {
        assert!(is_secret_name("AWS_SECRET_ACCESS_KEY"));
        assert!(is_secret_name("GITHUB_TOKEN"));
        assert!(is_secret_name("password"));
        assert!(!is_secret_name("KEYBOARD"));
        assert!(!is_secret_name("PUBLIC_KEY"));
    }

    #[test]
    fn undefined_arg_in_from_and_skip() {
        let r = rules("ARG V=1\nFROM node:${VER}\n");
        assert!(r.contains(&("UndefinedArgInFrom", 2)));
        assert!(rules("# check=skip=all\nFROM node:22 as b\n").is_empty());
        assert!(
            rules("ARG NODE_VERSION=22\nFROM node:${NODE_VERSION}\nENV PATH=/x:$PATH\n").is_empty()
        );
    }
}
