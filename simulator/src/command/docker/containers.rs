//! `docker ps`, `docker logs`, `docker stop`, `docker rm`.

use super::images::{ellipsis, table};
use super::{api, daemon_event};
use crate::command::CommandError;
use crate::components::docker::daemon::{
    API_VERSION, Behaviour, Container, GRACEFUL_EXIT, STOP_GRACE, State, human_duration,
};
use crate::event::ObjectRef;
use crate::simulation::Simulation;
use crate::time::{SimDuration, SimTime};

fn no_such(name: &str) -> CommandError {
    CommandError::new(format!(
        "Error response from daemon: No such container: {name}"
    ))
}

/// The status column of `docker ps`.
pub fn status(c: &Container, now: SimTime) -> String {
    match c.state(now) {
        State::Running => {
            let up = format!("Up {}", human_duration(now.since(c.created)));
            match c.health(now) {
                Some("starting") => format!("{up} (health: starting)"),
                Some(h) => format!("{up} ({h})"),
                None => up,
            }
        }
        State::Exited(code, at) => {
            format!("Exited ({code}) {} ago", human_duration(now.since(at)))
        }
    }
}

fn ports(c: &Container, now: SimTime) -> String {
    if !matches!(c.state(now), State::Running) {
        return String::new();
    }
    let mut parts: Vec<String> = Vec::new();
    for (h, p) in &c.ports {
        parts.push(format!("0.0.0.0:{h}->{p}"));
        parts.push(format!(":::{h}->{p}"));
    }
    if let Behaviour::Serves { ports: exposed } = &c.behaviour {
        for p in exposed {
            if !c.ports.iter().any(|(_, cp)| cp == p) {
                parts.push(p.clone());
            }
        }
    }
    parts.join(", ")
}

/// `docker ps [-a]`.
pub fn ps(sim: &mut Simulation, all: bool) -> Result<String, CommandError> {
    api(
        sim,
        ObjectRef::new("containers", "local"),
        &format!(
            "GET /{API_VERSION}/containers/json{}",
            if all { "?all=1" } else { "" }
        ),
        "200 OK",
    );
    let now = sim.now();
    let mut list: Vec<&Container> = sim
        .state()
        .docker
        .containers
        .values()
        .filter(|c| all || matches!(c.state(now), State::Running))
        .collect();
    list.sort_by(|a, b| b.created.cmp(&a.created).then(a.name.cmp(&b.name)));
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|c| {
            vec![
                c.id[..12].to_string(),
                c.image.clone(),
                format!("\"{}\"", ellipsis(&c.command.join(" "), 20)),
                format!("{} ago", human_duration(now.since(c.created))),
                status(c, now),
                ports(c, now),
                c.name.clone(),
            ]
        })
        .collect();
    Ok(table(
        &[
            "CONTAINER ID",
            "IMAGE",
            "COMMAND",
            "CREATED",
            "STATUS",
            "PORTS",
            "NAMES",
        ],
        &rows,
    ))
}

/// `docker logs CONTAINER`.
pub fn logs(sim: &mut Simulation, name: &str) -> Result<String, CommandError> {
    let c = sim
        .state()
        .docker
        .find_container(name)
        .cloned()
        .ok_or_else(|| no_such(name))?;
    api(
        sim,
        ObjectRef::new("container", c.name.clone()),
        &format!(
            "GET /{API_VERSION}/containers/{}/logs?stdout=1&stderr=1",
            &c.id[..12]
        ),
        "200 OK",
    );
    let now = sim.now();
    Ok(c.logs
        .iter()
        .filter(|(t, _)| *t <= now)
        .map(|(_, l)| format!("{l}\n"))
        .collect())
}

