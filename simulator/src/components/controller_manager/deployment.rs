//! The Deployment controller (`pkg/controller/deployment`): owns one ReplicaSet per pod
//! template revision, scales the new one up and the old ones down within maxSurge and
//! maxUnavailable (RollingUpdate) or all-old-then-new (Recreate), keeps revision history
//! for `rollout undo`, and reports progress and availability conditions.
//!
//! The arithmetic lives in [`crate::controllers::deployment`] (ported from upstream and
//! checked against its test vectors); this file turns its answers into ReplicaSet writes
//! and explains each scaling step.

use super::{REACTION, controller_owner};
use crate::api::Object;
use crate::api::meta::{ObjectMeta, OwnerReference, Timestamp};
use crate::api::workloads::{
    Deployment, DeploymentCondition, ReplicaSet, ReplicaSetSpec, ReplicaSetStatus,
};
use crate::apiserver::{Change, ObjKey};
use crate::controllers::deployment::progress::{
    self, DEFAULT_PROGRESS_DEADLINE_SECONDS, ProgressingCondition, StatusCounts,
};
use crate::controllers::deployment::rolling::{
    DeploymentView, ReplicaSetView, StrategyType, max_unavailable, new_rs_new_replicas,
    rollout_rolling,
};
use crate::effect::{Effect, Task};
use crate::event::{Component, EventDraft, ObjectRef, Source};
use crate::time::{SimDuration, SimTime};
use crate::world::World;

/// Label carrying the template hash on ReplicaSets and their pods.
pub const POD_TEMPLATE_HASH: &str = "pod-template-hash";
/// Annotation carrying a ReplicaSet's revision.
pub const REVISION: &str = "deployment.kubernetes.io/revision";
/// Annotation listing revisions a reused ReplicaSet had before.
pub const REVISION_HISTORY: &str = "deployment.kubernetes.io/revision-history";
/// Annotation set by `kubectl rollout restart`, recorded in the template.
pub const RESTARTED_AT: &str = "kubectl.kubernetes.io/restartedAt";

/// Deployment changes queue the Deployment; ReplicaSet changes queue their owner.
pub fn watch(change: &Change) -> Vec<ObjKey> {
    match &change.object {
        Object::Deployment(_) => vec![change.key.clone()],
        Object::ReplicaSet(rs) => controller_owner(&rs.metadata, "Deployment")
            .into_iter()
            .collect(),
        _ => Vec::new(),
    }
}

/// `rand.SafeEncodeString`: each character of the decimal hash maps into the alphabet
/// Kubernetes uses for generated names (no vowels, no look-alikes).
fn safe_encode(s: &str) -> String {
    const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    s.bytes()
        .map(|b| ALPHANUMS[b as usize % ALPHANUMS.len()] as char)
        .collect()
}

