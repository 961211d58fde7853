//! The Docker daemon on the learner's machine (`dockerd`): its image store, build cache,
//! layer store, registry logins and containers. The `docker` client (the commands in
//! `command/docker/`) talks to it over its REST API; every call is an event.
//!
//! ## The container process model
//!
//! A container runs a simulated process whose behaviour comes from its command line
//! (`ENTRYPOINT` + `CMD`, or the command given to `docker run`):
//! - wrappers are looked through: `/bin/sh -c SCRIPT` runs SCRIPT, and the official
//!   images' `docker-entrypoint.sh X` execs X;
//! - `true`, `false`, `exit N`, `echo …` exit at once with 0, 1, N, 0; `sleep N` exits 0
//!   after N seconds; a shell or `node`/`python` REPL without a terminal exits 0 at once;
//! - anything else is a server: it listens on the image's `EXPOSE`d ports and runs until
//!   stopped; with a `HEALTHCHECK` it turns healthy after the first check interval.
//!
//! `docker stop` sends the image's stop signal (SIGTERM by default) and waits 10 s, then
//! SIGKILLs (exit 137). Who handles the signal: `nginx`, `redis-server` and `httpd` do;
//! a shell running as PID 1 (shell-form `CMD` without `exec`) does not, and does not
//! forward it; a `node`/`python`/other program as PID 1 only does if the project's source
//! registers a handler (the build context mentions `SIGTERM`) — PID 1 has no default
//! action for SIGTERM; a binary built with `go build` does (the Go runtime installs its
//! own handler); `docker run --init` puts tini in front, which handles it. A process that
//! handles the signal exits with code 0 half a second later.

use crate::image::builder::BuildCache;
use crate::image::oci::{Digest, HealthConfig, Image};
use crate::time::{SimDuration, SimTime};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Docker Engine API version in request paths.
pub const API_VERSION: &str = "v1.45";
/// Download speed of the learner's machine from registries (bytes per second).
pub const DOWNLOAD_BANDWIDTH: u64 = 25_000_000;
/// Upload speed of the learner's machine to registries (bytes per second).
pub const UPLOAD_BANDWIDTH: u64 = 10_000_000;
/// `docker stop`'s default grace period.
pub const STOP_GRACE: SimDuration = SimDuration::from_secs(10);
/// How long a process that handles the stop signal takes to exit.
pub const GRACEFUL_EXIT: SimDuration = SimDuration::from_millis(500);

/// An image in the daemon's store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocalImage {
    /// Config, layers.
    pub image: Image,
    /// When it was built here (`None` for pulled images, created elsewhere).
    pub built: Option<SimTime>,
    /// `repo@sha256:…` pins known from pulls and pushes.
    pub repo_digests: BTreeSet<String>,
    /// The project's source registers a SIGTERM handler (see the module docs).
    pub handles_sigterm: bool,
    /// Top-level entries of the image's working directory copied from the project.
    pub files: Vec<String>,
}

/// A registry login (`docker login`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Login {
    /// User name.
    pub username: String,
    /// When the credential stops working (ECR tokens last 12 hours), if ever.
    pub expires: Option<SimTime>,
}

/// What a container's process does (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Behaviour {
    /// Exits by itself after `after` with `code`.
    Exits {
        /// Run time.
        after: SimDuration,
        /// Exit code.
        code: i64,
    },
    /// Runs until stopped.
    Serves {
        /// Ports it listens on (`3000/tcp`).
        ports: Vec<String>,
    },
}

