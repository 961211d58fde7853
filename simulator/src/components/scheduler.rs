//! kube-scheduler, running: it watches for pods without a node, runs a scheduling cycle
//! for each (the pure [`crate::scheduler::cycle`]), and binds the pod to the chosen node or
//! reports `FailedScheduling`. Unschedulable pods wait until the cluster changes (a node
//! is added, changes or frees resources), then are tried again.
//!
//! The scheduler keeps its own view of every node (its cache): what is allocatable and
//! what the pods bound there request, updated from the change feed.

use crate::api::Object;
use crate::api::meta::Timestamp;
use crate::api::node::Node;
use crate::api::pod::{Container, Pod, PodCondition};
use crate::apiserver::{Change, ChangeType, ObjKey};
use crate::effect::{Effect, Task};
use crate::event::{Component, Detail, EventDraft, ObjectRef, Source};
use crate::kube::resources::{ContainerResources, PodResources, Resource, ResourceList};
use crate::rng::SimRng;
use crate::scheduler::cycle::{self, Config};
use crate::scheduler::framework::{ImageState, NodeInfo, PodInfo};
use crate::time::{SimDuration, SimTime};
use crate::world::World;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// How long after a pod appears the scheduler binds it: queue pop plus the cycle itself
/// (upstream's p50 is a few milliseconds).
pub const CYCLE_LATENCY: SimDuration = SimDuration::from_millis(5);

/// The scheduler's state: its node cache, where the next cycle starts, and the pods
/// parked as unschedulable.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SchedulerState {
    /// Decision-relevant configuration.
    pub config: Config,
    /// Node views by name (the scheduler cache).
    pub nodes: BTreeMap<String, NodeInfo>,
    /// What each bound pod adds to its node: (node, requests, non-zero requests).
    pub bound: BTreeMap<ObjKey, (String, ResourceList, ResourceList)>,
    /// `nextStartNodeIndex`.
    pub next_start: usize,
    /// Pods that did not fit, retried on cluster changes.
    pub unschedulable: BTreeSet<ObjKey>,
    /// The active queue (`PrioritySort`): pods waiting for a cycle, ordered by higher
    /// `spec.priority` first, then earlier arrival.
    pub active: BTreeSet<QueuedPod>,
    /// Arrival counter, the tie-break after time.
    pub arrivals: u64,
}

/// A pod waiting in the active queue. Field order is the queue order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct QueuedPod {
    /// Negated priority, so higher priorities sort first.
    pub neg_priority: i64,
    /// When it was queued.
    pub queued_at: SimTime,
    /// Arrival order among pods queued at the same instant.
    pub arrival: u64,
    /// The pod.
    pub key: ObjKey,
}

fn requests_of(c: &Container) -> ResourceList {
    let items: Vec<(&str, &str)> = c
        .resources
        .requests
        .iter()
        .map(|(k, v)| (k.as_str(), v.0.as_str()))
        .collect();
    // Quantities were validated on admission; a parse failure here cannot happen.
    ResourceList::parse(items).unwrap_or_default()
}

/// The scheduler's view of a pod.
pub fn pod_info(p: &Pod) -> PodInfo {
    let overhead: Vec<(&str, &str)> = p
        .spec
        .overhead
        .iter()
        .map(|(k, v)| (k.as_str(), v.0.as_str()))
        .collect();
    PodInfo {
        name: p.metadata.name.clone(),
        resources: PodResources {
            containers: p
                .spec
                .containers
                .iter()
                .map(|c| ContainerResources::new(&c.name, requests_of(c)))
                .collect(),
            init_containers: p
                .spec
                .init_containers
                .iter()
                .map(|c| ContainerResources {
                    restartable: c.restart_policy.as_deref() == Some("Always"),
                    ..ContainerResources::new(&c.name, requests_of(c))
                })
                .collect(),
            overhead: ResourceList::parse(overhead).unwrap_or_default(),
        },
        tolerations: p.spec.tolerations.iter().map(|t| t.to_domain()).collect(),
        node_selector: p.spec.node_selector.clone(),
        node_affinity: p
            .spec
            .affinity
            .as_ref()
            .and_then(|a| a.node_affinity.as_ref())
            .map(|a| a.to_domain())
            .unwrap_or_default(),
        node_name: p.spec.node_name.clone().unwrap_or_default(),
        init_images: p
            .spec
            .init_containers
            .iter()
            .map(|c| c.image.clone())
            .collect(),
        images: p.spec.containers.iter().map(|c| c.image.clone()).collect(),
    }
}

fn static_view(n: &Node) -> NodeInfo {
    let alloc: Vec<(&str, &str)> = n
        .status
        .allocatable
        .iter()
        .map(|(k, v)| (k.as_str(), v.0.as_str()))
        .collect();
    NodeInfo {
        name: n.metadata.name.as_str().into(),
        labels: n.metadata.labels.clone(),
        taints: n.spec.taints.iter().filter_map(|t| t.to_domain()).collect(),
        unschedulable: n.spec.unschedulable,
        allocatable: Resource::from_list(&ResourceList::parse(alloc).unwrap_or_default()),
        requested: Resource::default(),
        non_zero_requested: Resource::default(),
        pod_count: 0,
        images: n
            .status
            .images
            .iter()
            .flat_map(|i| {
                i.names.iter().map(move |name| {
                    (
                        name.clone(),
                        ImageState {
                            size: i.size_bytes,
                            num_nodes: 1,
                        },
                    )
                })
            })
            .collect(),
    }
}

