//! `aws application-autoscaling`: target tracking for an ECS service's desired count.

use super::json::{J, obj, s};
use super::params::{Params, aws_error, int_field, str_field};
use crate::command::CommandError;
use crate::components::aws::{AwsTask, later};
use crate::ecs::autoscaling::{
    DEFAULT_COOLDOWN_SECS, METRIC_PERIOD, ScalableTarget, TargetTrackingPolicy,
};
use crate::event::{Component, EventDraft, ObjectRef, Source};
use crate::simulation::Simulation;

/// Operations and the parameters each accepts.
pub const OPERATIONS: &[super::Operation] = &[
    (
        "register-scalable-target",
        &[
            "service-namespace",
            "resource-id",
            "scalable-dimension",
            "min-capacity",
            "max-capacity",
            "role-arn",
        ],
    ),
    (
        "deregister-scalable-target",
        &["service-namespace", "resource-id", "scalable-dimension"],
    ),
    (
        "describe-scalable-targets",
        &["service-namespace", "resource-ids", "scalable-dimension"],
    ),
    (
        "put-scaling-policy",
        &[
            "service-namespace",
            "resource-id",
            "scalable-dimension",
            "policy-name",
            "policy-type",
            "target-tracking-scaling-policy-configuration",
        ],
    ),
    (
        "describe-scaling-policies",
        &[
            "service-namespace",
            "resource-id",
            "scalable-dimension",
            "policy-names",
        ],
    ),
];

const METRICS: [&str; 3] = [
    "ECSServiceAverageCPUUtilization",
    "ECSServiceAverageMemoryUtilization",
    "ALBRequestCountPerTarget",
];

fn check_common(p: &Params, op: &str) -> Result<(), CommandError> {
    let ns = p.one("service-namespace")?;
    if ns != "ecs" {
        return Err(aws_error(
            "ValidationException",
            op,
            format!(
                "Unsupported service namespace, resource type or scalable dimension (the simulator scales ECS services; got {ns})"
            ),
        ));
    }
    if let Some(d) = p.opt("scalable-dimension")?
        && d != "ecs:service:DesiredCount"
    {
        return Err(aws_error(
            "ValidationException",
            op,
            format!("Unsupported service namespace, resource type or scalable dimension: {d}"),
        ));
    }
    Ok(())
}

fn target_json(t: &ScalableTarget) -> J {
    obj([
        ("ServiceNamespace", s("ecs")),
        ("ResourceId", s(&t.resource_id)),
        ("ScalableDimension", s("ecs:service:DesiredCount")),
        ("MinCapacity", J::Int(i64::from(t.min_capacity))),
        ("MaxCapacity", J::Int(i64::from(t.max_capacity))),
        (
            "RoleARN",
            s(format!(
                "arn:aws:iam::{}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService",
                crate::ecs::ACCOUNT
            )),
        ),
    ])
}

fn policy_arn(resource: &str, name: &str) -> String {
    format!(
        "arn:aws:autoscaling:{}:{}:scalingPolicy:{}:resource/ecs/{resource}:policyName/{name}",
        crate::ecs::REGION,
        crate::ecs::ACCOUNT,
        &crate::ecs::vpc::stable_id("p", &format!("{resource}{name}"))[3..]
    )
}

