//! `docker inspect IMAGE|CONTAINER…`: JSON shaped like the Engine API's
//! (`ImageInspect`, `ContainerJSON`), fields in docker's order.

use super::json::{J, obj, s, strs};
use super::{api, query_escape};
use crate::api::meta::Timestamp;
use crate::command::CommandError;
use crate::components::docker::daemon::{API_VERSION, Container, LocalImage, State};
use crate::event::ObjectRef;
use crate::image::oci::{ContainerConfig, Digest};
use crate::simulation::Simulation;
use crate::time::SimTime;

fn map_keys(keys: impl Iterator<Item = String>) -> J {
    let fields: Vec<(String, J)> = keys.map(|k| (k, J::Obj(Vec::new()))).collect();
    if fields.is_empty() {
        J::Null
    } else {
        J::Obj(fields)
    }
}

fn config(c: &ContainerConfig, hostname: &str, image: &str) -> J {
    let opt_strs = |v: &Option<Vec<String>>| match v {
        Some(v) => strs(v.iter().cloned()),
        None => J::Null,
    };
    let health = match &c.healthcheck {
        Some(h) => obj([
            ("Test", strs(h.test.iter().cloned())),
            ("Interval", J::Int(h.interval as i64)),
            ("Timeout", J::Int(h.timeout as i64)),
            ("StartPeriod", J::Int(h.start_period as i64)),
            ("Retries", J::Int(h.retries as i64)),
        ]),
        None => J::Null,
    };
    let mut fields = vec![
        ("Hostname".to_string(), s(hostname)),
        ("Domainname".to_string(), s("")),
        ("User".to_string(), s(c.user.clone())),
        ("AttachStdin".to_string(), J::Bool(false)),
        ("AttachStdout".to_string(), J::Bool(false)),
        ("AttachStderr".to_string(), J::Bool(false)),
        (
            "ExposedPorts".to_string(),
            map_keys(c.exposed_ports.keys().cloned()),
        ),
        ("Tty".to_string(), J::Bool(false)),
        ("OpenStdin".to_string(), J::Bool(false)),
        ("StdinOnce".to_string(), J::Bool(false)),
        ("Env".to_string(), strs(c.env.iter().cloned())),
        ("Cmd".to_string(), opt_strs(&c.cmd)),
    ];
    if c.healthcheck.is_some() {
        fields.push(("Healthcheck".to_string(), health));
    }
    fields.extend([
        ("Image".to_string(), s(image)),
        ("Volumes".to_string(), map_keys(c.volumes.keys().cloned())),
        ("WorkingDir".to_string(), s(c.working_dir.clone())),
        ("Entrypoint".to_string(), opt_strs(&c.entrypoint)),
        ("OnBuild".to_string(), J::Null),
        (
            "Labels".to_string(),
            if c.labels.is_empty() {
                J::Null
            } else {
                J::Obj(
                    c.labels
                        .iter()
                        .map(|(k, v)| (k.clone(), s(v.clone())))
                        .collect(),
                )
            },
        ),
    ]);
    if !c.stop_signal.is_empty() {
        fields.push(("StopSignal".to_string(), s(c.stop_signal.clone())));
    }
    J::Obj(fields)
}

fn image_json(id: &Digest, img: &LocalImage, tags: Vec<String>) -> J {
    let created = img
        .built
        .map(|t| Timestamp(t).rfc3339())
        .unwrap_or_else(|| "0001-01-01T00:00:00Z".to_string());
    obj([
        ("Id", s(id.to_string())),
        ("RepoTags", strs(tags)),
        ("RepoDigests", strs(img.repo_digests.iter().cloned())),
        ("Parent", s("")),
        ("Comment", s("buildkit.dockerfile.v0")),
        ("Created", s(created)),
        ("DockerVersion", s("")),
        ("Author", s(img.image.config.author.clone())),
        ("Config", config(&img.image.config.config, "", "")),
        ("Architecture", s(img.image.config.architecture.clone())),
        ("Os", s(img.image.config.os.clone())),
        ("Size", J::Int(img.image.size() as i64)),
        (
            "RootFS",
            obj([
                ("Type", s("layers")),
                (
                    "Layers",
                    strs(
                        img.image
                            .config
                            .rootfs
                            .diff_ids
                            .iter()
                            .map(|d| d.to_string()),
                    ),
                ),
            ]),
        ),
        (
            "Metadata",
            obj([("LastTagTime", s("0001-01-01T00:00:00Z"))]),
        ),
    ])
}

