//! kube-controller-manager: the control loops that drive actual state toward desired state.
//!
//! Each loop is a file named after its controller. Like upstream's informers, every loop
//! says which keys a change to the store should queue ([`watchers`]); the engine
//! deduplicates queued keys and calls [`reconcile`], which reads the world and returns
//! effects. Loops never write state themselves.

pub mod deployment;
pub mod disruption;
pub mod endpointslice;
pub mod garbage_collector;
pub mod hpa;
pub mod node_lifecycle;
pub mod pod_gc;
pub mod replicaset;
pub mod service_lb;
pub mod taint_eviction;

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
    /// Gives LoadBalancer Services an external address (cloud-controller-manager).
    ServiceLoadBalancer,
    /// Scales Deployments to their HorizontalPodAutoscaler's target metrics.
    HorizontalPodAutoscaler,
    /// Watches node heartbeats; marks silent nodes Unknown and taints them.
    NodeLifecycle,
    /// Evicts pods from nodes with NoExecute taints they do not tolerate (long enough).
    TaintEviction,
    /// Deletes pods bound to nodes that no longer exist.
    PodGarbageCollector,
    /// Keeps PodDisruptionBudget status current.
    Disruption,
}

impl Controller {
    /// The name upstream uses as the event source (`replicaset-controller`).
    pub fn name(self) -> &'static str {
        match self {
            Controller::Deployment => "deployment-controller",
            Controller::ReplicaSet => "replicaset-controller",
            Controller::EndpointSlice => "endpointslice-controller",
            Controller::GarbageCollector => "garbage-collector",
            Controller::ServiceLoadBalancer => "service-controller",
            Controller::HorizontalPodAutoscaler => "horizontal-pod-autoscaler",
            Controller::NodeLifecycle => "node-lifecycle-controller",
            Controller::TaintEviction => "taint-eviction-controller",
            Controller::PodGarbageCollector => "pod-garbage-collector",
            Controller::Disruption => "disruption-controller",
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
        (Controller::ServiceLoadBalancer, service_lb::watch(change)),
        (Controller::HorizontalPodAutoscaler, hpa::watch(change)),
        (Controller::NodeLifecycle, node_lifecycle::watch(change)),
        (
            Controller::TaintEviction,
            taint_eviction::watch(change, world),
        ),
        (Controller::PodGarbageCollector, pod_gc::watch(change)),
        (Controller::Disruption, disruption::watch(change, world)),
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
        Controller::ServiceLoadBalancer => service_lb::reconcile(key, world, now),
        Controller::HorizontalPodAutoscaler => hpa::reconcile(key, world, now),
        Controller::NodeLifecycle => node_lifecycle::reconcile(key, world, now),
        Controller::TaintEviction => taint_eviction::reconcile(key, world, now),
        Controller::PodGarbageCollector => pod_gc::reconcile(key, world),
        Controller::Disruption => disruption::reconcile(key, world, now),
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
