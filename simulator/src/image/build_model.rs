//! The size and time model of a simulated `docker build` (shown in the UI).
//!
//! Nothing really runs, so a `RUN` step's effect is *estimated* from the commands it
//! recognises in its script (split on `&&`, `||`, `;`, `|` and newlines):
//!
//! | command | adds |
//! |---|---|
//! | `npm ci` / `npm install` / `yarn` | `node_modules`: 5 MB + 4 MB per `dependencies` entry + 12 MB per `devDependencies` entry of the `package.json` already copied into the stage (dev ones skipped with `--omit=dev`/`--production`); 180 MB when there is no `package.json`. Plus the npm cache (`/root/.npm`, 40 %) unless a cache mount covers it or `npm cache clean` runs in the same `RUN` |
//! | `npm install pkg…` | 4 MB per package |
//! | `npm run build` / `yarn build` | `dist`: 2 MB + 25 % of the source bytes in the stage |
//! | `pip install -r f` / `pip install pkg…` | 15 MB per requirement line / package (10 requirements if the file is unknown), plus the pip cache (30 %) unless `--no-cache-dir` or a cache mount |
//! | `apt-get update` | package lists, 45 MB (`/var/lib/apt/lists`) |
//! | `apt-get install p…` | 20 MB per package (12 MB with `--no-install-recommends`) |
//! | `apk add p…` | 4 MB per package, plus a 2.5 MB index cache without `--no-cache` |
//! | `go mod download` | module cache 80 MB (`/go/pkg/mod`) unless a cache mount covers it |
//! | `go build` | the binary, 12 MB (8 MB with `-ldflags "-s -w"`), at `-o` or `./app`; build cache 150 MB (`/root/.cache/go-build`) unless a cache mount covers it |
//! | `mvn … package/install` | `target/app.jar` 40 MB; `~/.m2` 150 MB (also for `dependency:go-offline`) |
//! | `curl -o`/`wget` | 10 MB download; `git clone` 20 MB |
//! | `rm -rf p…` | in the *same* `RUN`, removes what that `RUN` added under `p` (the layer shrinks); in a *later* `RUN` it only writes whiteouts: the files disappear from view but the image does not get smaller |
//! | anything else | 4 KB (`mkdir`, `useradd`, `chmod`, …) or 1 MB |
//!
//! `COPY`/`ADD` add the exact bytes of the copied workspace files (a text file may declare
//! a larger simulated size with a first line `shipshape:size=25MB`); `COPY --from` copies
//! only the named paths of the source stage.
//!
//! Durations are deterministic: pulling a base image = compressed bytes at 50 MB/s plus
//! extraction at 200 MB/s; installs run at 20 MB/s plus a fixed 1–2 s; `go build` 8 s,
//! `mvn` 25 s; `COPY` 50 ms + 200 MB/s; exporting 200 ms + 100 MB/s; cached steps 0 s.

use std::collections::BTreeMap;

/// 1 kB (decimal, like docker's output).
pub const KB: u64 = 1_000;
/// 1 MB.
pub const MB: u64 = 1_000_000;

/// Something a step wrote into the stage's filesystem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FsAdd {
    /// Absolute path.
    pub path: String,
    /// Bytes.
    pub bytes: u64,
    /// Text content, for small files copied from the context (`package.json`).
    pub content: Option<String>,
}

/// The estimated effect of one `RUN`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunEffect {
    /// Files/directories added.
    pub adds: Vec<FsAdd>,
    /// Paths removed (whiteouts for files from earlier layers).
    pub removes: Vec<String>,
    /// Simulated duration in milliseconds.
    pub duration_ms: u64,
    /// One line per recognised command explaining the estimate.
    pub notes: Vec<String>,
}

impl RunEffect {
    /// Bytes this RUN's layer holds.
    pub fn bytes(&self) -> u64 {
        self.adds.iter().map(|a| a.bytes).sum()
    }
}

/// What a `RUN` can see of its stage.
pub struct RunInput<'a> {
    /// The script (shell form text, or exec args joined, or heredoc bodies).
    pub script: &'a str,
    /// Current working directory.
    pub workdir: &'a str,
    /// Reads a file of the stage (`package.json`, `requirements.txt`).
    pub read: &'a dyn Fn(&str) -> Option<String>,
    /// Bytes of source files under the workdir (for build outputs).
    pub source_bytes: u64,
    /// `--mount=type=cache` targets.
    pub cache_mounts: &'a [String],
    /// Environment (for `GOCACHE`, `HOME`).
    pub env: &'a BTreeMap<String, String>,
}

