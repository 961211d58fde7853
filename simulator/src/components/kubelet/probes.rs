//! The kubelet's probe workers (`pkg/kubelet/prober/worker.go`): one per container and
//! probe, firing every `periodSeconds` after `initialDelaySeconds`.
//!
//! - **Liveness**: `failureThreshold` consecutive failures → the container is killed
//!   (`Killing`: `Container app failed liveness probe, will be restarted`) and restarted
//!   per the restart policy and back-off ([`super::restart`]).
//! - **Readiness**: the result is False until the first success; `failureThreshold`
//!   consecutive failures after that set the container (and pod) `Ready=False`, so the
//!   EndpointSlice drops it; `successThreshold` (1) success makes it Ready again. Never
//!   restarts anything.
//!
//! Defaults (`SetDefaults_Probe`): period 10 s, timeout 1 s, failureThreshold 3,
//! successThreshold 1. What a probe *sees* is the process's health, which the learner
//! sets with `sim pod crash --hang`, `sim pod unready` and `sim pod heal` ([`Health`]).

use super::pod_worker::{REACTION, START, event, later};
use crate::api::Object;
use crate::api::pod::{Container, Pod, Probe};
use crate::apiserver::ObjKey;
use crate::components::scheduler::set_condition;
use crate::effect::{Effect, PodStep};
use crate::time::{SimDuration, SimTime};
use crate::world::{PodRuntime, World};
use serde::Serialize;
use std::collections::BTreeMap;

/// How long a `--loop` crashing process runs before it exits again (a program that fails
/// at start-up: bad config, missing dependency).
pub const CRASH_AFTER: SimDuration = SimDuration::from_secs(2);

/// Exit code of a process killed with SIGKILL (128 + 9).
pub const SIGKILL_EXIT: i64 = 137;

/// How one container's process behaves, and its probe workers' running counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ContainerHealth {
    /// The running process no longer answers (liveness and readiness fail).
    pub hung: bool,
    /// The readiness endpoint fails while the process is alive.
    pub unready: bool,
    /// `--loop`: every new process exits with this code shortly after starting.
    pub crash_on_start: Option<i64>,
    /// `--loop --hang`: every new process hangs.
    pub hang_on_start: bool,
    /// Consecutive liveness failures.
    pub liveness_failures: i64,
    /// Consecutive readiness failures.
    pub readiness_failures: i64,
    /// When the last process exited (`finishedAt`, the back-off's event time).
    pub finished_at: Option<SimTime>,
}

/// Per-container health of one pod, by container index.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Health {
    /// By container index.
    pub containers: BTreeMap<usize, ContainerHealth>,
}

impl Health {
    /// The health of container `i` (healthy if never touched).
    pub fn get(&self, i: usize) -> ContainerHealth {
        self.containers.get(&i).cloned().unwrap_or_default()
    }
}

fn secs(v: Option<i64>, default: i64) -> i64 {
    v.unwrap_or(default)
}

/// `periodSeconds` as a duration (at least 1 s, as validation requires).
fn period(p: &Probe) -> SimDuration {
    SimDuration::from_secs(secs(p.period_seconds, 10).max(1) as u64)
}

/// When the first probe of a new container runs: after `initialDelaySeconds`, or one
/// reaction later when there is none.
pub fn first_delay(p: &Probe) -> SimDuration {
    SimDuration::from_secs(secs(p.initial_delay_seconds, 0).max(0) as u64).max(REACTION)
}

/// What the probe reports for a process that does not answer, worded as the kubelet's
/// prober prints it for each handler.
fn failure_text(pod: &Pod, c: &Container, p: &Probe, hung: bool) -> String {
    let ip = pod.status.pod_ip.as_deref().unwrap_or("");
    let port = |v: &crate::api::values::IntOrString| match v {
        crate::api::values::IntOrString::Int(i) => i.to_string(),
        crate::api::values::IntOrString::Str(name) => c
            .ports
            .iter()
            .find(|cp| cp.name.as_deref() == Some(name.as_str()))
            .map(|cp| cp.container_port.to_string())
            .unwrap_or_else(|| name.clone()),
    };
    if let Some(h) = &p.http_get {
        let url = format!(
            "{}://{ip}:{}{}",
            h.scheme.as_deref().unwrap_or("HTTP").to_lowercase(),
            port(&h.port),
            h.path.as_deref().unwrap_or("/")
        );
        if hung {
            format!(
                "Get \"{url}\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
            )
        } else {
            "HTTP probe failed with statuscode: 503".to_string()
        }
    } else if let Some(t) = &p.tcp_socket {
        if hung {
            format!("dial tcp {ip}:{}: i/o timeout", port(&t.port))
        } else {
            format!(
                "dial tcp {ip}:{}: connect: connection refused",
                port(&t.port)
            )
        }
    } else if hung {
        format!(
            "command timed out after {}s",
            secs(p.timeout_seconds, 1).max(1)
        )
    } else {
        "command terminated with exit code 1".to_string()
    }
}

