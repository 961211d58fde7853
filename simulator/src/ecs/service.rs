//! ECS services: a desired count of tasks from a task definition, kept running and
//! replaced through rolling deployments.

use crate::time::SimTime;
use serde::Serialize;

/// `deploymentConfiguration` of a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentConfiguration {
    /// Lower bound of healthy tasks, percent of desired (default 100 for REPLICA).
    pub minimum_healthy_percent: u32,
    /// Upper bound of running + pending tasks, percent of desired (default 200).
    pub maximum_percent: u32,
    /// Deployment circuit breaker enabled.
    pub circuit_breaker_enable: bool,
    /// Roll back to the last completed deployment when the breaker trips.
    pub circuit_breaker_rollback: bool,
}

impl Default for DeploymentConfiguration {
    fn default() -> Self {
        let (min, max) = super::deployment_bounds::defaults("REPLICA");
        DeploymentConfiguration {
            minimum_healthy_percent: min,
            maximum_percent: max,
            circuit_breaker_enable: false,
            circuit_breaker_rollback: false,
        }
    }
}

/// Where a service's tasks register with a load balancer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceLoadBalancer {
    /// Target group name.
    pub target_group: String,
    /// Container that receives traffic.
    pub container_name: String,
    /// Its port.
    pub container_port: i64,
}

/// `awsvpcConfiguration` of a service.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkConfiguration {
    /// Subnet ids tasks get their ENI in.
    pub subnets: Vec<String>,
    /// Security groups.
    pub security_groups: Vec<String>,
    /// Whether tasks get a public IP.
    pub assign_public_ip: bool,
}

/// A placement strategy (`binpack`/`spread`/`random` with a field).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlacementStrategy {
    /// `binpack`, `spread` or `random`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `cpu`/`memory` for binpack; `instanceId`, `host` or `attribute:…` for spread.
    pub field: Option<String>,
}

/// How a deployment is going.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RolloutState {
    /// Tasks are being replaced.
    InProgress,
    /// Every task runs the deployment's revision and is healthy.
    Completed,
    /// The circuit breaker tripped.
    Failed,
}

impl RolloutState {
    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            RolloutState::InProgress => "IN_PROGRESS",
            RolloutState::Completed => "COMPLETED",
            RolloutState::Failed => "FAILED",
        }
    }
}

/// One deployment of a service: a task definition revision being rolled out (PRIMARY),
/// or an older one being drained (ACTIVE).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Deployment {
    /// `ecs-svc/` and 19 digits.
    pub id: String,
    /// `family:revision`.
    pub task_definition: String,
    /// Rollout state.
    pub rollout_state: RolloutState,
    /// Why it is in that state (the API's `rolloutStateReason`).
    pub rollout_state_reason: String,
    /// Tasks of this deployment that failed to start or failed health checks.
    pub failed_tasks: u32,
    /// Whether the circuit breaker watches this deployment (off if the deployment had
    /// a RUNNING task when it was created, as the ECS guide says).
    pub breaker_armed: bool,
    /// When it was created.
    pub created_at: SimTime,
    /// When it last changed.
    pub updated_at: SimTime,
}

/// A line of the service's event history (`describe-services` `events`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceEvent {
    /// Id.
    pub id: String,
    /// When.
    pub created_at: SimTime,
    /// `(service web) has reached a steady state.`
    pub message: String,
}

/// An ECS service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Service {
    /// Name.
    pub name: String,
    /// Cluster name.
    pub cluster: String,
    /// `ACTIVE`, `DRAINING` (being deleted), `INACTIVE`.
    pub status: String,
    /// Desired task count.
    pub desired_count: u32,
    /// `FARGATE` or `EC2` (or none when a capacity provider strategy is used).
    pub launch_type: Option<String>,
    /// Capacity provider strategy: (provider, weight, base).
    pub capacity_provider_strategy: Vec<(String, u32, u32)>,
    /// The current task definition (`family:revision`).
    pub task_definition: String,
    /// Deployment parameters.
    pub deployment_configuration: DeploymentConfiguration,
    /// Deployments, PRIMARY first.
    pub deployments: Vec<Deployment>,
    /// Load balancers.
    pub load_balancers: Vec<ServiceLoadBalancer>,
    /// `awsvpc` configuration.
    pub network: Option<NetworkConfiguration>,
    /// Seconds after a task starts during which failed load-balancer health checks are
    /// ignored.
    pub health_check_grace_period: u32,
    /// Placement strategies (EC2).
    pub placement_strategy: Vec<PlacementStrategy>,
    /// Placement constraints (EC2).
    pub placement_constraints: Vec<super::task_definition::PlacementConstraint>,
    /// Event history, newest first (at most 100 kept, as the API returns).
    pub events: Vec<ServiceEvent>,
    /// Consecutive tasks that failed to start: the service throttle's back-off step.
    pub throttle: u32,
    /// No new tasks are launched before this instant (service throttle).
    pub throttled_until: SimTime,
    /// The task definition of the last deployment that COMPLETED (the circuit breaker
    /// rolls back to it).
    pub last_completed: Option<String>,
    /// When it was created.
    pub created_at: SimTime,
}

impl Service {
    /// The service's ARN.
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:ecs:{}:{}:service/{}/{}",
            super::REGION,
            super::ACCOUNT,
            self.cluster,
            self.name
        )
    }

    /// Whether tasks run on Fargate.
    pub fn is_fargate(&self) -> bool {
        match &self.launch_type {
            Some(lt) => lt == "FARGATE",
            None => self
                .capacity_provider_strategy
                .iter()
                .any(|(p, _, _)| p.starts_with("FARGATE")),
        }
    }

    /// The PRIMARY deployment.
    pub fn primary(&self) -> Option<&Deployment> {
        self.deployments.first()
    }
}
