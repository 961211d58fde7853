//! EKS: the managed control plane, managed node groups and Fargate profiles.
//!
//! - The control plane goes `CREATING` → `ACTIVE` after
//!   [`crate::ecs::eks::CONTROL_PLANE_CREATE`] and is billed per hour from creation.
//! - A node group keeps `desiredSize` EC2 instances ([`EksTask::NodeGroupSync`]); each
//!   boots for [`INSTANCE_BOOT`], then its kubelet registers a Node sized from the
//!   instance type ([`crate::ecs::eks::node_shape`]) and kube-proxy starts on it (the
//!   same path as `kubeadm join` / `sim node add`: [`bootstrap::joined`]). Instances
//!   leave by being cordoned and drained first, then terminated.
//! - A pod matching an `ACTIVE` Fargate profile is taken by the `fargate-scheduler`
//!   (EKS's admission webhook sets `schedulerName: fargate-scheduler`, so kube-scheduler
//!   leaves it alone), gets a micro-VM that registers as its own Node after
//!   [`crate::ecs::eks::FARGATE_PROVISION`], and is bound there. The micro-VM is billed
//!   at the Fargate rate of its size while the pod runs (one-minute minimum).

use super::{AwsEffect, AwsTask, fx, later};
use crate::api::Object;
use crate::api::node::{Node, NodeAddress};
use crate::api::pod::Pod;
use crate::api::values::Quantity;
use crate::apiserver::{Change, ChangeType, ObjKey};
use crate::components::bootstrap;
use crate::cost::{Billable, Category};
use crate::ecs::cluster::{AutoScalingGroup, GroupPurpose, INSTANCE_BOOT, Instance, InstanceState};
use crate::ecs::eks::{
    self as model, EksCluster, FARGATE_PROFILE_LABEL, FARGATE_SCHEDULER, FARGATE_TAINT_KEY,
    FargatePod, Member, MemberState, NODEGROUP_LABEL, NodeGroup,
};
use crate::ecs::vpc::{Subnet, format_ip};
use crate::effect::{Effect, Task};
use crate::event::{Component, EventDraft, ObjectRef, Source};
use crate::rng::SimRng;
use crate::scenario::NodeSpec;
use crate::time::{SimDuration, SimTime};
use crate::world::World;
use std::collections::BTreeMap;

/// How often a draining node is checked for pods still terminating.
pub const DRAIN_POLL: SimDuration = SimDuration::from_secs(5);

/// The longest a drain waits for pods before the instance is terminated anyway (the
/// Cluster Autoscaler's `max-graceful-termination-sec` default, 600 s).
pub const MAX_DRAIN: SimDuration = SimDuration::from_mins(10);

/// The taint the Cluster Autoscaler puts on a node it is removing
/// (`ToBeDeletedByClusterAutoscaler`, upstream `utils/taints`).
pub const TO_BE_DELETED_TAINT: &str = "ToBeDeletedByClusterAutoscaler";

/// EKS work.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum EksTask {
    /// A cluster's control plane finished creating.
    ClusterActive {
        /// Cluster name.
        cluster: String,
    },
    /// A deleting cluster is gone.
    ClusterDeleted {
        /// Cluster name.
        cluster: String,
    },
    /// A node group launches or removes instances to match its desired size.
    NodeGroupSync {
        /// Cluster name.
        cluster: String,
        /// Node group name.
        nodegroup: String,
    },
    /// A node-group instance finished booting: its kubelet registers the node.
    InstanceJoined {
        /// Cluster name.
        cluster: String,
        /// Node group name.
        nodegroup: String,
        /// Instance id.
        instance: String,
    },
    /// A draining instance is terminated once its pods are gone.
    NodeTerminate {
        /// Cluster name.
        cluster: String,
        /// Node group name.
        nodegroup: String,
        /// Instance id.
        instance: String,
    },
    /// A Fargate profile finished creating or deleting.
    FargateProfileSettled {
        /// Cluster name.
        cluster: String,
        /// Profile name.
        profile: String,
    },
    /// The Fargate webhook and scheduler take a new pod that matches a profile.
    FargatePod {
        /// Cluster name.
        cluster: String,
        /// Pod namespace.
        namespace: String,
        /// Pod name.
        name: String,
    },
    /// A pod's Fargate micro-VM is up: its node registers and the pod is bound.
    FargateReady {
        /// Cluster name.
        cluster: String,
        /// Pod namespace.
        namespace: String,
        /// Pod name.
        name: String,
    },
    /// A Fargate pod finished or was deleted: stop its bill (and remove its node).
    FargateRelease {
        /// Cluster name.
        cluster: String,
        /// Pod namespace.
        namespace: String,
        /// Pod name.
        name: String,
    },
    /// One Cluster Autoscaler scan (every 10 s).
    AutoscalerTick {
        /// Cluster name.
        cluster: String,
    },
}

/// EKS state changes.
// `Effect::Aws` boxes every AWS effect already, so the variants' sizes do not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum EksEffect {
    /// Store a cluster.
    PutCluster(crate::ecs::eks::EksCluster),
    /// Forget a deleted cluster.
    RemoveCluster(String),
    /// Forget a deleted node group's Auto Scaling group.
    RemoveAutoScalingGroup(String),
}

/// Stores a cluster.
pub fn put(c: EksCluster) -> Effect {
    fx(AwsEffect::Eks(EksEffect::PutCluster(c)))
}

/// Schedules EKS work.
pub fn eks_later(after: SimDuration, task: EksTask) -> Effect {
    later(after, AwsTask::Eks(task))
}

/// An event from EKS (or another AWS component) about an object.
pub fn event(component: Component, object: ObjectRef, kind: &str, msg: String) -> Effect {
    Effect::Emit(EventDraft::new(Source::of(component), object, kind, msg))
}

/// Runs one EKS task.
pub fn step(task: &EksTask, world: &World, now: SimTime, rng: &mut SimRng) -> Vec<Effect> {
    match task {
        EksTask::ClusterActive { cluster } => cluster_active(world, cluster),
        EksTask::ClusterDeleted { cluster } => match world.aws.eks.get(cluster) {
            Some(c) if c.status == "DELETING" => vec![
                fx(AwsEffect::Eks(EksEffect::RemoveCluster(cluster.clone()))),
                event(
                    Component::Eks,
                    ObjectRef::new("cluster", cluster),
                    "ClusterDeleted",
                    format!(
                        "EKS cluster {cluster} is deleted: its control plane is gone and billing for it stopped when deletion began"
                    ),
                ),
            ],
            _ => Vec::new(),
        },
        EksTask::NodeGroupSync { cluster, nodegroup } => {
            node_group_sync(world, cluster, nodegroup, now, rng)
        }
        EksTask::InstanceJoined {
            cluster,
            nodegroup,
            instance,
        } => instance_joined(world, cluster, nodegroup, instance, now, rng),
        EksTask::NodeTerminate {
            cluster,
            nodegroup,
            instance,
        } => node_terminate(world, cluster, nodegroup, instance, now),
        EksTask::FargateProfileSettled { cluster, profile } => {
            profile_settled(world, cluster, profile)
        }
        EksTask::FargatePod {
            cluster,
            namespace,
            name,
        } => fargate_pod(world, cluster, namespace, name),
        EksTask::FargateReady {
            cluster,
            namespace,
            name,
        } => fargate_ready(world, cluster, namespace, name, now),
        EksTask::FargateRelease {
            cluster,
            namespace,
            name,
        } => fargate_release(world, cluster, namespace, name, now),
        EksTask::AutoscalerTick { cluster } => {
            crate::components::cluster_autoscaler::tick(world, cluster, now, rng)
        }
    }
}

fn terminal(p: &Pod) -> bool {
    matches!(
        p.status.phase.as_deref(),
        Some("Succeeded") | Some("Failed")
    )
}