/// Stops one container at `now`: (when it exits, exit code, log lines, explanation).
fn stop_plan(
    c: &Container,
    now: SimTime,
    grace: SimDuration,
) -> (SimTime, i64, Vec<String>, String) {
    if c.handles_stop {
        let at = now.after(GRACEFUL_EXIT.min(grace));
        (
            at,
            0,
            vec![format!(
                "received {}, shutting down gracefully",
                c.stop_signal
            )],
            format!(
                "sent {} to {}'s PID 1; it handles the signal and exited with code 0 after {}",
                c.stop_signal,
                c.name,
                GRACEFUL_EXIT.min(grace)
            ),
        )
    } else {
        let at = now.after(grace);
        (
            at,
            137,
            Vec::new(),
            format!(
                "sent {} to {}'s PID 1, which ignores it (PID 1 gets no default signal handling, and a shell does not forward it); after the {grace} grace period the daemon sent SIGKILL: exit code 137",
                c.stop_signal, c.name
            ),
        )
    }
}

/// `docker stop CONTAINER…`: blocks until every container has exited.
pub fn stop(
    sim: &mut Simulation,
    names: &[String],
    grace: Option<u64>,
) -> Result<String, CommandError> {
    let now = sim.now();
    let grace = SimDuration::from_secs(grace.unwrap_or(STOP_GRACE.as_millis() / 1000));
    let mut targets = Vec::new();
    for n in names {
        let c = sim
            .state()
            .docker
            .find_container(n)
            .cloned()
            .ok_or_else(|| no_such(n))?;
        targets.push((n.clone(), c));
    }
    let mut out = String::new();
    let mut until = now;
    let mut done = Vec::new();
    for (typed, c) in &targets {
        api(
            sim,
            ObjectRef::new("container", c.name.clone()),
            &format!("POST /{API_VERSION}/containers/{}/stop", &c.id[..12]),
            "204 No Content",
        );
        if matches!(c.state(now), State::Running) {
            let (at, code, lines, why) = stop_plan(c, now, grace);
            until = until.max(at);
            done.push((c.id.clone(), at, code, lines, why));
        }
        out.push_str(typed);
        out.push('\n');
    }
    sim.run_until(until);
    for (id, at, code, lines, why) in done {
        let name = sim.state().docker.containers[&id].name.clone();
        daemon_event(
            sim,
            ObjectRef::new("container", name),
            "ContainerStopped",
            why,
        );
        let host = &mut sim.world_mut().docker;
        let remove = host.containers.get(&id).is_some_and(|c| c.auto_remove);
        if let Some(c) = host.containers.get_mut(&id) {
            c.stopped = Some((at, code));
            for l in lines {
                c.logs.push((now, l));
            }
        }
        if remove {
            host.containers.remove(&id);
        }
    }
    Ok(out)
}

/// `docker rm [-f] CONTAINER…`.
pub fn rm(sim: &mut Simulation, names: &[String], force: bool) -> Result<String, CommandError> {
    let now = sim.now();
    let mut ids = Vec::new();
    for n in names {
        let c = sim
            .state()
            .docker
            .find_container(n)
            .cloned()
            .ok_or_else(|| no_such(n))?;
        if matches!(c.state(now), State::Running) && !force {
            return Err(CommandError::new(format!(
                "Error response from daemon: cannot remove container \"/{}\": container is running: stop the container before removing or force remove",
                c.name
            )));
        }
        ids.push((n.clone(), c));
    }
    let mut out = String::new();
    for (typed, c) in ids {
        api(
            sim,
            ObjectRef::new("container", c.name.clone()),
            &format!(
                "DELETE /{API_VERSION}/containers/{}{}",
                &c.id[..12],
                if force { "?force=1" } else { "" }
            ),
            "204 No Content",
        );
        if matches!(c.state(now), State::Running) {
            daemon_event(
                sim,
                ObjectRef::new("container", c.name.clone()),
                "ContainerKilled",
                format!(
                    "docker rm -f: sent SIGKILL to {} (exit code 137) and removed it",
                    c.name
                ),
            );
        }
        sim.world_mut().docker.containers.remove(&c.id);
        out.push_str(&typed);
        out.push('\n');
    }
    Ok(out)
}