/// A container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Container {
    /// 64 hex digits.
    pub id: String,
    /// `--name`, or a generated `adjective_name`.
    pub name: String,
    /// The image as the learner named it.
    pub image: String,
    /// Image ID.
    pub image_id: Digest,
    /// argv (entrypoint + cmd).
    pub command: Vec<String>,
    /// Environment.
    pub env: Vec<String>,
    /// `--user` or the image's USER ("" = root).
    pub user: String,
    /// Working directory.
    pub workdir: String,
    /// Published ports: (host port, container port like `3000/tcp`).
    pub ports: Vec<(u16, String)>,
    /// Created and started.
    pub created: SimTime,
    /// `--rm`.
    pub auto_remove: bool,
    /// `--init`.
    pub init: bool,
    /// What the process does.
    pub behaviour: Behaviour,
    /// Whether the process handles the stop signal.
    pub handles_stop: bool,
    /// The stop signal (`SIGTERM`, or the image's STOPSIGNAL).
    pub stop_signal: String,
    /// Set when stopped by `docker stop`/`kill`: when, and the exit code.
    pub stopped: Option<(SimTime, i64)>,
    /// HEALTHCHECK, if any.
    pub healthcheck: Option<HealthConfig>,
    /// Output lines with when they were written.
    pub logs: Vec<(SimTime, String)>,
}

/// A container's state at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Running since `created`.
    Running,
    /// Exited with a code at an instant.
    Exited(i64, SimTime),
}

impl Container {
    /// State at `now`.
    pub fn state(&self, now: SimTime) -> State {
        if let Some((at, code)) = self.stopped {
            return State::Exited(code, at);
        }
        match &self.behaviour {
            Behaviour::Exits { after, code } if self.created.after(*after) <= now => {
                State::Exited(*code, self.created.after(*after))
            }
            _ => State::Running,
        }
    }

    /// Health status at `now`, for containers with a HEALTHCHECK.
    pub fn health(&self, now: SimTime) -> Option<&'static str> {
        let h = self.healthcheck.as_ref()?;
        if h.test.first().is_some_and(|t| t == "NONE") {
            return None;
        }
        let interval = if h.interval == 0 {
            30_000
        } else {
            h.interval / 1_000_000
        };
        Some(if self.created.after(SimDuration(interval)) <= now {
            "healthy"
        } else {
            "starting"
        })
    }
}

/// The daemon's state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DockerHost {
    /// Images by ID.
    pub images: BTreeMap<Digest, LocalImage>,
    /// Tags: normalised reference (`docker.io/library/app:1.0`) → image ID.
    pub tags: BTreeMap<String, Digest>,
    /// BuildKit's local cache, kept across builds.
    pub build_cache: BuildCache,
    /// Layer blobs in the local store (a pull skips these: `Already exists`).
    pub layers: BTreeSet<Digest>,
    /// Containers by ID.
    pub containers: BTreeMap<String, Container>,
    /// Registry logins by host.
    pub auths: BTreeMap<String, Login>,
    /// Containers created so far (for IDs and names).
    pub created: u64,
}

impl DockerHost {
    /// The image a reference or ID (prefix) names.
    pub fn find_image(&self, name: &str) -> Option<&Digest> {
        if let Ok(r) = crate::image::catalog::Reference::parse(name)
            && let Some(id) = self.tags.get(&r.full())
        {
            return Some(id);
        }
        let hex = name.strip_prefix("sha256:").unwrap_or(name);
        if hex.len() >= 4 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return self.images.keys().find(|d| d.hex().starts_with(hex));
        }
        None
    }

    /// The container a name or ID (prefix) names.
    pub fn find_container(&self, name: &str) -> Option<&Container> {
        self.containers
            .values()
            .find(|c| c.name == name || c.name == name.trim_start_matches('/'))
            .or_else(|| {
                (name.len() >= 3)
                    .then(|| self.containers.values().find(|c| c.id.starts_with(name)))
                    .flatten()
            })
    }

    /// Tags pointing at image `id` (normalised references).
    pub fn tags_of(&self, id: &Digest) -> Vec<&str> {
        self.tags
            .iter()
            .filter(|(_, d)| *d == id)
            .map(|(t, _)| t.as_str())
            .collect()
    }
}

/// Shortens a normalised reference the way the docker CLI shows it
/// (`docker.io/library/node:22` → `node:22`).
pub fn familiar(reference: &str) -> String {
    let r = reference
        .strip_prefix("docker.io/library/")
        .or_else(|| reference.strip_prefix("docker.io/"))
        .unwrap_or(reference);
    r.to_string()
}