/// What EKS watches in the API (like its pod admission webhook and the
/// `fargate-scheduler`): new unbound pods that match an `ACTIVE` Fargate profile, and
/// Fargate pods that finished or were deleted. The engine offers every change here.
pub fn watch(change: &Change, world: &World) -> Vec<EksTask> {
    if world.aws.eks.is_empty() {
        return Vec::new();
    }
    let Object::Pod(p) = &change.object else {
        return Vec::new();
    };
    let ns = change.key.namespace.as_str();
    let name = change.key.name.as_str();
    let pod_key = format!("{ns}/{name}");
    for c in world.aws.eks.values() {
        if let Some(r) = c.fargate_pods.get(&pod_key) {
            let gone = change.kind == ChangeType::Deleted;
            if r.uid == p.metadata.uid && (gone || (terminal(p) && r.billing)) {
                return vec![EksTask::FargateRelease {
                    cluster: c.name.clone(),
                    namespace: ns.to_string(),
                    name: name.to_string(),
                }];
            }
            return Vec::new();
        }
    }
    let default_scheduler = p
        .spec
        .scheduler_name
        .as_deref()
        .unwrap_or("default-scheduler")
        == "default-scheduler";
    if change.kind != ChangeType::Added
        || p.spec.node_name.is_some()
        || p.is_terminating()
        || !default_scheduler
    {
        return Vec::new();
    }
    world
        .aws
        .eks
        .values()
        .find(|c| c.fargate_profile_for(ns, &p.metadata.labels).is_some())
        .map(|c| {
            vec![EksTask::FargatePod {
                cluster: c.name.clone(),
                namespace: ns.to_string(),
                name: name.to_string(),
            }]
        })
        .unwrap_or_default()
}

fn cluster_active(world: &World, cluster: &str) -> Vec<Effect> {
    let Some(c) = world.aws.eks.get(cluster) else {
        return Vec::new();
    };
    if c.status != "CREATING" {
        return Vec::new();
    }
    let mut c = c.clone();
    c.status = "ACTIVE".into();
    let msg = format!(
        "EKS cluster {cluster} is ACTIVE after {}: AWS runs its control plane (API servers and etcd across three availability zones, none of it visible as nodes) at {}. \
         Node groups and Fargate profiles can be attached now. (On AWS you would run `aws eks update-kubeconfig --name {cluster}` to point kubectl at it; here kubectl already talks to this cluster.)",
        model::CONTROL_PLANE_CREATE,
        c.endpoint()
    );
    vec![
        put(c),
        event(
            Component::Eks,
            ObjectRef::new("cluster", cluster),
            "ClusterActive",
            msg,
        ),
    ]
}

/// The Auto Scaling group record of a node group (what `aws autoscaling` shows).
pub fn asg_record(cluster: &str, g: &NodeGroup) -> AutoScalingGroup {
    AutoScalingGroup {
        name: g.asg.clone(),
        instance_type: g.instance_type.clone(),
        min_size: g.min_size,
        max_size: g.max_size,
        desired_capacity: g.desired_size,
        subnets: g.subnets.clone(),
        instances: g.members.keys().cloned().collect(),
        purpose: GroupPurpose::EksNodeGroup(cluster.to_string(), g.name.clone()),
        low_ticks: 0,
    }
}

fn asg(cluster: &str, g: &NodeGroup) -> Effect {
    fx(AwsEffect::PutGroup(asg_record(cluster, g)))
}

fn group_ref(g: &NodeGroup) -> ObjectRef {
    ObjectRef::new("nodegroup", &g.name)
}

/// The subnet a new address should come from: the given subnets' zone with the fewest
/// `taken` so far (EC2 Auto Scaling balances zones), then the subnet with most free
/// addresses.
fn pick_subnet<'a>(
    subnets: &'a BTreeMap<String, Subnet>,
    candidates: &[String],
    taken: &BTreeMap<String, usize>,
) -> Option<&'a Subnet> {
    candidates
        .iter()
        .filter_map(|id| subnets.get(id))
        .filter(|s| s.next_free().is_some())
        .min_by_key(|s| {
            (
                taken.get(&s.zone).copied().unwrap_or(0),
                u64::MAX - s.available(),
                s.zone.clone(),
            )
        })
}

fn node_group_sync(
    world: &World,
    cluster: &str,
    ng: &str,
    now: SimTime,
    rng: &mut SimRng,
) -> Vec<Effect> {
    let Some(c) = world.aws.eks.get(cluster) else {
        return Vec::new();
    };
    let Some(g) = c.node_groups.get(ng) else {
        return Vec::new();
    };
    let mut c = c.clone();
    let mut g = g.clone();
    let mut out = Vec::new();
    if g.status == "DELETING" {
        let ids: Vec<String> = g.live().map(|(id, _)| id.clone()).collect();
        for id in ids {
            out.extend(retire(world, cluster, &mut g, &id, now, false));
        }
        if g.members.is_empty() {
            out.extend(finish_group_deletion(cluster, &mut c, &g));
            out.insert(0, put(c));
            return out;
        }
        c.node_groups.insert(g.name.clone(), g);
        out.insert(0, put(c));
        return out;
    }
    let live = g.live().count() as u32;
    if live < g.desired_size {
        let Some(kind) = crate::cost::instance_type(&g.instance_type) else {
            return Vec::new();
        };
        let mut subnets: BTreeMap<String, Subnet> = world.aws.vpc.subnets.clone();
        let mut taken: BTreeMap<String, usize> = BTreeMap::new();
        for m in g.live().map(|(_, m)| m) {
            *taken.entry(m.zone.clone()).or_default() += 1;
        }
        let candidates = if g.subnets.is_empty() {
            world.aws.vpc.default_subnets()
        } else {
            g.subnets.clone()
        };
        let mut changed: Vec<String> = Vec::new();
        for k in 0..(g.desired_size - live) {
            let Some(subnet) = pick_subnet(&subnets, &candidates, &taken) else {
                out.push(event(
                    Component::Ec2AutoScaling,
                    ObjectRef::new("autoscaling-group", &g.asg),
                    "LaunchFailed",
                    format!(
                        "Launching a new EC2 instance for node group {ng} failed: There are not enough free addresses in subnets {} to satisfy the requested number of instances.",
                        candidates.join(", ")
                    ),
                ));
                break;
            };
            let ip = subnet.next_free().unwrap_or(subnet.cidr.base);
            let id = format!("i-0{}", &rng.uuid().replace('-', "")[..16]);
            let mut s = subnet.clone();
            s.used.insert(ip, id.clone());
            let zone = s.zone.clone();
            let subnet_id = s.id.clone();
            subnets.insert(s.id.clone(), s);
            if !changed.contains(&subnet_id) {
                changed.push(subnet_id.clone());
            }
            *taken.entry(zone.clone()).or_default() += 1;
            let ip_s = format_ip(ip);
            let node = model::private_dns(&ip_s);
            g.members.insert(
                id.clone(),
                Member {
                    node: node.clone(),
                    subnet: subnet_id.clone(),
                    zone: zone.clone(),
                    ip: ip_s.clone(),
                    launched_at: now,
                    state: MemberState::Booting,
                    drain_started: None,
                },
            );
            out.push(fx(AwsEffect::PutInstance(Instance {
                id: id.clone(),
                instance_type: g.instance_type.clone(),
                group: g.asg.clone(),
                subnet: subnet_id,
                zone: zone.clone(),
                private_ip: ip_s.clone(),
                state: InstanceState::Pending,
                launched_at: now,
                cpu_units: u64::from(kind.vcpu) * 1024,
                memory_mib: kind.memory_mib,
                tasks: Vec::new(),
                ports: Vec::new(),
                attributes: BTreeMap::new(),
                images: Vec::new(),
            })));
            // EC2 bills from the `running` state, reached seconds after launch (the OS
            // and kubelet still boot); the simulator starts the bill at launch.
            out.push(super::capacity::bill_instance(
                world,
                &id,
                &g.instance_type,
                format!(
                    "EC2 instance {id} ({}, EKS node group {ng})",
                    g.instance_type
                ),
                now,
            ));
            out.push(eks_later(
                INSTANCE_BOOT,
                EksTask::InstanceJoined {
                    cluster: cluster.to_string(),
                    nodegroup: ng.to_string(),
                    instance: id.clone(),
                },
            ));
            out.push(event(
                Component::Ec2AutoScaling,
                ObjectRef::new("autoscaling-group", &g.asg),
                "Launching",
                format!(
                    "Launching a new EC2 instance: {id} ({}, {zone}, {ip_s}) for EKS node group {ng}. Cause: the desired size is {} and the group had {}. It bills {}/hour from now; the EKS-optimised AMI boots and its kubelet joins the cluster in about {INSTANCE_BOOT}.",
                    g.instance_type,
                    g.desired_size,
                    live + k,
                    crate::cost::dollars(world.billing.prices.ec2(&g.instance_type).unwrap_or(0), 4),
                ),
            ));
        }
        for id in changed {
            if let Some(s) = subnets.remove(&id) {
                out.push(fx(AwsEffect::PutSubnet(s)));
            }
        }
    } else if live > g.desired_size {
        // Scale-in: booting instances first, then the zone with the most instances,
        // newest first (a simplification of the Auto Scaling default termination
        // policy, which balances zones before anything else).
        let mut excess = live - g.desired_size;
        while excess > 0 {
            let mut per_zone: BTreeMap<String, usize> = BTreeMap::new();
            for (_, m) in g.live() {
                *per_zone.entry(m.zone.clone()).or_default() += 1;
            }
            let victim = g
                .live()
                .max_by_key(|(id, m)| {
                    (
                        m.state == MemberState::Booting,
                        per_zone.get(&m.zone).copied().unwrap_or(0),
                        m.launched_at,
                        (*id).clone(),
                    )
                })
                .map(|(id, _)| id.clone());
            let Some(victim) = victim else { break };
            out.push(event(
                Component::Ec2AutoScaling,
                ObjectRef::new("autoscaling-group", &g.asg),
                "Terminating",
                format!(
                    "Terminating EC2 instance {victim} of EKS node group {ng}. Cause: the desired size is {} and the group has {}; EKS cordons and drains its node first (the Auto Scaling default termination policy is simplified to: booting instances, then the busiest zone, newest first).",
                    g.desired_size,
                    g.desired_size + excess
                ),
            ));
            out.extend(retire(world, cluster, &mut g, &victim, now, false));
            excess -= 1;
        }
    }
    if g.status == "CREATING" && g.desired_size == 0 {
        g.status = "ACTIVE".into();
        out.push(event(
            Component::Eks,
            group_ref(&g),
            "NodegroupActive",
            format!("node group {ng} is ACTIVE with no nodes (desired size 0)"),
        ));
    }
    out.push(asg(cluster, &g));
    c.node_groups.insert(g.name.clone(), g);
    out.insert(0, put(c));
    out
}

