//! `kubectl logs POD [-c CONTAINER] [--tail=N] [-p]`: what the container's process has
//! printed.
//!
//! The simulator runs no real processes, so the output is a model kept honest by
//! deriving it only from what the pod says: the image (well-known images print their
//! real start-up lines, e.g. nginx's entrypoint and notices) and the declared container
//! ports (an unknown image that declares a port prints one generic "listening" line;
//! one without ports prints nothing). Lines are stamped with the container's start time.

use super::flags::{FlagSpec, Flags, switch, value};
use super::resource::get;
use crate::api::Object;
use crate::api::pod::{Container, ContainerStatus, Pod};
use crate::command::CommandError;
use crate::kube::image_ref::parse_image_name;
use crate::simulation::Simulation;
use crate::time::SimTime;

/// Flags of `kubectl logs`.
pub const FLAGS: [FlagSpec; 6] = [
    value("container", Some('c')),
    value("tail", None),
    switch("previous", Some('p')),
    switch("follow", Some('f')),
    switch("timestamps", None),
    switch("all-containers", None),
];

/// Arguments of `kubectl logs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogsArgs {
    /// `POD`, `pod/POD` or `deployment/NAME` (first pod).
    pub target: String,
    /// `-c`.
    pub container: Option<String>,
    /// `--tail` (-1 = all).
    pub tail: i64,
    /// `-p`.
    pub previous: bool,
    /// `--timestamps`.
    pub timestamps: bool,
    /// `-n`.
    pub namespace: String,
}

/// Parses `logs` arguments.
pub fn parse(pos: &[String], f: &Flags) -> Result<LogsArgs, CommandError> {
    if f.on("follow") {
        return Err(CommandError::new(
            "error: --follow streams forever, which a turn-based terminal cannot show; use `sim advance` and run `kubectl logs` again",
        ));
    }
    let (target, container) = match pos {
        [] => {
            return Err(CommandError::new(
                "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples",
            ));
        }
        [t] => (t.clone(), f.get("container").map(String::from)),
        [t, c] if f.get("container").is_none() => (t.clone(), Some(c.clone())),
        _ => {
            return Err(CommandError::new(
                "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples",
            ));
        }
    };
    let tail = match f.get("tail") {
        None => -1,
        Some(v) => v.parse().map_err(|_| {
            CommandError::new(format!(
                "error: invalid argument \"{v}\" for \"--tail\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax"
            ))
        })?,
    };
    Ok(LogsArgs {
        target,
        container,
        tail,
        previous: f.on("previous"),
        timestamps: f.on("timestamps"),
        namespace: f.get("namespace").unwrap_or("default").to_string(),
    })
}

fn stamp(t: SimTime) -> (String, String) {
    // nginx style `2025/01/01 00:00:03`, and RFC 3339 for --timestamps.
    let iso = crate::api::Timestamp(t).rfc3339();
    (
        format!("{} {}", iso[0..10].replace('-', "/"), &iso[11..19]),
        iso,
    )
}

/// The latest patch release behind a catalog tag, for version banners.
fn nginx_version(tag: &str) -> &str {
    match tag {
        "1.25" => "1.25.5",
        "1.26" => "1.26.3",
        "1.15" => "1.15.12",
        "1.27" | "1.27-alpine" | "alpine" | "latest" => "1.27.3",
        t => t,
    }
}

