//! `aws ecs`: clusters, capacity providers, services and tasks. Task definition
//! operations live in [`super::task_definitions`].
//!
//! Requests are validated completely before anything changes, with the API's error codes
//! (`ClusterNotFoundException`, `InvalidParameterException`, `ClientException`); the
//! service scheduler then does the work over simulated time.

use super::ecr::iso;
use super::json::{J, obj, s, strs};
use super::params::{Params, aws_error, int_field, str_field, strs_field, usage_error};
use crate::command::CommandError;
use crate::components::aws::service_scheduler::deployment_id;
use crate::components::aws::{AwsEffect, AwsTask, fx, later, sync};
use crate::ecs::cluster::{CapacityProvider, Cluster, InstanceState};
use crate::ecs::load_balancer::target_group_name;
use crate::ecs::service::{
    Deployment, DeploymentConfiguration, NetworkConfiguration, PlacementStrategy, RolloutState,
    Service, ServiceLoadBalancer,
};
use crate::ecs::task::{Task, TaskStatus};
use crate::ecs::task_definition::PlacementConstraint;
use crate::ecs::{cluster_arn, cluster_name};
use crate::event::{Component, EventDraft, ObjectRef, Source};
use crate::simulation::Simulation;
use crate::time::{SimDuration, SimTime};
use serde_json::Value;

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
    // Task definition operations: `super::task_definitions::OPERATIONS`.
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
            "network-configuration",
        ],
    ),
    ("describe-services", &["cluster", "services", "include"]),
    ("list-services", &["cluster", "launch-type"]),
    ("delete-service", &["cluster", "service", "force"]),
    (
        "list-tasks",
        &[
            "cluster",
            "service-name",
            "desired-status",
            "family",
            "launch-type",
        ],
    ),
    ("describe-tasks", &["cluster", "tasks", "include"]),
    ("stop-task", &["cluster", "task", "reason"]),
    ("wait", &["cluster", "services", "tasks"]),
];

/// The waiters `aws ecs wait` knows.
pub const WAITERS: [&str; 4] = [
    "services-stable",
    "services-inactive",
    "tasks-running",
    "tasks-stopped",
];

fn cluster_of(sim: &Simulation, p: &Params, op: &str) -> Result<Cluster, CommandError> {
    let name = p.opt("cluster")?.unwrap_or_else(|| "default".into());
    sim.state()
        .aws
        .clusters
        .get(cluster_name(&name))
        .filter(|c| c.status == "ACTIVE")
        .cloned()
        .ok_or_else(|| aws_error("ClusterNotFoundException", op, "Cluster not found."))
}

fn invalid(op: &str, msg: impl std::fmt::Display) -> CommandError {
    aws_error("InvalidParameterException", op, msg)
}

fn strategy(v: &Value, op: &str) -> Result<Vec<(String, u32, u32)>, CommandError> {
    let items = match v {
        Value::Array(a) => a.clone(),
        other => vec![other.clone()],
    };
    items
        .iter()
        .map(|i| {
            let p = str_field(i, "capacityProvider").ok_or_else(|| {
                invalid(
                    op,
                    "capacityProvider is required in a capacity provider strategy item",
                )
            })?;
            Ok((
                p,
                int_field(i, "weight").unwrap_or(0).max(0) as u32,
                int_field(i, "base").unwrap_or(0).max(0) as u32,
            ))
        })
        .collect()
}

fn strategy_json(items: &[(String, u32, u32)]) -> J {
    J::Arr(
        items
            .iter()
            .map(|(p, w, b)| {
                obj([
                    ("capacityProvider", s(p)),
                    ("weight", J::Int(i64::from(*w))),
                    ("base", J::Int(i64::from(*b))),
                ])
            })
            .collect(),
    )
}

fn cluster_json(sim: &Simulation, c: &Cluster) -> J {
    let tasks: Vec<&Task> = sim
        .state()
        .aws
        .tasks
        .values()
        .filter(|t| t.cluster == c.name && t.last_status != TaskStatus::Stopped)
        .collect();
    obj([
        ("clusterArn", s(cluster_arn(&c.name))),
        ("clusterName", s(&c.name)),
        ("status", s(&c.status)),
        (
            "registeredContainerInstancesCount",
            J::Int(c.container_instances.len() as i64),
        ),
        (
            "runningTasksCount",
            J::Int(
                tasks
                    .iter()
                    .filter(|t| t.last_status == TaskStatus::Running)
                    .count() as i64,
            ),
        ),
        (
            "pendingTasksCount",
            J::Int(
                tasks
                    .iter()
                    .filter(|t| t.last_status < TaskStatus::Running)
                    .count() as i64,
            ),
        ),
        (
            "activeServicesCount",
            J::Int(
                sim.state()
                    .aws
                    .services
                    .values()
                    .filter(|x| x.cluster == c.name && x.status == "ACTIVE")
                    .count() as i64,
            ),
        ),
        ("statistics", J::Arr(vec![])),
        ("tags", J::Arr(vec![])),
        (
            "settings",
            J::Arr(vec![obj([
                ("name", s("containerInsights")),
                ("value", s("disabled")),
            ])]),
        ),
        (
            "capacityProviders",
            strs(c.capacity_providers.iter().cloned()),
        ),
        (
            "defaultCapacityProviderStrategy",
            strategy_json(&c.default_strategy),
        ),
    ])
}

fn provider_json(p: &CapacityProvider) -> J {
    let mut fields = vec![
        (
            "capacityProviderArn".to_string(),
            s(format!(
                "arn:aws:ecs:{}:{}:capacity-provider/{}",
                crate::ecs::REGION,
                crate::ecs::ACCOUNT,
                p.name
            )),
        ),
        ("name".to_string(), s(&p.name)),
        ("status".to_string(), s("ACTIVE")),
    ];
    if let Some(g) = &p.auto_scaling_group {
        fields.push((
            "autoScalingGroupProvider".into(),
            obj([
                ("autoScalingGroupArn", s(g)),
                (
                    "managedScaling",
                    obj([
                        (
                            "status",
                            s(if p.managed_scaling.is_some() {
                                "ENABLED"
                            } else {
                                "DISABLED"
                            }),
                        ),
                        (
                            "targetCapacity",
                            J::Int(i64::from(p.managed_scaling.unwrap_or(100))),
                        ),
                        ("minimumScalingStepSize", J::Int(1)),
                        ("maximumScalingStepSize", J::Int(10000)),
                    ]),
                ),
                ("managedTerminationProtection", s("DISABLED")),
            ]),
        ));
    }
    J::Obj(fields)
}