/// `path` joined onto `dir` unless absolute.
pub fn join(dir: &str, path: &str) -> String {
    let raw = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{}/{}", dir.trim_end_matches('/'), path)
    };
    let mut parts: Vec<&str> = Vec::new();
    for seg in raw.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    format!("/{}", parts.join("/"))
}

fn mb(b: u64) -> String {
    format!("{:.1} MB", b as f64 / MB as f64)
}

/// Splits a script into simple commands of words (quotes stripped, roughly).
fn commands(script: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut cur: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let chars: Vec<char> = script.chars().collect();
    let mut i = 0;
    let flush_word = |w: &mut String, cur: &mut Vec<String>| {
        if !w.is_empty() {
            cur.push(std::mem::take(w));
        }
    };
    while i < chars.len() {
        let c = chars[i];
        if let Some(q) = quote {
            if c == q {
                quote = None;
            } else {
                word.push(c);
            }
            i += 1;
            continue;
        }
        match c {
            '\'' | '"' => quote = Some(c),
            '\\' if i + 1 < chars.len() => {
                i += 1;
                if chars[i] != '\n' {
                    word.push(chars[i]);
                }
            }
            '&' | '|' | ';' | '\n' | '(' | ')' => {
                flush_word(&mut word, &mut cur);
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c if c.is_whitespace() => flush_word(&mut word, &mut cur),
            c => word.push(c),
        }
        i += 1;
    }
    flush_word(&mut word, &mut cur);
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn count_json_keys(pkg: &str, field: &str) -> Option<u64> {
    let v: serde_json::Value = serde_json::from_str(pkg).ok()?;
    Some(
        v.get(field)
            .and_then(|d| d.as_object())
            .map(|o| o.len() as u64)
            .unwrap_or(0),
    )
}

fn cached(mounts: &[String], path: &str) -> bool {
    mounts.iter().any(|m| {
        path == m
            || path.starts_with(&format!("{}/", m.trim_end_matches('/')))
            || m.starts_with(&format!("{path}/"))
    })
}

/// Estimates what a `RUN` adds, removes and how long it takes.
pub fn model_run(input: &RunInput) -> RunEffect {
    let mut fx = RunEffect::default();
    let wd = input.workdir;
    let home = input
        .env
        .get("HOME")
        .cloned()
        .unwrap_or_else(|| "/root".to_string());
    let mut ms: u64 = 0;
    let add = |fx: &mut RunEffect, path: String, bytes: u64, note: String| {
        fx.adds.push(FsAdd {
            path,
            bytes,
            content: None,
        });
        fx.notes.push(note);
    };
    for cmd in commands(input.script) {
        let w: Vec<&str> = cmd.iter().map(String::as_str).collect();
        // Skip leading env assignments and sudo.
        let start = w
            .iter()
            .position(|x| !x.contains('=') && *x != "sudo")
            .unwrap_or(w.len());
        let w = &w[start..];
        let Some(&prog) = w.first() else { continue };
        let prog = prog.rsplit('/').next().unwrap_or(prog);
        let args = &w[1..];
        let has = |f: &str| {
            args.iter()
                .any(|a| *a == f || a.starts_with(&format!("{f}=")))
        };
        let positional: Vec<&str> = args
            .iter()
            .copied()
            .filter(|a| !a.starts_with('-'))
            .collect();
        match (prog, positional.first().copied()) {
            ("npm", Some("ci" | "install" | "i"))
            | ("yarn", None | Some("install"))
            | ("pnpm", Some("install" | "i")) => {
                let pkgs: Vec<&str> = positional.iter().skip(1).copied().collect();
                let (bytes, note) = if prog == "npm" && !pkgs.is_empty() {
                    let b = 4 * MB * pkgs.len() as u64;
                    (
                        b,
                        format!("{prog} install {} packages × 4 MB = {}", pkgs.len(), mb(b)),
                    )
                } else {
                    let prod =
                        has("--omit") || has("--production") || has("--only") || has("--prod");
                    match (input.read)(&join(wd, "package.json")) {
                        Some(pkg) => {
                            let deps = count_json_keys(&pkg, "dependencies").unwrap_or(0);
                            let dev = if prod {
                                0
                            } else {
                                count_json_keys(&pkg, "devDependencies").unwrap_or(0)
                            };
                            let b = 5 * MB + 4 * MB * deps + 12 * MB * dev;
                            (
                                b,
                                format!(
                                    "{prog} {}: node_modules for {deps} dependencies + {dev} devDependencies = {}",
                                    positional[0..positional.len().min(1)].join(" "),
                                    mb(b)
                                ),
                            )
                        }
                        None => (
                            180 * MB,
                            format!(
                                "{prog}: no package.json in the stage, node_modules assumed 180 MB"
                            ),
                        ),
                    }
                };
                add(&mut fx, join(wd, "node_modules"), bytes, note);
                let cache_dir = if prog == "yarn" {
                    "/usr/local/share/.cache/yarn".to_string()
                } else {
                    format!("{home}/.npm")
                };
                if !cached(input.cache_mounts, &cache_dir) {
                    add(
                        &mut fx,
                        cache_dir.clone(),
                        bytes * 2 / 5,
                        format!("package cache in {cache_dir}: {}", mb(bytes * 2 / 5)),
                    );
                }
                ms += 2_000 + bytes / 20_000;
            }
            ("npm", Some("cache")) if positional.get(1) == Some(&"clean") => {
                fx.removes.push(format!("{home}/.npm"));
            }
            ("npm" | "yarn" | "pnpm", Some("run" | "build"))
            | ("npx", Some("vite" | "tsc" | "next")) => {
                let is_build = positional.contains(&"build") || prog == "npx";
                if is_build {
                    let b = 2 * MB + input.source_bytes / 4;
                    add(
                        &mut fx,
                        join(wd, "dist"),
                        b,
                        format!("build output dist/: {}", mb(b)),
                    );
                    ms += 5_000;
                } else {
                    ms += 1_000;
                }
            }
            ("pip" | "pip3", Some("install")) | ("python" | "python3", Some("pip")) => {
                let list: Vec<&str> = positional
                    .iter()
                    .copied()
                    .filter(|p| !matches!(*p, "install" | "pip" | "-m"))
                    .collect();
                let req_file = args
                    .iter()
                    .position(|a| *a == "-r" || *a == "--requirement")
                    .and_then(|i| args.get(i + 1));
                let n = match req_file {
                    Some(f) => (input.read)(&join(wd, f))
                        .map(|t| {
                            t.lines()
                                .filter(|l| {
                                    let l = l.trim();
                                    !l.is_empty() && !l.starts_with('#') && !l.starts_with('-')
                                })
                                .count() as u64
                        })
                        .unwrap_or(10),
                    None => list.len() as u64,
                };
                let b = 15 * MB * n.max(1);
                add(
                    &mut fx,
                    "/usr/local/lib/python3/site-packages".to_string(),
                    b,
                    format!("pip install: {n} requirements × 15 MB = {}", mb(b)),
                );
                let cache_dir = format!("{home}/.cache/pip");
                if !has("--no-cache-dir") && !cached(input.cache_mounts, &cache_dir) {
                    add(
                        &mut fx,
                        cache_dir,
                        b * 3 / 10,
                        format!("pip cache (no --no-cache-dir): {}", mb(b * 3 / 10)),
                    );
                }
                ms += 1_500 + b / 20_000;
            }
            ("apt-get" | "apt", Some("update")) => {
                add(
                    &mut fx,
                    "/var/lib/apt/lists".to_string(),
                    45 * MB,
                    "apt-get update: package lists 45.0 MB".to_string(),
                );
                ms += 3_000;
            }
            ("apt-get" | "apt", Some("install")) => {
                let n = positional.len().saturating_sub(1) as u64;
                let per = if has("--no-install-recommends") {
                    12 * MB
                } else {
                    20 * MB
                };
                let b = per * n;
                add(
                    &mut fx,
                    "/usr".to_string(),
                    b,
                    format!("apt-get install: {n} packages × {} = {}", mb(per), mb(b)),
                );
                ms += 2_000 + b / 15_000;
            }
            ("apt-get" | "apt", Some("clean")) => fx.removes.push("/var/cache/apt".to_string()),
            ("apk", Some("add")) => {
                let n = positional.len().saturating_sub(1) as u64;
                let b = 4 * MB * n;
                add(
                    &mut fx,
                    "/usr".to_string(),
                    b,
                    format!("apk add: {n} packages × 4 MB = {}", mb(b)),
                );
                if !has("--no-cache") {
                    add(
                        &mut fx,
                        "/var/cache/apk".to_string(),
                        2_500 * KB,
                        "apk index cache (no --no-cache): 2.5 MB".to_string(),
                    );
                }
                ms += 1_000 + b / 20_000;
            }
            ("apk", Some("update")) => add(
                &mut fx,
                "/var/cache/apk".to_string(),
                2_500 * KB,
                "apk update: index 2.5 MB".to_string(),
            ),
            ("go", Some("mod")) if positional.get(1) == Some(&"download") => {
                if !cached(input.cache_mounts, "/go/pkg/mod") {
                    add(
                        &mut fx,
                        "/go/pkg/mod".to_string(),
                        80 * MB,
                        "go mod download: module cache 80.0 MB".to_string(),
                    );
                } else {
                    fx.notes.push(
                        "go mod download: module cache on a cache mount (not in the layer)"
                            .to_string(),
                    );
                }
                ms += 6_000;
            }
            ("go", Some("build" | "install")) => {
                let out = args
                    .iter()
                    .position(|a| *a == "-o")
                    .and_then(|i| args.get(i + 1))
                    .map(|o| join(wd, o))
                    .unwrap_or_else(|| join(wd, "app"));
                let stripped = args.iter().any(|a| a.contains("-s") && a.contains("-w"));
                let b = if stripped { 8 * MB } else { 12 * MB };
                add(
                    &mut fx,
                    out.clone(),
                    b,
                    format!("go build: binary {out} {}", mb(b)),
                );
                let gocache = input
                    .env
                    .get("GOCACHE")
                    .cloned()
                    .unwrap_or_else(|| format!("{home}/.cache/go-build"));
                if !cached(input.cache_mounts, &gocache) {
                    add(
                        &mut fx,
                        gocache.clone(),
                        150 * MB,
                        format!("go build cache {gocache}: 150.0 MB"),
                    );
                }
                if !cached(input.cache_mounts, "/go/pkg/mod")
                    && (input.read)(&join(wd, "go.sum")).is_some()
                {
                    add(
                        &mut fx,
                        "/go/pkg/mod".to_string(),
                        80 * MB,
                        "modules downloaded by go build: 80.0 MB".to_string(),
                    );
                }
                ms += 8_000;
            }
            ("mvn" | "mvnw" | "./mvnw", _) => {
                if !cached(input.cache_mounts, &format!("{home}/.m2")) {
                    add(
                        &mut fx,
                        format!("{home}/.m2"),
                        150 * MB,
                        "maven repository ~/.m2: 150.0 MB".to_string(),
                    );
                }
                if positional
                    .iter()
                    .any(|p| matches!(*p, "package" | "install"))
                {
                    add(
                        &mut fx,
                        join(wd, "target/app.jar"),
                        40 * MB,
                        "mvn package: target/app.jar 40.0 MB".to_string(),
                    );
                }
                ms += 25_000;
            }
            ("curl", _) if has("-o") || has("-O") => {
                add(
                    &mut fx,
                    join(wd, "download"),
                    10 * MB,
                    "curl download: 10.0 MB".to_string(),
                );
                ms += 1_000;
            }
            ("wget", _) => {
                add(
                    &mut fx,
                    join(wd, "download"),
                    10 * MB,
                    "wget download: 10.0 MB".to_string(),
                );
                ms += 1_000;
            }
            ("git", Some("clone")) => {
                add(
                    &mut fx,
                    join(wd, "repo"),
                    20 * MB,
                    "git clone: 20.0 MB".to_string(),
                );
                ms += 2_000;
            }
            ("rm", _) => {
                for p in positional {
                    fx.removes.push(join(wd, p));
                }
            }
            (
                "mkdir" | "useradd" | "adduser" | "addgroup" | "groupadd" | "chmod" | "chown"
                | "ln" | "echo" | "touch" | "set" | "true" | "export" | "cd" | "printf",
                _,
            ) => {
                ms += 50;
            }
            _ => {
                add(
                    &mut fx,
                    join(wd, ".run-output"),
                    MB,
                    format!("{prog}: unrecognised command, 1.0 MB assumed"),
                );
                ms += 500;
            }
        }
    }
    // rm -rf in the same RUN removes what this RUN added.
    let removes = fx.removes.clone();
    for r in &removes {
        let r_glob = r.trim_end_matches("/*").trim_end_matches('*');
        fx.adds.retain(|a| {
            let gone = a.path == *r
                || a.path
                    .starts_with(&format!("{}/", r_glob.trim_end_matches('/')))
                || (r.ends_with('*') && a.path.starts_with(r_glob))
                || a.path == r_glob.trim_end_matches('/');
            !gone
        });
    }
    if fx.adds.is_empty() && fx.notes.is_empty() {
        fx.notes.push("small change (4 KB)".to_string());
    }
    if fx.adds.is_empty() {
        fx.adds.push(FsAdd {
            path: join(wd, ".run-meta"),
            bytes: 4 * KB,
            content: None,
        });
    }
    fx.duration_ms = ms.max(300);
    fx
}

/// Pull time of a base image (compressed download + extraction).
pub fn pull_ms(compressed: u64, uncompressed: u64) -> u64 {
    500 + compressed / 50_000 + uncompressed / 200_000
}

/// `COPY` time.
pub fn copy_ms(bytes: u64) -> u64 {
    50 + bytes / 200_000
}

/// Export time for the new layers.
pub fn export_ms(bytes: u64) -> u64 {
    200 + bytes / 100_000
}

/// A file's simulated size: its length, or a declared `shipshape:size=25MB` first line.
pub fn file_size(content: &str) -> u64 {
    let first = content.lines().next().unwrap_or_default();
    if let Some(spec) = first.trim().strip_prefix("shipshape:size=") {
        let spec = spec.trim();
        let (num, unit) = spec.split_at(
            spec.find(|c: char| !c.is_ascii_digit())
                .unwrap_or(spec.len()),
        );
        if let Ok(n) = num.parse::<u64>() {
            let m = match unit.trim().to_ascii_uppercase().as_str() {
                "" | "B" => 1,
                "KB" | "K" => KB,
                "MB" | "M" => MB,
                "GB" | "G" => 1_000 * MB,
                _ => 1,
            };
            return n.saturating_mul(m);
        }
    }
    content.len() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(script: &str, files: &[(&str, &str)], mounts: &[String]) -> RunEffect {
        let files: BTreeMap<String, String> = files
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        let read = |p: &str| files.get(p).cloned();
        model_run(&RunInput {
            script,
            workdir: "/app",
            read: &read,
            source_bytes: 0,
            cache_mounts: mounts,
            env: &BTreeMap::new(),
        })
    }

    #[test]
    fn npm_uses_package_json() {
        let pkg = r#"{"dependencies":{"a":"1","b":"1"},"devDependencies":{"c":"1"}}"#;
        let fx = run("npm ci", &[("/app/package.json", pkg)], &[]);
        assert_eq!(fx.adds[0].bytes, 5 * MB + 8 * MB + 12 * MB);
        let fx = run(
            "npm ci --omit=dev && npm cache clean --force",
            &[("/app/package.json", pkg)],
            &[],
        );
        assert_eq!(fx.bytes(), 13 * MB);
        assert_eq!(run("npm ci", &[], &[]).adds[0].bytes, 180 * MB);
    }

    #[test]
    fn rm_in_same_run_shrinks() {
        let a = run("apt-get update && apt-get install -y curl", &[], &[]);
        let b = run(
            "apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*",
            &[],
            &[],
        );
        assert_eq!(a.bytes() - b.bytes(), 45 * MB);
    }

    #[test]
    fn go_cache_mount_keeps_cache_out() {
        let a = run("go build -o bin/app .", &[], &[]);
        let b = run(
            "go build -o bin/app .",
            &[],
            &["/root/.cache/go-build".to_string()],
        );
        assert_eq!(a.bytes(), 162 * MB);
        assert_eq!(b.bytes(), 12 * MB);
        assert_eq!(b.adds[0].path, "/app/bin/app");
    }

    #[test]
    fn declared_sizes() {
        assert_eq!(file_size("shipshape:size=25MB\nbinary"), 25 * MB);
        assert_eq!(file_size("abc"), 3);
    }
}
