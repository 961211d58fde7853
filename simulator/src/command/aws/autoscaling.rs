//! `aws autoscaling`: EC2 Auto Scaling groups, the instances behind an ECS capacity
//! provider.
//!
//! Simplification: a real group launches from a launch template (ECS-optimised AMI, user
//! data naming the cluster). Here `--instance-type` stands in for the template, and every
//! instance runs the ECS agent, joining the clusters that use the group's capacity
//! provider.

use super::json::{J, obj, s, strs};
use super::params::{Params, aws_error, usage_error};
use crate::command::CommandError;
use crate::components::aws::{AwsTask, later};
use crate::ecs::cluster::{AutoScalingGroup, GroupPurpose, InstanceState};
use crate::event::{Component, EventDraft, ObjectRef, Source};
use crate::simulation::Simulation;
use crate::time::SimDuration;

/// Operations and the parameters each accepts.
pub const OPERATIONS: &[super::Operation] = &[
    (
        "create-auto-scaling-group",
        &[
            "auto-scaling-group-name",
            "instance-type",
            "launch-template",
            "min-size",
            "max-size",
            "desired-capacity",
            "vpc-zone-identifier",
            "new-instances-protected-from-scale-in",
            "tags",
        ],
    ),
    (
        "describe-auto-scaling-groups",
        &["auto-scaling-group-names"],
    ),
    (
        "update-auto-scaling-group",
        &[
            "auto-scaling-group-name",
            "min-size",
            "max-size",
            "desired-capacity",
        ],
    ),
    (
        "set-desired-capacity",
        &[
            "auto-scaling-group-name",
            "desired-capacity",
            "honor-cooldown",
        ],
    ),
    (
        "delete-auto-scaling-group",
        &["auto-scaling-group-name", "force-delete"],
    ),
];

fn size(p: &Params, name: &str) -> Result<Option<u32>, CommandError> {
    match p.int(name)? {
        None => Ok(None),
        Some(v) if (0..=10_000).contains(&v) => Ok(Some(v as u32)),
        Some(v) => Err(usage_error(&format!(
            "argument --{name}: invalid value {v}"
        ))),
    }
}

fn check_bounds(op: &str, g: &AutoScalingGroup) -> Result<(), CommandError> {
    if g.min_size > g.max_size {
        return Err(aws_error(
            "ValidationError",
            op,
            format!(
                "Max bound, {}, must be greater than or equal to min bound, {}",
                g.max_size, g.min_size
            ),
        ));
    }
    if g.desired_capacity < g.min_size || g.desired_capacity > g.max_size {
        return Err(aws_error(
            "ValidationError",
            op,
            format!(
                "Desired capacity:{} must be between the specified min size:{} and max size:{}",
                g.desired_capacity, g.min_size, g.max_size
            ),
        ));
    }
    Ok(())
}