fn container_json(c: &Container, img: Option<&LocalImage>, now: SimTime) -> J {
    let state = c.state(now);
    let (status, running, code, finished) = match state {
        State::Running => ("running", true, 0, "0001-01-01T00:00:00Z".to_string()),
        State::Exited(code, at) => ("exited", false, code, Timestamp(at).rfc3339()),
    };
    let mut cfg = img
        .map(|i| i.image.config.config.clone())
        .unwrap_or_default();
    cfg.env = c.env.clone();
    cfg.user = c.user.clone();
    let (path, args) = c
        .command
        .split_first()
        .map(|(p, a)| (p.clone(), a.to_vec()))
        .unwrap_or_default();
    let ports: Vec<(String, J)> = c
        .ports
        .iter()
        .map(|(h, p)| {
            (
                p.clone(),
                J::Arr(vec![obj([
                    ("HostIp", s("0.0.0.0")),
                    ("HostPort", s(h.to_string())),
                ])]),
            )
        })
        .collect();
    let mut state_fields = vec![
        ("Status".to_string(), s(status)),
        ("Running".to_string(), J::Bool(running)),
        ("Paused".to_string(), J::Bool(false)),
        ("Restarting".to_string(), J::Bool(false)),
        ("OOMKilled".to_string(), J::Bool(false)),
        ("Dead".to_string(), J::Bool(false)),
        ("Pid".to_string(), J::Int(if running { 4242 } else { 0 })),
        ("ExitCode".to_string(), J::Int(code)),
        ("Error".to_string(), s("")),
        ("StartedAt".to_string(), s(Timestamp(c.created).rfc3339())),
        ("FinishedAt".to_string(), s(finished)),
    ];
    if let Some(h) = c.health(now) {
        state_fields.push((
            "Health".to_string(),
            obj([
                ("Status", s(h)),
                ("FailingStreak", J::Int(0)),
                ("Log", J::Arr(Vec::new())),
            ]),
        ));
    }
    obj([
        ("Id", s(c.id.clone())),
        ("Created", s(Timestamp(c.created).rfc3339())),
        ("Path", s(path)),
        ("Args", strs(args)),
        ("State", J::Obj(state_fields)),
        ("Image", s(c.image_id.to_string())),
        ("Name", s(format!("/{}", c.name))),
        ("RestartCount", J::Int(0)),
        (
            "HostConfig",
            obj([
                ("AutoRemove", J::Bool(c.auto_remove)),
                ("Init", J::Bool(c.init)),
            ]),
        ),
        ("Config", config(&cfg, &c.id[..12], &c.image)),
        (
            "NetworkSettings",
            obj([
                ("Ports", J::Obj(ports)),
                ("IPAddress", s(if running { "172.17.0.2" } else { "" })),
            ]),
        ),
    ])
}

/// `docker inspect`.
pub fn run(sim: &mut Simulation, names: &[String]) -> Result<String, CommandError> {
    let now = sim.now();
    let mut items = Vec::new();
    let mut missing = Vec::new();
    for n in names {
        let host = &sim.state().docker;
        if let Some(c) = host.find_container(n) {
            items.push((
                n.clone(),
                "containers",
                container_json(c, host.images.get(&c.image_id), now),
            ));
        } else if let Some(id) = host.find_image(n) {
            let tags = host
                .tags_of(id)
                .iter()
                .map(|t| crate::components::docker::daemon::familiar(t))
                .collect();
            items.push((n.clone(), "images", image_json(id, &host.images[id], tags)));
        } else {
            missing.push(n.clone());
        }
    }
    for (n, kind, _) in &items {
        api(
            sim,
            ObjectRef::new(kind.trim_end_matches('s'), n.clone()),
            &format!("GET /{API_VERSION}/{kind}/{}/json", query_escape(n)),
            "200 OK",
        );
    }
    let body = J::Arr(items.into_iter().map(|(_, _, j)| j).collect()).pretty() + "\n";
    if !missing.is_empty() {
        let errs: Vec<String> = missing
            .iter()
            .map(|m| format!("Error: No such object: {m}"))
            .collect();
        return Err(CommandError::new(format!("{body}{}", errs.join("\n"))));
    }
    Ok(body)
}