fn finish_group_deletion(cluster: &str, c: &mut EksCluster, g: &NodeGroup) -> Vec<Effect> {
    c.node_groups.remove(&g.name);
    vec![
        fx(AwsEffect::Eks(EksEffect::RemoveAutoScalingGroup(
            g.asg.clone(),
        ))),
        event(
            Component::Eks,
            group_ref(g),
            "NodegroupDeleted",
            format!(
                "node group {} of cluster {cluster} is deleted: its instances are terminated and its Auto Scaling group {} is gone",
                g.name, g.asg
            ),
        ),
    ]
}

/// Whether a pod is a DaemonSet (or static/mirror) pod, which draining leaves alone.
pub fn is_daemon(p: &Pod) -> bool {
    p.metadata
        .owner_references
        .iter()
        .any(|o| o.kind == "DaemonSet" || o.kind == "Node")
        || p.metadata.labels.get("k8s-app").map(String::as_str) == Some("kube-proxy")
        || p.metadata
            .annotations
            .contains_key("kubernetes.io/config.mirror")
}

/// Pods on `node` that a drain must evict (not DaemonSet pods, not finished).
pub fn drainable_pods<'a>(world: &'a World, node: &'a str) -> impl Iterator<Item = &'a Pod> + 'a {
    world
        .api
        .store
        .pods()
        .filter(move |p| p.spec.node_name.as_deref() == Some(node) && !is_daemon(p) && !terminal(p))
}

/// Takes an instance out of a node group: a booting one is terminated at once; a
/// joined one is cordoned (and, by the Cluster Autoscaler, tainted
/// `ToBeDeletedByClusterAutoscaler`), its pods are evicted, and it is terminated when
/// they are gone ([`EksTask::NodeTerminate`]). Updates `g` (the caller stores it).
pub fn retire(
    world: &World,
    cluster: &str,
    g: &mut NodeGroup,
    instance: &str,
    now: SimTime,
    by_autoscaler: bool,
) -> Vec<Effect> {
    let Some(m) = g.members.get_mut(instance) else {
        return Vec::new();
    };
    let was = m.state;
    m.state = MemberState::Draining;
    m.drain_started = Some(now);
    let node = m.node.clone();
    let mut out = Vec::new();
    if was == MemberState::Ready
        && let Some(n) = world.api.store.node_named(&node)
    {
        let mut n = n.clone();
        n.spec.unschedulable = true;
        if by_autoscaler && !n.spec.taints.iter().any(|t| t.key == TO_BE_DELETED_TAINT) {
            n.spec.taints.push(crate::api::scheduling::Taint {
                key: TO_BE_DELETED_TAINT.into(),
                value: (now.as_millis() / 1000).to_string(),
                effect: "NoSchedule".into(),
                time_added: None,
            });
        }
        out.push(Effect::Write(Box::new(Object::Node(n))));
        let pods: Vec<ObjKey> = drainable_pods(world, &node)
            .filter(|p| !p.is_terminating())
            .map(|p| ObjKey::new("Pod", p.metadata.namespace_or_default(), &p.metadata.name))
            .collect();
        let names: Vec<String> = pods
            .iter()
            .map(|k| format!("{}/{}", k.namespace, k.name))
            .collect();
        out.push(event(
            if by_autoscaler {
                Component::ClusterAutoscaler
            } else {
                Component::Eks
            },
            ObjectRef::new("node", &node),
            "DrainNode",
            format!(
                "draining node {node} before its instance {instance} is terminated: cordoned{}, {} evicted ({}) so their controllers recreate them elsewhere; DaemonSet pods stay (PodDisruptionBudgets are not consulted here)",
                if by_autoscaler {
                    " and tainted ToBeDeletedByClusterAutoscaler:NoSchedule"
                } else {
                    ""
                },
                if pods.is_empty() {
                    "no pods".to_string()
                } else {
                    format!("{} pod(s)", pods.len())
                },
                if names.is_empty() {
                    "nothing to move".to_string()
                } else {
                    names.join(", ")
                }
            ),
        ));
        for k in pods {
            out.push(Effect::Delete(k));
        }
    }
    let after = if was == MemberState::Ready {
        DRAIN_POLL
    } else {
        SimDuration::ZERO
    };
    out.push(eks_later(
        after,
        EksTask::NodeTerminate {
            cluster: cluster.to_string(),
            nodegroup: g.name.clone(),
            instance: instance.to_string(),
        },
    ));
    out
}