/// The lines a container prints on start, derived from its image and ports.
pub fn startup_lines(c: &Container, started: SimTime, kernel: &str) -> Vec<String> {
    let (ng, _) = stamp(started);
    let (repo, tag) = match parse_image_name(&c.image) {
        Ok(r) => (r.repo, r.tag),
        Err(_) => (c.image.clone(), String::new()),
    };
    let base = repo.rsplit('/').next().unwrap_or(&repo).to_string();
    let port = c.ports.first().map(|p| p.container_port);
    let custom = !c.command.is_empty();
    match base.as_str() {
        "nginx" if !custom => {
            let mut v: Vec<String> = [
                "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
                "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
                "/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
                "10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf",
                "10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf",
                "/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh",
                "/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh",
                "/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh",
                "/docker-entrypoint.sh: Configuration complete; ready for start up",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            for n in [
                "using the \"epoll\" event method".to_string(),
                format!("nginx/{}", nginx_version(&tag)),
                format!("OS: Linux {kernel}"),
                "getrlimit(RLIMIT_NOFILE): 1048576:1048576".to_string(),
                "start worker processes".to_string(),
                "start worker process 29".to_string(),
            ] {
                v.push(format!("{ng} [notice] 1#1: {n}"));
            }
            v
        }
        "redis" if !custom => {
            let iso = crate::api::Timestamp(started).rfc3339();
            let months = [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                "Dec",
            ];
            let m: usize = iso[5..7].parse().unwrap_or(1);
            let t = format!(
                "{} {} {} {}.000",
                &iso[8..10],
                months[(m + 11) % 12],
                &iso[0..4],
                &iso[11..19]
            );
            vec![
                format!("1:C {t} # oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo"),
                format!("1:C {t} # Redis version={tag}, bits=64, commit=00000000, modified=0, pid=1, just started"),
                format!("1:C {t} # Warning: no config file specified, using the default config. In order to specify a config file use redis-server /path/to/redis.conf"),
                format!("1:M {t} * monotonic clock: POSIX clock_gettime"),
                format!("1:M {t} * Running mode=standalone, port={}.", port.unwrap_or(6379)),
                format!("1:M {t} * Server initialized"),
                format!("1:M {t} * Ready to accept connections tcp"),
            ]
        }
        "httpd" if !custom => vec![
            "AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using 127.0.0.1. Set the 'ServerName' directive globally to suppress this message".to_string(),
            format!("[{}] [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4 (Unix) configured -- resuming normal operations", stamp(started).1),
            format!("[{}] [core:notice] [pid 1:tid 1] AH00094: Command line: 'httpd -D FOREGROUND'", stamp(started).1),
        ],
        _ => match port {
            Some(p) => vec![format!("listening on :{p}")],
            None => Vec::new(),
        },
    }
}

fn started_at(cs: &ContainerStatus) -> Option<SimTime> {
    let s = cs.state.running.as_ref()?.get("startedAt")?.as_str()?;
    Some(parse_rfc3339(s))
}

fn parse_rfc3339(s: &str) -> SimTime {
    // Only timestamps the simulator wrote: seconds since its epoch (2025-01-01).
    let n = |a: usize, b: usize| s.get(a..b).and_then(|x| x.parse::<i64>().ok()).unwrap_or(0);
    let (y, mo, d) = (n(0, 4), n(5, 7), n(8, 10));
    let y2 = if mo <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let doy = (153 * ((mo + 9) % 12) + 2) / 5 + d - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy
        - 719_468
        - crate::api::meta::EPOCH_DAYS_SINCE_1970;
    let secs = days * 86_400 + n(11, 13) * 3600 + n(14, 16) * 60 + n(17, 19);
    SimTime(u64::try_from(secs).unwrap_or(0) * 1000)
}

fn pod_for<'a>(sim: &'a Simulation, args: &LogsArgs) -> Result<&'a Pod, CommandError> {
    let pods = crate::api::kind_info("Pod").unwrap_or(&crate::api::KINDS[0]);
    let (kind, name) = match args.target.split_once('/') {
        Some((t, n)) => (super::resolve_kind(t)?, n.to_string()),
        None => (pods, args.target.clone()),
    };
    let o = get(sim, kind, &args.namespace, &name)?;
    let selector = match o {
        Object::Pod(p) => return Ok(p),
        Object::Deployment(d) => d.spec.selector.clone(),
        Object::ReplicaSet(rs) => rs.spec.selector.clone(),
        other => {
            return Err(CommandError::new(format!(
                "error: cannot get the logs from {}: selector for *v1.{} not implemented",
                other.info().kind,
                other.info().kind
            )));
        }
    };
    sim.state()
        .api
        .store
        .pods()
        .filter(|p| {
            p.metadata.namespace_or_default() == args.namespace
                && selector.matches(&p.metadata.labels)
        })
        .min_by_key(|p| (p.metadata.creation_timestamp, p.metadata.name.clone()))
        .ok_or_else(|| {
            CommandError::new(format!(
                "error: timed out waiting for the condition: no pod of {}/{name} exists yet",
                kind.plural
            ))
        })
}

