//! The node lifecycle controller (`pkg/controller/nodelifecycle/node_lifecycle_controller.go`)
//! with taint-nodes-by-condition.
//!
//! Every `--node-monitor-period` (5 s) it looks at each node's last status post (the
//! `Ready` condition's `lastHeartbeatTime`). A node silent for longer than
//! `--node-monitor-grace-period` gets every condition set to `Unknown` ("Kubelet stopped
//! posting node status."), its pods marked not ready (`MarkPodsNotReady`, so Services stop
//! sending them traffic) and the taints `node.kubernetes.io/unreachable:NoExecute` (which
//! the taint eviction controller acts on) and `:NoSchedule`. When the kubelet posts
//! `Ready=True` again the taints go. A kubelet reporting `Ready=False` gets the
//! `not-ready` taints instead. A cordoned node (`spec.unschedulable`) gets
//! `node.kubernetes.io/unschedulable:NoSchedule`.

use super::{Controller, REACTION};
use crate::api::Object;
use crate::api::meta::Timestamp;
use crate::api::node::Node;
use crate::api::scheduling::Taint;
use crate::apiserver::{Change, ChangeType, ObjKey};
use crate::components::scheduler::set_condition;
use crate::effect::{Effect, Task};
use crate::event::{Component, EventDraft, ObjectRef, Source};
use crate::kube::taint::{TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE, TAINT_NODE_UNSCHEDULABLE};
use crate::time::{SimDuration, SimTime};
use crate::world::World;

/// `--node-monitor-period`: how often node health is checked (default 5 s).
pub const NODE_MONITOR_PERIOD: SimDuration = SimDuration::from_secs(5);

/// `--node-monitor-grace-period`: how long a node may stay silent before it is marked
/// `Unknown`. 40 s is the default up to Kubernetes 1.31 (the version this cluster runs);
/// 1.32 raised it to 50 s (kubernetes/kubernetes#127352).
pub const NODE_MONITOR_GRACE_PERIOD: SimDuration = SimDuration::from_secs(40);

/// Message of the conditions of a node whose kubelet went silent.
pub const STOPPED_POSTING: &str = "Kubelet stopped posting node status.";

fn has_unschedulable_taint(n: &Node) -> bool {
    n.spec
        .taints
        .iter()
        .any(|t| t.key == TAINT_NODE_UNSCHEDULABLE && t.effect == "NoSchedule")
}

/// Queue key kind of a node's periodic monitor loop (one per node, started when the node
/// appears); plain `Node` keys are one-off passes (cordon changes).
pub const MONITOR: &str = "NodeMonitor";

/// A new node starts its monitor loop; a cordon or uncordon is acted on at once.
pub fn watch(change: &Change) -> Vec<ObjKey> {
    match (&change.object, change.kind) {
        (Object::Node(n), ChangeType::Added) => vec![ObjKey::new(MONITOR, "", &n.metadata.name)],
        (Object::Node(n), ChangeType::Modified)
            if n.spec.unschedulable != has_unschedulable_taint(n) =>
        {
            vec![change.key.clone()]
        }
        _ => Vec::new(),
    }
}

fn source() -> Source {
    Source::of(Component::KubeControllerManager)
}

fn taint(key: &str, effect: &str, now: SimTime) -> Taint {
    Taint {
        key: key.into(),
        value: String::new(),
        effect: effect.into(),
        time_added: (effect == "NoExecute").then_some(Timestamp(now)),
    }
}

