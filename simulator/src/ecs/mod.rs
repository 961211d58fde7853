//! # Amazon ECS, modelled
//!
//! The state of the ECS control plane and the AWS pieces around it, and the rules that
//! govern them. Components in `components::ecs` read this state and return effects; the
//! engine (`simulation::ecs`) applies them.
//!
//! A short tour:
//! - [`task_definition`]: the JSON learners register, and revisions.
//! - [`fargate`]: Fargate's valid CPU/memory combinations.
//! - [`deployment_bounds`] and [`circuit_breaker`]: the rolling-deployment arithmetic and
//!   the deployment circuit breaker's threshold.
//! - [`validation`]: what `RegisterTaskDefinition` and `CreateService` refuse, worded like
//!   the AWS API.
//! - [`autoscaling`]: Application Auto Scaling target tracking.
//! - [`cluster`], [`service`], [`task`]: clusters with their capacity (EC2 Auto Scaling
//!   groups of container instances, Fargate), services with deployments, and tasks.
//! - [`vpc`]: subnets and the IP addresses `awsvpc` tasks take from them.
//! - [`load_balancer`]: Application Load Balancers, target groups and target health.
//! - [`placement`]: task placement strategies and constraints on EC2.
//! - [`eks`]: the EKS flavour of the Kubernetes simulator (managed control plane, node
//!   groups, Fargate profiles).

pub mod autoscaling;
pub mod circuit_breaker;
pub mod cluster;
pub mod deployment_bounds;
pub mod eks;
pub mod fargate;
pub mod fargate_units;
pub mod load_balancer;
pub mod placement;
pub mod service;
pub mod task;
pub mod task_definition;
pub mod validation;
pub mod vpc;

use serde::Serialize;
use std::collections::BTreeMap;

/// The AWS account everything belongs to.
pub const ACCOUNT: &str = "123456789012";
/// The region.
pub const REGION: &str = "us-east-1";

/// Everything the simulated AWS account holds.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct EcsState {
    /// Clusters by name.
    pub clusters: BTreeMap<String, cluster::Cluster>,
    /// Task definition revisions by family (index = revision − 1).
    pub task_definitions: BTreeMap<String, Vec<task_definition::TaskDefinition>>,
    /// Services by (cluster, service name).
    #[serde(serialize_with = "pair_keys")]
    pub services: BTreeMap<(String, String), service::Service>,
    /// Tasks by task id (32 hex digits).
    pub tasks: BTreeMap<String, task::Task>,
    /// EC2 Auto Scaling groups by name.
    pub auto_scaling_groups: BTreeMap<String, cluster::AutoScalingGroup>,
    /// Capacity providers by name (`FARGATE` and `FARGATE_SPOT` always exist).
    pub capacity_providers: BTreeMap<String, cluster::CapacityProvider>,
    /// EC2 instances by instance id (container instances and EKS nodes).
    pub instances: BTreeMap<String, cluster::Instance>,
    /// The VPC and its subnets.
    pub vpc: vpc::Vpc,
    /// Load balancers by name.
    pub load_balancers: BTreeMap<String, load_balancer::LoadBalancer>,
    /// Target groups by name.
    pub target_groups: BTreeMap<String, load_balancer::TargetGroup>,
    /// Application Auto Scaling: scalable targets by resource id (`service/CLUSTER/NAME`).
    pub scalable_targets: BTreeMap<String, autoscaling::ScalableTarget>,
    /// EKS clusters by name.
    pub eks: BTreeMap<String, eks::EksCluster>,
}

impl EcsState {
    /// The latest ACTIVE revision of a family, or a given `family:revision`.
    pub fn task_definition(&self, reference: &str) -> Option<&task_definition::TaskDefinition> {
        let reference = reference
            .rsplit_once(":task-definition/")
            .map_or(reference, |(_, r)| r);
        match reference.split_once(':') {
            Some((family, rev)) => {
                let rev: usize = rev.parse().ok()?;
                self.task_definitions.get(family)?.get(rev.checked_sub(1)?)
            }
            None => self
                .task_definitions
                .get(reference)?
                .iter()
                .rev()
                .find(|t| t.active),
        }
    }

    /// Tasks of a service that have not stopped.
    pub fn live_tasks<'a>(
        &'a self,
        cluster: &'a str,
        service: &'a str,
    ) -> impl Iterator<Item = &'a task::Task> + 'a {
        self.tasks.values().filter(move |t| {
            t.cluster == cluster
                && t.service.as_deref() == Some(service)
                && t.last_status != task::TaskStatus::Stopped
        })
    }
}

/// Serialises a map keyed by (cluster, name) with `cluster/name` keys, as JSON needs
/// string keys (fingerprints hash the world as JSON).
fn pair_keys<S: serde::Serializer, V: Serialize>(
    map: &BTreeMap<(String, String), V>,
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(map.len()))?;
    for ((a, b), v) in map {
        m.serialize_entry(&format!("{a}/{b}"), v)?;
    }
    m.end()
}

/// A cluster name from a name or ARN (`arn:aws:ecs:…:cluster/demo` → `demo`).
pub fn cluster_name(name_or_arn: &str) -> &str {
    name_or_arn
        .rsplit_once(":cluster/")
        .map_or(name_or_arn, |(_, n)| n)
}

/// A cluster's ARN.
pub fn cluster_arn(name: &str) -> String {
    format!("arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/{name}")
}