/// FNV-1a, 32 bit, as `hash/fnv.New32a`.
fn fnv32a(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in bytes {
        h ^= u32::from(*b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// `ComputeHash(template)`: a stable name suffix for a pod template. Upstream hashes a
/// deep dump of the Go struct; this hashes its canonical JSON, so the values differ from
/// a real cluster but are stable and change exactly when the template does.
pub fn template_hash(d: &Deployment) -> String {
    let mut t = d.spec.template.clone();
    t.metadata.labels.remove(POD_TEMPLATE_HASH);
    let json = serde_json::to_string(&t).unwrap_or_default();
    safe_encode(&fnv32a(json.as_bytes()).to_string())
}

fn same_template(d: &Deployment, rs: &ReplicaSet) -> bool {
    let mut a = rs.spec.template.clone();
    a.metadata.labels.remove(POD_TEMPLATE_HASH);
    let mut b = d.spec.template.clone();
    b.metadata.labels.remove(POD_TEMPLATE_HASH);
    a == b
}

/// The ReplicaSets a Deployment owns, oldest first.
pub fn owned_replicasets<'a>(world: &'a World, d: &Deployment) -> Vec<&'a ReplicaSet> {
    let mut v: Vec<&ReplicaSet> = world
        .api
        .store
        .replicasets()
        .filter(|rs| {
            rs.metadata.namespace_or_default() == d.metadata.namespace_or_default()
                && rs
                    .metadata
                    .controller()
                    .is_some_and(|o| o.uid == d.metadata.uid)
        })
        .collect();
    v.sort_by(|a, b| {
        a.metadata
            .creation_timestamp
            .cmp(&b.metadata.creation_timestamp)
            .then(a.metadata.name.cmp(&b.metadata.name))
    });
    v
}

/// A ReplicaSet's revision number (0 if unset).
pub fn revision(rs: &ReplicaSet) -> i64 {
    rs.metadata
        .annotations
        .get(REVISION)
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

fn view(d: &Deployment) -> DeploymentView {
    let ru = d.spec.strategy.rolling_update.clone().unwrap_or_default();
    DeploymentView {
        replicas: d.spec.replicas.unwrap_or(1) as i32,
        strategy: StrategyType::parse(d.spec.strategy.type_.as_deref().unwrap_or("")),
        max_surge: ru.max_surge,
        max_unavailable: ru.max_unavailable,
    }
}

fn rs_view(rs: &ReplicaSet) -> ReplicaSetView {
    ReplicaSetView::new(
        &rs.metadata.name,
        rs.metadata
            .creation_timestamp
            .map(|t| t.0)
            .unwrap_or_default(),
        rs.spec.replicas.unwrap_or(1) as i32,
        rs.status.available_replicas as i32,
    )
}

fn src() -> Source {
    Source::of(Component::KubeControllerManager)
}

fn scale(rs: &ReplicaSet, to: i32, d_key: &ObjKey, why: &str) -> Vec<Effect> {
    let from = rs.spec.replicas.unwrap_or(1);
    if i64::from(to) == from {
        return Vec::new();
    }
    let mut next = rs.clone();
    next.spec.replicas = Some(i64::from(to));
    let dir = if i64::from(to) > from { "up" } else { "down" };
    vec![
        Effect::Emit(EventDraft::new(
            src(),
            ObjectRef::from_key(d_key),
            "ScalingReplicaSet",
            format!(
                "deployment-controller: Scaled {dir} replica set {} from {from} to {to}: {why}",
                rs.metadata.name
            ),
        )),
        Effect::Write(Box::new(Object::ReplicaSet(next))),
    ]
}

/// Deployment annotations that are not copied to its ReplicaSets
/// (`deployment_util.go annotationsToSkip`).
const ANNOTATIONS_TO_SKIP: [&str; 6] = [
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION,
    REVISION_HISTORY,
    "deployment.kubernetes.io/desired-replicas",
    "deployment.kubernetes.io/max-replicas",
    "deprecated.deployment.rollback.to",
];

/// `copyDeploymentAnnotationsToReplicaSet`: the Deployment's own annotations (such as
/// `kubernetes.io/change-cause`, which `rollout history` shows) onto its new
/// ReplicaSet. Returns whether anything changed.
fn copy_annotations(d: &Deployment, rs: &mut ReplicaSet) -> bool {
    let mut changed = false;
    for (k, v) in &d.metadata.annotations {
        if ANNOTATIONS_TO_SKIP.contains(&k.as_str()) {
            continue;
        }
        if rs.metadata.annotations.get(k) != Some(v) {
            rs.metadata.annotations.insert(k.clone(), v.clone());
            changed = true;
        }
    }
    changed
}

/// The ReplicaSet for a Deployment's current template (`pod-template-hash` label,
/// revision annotation, controller owner reference).
pub fn new_replicaset(d: &Deployment, hash: &str, replicas: i64, revision: i64) -> ReplicaSet {
    let mut template = d.spec.template.clone();
    template
        .metadata
        .labels
        .insert(POD_TEMPLATE_HASH.into(), hash.into());
    let mut selector = d.spec.selector.clone();
    selector
        .match_labels
        .insert(POD_TEMPLATE_HASH.into(), hash.into());
    let mut labels = d.spec.template.metadata.labels.clone();
    labels.insert(POD_TEMPLATE_HASH.into(), hash.into());
    ReplicaSet {
        api_version: "apps/v1".into(),
        kind: "ReplicaSet".into(),
        metadata: ObjectMeta {
            name: format!("{}-{hash}", d.metadata.name),
            namespace: d.metadata.namespace.clone(),
            labels,
            annotations: [
                (REVISION.to_string(), revision.to_string()),
                (
                    "deployment.kubernetes.io/desired-replicas".to_string(),
                    d.spec.replicas.unwrap_or(1).to_string(),
                ),
            ]
            .into_iter()
            .collect(),
            owner_references: vec![OwnerReference {
                api_version: "apps/v1".into(),
                kind: "Deployment".into(),
                name: d.metadata.name.clone(),
                uid: d.metadata.uid.clone(),
                controller: Some(true),
                block_owner_deletion: Some(true),
            }],
            ..ObjectMeta::default()
        },
        spec: ReplicaSetSpec {
            replicas: Some(replicas),
            min_ready_seconds: d.spec.min_ready_seconds,
            selector,
            template,
        },
        status: ReplicaSetStatus::default(),
    }
}

fn condition<'a>(d: &'a Deployment, t: &str) -> Option<&'a DeploymentCondition> {
    d.status.conditions.iter().find(|c| c.type_ == t)
}