fn occupies(p: &Pod) -> Option<&str> {
    let terminal = matches!(
        p.status.phase.as_deref(),
        Some("Succeeded") | Some("Failed")
    );
    if terminal {
        None
    } else {
        p.spec.node_name.as_deref()
    }
}

impl SchedulerState {
    fn unbind(&mut self, key: &ObjKey) {
        if let Some((node, req, nz)) = self.bound.remove(key)
            && let Some(info) = self.nodes.get_mut(&node)
        {
            info.remove_pod_requests(&req, &nz);
        }
    }

    /// Counts `p` on `node` in the cache (the same accounting `shipshape bench scheduler`
    /// uses: [`PodInfo::node_requests`] and [`NodeInfo::add_pod_requests`]).
    fn bind(&mut self, key: ObjKey, node: &str, p: &Pod) {
        let (req, nz) = pod_info(p).node_requests();
        if let Some(info) = self.nodes.get_mut(node) {
            info.add_pod_requests(&req, &nz);
        }
        self.bound.insert(key, (node.to_string(), req, nz));
    }

    /// Updates the cache from one change (the engine calls this for every change).
    /// Returns true when the change could make room for a parked pod: a node appeared,
    /// went, or changed what the scheduler looks at (a heartbeat does not), or a pod left
    /// a node.
    pub fn observe(&mut self, change: &Change) -> bool {
        match (&change.object, change.kind) {
            (Object::Node(n), ChangeType::Deleted) => self.nodes.remove(&n.metadata.name).is_some(),
            (Object::Node(n), _) => {
                let mut view = static_view(n);
                let old = self.nodes.get(&n.metadata.name);
                if let Some(old) = old {
                    view.requested = old.requested.clone();
                    view.non_zero_requested = old.non_zero_requested.clone();
                    view.pod_count = old.pod_count;
                    for (name, st) in view.images.iter_mut() {
                        if let Some(o) = old.images.get(name) {
                            st.num_nodes = o.num_nodes;
                        }
                    }
                }
                // Upstream's queueing hints: only what can make a parked pod fit counts
                // (a new node, more allocatable, labels, taints, cordon state); image
                // lists and heartbeats do not.
                let made_room = old.is_none_or(|o| {
                    o.labels != view.labels
                        || o.taints != view.taints
                        || o.unschedulable != view.unschedulable
                        || o.allocatable != view.allocatable
                });
                if old != Some(&view) {
                    self.nodes.insert(n.metadata.name.clone(), view);
                    self.recount_image_spread();
                }
                made_room
            }
            (Object::Pod(p), kind) => {
                let now_on = if kind == ChangeType::Deleted {
                    None
                } else {
                    occupies(p)
                };
                let was_on = self.bound.get(&change.key).map(|(n, ..)| n.clone());
                let mut freed = false;
                if was_on.as_deref() != now_on {
                    self.unbind(&change.key);
                    freed = was_on.is_some();
                    if let Some(node) = now_on {
                        self.bind(change.key.clone(), node, p);
                    }
                }
                if kind == ChangeType::Deleted || p.spec.node_name.is_some() {
                    self.unschedulable.remove(&change.key);
                }
                freed
            }
            _ => false,
        }
    }

    /// ImageLocality scales by how many nodes have an image; keep that count current.
    fn recount_image_spread(&mut self) {
        let mut counts: BTreeMap<String, i64> = BTreeMap::new();
        for info in self.nodes.values() {
            for name in info.images.keys() {
                *counts.entry(name.clone()).or_insert(0) += 1;
            }
        }
        for info in self.nodes.values_mut() {
            for (name, st) in info.images.iter_mut() {
                st.num_nodes = counts.get(name).copied().unwrap_or(1);
            }
        }
    }
}

fn wants_scheduling(p: &Pod) -> bool {
    p.spec.node_name.is_none()
        && !p.is_terminating()
        && p.spec
            .scheduler_name
            .as_deref()
            .unwrap_or("default-scheduler")
            == "default-scheduler"
}

/// Which scheduling cycles a change queues: the pod itself if it needs a node; every
/// parked unschedulable pod if [`SchedulerState::observe`] found the change could make
/// room for them.
pub fn watch(change: &Change, state: &SchedulerState, made_room: bool) -> Vec<ObjKey> {
    let mut out = Vec::new();
    if let (Object::Pod(p), ChangeType::Added) = (&change.object, change.kind)
        && wants_scheduling(p)
    {
        out.push(change.key.clone());
    }
    if made_room {
        out.extend(state.unschedulable.iter().cloned());
    }
    out
}

