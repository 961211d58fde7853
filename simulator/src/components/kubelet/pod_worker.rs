//! The kubelet's pod worker: takes a pod bound to its node from "just scheduled" to
//! running and ready, and back down to gone. Each step is a scheduled instant; the
//! worker reads the pod, decides the next step, and returns effects (status writes,
//! events, the next step).
//!
//! Timings are a model, kept in the constants below: image pulls take size ÷ node
//! bandwidth, container start and sandbox set-up take fractions of a second, a process
//! that handles SIGTERM exits half a second after receiving it. Init containers are
//! modelled as completing as soon as they start (a simplification the UI states).

use super::pull;
use crate::api::Object;
use crate::api::meta::Timestamp;
use crate::api::pod::{ContainerState, ContainerStatus, Pod, StateReason};
use crate::apiserver::{Change, ChangeType, ObjKey};
use crate::components::scheduler::set_condition;
use crate::effect::{Effect, PodStep, Task};
use crate::event::{Component, EventDraft, ObjectRef, Source};
use crate::kubelet::pod_phase::{self, ContainerPhaseInput, RestartPolicy};
use crate::time::{SimDuration, SimTime};
use crate::world::{PodRuntime, World};
use serde_json::json;

/// Delay between a pod change and the kubelet acting on it (watch + PLEG + sync loop).
pub const REACTION: SimDuration = SimDuration::from_millis(50);
/// Creating the pod sandbox (pause container, CNI network set-up).
pub const SANDBOX: SimDuration = SimDuration::from_millis(500);
/// Registry round trips before the first byte of a pull (manifest, auth).
pub const PULL_OVERHEAD: SimDuration = SimDuration::from_millis(200);
/// Creating and starting a container once its image is present.
pub const START: SimDuration = SimDuration::from_millis(300);
/// How long a process that handles SIGTERM takes to exit.
pub const GRACEFUL_EXIT: SimDuration = SimDuration::from_millis(500);

/// Bound pods on a node with a live kubelet get a sync when they change.
pub fn watch(change: &Change, world: &World) -> Vec<Task> {
    let Object::Pod(p) = &change.object else {
        return Vec::new();
    };
    if change.kind == ChangeType::Deleted {
        return Vec::new();
    }
    let Some(node) = p.spec.node_name.as_ref() else {
        return Vec::new();
    };
    match world.agents.get(node) {
        Some(a) if a.kubelet_running => {
            vec![Task::KubeletPod {
                node: node.clone(),
                key: change.key.clone(),
                step: PodStep::Sync,
            }]
        }
        _ => Vec::new(),
    }
}

fn src(node: &str) -> Source {
    Source::on(Component::Kubelet, node)
}

/// An event about pod `key` from the kubelet on `node`.
pub(super) fn event(node: &str, key: &ObjKey, kind: &str, reason: String) -> Effect {
    Effect::Emit(EventDraft::new(
        src(node),
        ObjectRef::from_key(key),
        kind,
        reason,
    ))
}

/// Runs `step` of pod `key` on `node` after `after`.
pub(super) fn later(after: SimDuration, node: &str, key: &ObjKey, step: PodStep) -> Effect {
    Effect::Schedule {
        after,
        task: Task::KubeletPod {
            node: node.to_string(),
            key: key.clone(),
            step,
        },
    }
}

fn waiting(reason: &str, message: Option<String>) -> ContainerState {
    ContainerState {
        waiting: Some(StateReason {
            reason: Some(reason.into()),
            message,
        }),
        ..ContainerState::default()
    }
}

fn phase_input(cs: &ContainerStatus) -> ContainerPhaseInput {
    let last_exit = cs
        .last_state
        .terminated
        .as_ref()
        .and_then(|t| t.get("exitCode"))
        .and_then(|c| c.as_i64())
        .map(|c| c as i32);
    let state = if let Some(w) = &cs.state.waiting {
        pod_phase::ContainerState::Waiting {
            reason: w.reason.clone().unwrap_or_default(),
            last_exit_code: last_exit,
        }
    } else if cs.state.running.is_some() {
        pod_phase::ContainerState::Running {
            started: cs.started.unwrap_or(true),
        }
    } else if let Some(t) = &cs.state.terminated {
        pod_phase::ContainerState::Terminated {
            exit_code: t.get("exitCode").and_then(|c| c.as_i64()).unwrap_or(0) as i32,
        }
    } else {
        pod_phase::ContainerState::Unset
    };
    ContainerPhaseInput::new(&cs.name, Some(state))
}

