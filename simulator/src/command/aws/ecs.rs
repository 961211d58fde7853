//! `aws ecs`: clusters, capacity providers, services and tasks. Task definition
//! operations live in [`super::task_definitions`].

use super::params::Params;
use crate::command::CommandError;
use crate::simulation::Simulation;

/// Operations and the parameters each accepts.
pub const OPERATIONS: &[super::Operation] = &[
    (
        "create-cluster",
        &[
            "cluster-name",
            "capacity-providers",
            "default-capacity-provider-strategy",
            "tags",
            "settings",
        ],
    ),
    ("describe-clusters", &["clusters", "include"]),
    ("list-clusters", &[]),
    ("delete-cluster", &["cluster"]),
    (
        "create-capacity-provider",
        &["name", "auto-scaling-group-provider", "tags"],
    ),
    ("describe-capacity-providers", &["capacity-providers"]),
    (
        "put-cluster-capacity-providers",
        &[
            "cluster",
            "capacity-providers",
            "default-capacity-provider-strategy",
        ],
    ),
    ("list-container-instances", &["cluster"]),
    (
        "describe-container-instances",
        &["cluster", "container-instances"],
    ),
    (
        "register-task-definition",
        &[
            "cli-input-json",
            "family",
            "container-definitions",
            "network-mode",
            "requires-compatibilities",
            "cpu",
            "memory",
            "execution-role-arn",
            "task-role-arn",
            "volumes",
            "placement-constraints",
            "tags",
        ],
    ),
    ("describe-task-definition", &["task-definition", "include"]),
    (
        "list-task-definitions",
        &["family-prefix", "status", "sort"],
    ),
    (
        "list-task-definition-families",
        &["family-prefix", "status"],
    ),
    ("deregister-task-definition", &["task-definition"]),
    (
        "create-service",
        &[
            "cluster",
            "service-name",
            "task-definition",
            "desired-count",
            "launch-type",
            "capacity-provider-strategy",
            "deployment-configuration",
            "network-configuration",
            "load-balancers",
            "health-check-grace-period-seconds",
            "placement-strategy",
            "placement-constraints",
            "scheduling-strategy",
            "platform-version",
            "enable-execute-command",
            "propagate-tags",
            "tags",
            "cli-input-json",
        ],
    ),
    (
        "update-service",
        &[
            "cluster",
            "service",
            "task-definition",
            "desired-count",
            "deployment-configuration",
            "force-new-deployment",
            "health-check-grace-period-seconds",
            "capacity-provider-strategy",
            "network-configuration",
            "placement-strategy",
            "placement-constraints",
        ],
    ),
    ("describe-services", &["cluster", "services", "include"]),
    ("list-services", &["cluster", "launch-type"]),
    ("delete-service", &["cluster", "service", "force"]),
    (
        "run-task",
        &[
            "cluster",
            "task-definition",
            "count",
            "launch-type",
            "network-configuration",
            "capacity-provider-strategy",
            "started-by",
            "placement-strategy",
            "placement-constraints",
        ],
    ),
    (
        "list-tasks",
        &[
            "cluster",
            "service-name",
            "desired-status",
            "family",
            "container-instance",
            "launch-type",
        ],
    ),
    ("describe-tasks", &["cluster", "tasks", "include"]),
    ("stop-task", &["cluster", "task", "reason"]),
    ("wait", &[]),
];

/// Runs one operation.
pub fn run(sim: &mut Simulation, operation: &str, p: &Params) -> Result<String, CommandError> {
    match operation {
        "register-task-definition"
        | "describe-task-definition"
        | "list-task-definitions"
        | "list-task-definition-families"
        | "deregister-task-definition" => super::task_definitions::run(sim, operation, p),
        _ => Err(CommandError::new(format!(
            "aws ecs {operation}: not modelled yet"
        ))),
    }
}