fn set_condition(
    conds: &mut Vec<DeploymentCondition>,
    t: &str,
    status: &str,
    reason: &str,
    message: String,
    now: SimTime,
) {
    let ts = Some(Timestamp(now));
    match conds.iter_mut().find(|c| c.type_ == t) {
        Some(c) => {
            let same = c.status == status && c.reason.as_deref() == Some(reason);
            if c.status != status {
                c.last_transition_time = ts;
            }
            // lastUpdateTime moves when the condition says something new (upstream also
            // refreshes it on progress, handled by the caller passing a new reason).
            if !same || c.message.as_deref() != Some(message.as_str()) {
                c.last_update_time = ts;
            }
            c.status = status.into();
            c.reason = Some(reason.into());
            c.message = Some(message);
        }
        None => conds.push(DeploymentCondition {
            type_: t.into(),
            status: status.into(),
            last_update_time: ts,
            last_transition_time: ts,
            reason: Some(reason.into()),
            message: Some(message),
        }),
    }
}

/// One sync of a Deployment.
pub fn reconcile(key: &ObjKey, world: &World, now: SimTime) -> Vec<Effect> {
    let Some(d) = world.api.store.deployment(&key.namespace, &key.name) else {
        return Vec::new();
    };
    if d.metadata.deletion_timestamp.is_some() {
        return Vec::new();
    }
    let rss = owned_replicasets(world, d);
    let hash = template_hash(d);
    let dv = view(d);
    let desired = dv.replicas;
    let mut out = Vec::new();
    let new_rs = rss.iter().copied().find(|rs| same_template(d, rs));
    let old: Vec<&ReplicaSet> = rss
        .iter()
        .copied()
        .filter(|rs| new_rs.is_none_or(|n| n.metadata.name != rs.metadata.name))
        .collect();
    let max_rev = rss.iter().map(|rs| revision(rs)).max().unwrap_or(0);
    let mut progress_reason: Option<(&str, String)> = None;

    // 1. Make sure the newest template has a ReplicaSet with the highest revision.
    let Some(new_rs) = new_rs else {
        if d.spec.paused {
            return status_effects(d, &rss, None, now);
        }
        let old_views: Vec<ReplicaSetView> = old.iter().map(|r| rs_view(r)).collect();
        let start = match dv.strategy {
            StrategyType::Recreate => 0,
            _ => new_rs_new_replicas(&dv, &old_views, 0).unwrap_or(0),
        };
        let mut rs = new_replicaset(d, &hash, i64::from(start), max_rev + 1);
        copy_annotations(d, &mut rs);
        out.push(Effect::Emit(EventDraft::new(
            src(),
            ObjectRef::from_key(key),
            "ScalingReplicaSet",
            format!(
                "deployment-controller: Scaled up replica set {} from 0 to {start}: new pod template (revision {}){}",
                rs.metadata.name,
                max_rev + 1,
                match dv.strategy {
                    StrategyType::Recreate => ", starting at 0 because Recreate stops every old pod first".to_string(),
                    _ if old.is_empty() => String::new(),
                    _ => format!(", limited so that total pods stay within replicas {desired} + maxSurge"),
                }
            ),
        )));
        out.push(Effect::Create(Box::new(Object::ReplicaSet(rs))));
        let mut d2 = d.clone();
        set_condition(
            &mut d2.status.conditions,
            "Progressing",
            "True",
            progress::REASON_NEW_RS_CREATED,
            format!("Created new replica set \"{}-{hash}\"", d.metadata.name),
            now,
        );
        d2.status.observed_generation = d.metadata.generation;
        // The new template has no pods yet (upstream's syncRolloutStatus counts them
        // from the new ReplicaSet); stale counts would read as "rolled out".
        d2.status.updated_replicas = 0;
        out.push(Effect::Write(Box::new(Object::Deployment(d2))));
        return out;
    };
    let mut annotated = new_rs.clone();
    if copy_annotations(d, &mut annotated) && revision(new_rs) >= max_rev {
        out.push(Effect::Write(Box::new(Object::ReplicaSet(
            annotated.clone(),
        ))));
    }
    if revision(new_rs) < max_rev {
        // A rollback (or re-apply of an old template) reuses the old ReplicaSet and gives
        // it the next revision, remembering the old number.
        let mut rs = annotated;
        let old_rev = revision(new_rs);
        let hist = rs.metadata.annotations.get(REVISION_HISTORY).cloned();
        rs.metadata.annotations.insert(
            REVISION_HISTORY.into(),
            match hist {
                Some(h) if !h.is_empty() => format!("{h},{old_rev}"),
                _ => old_rev.to_string(),
            },
        );
        rs.metadata
            .annotations
            .insert(REVISION.into(), (max_rev + 1).to_string());
        out.push(Effect::Write(Box::new(Object::ReplicaSet(rs))));
        progress_reason = Some((
            progress::REASON_FOUND_NEW_RS,
            format!("Found new replica set \"{}\"", new_rs.metadata.name),
        ));
    }
    if d.spec.paused {
        return [out, status_effects(d, &rss, Some(new_rs), now)].concat();
    }

    // 2. Scale.
    match dv.strategy {
        StrategyType::Recreate => {
            let old_active = old
                .iter()
                .any(|rs| rs.spec.replicas.unwrap_or(1) > 0 || rs.status.replicas > 0);
            if old_active {
                for rs in &old {
                    out.extend(scale(
                        rs,
                        0,
                        key,
                        "Recreate: every old pod stops before any new one starts",
                    ));
                }
            } else {
                out.extend(scale(
                    new_rs,
                    desired,
                    key,
                    "Recreate: the old pods are gone, start the new ones",
                ));
            }
        }
        _ => {
            let old_views: Vec<ReplicaSetView> = old.iter().map(|r| rs_view(r)).collect();
            if let Ok(step) = rollout_rolling(&dv, &old_views, &rs_view(new_rs)) {
                let surge = crate::controllers::deployment::rolling::max_surge(&dv);
                let unavail = max_unavailable(&dv);
                let why_up = format!(
                    "rolling update may run up to {} pods (replicas {desired} + maxSurge {surge})",
                    desired + surge
                );
                out.extend(scale(new_rs, step.new_rs_replicas, key, &why_up));
                for ov in &step.old_rss {
                    if let Some(rs) = old.iter().find(|r| r.metadata.name == ov.name) {
                        let why = format!(
                            "keeping at least {} available (replicas {desired} - maxUnavailable {unavail}); new pods became available",
                            desired - unavail
                        );
                        out.extend(scale(rs, ov.replicas, key, &why));
                    }
                }
                if step.scaled_up || step.scaled_down {
                    progress_reason = Some((
                        progress::REASON_RS_UPDATED,
                        format!("ReplicaSet \"{}\" is progressing.", new_rs.metadata.name),
                    ));
                }
            }
        }
    }

    // 3. Old revisions beyond revisionHistoryLimit go once they are scaled to zero.
    let limit = d.spec.revision_history_limit.unwrap_or(10).max(0) as usize;
    let idle: Vec<&&ReplicaSet> = old
        .iter()
        .filter(|rs| rs.spec.replicas.unwrap_or(1) == 0 && rs.status.replicas == 0)
        .collect();
    if old.len() > limit {
        let mut by_rev = idle.clone();
        by_rev.sort_by_key(|rs| revision(rs));
        for rs in by_rev.into_iter().take(old.len() - limit) {
            let rk = ObjKey::new("ReplicaSet", &key.namespace, &rs.metadata.name);
            out.push(Effect::Emit(EventDraft::new(
                src(),
                ObjectRef::from_key(&rk),
                "DeletingReplicaSet",
                format!("deployment-controller: deleting old revision {} (revisionHistoryLimit {limit})", revision(rs)),
            )));
            out.push(Effect::Delete(rk));
        }
    }

    let mut status = status_effects(d, &rss, Some(new_rs), now);
    if let (Some((reason, msg)), Some(Effect::Write(obj))) = (progress_reason, status.last_mut())
        && let Object::Deployment(d2) = obj.as_mut()
    {
        let complete = d2
            .status
            .conditions
            .iter()
            .any(|c| c.reason.as_deref() == Some(progress::REASON_NEW_RS_AVAILABLE));
        if !complete {
            set_condition(
                &mut d2.status.conditions,
                "Progressing",
                "True",
                reason,
                msg,
                now,
            );
        }
    }
    out.extend(status);
    out
}

