//! The pod garbage collector (`pkg/controller/podgc/gc_controller.go`, `gcOrphaned`):
//! pods bound to a node that no longer exists are force-deleted once the node has been
//! gone for the quarantine time (40 s), so `kubectl delete node` does not leave pods
//! behind — not even the `Terminating` ones a dead kubelet never confirmed.

use super::Controller;
use crate::api::Object;
use crate::apiserver::{Change, ChangeType, ObjKey};
use crate::effect::{Effect, Task};
use crate::event::{Component, EventDraft, ObjectRef, Source};
use crate::time::SimDuration;
use crate::world::World;

/// `quarantineTime`: how long a node must stay missing before its pods are deleted.
pub const QUARANTINE: SimDuration = SimDuration::from_secs(40);

/// Queue key kind for the second look at a deleted node, after the quarantine.
pub const QUARANTINED: &str = "QuarantinedNode";

/// A deleted node is queued (its name is looked at twice, 40 s apart).
pub fn watch(change: &Change) -> Vec<ObjKey> {
    match (&change.object, change.kind) {
        (Object::Node(_), ChangeType::Deleted) => vec![change.key.clone()],
        _ => Vec::new(),
    }
}

/// First look: schedule the second after the quarantine. Second look: if the node is
/// still missing, force-delete every pod bound to it.
pub fn reconcile(key: &ObjKey, world: &World) -> Vec<Effect> {
    let store = &world.api.store;
    if store.node_named(&key.name).is_some() {
        return Vec::new();
    }
    let orphans: Vec<ObjKey> = store
        .pods()
        .filter(|p| p.spec.node_name.as_deref() == Some(key.name.as_str()))
        .map(|p| ObjKey::new("Pod", p.metadata.namespace_or_default(), &p.metadata.name))
        .collect();
    if orphans.is_empty() {
        return Vec::new();
    }
    if key.kind != QUARANTINED {
        return vec![Effect::Schedule {
            after: QUARANTINE,
            task: Task::Reconcile {
                controller: Controller::PodGarbageCollector,
                key: ObjKey::new(QUARANTINED, "", &key.name),
            },
        }];
    }
    let mut out = Vec::new();
    for pod in orphans {
        out.push(Effect::Emit(EventDraft::new(
            Source::of(Component::KubeControllerManager),
            ObjectRef::from_key(&pod),
            "PodGarbageCollected",
            format!(
                "pod-garbage-collector: force-deleting {}/{}: it is bound to node {}, which no longer exists (orphaned pods are removed {QUARANTINE} after their node)",
                pod.namespace, pod.name, key.name
            ),
        )));
        out.push(Effect::Remove(pod));
    }
    out
}