/// Runs `kubectl logs`.
pub fn run(sim: &Simulation, args: &LogsArgs) -> Result<String, CommandError> {
    let p = pod_for(sim, args)?;
    let mut out = String::new();
    let c = match &args.container {
        Some(name) => p
            .spec
            .containers
            .iter()
            .chain(p.spec.init_containers.iter())
            .find(|c| &c.name == name)
            .ok_or_else(|| {
                CommandError::new(format!(
                    "error: container {name} is not valid for pod {}",
                    p.metadata.name
                ))
            })?,
        None => {
            let first = p.spec.containers.first().ok_or_else(|| {
                CommandError::new(format!("error: pod {} has no containers", p.metadata.name))
            })?;
            if p.spec.containers.len() > 1 {
                let names: Vec<&str> = p.spec.containers.iter().map(|c| c.name.as_str()).collect();
                out.push_str(&format!(
                    "Defaulted container \"{}\" out of: {}\n",
                    first.name,
                    names.join(", ")
                ));
            }
            first
        }
    };
    let bad = |msg: String| CommandError::new(format!("Error from server (BadRequest): {msg}"));
    if p.spec.node_name.is_none() {
        return Err(bad(format!(
            "container \"{}\" in pod \"{}\" is waiting to start: ContainerCreating",
            c.name, p.metadata.name
        )));
    }
    let Some(cs) = p
        .status
        .container_statuses
        .iter()
        .chain(p.status.init_container_statuses.iter())
        .find(|s| s.name == c.name)
    else {
        return Err(bad(format!(
            "container \"{}\" in pod \"{}\" is waiting to start: ContainerCreating",
            c.name, p.metadata.name
        )));
    };
    if args.previous {
        return Err(bad(format!(
            "previous terminated container \"{}\" in pod \"{}\" not found",
            c.name, p.metadata.name
        )));
    }
    let started = match (&cs.state.waiting, started_at(cs)) {
        (_, Some(t)) => t,
        (Some(w), None) => {
            let reason = w.reason.clone().unwrap_or_default();
            let why = match reason.as_str() {
                "ImagePullBackOff" | "ErrImagePull" => "trying and failing to pull image".into(),
                "ErrImageNeverPull" => "image can't be pulled".into(),
                _ => reason,
            };
            return Err(bad(format!(
                "container \"{}\" in pod \"{}\" is waiting to start: {why}",
                c.name, p.metadata.name
            )));
        }
        (None, None) => {
            // Terminated: it printed its start-up lines before it stopped.
            cs.state
                .terminated
                .as_ref()
                .and_then(|t| t.get("startedAt"))
                .and_then(|v| v.as_str())
                .map(parse_rfc3339)
                .unwrap_or(SimTime::ZERO)
        }
    };
    let kernel = p
        .spec
        .node_name
        .as_deref()
        .and_then(|n| sim.state().api.store.node_named(n))
        .map(|n| n.status.node_info.kernel_version.clone())
        .unwrap_or_default();
    let mut lines = startup_lines(c, started, &kernel);
    if args.tail >= 0 {
        let keep = (args.tail as usize).min(lines.len());
        lines = lines.split_off(lines.len() - keep);
    }
    let prefix = if args.timestamps {
        format!("{} ", crate::api::Timestamp(started).rfc3339())
    } else {
        String::new()
    };
    for l in lines {
        out.push_str(&prefix);
        out.push_str(&l);
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::pod::ContainerPort;
    use crate::command::kubectl::flags;

    fn parse_line(s: &str) -> Result<LogsArgs, CommandError> {
        let words: Vec<String> = s.split_whitespace().map(String::from).collect();
        let (pos, f) = flags::parse(&words, &FLAGS)?;
        parse(&pos, &f)
    }

    #[test]
    fn parses_and_rejects_follow() {
        let a = parse_line("web-1 -c app --tail=5").unwrap();
        assert_eq!(
            (a.target.as_str(), a.container.as_deref(), a.tail),
            ("web-1", Some("app"), 5)
        );
        assert!(
            parse_line("web-1 -f")
                .unwrap_err()
                .to_string()
                .contains("--follow")
        );
        assert!(
            parse_line("")
                .unwrap_err()
                .to_string()
                .contains("POD or TYPE/NAME is a required argument")
        );
    }

    #[test]
    fn output_follows_image_and_ports() {
        let nginx = Container {
            name: "nginx".into(),
            image: "nginx:1.27".into(),
            ..Container::default()
        };
        let lines = startup_lines(&nginx, SimTime(3000), "6.1");
        assert!(lines[0].starts_with("/docker-entrypoint.sh"));
        assert!(lines.contains(&"2025/01/01 00:00:03 [notice] 1#1: nginx/1.27.3".to_string()));
        let app = Container {
            name: "app".into(),
            image: "example/app:v1".into(),
            ports: vec![ContainerPort {
                container_port: 8080,
                name: None,
                protocol: None,
                host_port: None,
                host_ip: None,
            }],
            ..Container::default()
        };
        assert_eq!(
            startup_lines(&app, SimTime(0), "6.1"),
            vec!["listening on :8080"]
        );
        let quiet = Container {
            name: "q".into(),
            image: "busybox".into(),
            ..Container::default()
        };
        assert!(startup_lines(&quiet, SimTime(0), "6.1").is_empty());
        assert_eq!(parse_rfc3339("2025-01-02T00:00:03Z"), SimTime(86_403_000));
    }
}
