//! `aws elbv2`: Application Load Balancers, listeners and target groups.

use super::json::{J, obj, s, strs};
use super::params::{Params, aws_error, usage_error};
use crate::command::CommandError;
use crate::components::aws::{AwsEffect, fx};
use crate::cost::{Billable, Category};
use crate::ecs::load_balancer::{HealthCheckConfig, LoadBalancer, TargetGroup, target_group_name};
use crate::event::{Component, EventDraft, ObjectRef, Source};
use crate::simulation::Simulation;
use crate::time::SimDuration;
use std::collections::BTreeMap;

/// Operations and the parameters each accepts.
pub const OPERATIONS: &[super::Operation] = &[
    (
        "create-load-balancer",
        &[
            "name",
            "subnets",
            "security-groups",
            "scheme",
            "type",
            "ip-address-type",
            "tags",
        ],
    ),
    ("describe-load-balancers", &["names", "load-balancer-arns"]),
    ("delete-load-balancer", &["load-balancer-arn"]),
    (
        "create-target-group",
        &[
            "name",
            "protocol",
            "port",
            "vpc-id",
            "target-type",
            "health-check-path",
            "health-check-interval-seconds",
            "health-check-timeout-seconds",
            "healthy-threshold-count",
            "unhealthy-threshold-count",
            "health-check-protocol",
            "matcher",
            "tags",
        ],
    ),
    (
        "describe-target-groups",
        &["names", "target-group-arns", "load-balancer-arn"],
    ),
    (
        "modify-target-group-attributes",
        &["target-group-arn", "attributes"],
    ),
    (
        "create-listener",
        &["load-balancer-arn", "protocol", "port", "default-actions"],
    ),
    ("describe-target-health", &["target-group-arn"]),
    ("delete-target-group", &["target-group-arn"]),
];

fn lb_id(name: &str) -> String {
    crate::ecs::vpc::stable_id("lb", name)[4..20].to_string()
}

/// An ALB's ARN.
pub fn lb_arn(name: &str) -> String {
    format!(
        "arn:aws:elasticloadbalancing:{}:{}:loadbalancer/app/{name}/{}",
        crate::ecs::REGION,
        crate::ecs::ACCOUNT,
        lb_id(name)
    )
}

fn lb_name(name_or_arn: &str) -> &str {
    match name_or_arn.split_once(":loadbalancer/app/") {
        Some((_, rest)) => rest.split('/').next().unwrap_or(rest),
        None => name_or_arn,
    }
}

fn lb_json(lb: &LoadBalancer, sim: &Simulation) -> J {
    let ready = sim.now() >= lb.created_at.after(SimDuration::from_secs(180));
    obj([
        ("LoadBalancerArn", s(lb_arn(&lb.name))),
        ("DNSName", s(&lb.dns_name)),
        ("LoadBalancerName", s(&lb.name)),
        ("Scheme", s("internet-facing")),
        ("VpcId", s(&sim.state().aws.vpc.id)),
        (
            "State",
            obj([("Code", s(if ready { "active" } else { "provisioning" }))]),
        ),
        ("Type", s("application")),
        (
            "AvailabilityZones",
            J::Arr(
                lb.subnets
                    .iter()
                    .filter_map(|x| sim.state().aws.vpc.subnets.get(x))
                    .map(|x| obj([("ZoneName", s(&x.zone)), ("SubnetId", s(&x.id))]))
                    .collect(),
            ),
        ),
    ])
}

fn tg_json(g: &TargetGroup, sim: &Simulation) -> J {
    obj([
        ("TargetGroupArn", s(g.arn())),
        ("TargetGroupName", s(&g.name)),
        ("Protocol", s(&g.protocol)),
        ("Port", J::Int(g.port)),
        ("VpcId", s(&sim.state().aws.vpc.id)),
        ("HealthCheckProtocol", s(&g.protocol)),
        ("HealthCheckPort", s("traffic-port")),
        ("HealthCheckEnabled", J::Bool(true)),
        (
            "HealthCheckIntervalSeconds",
            J::Int(i64::from(g.health_check.interval)),
        ),
        (
            "HealthCheckTimeoutSeconds",
            J::Int(i64::from(g.health_check.timeout)),
        ),
        (
            "HealthyThresholdCount",
            J::Int(i64::from(g.health_check.healthy_threshold)),
        ),
        (
            "UnhealthyThresholdCount",
            J::Int(i64::from(g.health_check.unhealthy_threshold)),
        ),
        ("HealthCheckPath", s(&g.health_check.path)),
        ("Matcher", obj([("HttpCode", s("200"))])),
        (
            "LoadBalancerArns",
            strs(g.load_balancers.iter().map(|l| lb_arn(l))),
        ),
        ("TargetType", s(&g.target_type)),
    ])
}

