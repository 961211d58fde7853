//! `docker`: the client of the Docker daemon on the learner's machine
//! (`components::docker::daemon`). Each verb is a file with `parse` and `run`; every
//! daemon call is logged as the REST request the real client sends (`POST
//! /v1.45/build`, `POST /v1.45/containers/create` …). Output and errors copy the Docker
//! CLI's wording.

pub mod build;
pub mod containers;
pub mod exec;
pub mod images;
pub mod inspect;
pub mod json;
pub mod login;
pub mod pull;
pub mod push;
pub mod run;

use crate::command::{CommandError, suggest};
use crate::event::{Component, EventDraft, ObjectRef, Source};
use crate::simulation::Simulation;
use std::collections::BTreeMap;

/// A parsed docker command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DockerCommand {
    /// `docker build`.
    Build(build::BuildArgs),
    /// `docker images` / `docker image ls`.
    Images(Option<String>),
    /// `docker history IMAGE`.
    History {
        /// Image.
        image: String,
        /// `--no-trunc`.
        no_trunc: bool,
    },
    /// `docker inspect NAME…`.
    Inspect(Vec<String>),
    /// `docker tag SOURCE TARGET`.
    Tag(String, String),
    /// `docker rmi IMAGE…`.
    Rmi {
        /// Images.
        images: Vec<String>,
        /// `-f`.
        force: bool,
    },
    /// `docker pull IMAGE`.
    Pull(String),
    /// `docker push IMAGE`.
    Push(String),
    /// `docker login`.
    Login(login::LoginArgs),
    /// `docker logout [SERVER]`.
    Logout(Option<String>),
    /// `docker run`.
    Run(run::RunArgs),
    /// `docker ps [-a]`.
    Ps {
        /// `-a`.
        all: bool,
    },
    /// `docker logs CONTAINER`.
    Logs(String),
    /// `docker stop [-t N] CONTAINER…`.
    Stop {
        /// Containers.
        containers: Vec<String>,
        /// `-t`: grace period in seconds.
        grace: Option<u64>,
    },
    /// `docker rm [-f] CONTAINER…`.
    Rm {
        /// Containers.
        containers: Vec<String>,
        /// `-f`.
        force: bool,
    },
    /// `docker exec CONTAINER CMD…`.
    Exec(String, Vec<String>),
    /// `docker version`.
    Version,
}

/// Verbs, for suggestions.
pub const VERBS: [&str; 18] = [
    "build", "images", "history", "inspect", "tag", "rmi", "pull", "push", "login", "logout",
    "run", "ps", "logs", "stop", "rm", "exec", "version", "image",
];