fn deployment_json(sim: &Simulation, svc: &Service, d: &Deployment, primary: bool) -> J {
    let tasks: Vec<&Task> = sim
        .state()
        .aws
        .live_tasks(&svc.cluster, &svc.name)
        .filter(|t| t.deployment.as_deref() == Some(&d.id) && t.desired_running)
        .collect();
    let mut f = vec![
        ("id".to_string(), s(&d.id)),
        (
            "status".to_string(),
            s(if primary { "PRIMARY" } else { "ACTIVE" }),
        ),
        (
            "taskDefinition".to_string(),
            s(task_definition_arn(&d.task_definition)),
        ),
        (
            "desiredCount".to_string(),
            J::Int(if primary {
                i64::from(svc.desired_count)
            } else {
                0
            }),
        ),
        (
            "pendingCount".to_string(),
            J::Int(
                tasks
                    .iter()
                    .filter(|t| t.last_status < TaskStatus::Running)
                    .count() as i64,
            ),
        ),
        (
            "runningCount".to_string(),
            J::Int(
                tasks
                    .iter()
                    .filter(|t| t.last_status == TaskStatus::Running)
                    .count() as i64,
            ),
        ),
        ("failedTasks".to_string(), J::Int(i64::from(d.failed_tasks))),
        ("createdAt".to_string(), s(iso(d.created_at))),
        ("updatedAt".to_string(), s(iso(d.updated_at))),
    ];
    if let Some(lt) = &svc.launch_type {
        f.push(("launchType".into(), s(lt)));
    }
    if let Some(n) = &svc.network {
        f.push(("networkConfiguration".into(), network_json(n)));
    }
    f.push(("rolloutState".into(), s(d.rollout_state.as_str())));
    f.push(("rolloutStateReason".into(), s(&d.rollout_state_reason)));
    J::Obj(f)
}

fn network_json(n: &NetworkConfiguration) -> J {
    obj([(
        "awsvpcConfiguration",
        obj([
            ("subnets", strs(n.subnets.iter().cloned())),
            ("securityGroups", strs(n.security_groups.iter().cloned())),
            (
                "assignPublicIp",
                s(if n.assign_public_ip {
                    "ENABLED"
                } else {
                    "DISABLED"
                }),
            ),
        ]),
    )])
}

fn task_definition_arn(family_revision: &str) -> String {
    format!(
        "arn:aws:ecs:{}:{}:task-definition/{family_revision}",
        crate::ecs::REGION,
        crate::ecs::ACCOUNT
    )
}

fn service_json(sim: &Simulation, svc: &Service) -> J {
    let live: Vec<&Task> = sim
        .state()
        .aws
        .live_tasks(&svc.cluster, &svc.name)
        .filter(|t| t.desired_running)
        .collect();
    let mut f: Vec<(String, J)> = vec![
        ("serviceArn".into(), s(svc.arn())),
        ("serviceName".into(), s(&svc.name)),
        ("clusterArn".into(), s(cluster_arn(&svc.cluster))),
        (
            "loadBalancers".into(),
            J::Arr(
                svc.load_balancers
                    .iter()
                    .map(|l| {
                        let arn = sim
                            .state()
                            .aws
                            .target_groups
                            .get(&l.target_group)
                            .map(|g| g.arn())
                            .unwrap_or_else(|| l.target_group.clone());
                        obj([
                            ("targetGroupArn", s(arn)),
                            ("containerName", s(&l.container_name)),
                            ("containerPort", J::Int(l.container_port)),
                        ])
                    })
                    .collect(),
            ),
        ),
        ("serviceRegistries".into(), J::Arr(vec![])),
        ("status".into(), s(&svc.status)),
        ("desiredCount".into(), J::Int(i64::from(svc.desired_count))),
        (
            "runningCount".into(),
            J::Int(
                live.iter()
                    .filter(|t| t.last_status == TaskStatus::Running)
                    .count() as i64,
            ),
        ),
        (
            "pendingCount".into(),
            J::Int(
                live.iter()
                    .filter(|t| t.last_status < TaskStatus::Running)
                    .count() as i64,
            ),
        ),
    ];
    if let Some(lt) = &svc.launch_type {
        f.push(("launchType".into(), s(lt)));
    } else {
        f.push((
            "capacityProviderStrategy".into(),
            strategy_json(&svc.capacity_provider_strategy),
        ));
    }
    if svc.is_fargate() {
        f.push(("platformVersion".into(), s("LATEST")));
        f.push(("platformFamily".into(), s("Linux")));
    }
    let c = &svc.deployment_configuration;
    f.push((
        "taskDefinition".into(),
        s(task_definition_arn(&svc.task_definition)),
    ));
    f.push((
        "deploymentConfiguration".into(),
        obj([
            (
                "deploymentCircuitBreaker",
                obj([
                    ("enable", J::Bool(c.circuit_breaker_enable)),
                    ("rollback", J::Bool(c.circuit_breaker_rollback)),
                ]),
            ),
            ("maximumPercent", J::Int(i64::from(c.maximum_percent))),
            (
                "minimumHealthyPercent",
                J::Int(i64::from(c.minimum_healthy_percent)),
            ),
        ]),
    ));
    f.push((
        "deployments".into(),
        J::Arr(
            svc.deployments
                .iter()
                .enumerate()
                .map(|(i, d)| deployment_json(sim, svc, d, i == 0))
                .collect(),
        ),
    ));
    f.push((
        "events".into(),
        J::Arr(
            svc.events
                .iter()
                .map(|e| {
                    obj([
                        ("id", s(&e.id)),
                        ("createdAt", s(iso(e.created_at))),
                        ("message", s(&e.message)),
                    ])
                })
                .collect(),
        ),
    ));
    f.push(("createdAt".into(), s(iso(svc.created_at))));
    f.push((
        "placementConstraints".into(),
        J::Arr(
            svc.placement_constraints
                .iter()
                .map(|c| match &c.expression {
                    Some(e) => obj([("type", s(&c.kind)), ("expression", s(e))]),
                    None => obj([("type", s(&c.kind))]),
                })
                .collect(),
        ),
    ));
    f.push((
        "placementStrategy".into(),
        J::Arr(
            svc.placement_strategy
                .iter()
                .map(|p| match &p.field {
                    Some(x) => obj([("type", s(&p.kind)), ("field", s(x))]),
                    None => obj([("type", s(&p.kind))]),
                })
                .collect(),
        ),
    ));
    if let Some(n) = &svc.network {
        f.push(("networkConfiguration".into(), network_json(n)));
    }
    if !svc.load_balancers.is_empty() {
        f.push((
            "healthCheckGracePeriodSeconds".into(),
            J::Int(i64::from(svc.health_check_grace_period)),
        ));
    }
    f.push(("schedulingStrategy".into(), s("REPLICA")));
    f.push(("deploymentController".into(), obj([("type", s("ECS"))])));
    f.push((
        "createdBy".into(),
        s(format!("arn:aws:iam::{}:root", crate::ecs::ACCOUNT)),
    ));
    f.push(("enableECSManagedTags".into(), J::Bool(false)));
    f.push(("propagateTags".into(), s("NONE")));
    f.push(("enableExecuteCommand".into(), J::Bool(false)));
    J::Obj(f)
}

