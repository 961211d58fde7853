//! The Kubernetes Cluster Autoscaler (`kubernetes/autoscaler`, `cluster-autoscaler/`) for
//! EKS managed node groups.
//!
//! Every [`SCAN_INTERVAL`] it looks at the cluster:
//!
//! - **Scale-up.** Pods the scheduler marked unschedulable (`PodScheduled=False`, reason
//!   `Unschedulable`) that would not fit on an existing or an upcoming node (one still
//!   booting) are packed onto new nodes shaped like each node group's template, using the
//!   scheduler's own filter plugins (taints, node selectors and affinity, resources). A
//!   group whose template fits some of them grows by as many nodes as the packing needs,
//!   up to its `maxSize`. With several candidate groups, the default `random` expander
//!   picks one (with the simulation's seeded RNG).
//! - **Scale-down.** A node-group node whose pods request less than
//!   [`SCALE_DOWN_UTILIZATION_THRESHOLD`] of its allocatable CPU and memory, and whose
//!   pods would all fit on other nodes, is *unneeded*; after
//!   [`SCALE_DOWN_UNNEEDED_TIME`] it is tainted, drained and removed (the group's desired
//!   size drops, never below `minSize`). Nothing is removed within
//!   [`SCALE_DOWN_DELAY_AFTER_ADD`] of a scale-up. Nodes running kube-system pods that are
//!   not DaemonSet pods (`skip-nodes-with-system-pods`, default true) or pods no
//!   controller owns are kept.
//!
//! Upstream defaults are in `cluster-autoscaler/FAQ.md` ("What are the parameters to
//! CA?") and `config/autoscaling_options.go`. Simplifications: one non-empty node is
//! removed per scan; PodDisruptionBudgets are not consulted; the autoscaler runs for
//! every EKS cluster with node groups (on a real cluster you deploy it yourself, e.g.
//! with its Helm chart and node-group auto-discovery by ASG tags).

use crate::api::node::Node;
use crate::api::pod::Pod;
use crate::components::aws::eks::{self as eks, EksTask, drainable_pods, eks_later, event, put};
use crate::ecs::eks::{EksCluster, MemberState, NodeGroup};
use crate::effect::Effect;
use crate::event::{Component, ObjectRef};
use crate::kube::resources::{Resource, ResourceList};
use crate::rng::SimRng;
use crate::scheduler::cycle::{self, Config};
use crate::scheduler::framework::{NodeInfo, NodeName, PodInfo};
use crate::time::{SimDuration, SimTime};
use crate::world::World;
use std::sync::Arc;

/// `--scan-interval`: how often the autoscaler looks (default 10 s).
pub const SCAN_INTERVAL: SimDuration = SimDuration::from_secs(10);

/// `--scale-down-utilization-threshold` (default 0.5), as a percentage: a node whose
/// pods request less than this share of both its CPU and its memory may be removed.
pub const SCALE_DOWN_UTILIZATION_THRESHOLD: i64 = 50;

/// `--scale-down-unneeded-time` (default 10 minutes): how long a node must stay
/// unneeded before it is removed.
pub const SCALE_DOWN_UNNEEDED_TIME: SimDuration = SimDuration::from_mins(10);

/// `--scale-down-delay-after-add` (default 10 minutes): no scale-down this soon after a
/// scale-up.
pub const SCALE_DOWN_DELAY_AFTER_ADD: SimDuration = SimDuration::from_mins(10);

/// The first scan of a cluster's autoscaler.
pub fn start(cluster: &str) -> Effect {
    eks_later(
        SCAN_INTERVAL,
        EksTask::AutoscalerTick {
            cluster: cluster.to_string(),
        },
    )
}

/// The scheduler's view of a node object (as its cache would build it), with no pods.
fn node_info(n: &Node) -> NodeInfo {
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
        ..NodeInfo::default()
    }
}

/// A node the group would add: its registered shape and labels, with the DaemonSet pod
/// every node runs (kube-proxy, no requests) counted.
fn template(g: &NodeGroup, k: usize) -> Option<NodeInfo> {
    let zone = g
        .members
        .values()
        .next()
        .map(|m| m.zone.clone())
        .unwrap_or_else(|| format!("{}a", crate::ecs::REGION));
    let n = eks::node_group_node(
        g,
        &format!("template-node-for-{}-{k}", g.asg),
        &zone,
        0,
        SimTime::ZERO,
    )?;
    let mut info = node_info(&n);
    info.add_pod_requests(&ResourceList::new(), &ResourceList::new());
    Some(info)
}