fn node_terminate(
    world: &World,
    cluster: &str,
    ng: &str,
    instance: &str,
    now: SimTime,
) -> Vec<Effect> {
    let Some(c) = world.aws.eks.get(cluster) else {
        return Vec::new();
    };
    let Some(g) = c.node_groups.get(ng) else {
        return Vec::new();
    };
    let Some(m) = g.members.get(instance) else {
        return Vec::new();
    };
    if m.state != MemberState::Draining {
        return Vec::new();
    }
    let waiting = drainable_pods(world, &m.node).count();
    let since = m.drain_started.unwrap_or(now);
    if waiting > 0 && now.since(since) < MAX_DRAIN {
        return vec![eks_later(
            DRAIN_POLL,
            EksTask::NodeTerminate {
                cluster: cluster.to_string(),
                nodegroup: ng.to_string(),
                instance: instance.to_string(),
            },
        )];
    }
    let mut c = c.clone();
    let mut g = g.clone();
    let m = m.clone();
    g.members.remove(instance);
    let mut out = Vec::new();
    if world.api.store.node_named(&m.node).is_some() {
        out.push(Effect::Delete(ObjKey::new("Node", "", &m.node)));
    }
    // The instance record is written at launch with the member's subnet and address.
    match world.aws.instances.get(instance) {
        Some(i) => out.extend(super::capacity::release(world, i)),
        None => out.push(fx(AwsEffect::BillStop(instance.to_string()))),
    }
    out.push(event(
        Component::Ec2AutoScaling,
        ObjectRef::new("autoscaling-group", &g.asg),
        "Terminated",
        format!(
            "EC2 instance {instance} of node group {ng} terminated{}; billing stopped and its address {} is free again. The Node object {} is deleted with it (the cloud controller manager removes nodes whose instance is gone).",
            if waiting > 0 {
                format!(
                    " with {waiting} pod(s) still terminating after {MAX_DRAIN} (max-graceful-termination-sec)"
                )
            } else {
                String::new()
            },
            m.ip,
            m.node
        ),
    ));
    c.autoscaler.unneeded.remove(&m.node);
    if g.status == "DELETING" && g.members.is_empty() {
        out.extend(finish_group_deletion(cluster, &mut c, &g));
    } else {
        out.push(asg(cluster, &g));
        c.node_groups.insert(g.name.clone(), g);
    }
    out.insert(0, put(c));
    out
}

/// The next free node index (it fixes the node's pod CIDR, `10.244.<index>.0/24`).
fn next_index(world: &World) -> u32 {
    world
        .agents
        .values()
        .map(|a| a.index)
        .max()
        .map_or(1, |i| i + 1)
}

/// Sets a node's capacity, addresses and provider id the way EKS nodes report them.
fn eks_node(
    spec: &NodeSpec,
    index: u32,
    now: SimTime,
    capacity: (u64, u64),
    ip: &str,
    provider_id: String,
) -> Node {
    let mut n = bootstrap::node_object(spec, false, index, now);
    n.status
        .capacity
        .insert("cpu".into(), Quantity(format!("{}m", capacity.0)));
    n.status
        .capacity
        .insert("memory".into(), Quantity(format!("{}Mi", capacity.1)));
    n.status.addresses = vec![
        NodeAddress {
            type_: "InternalIP".into(),
            address: ip.to_string(),
        },
        NodeAddress {
            type_: "Hostname".into(),
            address: spec.name.clone(),
        },
        NodeAddress {
            type_: "InternalDNS".into(),
            address: spec.name.clone(),
        },
    ];
    n.spec.provider_id = Some(provider_id);
    n
}

/// The Node an instance of node group `g` registers (also the Cluster Autoscaler's
/// template for a node the group would add).
pub fn node_group_node(
    g: &NodeGroup,
    name: &str,
    zone: &str,
    index: u32,
    now: SimTime,
) -> Option<Node> {
    let kind = crate::cost::instance_type(&g.instance_type)?;
    let shape = model::node_shape(kind);
    let mut labels = g.labels.clone();
    for (k, v) in [
        (NODEGROUP_LABEL, g.name.as_str()),
        ("eks.amazonaws.com/capacityType", "ON_DEMAND"),
        ("node.kubernetes.io/instance-type", g.instance_type.as_str()),
        ("beta.kubernetes.io/instance-type", g.instance_type.as_str()),
        ("topology.kubernetes.io/zone", zone),
        ("failure-domain.beta.kubernetes.io/zone", zone),
        ("topology.kubernetes.io/region", crate::ecs::REGION),
    ] {
        labels.insert(k.to_string(), v.to_string());
    }
    let spec = NodeSpec {
        name: name.to_string(),
        cpu_millis: shape.cpu_allocatable,
        memory_bytes: shape.memory_allocatable * 1024 * 1024,
        max_pods: shape.max_pods,
        labels,
        taints: g.kube_taints(),
    };
    let ip = name
        .strip_prefix("ip-")
        .and_then(|s| s.strip_suffix(".ec2.internal"))
        .map(|s| s.replace('-', "."))
        .unwrap_or_default();
    Some(eks_node(
        &spec,
        index,
        now,
        (shape.cpu_capacity, shape.memory_capacity),
        &ip,
        format!("aws:///{zone}/{name}"),
    ))
}

fn instance_joined(
    world: &World,
    cluster: &str,
    ng: &str,
    instance: &str,
    now: SimTime,
    rng: &mut SimRng,
) -> Vec<Effect> {
    let Some(c) = world.aws.eks.get(cluster) else {
        return Vec::new();
    };
    let Some(g) = c.node_groups.get(ng) else {
        return Vec::new();
    };
    let Some(m) = g.members.get(instance) else {
        return Vec::new();
    };
    if m.state != MemberState::Booting {
        return Vec::new();
    }
    let Some(kind) = crate::cost::instance_type(&g.instance_type) else {
        return Vec::new();
    };
    let shape = model::node_shape(kind);
    let index = next_index(world);
    let Some(mut node) = node_group_node(g, &m.node, &m.zone, index, now) else {
        return Vec::new();
    };
    node.spec.provider_id = Some(format!("aws:///{}/{instance}", m.zone));
    let mut c = c.clone();
    let mut g = g.clone();
    let ip = m.ip.clone();
    let name = m.node.clone();
    if let Some(m) = g.members.get_mut(instance) {
        m.state = MemberState::Ready;
    }
    let mut out = Vec::new();
    out.push(event(
        Component::Eks,
        group_ref(&g),
        "NodeJoined",
        format!(
            "instance {instance} ({}) booted and its kubelet registered node {name} in node group {ng}: allocatable {}m CPU, {}Mi memory, {} pods. The EKS AMI keeps {}m CPU and {}Mi memory for the system (kube-reserved: 11Mi × maxPods + 255Mi) plus a 100Mi eviction threshold; maxPods {} is the VPC CNI limit (ENIs × (IPs per ENI − 1) + 2). (Simplified: pods get addresses from the simulator's 10.244.<n>.0/24 pod network, not from the VPC as the VPC CNI would give them.)",
            g.instance_type,
            shape.cpu_allocatable,
            shape.memory_allocatable,
            shape.max_pods,
            model::cpu_reserved_millis(u64::from(kind.vcpu)),
            model::memory_reserved_mib(shape.max_pods),
            shape.max_pods
        ),
    ));
    for mut e in bootstrap::joined(&node, index, now, rng) {
        // kube-proxy runs on the host network: its addresses are the instance's.
        if let Effect::Create(obj) = &mut e
            && let Object::Pod(p) = obj.as_mut()
        {
            p.status.host_ip = Some(ip.clone());
            p.status.pod_ip = Some(ip.clone());
        }
        out.push(e);
    }
    if let Some(i) = world.aws.instances.get(instance) {
        let mut i = i.clone();
        i.state = InstanceState::Running;
        out.push(fx(AwsEffect::PutInstance(i)));
    }
    let ready = g
        .members
        .values()
        .filter(|m| m.state == MemberState::Ready)
        .count() as u32;
    if g.status == "CREATING" && ready >= g.desired_size {
        g.status = "ACTIVE".into();
        g.modified_at = now;
        out.push(event(
            Component::Eks,
            group_ref(&g),
            "NodegroupActive",
            format!(
                "node group {ng} is ACTIVE: its {ready} node(s) joined the cluster ({} after it was created)",
                now.since(g.created_at)
            ),
        ));
    }
    c.node_groups.insert(g.name.clone(), g);
    out.insert(0, put(c));
    out
}