fn task_json(sim: &Simulation, t: &Task) -> J {
    let def = sim.state().aws.task_definition(&t.task_definition);
    let mut f: Vec<(String, J)> = Vec::new();
    if let (Some(sub), Some(ip)) = (&t.subnet, &t.private_ip) {
        f.push((
            "attachments".into(),
            J::Arr(vec![obj([
                (
                    "id",
                    s(crate::ecs::vpc::stable_id("eni-attach", &t.id)[11..].to_string()),
                ),
                ("type", s("ElasticNetworkInterface")),
                (
                    "status",
                    s(match t.last_status {
                        TaskStatus::Provisioning => "PRECREATED",
                        TaskStatus::Stopped => "DELETED",
                        TaskStatus::Deprovisioning => "DETACHING",
                        _ => "ATTACHED",
                    }),
                ),
                (
                    "details",
                    J::Arr(vec![
                        obj([("name", s("subnetId")), ("value", s(sub))]),
                        obj([("name", s("privateIPv4Address")), ("value", s(ip))]),
                    ]),
                ),
            ])]),
        ));
    }
    f.push(("availabilityZone".into(), s(&t.zone)));
    f.push(("capacityProviderName".into(), s(&t.capacity_provider)));
    f.push(("clusterArn".into(), s(cluster_arn(&t.cluster))));
    if let Some(i) = &t.instance {
        f.push((
            "containerInstanceArn".into(),
            s(format!(
                "arn:aws:ecs:{}:{}:container-instance/{}/{}",
                crate::ecs::REGION,
                crate::ecs::ACCOUNT,
                t.cluster,
                i
            )),
        ));
    }
    let containers: Vec<J> = def
        .map(|d| {
            d.input
                .container_definitions
                .iter()
                .map(|c| {
                    obj([
                        ("name", s(c.name.clone().unwrap_or_default())),
                        ("image", s(c.image.clone().unwrap_or_default())),
                        (
                            "lastStatus",
                            s(match t.last_status {
                                TaskStatus::Running | TaskStatus::Deactivating => "RUNNING",
                                TaskStatus::Stopped | TaskStatus::Deprovisioning => "STOPPED",
                                TaskStatus::Stopping => "RUNNING",
                                _ => "PENDING",
                            }),
                        ),
                        (
                            "healthStatus",
                            s(if c.health_check.is_some() {
                                t.health.as_str()
                            } else {
                                "UNKNOWN"
                            }),
                        ),
                    ])
                })
                .collect()
        })
        .unwrap_or_default();
    f.push(("containers".into(), J::Arr(containers)));
    f.push(("cpu".into(), s(t.cpu_units.to_string())));
    f.push(("createdAt".into(), s(iso(t.created_at))));
    f.push((
        "desiredStatus".into(),
        s(if t.desired_running {
            "RUNNING"
        } else {
            "STOPPED"
        }),
    ));
    f.push(("group".into(), s(t.group())));
    f.push(("healthStatus".into(), s(t.health.as_str())));
    f.push(("lastStatus".into(), s(t.last_status.as_str())));
    f.push(("launchType".into(), s(&t.launch_type)));
    f.push(("memory".into(), s(t.memory_mib.to_string())));
    if t.launch_type == "FARGATE" {
        f.push(("platformVersion".into(), s("1.4.0")));
    }
    if let Some(at) = t.started_at {
        f.push(("startedAt".into(), s(iso(at))));
    }
    if let Some(svc) = &t.service {
        f.push((
            "startedBy".into(),
            s(t.deployment.clone().unwrap_or_else(|| svc.clone())),
        ));
    }
    if let Some(c) = &t.stop_code
        && !t.desired_running
    {
        f.push(("stopCode".into(), s(c)));
    }
    if let Some(at) = t.stopped_at {
        f.push(("stoppedAt".into(), s(iso(at))));
    }
    if let Some(r) = &t.stopped_reason
        && !t.desired_running
    {
        f.push(("stoppedReason".into(), s(r)));
    }
    f.push(("taskArn".into(), s(t.arn())));
    f.push((
        "taskDefinitionArn".into(),
        s(task_definition_arn(&t.task_definition)),
    ));
    J::Obj(f)
}

fn ecs_event(sim: &mut Simulation, kind: &str, object: ObjectRef, msg: String) {
    sim.record(EventDraft::new(
        Source::of(Component::Ecs),
        object,
        kind,
        msg,
    ));
}

fn deployment_configuration(
    v: Option<Value>,
    base: DeploymentConfiguration,
    op: &str,
) -> Result<DeploymentConfiguration, CommandError> {
    let Some(v) = v else {
        return Ok(base);
    };
    let mut c = base;
    if let Some(m) = int_field(&v, "maximumPercent") {
        c.maximum_percent =
            u32::try_from(m).map_err(|_| invalid(op, "maximumPercent must be positive"))?;
    }
    if let Some(m) = int_field(&v, "minimumHealthyPercent") {
        c.minimum_healthy_percent =
            u32::try_from(m).map_err(|_| invalid(op, "minimumHealthyPercent must be positive"))?;
    }
    if let Some(b) = v.get("deploymentCircuitBreaker") {
        c.circuit_breaker_enable = b.get("enable").and_then(Value::as_bool).unwrap_or(false);
        c.circuit_breaker_rollback = b.get("rollback").and_then(Value::as_bool).unwrap_or(false);
    }
    if c.maximum_percent < 100 && c.minimum_healthy_percent == 100
        || c.maximum_percent <= c.minimum_healthy_percent
            && c.maximum_percent != 0
            && c.minimum_healthy_percent != 0
    {
        return Err(invalid(
            op,
            format!(
                "maximumPercent ({}) must be greater than minimumHealthyPercent ({}) so a deployment can make progress.",
                c.maximum_percent, c.minimum_healthy_percent
            ),
        ));
    }
    if c.maximum_percent > 10_000 {
        return Err(invalid(op, "maximumPercent is too large."));
    }
    Ok(c)
}

