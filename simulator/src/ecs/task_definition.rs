//! Task definitions: the JSON `aws ecs register-task-definition --cli-input-json` takes,
//! and the registered revision ECS keeps (`family:revision`).
//!
//! Field names and shapes follow the ECS API reference (`RegisterTaskDefinition`,
//! `ContainerDefinition`). Numbers that the API types as strings (`cpu`, `memory` at
//! task level) stay strings, and numbers given as strings where the API wants integers
//! (`"memory": "256"` in a container, as in the aws-samples task definitions) are
//! accepted, as the AWS CLI's JSON input is in practice.

use serde::{Deserialize, Deserializer, Serialize};

/// An integer the JSON may give as a number or a numeric string.
pub(crate) fn int_or_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Repr {
        Int(i64),
        Str(String),
    }
    match Option::<Repr>::deserialize(d)? {
        None => Ok(None),
        Some(Repr::Int(i)) => Ok(Some(i)),
        Some(Repr::Str(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| serde::de::Error::custom(format!("invalid integer \"{s}\""))),
    }
}

/// A string the JSON may give as a string or a number (`"cpu": 256`).
pub(crate) fn string_or_int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Repr {
        Int(i64),
        Str(String),
    }
    Ok(Option::<Repr>::deserialize(d)?.map(|r| match r {
        Repr::Int(i) => i.to_string(),
        Repr::Str(s) => s,
    }))
}

/// A port a container listens on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PortMapping {
    /// The container's port.
    #[serde(default, deserialize_with = "int_or_string")]
    pub container_port: Option<i64>,
    /// The host port (`awsvpc`: equal to the container port; `bridge`: 0 = dynamic).
    #[serde(
        default,
        deserialize_with = "int_or_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub host_port: Option<i64>,
    /// `tcp` or `udp`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// Name for Service Connect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `http`, `http2`, `grpc`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_protocol: Option<String>,
}

/// `{name, value}` environment variable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyValue {
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Value.
    #[serde(default)]
    pub value: Option<String>,
}

/// `{name, valueFrom}`: a secret injected from Secrets Manager or SSM Parameter Store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Secret {
    /// Variable name in the container.
    pub name: String,
    /// ARN of the secret or parameter.
    pub value_from: String,
}

/// A container health check, run by the agent inside the container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthCheck {
    /// `["CMD-SHELL", "curl -f http://localhost/ || exit 1"]`.
    pub command: Vec<String>,
    /// Seconds between checks (default 30).
    #[serde(
        default,
        deserialize_with = "int_or_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub interval: Option<i64>,
    /// Seconds before a check fails (default 5).
    #[serde(
        default,
        deserialize_with = "int_or_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub timeout: Option<i64>,
    /// Failures before UNHEALTHY (default 3).
    #[serde(
        default,
        deserialize_with = "int_or_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub retries: Option<i64>,
    /// Grace before failures count (default 0).
    #[serde(
        default,
        deserialize_with = "int_or_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub start_period: Option<i64>,
}

/// One container of a task definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerDefinition {
    /// Container name, unique in the task.
    #[serde(default)]
    pub name: Option<String>,
    /// Image reference.
    #[serde(default)]
    pub image: Option<String>,
    /// CPU units (1024 = 1 vCPU).
    #[serde(
        default,
        deserialize_with = "int_or_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub cpu: Option<i64>,
    /// Hard memory limit, MiB.
    #[serde(
        default,
        deserialize_with = "int_or_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub memory: Option<i64>,
    /// Soft memory reservation, MiB.
    #[serde(
        default,
        deserialize_with = "int_or_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub memory_reservation: Option<i64>,
    /// Whether the task stops when this container stops (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub essential: Option<bool>,
    /// Ports.
    #[serde(default)]
    pub port_mappings: Vec<PortMapping>,
    /// Environment variables.
    #[serde(default)]
    pub environment: Vec<KeyValue>,
    /// Secrets.
    #[serde(default)]
    pub secrets: Vec<Secret>,
    /// Container health check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_check: Option<HealthCheck>,
    /// Command override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<Vec<String>>,
    /// Entry point override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_point: Option<Vec<String>>,
    /// Log configuration (kept as given; the simulator does not ship logs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_configuration: Option<serde_json::Value>,
    /// Other container fields the API knows but the simulator does not model (mount
    /// points, ulimits, links …), kept so `describe-task-definition` shows them back.
    #[serde(flatten)]
    pub other: std::collections::BTreeMap<String, serde_json::Value>,
}