fn profile_settled(world: &World, cluster: &str, profile: &str) -> Vec<Effect> {
    let Some(c) = world.aws.eks.get(cluster) else {
        return Vec::new();
    };
    let Some(p) = c.fargate_profiles.get(profile) else {
        return Vec::new();
    };
    let mut c = c.clone();
    let obj = ObjectRef::new("fargateprofile", profile);
    let msg;
    let kind;
    match p.status.as_str() {
        "CREATING" => {
            let sel: Vec<String> = p.selectors.iter().map(|s| s.describe()).collect();
            msg = format!(
                "Fargate profile {profile} is ACTIVE: new pods matching {} now run on Fargate, each on its own micro-VM (pods that already exist stay where they are)",
                sel.join(" or ")
            );
            kind = "FargateProfileActive";
            if let Some(p) = c.fargate_profiles.get_mut(profile) {
                p.status = "ACTIVE".into();
            }
        }
        "DELETING" => {
            msg = format!("Fargate profile {profile} is deleted");
            kind = "FargateProfileDeleted";
            c.fargate_profiles.remove(profile);
        }
        _ => return Vec::new(),
    }
    vec![put(c), event(Component::Eks, obj, kind, msg)]
}

fn fargate_pod(world: &World, cluster: &str, ns: &str, name: &str) -> Vec<Effect> {
    let Some(c) = world.aws.eks.get(cluster) else {
        return Vec::new();
    };
    let Some(pod) = world.api.store.pod(ns, name) else {
        return Vec::new();
    };
    let key = format!("{ns}/{name}");
    if pod.spec.node_name.is_some()
        || pod.is_terminating()
        || c.fargate_pods.contains_key(&key)
        || pod
            .spec
            .scheduler_name
            .as_deref()
            .unwrap_or("default-scheduler")
            != "default-scheduler"
    {
        return Vec::new();
    }
    let Some((profile, selector)) = c.fargate_profile_for(ns, &pod.metadata.labels) else {
        return Vec::new();
    };
    let pod_ref = ObjectRef::namespaced("pod", ns, name);
    let requests = crate::components::scheduler::pod_info(pod)
        .resources
        .requests(None);
    let cpu = requests.get("cpu").max(0) as u64;
    let mem = requests.get("memory").max(0) as u64;
    // The webhook's mutation: the pod belongs to the fargate-scheduler now.
    let mut taken = pod.clone();
    taken.spec.scheduler_name = Some(FARGATE_SCHEDULER.into());
    taken
        .metadata
        .labels
        .insert(FARGATE_PROFILE_LABEL.into(), profile.name.clone());
    let mut out = Vec::new();
    let Some((units, mib)) = model::fargate_size(cpu, mem) else {
        out.push(Effect::Write(Box::new(Object::Pod(taken))));
        out.push(event(
            Component::Fargate,
            pod_ref,
            "FailedScheduling",
            format!(
                "fargate-scheduler: Pod not supported on Fargate: its requests ({cpu}m CPU, {}Mi memory, plus 256Mi for the Kubernetes components) exceed the largest Fargate size (16 vCPU, 120 GB); it stays Pending",
                mem / (1024 * 1024)
            ),
        ));
        return out;
    };
    let candidates = if !profile.subnets.is_empty() {
        profile.subnets.clone()
    } else if !c.subnets.is_empty() {
        c.subnets.clone()
    } else {
        world.aws.vpc.default_subnets()
    };
    let mut taken_zones: BTreeMap<String, usize> = BTreeMap::new();
    for r in c.fargate_pods.values() {
        *taken_zones.entry(r.zone.clone()).or_default() += 1;
    }
    let Some(subnet) = pick_subnet(&world.aws.vpc.subnets, &candidates, &taken_zones) else {
        out.push(Effect::Write(Box::new(Object::Pod(taken))));
        out.push(event(
            Component::Fargate,
            pod_ref,
            "FailedScheduling",
            format!(
                "fargate-scheduler: no free IP address in the profile's subnets ({}): the pod's network interface cannot be created, so it stays Pending",
                candidates.join(", ")
            ),
        ));
        return out;
    };
    let ip = subnet.next_free().unwrap_or(subnet.cidr.base);
    let mut s = subnet.clone();
    s.used.insert(ip, format!("fargate:{key}"));
    let ip_s = format_ip(ip);
    let record = FargatePod {
        profile: profile.name.clone(),
        uid: pod.metadata.uid.clone(),
        node: format!("fargate-{}", model::private_dns(&ip_s)),
        subnet: s.id.clone(),
        zone: s.zone.clone(),
        ip: ip_s,
        cpu_units: units,
        memory_mib: mib,
        bound: false,
        billing: false,
    };
    let msg = format!(
        "fargate-scheduler: pod {key} matches Fargate profile {} ({}): launching a Fargate micro-VM of {} in {} for it alone. Size: requests {cpu}m CPU and {}Mi memory, plus 256Mi for kubelet, kube-proxy and containerd, rounded up to the next Fargate CPU/memory combination. Its node registers in about {}; nothing else will ever run on it.",
        profile.name,
        selector.describe(),
        model::capacity_label(units, mib),
        record.zone,
        mem.div_ceil(1024 * 1024),
        model::FARGATE_PROVISION
    );
    let mut c = c.clone();
    c.fargate_pods.insert(key, record);
    out.push(put(c));
    out.push(fx(AwsEffect::PutSubnet(s)));
    out.push(Effect::Write(Box::new(Object::Pod(taken))));
    out.push(event(Component::Fargate, pod_ref, "Provisioning", msg));
    out.push(eks_later(
        model::FARGATE_PROVISION,
        EksTask::FargateReady {
            cluster: cluster.to_string(),
            namespace: ns.to_string(),
            name: name.to_string(),
        },
    ));
    out
}