/// Runs one operation.
pub fn run(sim: &mut Simulation, operation: &str, p: &Params) -> Result<String, CommandError> {
    match operation {
        "register-scalable-target" => {
            let op = "RegisterScalableTarget";
            check_common(p, op)?;
            let rid = p.one("resource-id")?;
            let Some((cluster, service)) =
                rid.strip_prefix("service/").and_then(|r| r.split_once('/'))
            else {
                return Err(aws_error(
                    "ValidationException",
                    op,
                    format!("Unsupported resource ID: {rid}; expected service/CLUSTER/SERVICE"),
                ));
            };
            if sim
                .state()
                .aws
                .services
                .get(&(cluster.to_string(), service.to_string()))
                .is_none_or(|x| x.status != "ACTIVE")
            {
                return Err(aws_error(
                    "ValidationException",
                    op,
                    format!("ECS service doesn't exist: {rid}"),
                ));
            }
            let existing = sim.state().aws.scalable_targets.get(&rid).cloned();
            let min = p
                .int("min-capacity")?
                .or(existing.as_ref().map(|t| i64::from(t.min_capacity)));
            let max = p
                .int("max-capacity")?
                .or(existing.as_ref().map(|t| i64::from(t.max_capacity)));
            let (Some(min), Some(max)) = (min, max) else {
                return Err(aws_error(
                    "ValidationException",
                    op,
                    "MinCapacity and MaxCapacity are required when registering a new scalable target",
                ));
            };
            if min < 0 || max < min {
                return Err(aws_error(
                    "ValidationException",
                    op,
                    format!(
                        "Minimum capacity ({min}) cannot be greater than maximum capacity ({max})"
                    ),
                ));
            }
            let fresh = existing.is_none();
            let t = ScalableTarget {
                resource_id: rid.clone(),
                min_capacity: min as u32,
                max_capacity: max as u32,
                policies: existing
                    .as_ref()
                    .map(|t| t.policies.clone())
                    .unwrap_or_default(),
                datapoints: existing
                    .as_ref()
                    .map(|t| t.datapoints.clone())
                    .unwrap_or_default(),
                last_scale_out: existing.as_ref().and_then(|t| t.last_scale_out),
                last_scale_in: existing.as_ref().and_then(|t| t.last_scale_in),
            };
            sim.world_mut().aws.scalable_targets.insert(rid.clone(), t);
            if fresh {
                sim.apply_command_effects(vec![later(
                    METRIC_PERIOD,
                    AwsTask::ScalingTick {
                        resource_id: rid.clone(),
                    },
                )]);
            }
            Ok(obj([(
                "ScalableTargetARN",
                s(format!(
                    "arn:aws:application-autoscaling:{}:{}:scalable-target/{}",
                    crate::ecs::REGION,
                    crate::ecs::ACCOUNT,
                    &crate::ecs::vpc::stable_id("st", &rid)[4..]
                )),
            )])
            .pretty()
                + "\n")
        }
        "deregister-scalable-target" => {
            check_common(p, "DeregisterScalableTarget")?;
            let rid = p.one("resource-id")?;
            if sim.world_mut().aws.scalable_targets.remove(&rid).is_none() {
                return Err(aws_error(
                    "ObjectNotFoundException",
                    "DeregisterScalableTarget",
                    format!(
                        "No scalable target registered for service namespace: ecs, resource ID: {rid}, scalable dimension: ecs:service:DesiredCount"
                    ),
                ));
            }
            Ok(String::new())
        }
        "describe-scalable-targets" => {
            check_common(p, "DescribeScalableTargets")?;
            let ids = p.list("resource-ids");
            let items: Vec<J> = sim
                .state()
                .aws
                .scalable_targets
                .values()
                .filter(|t| ids.is_empty() || ids.contains(&t.resource_id))
                .map(target_json)
                .collect();
            Ok(obj([("ScalableTargets", J::Arr(items))]).pretty() + "\n")
        }
        "put-scaling-policy" => {
            let op = "PutScalingPolicy";
            check_common(p, op)?;
            let rid = p.one("resource-id")?;
            let name = p.one("policy-name")?;
            let kind = p
                .opt("policy-type")?
                .unwrap_or_else(|| "StepScaling".into());
            if kind != "TargetTrackingScaling" {
                return Err(aws_error(
                    "ValidationException",
                    op,
                    format!(
                        "The simulator models TargetTrackingScaling policies only (got {kind})"
                    ),
                ));
            }
            let Some(mut target) = sim.state().aws.scalable_targets.get(&rid).cloned() else {
                return Err(aws_error(
                    "ObjectNotFoundException",
                    op,
                    format!(
                        "No scalable target registered for service namespace: ecs, resource ID: {rid}, scalable dimension: ecs:service:DesiredCount"
                    ),
                ));
            };
            let cfg = p.structure("target-tracking-scaling-policy-configuration", &sim.state().workspace)?.ok_or_else(|| aws_error("ValidationException", op, "TargetTrackingScalingPolicyConfiguration is required for target tracking policies"))?;
            let value = match cfg.get("TargetValue") {
                Some(serde_json::Value::Number(n)) => n.as_f64(),
                Some(serde_json::Value::String(v)) => v.parse().ok(),
                _ => None,
            }
            .ok_or_else(|| aws_error("ValidationException", op, "TargetValue is required"))?;
            let metric = cfg
                .get("PredefinedMetricSpecification")
                .and_then(|m| str_field(m, "PredefinedMetricType"))
                .ok_or_else(|| aws_error("ValidationException", op, "PredefinedMetricSpecification is required (custom metrics are not modelled)"))?;
            if !METRICS.contains(&metric.as_str()) {
                return Err(aws_error(
                    "ValidationException",
                    op,
                    format!(
                        "1 validation error detected: Value '{metric}' at 'targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification.predefinedMetricType' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
                        METRICS.join(", ")
                    ),
                ));
            }
            let cooldown =
                |k: &str| int_field(&cfg, k).map_or(DEFAULT_COOLDOWN_SECS, |v| v.max(0) as u32);
            let policy = TargetTrackingPolicy {
                name: name.clone(),
                metric: metric.clone(),
                target_milli: (value * 1000.0).round() as i64,
                scale_in_cooldown: cooldown("ScaleInCooldown"),
                scale_out_cooldown: cooldown("ScaleOutCooldown"),
                disable_scale_in: cfg
                    .get("DisableScaleIn")
                    .and_then(|v| v.as_bool())
                    .unwrap_or(false),
            };
            let describe = format!(
                "{name}: keep {metric} at {} (scale-out cooldown {} s, scale-in cooldown {} s)",
                crate::load::fmt_milli(policy.target_milli),
                policy.scale_out_cooldown,
                policy.scale_in_cooldown
            );
            match target.policies.iter_mut().find(|x| x.name == name) {
                Some(x) => *x = policy,
                None => target.policies.push(policy),
            }
            target.datapoints.clear();
            sim.world_mut()
                .aws
                .scalable_targets
                .insert(rid.clone(), target);
            sim.record(EventDraft::new(
                Source::of(Component::AppAutoScaling),
                ObjectRef::new("scaling-policy", name.clone()),
                "PolicyPut",
                describe,
            ));
            let alarm = |k: &str| {
                obj([
                    (
                        "AlarmName",
                        s(format!(
                            "TargetTracking-{rid}-Alarm{k}-{}",
                            &crate::ecs::vpc::stable_id("a", &format!("{rid}{name}{k}"))[2..10]
                        )),
                    ),
                    (
                        "AlarmARN",
                        s(format!(
                            "arn:aws:cloudwatch:{}:{}:alarm:TargetTracking-{rid}-Alarm{k}",
                            crate::ecs::REGION,
                            crate::ecs::ACCOUNT
                        )),
                    ),
                ])
            };
            Ok(obj([
                ("PolicyARN", s(policy_arn(&rid, &name))),
                ("Alarms", J::Arr(vec![alarm("High"), alarm("Low")])),
            ])
            .pretty()
                + "\n")
        }
        _ => {
            check_common(p, "DescribeScalingPolicies")?;
            let rid = p.opt("resource-id")?;
            let mut items = Vec::new();
            for t in sim.state().aws.scalable_targets.values() {
                if rid.as_ref().is_some_and(|r| r != &t.resource_id) {
                    continue;
                }
                for pol in &t.policies {
                    items.push(obj([
                        ("PolicyARN", s(policy_arn(&t.resource_id, &pol.name))),
                        ("PolicyName", s(&pol.name)),
                        ("ServiceNamespace", s("ecs")),
                        ("ResourceId", s(&t.resource_id)),
                        ("ScalableDimension", s("ecs:service:DesiredCount")),
                        ("PolicyType", s("TargetTrackingScaling")),
                        (
                            "TargetTrackingScalingPolicyConfiguration",
                            obj([
                                ("TargetValue", s(crate::load::fmt_milli(pol.target_milli))),
                                (
                                    "PredefinedMetricSpecification",
                                    obj([("PredefinedMetricType", s(&pol.metric))]),
                                ),
                                (
                                    "ScaleOutCooldown",
                                    J::Int(i64::from(pol.scale_out_cooldown)),
                                ),
                                ("ScaleInCooldown", J::Int(i64::from(pol.scale_in_cooldown))),
                                ("DisableScaleIn", J::Bool(pol.disable_scale_in)),
                            ]),
                        ),
                    ]));
                }
            }
            Ok(obj([("ScalingPolicies", J::Arr(items))]).pretty() + "\n")
        }
    }
}
