//! Container restarts (`pkg/kubelet/kuberuntime/kuberuntime_manager.go` `doBackOff`,
//! `computePodActions`).
//!
//! When a container exits and the restart policy asks for a restart (`Always`; `OnFailure`
//! for a non-zero exit), the kubelet asks the container back-off
//! ([`crate::kubelet::backoff::Backoff::kubelet_container`], keyed by container) whether
//! it is in back-off since the exit (`IsInBackOffSince(key, finishedAt)`):
//!
//! - no entry yet (first crash, or none for 10 minutes): restart now and `Next` the
//!   entry (10 s);
//! - otherwise: wait. The container shows `Waiting: CrashLoopBackOff` with its last
//!   termination in `lastState`, the event is `BackOff: Back-off restarting failed
//!   container …`, and when the window ends the kubelet restarts it and doubles the
//!   back-off (10 s, 20 s, 40 s … 5 min).
//!
//! So a container that keeps crashing restarts at once, then after 10 s, 20 s, 40 s …

use super::pod_worker::{START, event, later};
use crate::api::Object;
use crate::api::pod::{ContainerState, ContainerStatus, Pod, StateReason};
use crate::apiserver::ObjKey;
use crate::effect::{Effect, PodStep};
use crate::kubelet::pod_phase::RestartPolicy;
use crate::time::{SimDuration, SimTime};
use crate::world::PodRuntime;

/// While a node's kubelet is down, runtime events it would handle wait for it; this
/// is how often a waiting step looks again.
pub const KUBELET_DOWN_RETRY: SimDuration = SimDuration::from_secs(1);

/// A step due while the node's kubelet is not running: syncs are dropped (the kubelet
/// resyncs every pod when it comes back); anything the runtime reported waits.
pub fn while_down(node: &str, key: &ObjKey, step: &PodStep) -> Vec<Effect> {
    match step {
        PodStep::Sync => Vec::new(),
        other => vec![later(KUBELET_DOWN_RETRY, node, key, other.clone())],
    }
}

/// An exit reported for a container that is not running (a crash scheduled for a
/// process that was already stopped) changes nothing.
pub fn stale_exit(pod: &Pod, i: usize) -> bool {
    pod.status
        .container_statuses
        .get(i)
        .is_none_or(|cs| cs.state.running.is_none())
}

fn is_restart(cs: &ContainerStatus) -> bool {
    cs.state.terminated.is_some()
        || cs
            .state
            .waiting
            .as_ref()
            .is_some_and(|w| w.reason.as_deref() == Some("CrashLoopBackOff"))
}

/// The restart count a container will have once it is running again.
pub fn instance_after_start(cs: &ContainerStatus) -> i64 {
    cs.restart_count + i64::from(is_restart(cs))
}

/// Called as a container starts: a restart moves the previous termination to
/// `lastState` and counts in `restartCount` (the RESTARTS column).
pub fn note_restart(cs: &mut ContainerStatus) {
    if !is_restart(cs) {
        return;
    }
    if cs.state.terminated.is_some() {
        cs.last_state = ContainerState {
            terminated: cs.state.terminated.take(),
            ..ContainerState::default()
        };
    }
    cs.restart_count += 1;
}

fn exit_code(cs: &ContainerStatus) -> i64 {
    cs.state
        .terminated
        .as_ref()
        .and_then(|t| t.get("exitCode"))
        .and_then(|c| c.as_i64())
        .unwrap_or(0)
}

