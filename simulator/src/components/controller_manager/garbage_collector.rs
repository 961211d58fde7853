//! The garbage collector: when an owner is deleted, its dependents go too (background
//! cascading deletion, `pkg/controller/garbagecollector`). Deleting a Deployment removes
//! its ReplicaSets, and they their pods.

use crate::apiserver::{Change, ChangeType, ObjKey};
use crate::effect::Effect;
use crate::event::{Component, EventDraft, ObjectRef, Source};
use crate::world::World;

/// A deletion queues the deleted object's key: its dependents must be checked.
pub fn watch(change: &Change) -> Vec<ObjKey> {
    if change.kind == ChangeType::Deleted {
        vec![change.key.clone()]
    } else {
        Vec::new()
    }
}

/// Deletes every object whose owner reference points at `owner` when `owner` no longer
/// exists (or exists with another uid: a new object with the same name is not the owner).
pub fn reconcile(owner: &ObjKey, world: &World) -> Vec<Effect> {
    let store = &world.api.store;
    let live_uid = store.get(owner).map(|o| o.meta().uid.clone());
    let mut out = Vec::new();
    for kind in ["ReplicaSet", "Pod", "EndpointSlice"] {
        for o in store.of_kind(kind) {
            let m = o.meta();
            if m.namespace_or_default() != owner.namespace || m.deletion_timestamp.is_some() {
                continue;
            }
            let orphaned = m.owner_references.iter().any(|r| {
                r.kind == owner.kind
                    && r.name == owner.name
                    && live_uid.as_deref() != Some(r.uid.as_str())
            });
            if orphaned {
                let key = ObjKey::of(o);
                out.push(Effect::Emit(EventDraft::new(
                    Source::of(Component::KubeControllerManager),
                    ObjectRef::from_key(&key),
                    "GarbageCollected",
                    format!(
                        "garbage-collector: deleting {} because its owner {} {} is gone (ownerReferences cascade)",
                        key,
                        owner.kind,
                        owner.name
                    ),
                )));
                out.push(Effect::Delete(key));
            }
        }
    }
    out
}
