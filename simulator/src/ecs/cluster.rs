//! Clusters and the capacity behind them: Fargate, or EC2 instances from an Auto Scaling
//! group that join the cluster as container instances.
//!
//! Simplification (said in the lesson text too): a real Auto Scaling group launches
//! instances from a launch template whose user data names the cluster
//! (`ECS_CLUSTER=demo`) and an ECS-optimised AMI. Here an Auto Scaling group used by a
//! capacity provider launches ECS-optimised instances that join every cluster using that
//! capacity provider.

use crate::time::SimTime;
use serde::Serialize;
use std::collections::BTreeMap;

/// How long an EC2 instance takes from launch to its ECS agent (or kubelet) registering:
/// boot plus agent start, typically two to three minutes for ECS-optimised AMIs.
pub const INSTANCE_BOOT: crate::time::SimDuration = crate::time::SimDuration::from_secs(150);

/// An ECS cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Cluster {
    /// Name.
    pub name: String,
    /// `ACTIVE` until deleted.
    pub status: String,
    /// Capacity providers associated with the cluster, in order.
    pub capacity_providers: Vec<String>,
    /// The default capacity provider strategy: (provider, weight, base).
    pub default_strategy: Vec<(String, u32, u32)>,
    /// Container instances registered, by instance id.
    pub container_instances: Vec<String>,
    /// When it was created.
    pub created_at: SimTime,
}

/// A capacity provider: `FARGATE`, `FARGATE_SPOT`, or one backed by an Auto Scaling group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CapacityProvider {
    /// Name.
    pub name: String,
    /// The Auto Scaling group, for EC2 capacity providers.
    pub auto_scaling_group: Option<String>,
    /// Managed scaling: ECS sets the group's desired capacity so that
    /// `CapacityProviderReservation` meets this target percentage.
    pub managed_scaling: Option<u32>,
}

impl CapacityProvider {
    /// Whether this is one of the two Fargate providers.
    pub fn is_fargate(&self) -> bool {
        self.auto_scaling_group.is_none()
    }
}

/// An EC2 Auto Scaling group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AutoScalingGroup {
    /// Name.
    pub name: String,
    /// Instance type of every instance.
    pub instance_type: String,
    /// Bounds.
    pub min_size: u32,
    /// Bounds.
    pub max_size: u32,
    /// How many instances the group keeps.
    pub desired_capacity: u32,
    /// Subnets instances launch in, round-robin.
    pub subnets: Vec<String>,
    /// Instance ids, in launch order.
    pub instances: Vec<String>,
    /// What the instances are for.
    pub purpose: GroupPurpose,
    /// Consecutive capacity evaluations that found too many instances (managed scaling
    /// scales in only after 15 of them, like its CloudWatch low alarm).
    pub low_ticks: u32,
}

/// Whether instances of a group become ECS container instances or EKS nodes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum GroupPurpose {
    /// ECS container instances of the clusters using the group's capacity provider.
    Ecs,
    /// Nodes of an EKS managed node group (cluster name, node group name).
    EksNodeGroup(String, String),
}

/// Lifecycle of an EC2 instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum InstanceState {
    /// Booting; its agent has not registered yet.
    Pending,
    /// Running, agent connected.
    Running,
    /// Terminated.
    Terminated,
}

/// An EC2 instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Instance {
    /// `i-` and 17 hex digits.
    pub id: String,
    /// Instance type.
    pub instance_type: String,
    /// The Auto Scaling group that launched it.
    pub group: String,
    /// Subnet (and so availability zone).
    pub subnet: String,
    /// Availability zone.
    pub zone: String,
    /// Primary private IP.
    pub private_ip: String,
    /// Lifecycle state.
    pub state: InstanceState,
    /// When it was launched.
    pub launched_at: SimTime,
    /// CPU units registered with ECS (1024 per vCPU).
    pub cpu_units: u64,
    /// Memory registered with ECS, MiB.
    pub memory_mib: u64,
    /// Task ids placed on it and not yet stopped.
    pub tasks: Vec<String>,
    /// Host ports in use (`bridge`/`host` network mode).
    pub ports: Vec<i64>,
    /// Custom attributes (for `memberOf` expressions), besides the built-in ones.
    pub attributes: BTreeMap<String, String>,
    /// Images already pulled (the Docker image cache on the instance; pulls of these
    /// are instant, which simplifies layer-level sharing).
    pub images: Vec<String>,
}

impl Instance {
    /// The instance type's description.
    pub fn kind(&self) -> Option<&'static crate::cost::InstanceType> {
        crate::cost::instance_type(&self.instance_type)
    }

    /// ENIs available to `awsvpc` tasks: the type's limit minus the primary interface
    /// (ENI trunking not modelled).
    pub fn task_eni_slots(&self) -> u32 {
        self.kind().map_or(0, |k| k.max_enis.saturating_sub(1))
    }
}

/// Memory the ECS agent registers for an instance of `memory_mib`: the ECS-optimised AMI
/// keeps a little for the OS and agent (simplified to a flat 256 MiB reservation).
pub fn registered_memory(memory_mib: u64) -> u64 {
    memory_mib.saturating_sub(256)
}