/// Runs one operation.
pub fn run(sim: &mut Simulation, operation: &str, p: &Params) -> Result<String, CommandError> {
    if let Some(waiter) = operation.strip_prefix("wait ") {
        return wait(sim, waiter, p);
    }
    match operation {
        "register-task-definition"
        | "describe-task-definition"
        | "list-task-definitions"
        | "list-task-definition-families"
        | "deregister-task-definition" => super::task_definitions::run(sim, operation, p),
        "create-cluster" => create_cluster(sim, p),
        "describe-clusters" => {
            let names = p.list("clusters");
            let names = if names.is_empty() {
                vec!["default".to_string()]
            } else {
                names
            };
            let mut found = Vec::new();
            let mut failures = Vec::new();
            for n in &names {
                match sim.state().aws.clusters.get(cluster_name(n)) {
                    Some(c) => found.push(cluster_json(sim, c)),
                    None => failures.push(obj([
                        ("arn", s(cluster_arn(cluster_name(n)))),
                        ("reason", s("MISSING")),
                    ])),
                }
            }
            Ok(obj([("clusters", J::Arr(found)), ("failures", J::Arr(failures))]).pretty() + "\n")
        }
        "list-clusters" => Ok(obj([(
            "clusterArns",
            strs(
                sim.state()
                    .aws
                    .clusters
                    .values()
                    .filter(|c| c.status == "ACTIVE")
                    .map(|c| cluster_arn(&c.name)),
            ),
        )])
        .pretty()
            + "\n"),
        "delete-cluster" => {
            let op = "DeleteCluster";
            let c = cluster_of(sim, p, op)?;
            if sim
                .state()
                .aws
                .services
                .values()
                .any(|x| x.cluster == c.name && x.status != "INACTIVE")
            {
                return Err(aws_error(
                    "ClusterContainsServicesException",
                    op,
                    "The Cluster cannot be deleted while Services are active.",
                ));
            }
            if sim
                .state()
                .aws
                .tasks
                .values()
                .any(|t| t.cluster == c.name && t.last_status != TaskStatus::Stopped)
            {
                return Err(aws_error(
                    "ClusterContainsTasksException",
                    op,
                    "The Cluster cannot be deleted while Tasks are active.",
                ));
            }
            let mut c = c;
            c.status = "INACTIVE".into();
            let out = obj([("cluster", cluster_json(sim, &c))]).pretty() + "\n";
            sim.world_mut().aws.clusters.insert(c.name.clone(), c);
            Ok(out)
        }
        "create-capacity-provider" => {
            let op = "CreateCapacityProvider";
            let name = p.one("name")?;
            if name.starts_with("FARGATE") || name.starts_with("aws") || name.starts_with("ecs") {
                return Err(invalid(
                    op,
                    "The capacity provider name cannot start with 'aws', 'ecs' or 'fargate'.",
                ));
            }
            if sim.state().aws.capacity_providers.contains_key(&name) {
                return Err(invalid(
                    op,
                    "The specified capacity provider already exists. To change the configuration of an existing capacity provider, update the capacity provider.".to_string(),
                ));
            }
            let v = p
                .structure("auto-scaling-group-provider", &sim.state().workspace)?
                .ok_or_else(|| {
                    usage_error(
                        "the following arguments are required: --auto-scaling-group-provider",
                    )
                })?;
            let asg = str_field(&v, "autoScalingGroupArn")
                .ok_or_else(|| invalid(op, "autoScalingGroupArn is required."))?;
            let group = asg
                .rsplit_once("autoScalingGroupName/")
                .map_or(asg.as_str(), |(_, n)| n)
                .to_string();
            if !sim.state().aws.auto_scaling_groups.contains_key(&group) {
                return Err(invalid(
                    op,
                    format!("The specified Auto Scaling group ARN or name ({asg}) is not valid."),
                ));
            }
            if sim
                .state()
                .aws
                .capacity_providers
                .values()
                .any(|c| c.auto_scaling_group.as_deref() == Some(&group))
            {
                return Err(invalid(
                    op,
                    "The specified Auto Scaling group is already associated with another capacity provider.",
                ));
            }
            let managed = v.get("managedScaling").and_then(|m| {
                (str_field(m, "status").as_deref() == Some("ENABLED"))
                    .then(|| int_field(m, "targetCapacity").unwrap_or(100).clamp(1, 100) as u32)
            });
            let cp = CapacityProvider {
                name: name.clone(),
                auto_scaling_group: Some(group),
                managed_scaling: managed,
            };
            let out = obj([("capacityProvider", provider_json(&cp))]).pretty() + "\n";
            sim.world_mut().aws.capacity_providers.insert(name, cp);
            Ok(out)
        }
        "describe-capacity-providers" => {
            let names = p.list("capacity-providers");
            let mut all = vec![
                fargate_provider("FARGATE"),
                fargate_provider("FARGATE_SPOT"),
            ];
            all.extend(sim.state().aws.capacity_providers.values().cloned());
            let items: Vec<J> = all
                .iter()
                .filter(|c| names.is_empty() || names.contains(&c.name))
                .map(provider_json)
                .collect();
            Ok(obj([("capacityProviders", J::Arr(items))]).pretty() + "\n")
        }
        "put-cluster-capacity-providers" => {
            let op = "PutClusterCapacityProviders";
            let mut c = cluster_of(sim, p, op)?;
            let providers = p.list("capacity-providers");
            for cp in &providers {
                if !cp.starts_with("FARGATE")
                    && !sim.state().aws.capacity_providers.contains_key(cp)
                {
                    return Err(invalid(
                        op,
                        format!(
                            "The specified capacity provider {cp} is not in an ACTIVE state. Specify a valid capacity provider and try again."
                        ),
                    ));
                }
            }
            let strat =
                match p.structure("default-capacity-provider-strategy", &sim.state().workspace)? {
                    Some(v) => strategy(&v, op)?,
                    None => Vec::new(),
                };
            for (sp, _, _) in &strat {
                if !providers.contains(sp) {
                    return Err(invalid(
                        op,
                        "The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again.",
                    ));
                }
            }
            c.capacity_providers = providers;
            c.default_strategy = strat;
            // Running instances of the groups behind the providers register now.
            let groups: Vec<String> = c
                .capacity_providers
                .iter()
                .filter_map(|n| sim.state().aws.capacity_providers.get(n))
                .filter_map(|x| x.auto_scaling_group.clone())
                .collect();
            let joining: Vec<String> = sim
                .state()
                .aws
                .instances
                .values()
                .filter(|i| {
                    groups.contains(&i.group)
                        && i.state == InstanceState::Running
                        && !c.container_instances.contains(&i.id)
                })
                .map(|i| i.id.clone())
                .collect();
            c.container_instances.extend(joining);
            let out = obj([("cluster", cluster_json(sim, &c))]).pretty() + "\n";
            let mut effects = vec![fx(AwsEffect::PutCluster(c.clone()))];
            for g in groups {
                effects.push(later(
                    SimDuration::ZERO,
                    AwsTask::CapacityCheck { group: g },
                ));
            }
            effects.extend(crate::components::aws::service_scheduler::sync_cluster(
                sim.state(),
                &c.name,
            ));
            sim.apply_command_effects(effects);
            Ok(out)
        }
        "list-container-instances" => {
            let c = cluster_of(sim, p, "ListContainerInstances")?;
            Ok(obj([(
                "containerInstanceArns",
                strs(c.container_instances.iter().map(|i| {
                    format!(
                        "arn:aws:ecs:{}:{}:container-instance/{}/{i}",
                        crate::ecs::REGION,
                        crate::ecs::ACCOUNT,
                        c.name
                    )
                })),
            )])
            .pretty()
                + "\n")
        }
        "describe-container-instances" => {
            let c = cluster_of(sim, p, "DescribeContainerInstances")?;
            let want = p.list("container-instances");
            let items: Vec<J> = c
                .container_instances
                .iter()
                .filter(|i| want.is_empty() || want.iter().any(|w| w.ends_with(i.as_str())))
                .filter_map(|i| sim.state().aws.instances.get(i))
                .map(|i| {
                    let (cpu, mem) = i
                        .tasks
                        .iter()
                        .filter_map(|t| sim.state().aws.tasks.get(t))
                        .fold((0u64, 0u64), |(c, m), t| {
                            (c + t.cpu_units, m + t.memory_mib)
                        });
                    obj([
                        (
                            "containerInstanceArn",
                            s(format!(
                                "arn:aws:ecs:{}:{}:container-instance/{}/{}",
                                crate::ecs::REGION,
                                crate::ecs::ACCOUNT,
                                c.name,
                                i.id
                            )),
                        ),
                        ("ec2InstanceId", s(&i.id)),
                        ("status", s("ACTIVE")),
                        ("agentConnected", J::Bool(i.state == InstanceState::Running)),
                        ("runningTasksCount", J::Int(i.tasks.len() as i64)),
                        (
                            "remainingResources",
                            J::Arr(vec![
                                obj([
                                    ("name", s("CPU")),
                                    ("type", s("INTEGER")),
                                    (
                                        "integerValue",
                                        J::Int((i.cpu_units - cpu.min(i.cpu_units)) as i64),
                                    ),
                                ]),
                                obj([
                                    ("name", s("MEMORY")),
                                    ("type", s("INTEGER")),
                                    (
                                        "integerValue",
                                        J::Int((i.memory_mib - mem.min(i.memory_mib)) as i64),
                                    ),
                                ]),
                            ]),
                        ),
                        (
                            "registeredResources",
                            J::Arr(vec![
                                obj([
                                    ("name", s("CPU")),
                                    ("type", s("INTEGER")),
                                    ("integerValue", J::Int(i.cpu_units as i64)),
                                ]),
                                obj([
                                    ("name", s("MEMORY")),
                                    ("type", s("INTEGER")),
                                    ("integerValue", J::Int(i.memory_mib as i64)),
                                ]),
                            ]),
                        ),
                        (
                            "attributes",
                            J::Arr(vec![
                                obj([
                                    ("name", s("ecs.instance-type")),
                                    ("value", s(&i.instance_type)),
                                ]),
                                obj([("name", s("ecs.availability-zone")), ("value", s(&i.zone))]),
                            ]),
                        ),
                    ])
                })
                .collect();
            Ok(obj([
                ("containerInstances", J::Arr(items)),
                ("failures", J::Arr(vec![])),
            ])
            .pretty()
                + "\n")
        }
        "create-service" => create_service(sim, p),
        "update-service" => update_service(sim, p),
        "describe-services" => {
            let op = "DescribeServices";
            let c = cluster_of(sim, p, op)?;
            let names = p.list("services");
            if names.is_empty() {
                return Err(usage_error(
                    "the following arguments are required: --services",
                ));
            }
            let mut found = Vec::new();
            let mut failures = Vec::new();
            for n in &names {
                let name = n.rsplit('/').next().unwrap_or(n);
                match sim
                    .state()
                    .aws
                    .services
                    .get(&(c.name.clone(), name.to_string()))
                {
                    Some(svc) => found.push(service_json(sim, svc)),
                    None => failures.push(obj([
                        (
                            "arn",
                            s(format!(
                                "arn:aws:ecs:{}:{}:service/{}/{name}",
                                crate::ecs::REGION,
                                crate::ecs::ACCOUNT,
                                c.name
                            )),
                        ),
                        ("reason", s("MISSING")),
                    ])),
                }
            }
            Ok(obj([("services", J::Arr(found)), ("failures", J::Arr(failures))]).pretty() + "\n")
        }
        "list-services" => {
            let c = cluster_of(sim, p, "ListServices")?;
            Ok(obj([(
                "serviceArns",
                strs(
                    sim.state()
                        .aws
                        .services
                        .values()
                        .filter(|x| x.cluster == c.name && x.status == "ACTIVE")
                        .map(|x| x.arn()),
                ),
            )])
            .pretty()
                + "\n")
        }
        "delete-service" => {
            let op = "DeleteService";
            let c = cluster_of(sim, p, op)?;
            let name = p.one("service")?;
            let name = name.rsplit('/').next().unwrap_or(&name).to_string();
            let key = (c.name.clone(), name.clone());
            let Some(svc) = sim
                .state()
                .aws
                .services
                .get(&key)
                .filter(|x| x.status == "ACTIVE")
                .cloned()
            else {
                return Err(aws_error(
                    "ServiceNotFoundException",
                    op,
                    "Service not found.",
                ));
            };
            if svc.desired_count > 0 && !p.has("force") {
                return Err(invalid(
                    op,
                    "The service cannot be stopped while it is scaled above 0.",
                ));
            }
            let mut svc = svc;
            svc.status = "DRAINING".into();
            svc.desired_count = 0;
            let out = obj([("service", service_json(sim, &svc))]).pretty() + "\n";
            sim.world_mut()
                .aws
                .scalable_targets
                .remove(&format!("service/{}/{}", c.name, name));
            sim.apply_command_effects(vec![
                fx(AwsEffect::PutService(key, Some(svc))),
                sync(&c.name, &name),
            ]);
            Ok(out)
        }
        "list-tasks" => {
            let c = cluster_of(sim, p, "ListTasks")?;
            let svc = p.opt("service-name")?;
            let stopped = match p.opt("desired-status")?.as_deref() {
                None | Some("RUNNING") => false,
                Some("STOPPED") => true,
                Some(other) => {
                    return Err(invalid(
                        "ListTasks",
                        format!(
                            "1 validation error detected: Value '{other}' at 'desiredStatus' failed to satisfy constraint: Member must satisfy enum value set: [PENDING, RUNNING, STOPPED]"
                        ),
                    ));
                }
            };
            if let Some(sv) = &svc
                && !sim
                    .state()
                    .aws
                    .services
                    .contains_key(&(c.name.clone(), sv.clone()))
            {
                return Err(aws_error(
                    "ServiceNotFoundException",
                    "ListTasks",
                    "Service not found.",
                ));
            }
            let family = p.opt("family")?;
            let arns: Vec<String> = sim
                .state()
                .aws
                .tasks
                .values()
                .filter(|t| t.cluster == c.name && t.desired_running != stopped)
                .filter(|t| svc.as_ref().is_none_or(|s| t.service.as_ref() == Some(s)))
                .filter(|t| {
                    family
                        .as_ref()
                        .is_none_or(|f| t.task_definition.split(':').next() == Some(f.as_str()))
                })
                .map(Task::arn)
                .collect();
            Ok(obj([("taskArns", strs(arns))]).pretty() + "\n")
        }
        "describe-tasks" => {
            let c = cluster_of(sim, p, "DescribeTasks")?;
            let ids = p.list("tasks");
            if ids.is_empty() {
                return Err(usage_error("the following arguments are required: --tasks"));
            }
            let mut found = Vec::new();
            let mut failures = Vec::new();
            for raw in &ids {
                let id = raw.rsplit('/').next().unwrap_or(raw);
                match sim
                    .state()
                    .aws
                    .tasks
                    .get(id)
                    .filter(|t| t.cluster == c.name)
                {
                    Some(t) => found.push(task_json(sim, t)),
                    None => failures.push(obj([("arn", s(raw)), ("reason", s("MISSING"))])),
                }
            }
            Ok(obj([("tasks", J::Arr(found)), ("failures", J::Arr(failures))]).pretty() + "\n")
        }
        "stop-task" => {
            let op = "StopTask";
            let c = cluster_of(sim, p, op)?;
            let raw = p.one("task")?;
            let id = raw.rsplit('/').next().unwrap_or(&raw).to_string();
            let Some(t) = sim
                .state()
                .aws
                .tasks
                .get(&id)
                .filter(|t| t.cluster == c.name)
                .cloned()
            else {
                return Err(invalid(op, "The referenced task was not found."));
            };
            let mut t = t;
            if t.desired_running {
                t.desired_running = false;
                t.stop_code = Some("UserInitiated".into());
                t.stopped_reason = Some(
                    p.opt("reason")?
                        .unwrap_or_else(|| "Task stopped by user".into()),
                );
            }
            let out = obj([("task", task_json(sim, &t))]).pretty() + "\n";
            let mut effects = vec![
                fx(AwsEffect::PutTask(t.clone())),
                later(SimDuration::ZERO, AwsTask::TaskStep { task: id }),
            ];
            if let Some(svc) = &t.service {
                effects.push(sync(&t.cluster, svc));
            }
            sim.apply_command_effects(effects);
            Ok(out)
        }
        _ => Err(usage_error(&format!(
            "argument operation: Invalid choice: {operation}"
        ))),
    }
}