/// Whether `pod` passes every filter plugin on `node` (a one-node scheduling cycle:
/// with one node the RNG is never drawn). The error is the scheduler's reasons.
fn fits(pod: &PodInfo, node: &NodeInfo, rng: &mut SimRng) -> Result<(), String> {
    let names: Arc<[NodeName]> = Arc::from(vec![node.name.clone()]);
    let r = cycle::schedule_one(pod, &[node], &names, 0, &Config::default(), rng);
    match r.chosen {
        Some(_) => Ok(()),
        None => {
            let f = r.failure.unwrap_or_default();
            let reasons = f.split_once(": ").map_or(f.as_str(), |(_, r)| r);
            Err(reasons
                .trim_end_matches('.')
                .split(", ")
                .map(|x| x.strip_prefix("1 ").unwrap_or(x))
                .collect::<Vec<_>>()
                .join(", "))
        }
    }
}

fn place(pod: &PodInfo, node: &mut NodeInfo) {
    let (req, nz) = pod.node_requests();
    node.add_pod_requests(&req, &nz);
}

fn pod_name(p: &Pod) -> String {
    format!("{}/{}", p.metadata.namespace_or_default(), p.metadata.name)
}

/// Pods the scheduler gave up on for now: unbound, `PodScheduled=False/Unschedulable`.
fn unschedulable_pods(world: &World) -> Vec<&Pod> {
    world
        .api
        .store
        .pods()
        .filter(|p| {
            p.spec.node_name.is_none()
                && !p.is_terminating()
                && p.spec
                    .scheduler_name
                    .as_deref()
                    .unwrap_or("default-scheduler")
                    == "default-scheduler"
                && p.status.conditions.iter().any(|c| {
                    c.type_ == "PodScheduled"
                        && c.status == "False"
                        && c.reason.as_deref() == Some("Unschedulable")
                })
        })
        .collect()
}

/// One scan: scale up for unschedulable pods, then look for unneeded nodes.
pub fn tick(world: &World, cluster: &str, now: SimTime, rng: &mut SimRng) -> Vec<Effect> {
    let Some(c) = world.aws.eks.get(cluster) else {
        return Vec::new();
    };
    let mut c = c.clone();
    if c.status != "ACTIVE" || c.node_groups.is_empty() {
        c.autoscaler.running = false;
        return vec![put(c)];
    }
    let mut out = Vec::new();
    scale_up(world, &mut c, now, rng, &mut out);
    scale_down(world, &mut c, now, rng, &mut out);
    out.insert(0, put(c));
    out.push(start(cluster));
    out
}