/// The result of one cycle: effects for the engine, and where the next cycle starts.
pub struct Outcome {
    /// Effects (binding, events).
    pub effects: Vec<Effect>,
    /// New `nextStartNodeIndex`.
    pub next_start: usize,
    /// Whether the pod is now parked as unschedulable.
    pub unschedulable: bool,
}

/// Runs one cycle for `key`.
pub fn schedule(key: &ObjKey, world: &World, now: SimTime, rng: &mut SimRng) -> Outcome {
    let state = &world.scheduler;
    let mut out = Outcome {
        effects: Vec::new(),
        next_start: state.next_start,
        unschedulable: false,
    };
    let Some(pod) = world.api.store.pod(&key.namespace, &key.name) else {
        return out;
    };
    if !wants_scheduling(pod) {
        return out;
    }
    let nodes: Vec<&NodeInfo> = state.nodes.values().collect();
    let names: std::sync::Arc<[crate::scheduler::framework::NodeName]> =
        nodes.iter().map(|n| n.name.clone()).collect();
    let record = cycle::schedule_one(
        &pod_info(pod),
        &nodes,
        &names,
        state.next_start,
        &state.config,
        rng,
    );
    out.next_start = record.next_start;
    let pod_ref = ObjectRef::namespaced("pod", &key.namespace, &key.name);
    let src = Source::of(Component::KubeScheduler);
    match record.chosen.clone() {
        Some(node) => {
            let why = explain_choice(&record);
            let mut bound = pod.clone();
            bound.spec.node_name = Some(node.to_string());
            set_condition(&mut bound, "PodScheduled", "True", None, None, now);
            out.effects.push(Effect::Emit(
                EventDraft::new(
                    src,
                    pod_ref,
                    "Scheduled",
                    format!(
                        "Successfully assigned {}/{} to {node}: {why}",
                        key.namespace, key.name
                    ),
                )
                .with_detail(Detail::Scheduling(Box::new(record))),
            ));
            out.effects
                .push(Effect::Write(Box::new(Object::Pod(bound))));
        }
        None => {
            let msg = record.failure.clone().unwrap_or_default();
            let mut parked = pod.clone();
            set_condition(
                &mut parked,
                "PodScheduled",
                "False",
                Some("Unschedulable"),
                Some(&msg),
                now,
            );
            out.unschedulable = true;
            out.effects.push(Effect::Emit(
                EventDraft::new(
                    src,
                    pod_ref,
                    "FailedScheduling",
                    format!("{msg} The pod stays Pending and is retried when the cluster changes."),
                )
                .with_detail(Detail::Scheduling(Box::new(record))),
            ));
            if parked.status != pod.status {
                out.effects
                    .push(Effect::Write(Box::new(Object::Pod(parked))));
            }
        }
    }
    out
}

/// A one-line reason for the choice, from the record.
fn explain_choice(r: &cycle::CycleRecord) -> String {
    let rejected = r.filtered.rejected();
    let feasible = r.filtered.len() - rejected;
    let mut s = if r.scores.is_empty() {
        format!("the only feasible node of {} checked", r.filtered.len())
    } else {
        let best = r.scores.totals().iter().copied().max().unwrap_or(0);
        format!("highest score {best} among {feasible} feasible node(s)")
    };
    if rejected > 0 {
        s.push_str(&format!(", {rejected} filtered out"));
    }
    if r.tied.len() > 1 {
        s.push_str(&format!(
            ", tie between {} broken by the seeded RNG",
            r.tied.join(", ")
        ));
    }
    s
}

/// Sets (or adds) a pod condition, keeping the transition time when the status is the
/// same.
pub fn set_condition(
    p: &mut Pod,
    type_: &str,
    status: &str,
    reason: Option<&str>,
    message: Option<&str>,
    now: SimTime,
) {
    let ts = Some(Timestamp(now));
    match p.status.conditions.iter_mut().find(|c| c.type_ == type_) {
        Some(c) => {
            if c.status != status {
                c.last_transition_time = ts;
            }
            c.status = status.into();
            c.reason = reason.map(String::from);
            c.message = message.map(String::from);
        }
        None => p.status.conditions.push(PodCondition {
            type_: type_.into(),
            status: status.into(),
            last_transition_time: ts,
            reason: reason.map(String::from),
            message: message.map(String::from),
            last_probe_time: None,
        }),
    }
}

impl SchedulerState {
    /// Adds a pod to the active queue (once: a queued pod keeps its place).
    pub fn enqueue(&mut self, key: ObjKey, priority: i64, now: SimTime) {
        if self.active.iter().any(|q| q.key == key) {
            return;
        }
        self.arrivals += 1;
        self.active.insert(QueuedPod {
            neg_priority: -priority,
            queued_at: now,
            arrival: self.arrivals,
            key,
        });
    }

    /// Takes the pod to schedule next (`PrioritySort.Less`: priority, then queue time).
    pub fn pop(&mut self) -> Option<ObjKey> {
        self.active.pop_first().map(|q| q.key)
    }
}

/// The task that runs the next scheduling cycle.
pub fn task() -> Task {
    Task::ScheduleNext
}