fn fargate_provider(name: &str) -> CapacityProvider {
    CapacityProvider {
        name: name.into(),
        auto_scaling_group: None,
        managed_scaling: None,
    }
}

fn create_cluster(sim: &mut Simulation, p: &Params) -> Result<String, CommandError> {
    let op = "CreateCluster";
    let name = p.opt("cluster-name")?.unwrap_or_else(|| "default".into());
    if name.is_empty()
        || name.len() > 255
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(invalid(
            op,
            "Cluster name may contain only letters, numbers, hyphens and underscores, up to 255 characters.",
        ));
    }
    let providers = p.list("capacity-providers");
    for cp in &providers {
        if !cp.starts_with("FARGATE") && !sim.state().aws.capacity_providers.contains_key(cp) {
            return Err(invalid(
                op,
                format!("The specified capacity provider {cp} is not in an ACTIVE state."),
            ));
        }
    }
    let strat = match p.structure("default-capacity-provider-strategy", &sim.state().workspace)? {
        Some(v) => strategy(&v, op)?,
        None => Vec::new(),
    };
    if let Some(c) = sim
        .state()
        .aws
        .clusters
        .get(&name)
        .filter(|c| c.status == "ACTIVE")
    {
        // CreateCluster is idempotent for an existing active cluster.
        return Ok(obj([("cluster", cluster_json(sim, c))]).pretty() + "\n");
    }
    let c = Cluster {
        name: name.clone(),
        status: "ACTIVE".into(),
        capacity_providers: providers,
        default_strategy: strat,
        container_instances: Vec::new(),
        created_at: sim.now(),
    };
    let out = obj([("cluster", cluster_json(sim, &c))]).pretty() + "\n";
    ecs_event(
        sim,
        "ClusterCreated",
        ObjectRef::new("ecs-cluster", name.clone()),
        format!(
            "cluster {name} created: a namespace for services and tasks; ECS runs its control plane for you at no charge"
        ),
    );
    sim.world_mut().aws.clusters.insert(name, c);
    Ok(out)
}