fn scale_up(
    world: &World,
    c: &mut EksCluster,
    now: SimTime,
    rng: &mut SimRng,
    out: &mut Vec<Effect>,
) {
    let pending = unschedulable_pods(world);
    let pending_names: Vec<String> = pending.iter().map(|p| pod_name(p)).collect();
    c.autoscaler.reported.retain(|k| pending_names.contains(k));
    if pending.is_empty() {
        return;
    }
    // The cluster as it will be: existing nodes plus the ones still booting.
    let mut snapshot: Vec<NodeInfo> = world.scheduler.nodes.values().cloned().collect();
    for g in c.node_groups.values().filter(|g| g.status != "DELETING") {
        let ready = g
            .members
            .values()
            .filter(|m| m.state == MemberState::Ready)
            .count();
        for k in ready..g.desired_size as usize {
            if let Some(t) = template(g, k) {
                snapshot.push(t);
            }
        }
    }
    let mut remaining: Vec<(&Pod, PodInfo)> = Vec::new();
    for p in &pending {
        let info = crate::components::scheduler::pod_info(p);
        match snapshot.iter_mut().find(|n| fits(&info, n, rng).is_ok()) {
            Some(n) => place(&info, n),
            None => remaining.push((p, info)),
        }
    }
    if remaining.is_empty() {
        return;
    }
    // Binpacking estimate per group.
    struct Candidate {
        group: String,
        nodes: u32,
        helped: Vec<String>,
        left: usize,
    }
    let mut options: Vec<Candidate> = Vec::new();
    let mut why_not: Vec<(String, Vec<String>)> = remaining
        .iter()
        .map(|(p, _)| (pod_name(p), Vec::new()))
        .collect();
    for g in c.node_groups.values().filter(|g| g.status != "DELETING") {
        let room = g.max_size.saturating_sub(g.desired_size) as usize;
        let Some(empty) = template(g, 0) else {
            continue;
        };
        let mut new_nodes: Vec<NodeInfo> = Vec::new();
        let mut helped = Vec::new();
        let mut left = 0;
        for (i, (p, info)) in remaining.iter().enumerate() {
            if let Err(why) = fits(info, &empty, rng) {
                why_not[i].1.push(format!(
                    "a new {} in node group {} would not fit it ({why})",
                    g.instance_type, g.name
                ));
                continue;
            }
            if let Some(n) = new_nodes.iter_mut().find(|n| fits(info, n, rng).is_ok()) {
                place(info, n);
                helped.push(pod_name(p));
            } else if new_nodes.len() < room {
                let mut n = empty.clone();
                place(info, &mut n);
                new_nodes.push(n);
                helped.push(pod_name(p));
            } else {
                left += 1;
                why_not[i].1.push(format!(
                    "node group {} is at its max size {}",
                    g.name, g.max_size
                ));
            }
        }
        if !helped.is_empty() {
            options.push(Candidate {
                group: g.name.clone(),
                nodes: new_nodes.len() as u32,
                helped,
                left,
            });
        }
    }
    let chosen = match options.len() {
        0 => None,
        1 => options.pop(),
        n => {
            let i = rng.below(n as u64) as usize;
            Some(options.swap_remove(i))
        }
    };
    let mut helped_names: Vec<String> = Vec::new();
    if let Some(o) = chosen {
        helped_names = o.helped.clone();
        if let Some(g) = c.node_groups.get_mut(&o.group) {
            let from = g.desired_size;
            g.desired_size += o.nodes;
            g.modified_at = now;
            let first = remaining
                .iter()
                .find(|(p, _)| pod_name(p) == o.helped[0])
                .map(|(p, _)| *p);
            let sched_msg = first
                .and_then(|p| {
                    p.status
                        .conditions
                        .iter()
                        .find(|c| c.type_ == "PodScheduled")
                })
                .and_then(|c| c.message.clone())
                .unwrap_or_default();
            let who = if o.helped.len() == 1 {
                format!("pod {} is unschedulable ({sched_msg})", o.helped[0])
            } else {
                format!(
                    "{} pods are unschedulable ({}; {sched_msg})",
                    o.helped.len(),
                    o.helped.join(", ")
                )
            };
            let what = if o.nodes == 1 {
                format!(
                    "a new {} in node group {} fits {}",
                    g.instance_type,
                    g.name,
                    if o.helped.len() == 1 { "it" } else { "them" }
                )
            } else {
                format!(
                    "{} new {} nodes in node group {} fit them",
                    o.nodes, g.instance_type, g.name
                )
            };
            let mut msg = format!(
                "{who}; {what}: scaling {} {from} → {} (max {})",
                g.name, g.desired_size, g.max_size
            );
            if o.left > 0 {
                msg.push_str(&format!(
                    "; {} more pod(s) would need nodes beyond the group's max size and stay Pending",
                    o.left
                ));
            }
            msg.push_str(". The new instances boot and join in a few minutes; the scheduler then places the pods.");
            out.push(event(
                Component::ClusterAutoscaler,
                ObjectRef::new("nodegroup", &g.name),
                "TriggeredScaleUp",
                msg,
            ));
            out.push(eks_later(
                SimDuration::ZERO,
                EksTask::NodeGroupSync {
                    cluster: c.name.clone(),
                    nodegroup: g.name.clone(),
                },
            ));
            c.autoscaler.last_scale_up = Some(now);
        }
    }
    for (name, reasons) in why_not {
        if helped_names.contains(&name) || c.autoscaler.reported.contains(&name) {
            continue;
        }
        let (ns, pod) = name.split_once('/').unwrap_or(("default", name.as_str()));
        out.push(event(
            Component::ClusterAutoscaler,
            ObjectRef::namespaced("pod", ns, pod),
            "NotTriggerScaleUp",
            format!(
                "pod {name} didn't trigger scale-up: {}",
                if reasons.is_empty() {
                    "no node group could take it".to_string()
                } else {
                    reasons.join("; ")
                }
            ),
        ));
        c.autoscaler.reported.insert(name);
    }
}

/// Requested share of allocatable, in percent (CPU, memory).
fn utilization(n: &NodeInfo) -> (i64, i64) {
    let pct = |used: i64, total: i64| if total <= 0 { 100 } else { used * 100 / total };
    (
        pct(n.requested.milli_cpu, n.allocatable.milli_cpu),
        pct(n.requested.memory, n.allocatable.memory),
    )
}

