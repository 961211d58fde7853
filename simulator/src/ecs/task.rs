//! ECS tasks and their lifecycle: PROVISIONING → PENDING → RUNNING → (DEACTIVATING) →
//! STOPPING → DEPROVISIONING → STOPPED, each step with the reason ECS would give.

use crate::time::SimTime;
use serde::Serialize;

/// `lastStatus` of a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum TaskStatus {
    /// Capacity and the task's network interface are being set up.
    Provisioning,
    /// Images are being pulled and containers created.
    Pending,
    /// Containers run.
    Running,
    /// Load balancer targets are draining before the containers are stopped.
    Deactivating,
    /// Containers were sent SIGTERM.
    Stopping,
    /// The network interface is being detached.
    Deprovisioning,
    /// Done.
    Stopped,
}

impl TaskStatus {
    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Provisioning => "PROVISIONING",
            TaskStatus::Pending => "PENDING",
            TaskStatus::Running => "RUNNING",
            TaskStatus::Deactivating => "DEACTIVATING",
            TaskStatus::Stopping => "STOPPING",
            TaskStatus::Deprovisioning => "DEPROVISIONING",
            TaskStatus::Stopped => "STOPPED",
        }
    }

    /// Whether the task has started and not begun stopping.
    pub fn is_live(self) -> bool {
        self < TaskStatus::Deactivating
    }
}

/// A task's health as the API reports it (`healthStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Health {
    /// Not known yet (no check, or the first check has not run).
    Unknown,
    /// Passing.
    Healthy,
    /// Failing.
    Unhealthy,
}

impl Health {
    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Unknown => "UNKNOWN",
            Health::Healthy => "HEALTHY",
            Health::Unhealthy => "UNHEALTHY",
        }
    }
}

/// An ECS task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    /// 32 hex digits.
    pub id: String,
    /// Cluster name.
    pub cluster: String,
    /// The service that started it (`None` for `run-task`).
    pub service: Option<String>,
    /// The deployment it belongs to.
    pub deployment: Option<String>,
    /// `family:revision`.
    pub task_definition: String,
    /// `FARGATE` or `EC2`.
    pub launch_type: String,
    /// The capacity provider it runs on.
    pub capacity_provider: String,
    /// The container instance (EC2).
    pub instance: Option<String>,
    /// Subnet of its ENI (`awsvpc`).
    pub subnet: Option<String>,
    /// Availability zone.
    pub zone: String,
    /// Private IP of its ENI (`awsvpc`), or the instance's (bridge).
    pub private_ip: Option<String>,
    /// `lastStatus`.
    pub last_status: TaskStatus,
    /// `desiredStatus`: RUNNING or STOPPED.
    pub desired_running: bool,
    /// Health.
    pub health: Health,
    /// CPU units and memory MiB reserved.
    pub cpu_units: u64,
    /// Memory MiB reserved.
    pub memory_mib: u64,
    /// When it was created.
    pub created_at: SimTime,
    /// When it reached RUNNING.
    pub started_at: Option<SimTime>,
    /// When it became healthy (counts toward `minimumHealthyPercent`).
    pub healthy_at: Option<SimTime>,
    /// When it stopped.
    pub stopped_at: Option<SimTime>,
    /// `stopCode`: `TaskFailedToStart`, `EssentialContainerExited`, `ServiceSchedulerInitiated` …
    pub stop_code: Option<String>,
    /// `stoppedReason`.
    pub stopped_reason: Option<String>,
    /// Whether it ever reached RUNNING (failures before that count as failed launches).
    pub reached_running: bool,
}

impl Task {
    /// The task's ARN.
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:ecs:{}:{}:task/{}/{}",
            super::REGION,
            super::ACCOUNT,
            self.cluster,
            self.id
        )
    }

    /// `group` as the API reports it (`service:web`, `family:nginx`).
    pub fn group(&self) -> String {
        match &self.service {
            Some(s) => format!("service:{s}"),
            None => format!(
                "family:{}",
                self.task_definition.split(':').next().unwrap_or_default()
            ),
        }
    }
}
