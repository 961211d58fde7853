//! kube-proxy's part in the load model: where each target's requests land.
//!
//! kube-proxy programs every node with the ready endpoints of each Service, taken from
//! its EndpointSlice, and balances connections evenly across them; endpoints that are
//! not ready (or terminating) get nothing. Traffic aimed at a Deployment goes evenly to
//! its ready pods, and traffic aimed at a pod to that pod while it runs. This module is a
//! pure function of the world and the time (see [`crate::load`] for the model).

use crate::api::pod::Pod;
use crate::apiserver::ObjKey;
use crate::load::TargetKind;
use crate::time::SimTime;
use crate::world::World;
use std::collections::BTreeMap;

/// The share of traffic one pod receives.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PodTraffic {
    /// Requests per second.
    pub rps: f64,
    /// CPU those requests cost, millicores.
    pub cpu: f64,
}

fn pod_key(p: &Pod) -> ObjKey {
    ObjKey::new("Pod", p.metadata.namespace_or_default(), &p.metadata.name)
}

/// The pods a target's requests are balanced over, in a stable order.
pub fn backends(world: &World, kind: TargetKind, namespace: &str, name: &str) -> Vec<ObjKey> {
    let store = &world.api.store;
    match kind {
        // ECS tasks are not pods: `components::aws::service_autoscaling` spreads their
        // traffic.
        TargetKind::EcsService => Vec::new(),
        TargetKind::Service => {
            let Some(slice) = crate::components::controller_manager::endpointslice::slice_for(
                world, namespace, name,
            ) else {
                return Vec::new();
            };
            slice
                .endpoints
                .iter()
                .filter(|e| e.conditions.ready)
                .filter_map(|e| {
                    e.target_ref
                        .as_ref()
                        .and_then(|r| r.get("name"))
                        .and_then(|n| n.as_str())
                })
                .filter_map(|n| store.pod(namespace, n))
                .map(pod_key)
                .collect()
        }
        TargetKind::Deployment => {
            let Some(d) = store.deployment(namespace, name) else {
                return Vec::new();
            };
            store
                .pods()
                .filter(|p| {
                    p.metadata.namespace_or_default() == namespace
                        && d.spec.selector.matches(&p.metadata.labels)
                        && p.is_ready()
                        && !p.is_terminating()
                })
                .map(pod_key)
                .collect()
        }
        TargetKind::Pod => store
            .pod(namespace, name)
            .filter(|p| p.status.phase.as_deref() == Some("Running") && !p.is_terminating())
            .map(pod_key)
            .into_iter()
            .collect(),
    }
}

fn target_kind(api_kind: &str) -> Option<TargetKind> {
    match api_kind {
        "Service" => Some(TargetKind::Service),
        "Deployment" => Some(TargetKind::Deployment),
        "Pod" => Some(TargetKind::Pod),
        _ => None,
    }
}

/// Every pod's share of all traffic at `now`.
pub fn distribute(world: &World, now: SimTime) -> BTreeMap<ObjKey, PodTraffic> {
    let mut out: BTreeMap<ObjKey, PodTraffic> = BTreeMap::new();
    for (key, traffic) in &world.load.traffic {
        let Some(kind) = target_kind(key.kind) else {
            continue;
        };
        let rps = traffic.rps_at(now);
        let pods = backends(world, kind, &key.namespace, &key.name);
        if pods.is_empty() || rps <= 0.0 {
            continue;
        }
        let share = rps / pods.len() as f64;
        for p in pods {
            let e = out.entry(p).or_default();
            e.rps += share;
            e.cpu += share * traffic.cpu_per_request as f64;
        }
    }
    out
}
