//! `docker run [-d] [-p H:C] [-e K=V] [--name N] [--user U] [--rm] [--init] IMAGE
//! [CMD...]`: create and start a container whose simulated process behaves as its image
//! says (see `components::docker::daemon` for the model). A missing image is pulled
//! first (`Unable to find image 'x' locally`).

use super::{api, daemon_event, parse_flags};
use crate::command::CommandError;
use crate::components::docker::daemon::{self, API_VERSION, Behaviour, Container, State, familiar};
use crate::event::ObjectRef;
use crate::image::catalog::Reference;
use crate::image::oci::Digest;
use crate::simulation::Simulation;

/// Parsed `docker run`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RunArgs {
    /// `-d`.
    pub detach: bool,
    /// `-p HOST:CONTAINER` (repeatable).
    pub publish: Vec<String>,
    /// `-e K=V` (repeatable).
    pub env: Vec<String>,
    /// `--name`.
    pub name: Option<String>,
    /// `--user`.
    pub user: Option<String>,
    /// `--rm`.
    pub rm: bool,
    /// `--init`.
    pub init: bool,
    /// `--entrypoint`.
    pub entrypoint: Option<String>,
    /// The image.
    pub image: String,
    /// Command override.
    pub command: Vec<String>,
}

/// `docker run`'s flags (also offered by tab completion).
pub(crate) const FLAGS: &[super::FlagSpec] = &[
    ("detach", Some('d'), false),
    ("publish", Some('p'), true),
    ("env", Some('e'), true),
    ("name", None, true),
    ("user", Some('u'), true),
    ("rm", None, false),
    ("init", None, false),
    ("entrypoint", None, true),
    ("interactive", Some('i'), false),
    ("tty", Some('t'), false),
];

/// Parses `docker run`.
pub fn parse(args: &[String]) -> Result<RunArgs, CommandError> {
    let (pos, f) = parse_flags("run", args, FLAGS, false)?;
    let Some((image, command)) = pos.split_first() else {
        return Err(CommandError::new(
            "docker: 'docker run' requires at least 1 argument\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nSee 'docker run --help' for more information",
        ));
    };
    for p in f.values("publish") {
        parse_publish(p)?;
    }
    if let Some(n) = f.value("name")
        && (n.is_empty()
            || !n
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c)))
    {
        return Err(CommandError::new(format!(
            "docker: Error response from daemon: Invalid container name ({n}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed.\nSee 'docker run --help'."
        )));
    }
    Ok(RunArgs {
        detach: f.on("detach"),
        publish: f.values("publish").to_vec(),
        env: f.values("env").to_vec(),
        name: f.value("name").map(str::to_string),
        user: f.value("user").map(str::to_string),
        rm: f.on("rm"),
        init: f.on("init"),
        entrypoint: f.value("entrypoint").map(str::to_string),
        image: image.clone(),
        command: command.to_vec(),
    })
}

/// `HOST:CONTAINER[/proto]` or `CONTAINER` → (host port, `CONTAINER/proto`).
fn parse_publish(p: &str) -> Result<(Option<u16>, String), CommandError> {
    let bad = || {
        CommandError::new(format!(
            "docker: invalid containerPort: {p}\nSee 'docker run --help'."
        ))
    };
    let (spec, proto) = p.split_once('/').unwrap_or((p, "tcp"));
    let parts: Vec<&str> = spec.split(':').collect();
    let (host, cont) = match parts.as_slice() {
        [c] => (None, *c),
        [h, c] => (Some(*h), *c),
        [_, h, c] => (Some(*h), *c),
        _ => return Err(bad()),
    };
    let cport: u16 = cont.parse().map_err(|_| bad())?;
    let hport = match host {
        Some(h) if !h.is_empty() => Some(h.parse::<u16>().map_err(|_| {
            CommandError::new(format!(
                "docker: invalid hostPort: {h}\nSee 'docker run --help'."
            ))
        })?),
        _ => None,
    };
    Ok((hport, format!("{cport}/{proto}")))
}