fn parse_network(
    sim: &Simulation,
    p: &Params,
    op: &str,
) -> Result<Option<NetworkConfiguration>, CommandError> {
    let Some(v) = p.structure("network-configuration", &sim.state().workspace)? else {
        return Ok(None);
    };
    let a = v.get("awsvpcConfiguration").ok_or_else(|| {
        invalid(
            op,
            "awsvpcConfiguration is required in networkConfiguration.",
        )
    })?;
    let subnets = strs_field(a, "subnets");
    if subnets.is_empty() {
        return Err(invalid(op, "subnets can not be empty."));
    }
    for sn in &subnets {
        if !sim.state().aws.vpc.subnets.contains_key(sn) {
            return Err(invalid(
                op,
                format!(
                    "Error retrieving subnet information for [{sn}]: The subnet ID '{sn}' does not exist (Service: AmazonEC2; Status Code: 400; Error Code: InvalidSubnetID.NotFound)"
                ),
            ));
        }
    }
    let mut groups = strs_field(a, "securityGroups");
    if groups.is_empty() {
        groups.push(sim.state().aws.vpc.default_security_group.clone());
    }
    Ok(Some(NetworkConfiguration {
        subnets,
        security_groups: groups,
        assign_public_ip: str_field(a, "assignPublicIp").as_deref() == Some("ENABLED"),
    }))
}

fn parse_placement(
    sim: &Simulation,
    p: &Params,
    op: &str,
) -> Result<(Vec<PlacementStrategy>, Vec<PlacementConstraint>), CommandError> {
    let list = |v: Option<Value>| -> Vec<Value> {
        match v {
            None => Vec::new(),
            Some(Value::Array(a)) => a,
            Some(o) => vec![o],
        }
    };
    let mut strategies = Vec::new();
    for v in list(p.structure("placement-strategy", &sim.state().workspace)?) {
        let kind = str_field(&v, "type").unwrap_or_default();
        let field = str_field(&v, "field");
        match kind.as_str() {
            "binpack" if matches!(field.as_deref(), Some("cpu" | "memory")) => {}
            "spread" if field.is_some() => {}
            "random" => {}
            _ => {
                return Err(invalid(
                    op,
                    format!(
                        "Invalid placement strategy: type={kind}, field={}. binpack takes cpu or memory; spread takes instanceId, host or attribute:NAME; random takes none.",
                        field.clone().unwrap_or_default()
                    ),
                ));
            }
        }
        strategies.push(PlacementStrategy { kind, field });
    }
    let mut constraints = Vec::new();
    for v in list(p.structure("placement-constraints", &sim.state().workspace)?) {
        let kind = str_field(&v, "type").unwrap_or_default();
        if kind != "distinctInstance" && kind != "memberOf" {
            return Err(invalid(
                op,
                format!(
                    "Invalid placement constraint type: {kind}. Valid types are distinctInstance and memberOf."
                ),
            ));
        }
        let expression = str_field(&v, "expression");
        if kind == "memberOf" && expression.is_none() {
            return Err(invalid(
                op,
                "memberOf placement constraints need an expression.",
            ));
        }
        constraints.push(PlacementConstraint { kind, expression });
    }
    Ok((strategies, constraints))
}

