//! Task placement on EC2 container instances (ECS developer guide, "Amazon ECS task
//! placement"): instances that meet the task's CPU, memory, port and ENI needs, then the
//! placement constraints (binding), then the strategies in order (best effort, each one
//! narrowing the choice), then a random pick among what is left. With no strategy a
//! service spreads over availability zones, then over instances.
//!
//! Fargate has no instances to choose: its tasks spread over the service's subnets.

use super::cluster::{Instance, InstanceState};
use super::service::PlacementStrategy;
use super::task_definition::PlacementConstraint;
use crate::rng::SimRng;
use std::collections::BTreeMap;

/// What a task needs from an instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    /// CPU units.
    pub cpu_units: u64,
    /// Memory MiB.
    pub memory_mib: u64,
    /// Fixed host ports (`bridge`/`host` mode with a non-zero host port).
    pub host_ports: Vec<i64>,
    /// Whether the task needs its own ENI (`awsvpc`).
    pub eni: bool,
}

/// What is already used on an instance.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Usage {
    /// CPU units reserved by tasks.
    pub cpu_units: u64,
    /// Memory MiB reserved by tasks.
    pub memory_mib: u64,
    /// `awsvpc` tasks (each holds an ENI).
    pub enis: u32,
    /// Tasks of the service being placed.
    pub service_tasks: u32,
}

/// The outcome of placing one task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// Placed on this instance, with how the choice was made.
    On(String, String),
    /// No instance qualifies; the reason reads like the ECS service event.
    Unplaceable(String),
}

fn attribute(i: &Instance, name: &str) -> Option<String> {
    match name {
        "ecs.instance-type" => Some(i.instance_type.clone()),
        "ecs.availability-zone" => Some(i.zone.clone()),
        "ecs.os-type" => Some("linux".into()),
        "ecs.cpu-architecture" => Some("x86_64".into()),
        other => i.attributes.get(other).cloned(),
    }
}

fn field_value(i: &Instance, field: &str) -> String {
    match field {
        "instanceId" | "host" => i.id.clone(),
        f => f
            .strip_prefix("attribute:")
            .and_then(|a| attribute(i, a))
            .unwrap_or_default(),
    }
}

/// Evaluates a `memberOf` expression of the cluster query language against an instance:
/// `attribute:NAME == V`, `!=`, `=~ PATTERN*` (prefix wildcard), `in [A, B]`, `not_in`,
/// joined by `and`/`or` (evaluated left to right).
pub fn member_of(expression: &str, i: &Instance) -> Result<bool, String> {
    let mut result: Option<bool> = None;
    let mut pending_op: Option<&str> = None;
    let lowered = expression.replace(" && ", " and ").replace(" || ", " or ");
    for clause in split_keep(&lowered) {
        match clause.as_str() {
            "and" | "or" => {
                pending_op = Some(if clause == "and" { "and" } else { "or" });
                continue;
            }
            _ => {}
        }
        let v = clause_matches(&clause, i)?;
        result = Some(match (result, pending_op) {
            (None, _) => v,
            (Some(r), Some("or")) => r || v,
            (Some(r), _) => r && v,
        });
        pending_op = None;
    }
    result.ok_or_else(|| format!("empty expression '{expression}'"))
}

fn split_keep(expr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Vec<&str> = Vec::new();
    for w in expr.split_whitespace() {
        if w == "and" || w == "or" {
            if !cur.is_empty() {
                out.push(cur.join(" "));
                cur.clear();
            }
            out.push(w.to_string());
        } else {
            cur.push(w);
        }
    }
    if !cur.is_empty() {
        out.push(cur.join(" "));
    }
    out
}

fn clause_matches(clause: &str, i: &Instance) -> Result<bool, String> {
    let bad = || format!("invalid placement constraint expression '{clause}'");
    let (lhs, op, rhs) = ["not_in", " in ", "==", "!=", "=~"]
        .iter()
        .find_map(|op| {
            clause
                .split_once(op)
                .map(|(l, r)| (l.trim(), op.trim(), r.trim()))
        })
        .ok_or_else(bad)?;
    let value = match lhs {
        "instanceId" | "ec2InstanceId" => Some(i.id.clone()),
        l => attribute(i, l.strip_prefix("attribute:").ok_or_else(bad)?),
    }
    .unwrap_or_default();
    let list = || -> Vec<String> {
        rhs.trim_start_matches('[')
            .trim_end_matches(']')
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    };
    Ok(match op {
        "==" => value == rhs,
        "!=" => value != rhs,
        "=~" => match rhs.strip_suffix('*') {
            Some(prefix) => value.starts_with(prefix),
            None => value == rhs,
        },
        "in" => list().contains(&value),
        _ => !list().contains(&value),
    })
}

