//! The ReplicaSet controller (`pkg/controller/replicaset/replica_set.go`): counts the
//! active pods a ReplicaSet owns and creates or deletes pods until the count matches
//! `spec.replicas`, then reports status.

use super::{Controller, REACTION, controller_owner};
use crate::api::Object;
use crate::api::meta::{ObjectMeta, OwnerReference};
use crate::api::pod::{Pod, PodSpec, PodStatus};
use crate::api::workloads::ReplicaSet;
use crate::apiserver::{Change, ObjKey};
use crate::effect::{Effect, Task};
use crate::event::{Component, EventDraft, ObjectRef, Source};
use crate::time::{SimDuration, SimTime};
use crate::world::World;

/// Upstream creates pods in slow-start batches capped at 500 per sync (`BurstReplicas`).
pub const BURST_REPLICAS: usize = 500;

/// ReplicaSet changes queue that ReplicaSet; pod changes queue the pod's owner.
pub fn watch(change: &Change) -> Vec<ObjKey> {
    match &change.object {
        Object::ReplicaSet(_) => vec![change.key.clone()],
        Object::Pod(p) => controller_owner(&p.metadata, "ReplicaSet")
            .into_iter()
            .collect(),
        _ => Vec::new(),
    }
}

/// The pods `rs` owns (controller reference with its uid).
pub fn owned_pods<'a>(world: &'a World, rs: &'a ReplicaSet) -> impl Iterator<Item = &'a Pod> {
    world.api.store.pods().filter(move |p| {
        p.metadata.namespace_or_default() == rs.metadata.namespace_or_default()
            && p.metadata
                .controller()
                .is_some_and(|o| o.uid == rs.metadata.uid)
    })
}

/// Order in which surplus pods are deleted (`ActivePodsWithRanks.Less`, simplified):
/// unscheduled first, then Pending before Running, not-ready before ready, more pods of
/// this ReplicaSet on the same node first, ready for less time first, more restarts
/// first, newer first, then by name for a total order.
fn deletion_rank(pods: &mut [&Pod], colocated: impl Fn(&Pod) -> usize) {
    pods.sort_by(|a, b| {
        let phase = |p: &Pod| match p.status.phase.as_deref() {
            Some("Pending") => 0,
            Some("Running") => 2,
            _ => 1,
        };
        a.spec
            .node_name
            .is_some()
            .cmp(&b.spec.node_name.is_some())
            .then(phase(a).cmp(&phase(b)))
            .then(a.is_ready().cmp(&b.is_ready()))
            .then(colocated(b).cmp(&colocated(a)))
            .then(b.ready_since().cmp(&a.ready_since()))
            .then(b.restarts().cmp(&a.restarts()))
            .then(
                b.metadata
                    .creation_timestamp
                    .cmp(&a.metadata.creation_timestamp),
            )
            .then(a.metadata.name.cmp(&b.metadata.name))
    });
}

/// A pod built from the ReplicaSet's template, owned by it (`GetPodFromTemplate`).
pub fn pod_from_template(rs: &ReplicaSet) -> Pod {
    let t = &rs.spec.template;
    Pod {
        api_version: "v1".into(),
        kind: "Pod".into(),
        metadata: ObjectMeta {
            generate_name: Some(format!("{}-", rs.metadata.name)),
            namespace: rs.metadata.namespace.clone(),
            labels: t.metadata.labels.clone(),
            annotations: t.metadata.annotations.clone(),
            owner_references: vec![OwnerReference {
                api_version: "apps/v1".into(),
                kind: "ReplicaSet".into(),
                name: rs.metadata.name.clone(),
                uid: rs.metadata.uid.clone(),
                controller: Some(true),
                block_owner_deletion: Some(true),
            }],
            ..ObjectMeta::default()
        },
        spec: PodSpec { ..t.spec.clone() },
        status: PodStatus::default(),
    }
}

fn source() -> Source {
    Source::of(Component::KubeControllerManager)
}

/// One sync of a ReplicaSet.
pub fn reconcile(key: &ObjKey, world: &World, now: SimTime) -> Vec<Effect> {
    let Some(rs) = world.api.store.replicaset(&key.namespace, &key.name) else {
        return Vec::new();
    };
    if rs.metadata.deletion_timestamp.is_some() {
        return Vec::new();
    }
    let desired = rs.spec.replicas.unwrap_or(1).max(0) as usize;
    let all: Vec<&Pod> = owned_pods(world, rs).collect();
    let active: Vec<&Pod> = all.iter().copied().filter(|p| p.is_active()).collect();
    let mut out = Vec::new();
    let rs_ref = ObjectRef::from_key(key);
    if active.len() < desired {
        let n = (desired - active.len()).min(BURST_REPLICAS);
        for k in 0..n {
            let event = EventDraft::new(
                source(),
                rs_ref.clone(),
                "SuccessfulCreate",
                format!(
                    "replicaset-controller: Created pod: {{name}} (pod {} of {desired}: {} existed, spec.replicas is {desired})",
                    active.len() + k + 1,
                    active.len()
                ),
            );
            out.push(Effect::CreateNamed {
                object: Box::new(Object::Pod(pod_from_template(rs))),
                event,
            });
        }
    } else if active.len() > desired {
        let mut ranked = active.clone();
        let colocated = |p: &Pod| {
            active
                .iter()
                .filter(|q| q.spec.node_name == p.spec.node_name)
                .count()
        };
        deletion_rank(&mut ranked, colocated);
        for p in ranked.into_iter().take(active.len() - desired) {
            let why = if p.spec.node_name.is_none() {
                "it was not scheduled yet"
            } else if !p.is_ready() {
                "it was not ready"
            } else {
                "it was the newest, least-established pod"
            };
            out.push(Effect::Emit(EventDraft::new(
                source(),
                rs_ref.clone(),
                "SuccessfulDelete",
                format!(
                    "replicaset-controller: Deleted pod: {} ({} wanted, {} running; picked because {why})",
                    p.metadata.name,
                    desired,
                    active.len()
                ),
            )));
            out.push(Effect::Delete(ObjKey::new(
                "Pod",
                &key.namespace,
                &p.metadata.name,
            )));
        }
    }
    // Status, as the controller computes it from what it saw this sync.
    let min_ready = rs.spec.min_ready_seconds.unwrap_or(0);
    let ready = active.iter().filter(|p| p.is_ready()).count() as i64;
    let available = active
        .iter()
        .filter(|p| p.is_available(min_ready, now))
        .count() as i64;
    let mut next = rs.clone();
    next.status.replicas = active.len() as i64;
    next.status.fully_labeled_replicas = active.len() as i64;
    next.status.ready_replicas = ready;
    next.status.available_replicas = available;
    next.status.observed_generation = rs.metadata.generation;
    if next.status != rs.status {
        out.push(Effect::Write(Box::new(Object::ReplicaSet(next))));
    }
    // A ready pod becomes available minReadySeconds later without any other change:
    // check again then (upstream `AddAfter`).
    if min_ready > 0 && ready > available {
        out.push(Effect::Schedule {
            after: SimDuration::from_secs(min_ready as u64).max(REACTION),
            task: Task::Reconcile {
                controller: Controller::ReplicaSet,
                key: key.clone(),
            },
        });
    }
    out
}