fn create_service(sim: &mut Simulation, p: &Params) -> Result<String, CommandError> {
    let op = "CreateService";
    let c = cluster_of(sim, p, op)?;
    let name = p.one("service-name")?;
    if !name
        .chars()
        .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
        || name.len() > 255
    {
        return Err(invalid(
            op,
            "Service name may contain only letters, numbers, hyphens and underscores, up to 255 characters.",
        ));
    }
    if sim
        .state()
        .aws
        .services
        .get(&(c.name.clone(), name.clone()))
        .is_some_and(|x| x.status != "INACTIVE")
    {
        return Err(invalid(op, "Creation of service was not idempotent."));
    }
    let td_ref = p.one("task-definition")?;
    let Some(def) = sim.state().aws.task_definition(&td_ref).cloned() else {
        return Err(aws_error(
            "ClientException",
            op,
            "TaskDefinition not found.",
        ));
    };
    if !def.active {
        return Err(aws_error(
            "ClientException",
            op,
            format!("TaskDefinition is inactive ({})", def.family_revision()),
        ));
    }
    let desired = p.int("desired-count")?.unwrap_or(0);
    if desired < 0 {
        return Err(invalid(op, "desiredCount can not be negative."));
    }
    let launch_type = p.opt("launch-type")?;
    let strat = match p.structure("capacity-provider-strategy", &sim.state().workspace)? {
        Some(v) => strategy(&v, op)?,
        None => Vec::new(),
    };
    if launch_type.is_some() && !strat.is_empty() {
        return Err(invalid(
            op,
            "Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.",
        ));
    }
    if let Some(lt) = &launch_type
        && lt != "FARGATE"
        && lt != "EC2"
    {
        return Err(invalid(
            op,
            format!(
                "1 validation error detected: Value '{lt}' at 'launchType' failed to satisfy constraint: Member must satisfy enum value set: [EC2, FARGATE, EXTERNAL]"
            ),
        ));
    }
    for (cp, _, _) in &strat {
        if !c.capacity_providers.contains(cp) {
            return Err(invalid(
                op,
                "The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again.",
            ));
        }
    }
    let launch_type = if launch_type.is_none() && strat.is_empty() && c.default_strategy.is_empty()
    {
        Some("EC2".to_string())
    } else {
        launch_type
    };
    let probe = Service {
        name: name.clone(),
        cluster: c.name.clone(),
        status: "ACTIVE".into(),
        desired_count: desired as u32,
        launch_type: launch_type.clone(),
        capacity_provider_strategy: if strat.is_empty() && launch_type.is_none() {
            c.default_strategy.clone()
        } else {
            strat.clone()
        },
        task_definition: def.family_revision(),
        deployment_configuration: deployment_configuration(
            p.structure("deployment-configuration", &sim.state().workspace)?,
            DeploymentConfiguration::default(),
            op,
        )?,
        deployments: Vec::new(),
        load_balancers: Vec::new(),
        network: parse_network(sim, p, op)?,
        health_check_grace_period: p
            .int("health-check-grace-period-seconds")?
            .unwrap_or(0)
            .max(0) as u32,
        placement_strategy: Vec::new(),
        placement_constraints: Vec::new(),
        events: Vec::new(),
        throttle: 0,
        throttled_until: SimTime::ZERO,
        last_completed: None,
        created_at: sim.now(),
    };
    let mut svc = probe;
    let fargate = svc.is_fargate();
    if fargate && !def.compatibilities.iter().any(|x| x == "FARGATE") {
        return Err(invalid(
            op,
            format!(
                "Task definition does not support launch_type FARGATE. (It needs networkMode awsvpc and a valid Fargate cpu/memory pair; {} has networkMode {} and {} CPU / {} MiB.)",
                def.family_revision(),
                def.network_mode(),
                def.cpu_units,
                def.memory_mib
            ),
        ));
    }
    if (fargate || def.network_mode() == "awsvpc") && svc.network.is_none() {
        return Err(invalid(
            op,
            "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
        ));
    }
    if !fargate && def.network_mode() != "awsvpc" && svc.network.is_some() {
        return Err(invalid(
            op,
            "Network Configuration is not valid for the given networkMode of this task definition.",
        ));
    }
    let (strategies, constraints) = parse_placement(sim, p, op)?;
    if fargate && (!strategies.is_empty() || !constraints.is_empty()) {
        return Err(invalid(
            op,
            "Task placement strategies and constraints are not supported with the Fargate launch type.",
        ));
    }
    svc.placement_strategy = strategies;
    svc.placement_constraints = constraints;
    let lbs = match p.structure("load-balancers", &sim.state().workspace)? {
        None => Vec::new(),
        Some(Value::Array(a)) => a,
        Some(o) => vec![o],
    };
    for v in lbs {
        let arn = str_field(&v, "targetGroupArn").ok_or_else(|| {
            invalid(
                op,
                "targetGroupArn is required (Classic Load Balancers are not modelled).",
            )
        })?;
        let cname = str_field(&v, "containerName")
            .ok_or_else(|| invalid(op, "containerName can not be blank."))?;
        let port = int_field(&v, "containerPort")
            .ok_or_else(|| invalid(op, "containerPort can not be blank."))?;
        let Some(g) = sim.state().aws.target_groups.get(target_group_name(&arn)) else {
            return Err(invalid(
                op,
                format!(
                    "Unable to assume role and validate the specified targetGroupArn. Please verify that the target group {arn} exists."
                ),
            ));
        };
        if g.load_balancers.is_empty() {
            return Err(invalid(
                op,
                format!(
                    "The target group with targetGroupArn {} does not have an associated load balancer.",
                    g.arn()
                ),
            ));
        }
        let uses_awsvpc = fargate || def.network_mode() == "awsvpc";
        if uses_awsvpc && g.target_type != "ip" {
            return Err(invalid(
                op,
                format!(
                    "The provided target group {} has target type {}, which is incompatible with the awsvpc network mode specified in the task definition.",
                    g.arn(),
                    g.target_type
                ),
            ));
        }
        let Some(container) = def
            .input
            .container_definitions
            .iter()
            .find(|x| x.name.as_deref() == Some(&cname))
        else {
            return Err(invalid(
                op,
                format!("The container {cname} does not exist in the task definition."),
            ));
        };
        if !container
            .port_mappings
            .iter()
            .any(|m| m.container_port == Some(port))
        {
            return Err(invalid(
                op,
                format!("The container {cname} did not have a container port {port} defined."),
            ));
        }
        svc.load_balancers.push(ServiceLoadBalancer {
            target_group: g.name.clone(),
            container_name: cname,
            container_port: port,
        });
    }
    let id = deployment_id(sim.rng_mut());
    let now = sim.now();
    svc.deployments.push(Deployment {
        id: id.clone(),
        task_definition: def.family_revision(),
        rollout_state: RolloutState::InProgress,
        rollout_state_reason: "ECS deployment ".to_string() + &id + " in progress.",
        failed_tasks: 0,
        breaker_armed: true,
        created_at: now,
        updated_at: now,
    });
    let key = (c.name.clone(), name.clone());
    let out = obj([("service", service_json(sim, &svc))]).pretty() + "\n";
    ecs_event(
        sim,
        "ServiceCreated",
        ObjectRef::namespaced("ecs-service", &c.name, &name),
        format!(
            "service {name} created in cluster {}: keep {desired} task(s) of {} running on {}{}",
            c.name,
            def.family_revision(),
            if fargate {
                "Fargate".to_string()
            } else {
                format!(
                    "EC2 ({})",
                    crate::components::aws::service_scheduler::capacity_provider(sim.state(), &svc)
                )
            },
            if svc.load_balancers.is_empty() {
                String::new()
            } else {
                format!(
                    ", registered in target group {}",
                    svc.load_balancers[0].target_group
                )
            }
        ),
    );
    sim.apply_command_effects(vec![
        fx(AwsEffect::PutService(key, Some(svc))),
        sync(&c.name, &name),
    ]);
    Ok(out)
}

