//! Taint-based eviction (`pkg/controller/tainteviction/taint_eviction.go`, the former
//! "taint manager"): pods on a node with `NoExecute` taints are deleted unless they
//! tolerate every one of them, and tolerated ones only for the smallest
//! `tolerationSeconds` of the tolerations used (the DefaultTolerationSeconds admission
//! plugin gives every pod 300 s for `not-ready` and `unreachable`).
//!
//! The decision is [`crate::kube::taint::no_execute_eviction`]. A tolerated pod's clock
//! starts when the taint was added (its `timeAdded`) or when the pod was bound, whichever
//! is later; the controller re-checks at the deadline, so a taint removed meanwhile
//! cancels the eviction. Deletion is graceful: on a dead node the kubelet never confirms
//! it and the pod stays `Terminating` (upstream behaviour), while its ReplicaSet already
//! counts it gone and creates a replacement elsewhere.

use super::{Controller, REACTION};
use crate::api::Object;
use crate::api::node::Node;
use crate::api::pod::Pod;
use crate::apiserver::{Change, ChangeType, ObjKey};
use crate::components::scheduler::set_condition;
use crate::effect::{Effect, Task};
use crate::event::{Component, EventDraft, ObjectRef, Source};
use crate::kube::taint::{TaintEffect, TolerationTime, no_execute_eviction};
use crate::time::{SimDuration, SimTime};
use crate::world::World;

fn has_no_execute(n: &Node) -> bool {
    n.spec.taints.iter().any(|t| t.effect == "NoExecute")
}

fn pod_key(p: &Pod) -> ObjKey {
    ObjKey::new("Pod", p.metadata.namespace_or_default(), &p.metadata.name)
}

/// Pods on NoExecute-tainted nodes are queued when they change, and all pods of a node
/// when the node changes while it has NoExecute taints.
pub fn watch(change: &Change, world: &World) -> Vec<ObjKey> {
    if change.kind == ChangeType::Deleted {
        return Vec::new();
    }
    match &change.object {
        Object::Pod(p) if !p.is_terminating() => p
            .spec
            .node_name
            .as_deref()
            .and_then(|n| world.api.store.node_named(n))
            .filter(|n| has_no_execute(n))
            .map(|_| vec![change.key.clone()])
            .unwrap_or_default(),
        Object::Node(n) if has_no_execute(n) => world
            .api
            .store
            .pods()
            .filter(|p| {
                p.spec.node_name.as_deref() == Some(n.metadata.name.as_str()) && !p.is_terminating()
            })
            .map(pod_key)
            .collect(),
        _ => Vec::new(),
    }
}

fn source() -> Source {
    Source::of(Component::KubeControllerManager)
}

/// Decides for one pod: evict now, check again at its deadline, or leave it.
pub fn reconcile(key: &ObjKey, world: &World, now: SimTime) -> Vec<Effect> {
    let store = &world.api.store;
    let Some(pod) = store.pod(&key.namespace, &key.name) else {
        return Vec::new();
    };
    if pod.is_terminating() {
        return Vec::new();
    }
    let Some(node) = pod
        .spec
        .node_name
        .as_deref()
        .and_then(|n| store.node_named(n))
    else {
        return Vec::new();
    };
    let no_execute: Vec<&crate::api::scheduling::Taint> = node
        .spec
        .taints
        .iter()
        .filter(|t| t.effect == "NoExecute")
        .collect();
    let taints: Vec<crate::kube::taint::Taint> =
        no_execute.iter().filter_map(|t| t.to_domain()).collect();
    let tolerations: Vec<crate::kube::taint::Toleration> =
        pod.spec.tolerations.iter().map(|t| t.to_domain()).collect();
    let decision = no_execute_eviction(&taints, &tolerations, false);
    let node_name = node.metadata.name.as_str();
    let taint_list = no_execute
        .iter()
        .map(|t| t.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    match decision {
        TolerationTime::Never => Vec::new(),
        TolerationTime::EvictNow => {
            let untolerated = taints
                .iter()
                .find(|t| {
                    t.effect == TaintEffect::NoExecute
                        && !tolerations.iter().any(|tol| tol.tolerates(t, false))
                })
                .map(|t| t.to_string())
                .unwrap_or(taint_list);
            evict(
                pod,
                key,
                now,
                format!("it does not tolerate the taint {untolerated} on node {node_name}"),
            )
        }
        TolerationTime::After(secs) => {
            // The clock starts when the taint was added, or when the pod was bound if later.
            let tainted = no_execute
                .iter()
                .filter_map(|t| t.time_added.map(|t| t.0))
                .min();
            let bound = pod
                .condition("PodScheduled")
                .and_then(|c| c.last_transition_time)
                .or(pod.metadata.creation_timestamp)
                .map(|t| t.0);
            let start = match (tainted, bound) {
                (Some(a), Some(b)) => a.max(b),
                (Some(a), None) | (None, Some(a)) => a,
                (None, None) => now,
            };
            let deadline = start.after(SimDuration::from_secs(secs.max(0) as u64));
            if now >= deadline {
                evict(
                    pod,
                    key,
                    now,
                    format!(
                        "its toleration of {taint_list} on node {node_name} ran out (tolerationSeconds {secs})"
                    ),
                )
            } else {
                vec![Effect::Schedule {
                    after: deadline.since(now).max(REACTION),
                    task: Task::Reconcile {
                        controller: Controller::TaintEviction,
                        key: key.clone(),
                    },
                }]
            }
        }
    }
}

fn evict(pod: &Pod, key: &ObjKey, now: SimTime, why: String) -> Vec<Effect> {
    let mut p = pod.clone();
    set_condition(
        &mut p,
        "DisruptionTarget",
        "True",
        Some("DeletionByTaintManager"),
        Some("Taint manager: deleting due to NoExecute taint"),
        now,
    );
    vec![
        Effect::Emit(EventDraft::new(
            source(),
            ObjectRef::from_key(key),
            "TaintManagerEviction",
            format!(
                "taint-eviction-controller: Marking for deletion Pod {}/{} ({why})",
                key.namespace, key.name
            ),
        )),
        Effect::Write(Box::new(Object::Pod(p))),
        Effect::Delete(key.clone()),
    ]
}