/// Chooses an instance for one task.
pub fn place(
    instances: &[&Instance],
    usage: &BTreeMap<String, Usage>,
    need: &Need,
    strategies: &[PlacementStrategy],
    constraints: &[PlacementConstraint],
    rng: &mut SimRng,
) -> Placement {
    let default = Usage::default();
    let use_of = |i: &Instance| usage.get(&i.id).unwrap_or(&default);
    let running: Vec<&Instance> = instances
        .iter()
        .copied()
        .filter(|i| i.state == InstanceState::Running)
        .collect();
    if running.is_empty() {
        return Placement::Unplaceable(
            "no container instance met all of its requirements. Reason: No Container Instances were found in your cluster.".to_string(),
        );
    }
    // 1. Resources.
    let mut closest: Option<(&Instance, &'static str)> = None;
    let mut fits: Vec<&Instance> = Vec::new();
    for i in &running {
        let u = use_of(i);
        let lack = if i.cpu_units.saturating_sub(u.cpu_units) < need.cpu_units {
            Some("has insufficient CPU units available")
        } else if i.memory_mib.saturating_sub(u.memory_mib) < need.memory_mib {
            Some("has insufficient memory available")
        } else if need.host_ports.iter().any(|p| i.ports.contains(p)) {
            Some("is already using a port required by your task")
        } else if need.eni && u.enis >= i.task_eni_slots() {
            Some("has no free elastic network interface for an awsvpc task")
        } else {
            None
        };
        match lack {
            None => fits.push(i),
            Some(why) => {
                if closest.is_none() {
                    closest = Some((i, why));
                }
            }
        }
    }
    if fits.is_empty() {
        let (i, why) = closest.expect("at least one running instance");
        return Placement::Unplaceable(format!(
            "no container instance met all of its requirements. The closest matching (container-instance {}) {why}.",
            i.id
        ));
    }
    // 2. Constraints.
    for c in constraints {
        let before = fits.len();
        match c.kind.as_str() {
            "distinctInstance" => fits.retain(|i| use_of(i).service_tasks == 0),
            "memberOf" => {
                let expr = c.expression.clone().unwrap_or_default();
                let mut kept = Vec::new();
                for i in fits {
                    match member_of(&expr, i) {
                        Ok(true) => kept.push(i),
                        Ok(false) => {}
                        Err(e) => return Placement::Unplaceable(e),
                    }
                }
                fits = kept;
            }
            _ => {}
        }
        if fits.is_empty() && before > 0 {
            return Placement::Unplaceable(format!(
                "no container instance met all of its requirements. The closest matching instances do not satisfy the {} placement constraint.",
                c.kind
            ));
        }
    }
    // 3. Strategies, narrowing in order.
    let default_strategies = [
        PlacementStrategy {
            kind: "spread".into(),
            field: Some("attribute:ecs.availability-zone".into()),
        },
        PlacementStrategy {
            kind: "spread".into(),
            field: Some("instanceId".into()),
        },
    ];
    let used_default = strategies.is_empty();
    let strategies = if used_default {
        &default_strategies[..]
    } else {
        strategies
    };
    let mut steps: Vec<String> = Vec::new();
    for s in strategies {
        let field = s.field.clone().unwrap_or_default();
        match s.kind.as_str() {
            "binpack" => {
                let remaining = |i: &Instance| {
                    let u = use_of(i);
                    if field == "memory" {
                        i.memory_mib.saturating_sub(u.memory_mib)
                    } else {
                        i.cpu_units.saturating_sub(u.cpu_units)
                    }
                };
                let best = fits.iter().map(|i| remaining(i)).min().unwrap_or(0);
                fits.retain(|i| remaining(i) == best);
                steps.push(format!("binpack({field}): least {field} left"));
            }
            "spread" => {
                let mut counts: BTreeMap<String, u32> = BTreeMap::new();
                for i in &running {
                    *counts.entry(field_value(i, &field)).or_default() += use_of(i).service_tasks;
                }
                let count =
                    |i: &Instance| counts.get(&field_value(i, &field)).copied().unwrap_or(0);
                let best = fits.iter().map(|i| count(i)).min().unwrap_or(0);
                fits.retain(|i| count(i) == best);
                steps.push(format!("spread({field}): fewest tasks of the service"));
            }
            _ => steps.push("random".into()),
        }
    }
    fits.sort_by(|a, b| a.id.cmp(&b.id));
    let pick = fits[rng.below(fits.len() as u64) as usize];
    let how = if used_default {
        format!(
            "default placement ({}), then a random pick among {} tied",
            steps.join(", "),
            fits.len()
        )
    } else {
        format!(
            "{}; {} candidate(s) left, picked at random",
            steps.join(", "),
            fits.len()
        )
    };
    Placement::On(pick.id.clone(), how)
}