/// What follows a container exit outside pod termination. `p` already shows the
/// container terminated (and phase/conditions refreshed); this writes it, possibly as
/// CrashLoopBackOff, and schedules the restart.
pub fn after_exit(
    node: &str,
    key: &ObjKey,
    mut p: Pod,
    mut runtime: PodRuntime,
    i: usize,
    now: SimTime,
) -> Vec<Effect> {
    let mut out = Vec::new();
    let Some(cs) = p.status.container_statuses.get(i).cloned() else {
        return out;
    };
    let code = exit_code(&cs);
    let policy = RestartPolicy::parse(p.spec.restart_policy.as_deref().unwrap_or("Always"))
        .unwrap_or(RestartPolicy::Always);
    let restart = match policy {
        RestartPolicy::Always => true,
        RestartPolicy::OnFailure => code != 0,
        RestartPolicy::Never => false,
    };
    let policy_name = p.spec.restart_policy.clone().unwrap_or("Always".into());
    out.push(event(
        node,
        key,
        "ContainerDied",
        format!(
            "container {} exited with code {code} ({}); restartPolicy {policy_name} {}",
            cs.name,
            if code == 0 { "Completed" } else { "Error" },
            if restart {
                "restarts it"
            } else {
                "leaves it stopped"
            }
        ),
    ));
    let mut h = runtime.health.get(i);
    h.finished_at = Some(now);
    h.hung = false;
    h.liveness_failures = 0;
    h.readiness_failures = 0;
    runtime.health.containers.insert(i, h);
    if !restart {
        out.push(Effect::Write(Box::new(Object::Pod(p))));
        out.push(Effect::PodRuntime {
            node: node.into(),
            key: key.clone(),
            runtime: Some(runtime),
        });
        return out;
    }
    let id = cs.name.clone();
    if runtime.restart_backoff.is_in_backoff_since(&id, now, now) {
        let wait = runtime.restart_backoff.get(&id);
        let message = format!(
            "back-off {wait} restarting failed container={} pod={}_{}({})",
            cs.name, key.name, key.namespace, p.metadata.uid
        );
        let st = &mut p.status.container_statuses[i];
        st.last_state = ContainerState {
            terminated: st.state.terminated.take(),
            ..ContainerState::default()
        };
        st.state = ContainerState {
            waiting: Some(StateReason {
                reason: Some("CrashLoopBackOff".into()),
                message: Some(message),
            }),
            ..ContainerState::default()
        };
        out.push(event(
            node,
            key,
            "BackOff",
            format!(
                "Back-off restarting failed container {} in pod {}: next restart in {wait} (CrashLoopBackOff: the wait doubles from 10s up to 5m and resets after 10m of running)",
                cs.name, key.name
            ),
        ));
        out.push(Effect::Write(Box::new(Object::Pod(p))));
        out.push(later(wait, node, key, PodStep::Restart { container: i }));
    } else {
        runtime.restart_backoff.next(&id, now, now);
        out.push(Effect::Write(Box::new(Object::Pod(p.clone()))));
        out.extend(start_again(node, key, &p, i));
    }
    out.push(Effect::PodRuntime {
        node: node.into(),
        key: key.clone(),
        runtime: Some(runtime),
    });
    out
}

/// The kubelet creates the container again (the image is on the node already).
fn start_again(node: &str, key: &ObjKey, pod: &Pod, i: usize) -> Vec<Effect> {
    let c = &pod.spec.containers[i];
    let why = if c.image_pull_policy.as_deref() == Some("Always") {
        "imagePullPolicy Always checked the registry: same digest, nothing to download"
    } else {
        "restarting with the image already on the node"
    };
    vec![
        event(
            node,
            key,
            "Pulled",
            format!(
                "Container image \"{}\" already present on machine ({why})",
                c.image
            ),
        ),
        later(START, node, key, PodStep::ContainerStarted { container: i }),
    ]
}

/// `PodStep::Restart`: the back-off window ended; restart the container.
pub fn restart(
    node: &str,
    key: &ObjKey,
    pod: &Pod,
    mut runtime: PodRuntime,
    i: usize,
    now: SimTime,
) -> Vec<Effect> {
    let Some(cs) = pod.status.container_statuses.get(i) else {
        return Vec::new();
    };
    let waiting = cs
        .state
        .waiting
        .as_ref()
        .is_some_and(|w| w.reason.as_deref() == Some("CrashLoopBackOff"));
    if pod.is_terminating() || !waiting {
        return Vec::new();
    }
    let finished = runtime.health.get(i).finished_at.unwrap_or(now);
    runtime.restart_backoff.next(&cs.name, finished, now);
    let mut out = start_again(node, key, pod, i);
    out.push(Effect::PodRuntime {
        node: node.into(),
        key: key.clone(),
        runtime: Some(runtime),
    });
    out
}