fn fargate_ready(world: &World, cluster: &str, ns: &str, name: &str, now: SimTime) -> Vec<Effect> {
    let Some(c) = world.aws.eks.get(cluster) else {
        return Vec::new();
    };
    let key = format!("{ns}/{name}");
    let Some(r) = c.fargate_pods.get(&key) else {
        return Vec::new();
    };
    let Some(pod) = world.api.store.pod(ns, name) else {
        return Vec::new();
    };
    if r.bound || pod.metadata.uid != r.uid || pod.spec.node_name.is_some() || pod.is_terminating()
    {
        return Vec::new();
    }
    let mut c = c.clone();
    let mut r = r.clone();
    let index = next_index(world);
    let mut labels: BTreeMap<String, String> = BTreeMap::new();
    for (k, v) in [
        (FARGATE_TAINT_KEY, "fargate"),
        (FARGATE_PROFILE_LABEL, r.profile.as_str()),
        ("topology.kubernetes.io/zone", r.zone.as_str()),
        ("failure-domain.beta.kubernetes.io/zone", r.zone.as_str()),
        ("topology.kubernetes.io/region", crate::ecs::REGION),
    ] {
        labels.insert(k.to_string(), v.to_string());
    }
    let cpu_millis = r.cpu_units * 1000 / 1024;
    let spec = NodeSpec {
        name: r.node.clone(),
        cpu_millis,
        memory_bytes: r.memory_mib * 1024 * 1024,
        max_pods: 1,
        labels,
        taints: vec![crate::api::scheduling::Taint {
            key: FARGATE_TAINT_KEY.into(),
            value: "fargate".into(),
            effect: "NoSchedule".into(),
            time_added: None,
        }],
    };
    let node = eks_node(
        &spec,
        index,
        now,
        (cpu_millis, r.memory_mib),
        &r.ip,
        format!("aws:///{}/fargate-{}", r.zone, &r.uid[..8.min(r.uid.len())]),
    );
    let node_name = r.node.clone();
    let mut bound = pod.clone();
    bound.spec.node_name = Some(node_name.clone());
    bound.metadata.annotations.insert(
        "CapacityProvisioned".into(),
        model::capacity_label(r.cpu_units, r.memory_mib),
    );
    crate::components::scheduler::set_condition(
        &mut bound,
        "PodScheduled",
        "True",
        None,
        None,
        now,
    );
    let rate = world.billing.prices.fargate_hour(r.cpu_units, r.memory_mib);
    let size = model::capacity_label(r.cpu_units, r.memory_mib);
    r.bound = true;
    r.billing = true;
    let bill = Billable {
        category: Category::Fargate,
        description: format!("Fargate pod {key} ({size})"),
        rate,
        start: now,
        end: None,
        minimum: SimDuration::from_secs(60),
    };
    let bill_id = r.bill_id();
    c.fargate_pods.insert(key.clone(), r);
    let src = |k: &str, m: String| {
        Effect::Emit(EventDraft::new(
            Source::on(Component::Kubelet, &node_name),
            ObjectRef::new("node", &node_name),
            k,
            m,
        ))
    };
    vec![
        put(c),
        Effect::Create(Box::new(Object::Node(node))),
        Effect::AgentJoined {
            node: node_name.clone(),
            index,
        },
        src(
            "RegisteredNode",
            format!(
                "kubelet registered node {node_name} with the API server (a Fargate micro-VM: one pod, tainted {FARGATE_TAINT_KEY}=fargate:NoSchedule so nothing else lands there)"
            ),
        ),
        src(
            "NodeReady",
            format!("node {node_name} is Ready: kubelet, container runtime and network are up"),
        ),
        Effect::Schedule {
            after: crate::components::kubelet::NODE_STATUS_UPDATE_FREQUENCY,
            task: Task::KubeletHeartbeat {
                node: node_name.clone(),
            },
        },
        Effect::Write(Box::new(Object::Pod(bound))),
        event(
            Component::Fargate,
            ObjectRef::namespaced("pod", ns, name),
            "Scheduled",
            format!(
                "Successfully assigned {key} to {node_name}: the fargate-scheduler binds each Fargate pod to the node made for it; billing starts at {}/hour (the Fargate vCPU and GB-hour rates for {}), per second with a one-minute minimum",
                crate::cost::dollars(rate, 5),
                size
            ),
        ),
        fx(AwsEffect::BillStart(bill_id, bill)),
    ]
}

fn fargate_release(
    world: &World,
    cluster: &str,
    ns: &str,
    name: &str,
    now: SimTime,
) -> Vec<Effect> {
    let Some(c) = world.aws.eks.get(cluster) else {
        return Vec::new();
    };
    let key = format!("{ns}/{name}");
    let Some(r) = c.fargate_pods.get(&key) else {
        return Vec::new();
    };
    let pod = world
        .api
        .store
        .pod(ns, name)
        .filter(|p| p.metadata.uid == r.uid);
    let mut c = c.clone();
    let mut r = r.clone();
    let mut out = Vec::new();
    let pod_ref = ObjectRef::namespaced("pod", ns, name);
    let billed = world
        .billing
        .items
        .get(&r.bill_id())
        .map(|b| b.billed(now).max(b.minimum));
    match pod {
        Some(p) if terminal(p) => {
            if !r.billing {
                return Vec::new();
            }
            r.billing = false;
            out.push(fx(AwsEffect::BillStop(r.bill_id())));
            out.push(event(
                Component::Fargate,
                pod_ref,
                "MicroVmStopped",
                format!(
                    "pod {key} finished ({}): its Fargate micro-VM stops and billing stops{}; the node {} goes when the pod object is deleted",
                    p.status.phase.as_deref().unwrap_or(""),
                    billed.map(|d| format!(" after {d}")).unwrap_or_default(),
                    r.node
                ),
            ));
            c.fargate_pods.insert(key, r);
        }
        Some(_) => return Vec::new(),
        None => {
            if r.billing {
                out.push(fx(AwsEffect::BillStop(r.bill_id())));
            }
            if r.bound && world.api.store.node_named(&r.node).is_some() {
                out.push(Effect::Delete(ObjKey::new("Node", "", &r.node)));
            }
            if let (Some(s), Some(ip)) = (
                world.aws.vpc.subnets.get(&r.subnet),
                crate::ecs::vpc::parse_ip(&r.ip),
            ) {
                let mut s = s.clone();
                s.used.remove(&ip);
                out.push(fx(AwsEffect::PutSubnet(s)));
            }
            out.push(event(
                Component::Fargate,
                pod_ref,
                "MicroVmStopped",
                if r.bound {
                    format!(
                        "pod {key} is gone: its Fargate micro-VM and node {} go with it{}",
                        r.node,
                        if r.billing {
                            format!(
                                "; billing stopped{}",
                                billed.map(|d| format!(" after {d} (one-minute minimum)")).unwrap_or_default()
                            )
                        } else {
                            String::new()
                        }
                    )
                } else {
                    format!("pod {key} was deleted before its Fargate micro-VM was ready: nothing was billed")
                },
            ));
            c.fargate_pods.remove(&key);
        }
    }
    out.insert(0, put(c));
    out
}

#[cfg(test)]
mod tests {
    use crate::cost::Category;
    use crate::scenario::Scenario;
    use crate::simulation::Simulation;
    use crate::workspace::Workspace;

    const WEB: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 4
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.27
        resources:
          requests:
            cpu: 500m
            memory: 512Mi
";

    const REPORT: &str = "apiVersion: v1
kind: Pod
metadata:
  name: report
  namespace: batch
spec:
  containers:
  - name: report
    image: nginx:1.27
    resources:
      requests:
        cpu: 500m
        memory: 1Gi
";

    const BIG: &str = "apiVersion: v1
kind: Pod
metadata:
  name: big
spec:
  containers:
  - name: big
    image: nginx:1.27
    resources:
      requests:
        cpu: '3'
";

    const TOLERATES: &str = "apiVersion: v1
kind: Pod
metadata:
  name: trainer
spec:
  nodeSelector:
    accelerator: gpu
  tolerations:
  - key: dedicated
    operator: Equal
    value: gpu
    effect: NoSchedule
  containers:
  - name: trainer
    image: nginx:1.27
    resources:
      requests:
        cpu: '3'
";

    fn sim() -> Simulation {
        let mut ws = Workspace::new();
        ws.insert("trainer.yaml", TOLERATES);
        ws.insert("web.yaml", WEB);
        ws.insert("report.yaml", REPORT);
        ws.insert("big.yaml", BIG);
        Simulation::new(&Scenario::named("eks").unwrap().with_workspace(ws))
    }

    fn run(sim: &mut Simulation, line: &str) -> String {
        match sim.run(line) {
            Ok(a) => a.output,
            Err(e) => panic!("{line}: {e}"),
        }
    }

    fn fail(sim: &mut Simulation, line: &str) -> String {
        match sim.run(line) {
            Ok(a) => panic!("{line} should fail, printed {}", a.output),
            Err(e) => e.to_string(),
        }
    }

    fn events(sim: &Simulation, kind: &str) -> Vec<String> {
        sim.log()
            .events()
            .iter()
            .filter(|e| e.kind == kind)
            .map(|e| e.reason.clone())
            .collect()
    }