/// Runs one operation.
pub fn run(sim: &mut Simulation, operation: &str, p: &Params) -> Result<String, CommandError> {
    match operation {
        "create-auto-scaling-group" => {
            let op = "CreateAutoScalingGroup";
            let name = p.one("auto-scaling-group-name")?;
            if sim.state().aws.auto_scaling_groups.contains_key(&name) {
                return Err(aws_error(
                    "AlreadyExists",
                    op,
                    format!(
                        "AutoScalingGroup by this name already exists - A group with the name {name} already exists"
                    ),
                ));
            }
            let instance_type = p.opt("instance-type")?.ok_or_else(|| {
                aws_error("ValidationError", op, "Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy parameter. (The simulator takes --instance-type in place of a launch template.)")
            })?;
            if crate::cost::instance_type(&instance_type).is_none() {
                let known: Vec<&str> = crate::cost::INSTANCE_TYPES.iter().map(|t| t.name).collect();
                return Err(aws_error(
                    "ValidationError",
                    op,
                    format!(
                        "The instance type '{instance_type}' is not modelled; use one of {}",
                        known.join(", ")
                    ),
                ));
            }
            let min = size(p, "min-size")?
                .ok_or_else(|| usage_error("the following arguments are required: --min-size"))?;
            let max = size(p, "max-size")?
                .ok_or_else(|| usage_error("the following arguments are required: --max-size"))?;
            let desired = size(p, "desired-capacity")?.unwrap_or(min);
            let subnets = p.list("vpc-zone-identifier");
            for sn in &subnets {
                if !sim.state().aws.vpc.subnets.contains_key(sn) {
                    return Err(aws_error(
                        "ValidationError",
                        op,
                        format!("The subnet ID '{sn}' does not exist"),
                    ));
                }
            }
            let g = AutoScalingGroup {
                name: name.clone(),
                instance_type,
                min_size: min,
                max_size: max,
                desired_capacity: desired,
                subnets,
                instances: Vec::new(),
                purpose: GroupPurpose::Ecs,
                low_ticks: 0,
            };
            check_bounds(op, &g)?;
            sim.record(EventDraft::new(
                Source::of(Component::Ec2AutoScaling),
                ObjectRef::new("autoscaling-group", name.clone()),
                "GroupCreated",
                format!(
                    "Auto Scaling group {name}: {} × {}, between {min} and {max}",
                    desired, g.instance_type
                ),
            ));
            sim.world_mut()
                .aws
                .auto_scaling_groups
                .insert(name.clone(), g);
            sim.apply_command_effects(vec![later(
                SimDuration::ZERO,
                AwsTask::CapacityTick { group: name },
            )]);
            Ok(String::new())
        }
        "update-auto-scaling-group" | "set-desired-capacity" => {
            let op = if operation == "set-desired-capacity" {
                "SetDesiredCapacity"
            } else {
                "UpdateAutoScalingGroup"
            };
            let name = p.one("auto-scaling-group-name")?;
            let Some(g) = sim.state().aws.auto_scaling_groups.get(&name) else {
                return Err(aws_error(
                    "ValidationError",
                    op,
                    format!("AutoScalingGroup name not found - AutoScalingGroup {name} not found"),
                ));
            };
            if let GroupPurpose::EksNodeGroup(cluster, ng) = &g.purpose {
                return Err(aws_error(
                    "ValidationError",
                    op,
                    format!(
                        "{name} belongs to EKS managed node group {ng}; change its size with `aws eks update-nodegroup-config --cluster-name {cluster} --nodegroup-name {ng} --scaling-config desiredSize=N`"
                    ),
                ));
            }
            let mut g = g.clone();
            if let Some(v) = size(p, "min-size")? {
                g.min_size = v;
            }
            if let Some(v) = size(p, "max-size")? {
                g.max_size = v;
            }
            if let Some(v) = size(p, "desired-capacity")? {
                g.desired_capacity = v;
            }
            if operation == "set-desired-capacity" && !p.has("desired-capacity") {
                return Err(usage_error(
                    "the following arguments are required: --desired-capacity",
                ));
            }
            check_bounds(op, &g)?;
            sim.world_mut()
                .aws
                .auto_scaling_groups
                .insert(name.clone(), g);
            sim.apply_command_effects(vec![later(
                SimDuration::ZERO,
                AwsTask::CapacityCheck { group: name },
            )]);
            Ok(String::new())
        }
        "delete-auto-scaling-group" => {
            let op = "DeleteAutoScalingGroup";
            let name = p.one("auto-scaling-group-name")?;
            let Some(g) = sim.state().aws.auto_scaling_groups.get(&name).cloned() else {
                return Err(aws_error(
                    "ValidationError",
                    op,
                    format!("AutoScalingGroup name not found - AutoScalingGroup {name} not found"),
                ));
            };
            let live: Vec<_> = g
                .instances
                .iter()
                .filter_map(|i| sim.state().aws.instances.get(i))
                .filter(|i| i.state != InstanceState::Terminated)
                .cloned()
                .collect();
            if !live.is_empty() && !p.has("force-delete") {
                return Err(aws_error(
                    "ResourceInUse",
                    op,
                    "You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) still in the group.",
                ));
            }
            let mut effects = Vec::new();
            for i in &live {
                effects.extend(crate::components::aws::capacity::terminate(
                    sim.state(),
                    i,
                    sim.now(),
                ));
            }
            sim.apply_command_effects(effects);
            sim.world_mut().aws.auto_scaling_groups.remove(&name);
            Ok(String::new())
        }
        _ => {
            let names = p.list("auto-scaling-group-names");
            let groups: Vec<J> = sim
                .state()
                .aws
                .auto_scaling_groups
                .values()
                .filter(|g| names.is_empty() || names.contains(&g.name))
                .map(|g| {
                    let instances: Vec<J> = g
                        .instances
                        .iter()
                        .filter_map(|i| sim.state().aws.instances.get(i))
                        .filter(|i| i.state != InstanceState::Terminated)
                        .map(|i| {
                            obj([
                                ("InstanceId", s(&i.id)),
                                ("InstanceType", s(&i.instance_type)),
                                ("AvailabilityZone", s(&i.zone)),
                                ("LifecycleState", s(if i.state == InstanceState::Pending { "Pending" } else { "InService" })),
                                ("HealthStatus", s("Healthy")),
                            ])
                        })
                        .collect();
                    obj([
                        ("AutoScalingGroupName", s(&g.name)),
                        ("AutoScalingGroupARN", s(format!("arn:aws:autoscaling:{}:{}:autoScalingGroup:{}:autoScalingGroupName/{}", crate::ecs::REGION, crate::ecs::ACCOUNT, &crate::ecs::vpc::stable_id("asg", &g.name)[5..], g.name))),
                        ("MinSize", J::Int(i64::from(g.min_size))),
                        ("MaxSize", J::Int(i64::from(g.max_size))),
                        ("DesiredCapacity", J::Int(i64::from(g.desired_capacity))),
                        ("AvailabilityZones", strs(g.subnets.iter().filter_map(|x| sim.state().aws.vpc.subnets.get(x)).map(|x| x.zone.clone()))),
                        ("Instances", J::Arr(instances)),
                        ("VPCZoneIdentifier", s(g.subnets.join(","))),
                    ])
                })
                .collect();
            Ok(obj([("AutoScalingGroups", J::Arr(groups))]).pretty() + "\n")
        }
    }
}