fn update_service(sim: &mut Simulation, p: &Params) -> Result<String, CommandError> {
    let op = "UpdateService";
    let c = cluster_of(sim, p, op)?;
    let raw = p.one("service")?;
    let name = raw.rsplit('/').next().unwrap_or(&raw).to_string();
    let key = (c.name.clone(), name.clone());
    let Some(mut svc) = sim
        .state()
        .aws
        .services
        .get(&key)
        .filter(|x| x.status == "ACTIVE")
        .cloned()
    else {
        return Err(aws_error(
            "ServiceNotFoundException",
            op,
            "Service not found.",
        ));
    };
    let new_def = match p.opt("task-definition")? {
        Some(r) => {
            let def = sim
                .state()
                .aws
                .task_definition(&r)
                .cloned()
                .ok_or_else(|| aws_error("ClientException", op, "TaskDefinition not found."))?;
            if svc.is_fargate() && !def.compatibilities.iter().any(|x| x == "FARGATE") {
                return Err(invalid(
                    op,
                    "Task definition does not support launch_type FARGATE.",
                ));
            }
            Some(def)
        }
        None => None,
    };
    if let Some(d) = p.int("desired-count")? {
        if d < 0 {
            return Err(invalid(op, "desiredCount can not be negative."));
        }
        svc.desired_count = d as u32;
    }
    svc.deployment_configuration = deployment_configuration(
        p.structure("deployment-configuration", &sim.state().workspace)?,
        svc.deployment_configuration.clone(),
        op,
    )?;
    if let Some(g) = p.int("health-check-grace-period-seconds")? {
        svc.health_check_grace_period = g.max(0) as u32;
    }
    let network = parse_network(sim, p, op)?;
    let network_changed = network.is_some() && network != svc.network;
    if network_changed {
        svc.network = network;
    }
    let now = sim.now();
    let redeploy = new_def
        .as_ref()
        .is_some_and(|d| d.family_revision() != svc.task_definition)
        || p.has("force-new-deployment")
        || network_changed;
    let mut msgs = Vec::new();
    if redeploy {
        let td = new_def
            .map(|d| d.family_revision())
            .unwrap_or_else(|| svc.task_definition.clone());
        let id = deployment_id(sim.rng_mut());
        // The previous primary keeps its tasks as an ACTIVE deployment.
        for d in &mut svc.deployments {
            if d.rollout_state == RolloutState::InProgress {
                d.rollout_state_reason = format!("superseded by deployment {id}");
            }
        }
        svc.deployments.insert(
            0,
            Deployment {
                id: id.clone(),
                task_definition: td.clone(),
                rollout_state: RolloutState::InProgress,
                rollout_state_reason: format!("ECS deployment {id} in progress."),
                failed_tasks: 0,
                breaker_armed: true,
                created_at: now,
                updated_at: now,
            },
        );
        svc.task_definition = td.clone();
        svc.throttle = 0;
        svc.throttled_until = now;
        let (min, max) = (
            svc.deployment_configuration.minimum_healthy_percent,
            svc.deployment_configuration.maximum_percent,
        );
        msgs.push(format!(
            "service {name}: new deployment {id} of {td}. Bounds for {} desired: keep ≥ ceil({} × {min}%) = {} healthy, run ≤ floor({} × {max}%) = {} tasks",
            svc.desired_count,
            svc.desired_count,
            crate::ecs::deployment_bounds::min_healthy(svc.desired_count, min),
            svc.desired_count,
            crate::ecs::deployment_bounds::max_tasks(svc.desired_count, max)
        ));
    } else {
        msgs.push(format!(
            "service {name}: desired count {}",
            svc.desired_count
        ));
    }
    let out = obj([("service", service_json(sim, &svc))]).pretty() + "\n";
    for m in msgs {
        ecs_event(
            sim,
            "ServiceUpdated",
            ObjectRef::namespaced("ecs-service", &c.name, &name),
            m,
        );
    }
    sim.apply_command_effects(vec![
        fx(AwsEffect::PutService(key, Some(svc))),
        sync(&c.name, &name),
    ]);
    Ok(out)
}

/// `aws ecs wait WAITER`: polls every 15 s, up to 40 times (the CLI waiters' defaults),
/// advancing simulated time.
fn wait(sim: &mut Simulation, waiter: &str, p: &Params) -> Result<String, CommandError> {
    let c = cluster_of(sim, p, "DescribeServices")?;
    let deadline = sim.now().after(SimDuration::from_secs(15 * 40));
    let services = p.list("services");
    let tasks: Vec<String> = p
        .list("tasks")
        .iter()
        .map(|t| t.rsplit('/').next().unwrap_or(t).to_string())
        .collect();
    let cluster = c.name.clone();
    let done = move |sim: &Simulation| -> bool {
        let aws = &sim.state().aws;
        match waiter {
            "services-stable" => services.iter().all(|n| {
                aws.services
                    .get(&(cluster.clone(), n.clone()))
                    .is_some_and(|svc| {
                        let running = aws
                            .live_tasks(&cluster, n)
                            .filter(|t| t.desired_running && t.last_status == TaskStatus::Running)
                            .count() as u32;
                        svc.deployments.len() == 1
                            && running == svc.desired_count
                            && aws.live_tasks(&cluster, n).count() as u32 == svc.desired_count
                    })
            }),
            "services-inactive" => services.iter().all(|n| {
                aws.services
                    .get(&(cluster.clone(), n.clone()))
                    .is_none_or(|x| x.status == "INACTIVE")
            }),
            "tasks-running" => tasks.iter().all(|t| {
                aws.tasks
                    .get(t)
                    .is_some_and(|t| t.last_status == TaskStatus::Running)
            }),
            _ => tasks.iter().all(|t| {
                aws.tasks
                    .get(t)
                    .is_some_and(|t| t.last_status == TaskStatus::Stopped)
            }),
        }
    };
    if waiter.starts_with("services") && p.list("services").is_empty()
        || waiter.starts_with("tasks") && p.list("tasks").is_empty()
    {
        return Err(usage_error(&format!(
            "the following arguments are required: --{}",
            if waiter.starts_with("services") {
                "services"
            } else {
                "tasks"
            }
        )));
    }
    if waiter == "tasks-running"
        && let Some(t) = p
            .list("tasks")
            .iter()
            .map(|t| t.rsplit('/').next().unwrap_or(t).to_string())
            .find_map(|t| {
                sim.state()
                    .aws
                    .tasks
                    .get(&t)
                    .filter(|t| t.last_status == TaskStatus::Stopped)
                    .cloned()
            })
    {
        return Err(CommandError::new(format!(
            "\nWaiter TasksRunning failed: Waiter encountered a terminal failure state: For expression \"tasks[].lastStatus\" we matched expected path: \"STOPPED\" at least once (task {} stopped: {})",
            t.id,
            t.stopped_reason.unwrap_or_default()
        )));
    }
    if sim.advance_until(deadline, done) {
        Ok(String::new())
    } else {
        let name = match waiter {
            "services-stable" => "ServicesStable",
            "services-inactive" => "ServicesInactive",
            "tasks-running" => "TasksRunning",
            _ => "TasksStopped",
        };
        Err(CommandError::after_waiting(format!(
            "\nWaiter {name} failed: Max attempts exceeded"
        )))
    }
}