fn scale_down(
    world: &World,
    c: &mut EksCluster,
    now: SimTime,
    rng: &mut SimRng,
    out: &mut Vec<Effect>,
) {
    let cooldown = c
        .autoscaler
        .last_scale_up
        .is_some_and(|t| now < t.after(SCALE_DOWN_DELAY_AFTER_ADD));
    let mut removed_one = false;
    let mut seen: Vec<String> = Vec::new();
    let groups: Vec<String> = c
        .node_groups
        .values()
        .filter(|g| g.status == "ACTIVE")
        .map(|g| g.name.clone())
        .collect();
    for gname in groups {
        let Some(g) = c.node_groups.get(&gname).cloned() else {
            continue;
        };
        for (id, m) in g
            .members
            .iter()
            .filter(|(_, m)| m.state == MemberState::Ready)
        {
            let Some(info) = world.scheduler.nodes.get(&m.node) else {
                continue;
            };
            seen.push(m.node.clone());
            let (cpu, mem) = utilization(info);
            if cpu >= SCALE_DOWN_UTILIZATION_THRESHOLD || mem >= SCALE_DOWN_UTILIZATION_THRESHOLD {
                c.autoscaler.unneeded.remove(&m.node);
                continue;
            }
            // Can every pod move?
            let pods: Vec<&Pod> = drainable_pods(world, &m.node).collect();
            let blocked = pods.iter().any(|p| {
                p.metadata.namespace_or_default() == "kube-system"
                    || p.metadata.controller().is_none()
                    || p.metadata
                        .annotations
                        .get("cluster-autoscaler.kubernetes.io/safe-to-evict")
                        .map(String::as_str)
                        == Some("false")
            });
            if blocked {
                c.autoscaler.unneeded.remove(&m.node);
                continue;
            }
            let mut others: Vec<NodeInfo> = world
                .scheduler
                .nodes
                .values()
                .filter(|n| {
                    n.name != m.node.as_str()
                        && !c.autoscaler.unneeded.contains_key(n.name.as_str())
                })
                .cloned()
                .collect();
            let mut movable = true;
            for p in &pods {
                let mut info = crate::components::scheduler::pod_info(p);
                // Where it would go if recreated: not pinned to this node.
                info.node_name.clear();
                match others.iter_mut().find(|n| fits(&info, n, rng).is_ok()) {
                    Some(n) => place(&info, n),
                    None => {
                        movable = false;
                        break;
                    }
                }
            }
            if !movable {
                c.autoscaler.unneeded.remove(&m.node);
                continue;
            }
            let since = *c.autoscaler.unneeded.entry(m.node.clone()).or_insert(now);
            // Reported on the second scan that finds it unneeded, so a node that is
            // empty only for an instant (it just joined, pods are being bound) is not.
            if now.since(since) == SCAN_INTERVAL {
                out.push(event(
                    Component::ClusterAutoscaler,
                    ObjectRef::new("node", &m.node),
                    "ScaleDownCandidate",
                    format!(
                        "node {} is unneeded: its pods request {cpu}% of its CPU and {mem}% of its memory (below the {SCALE_DOWN_UTILIZATION_THRESHOLD}% scale-down-utilization-threshold) and {} fit on other nodes; it is removed if this holds for {SCALE_DOWN_UNNEEDED_TIME} (scale-down-unneeded-time)",
                        m.node,
                        if pods.is_empty() {
                            "it runs nothing else that would need to".to_string()
                        } else {
                            format!("its {} pod(s) would", pods.len())
                        }
                    ),
                ));
            }
            let live = g.live().count() as u32;
            if removed_one
                || cooldown
                || now.since(since) < SCALE_DOWN_UNNEEDED_TIME
                || live <= g.min_size
            {
                continue;
            }
            let Some(gm) = c.node_groups.get_mut(&gname) else {
                continue;
            };
            let from = gm.desired_size;
            gm.desired_size = gm.desired_size.saturating_sub(1).max(gm.min_size);
            gm.modified_at = now;
            out.push(event(
                Component::ClusterAutoscaler,
                ObjectRef::new("node", &m.node),
                "ScaleDown",
                format!(
                    "removing node {} from node group {gname} ({from} → {}): unneeded for {} (requests {cpu}% CPU, {mem}% memory of allocatable); its instance is terminated with the group's desired size decremented",
                    m.node,
                    gm.desired_size,
                    now.since(since)
                ),
            ));
            let cluster = c.name.clone();
            let mut gm2 = gm.clone();
            out.extend(eks::retire(world, &cluster, &mut gm2, id, now, true));
            c.node_groups.insert(gname.clone(), gm2);
            c.autoscaler.unneeded.remove(&m.node);
            removed_one = true;
        }
    }
    c.autoscaler.unneeded.retain(|n, _| seen.contains(n));
}