/// Recomputes phase and the Ready/ContainersReady conditions from container statuses.
fn refresh(p: &mut Pod, now: SimTime) {
    let policy = RestartPolicy::parse(p.spec.restart_policy.as_deref().unwrap_or("Always"))
        .unwrap_or(RestartPolicy::Always);
    let inputs: Vec<ContainerPhaseInput> = p
        .status
        .container_statuses
        .iter()
        .map(phase_input)
        .collect();
    let phase = pod_phase::get_phase(policy, &[], &inputs, false, true);
    p.status.phase = Some(phase.as_str().to_string());
    let all_ready = !p.status.container_statuses.is_empty()
        && p.status.container_statuses.iter().all(|c| c.ready);
    let (st, reason) = if all_ready {
        ("True", None)
    } else {
        ("False", Some("ContainersNotReady"))
    };
    let not_ready: Vec<&str> = p
        .status
        .container_statuses
        .iter()
        .filter(|c| !c.ready)
        .map(|c| c.name.as_str())
        .collect();
    let msg =
        (!all_ready).then(|| format!("containers with unready status: [{}]", not_ready.join(" ")));
    set_condition(p, "ContainersReady", st, reason, msg.as_deref(), now);
    set_condition(p, "Ready", st, reason, msg.as_deref(), now);
}

/// Runs one step of the pod's life on `node`.
pub fn step(world: &World, node: &str, key: &ObjKey, step: &PodStep, now: SimTime) -> Vec<Effect> {
    let Some(agent) = world.agents.get(node) else {
        return Vec::new();
    };
    if !agent.kubelet_running {
        return super::restart::while_down(node, key, step);
    }
    let Some(pod) = world.api.store.pod(&key.namespace, &key.name) else {
        return vec![Effect::PodRuntime {
            node: node.into(),
            key: key.clone(),
            runtime: None,
        }];
    };
    if pod.spec.node_name.as_deref() != Some(node) {
        return Vec::new();
    }
    let runtime = agent.pods.get(key).cloned().unwrap_or_default();
    match step {
        PodStep::Sync => sync(world, node, key, pod, runtime, now),
        PodStep::PullFinished {
            container,
            ok,
            present,
            took,
        } => pulled(
            world,
            node,
            key,
            pod,
            runtime,
            *container,
            (*ok, *present, *took),
            now,
        ),
        PodStep::ContainerStarted { container } => {
            let Some(cs) = pod.status.container_statuses.get(*container) else {
                return Vec::new();
            };
            let instance = super::restart::instance_after_start(cs);
            let mut out = started(node, key, pod, *container, now);
            out.extend(super::probes::after_start(
                node, key, pod, &runtime, *container, instance,
            ));
            out
        }
        PodStep::Probe { container } => {
            let instance = pod
                .status
                .container_statuses
                .get(*container)
                .map_or(0, |c| c.restart_count);
            super::probes::probe(
                world, node, key, pod, &runtime, *container, instance, false, now,
            )
        }
        PodStep::ProbeTick {
            container,
            instance,
            liveness,
        } => super::probes::probe(
            world, node, key, pod, &runtime, *container, *instance, *liveness, now,
        ),
        PodStep::Restart { container } => {
            super::restart::restart(node, key, pod, runtime, *container, now)
        }
        PodStep::ContainerExited { container, code } => {
            if !runtime.killing && super::restart::stale_exit(pod, *container) {
                return Vec::new();
            }
            exited(node, key, pod, runtime, *container, *code, now)
        }
        PodStep::Terminated => vec![
            event(
                node,
                key,
                "Killed",
                format!(
                    "all containers of {} stopped; kubelet removes the pod object from the API server",
                    key.name
                ),
            ),
            Effect::Remove(key.clone()),
            Effect::PodRuntime {
                node: node.into(),
                key: key.clone(),
                runtime: None,
            },
        ],
    }
}

