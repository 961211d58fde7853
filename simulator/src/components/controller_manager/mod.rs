//! kube-controller-manager: the control loops that drive actual state toward desired state.
//!
//! Each loop is a file named after its controller. Like upstream's informers, every loop
//! says which keys a change to the store should queue ([`watchers`]); the engine
//! deduplicates queued keys and calls [`reconcile`], which reads the world and returns
//! effects. Loops never write state themselves.

pub mod deployment;
pub mod endpointslice;
pub mod garbage_collector;
pub mod replicaset;

use crate::apiserver::{Change, ObjKey};
use crate::effect::Effect;
use crate::time::{SimDuration, SimTime};
use crate::world::World;

/// A control loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Controller {
    /// Rolls Deployments out through ReplicaSets.
    Deployment,
    /// Keeps each ReplicaSet's pod count at `spec.replicas`.
    ReplicaSet,
    /// Publishes the ready pods behind each Service.
    EndpointSlice,
    /// Deletes objects whose owner is gone.
    GarbageCollector,
}

impl Controller {
    /// The name upstream uses as the event source (`replicaset-controller`).
    pub fn name(self) -> &'static str {
        match self {
            Controller::Deployment => "deployment-controller",
            Controller::ReplicaSet => "replicaset-controller",
            Controller::EndpointSlice => "endpointslice-controller",
            Controller::GarbageCollector => "garbage-collector",
        }
    }
}

/// How long after a change a controller acts on it: watch delivery plus a work-queue
/// hop. Real clusters take milliseconds; these keep cause and effect apart on the
/// timeline without slowing anything a learner would notice.
pub const REACTION: SimDuration = SimDuration::from_millis(10);

/// The keys each controller queues for a change.
pub fn watchers(change: &Change, world: &World) -> Vec<(Controller, ObjKey)> {
    let queued = [
        (Controller::Deployment, deployment::watch(change)),
        (Controller::ReplicaSet, replicaset::watch(change)),
        (
            Controller::EndpointSlice,
            endpointslice::watch(change, world),
        ),
        (
            Controller::GarbageCollector,
            garbage_collector::watch(change),
        ),
    ];
    queued
        .into_iter()
        .flat_map(|(c, keys)| keys.into_iter().map(move |k| (c, k)))
        .collect()
}

/// Runs one reconcile of `controller` for `key`.
pub fn reconcile(controller: Controller, key: &ObjKey, world: &World, now: SimTime) -> Vec<Effect> {
    match controller {
        Controller::Deployment => deployment::reconcile(key, world, now),
        Controller::ReplicaSet => replicaset::reconcile(key, world, now),
        Controller::EndpointSlice => endpointslice::reconcile(key, world),
        Controller::GarbageCollector => garbage_collector::reconcile(key, world),
    }
}

/// The key of an object's managing controller, if it is of `kind`.
pub fn controller_owner(meta: &crate::api::ObjectMeta, kind: &str) -> Option<ObjKey> {
    let owner = meta.controller()?;
    (owner.kind == kind).then(|| {
        // Owner kinds here are all namespaced apps/v1 objects in the dependent's namespace.
        let info = crate::api::kind_info(kind)
            .map(|i| i.kind)
            .unwrap_or("ReplicaSet");
        ObjKey::new(info, meta.namespace_or_default(), &owner.name)
    })
}