/// `docker run`.
pub fn run(sim: &mut Simulation, a: &RunArgs) -> Result<String, CommandError> {
    let r = Reference::parse(&a.image).map_err(|_| {
        CommandError::new("docker: invalid reference format.\nSee 'docker run --help'.")
    })?;
    let now = sim.now();
    // Validate before changing anything.
    let host = &sim.state().docker;
    if let Some(n) = &a.name
        && let Some(c) = host.containers.values().find(|c| &c.name == n)
    {
        return Err(CommandError::new(format!(
            "docker: Error response from daemon: Conflict. The container name \"/{n}\" is already in use by container \"{}\". You have to remove (or rename) that container to be able to reuse that name.\nSee 'docker run --help'.",
            c.id
        )));
    }
    let mut ports = Vec::new();
    let mut next_ephemeral = 32768u16;
    for p in &a.publish {
        let (h, c) = parse_publish(p)?;
        let h = h.unwrap_or_else(|| {
            next_ephemeral += 1;
            next_ephemeral
        });
        if let Some(c2) = host.containers.values().find(|c2| {
            matches!(c2.state(now), State::Running) && c2.ports.iter().any(|(hp, _)| *hp == h)
        }) {
            return Err(CommandError::new(format!(
                "docker: Error response from daemon: driver failed programming external connectivity on endpoint {} ({}): Bind for 0.0.0.0:{h} failed: port is already allocated.\nSee 'docker run --help'.",
                a.name.clone().unwrap_or_else(|| "container".into()),
                &c2.id[..12]
            )));
        }
        ports.push((h, c));
    }
    let mut out = String::new();
    let id: Digest = match host.find_image(&a.image) {
        Some(id) => id.clone(),
        None => {
            out.push_str(&format!(
                "Unable to find image '{}' locally\n",
                familiar(&r.full())
            ));
            let before = sim.clone();
            match super::pull::pull(sim, &a.image, true) {
                Ok((o, id)) => {
                    out.push_str(&o);
                    id
                }
                Err(e) => {
                    *sim = before;
                    return Err(CommandError::new(format!(
                        "{out}docker: {}.\nSee 'docker run --help'.",
                        e.message()
                    )));
                }
            }
        }
    };
    let img = sim.state().docker.images[&id].clone();
    let cfg = &img.image.config.config;
    let mut argv: Vec<String> = match &a.entrypoint {
        Some(e) if e.is_empty() => Vec::new(),
        Some(e) => vec![e.clone()],
        None => cfg.entrypoint.clone().unwrap_or_default(),
    };
    if !a.command.is_empty() {
        argv.extend(a.command.iter().cloned());
    } else if a.entrypoint.is_none() {
        argv.extend(cfg.cmd.clone().unwrap_or_default());
    }
    if argv.is_empty() {
        return Err(CommandError::new(format!(
            "{out}docker: Error response from daemon: no command specified.\nSee 'docker run --help'."
        )));
    }
    let exposed: Vec<String> = cfg.exposed_ports.keys().cloned().collect();
    let behaviour = daemon::behaviour(&argv, &exposed);
    let handles = daemon::handles_stop(&argv, a.init, img.handles_sigterm);
    let mut env = cfg.env.clone();
    for e in &a.env {
        let key = e.split('=').next().unwrap_or(e);
        env.retain(|x| x.split('=').next() != Some(key));
        env.push(e.clone());
    }
    let n = sim.state().docker.created + 1;
    let cid = Digest::of(format!("container {n} {} {}", now.as_millis(), a.image).as_bytes())
        .hex()
        .to_string();
    let name = a
        .name
        .clone()
        .unwrap_or_else(|| daemon::generated_name(&cid));
    let logs: Vec<(crate::time::SimTime, String)> = daemon::startup_logs(&argv, &behaviour)
        .into_iter()
        .map(|l| (now, l))
        .collect();
    let container = Container {
        id: cid.clone(),
        name: name.clone(),
        image: a.image.clone(),
        image_id: id.clone(),
        command: argv.clone(),
        env,
        user: a.user.clone().unwrap_or_else(|| cfg.user.clone()),
        workdir: if cfg.working_dir.is_empty() {
            "/".into()
        } else {
            cfg.working_dir.clone()
        },
        ports,
        created: sim.now(),
        auto_remove: a.rm,
        init: a.init,
        behaviour: behaviour.clone(),
        handles_stop: handles,
        stop_signal: if cfg.stop_signal.is_empty() {
            "SIGTERM".into()
        } else {
            cfg.stop_signal.clone()
        },
        stopped: None,
        healthcheck: cfg.healthcheck.clone(),
        logs,
    };
    api(
        sim,
        ObjectRef::new("container", name.clone()),
        &format!("POST /{API_VERSION}/containers/create?name={name}"),
        "201 Created",
    );
    api(
        sim,
        ObjectRef::new("container", name.clone()),
        &format!("POST /{API_VERSION}/containers/{}/start", &cid[..12]),
        "204 No Content",
    );
    let what = match &behaviour {
        Behaviour::Exits { code, .. } => format!(
            "runs `{}` and exits with code {code}",
            daemon::effective_command(&argv).0.join(" ")
        ),
        Behaviour::Serves { ports: p } if p.is_empty() => format!(
            "runs `{}` as PID 1 until stopped (the image EXPOSEs no port)",
            argv.join(" ")
        ),
        Behaviour::Serves { ports: p } => format!(
            "runs `{}` as PID 1, listening on {}{}",
            argv.join(" "),
            p.join(", "),
            if container.ports.is_empty() {
                " (not published: add -p HOST:CONTAINER to reach it from the machine)".to_string()
            } else {
                format!(
                    ", published on {}",
                    container
                        .ports
                        .iter()
                        .map(|(h, c)| format!("0.0.0.0:{h}->{c}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        ),
    };
    daemon_event(
        sim,
        ObjectRef::new("container", name.clone()),
        "ContainerStarted",
        format!(
            "started container {name} ({}) from {}: {what}; {}",
            &cid[..12],
            id.short(),
            if handles {
                format!(
                    "it handles {} (docker stop is quick)",
                    container.stop_signal
                )
            } else {
                format!(
                    "it does not handle {} as PID 1 (docker stop will wait 10s, then SIGKILL)",
                    container.stop_signal
                )
            }
        ),
    );
    let mut logs = container.logs.clone();
    sim.world_mut().docker.created = n;
    sim.world_mut()
        .docker
        .containers
        .insert(cid.clone(), container);
    if a.detach {
        out.push_str(&cid);
        out.push('\n');
        return Ok(out);
    }
    // Attached: a process that exits blocks until it does; a server keeps running.
    if let Behaviour::Exits { after, code } = behaviour {
        sim.run_until(now.after(after));
        daemon_event(
            sim,
            ObjectRef::new("container", name.clone()),
            "ContainerDied",
            format!("container {name}'s process exited with code {code}"),
        );
        for (_, l) in logs.drain(..) {
            out.push_str(&l);
            out.push('\n');
        }
        if a.rm {
            sim.world_mut().docker.containers.remove(&cid);
        }
        return Ok(out);
    }
    for (_, l) in logs.drain(..) {
        out.push_str(&l);
        out.push('\n');
    }
    out.push_str(&format!(
        "(the terminal detaches here; container {name} keeps running — see `docker ps`, `docker logs {name}`, `docker stop {name}`)\n"
    ));
    Ok(out)
}