impl ContainerDefinition {
    /// Whether the task stops when this container stops.
    pub fn is_essential(&self) -> bool {
        self.essential.unwrap_or(true)
    }
}

/// A task placement constraint (`memberOf` with an expression, `distinctInstance`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlacementConstraint {
    /// `distinctInstance` or `memberOf`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The cluster query language expression for `memberOf`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
}

/// The input of `RegisterTaskDefinition`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskDefinitionInput {
    /// Family name; revisions count up within it.
    pub family: String,
    /// IAM role the application uses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_role_arn: Option<String>,
    /// IAM role the agent uses to pull images and fetch secrets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_role_arn: Option<String>,
    /// `awsvpc`, `bridge`, `host` or `none` (default `bridge` on EC2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_mode: Option<String>,
    /// The containers.
    #[serde(default)]
    pub container_definitions: Vec<ContainerDefinition>,
    /// Volumes (kept as given).
    #[serde(default)]
    pub volumes: Vec<serde_json::Value>,
    /// Placement constraints.
    #[serde(default)]
    pub placement_constraints: Vec<PlacementConstraint>,
    /// Launch types to validate against (`EC2`, `FARGATE`).
    #[serde(default)]
    pub requires_compatibilities: Vec<String>,
    /// Task CPU units, as a string (`"256"`, or `"1 vCPU"`).
    #[serde(
        default,
        deserialize_with = "string_or_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub cpu: Option<String>,
    /// Task memory, as a string (`"512"` MiB, or `"1 GB"`).
    #[serde(
        default,
        deserialize_with = "string_or_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub memory: Option<String>,
    /// Other fields the API knows but the simulator does not model (tags, pidMode,
    /// runtimePlatform, ephemeralStorage …), kept as given.
    #[serde(flatten)]
    pub other: std::collections::BTreeMap<String, serde_json::Value>,
}

/// A registered revision.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskDefinition {
    /// What was registered.
    pub input: TaskDefinitionInput,
    /// Revision number within the family (from 1).
    pub revision: u32,
    /// `ACTIVE` or `INACTIVE` (deregistered).
    pub active: bool,
    /// Launch types this revision is valid for (`EC2` always; `FARGATE` when it meets
    /// Fargate's requirements), as ECS reports in `compatibilities`.
    pub compatibilities: Vec<String>,
    /// Task CPU units (from the task level, else the sum of the containers').
    pub cpu_units: u64,
    /// Task memory in MiB (from the task level, else the sum of the containers' hard
    /// limits or reservations).
    pub memory_mib: u64,
    /// When it was registered.
    pub registered_at: crate::time::SimTime,
    /// When it was deregistered (`deregister-task-definition`), if it was.
    pub deregistered_at: Option<crate::time::SimTime>,
}

impl TaskDefinition {
    /// A new ACTIVE revision of a validated input
    /// ([`super::validation::register_task_definition`] worked `registered` out).
    pub fn new(
        input: TaskDefinitionInput,
        revision: u32,
        registered: &super::validation::Registered,
        now: crate::time::SimTime,
    ) -> Self {
        TaskDefinition {
            input,
            revision,
            active: true,
            compatibilities: registered.compatibilities.clone(),
            cpu_units: registered.cpu_units,
            memory_mib: registered.memory_mib,
            registered_at: now,
            deregistered_at: None,
        }
    }