/// One monitor pass over node `key`; schedules the next.
pub fn reconcile(key: &ObjKey, world: &World, now: SimTime) -> Vec<Effect> {
    let Some(node) = world.api.store.node_named(&key.name) else {
        // Deleted: its loop ends.
        return Vec::new();
    };
    let name = node.metadata.name.as_str();
    let node_ref = ObjectRef::new("node", name);
    let mut out = Vec::new();
    let mut next = node.clone();
    let ready = node.status.conditions.iter().find(|c| c.type_ == "Ready");
    let last_post = ready.and_then(|c| c.last_heartbeat_time).map(|t| t.0);
    if let (Some(ready), Some(last)) = (ready, last_post) {
        let silent = now.since(last);
        if silent > NODE_MONITOR_GRACE_PERIOD && ready.status != "Unknown" {
            let silent = SimDuration::from_secs(silent.as_millis() / 1000);
            for c in &mut next.status.conditions {
                c.status = "Unknown".into();
                c.reason = Some("NodeStatusUnknown".into());
                c.message = Some(STOPPED_POSTING.into());
                c.last_transition_time = Some(Timestamp(now));
            }
            out.push(Effect::Emit(EventDraft::new(
                source(),
                node_ref.clone(),
                "NodeNotReady",
                format!(
                    "node-controller: Node {name} status is now: NodeNotReady (the node lifecycle controller heard nothing from its kubelet for {silent}, more than --node-monitor-grace-period {NODE_MONITOR_GRACE_PERIOD}: conditions set to Unknown, pods on it marked not ready)"
                ),
            )));
            for p in world.api.store.pods() {
                if p.spec.node_name.as_deref() != Some(name) || !p.is_ready() {
                    continue;
                }
                let mut np = p.clone();
                let reason = np.condition("Ready").and_then(|c| c.reason.clone());
                let message = np.condition("Ready").and_then(|c| c.message.clone());
                set_condition(
                    &mut np,
                    "Ready",
                    "False",
                    reason.as_deref(),
                    message.as_deref(),
                    now,
                );
                let pkey =
                    ObjKey::new("Pod", np.metadata.namespace_or_default(), &np.metadata.name);
                out.push(Effect::Emit(EventDraft::new(
                    source(),
                    ObjectRef::from_key(&pkey),
                    "NodeNotReady",
                    "node-controller: Node is not ready (the node lifecycle controller set the pod's Ready condition to False, so Services stop sending it traffic)",
                )));
                out.push(Effect::Write(Box::new(Object::Pod(np))));
            }
        }
    }
    // Taints follow the Ready condition (NoExecute: taint eviction; NoSchedule:
    // taint-nodes-by-condition).
    let status = next
        .status
        .conditions
        .iter()
        .find(|c| c.type_ == "Ready")
        .map(|c| c.status.clone())
        .unwrap_or_default();
    let wanted_key = match status.as_str() {
        "Unknown" => Some(TAINT_NODE_UNREACHABLE),
        "False" => Some(TAINT_NODE_NOT_READY),
        _ => None,
    };
    let before: Vec<String> = next.spec.taints.iter().map(|t| t.to_string()).collect();
    next.spec.taints.retain(|t| {
        let lifecycle = t.key == TAINT_NODE_UNREACHABLE || t.key == TAINT_NODE_NOT_READY;
        !lifecycle || Some(t.key.as_str()) == wanted_key
    });
    let removed_lifecycle = next.spec.taints.len() != node.spec.taints.len();
    if let Some(k) = wanted_key {
        for effect in ["NoExecute", "NoSchedule"] {
            if !next
                .spec
                .taints
                .iter()
                .any(|t| t.key == k && t.effect == effect)
            {
                next.spec.taints.push(taint(k, effect, now));
            }
        }
    }
    if next.spec.unschedulable && !has_unschedulable_taint(&next) {
        next.spec
            .taints
            .push(taint(TAINT_NODE_UNSCHEDULABLE, "NoSchedule", now));
    } else if !next.spec.unschedulable && has_unschedulable_taint(&next) {
        next.spec
            .taints
            .retain(|t| t.key != TAINT_NODE_UNSCHEDULABLE);
    }
    let after: Vec<String> = next.spec.taints.iter().map(|t| t.to_string()).collect();
    if before != after {
        let added: Vec<&String> = after.iter().filter(|t| !before.contains(t)).collect();
        let gone: Vec<&String> = before.iter().filter(|t| !after.contains(t)).collect();
        let list = |v: &[&String]| v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
        if removed_lifecycle && status == "True" {
            out.push(Effect::Emit(EventDraft::new(
                source(),
                node_ref.clone(),
                "NodeReady",
                format!(
                    "node-controller: Node {name} status is now: NodeReady (its kubelet posts status again; the node lifecycle controller removed the taints {})",
                    list(&gone)
                ),
            )));
        } else {
            let mut what = Vec::new();
            if !added.is_empty() {
                what.push(format!("added taint(s) {}", list(&added)));
            }
            if !gone.is_empty() {
                what.push(format!("removed taint(s) {}", list(&gone)));
            }
            out.push(Effect::Emit(EventDraft::new(
                source(),
                node_ref,
                "TaintsChanged",
                format!(
                    "node-controller: {} on {name} (the node lifecycle controller keeps taints in line with the node's conditions and cordon state)",
                    what.join("; ")
                ),
            )));
        }
    }
    if next != *node {
        out.push(Effect::Write(Box::new(Object::Node(next))));
    }
    if key.kind != MONITOR {
        return out;
    }
    out.push(Effect::Schedule {
        after: NODE_MONITOR_PERIOD.max(REACTION),
        task: Task::Reconcile {
            controller: Controller::NodeLifecycle,
            key: key.clone(),
        },
    });
    out
}