    /// A cluster with an ACTIVE node group `ng` of two m5.large nodes.
    fn with_nodes() -> Simulation {
        let mut s = sim();
        run(&mut s, "aws eks create-cluster --name demo");
        run(&mut s, "sim advance 10m");
        run(
            &mut s,
            "aws eks create-nodegroup --cluster-name demo --nodegroup-name ng --instance-types m5.large --scaling-config minSize=1,maxSize=4,desiredSize=2",
        );
        run(&mut s, "sim advance 3m");
        s
    }

    fn nodes(sim: &Simulation) -> Vec<String> {
        sim.state()
            .api
            .store
            .nodes()
            .map(|n| n.metadata.name.clone())
            .collect()
    }

    #[test]
    fn eks_scenario_has_no_control_plane_node() {
        let mut s = sim();
        assert!(nodes(&s).is_empty());
        run(&mut s, "sim advance 1s");
        let pending = s
            .state()
            .api
            .store
            .pods()
            .filter(|p| p.metadata.name.starts_with("coredns-") && p.spec.node_name.is_none())
            .count();
        assert_eq!(pending, 2, "CoreDNS waits for nodes");
    }

    #[test]
    fn eks_cluster_creates_in_ten_minutes_and_bills_its_control_plane() {
        let mut s = sim();
        let out = run(&mut s, "aws eks create-cluster --name demo");
        assert!(out.contains("\"status\": \"CREATING\""), "{out}");
        let e = fail(
            &mut s,
            "aws eks create-nodegroup --cluster-name demo --nodegroup-name ng",
        );
        assert!(
            e.contains("An error occurred (InvalidRequestException) when calling the CreateNodegroup operation: Cluster 'demo' is not in ACTIVE status"),
            "{e}"
        );
        let e = fail(&mut s, "aws eks describe-cluster --name x");
        assert!(
            e.contains("An error occurred (ResourceNotFoundException) when calling the DescribeCluster operation: No cluster found for name: x."),
            "{e}"
        );
        let e = fail(&mut s, "aws eks create-cluster --name other");
        assert!(e.contains("ResourceLimitExceededException"), "{e}");
        run(&mut s, "sim advance 9m59s");
        assert_eq!(s.state().aws.eks["demo"].status, "CREATING");
        run(&mut s, "sim advance 1s");
        assert_eq!(s.state().aws.eks["demo"].status, "ACTIVE");
        let bill = s
            .state()
            .billing
            .items
            .values()
            .find(|b| b.category == Category::EksControlPlane)
            .expect("control plane billed");
        // $0.10/h for 10 minutes.
        assert_eq!(bill.cost(s.now()), 100_000_000 / 6);
        assert!(
            run(&mut s, "aws eks update-kubeconfig --name demo")
                .starts_with("Added new context arn:aws:eks:us-east-1:123456789012:cluster/demo")
        );
        assert_eq!(events(&s, "ClusterActive").len(), 1);
    }

    #[test]
    fn eks_node_group_nodes_join_sized_from_the_instance_type() {
        let s = with_nodes();
        let c = &s.state().aws.eks["demo"];
        assert_eq!(c.node_groups["ng"].status, "ACTIVE");
        let ns = nodes(&s);
        assert_eq!(ns.len(), 2, "{ns:?}");
        for name in &ns {
            let n = s.state().api.store.node_named(name).unwrap();
            assert_eq!(n.status.allocatable["cpu"].0, "1930m");
            assert_eq!(n.status.allocatable["memory"].0, "7518Mi");
            assert_eq!(n.status.allocatable["pods"].0, "29");
            assert_eq!(n.metadata.labels["eks.amazonaws.com/nodegroup"], "ng");
            assert_eq!(
                n.metadata.labels["node.kubernetes.io/instance-type"],
                "m5.large"
            );
            assert!(
                n.metadata
                    .labels
                    .contains_key("topology.kubernetes.io/zone")
            );
        }
        // Two zones, one instance each (Auto Scaling balances zones).
        let zones: std::collections::BTreeSet<&str> = c.node_groups["ng"]
            .members
            .values()
            .map(|m| m.zone.as_str())
            .collect();
        assert_eq!(zones.len(), 2);
        let ec2: Vec<_> = s
            .state()
            .billing
            .items
            .values()
            .filter(|b| b.category == Category::Ec2 && b.end.is_none())
            .collect();
        assert_eq!(ec2.len(), 2);
        assert_eq!(ec2[0].rate, 96_000_000);
        // CoreDNS found the nodes.
        assert!(
            s.state()
                .api
                .store
                .pods()
                .filter(|p| p.metadata.name.starts_with("coredns-"))
                .all(|p| p.spec.node_name.is_some())
        );
        let asg = &s.state().aws.auto_scaling_groups[&c.node_groups["ng"].asg];
        assert_eq!(asg.instances.len(), 2);
    }

    #[test]
    fn eks_cluster_autoscaler_adds_a_node_for_pending_pods_and_removes_it_when_idle() {
        let mut s = with_nodes();
        run(&mut s, "kubectl apply -f web.yaml");
        run(&mut s, "sim advance 30s");
        run(&mut s, "kubectl scale deployment web --replicas=8");
        run(&mut s, "sim advance 30s");
        let up = events(&s, "TriggeredScaleUp");
        assert_eq!(up.len(), 1, "{up:?}");
        assert!(up[0].contains("2 pods are unschedulable"), "{}", up[0]);
        assert!(
            up[0].contains("a new m5.large in node group ng fits them: scaling ng 2 → 3 (max 4)"),
            "{}",
            up[0]
        );
        run(&mut s, "sim advance 3m");
        assert_eq!(nodes(&s).len(), 3);
        assert_eq!(
            events(&s, "TriggeredScaleUp").len(),
            1,
            "upcoming nodes count"
        );
        assert!(
            s.state()
                .api
                .store
                .pods()
                .filter(|p| p.metadata.name.starts_with("web-"))
                .all(|p| p.spec.node_name.is_some())
        );
        // Down to one replica: the new node is left with at most one pod (25% CPU).
        run(&mut s, "kubectl scale deployment web --replicas=1");
        run(&mut s, "sim advance 25m");
        let down = events(&s, "ScaleDown");
        assert_eq!(down.len(), 1, "{down:?}");
        assert_eq!(nodes(&s).len(), 2, "{:?}", nodes(&s));
        let c = &s.state().aws.eks["demo"];
        assert_eq!(c.node_groups["ng"].desired_size, 2);
        let stopped = s
            .state()
            .billing
            .items
            .values()
            .filter(|b| b.category == Category::Ec2 && b.end.is_some())
            .count();
        assert_eq!(stopped, 1);
        // Never below the minimum, and nodes running kube-system pods stay.
        run(&mut s, "sim advance 30m");
        assert_eq!(nodes(&s).len(), 2);
    }

    #[test]
    fn eks_pod_that_fits_no_node_group_does_not_trigger_scale_up() {
        let mut s = with_nodes();
        run(&mut s, "kubectl apply -f big.yaml");
        run(&mut s, "sim advance 1m");
        let not = events(&s, "NotTriggerScaleUp");
        assert_eq!(not.len(), 1, "reported once: {not:?}");
        assert!(not[0].contains("Insufficient cpu"), "{}", not[0]);
        assert!(events(&s, "TriggeredScaleUp").is_empty());
    }