    /// `ACTIVE` or `INACTIVE`.
    pub fn status(&self) -> &'static str {
        if self.active { "ACTIVE" } else { "INACTIVE" }
    }

    /// Whether tasks of this revision can run on `launch_type` (`EC2`, `FARGATE`).
    pub fn is_compatible(&self, launch_type: &str) -> bool {
        self.compatibilities.iter().any(|c| c == launch_type)
    }

    /// The container instance attributes ECS derives from the definition and reports as
    /// `requiresAttributes` (an EC2 instance must offer them to run the task): the
    /// `awslogs` driver, execution-role uses, ECR pulls, task roles, health checks,
    /// secrets, Docker API versions and task ENIs. The names are the ones ECS prints;
    /// the set is modelled on what typical task definitions show, not an exhaustive
    /// reimplementation.
    pub fn requires_attributes(&self) -> Vec<String> {
        let i = &self.input;
        let containers = &i.container_definitions;
        let awslogs = containers.iter().any(|c| {
            c.log_configuration
                .as_ref()
                .and_then(|l| l.get("logDriver"))
                .and_then(|d| d.as_str())
                == Some("awslogs")
        });
        let logging = containers.iter().any(|c| c.log_configuration.is_some());
        let ecr = containers.iter().any(|c| {
            c.image
                .as_deref()
                .is_some_and(|im| im.contains(".dkr.ecr.") && im.contains(".amazonaws.com"))
        });
        let secret_from = |service: &str| {
            containers.iter().any(|c| {
                c.secrets
                    .iter()
                    .any(|s| s.value_from.contains(&format!(":{service}:")))
            })
        };
        let exec_role = i.execution_role_arn.is_some();
        let mut out: Vec<&str> = Vec::new();
        if awslogs {
            out.push("com.amazonaws.ecs.capability.logging-driver.awslogs");
            if exec_role {
                out.push("ecs.capability.execution-role-awslogs");
            }
        }
        if ecr {
            out.push("com.amazonaws.ecs.capability.ecr-auth");
            if exec_role {
                out.push("ecs.capability.execution-role-ecr-pull");
            }
        }
        if i.task_role_arn.is_some() {
            out.push("com.amazonaws.ecs.capability.task-iam-role");
        }
        if containers.iter().any(|c| c.health_check.is_some()) {
            out.push("ecs.capability.container-health-check");
        }
        if secret_from("ssm") {
            out.push("ecs.capability.secrets.ssm.environment-variables");
        }
        if secret_from("secretsmanager") {
            out.push("ecs.capability.secrets.asm.environment-variables");
        }
        if containers.iter().any(|c| c.memory_reservation.is_some()) {
            out.push("com.amazonaws.ecs.capability.docker-remote-api.1.21");
        }
        if awslogs {
            out.push("com.amazonaws.ecs.capability.docker-remote-api.1.19");
        }
        if logging {
            out.push("com.amazonaws.ecs.capability.docker-remote-api.1.18");
        }
        if self.network_mode() == "awsvpc" {
            out.push("ecs.capability.task-eni");
        }
        out.into_iter().map(str::to_string).collect()
    }

    /// `family:revision`.
    pub fn family_revision(&self) -> String {
        format!("{}:{}", self.input.family, self.revision)
    }

    /// The revision's ARN.
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:ecs:{}:{}:task-definition/{}",
            super::REGION,
            super::ACCOUNT,
            self.family_revision()
        )
    }

    /// The network mode in effect (`bridge` when not given).
    pub fn network_mode(&self) -> &str {
        self.input.network_mode.as_deref().unwrap_or("bridge")
    }

    /// The container health check of the first essential container that has one.
    pub fn health_check(&self) -> Option<&HealthCheck> {
        self.input
            .container_definitions
            .iter()
            .filter(|c| c.is_essential())
            .find_map(|c| c.health_check.as_ref())
    }
}