fn find_tg(sim: &Simulation, op: &str, arn: &str) -> Result<TargetGroup, CommandError> {
    sim.state()
        .aws
        .target_groups
        .get(target_group_name(arn))
        .cloned()
        .ok_or_else(|| {
            aws_error(
                "TargetGroupNotFound",
                op,
                format!("Target groups '{arn}' not found"),
            )
        })
}

fn secs(p: &Params, name: &str, default: u32, range: (u32, u32)) -> Result<u32, CommandError> {
    match p.int(name)? {
        None => Ok(default),
        Some(v) if v >= i64::from(range.0) && v <= i64::from(range.1) => Ok(v as u32),
        Some(v) => Err(usage_error(&format!(
            "argument --{name}: {v} is not between {} and {}",
            range.0, range.1
        ))),
    }
}

/// Runs one operation.
pub fn run(sim: &mut Simulation, operation: &str, p: &Params) -> Result<String, CommandError> {
    match operation {
        "create-load-balancer" => {
            let op = "CreateLoadBalancer";
            let name = p.one("name")?;
            if sim.state().aws.load_balancers.contains_key(&name) {
                return Err(aws_error(
                    "DuplicateLoadBalancerName",
                    op,
                    "A load balancer with the same name already exists",
                ));
            }
            let subnets = p.list("subnets");
            let zones: std::collections::BTreeSet<String> = subnets
                .iter()
                .map(|x| {
                    sim.state()
                        .aws
                        .vpc
                        .subnets
                        .get(x)
                        .map(|x| x.zone.clone())
                        .ok_or_else(|| {
                            aws_error(
                                "SubnetNotFound",
                                op,
                                format!("The subnet ID '{x}' is not valid"),
                            )
                        })
                })
                .collect::<Result<_, _>>()?;
            if zones.len() < 2 {
                return Err(aws_error(
                    "ValidationError",
                    op,
                    "At least two subnets in two different Availability Zones must be specified",
                ));
            }
            let lb = LoadBalancer {
                name: name.clone(),
                dns_name: format!(
                    "{name}-{}.{}.elb.amazonaws.com",
                    &lb_id(&name)[..10],
                    crate::ecs::REGION
                ),
                subnets,
                listeners: BTreeMap::new(),
                created_at: sim.now(),
            };
            let rate = sim.state().billing.prices.alb_hour;
            let now = sim.now();
            sim.apply_command_effects(vec![fx(AwsEffect::BillStart(
                lb_arn(&name),
                Billable {
                    category: Category::LoadBalancer,
                    description: format!("Application Load Balancer {name}"),
                    rate,
                    start: now,
                    end: None,
                    minimum: SimDuration::ZERO,
                },
            ))]);
            sim.record(EventDraft::new(Source::of(Component::Elb), ObjectRef::new("load-balancer", name.clone()), "LoadBalancerCreated", format!("Application Load Balancer {name} provisioning at {} (active in about 3 minutes)", lb.dns_name)));
            let out = obj([("LoadBalancers", J::Arr(vec![lb_json(&lb, sim)]))]).pretty() + "\n";
            sim.world_mut().aws.load_balancers.insert(name, lb);
            Ok(out)
        }
        "describe-load-balancers" => {
            let mut names: Vec<String> = p.list("names");
            names.extend(
                p.list("load-balancer-arns")
                    .iter()
                    .map(|a| lb_name(a).to_string()),
            );
            for n in &names {
                if !sim.state().aws.load_balancers.contains_key(n) {
                    return Err(aws_error(
                        "LoadBalancerNotFound",
                        "DescribeLoadBalancers",
                        format!("Load balancers '[{n}]' not found"),
                    ));
                }
            }
            let lbs: Vec<J> = sim
                .state()
                .aws
                .load_balancers
                .values()
                .filter(|l| names.is_empty() || names.contains(&l.name))
                .map(|l| lb_json(l, sim))
                .collect();
            Ok(obj([("LoadBalancers", J::Arr(lbs))]).pretty() + "\n")
        }
        "delete-load-balancer" => {
            let arn = p.one("load-balancer-arn")?;
            let name = lb_name(&arn).to_string();
            if !sim.state().aws.load_balancers.contains_key(&name) {
                // Deleting a missing load balancer succeeds silently, as in the API.
                return Ok(String::new());
            }
            sim.world_mut().aws.load_balancers.remove(&name);
            for g in sim.world_mut().aws.target_groups.values_mut() {
                g.load_balancers.retain(|l| l != &name);
            }
            sim.apply_command_effects(vec![fx(AwsEffect::BillStop(lb_arn(&name)))]);
            Ok(String::new())
        }
        "create-target-group" => {
            let op = "CreateTargetGroup";
            let name = p.one("name")?;
            if sim.state().aws.target_groups.contains_key(&name) {
                return Err(aws_error(
                    "DuplicateTargetGroupName",
                    op,
                    "A target group with the same name exists, but with different settings",
                ));
            }
            let protocol = p.opt("protocol")?.unwrap_or_else(|| "HTTP".into());
            let port = p
                .int("port")?
                .ok_or_else(|| aws_error("ValidationError", op, "A port must be specified"))?;
            let target_type = p.opt("target-type")?.unwrap_or_else(|| "instance".into());
            if !["instance", "ip", "lambda", "alb"].contains(&target_type.as_str()) {
                return Err(aws_error(
                    "ValidationError",
                    op,
                    format!(
                        "1 validation error detected: Value '{target_type}' at 'targetType' failed to satisfy constraint: Member must satisfy enum value set: [instance, alb, ip, lambda]"
                    ),
                ));
            }
            let d = HealthCheckConfig::default();
            let hc = HealthCheckConfig {
                path: p.opt("health-check-path")?.unwrap_or(d.path),
                interval: secs(p, "health-check-interval-seconds", d.interval, (5, 300))?,
                timeout: secs(p, "health-check-timeout-seconds", d.timeout, (2, 120))?,
                healthy_threshold: secs(
                    p,
                    "healthy-threshold-count",
                    d.healthy_threshold,
                    (2, 10),
                )?,
                unhealthy_threshold: secs(
                    p,
                    "unhealthy-threshold-count",
                    d.unhealthy_threshold,
                    (2, 10),
                )?,
            };
            let g = TargetGroup {
                name: name.clone(),
                protocol,
                port,
                target_type,
                health_check: hc,
                deregistration_delay: 300,
                targets: BTreeMap::new(),
                load_balancers: Vec::new(),
            };
            let out = obj([("TargetGroups", J::Arr(vec![tg_json(&g, sim)]))]).pretty() + "\n";
            sim.world_mut().aws.target_groups.insert(name, g);
            Ok(out)
        }
        "describe-target-groups" => {
            let mut names: Vec<String> = p.list("names");
            names.extend(
                p.list("target-group-arns")
                    .iter()
                    .map(|a| target_group_name(a).to_string()),
            );
            let lb = p.opt("load-balancer-arn")?.map(|a| lb_name(&a).to_string());
            let gs: Vec<J> = sim
                .state()
                .aws
                .target_groups
                .values()
                .filter(|g| {
                    (names.is_empty() || names.contains(&g.name))
                        && lb.as_ref().is_none_or(|l| g.load_balancers.contains(l))
                })
                .map(|g| tg_json(g, sim))
                .collect();
            Ok(obj([("TargetGroups", J::Arr(gs))]).pretty() + "\n")
        }
        "modify-target-group-attributes" => {
            let op = "ModifyTargetGroupAttributes";
            let mut g = find_tg(sim, op, &p.one("target-group-arn")?)?;
            let attrs = p
                .structure("attributes", &sim.state().workspace)?
                .unwrap_or_default();
            let items = match attrs {
                serde_json::Value::Array(a) => a,
                other => vec![other],
            };
            let mut out_attrs = Vec::new();
            for a in items {
                let key = super::params::str_field(&a, "Key").unwrap_or_default();
                let value = super::params::str_field(&a, "Value").unwrap_or_default();
                if key == "deregistration_delay.timeout_seconds" {
                    let v: u32 = value.parse().ok().filter(|v| *v <= 3600).ok_or_else(|| {
                        aws_error(
                            "ValidationError",
                            op,
                            format!("'{value}' must be an integer between 0 and 3600"),
                        )
                    })?;
                    g.deregistration_delay = v;
                } else {
                    return Err(aws_error(
                        "ValidationError",
                        op,
                        format!(
                            "Target group attribute key '{key}' is not recognized (the simulator models deregistration_delay.timeout_seconds)"
                        ),
                    ));
                }
                out_attrs.push(obj([("Key", s(key)), ("Value", s(value))]));
            }
            sim.world_mut().aws.target_groups.insert(g.name.clone(), g);
            Ok(obj([("Attributes", J::Arr(out_attrs))]).pretty() + "\n")
        }
        "create-listener" => {
            let op = "CreateListener";
            let arn = p.one("load-balancer-arn")?;
            let name = lb_name(&arn).to_string();
            if !sim.state().aws.load_balancers.contains_key(&name) {
                return Err(aws_error(
                    "LoadBalancerNotFound",
                    op,
                    "One or more load balancers not found",
                ));
            }
            let port = p
                .int("port")?
                .ok_or_else(|| usage_error("the following arguments are required: --port"))?;
            let action = p
                .structure("default-actions", &sim.state().workspace)?
                .ok_or_else(|| {
                    usage_error("the following arguments are required: --default-actions")
                })?;
            let action = match action {
                serde_json::Value::Array(mut a) if !a.is_empty() => a.remove(0),
                other => other,
            };
            let tg_arn = super::params::str_field(&action, "TargetGroupArn").ok_or_else(|| {
                aws_error(
                    "ValidationError",
                    op,
                    "A target group ARN must be specified",
                )
            })?;
            let mut g = find_tg(sim, op, &tg_arn)?;
            if sim.state().aws.load_balancers[&name]
                .listeners
                .contains_key(&port)
            {
                return Err(aws_error(
                    "DuplicateListener",
                    op,
                    "A listener already exists on this port for this load balancer",
                ));
            }
            if !g.load_balancers.contains(&name) {
                g.load_balancers.push(name.clone());
            }
            let tg_name = g.name.clone();
            sim.world_mut()
                .aws
                .target_groups
                .insert(g.name.clone(), g.clone());
            if let Some(lb) = sim.world_mut().aws.load_balancers.get_mut(&name) {
                lb.listeners.insert(port, tg_name);
            }
            let listener_arn = format!(
                "arn:aws:elasticloadbalancing:{}:{}:listener/app/{name}/{}/{}",
                crate::ecs::REGION,
                crate::ecs::ACCOUNT,
                lb_id(&name),
                &crate::ecs::vpc::stable_id("l", &format!("{name}{port}"))[3..19]
            );
            Ok(obj([(
                "Listeners",
                J::Arr(vec![obj([
                    ("ListenerArn", s(listener_arn)),
                    ("LoadBalancerArn", s(lb_arn(&name))),
                    ("Port", J::Int(port)),
                    (
                        "Protocol",
                        s(p.opt("protocol")?.unwrap_or_else(|| "HTTP".into())),
                    ),
                    (
                        "DefaultActions",
                        J::Arr(vec![obj([
                            ("Type", s("forward")),
                            ("TargetGroupArn", s(g.arn())),
                        ])]),
                    ),
                ])]),
            )])
            .pretty()
                + "\n")
        }
        "describe-target-health" => {
            let g = find_tg(sim, "DescribeTargetHealth", &p.one("target-group-arn")?)?;
            let items: Vec<J> = g
                .targets
                .values()
                .map(|t| {
                    let mut health = vec![("State".to_string(), s(t.state.as_str()))];
                    match t.state {
                        crate::ecs::load_balancer::TargetState::Initial => {
                            health.push(("Reason".into(), s("Elb.RegistrationInProgress")));
                            health.push((
                                "Description".into(),
                                s("Target registration is in progress"),
                            ));
                        }
                        crate::ecs::load_balancer::TargetState::Draining => {
                            health.push(("Reason".into(), s("Target.DeregistrationInProgress")));
                            health.push((
                                "Description".into(),
                                s("Target deregistration is in progress"),
                            ));
                        }
                        crate::ecs::load_balancer::TargetState::Unhealthy => {
                            health.push(("Reason".into(), s("Target.FailedHealthChecks")));
                            health.push(("Description".into(), s("Health checks failed")));
                        }
                        crate::ecs::load_balancer::TargetState::Healthy => {}
                    }
                    obj([
                        ("Target", obj([("Id", s(&t.ip)), ("Port", J::Int(t.port))])),
                        ("HealthCheckPort", s(t.port.to_string())),
                        ("TargetHealth", J::Obj(health)),
                    ])
                })
                .collect();
            Ok(obj([("TargetHealthDescriptions", J::Arr(items))]).pretty() + "\n")
        }
        _ => {
            let g = find_tg(sim, "DeleteTargetGroup", &p.one("target-group-arn")?)?;
            let in_use = sim.state().aws.services.values().any(|x| {
                x.status == "ACTIVE" && x.load_balancers.iter().any(|l| l.target_group == g.name)
            });
            if in_use || !g.load_balancers.is_empty() {
                return Err(aws_error(
                    "ResourceInUse",
                    "DeleteTargetGroup",
                    format!(
                        "Target group '{}' is currently in use by a listener or a rule",
                        g.arn()
                    ),
                ));
            }
            sim.world_mut().aws.target_groups.remove(&g.name);
            Ok(String::new())
        }
    }
}