/// One flag a verb accepts: (long name, short letter, takes a value).
pub type FlagSpec = (&'static str, Option<char>, bool);

/// Flags as parsed: long name → values (switches get `"true"`).
#[derive(Debug, Default)]
pub struct Flags(BTreeMap<&'static str, Vec<String>>);

impl Flags {
    /// A switch is on.
    pub fn on(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }
    /// The last value of a flag.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(|v| v.last()).map(String::as_str)
    }
    /// Every value of a repeatable flag.
    pub fn values(&self, name: &str) -> &[String] {
        self.0.get(name).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// Parses docker-style flags. With `interspersed == false` (run, exec), parsing stops at
/// the first positional argument: the rest is the container's command.
pub fn parse_flags(
    verb: &str,
    args: &[String],
    spec: &[FlagSpec],
    interspersed: bool,
) -> Result<(Vec<String>, Flags), CommandError> {
    let mut pos = Vec::new();
    let mut flags = Flags::default();
    let unknown =
        |f: &str| CommandError::new(format!("unknown flag: {f}\nSee 'docker {verb} --help'."));
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if a == "--" {
            pos.extend(args[i..].iter().cloned());
            break;
        }
        if let Some(long) = a.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let Some((n, _, takes)) = spec.iter().find(|(n, _, _)| *n == name) else {
                return Err(unknown(&format!("--{name}")));
            };
            let v = if *takes {
                match inline {
                    Some(v) => v,
                    None => {
                        let Some(v) = args.get(i) else {
                            return Err(CommandError::new(format!(
                                "flag needs an argument: --{name}\nSee 'docker {verb} --help'."
                            )));
                        };
                        i += 1;
                        v.clone()
                    }
                }
            } else {
                "true".to_string()
            };
            flags.0.entry(n).or_default().push(v);
        } else if a.len() > 1 && a.starts_with('-') {
            let chars: Vec<char> = a[1..].chars().collect();
            let mut j = 0;
            while j < chars.len() {
                let c = chars[j];
                let Some((n, _, takes)) = spec.iter().find(|(_, s, _)| *s == Some(c)) else {
                    return Err(CommandError::new(format!(
                        "unknown shorthand flag: '{c}' in {a}\nSee 'docker {verb} --help'."
                    )));
                };
                if *takes {
                    let rest: String = chars[j + 1..].iter().collect();
                    let v = if !rest.is_empty() {
                        rest.trim_start_matches('=').to_string()
                    } else if let Some(v) = args.get(i) {
                        i += 1;
                        v.clone()
                    } else {
                        return Err(CommandError::new(format!(
                            "flag needs an argument: '{c}' in {a}\nSee 'docker {verb} --help'."
                        )));
                    };
                    flags.0.entry(n).or_default().push(v);
                    break;
                }
                flags.0.entry(n).or_default().push("true".into());
                j += 1;
            }
        } else {
            pos.push(a.clone());
            if !interspersed {
                pos.extend(args[i..].iter().cloned());
                break;
            }
        }
    }
    Ok((pos, flags))
}

/// `"docker X" requires exactly N argument(s).` as the CLI words it.
pub fn arg_count(verb: &str, usage: &str, want: &str) -> CommandError {
    CommandError::new(format!(
        "\"docker {verb}\" requires {want}.\nSee 'docker {verb} --help'.\n\nUsage:  docker {verb} {usage}"
    ))
}

/// Parses the words after `docker`.
pub fn parse(args: &[String]) -> Result<DockerCommand, CommandError> {
    let Some((verb, rest)) = args.split_first() else {
        return Err(CommandError::new(
            "Usage:  docker [OPTIONS] COMMAND\n\nA self-sufficient runtime for containers\n\nType `help docker` for the commands this simulator supports.",
        ));
    };
    // `docker image ls`, `docker container ls`, `docker image build` …
    let (verb, rest): (&str, &[String]) = match (verb.as_str(), rest.split_first()) {
        ("image", Some((sub, r))) => match sub.as_str() {
            "ls" | "list" => ("images", r),
            "build" | "history" | "inspect" | "tag" | "pull" | "push" => (sub.as_str(), r),
            "rm" => ("rmi", r),
            other => return Err(unknown_verb(&format!("image {other}"))),
        },
        ("container", Some((sub, r))) => match sub.as_str() {
            "ls" | "list" => ("ps", r),
            "run" | "logs" | "stop" | "rm" | "exec" | "inspect" => (sub.as_str(), r),
            other => return Err(unknown_verb(&format!("container {other}"))),
        },
        ("buildx", Some((sub, r))) if sub == "build" => ("build", r),
        (v, _) => (v, rest),
    };
    match verb {
        "build" => build::parse(rest).map(DockerCommand::Build),
        "images" => {
            let (pos, _) = parse_flags("images", rest, &[("all", Some('a'), false)], true)?;
            Ok(DockerCommand::Images(pos.first().cloned()))
        }
        "history" => {
            let (pos, f) = parse_flags(
                "history",
                rest,
                &[("no-trunc", None, false), ("human", Some('H'), false)],
                true,
            )?;
            match pos.as_slice() {
                [image] => Ok(DockerCommand::History {
                    image: image.clone(),
                    no_trunc: f.on("no-trunc"),
                }),
                _ => Err(arg_count(
                    "history",
                    "[OPTIONS] IMAGE",
                    "exactly 1 argument",
                )),
            }
        }
        "inspect" => {
            let (pos, _) = parse_flags("inspect", rest, &[("type", None, true)], true)?;
            if pos.is_empty() {
                return Err(arg_count(
                    "inspect",
                    "[OPTIONS] NAME|ID [NAME|ID...]",
                    "at least 1 argument",
                ));
            }
            Ok(DockerCommand::Inspect(pos))
        }
        "tag" => {
            let (pos, _) = parse_flags("tag", rest, &[], true)?;
            match pos.as_slice() {
                [a, b] => Ok(DockerCommand::Tag(a.clone(), b.clone())),
                _ => Err(arg_count(
                    "tag",
                    "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
                    "exactly 2 arguments",
                )),
            }
        }
        "rmi" => {
            let (pos, f) = parse_flags("rmi", rest, &[("force", Some('f'), false)], true)?;
            if pos.is_empty() {
                return Err(arg_count(
                    "rmi",
                    "[OPTIONS] IMAGE [IMAGE...]",
                    "at least 1 argument",
                ));
            }
            Ok(DockerCommand::Rmi {
                images: pos,
                force: f.on("force"),
            })
        }
        "pull" | "push" => {
            let (pos, _) = parse_flags(verb, rest, &[("quiet", Some('q'), false)], true)?;
            match pos.as_slice() {
                [i] if verb == "pull" => Ok(DockerCommand::Pull(i.clone())),
                [i] => Ok(DockerCommand::Push(i.clone())),
                _ => Err(arg_count(
                    verb,
                    "[OPTIONS] NAME[:TAG|@DIGEST]",
                    "exactly 1 argument",
                )),
            }
        }
        "login" => login::parse(rest).map(DockerCommand::Login),
        "logout" => {
            let (pos, _) = parse_flags("logout", rest, &[], true)?;
            Ok(DockerCommand::Logout(pos.first().cloned()))
        }
        "run" => run::parse(rest).map(DockerCommand::Run),
        "ps" => {
            let (_, f) = parse_flags(
                "ps",
                rest,
                &[("all", Some('a'), false), ("quiet", Some('q'), false)],
                true,
            )?;
            Ok(DockerCommand::Ps { all: f.on("all") })
        }
        "logs" => {
            let (pos, _) = parse_flags(
                "logs",
                rest,
                &[("follow", Some('f'), false), ("tail", Some('n'), true)],
                true,
            )?;
            match pos.as_slice() {
                [c] => Ok(DockerCommand::Logs(c.clone())),
                _ => Err(arg_count(
                    "logs",
                    "[OPTIONS] CONTAINER",
                    "exactly 1 argument",
                )),
            }
        }
        "stop" => {
            let (pos, f) = parse_flags(
                "stop",
                rest,
                &[("time", Some('t'), true), ("timeout", None, true)],
                true,
            )?;
            if pos.is_empty() {
                return Err(arg_count(
                    "stop",
                    "[OPTIONS] CONTAINER [CONTAINER...]",
                    "at least 1 argument",
                ));
            }
            let grace = match f.value("time").or(f.value("timeout")) {
                Some(t) => Some(t.parse::<u64>().map_err(|_| {
                    CommandError::new(format!(
                        "invalid argument \"{t}\" for \"-t, --time\" flag: strconv.ParseInt: parsing \"{t}\": invalid syntax"
                    ))
                })?),
                None => None,
            };
            Ok(DockerCommand::Stop {
                containers: pos,
                grace,
            })
        }
        "rm" => {
            let (pos, f) = parse_flags("rm", rest, &[("force", Some('f'), false)], true)?;
            if pos.is_empty() {
                return Err(arg_count(
                    "rm",
                    "[OPTIONS] CONTAINER [CONTAINER...]",
                    "at least 1 argument",
                ));
            }
            Ok(DockerCommand::Rm {
                containers: pos,
                force: f.on("force"),
            })
        }
        "exec" => {
            let (pos, _) = parse_flags(
                "exec",
                rest,
                &[
                    ("interactive", Some('i'), false),
                    ("tty", Some('t'), false),
                    ("user", Some('u'), true),
                ],
                false,
            )?;
            match pos.split_first() {
                Some((c, cmd)) if !cmd.is_empty() => {
                    Ok(DockerCommand::Exec(c.clone(), cmd.to_vec()))
                }
                _ => Err(arg_count(
                    "exec",
                    "[OPTIONS] CONTAINER COMMAND [ARG...]",
                    "at least 2 arguments",
                )),
            }
        }
        "version" => Ok(DockerCommand::Version),
        other => Err(unknown_verb(other)),
    }
}

fn unknown_verb(typed: &str) -> CommandError {
    let mut msg = format!("docker: '{typed}' is not a docker command.");
    if let Some(s) = suggest::suggestions(typed, &VERBS).first() {
        msg.push_str(&format!("\n\nDid you mean this?\n\t{s}"));
    }
    msg.push_str("\nSee 'docker --help'");
    CommandError::new(msg)
}

/// Logs one REST call of the docker client to dockerd.
pub(crate) fn api(sim: &mut Simulation, object: ObjectRef, request: &str, status: &str) {
    sim.record(EventDraft::new(
        Source::of(Component::DockerClient),
        object,
        "ApiRequest",
        format!("{request} → dockerd: {status}"),
    ));
}

/// Logs something dockerd did.
pub(crate) fn daemon_event(sim: &mut Simulation, object: ObjectRef, kind: &str, reason: String) {
    sim.record(EventDraft::new(
        Source::of(Component::Dockerd),
        object,
        kind,
        reason,
    ));
}

/// Logs a registry request.
pub(crate) fn registry_event(
    sim: &mut Simulation,
    host: &str,
    object: ObjectRef,
    kind: &str,
    reason: String,
) {
    sim.record(EventDraft::new(
        Source::on(Component::Registry, host),
        object,
        kind,
        reason,
    ));
}

/// URL-encodes a query value the way Go's `url.QueryEscape` does for image names.
pub(crate) fn query_escape(s: &str) -> String {
    s.replace('%', "%25")
        .replace(':', "%3A")
        .replace('/', "%2F")
        .replace('@', "%40")
}

/// `docker: invalid reference format.` style errors for a bad image name.
pub(crate) fn invalid_reference(prefix: &str, name: &str) -> CommandError {
    let lower = name.to_lowercase();
    if lower != name && crate::image::catalog::Reference::parse(&lower).is_ok() {
        return CommandError::new(format!(
            "{prefix}invalid reference format: repository name ({}) must be lowercase",
            name.split(':').next().unwrap_or(name)
        ));
    }
    CommandError::new(format!("{prefix}invalid reference format"))
}

/// Runs a docker command.
pub fn run(
    sim: &mut Simulation,
    cmd: &DockerCommand,
    stdin: Option<&str>,
) -> Result<String, CommandError> {
    match cmd {
        DockerCommand::Build(a) => build::run(sim, a),
        DockerCommand::Images(filter) => images::images(sim, filter.as_deref()),
        DockerCommand::History { image, no_trunc } => images::history(sim, image, *no_trunc),
        DockerCommand::Inspect(names) => inspect::run(sim, names),
        DockerCommand::Tag(a, b) => images::tag(sim, a, b),
        DockerCommand::Rmi { images, force } => images::rmi(sim, images, *force),
        DockerCommand::Pull(i) => pull::run(sim, i).map(|(out, _)| out),
        DockerCommand::Push(i) => push::run(sim, i),
        DockerCommand::Login(a) => login::run(sim, a, stdin),
        DockerCommand::Logout(h) => login::logout(sim, h.as_deref()),
        DockerCommand::Run(a) => run::run(sim, a),
        DockerCommand::Ps { all } => containers::ps(sim, *all),
        DockerCommand::Logs(c) => containers::logs(sim, c),
        DockerCommand::Stop { containers, grace } => containers::stop(sim, containers, *grace),
        DockerCommand::Rm { containers, force } => containers::rm(sim, containers, *force),
        DockerCommand::Exec(c, cmd) => exec::run(sim, c, cmd),
        DockerCommand::Version => {
            // The client prints its own half; the Server half is the daemon's answer.
            api(
                sim,
                ObjectRef::new("daemon", "dockerd"),
                &format!(
                    "GET /{}/version",
                    crate::components::docker::daemon::API_VERSION
                ),
                "200 OK",
            );
            version_text()
        }
    }
}

/// `docker version`'s text.
fn version_text() -> Result<String, CommandError> {
    Ok(format!(
        "Client:\n Version:           27.3.1\n API version:       {api}\n OS/Arch:           linux/amd64\n\nServer: Docker Engine - Community\n Engine:\n  Version:          27.3.1\n  API version:      {api} (minimum version 1.24)\n  OS/Arch:          linux/amd64\n containerd:\n  Version:          1.7.22\n",
        api = crate::components::docker::daemon::API_VERSION.trim_start_matches('v')
    ))
}