/// Status and conditions, plus a wake-up at the progress deadline.
fn status_effects(
    d: &Deployment,
    rss: &[&ReplicaSet],
    new_rs: Option<&ReplicaSet>,
    now: SimTime,
) -> Vec<Effect> {
    let desired = d.spec.replicas.unwrap_or(1);
    let counts = StatusCounts {
        replicas: rss.iter().map(|r| r.status.replicas).sum::<i64>() as i32,
        updated: new_rs.map(|r| r.status.replicas).unwrap_or(0) as i32,
        ready: rss.iter().map(|r| r.status.ready_replicas).sum::<i64>() as i32,
        available: rss.iter().map(|r| r.status.available_replicas).sum::<i64>() as i32,
    };
    let mut d2 = d.clone();
    let s = &mut d2.status;
    let before = StatusCounts {
        replicas: s.replicas as i32,
        updated: s.updated_replicas as i32,
        ready: s.ready_replicas as i32,
        available: s.available_replicas as i32,
    };
    s.observed_generation = d.metadata.generation;
    s.replicas = i64::from(counts.replicas);
    s.updated_replicas = i64::from(counts.updated);
    s.ready_replicas = i64::from(counts.ready);
    s.available_replicas = i64::from(counts.available);
    s.unavailable_replicas = (desired - i64::from(counts.available)).max(0);
    let min_available = desired - i64::from(max_unavailable(&view(d)));
    if i64::from(counts.available) >= min_available {
        set_condition(
            &mut s.conditions,
            "Available",
            "True",
            "MinimumReplicasAvailable",
            "Deployment has minimum availability.".into(),
            now,
        );
    } else {
        set_condition(
            &mut s.conditions,
            "Available",
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.".into(),
            now,
        );
    }
    let deadline = d
        .spec
        .progress_deadline_seconds
        .map(|v| v as i32)
        .or(Some(DEFAULT_PROGRESS_DEADLINE_SECONDS));
    let mut out = Vec::new();
    let complete = progress::deployment_complete(
        desired as i32,
        &counts,
        d.metadata.generation,
        s.observed_generation,
    );
    let cond = condition(d, "Progressing").map(|c| ProgressingCondition {
        reason: c.reason.clone().unwrap_or_default(),
        last_update_time: c.last_update_time.map(|t| t.0).unwrap_or(now),
    });
    if complete {
        if let Some(rs) = new_rs {
            set_condition(
                &mut s.conditions,
                "Progressing",
                "True",
                progress::REASON_NEW_RS_AVAILABLE,
                format!(
                    "ReplicaSet \"{}\" has successfully progressed.",
                    rs.metadata.name
                ),
                now,
            );
        }
    } else if progress::deployment_progressing(&before, &counts) {
        if let Some(rs) = new_rs {
            set_condition(
                &mut s.conditions,
                "Progressing",
                "True",
                progress::REASON_RS_UPDATED,
                format!("ReplicaSet \"{}\" is progressing.", rs.metadata.name),
                now,
            );
        }
    } else if progress::deployment_timed_out(deadline, cond.as_ref(), now) {
        if cond
            .as_ref()
            .is_some_and(|c| c.reason != progress::REASON_TIMED_OUT)
            && let Some(rs) = new_rs
        {
            out.push(Effect::Emit(EventDraft::new(
                    src(),
                    ObjectRef::namespaced("deployment", d.metadata.namespace_or_default(), &d.metadata.name),
                    progress::REASON_TIMED_OUT,
                    format!(
                        "deployment-controller: ReplicaSet \"{}\" has timed out progressing: no progress for {}s (progressDeadlineSeconds). The rollout is not rolled back automatically; use `kubectl rollout undo`.",
                        rs.metadata.name,
                        deadline.unwrap_or(600)
                    ),
                )));
            set_condition(
                &mut s.conditions,
                "Progressing",
                "False",
                progress::REASON_TIMED_OUT,
                format!(
                    "ReplicaSet \"{}\" has timed out progressing.",
                    rs.metadata.name
                ),
                now,
            );
        }
    } else if let (Some(c), Some(secs)) = (&cond, deadline) {
        // Wake up when the deadline would pass without progress.
        if c.reason != progress::REASON_NEW_RS_AVAILABLE
            && c.reason != progress::REASON_TIMED_OUT
            && secs != i32::MAX
        {
            let due = c
                .last_update_time
                .after(SimDuration::from_secs(secs as u64 + 1));
            out.push(Effect::Schedule {
                after: due.since(now).max(REACTION),
                task: Task::Reconcile {
                    controller: super::Controller::Deployment,
                    key: ObjKey::new(
                        "Deployment",
                        d.metadata.namespace_or_default(),
                        &d.metadata.name,
                    ),
                },
            });
        }
    }
    if d2.status != d.status {
        out.push(Effect::Write(Box::new(Object::Deployment(d2))));
    }
    out
}