    #[test]
    fn eks_fargate_pod_gets_its_own_node_and_bill() {
        let mut s = with_nodes();
        run(&mut s, "kubectl create namespace batch");
        let e = fail(
            &mut s,
            "aws eks create-fargate-profile --cluster-name demo --fargate-profile-name batch",
        );
        assert!(e.contains("at least one selector"), "{e}");
        run(
            &mut s,
            "aws eks create-fargate-profile --cluster-name demo --fargate-profile-name batch --selectors namespace=batch",
        );
        run(&mut s, "sim advance 2m");
        run(&mut s, "kubectl apply -f report.yaml");
        run(&mut s, "sim advance 39s");
        let pod = s.state().api.store.pod("batch", "report").unwrap();
        assert_eq!(
            pod.spec.scheduler_name.as_deref(),
            Some("fargate-scheduler")
        );
        assert!(pod.spec.node_name.is_none());
        assert!(
            !events(&s, "Scheduled")
                .iter()
                .any(|m| m.contains("batch/report")),
            "kube-scheduler left it alone"
        );
        run(&mut s, "sim advance 1s");
        let pod = s.state().api.store.pod("batch", "report").unwrap();
        let node = pod.spec.node_name.clone().unwrap();
        assert!(node.starts_with("fargate-ip-172-31-"), "{node}");
        assert_eq!(
            pod.metadata.annotations["CapacityProvisioned"],
            "0.5vCPU 2GB"
        );
        let bill = s
            .state()
            .billing
            .items
            .values()
            .find(|b| b.category == Category::Fargate)
            .unwrap()
            .clone();
        assert_eq!(bill.rate, s.state().billing.prices.fargate_hour(512, 2048));
        run(&mut s, "sim advance 20s");
        assert_eq!(
            s.state()
                .api
                .store
                .pod("batch", "report")
                .unwrap()
                .status
                .phase
                .as_deref(),
            Some("Running")
        );
        run(&mut s, "kubectl delete pod report -n batch");
        run(&mut s, "sim advance 1m");
        assert!(s.state().api.store.node_named(&node).is_none());
        assert!(!s.state().agents.contains_key(&node));
        let bill = s
            .state()
            .billing
            .items
            .values()
            .find(|b| b.category == Category::Fargate)
            .unwrap();
        assert!(bill.end.is_some());
        assert!(s.state().aws.eks["demo"].fargate_pods.is_empty());
        // Pods outside the profile still use the node groups.
        run(&mut s, "kubectl apply -f web.yaml");
        run(&mut s, "sim advance 10s");
        assert!(
            s.state()
                .api
                .store
                .pods()
                .filter(|p| p.metadata.name.starts_with("web-"))
                .all(|p| p
                    .spec
                    .node_name
                    .as_deref()
                    .is_some_and(|n| n.starts_with("ip-")))
        );
    }

    #[test]
    fn eks_deletions_follow_aws_rules() {
        let mut s = with_nodes();
        let e = fail(&mut s, "aws eks delete-cluster --name demo");
        assert!(e.contains("(ResourceInUseException) when calling the DeleteCluster operation: Cluster has nodegroups attached"), "{e}");
        run(
            &mut s,
            "aws eks update-nodegroup-config --cluster-name demo --nodegroup-name ng --scaling-config desiredSize=3",
        );
        run(&mut s, "sim advance 3m");
        assert_eq!(nodes(&s).len(), 3);
        let asg = s.state().aws.eks["demo"].node_groups["ng"].asg.clone();
        run(
            &mut s,
            "aws eks delete-nodegroup --cluster-name demo --nodegroup-name ng",
        );
        run(&mut s, "sim advance 2m");
        assert!(nodes(&s).is_empty(), "{:?}", nodes(&s));
        assert!(s.state().aws.eks["demo"].node_groups.is_empty());
        assert!(!s.state().aws.auto_scaling_groups.contains_key(&asg));
        assert!(
            s.state()
                .billing
                .items
                .values()
                .filter(|b| b.category == Category::Ec2)
                .all(|b| b.end.is_some())
        );
        run(&mut s, "aws eks delete-cluster --name demo");
        run(&mut s, "sim advance 3m");
        assert!(s.state().aws.eks.is_empty());
        assert_eq!(
            run(&mut s, "aws eks list-clusters"),
            "{\n    \"clusters\": []\n}\n"
        );
    }

    #[test]
    fn eks_node_group_labels_and_taints_reach_nodes_and_the_autoscaler() {
        let mut s = sim();
        let subnets = s.state().aws.vpc.default_subnets();
        let e = fail(
            &mut s,
            &format!(
                "aws eks create-cluster --name demo --resources-vpc-config subnetIds={}",
                subnets[0]
            ),
        );
        assert!(e.contains("at least two different AZs"), "{e}");
        let out = run(
            &mut s,
            &format!(
                "aws eks create-cluster --name demo --role-arn arn:aws:iam::123456789012:role/r --resources-vpc-config subnetIds={},{},securityGroupIds=sg-1",
                subnets[0], subnets[1]
            ),
        );
        assert!(
            out.contains("\"securityGroupIds\": [\n                \"sg-1\""),
            "{out}"
        );
        assert_eq!(s.state().aws.eks["demo"].subnets, subnets[..2].to_vec());
        run(&mut s, "sim advance 10m");
        let e = fail(
            &mut s,
            "aws eks create-nodegroup --cluster-name demo --nodegroup-name gpu --scaling-config minSize=0",
        );
        assert!(e.contains("all or none"), "{e}");
        run(
            &mut s,
            "aws eks create-nodegroup --cluster-name demo --nodegroup-name gpu --instance-types m5.xlarge --scaling-config minSize=0,maxSize=2,desiredSize=0 --labels accelerator=gpu --taints key=dedicated,value=gpu,effect=NO_SCHEDULE",
        );
        run(&mut s, "sim advance 10s");
        assert_eq!(
            s.state().aws.eks["demo"].node_groups["gpu"].status,
            "ACTIVE"
        );
        // The pod that does not tolerate the taint gets no node.
        run(&mut s, "kubectl apply -f big.yaml");
        run(&mut s, "sim advance 30s");
        let not = events(&s, "NotTriggerScaleUp");
        assert!(
            not.iter()
                .any(|m| m.contains("default/big") && m.contains("untolerated taint")),
            "{not:?}"
        );
        // The one that does gets one.
        run(&mut s, "kubectl apply -f trainer.yaml");
        run(&mut s, "sim advance 3m");
        let up = events(&s, "TriggeredScaleUp");
        assert_eq!(up.len(), 1, "{up:?}");
        assert!(up[0].contains("scaling gpu 0 → 1"), "{}", up[0]);
        let pod = s.state().api.store.pod("default", "trainer").unwrap();
        let node = s
            .state()
            .api
            .store
            .node_named(pod.spec.node_name.as_deref().expect("trainer bound"))
            .unwrap();
        assert_eq!(node.metadata.labels["accelerator"], "gpu");
        assert_eq!(node.spec.taints[0].key, "dedicated");
        assert_eq!(node.status.allocatable["cpu"].0, "3920m");
        assert!(
            s.state()
                .api
                .store
                .pod("default", "big")
                .unwrap()
                .spec
                .node_name
                .is_none()
        );
        let out = run(
            &mut s,
            "aws eks create-fargate-profile --cluster-name demo --fargate-profile-name web --selectors namespace=web,labels={app=web}",
        );
        assert!(
            out.contains("\"labels\": {\n                    \"app\": \"web\""),
            "{out}"
        );
        let sel = &s.state().aws.eks["demo"].fargate_profiles["web"].selectors[0];
        assert_eq!(sel.describe(), "namespace=web, labels app=web");
    }

    #[test]
    fn eks_runs_replay_exactly() {
        let mut s = with_nodes();
        run(&mut s, "kubectl apply -f web.yaml");
        run(&mut s, "kubectl scale deployment web --replicas=8");
        run(&mut s, "sim advance 5m");
        let lines = s.journal().lines().to_vec();
        let again = Simulation::replay(s.scenario(), s.seed(), &lines).unwrap();
        assert_eq!(again.fingerprint(), s.fingerprint());
    }
}