fn sync(
    world: &World,
    node: &str,
    key: &ObjKey,
    pod: &Pod,
    mut runtime: PodRuntime,
    now: SimTime,
) -> Vec<Effect> {
    let mut out = Vec::new();
    if pod.is_terminating() {
        if runtime.killing {
            return out;
        }
        let running: Vec<usize> = pod
            .status
            .container_statuses
            .iter()
            .enumerate()
            .filter(|(_, c)| c.state.running.is_some())
            .map(|(i, _)| i)
            .collect();
        if running.is_empty() {
            out.push(later(SimDuration::ZERO, node, key, PodStep::Terminated));
            return out;
        }
        let grace = pod
            .metadata
            .deletion_grace_period_seconds
            .unwrap_or(30)
            .max(0) as u64;
        for &i in &running {
            let name = &pod.spec.containers[i].name;
            out.push(event(
                node,
                key,
                "Killing",
                format!(
                    "Stopping container {name}: sent SIGTERM; it has {grace}s (terminationGracePeriodSeconds) to exit before SIGKILL"
                ),
            ));
            let exit_after = if grace == 0 {
                SimDuration::ZERO
            } else {
                GRACEFUL_EXIT.min(SimDuration::from_secs(grace))
            };
            out.push(later(
                exit_after,
                node,
                key,
                PodStep::ContainerExited {
                    container: i,
                    code: 0,
                },
            ));
        }
        runtime.killing = true;
        out.push(Effect::PodRuntime {
            node: node.into(),
            key: key.clone(),
            runtime: Some(runtime),
        });
        return out;
    }
    if matches!(
        pod.status.phase.as_deref(),
        Some("Succeeded") | Some("Failed")
    ) {
        return out;
    }
    if !pod.status.container_statuses.is_empty() {
        // Already set up: retry containers whose back-off has elapsed.
        for (i, cs) in pod.status.container_statuses.iter().enumerate() {
            let reason = cs.state.waiting.as_ref().and_then(|w| w.reason.as_deref());
            if reason == Some("ImagePullBackOff") {
                let image = &pod.spec.containers[i].image;
                if runtime
                    .pull_backoff
                    .ready_at(image)
                    .is_none_or(|t| t <= now)
                {
                    out.extend(begin_container(world, node, key, pod, i, now));
                }
            }
        }
        return out;
    }
    // A new pod: set up the sandbox and start every container.
    let mut p = pod.clone();
    let agent = &world.agents[node];
    let host_ip = world
        .api
        .store
        .node_named(node)
        .and_then(|n| n.status.addresses.iter().find(|a| a.type_ == "InternalIP"))
        .map(|a| a.address.clone())
        .unwrap_or_default();
    let pod_ip = if p.spec.host_network == Some(true) {
        host_ip.clone()
    } else {
        let last = agent.last_pod_ip + 1;
        out.push(Effect::PodIpsUsed {
            node: node.into(),
            last,
        });
        format!("10.244.{}.{last}", agent.index)
    };
    p.status.host_ip = Some(host_ip);
    p.status.pod_ip = Some(pod_ip.clone());
    p.status.start_time = Some(Timestamp(now));
    set_condition(&mut p, "Initialized", "True", None, None, now);
    p.status.container_statuses = p
        .spec
        .containers
        .iter()
        .map(|c| ContainerStatus {
            name: c.name.clone(),
            state: waiting("ContainerCreating", None),
            last_state: ContainerState::default(),
            ready: false,
            restart_count: 0,
            image: c.image.clone(),
            image_id: String::new(),
            container_id: None,
            started: Some(false),
        })
        .collect();
    refresh(&mut p, now);
    if !pod.spec.init_containers.is_empty() {
        let names: Vec<&str> = pod
            .spec
            .init_containers
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        out.push(event(
            node,
            key,
            "Started",
            format!(
                "init container(s) {} ran to completion (simulated as instant)",
                names.join(", ")
            ),
        ));
    }
    out.push(event(
        node,
        key,
        "SandboxReady",
        format!("kubelet on {node} created the pod sandbox: network namespace with IP {pod_ip}"),
    ));
    out.push(Effect::Write(Box::new(Object::Pod(p.clone()))));
    for i in 0..pod.spec.containers.len() {
        out.extend(
            begin_container(world, node, key, &p, i, now)
                .into_iter()
                .map(|e| delay(e, SANDBOX)),
        );
    }
    out
}