/// Splits a familiar reference into (repository, tag).
pub fn repo_tag(reference: &str) -> (String, String) {
    let f = familiar(reference);
    match f.rfind(':') {
        Some(i) if !f[i..].contains('/') => (f[..i].to_string(), f[i + 1..].to_string()),
        _ => (f, "<none>".to_string()),
    }
}

/// `%.3g`-style size as `docker images` prints it (decimal units): `1.13GB`, `162MB`.
pub fn human_size(bytes: u64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1000.0 && u < units.len() - 1 {
        v /= 1000.0;
        u += 1;
    }
    let digits = if v >= 100.0 {
        0
    } else if v >= 10.0 {
        1
    } else {
        2
    };
    let mut s = format!("{v:.digits$}");
    if s.contains('.') {
        s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    format!("{s}{}", units[u])
}

/// go-units `HumanDuration`, as `docker ps` prints ages.
pub fn human_duration(d: SimDuration) -> String {
    let s = d.as_millis() / 1000;
    let m = s / 60;
    let h = m / 60;
    if s < 1 {
        "Less than a second".into()
    } else if s == 1 {
        "1 second".into()
    } else if s < 60 {
        format!("{s} seconds")
    } else if m == 1 {
        "About a minute".into()
    } else if m < 60 {
        format!("{m} minutes")
    } else if h == 1 {
        "About an hour".into()
    } else if h < 48 {
        format!("{h} hours")
    } else {
        format!("{} days", h / 24)
    }
}

/// Looks through wrappers (`/bin/sh -c`, `docker-entrypoint.sh`, `tini --`) to the
/// program that really runs. Returns (words of the real command, run by a shell as PID 1).
pub fn effective_command(argv: &[String]) -> (Vec<String>, bool) {
    let mut words: Vec<String> = argv.to_vec();
    let mut shell = false;
    loop {
        match words.first().map(String::as_str) {
            Some("/bin/sh" | "sh" | "/bin/bash" | "bash")
                if words.get(1).is_some_and(|w| w == "-c") =>
            {
                let script = words.get(2).cloned().unwrap_or_default();
                shell = true;
                words = script.split_whitespace().map(str::to_string).collect();
                if words.first().is_some_and(|w| w == "exec") {
                    words.remove(0);
                    shell = false;
                }
            }
            Some(w)
                if w.ends_with("docker-entrypoint.sh")
                    || w == "tini"
                    || w == "/sbin/tini"
                    || w == "--" =>
            {
                words.remove(0);
            }
            _ => return (words, shell),
        }
    }
}

/// The behaviour of a process with argv `argv` in an image exposing `ports`.
pub fn behaviour(argv: &[String], ports: &[String]) -> Behaviour {
    let (words, _) = effective_command(argv);
    let prog = words
        .first()
        .map(|p| p.rsplit('/').next().unwrap_or(p).to_string())
        .unwrap_or_default();
    let exits = |code| Behaviour::Exits {
        after: SimDuration::from_millis(100),
        code,
    };
    match prog.as_str() {
        "" | "true" | "echo" | "printf" | "whoami" | "id" | "env" | "ls" | "cat" | "uname"
        | "date" | "pwd" | "hostname" => exits(0),
        "false" => exits(1),
        "exit" => exits(words.get(1).and_then(|c| c.parse().ok()).unwrap_or(0)),
        "sleep" => Behaviour::Exits {
            after: SimDuration::from_millis(
                words
                    .get(1)
                    .and_then(|s| s.trim_end_matches('s').parse::<u64>().ok())
                    .unwrap_or(0)
                    * 1000,
            ),
            code: 0,
        },
        "sh" | "bash" | "ash" => exits(0),
        "node" | "python" | "python3" if words.len() == 1 => exits(0),
        _ => Behaviour::Serves {
            ports: ports.to_vec(),
        },
    }
}

/// Whether the process handles the stop signal (see the module docs).
pub fn handles_stop(argv: &[String], init: bool, project_handles_sigterm: bool) -> bool {
    if init {
        return true;
    }
    let (words, shell_pid1) = effective_command(argv);
    if shell_pid1 && words.len() > 1 {
        return false;
    }
    let prog = words
        .first()
        .map(|p| p.rsplit('/').next().unwrap_or(p).to_string())
        .unwrap_or_default();
    match prog.as_str() {
        "nginx" | "redis-server" | "httpd-foreground" | "httpd" | "postgres" | "caddy" => true,
        "sleep" | "tail" | "sh" | "bash" => false,
        _ => project_handles_sigterm,
    }
}

/// The first lines a process writes.
pub fn startup_logs(argv: &[String], behaviour: &Behaviour) -> Vec<String> {
    let (words, _) = effective_command(argv);
    let prog = words
        .first()
        .map(|p| p.rsplit('/').next().unwrap_or(p).to_string())
        .unwrap_or_default();
    match behaviour {
        Behaviour::Exits { .. } if prog == "echo" => vec![words[1..].join(" ")],
        Behaviour::Exits { .. } => Vec::new(),
        Behaviour::Serves { ports } => {
            let port = ports
                .first()
                .map(|p| p.split('/').next().unwrap_or(p).to_string());
            match prog.as_str() {
                "nginx" => vec![
                    "/docker-entrypoint.sh: Configuration complete; ready for start up".into(),
                    "nginx: [notice] start worker processes".into(),
                ],
                "redis-server" => vec![
                    "# Server initialized".into(),
                    "* Ready to accept connections tcp".into(),
                ],
                _ => vec![match port {
                    Some(p) => format!("({} started: listening on 0.0.0.0:{p})", words.join(" ")),
                    None => format!("({} started; the image EXPOSEs no port)", words.join(" ")),
                }],
            }
        }
    }
}

const ADJECTIVES: [&str; 16] = [
    "admiring", "brave", "clever", "dreamy", "eager", "festive", "gallant", "happy", "jolly",
    "keen", "lucid", "modest", "nifty", "quirky", "serene", "vibrant",
];
const SURNAMES: [&str; 16] = [
    "babbage", "curie", "darwin", "euler", "feynman", "goldberg", "hopper", "johnson", "kepler",
    "lovelace", "meitner", "noether", "pascal", "ritchie", "turing", "wozniak",
];

/// A docker-style generated container name from an ID.
pub fn generated_name(id: &str) -> String {
    let b = id.as_bytes();
    let a = (b.first().copied().unwrap_or(0) as usize) % ADJECTIVES.len();
    let s = (b.get(1).copied().unwrap_or(0) as usize) % SURNAMES.len();
    format!("{}_{}", ADJECTIVES[a], SURNAMES[s])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn sizes_and_durations_print_like_docker() {
        assert_eq!(human_size(1_134_000_000), "1.13GB");
        assert_eq!(human_size(162_300_000), "162MB");
        assert_eq!(human_size(7_800_000), "7.8MB");
        assert_eq!(human_size(0), "0B");
        assert_eq!(human_duration(SimDuration::from_secs(75)), "About a minute");
        assert_eq!(human_duration(SimDuration::from_secs(5)), "5 seconds");
    }

    #[test]
    fn process_model() {
        let ports = v(&["3000/tcp"]);
        assert_eq!(
            behaviour(&v(&["/bin/sh", "-c", "exit 3"]), &ports),
            Behaviour::Exits {
                after: SimDuration::from_millis(100),
                code: 3
            }
        );
        assert!(matches!(
            behaviour(&v(&["docker-entrypoint.sh", "node", "src/app.js"]), &ports),
            Behaviour::Serves { .. }
        ));
        assert!(!handles_stop(
            &v(&["/bin/sh", "-c", "node src/app.js"]),
            false,
            true
        ));
        assert!(handles_stop(
            &v(&["/bin/sh", "-c", "exec node app.js"]),
            false,
            true
        ));
        assert!(!handles_stop(&v(&["node", "app.js"]), false, false));
        assert!(handles_stop(&v(&["node", "app.js"]), true, false));
        assert!(handles_stop(
            &v(&["/docker-entrypoint.sh", "nginx", "-g", "daemon off;"]),
            false,
            false
        ));
    }
}
