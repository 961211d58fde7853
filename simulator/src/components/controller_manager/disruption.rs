//! The disruption controller (`pkg/controller/disruption/disruption.go`): keeps each
//! PodDisruptionBudget's status current, which is what the Eviction API
//! (`crate::apiserver::eviction`, used by `kubectl drain`) consults.
//!
//! - `maxUnavailable`: `expectedPods` = Σ scale of the selected pods' controllers;
//!   `desiredHealthy` = max(expected − maxUnavailable (percent rounded up), 0).
//! - `minAvailable` integer: `desiredHealthy` = the value; `expectedPods` = selected pods.
//! - `minAvailable` percent: `expectedPods` = Σ controller scale;
//!   `desiredHealthy` = ceil(pct × expected / 100).
//! - `currentHealthy` = selected pods that are Ready, not being deleted and not in
//!   `status.disruptedPods` (evictions not yet seen as deletions; dropped after 2 min).
//! - `disruptionsAllowed` = currentHealthy − desiredHealthy, 0 if negative or if
//!   `expectedPods` is 0.

use super::Controller;
use crate::api::Object;
use crate::api::pod::Pod;
use crate::api::policy::{PdbStatus, PodDisruptionBudget};
use crate::api::values::IntOrString;
use crate::apiserver::{Change, ChangeType, ObjKey};
use crate::effect::{Effect, Task};
use crate::kube::intstr::get_scaled_value_from_int_or_percent;
use crate::time::{SimDuration, SimTime};
use crate::world::World;
use std::collections::BTreeSet;

/// `DeletionTimeout`: how long an eviction stays in `disruptedPods` if the pod is not
/// seen being deleted.
pub const DELETION_TIMEOUT: SimDuration = SimDuration::from_mins(2);

/// The pods a budget selects (same namespace; a missing selector selects nothing).
pub fn selected<'a>(world: &'a World, pdb: &'a PodDisruptionBudget) -> Vec<&'a Pod> {
    let ns = pdb.metadata.namespace_or_default();
    let Some(sel) = &pdb.spec.selector else {
        return Vec::new();
    };
    world
        .api
        .store
        .pods()
        .filter(|p| p.metadata.namespace_or_default() == ns && sel.matches(&p.metadata.labels))
        .collect()
}

/// The budgets that select `pod`.
pub fn budgets_for<'a>(world: &'a World, pod: &Pod) -> Vec<&'a PodDisruptionBudget> {
    let ns = pod.metadata.namespace_or_default();
    world
        .api
        .store
        .pdbs()
        .filter(|b| {
            b.metadata.namespace_or_default() == ns
                && b.spec
                    .selector
                    .as_ref()
                    .is_some_and(|s| s.matches(&pod.metadata.labels))
        })
        .collect()
}

/// Budget changes queue the budget; pod changes queue the budgets selecting the pod.
pub fn watch(change: &Change, world: &World) -> Vec<ObjKey> {
    match &change.object {
        Object::PodDisruptionBudget(_) if change.kind != ChangeType::Deleted => {
            vec![change.key.clone()]
        }
        Object::Pod(p) => budgets_for(world, p)
            .into_iter()
            .map(|b| {
                ObjKey::new(
                    "PodDisruptionBudget",
                    b.metadata.namespace_or_default(),
                    &b.metadata.name,
                )
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// `getExpectedScale`: Σ of the scale of each controller owning a selected pod, counted
/// once per controller (a Deployment's scale for its ReplicaSets' pods).
fn expected_scale(world: &World, pods: &[&Pod]) -> i64 {
    let store = &world.api.store;
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut total = 0;
    for p in pods {
        let Some(owner) = p.metadata.controller() else {
            continue;
        };
        let ns = p.metadata.namespace_or_default();
        let (uid, scale) = match owner.kind.as_str() {
            "ReplicaSet" => match store.replicaset(ns, &owner.name) {
                Some(rs) => match rs
                    .metadata
                    .controller()
                    .filter(|o| o.kind == "Deployment")
                    .and_then(|o| store.deployment(ns, &o.name))
                {
                    Some(d) => (d.metadata.uid.clone(), d.spec.replicas.unwrap_or(1)),
                    None => (rs.metadata.uid.clone(), rs.spec.replicas.unwrap_or(1)),
                },
                None => continue,
            },
            _ => continue,
        };
        if seen.insert(uid) {
            total += scale;
        }
    }
    total
}

/// Computes the status of `pdb` at `now` (without `disruptedPods` clean-up timers).
pub fn compute_status(world: &World, pdb: &PodDisruptionBudget, now: SimTime) -> PdbStatus {
    let pods = selected(world, pdb);
    let (expected, desired) = match (&pdb.spec.max_unavailable, &pdb.spec.min_available) {
        (Some(mu), _) => {
            let expected = expected_scale(world, &pods);
            let mu = get_scaled_value_from_int_or_percent(Some(mu), expected, true).unwrap_or(0);
            (expected, (expected - mu).max(0))
        }
        (None, Some(IntOrString::Int(n))) => (pods.len() as i64, *n),
        (None, Some(pct @ IntOrString::Str(_))) => {
            let expected = expected_scale(world, &pods);
            (
                expected,
                get_scaled_value_from_int_or_percent(Some(pct), expected, true).unwrap_or(0),
            )
        }
        (None, None) => (0, 0),
    };
    // `buildDisruptedPodMap`: keep evictions whose pod still exists, is not yet being
    // deleted, and was evicted less than DeletionTimeout ago.
    let disrupted = pdb
        .status
        .disrupted_pods
        .iter()
        .filter(|(name, at)| {
            pods.iter()
                .any(|p| &p.metadata.name == *name && !p.is_terminating())
                && now.since(at.0) < DELETION_TIMEOUT
        })
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    let mut status = PdbStatus {
        disrupted_pods: disrupted,
        expected_pods: expected,
        desired_healthy: desired,
        observed_generation: Some(pdb.metadata.generation),
        ..PdbStatus::default()
    };
    status.current_healthy = pods
        .iter()
        .filter(|p| {
            p.is_ready()
                && !p.is_terminating()
                && !status.disrupted_pods.contains_key(&p.metadata.name)
        })
        .count() as i64;
    let allowed = status.current_healthy - desired;
    status.disruptions_allowed = if expected <= 0 || allowed <= 0 {
        0
    } else {
        allowed
    };
    status
}

/// Recomputes one budget's status.
pub fn reconcile(key: &ObjKey, world: &World, now: SimTime) -> Vec<Effect> {
    let Some(pdb) = world.api.store.pdb(&key.namespace, &key.name) else {
        return Vec::new();
    };
    let status = compute_status(world, pdb, now);
    let mut out = Vec::new();
    // Look again when the oldest remembered eviction times out.
    if let Some(first) = status.disrupted_pods.values().map(|t| t.0).min() {
        out.push(Effect::Schedule {
            after: first.after(DELETION_TIMEOUT).since(now),
            task: Task::Reconcile {
                controller: Controller::Disruption,
                key: key.clone(),
            },
        });
    }
    if status != pdb.status {
        let mut next = pdb.clone();
        next.status = status;
        out.push(Effect::Write(Box::new(Object::PodDisruptionBudget(next))));
    }
    out
}