/// Shifts a scheduled step later (used to put container starts after the sandbox).
fn delay(e: Effect, by: SimDuration) -> Effect {
    match e {
        Effect::Schedule { after, task } => Effect::Schedule {
            after: SimDuration(after.0 + by.0),
            task,
        },
        other => other,
    }
}

/// Pull (if needed) and start container `i`.
fn begin_container(
    world: &World,
    node: &str,
    key: &ObjKey,
    pod: &Pod,
    i: usize,
    _now: SimTime,
) -> Vec<Effect> {
    let c = &pod.spec.containers[i];
    let policy = c.image_pull_policy.as_deref().unwrap_or("IfNotPresent");
    let agent = &world.agents[node];
    let resolved = pull::resolve(world, &c.image);
    let present = resolved
        .as_ref()
        .is_ok_and(|r| agent.images.contains_key(&r.reference));
    let mut out = Vec::new();
    match (policy, present) {
        ("Never", false) => {
            let mut p = pod.clone();
            p.status.container_statuses[i].state = waiting(
                "ErrImageNeverPull",
                Some(format!(
                    "Container image \"{}\" is not present with pull policy of Never",
                    c.image
                )),
            );
            refresh(&mut p, SimTime::ZERO.max(_now));
            out.push(event(
                node,
                key,
                "ErrImageNeverPull",
                format!(
                    "Container image \"{}\" is not present with pull policy of Never",
                    c.image
                ),
            ));
            out.push(Effect::Write(Box::new(Object::Pod(p))));
        }
        ("IfNotPresent" | "Never", true) => {
            out.push(event(node, key, "Pulled", format!("Container image \"{}\" already present on machine (imagePullPolicy {policy}), so nothing is downloaded", c.image)));
            out.push(later(
                START,
                node,
                key,
                PodStep::ContainerStarted { container: i },
            ));
        }
        _ => {
            let why = if policy == "Always" {
                "imagePullPolicy Always (the default for :latest or untagged images) checks the registry every time"
            } else {
                "the image is not on this node yet"
            };
            out.push(event(
                node,
                key,
                "Pulling",
                format!("Pulling image \"{}\": {why}", c.image),
            ));
            // Only the layers missing from the node's content store are downloaded.
            match pull::check(world, node, pod, &c.image, _now) {
                Ok((_, plan)) => out.push(later(
                    plan.duration,
                    node,
                    key,
                    PodStep::PullFinished {
                        container: i,
                        ok: true,
                        present: plan.present,
                        took: plan.duration,
                    },
                )),
                Err(_) => out.push(later(
                    PULL_OVERHEAD,
                    node,
                    key,
                    PodStep::PullFinished {
                        container: i,
                        ok: false,
                        present: 0,
                        took: PULL_OVERHEAD,
                    },
                )),
            }
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn pulled(
    world: &World,
    node: &str,
    key: &ObjKey,
    pod: &Pod,
    mut runtime: PodRuntime,
    i: usize,
    (ok, present, took): (bool, usize, SimDuration),
    now: SimTime,
) -> Vec<Effect> {
    let mut out = Vec::new();
    let Some(c) = pod.spec.containers.get(i) else {
        return out;
    };
    let mut p = pod.clone();
    match pull::check(world, node, pod, &c.image, now) {
        Ok((r, _)) if ok => {
            let size = r.size;
            out.push(Effect::NodeImage {
                node: node.into(),
                reference: r.reference.clone(),
                size,
                layers: r.layers.iter().map(|l| l.digest.clone()).collect(),
            });
            let agent = &world.agents[node];
            let total = r.layers.len();
            out.push(event(
                node,
                key,
                "Pulled",
                format!(
                    "Successfully pulled image \"{}\" in {took} ({present} of {total} layers already on the node). Image size: {size} bytes; downloaded the {} missing layer(s) at {} MB/s",
                    c.image,
                    total - present,
                    agent.bandwidth / 1_000_000
                ),
            ));
            runtime.pull_backoff.reset(&c.image);
            out.push(Effect::PodRuntime {
                node: node.into(),
                key: key.clone(),
                runtime: Some(runtime),
            });
            out.push(later(
                START,
                node,
                key,
                PodStep::ContainerStarted { container: i },
            ));
        }
        Ok(_) | Err(_) => {
            let err = pull::check(world, node, pod, &c.image, now)
                .err()
                .unwrap_or_else(|| "pull failed".into());
            runtime.pull_backoff.next(&c.image, now, now);
            let wait = runtime.pull_backoff.get(&c.image);
            out.push(event(
                node,
                key,
                "Failed",
                format!("Failed to pull image \"{}\": {err}", c.image),
            ));
            out.push(event(
                node,
                key,
                "Failed",
                "Error: ErrImagePull".to_string(),
            ));
            out.push(event(
                node,
                key,
                "BackOff",
                format!(
                    "Back-off pulling image \"{}\": next attempt in {wait} (ImagePullBackOff doubles from 10s up to 5m)",
                    c.image
                ),
            ));
            p.status.container_statuses[i].state = waiting(
                "ImagePullBackOff",
                Some(format!("Back-off pulling image \"{}\"", c.image)),
            );
            refresh(&mut p, now);
            out.push(Effect::Write(Box::new(Object::Pod(p))));
            out.push(Effect::PodRuntime {
                node: node.into(),
                key: key.clone(),
                runtime: Some(runtime),
            });
            out.push(later(wait, node, key, PodStep::Sync));
        }
    }
    out
}

fn started(node: &str, key: &ObjKey, pod: &Pod, i: usize, now: SimTime) -> Vec<Effect> {
    let mut out = Vec::new();
    let Some(c) = pod.spec.containers.get(i) else {
        return out;
    };
    let mut p = pod.clone();
    let cs = &mut p.status.container_statuses[i];
    super::restart::note_restart(cs);
    let instance = cs.restart_count;
    cs.state = ContainerState {
        running: Some(json!({ "startedAt": Timestamp(now) })),
        ..ContainerState::default()
    };
    cs.started = Some(true);
    cs.container_id = Some(format!(
        "containerd://{}{:02}",
        key.name.replace('-', ""),
        i
    ));
    out.push(event(
        node,
        key,
        "Created",
        format!("Created container {}", c.name),
    ));
    match &c.readiness_probe {
        None => {
            cs.ready = true;
            out.push(event(
                node,
                key,
                "Started",
                format!(
                    "Started container {}: no readiness probe, so it counts as ready at once",
                    c.name
                ),
            ));
        }
        Some(probe) => {
            cs.ready = false;
            let delay = probe.initial_delay_seconds.unwrap_or(0).max(0) as u64;
            out.push(event(
                node,
                key,
                "Started",
                format!("Started container {}: not ready until its readiness probe passes (first probe after {delay}s)", c.name),
            ));
            out.push(later(
                SimDuration::from_secs(delay).max(SimDuration::from_millis(100)),
                node,
                key,
                PodStep::ProbeTick {
                    container: i,
                    instance,
                    liveness: false,
                },
            ));
        }
    }
    refresh(&mut p, now);
    out.push(Effect::Write(Box::new(Object::Pod(p))));
    out
}

#[allow(clippy::too_many_arguments)]
fn exited(
    node: &str,
    key: &ObjKey,
    pod: &Pod,
    runtime: PodRuntime,
    i: usize,
    code: i64,
    now: SimTime,
) -> Vec<Effect> {
    let mut out = Vec::new();
    let mut p = pod.clone();
    let Some(cs) = p.status.container_statuses.get_mut(i) else {
        return out;
    };
    let started_at = cs
        .state
        .running
        .as_ref()
        .and_then(|r| r.get("startedAt"))
        .cloned();
    cs.state = ContainerState {
        terminated: Some(
            json!({ "exitCode": code, "reason": if code == 0 { "Completed" } else { "Error" }, "startedAt": started_at, "finishedAt": Timestamp(now) }),
        ),
        ..ContainerState::default()
    };
    cs.ready = false;
    refresh(&mut p, now);
    let all_stopped = p
        .status
        .container_statuses
        .iter()
        .all(|c| c.state.running.is_none());
    if !runtime.killing {
        // A crash or a liveness kill: restart per restartPolicy and back-off.
        return super::restart::after_exit(node, key, p, runtime, i, now);
    }
    out.push(Effect::Write(Box::new(Object::Pod(p))));
    if runtime.killing && all_stopped {
        out.push(later(SimDuration::ZERO, node, key, PodStep::Terminated));
    }
    out
}