/// Effects when container `i` has just been (re)started as instance `instance`: start
/// the liveness worker, and replay a `--loop` fault on the new process.
pub fn after_start(
    node: &str,
    key: &ObjKey,
    pod: &Pod,
    runtime: &PodRuntime,
    i: usize,
    instance: i64,
) -> Vec<Effect> {
    let mut out = Vec::new();
    let Some(c) = pod.spec.containers.get(i) else {
        return out;
    };
    if let Some(p) = &c.liveness_probe {
        out.push(later(
            first_delay(p),
            node,
            key,
            PodStep::ProbeTick {
                container: i,
                instance,
                liveness: true,
            },
        ));
    }
    let mut runtime = runtime.clone();
    let mut h = runtime.health.get(i);
    // A new process: the old one's hang is gone, unless every start hangs.
    h.hung = h.hang_on_start;
    h.liveness_failures = 0;
    h.readiness_failures = 0;
    if let Some(code) = h.crash_on_start {
        out.push(later(
            CRASH_AFTER,
            node,
            key,
            PodStep::ContainerExited { container: i, code },
        ));
    }
    if runtime.health.get(i) != h {
        runtime.health.containers.insert(i, h);
        out.push(Effect::PodRuntime {
            node: node.into(),
            key: key.clone(),
            runtime: Some(runtime),
        });
    }
    out
}

/// Runs one probe of container `i` (instance `instance`) and schedules the next.
#[allow(clippy::too_many_arguments)]
pub fn probe(
    world: &World,
    node: &str,
    key: &ObjKey,
    pod: &Pod,
    runtime: &PodRuntime,
    i: usize,
    instance: i64,
    liveness: bool,
    now: SimTime,
) -> Vec<Effect> {
    let mut out = Vec::new();
    let (Some(c), Some(cs)) = (
        pod.spec.containers.get(i),
        pod.status.container_statuses.get(i),
    ) else {
        return out;
    };
    // The worker stops with its container (exit, restart) and when the pod is deleted.
    if cs.restart_count != instance || cs.state.running.is_none() || pod.is_terminating() {
        return out;
    }
    let probe = if liveness {
        &c.liveness_probe
    } else {
        &c.readiness_probe
    };
    let Some(p) = probe else {
        return out;
    };
    let _ = world;
    let mut runtime = runtime.clone();
    let mut h = runtime.health.get(i);
    let passes = if liveness {
        !h.hung
    } else {
        !(h.hung || h.unready)
    };
    let threshold = secs(p.failure_threshold, 3).max(1);
    let next = later(
        period(p),
        node,
        key,
        PodStep::ProbeTick {
            container: i,
            instance,
            liveness,
        },
    );
    let what = if liveness { "Liveness" } else { "Readiness" };
    if liveness {
        if passes {
            h.liveness_failures = 0;
            out.push(next);
        } else {
            h.liveness_failures += 1;
            out.push(event(
                node,
                key,
                "Unhealthy",
                format!("{what} probe failed: {}", failure_text(pod, c, p, h.hung)),
            ));
            if h.liveness_failures >= threshold {
                h.liveness_failures = 0;
                let grace = p
                    .termination_grace_period_seconds
                    .or(pod.spec.termination_grace_period_seconds)
                    .unwrap_or(30)
                    .max(0) as u64;
                out.push(event(
                    node,
                    key,
                    "Killing",
                    format!(
                        "Container {} failed liveness probe, will be restarted: {threshold} failures in a row; SIGTERM, which the hung process ignores, then SIGKILL after the {grace}s grace period",
                        c.name
                    ),
                ));
                out.push(later(
                    SimDuration::from_secs(grace).max(START),
                    node,
                    key,
                    PodStep::ContainerExited {
                        container: i,
                        code: SIGKILL_EXIT,
                    },
                ));
            } else {
                out.push(next);
            }
        }
    } else {
        let mut p2 = pod.clone();
        let mut changed = false;
        if passes {
            h.readiness_failures = 0;
            if !cs.ready {
                p2.status.container_statuses[i].ready = true;
                changed = true;
                out.push(event(
                    node,
                    key,
                    "ReadinessProbeSucceeded",
                    format!(
                        "Readiness probe of container {} passed: the pod is Ready and Services may send it traffic",
                        c.name
                    ),
                ));
            }
        } else {
            h.readiness_failures += 1;
            out.push(event(
                node,
                key,
                "Unhealthy",
                format!("{what} probe failed: {}", failure_text(pod, c, p, h.hung)),
            ));
            if cs.ready && h.readiness_failures >= threshold {
                p2.status.container_statuses[i].ready = false;
                changed = true;
                out.push(event(
                    node,
                    key,
                    "ReadinessChanged",
                    format!(
                        "container {} failed its readiness probe {threshold} times in a row: the pod is not Ready, so its Service endpoints drop it (it is not restarted)",
                        c.name
                    ),
                ));
            }
        }
        if changed {
            refresh_ready(&mut p2, now);
            out.push(Effect::Write(Box::new(Object::Pod(p2))));
        }
        out.push(next);
    }
    if runtime.health.get(i) != h {
        runtime.health.containers.insert(i, h);
        out.push(Effect::PodRuntime {
            node: node.into(),
            key: key.clone(),
            runtime: Some(runtime),
        });
    }
    out
}

/// Recomputes `ContainersReady` and `Ready` from the container statuses (as the
/// kubelet's status manager does after a probe result changes).
pub fn refresh_ready(p: &mut Pod, now: SimTime) {
    let not_ready: Vec<&str> = p
        .status
        .container_statuses
        .iter()
        .filter(|c| !c.ready)
        .map(|c| c.name.as_str())
        .collect();
    let all_ready = !p.status.container_statuses.is_empty() && not_ready.is_empty();
    let msg =
        (!all_ready).then(|| format!("containers with unready status: [{}]", not_ready.join(" ")));
    let (st, reason) = if all_ready {
        ("True", None)
    } else {
        ("False", Some("ContainersNotReady"))
    };
    set_condition(p, "ContainersReady", st, reason, msg.as_deref(), now);
    set_condition(p, "Ready", st, reason, msg.as_deref(), now);
}
