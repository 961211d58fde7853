//! ALB target groups: registering a service's tasks as targets, health-checking them, and
//! draining them on the way out (ELBv2 `RegisterTargets`, target health states
//! `initial → healthy`, `draining` for the deregistration delay).
//!
//! Simplification: the simulated applications always answer their health check, so a
//! target becomes healthy after `healthyThreshold` consecutive checks; a task that is not
//! RUNNING fails them.

use super::{AwsEffect, AwsTask, fx, later};
use crate::ecs::load_balancer::{Target, TargetState};
use crate::ecs::task::{Task, TaskStatus};
use crate::effect::Effect;
use crate::event::{Component, EventDraft, ObjectRef, Source};
use crate::time::{SimDuration, SimTime};
use crate::world::World;

fn tg_ref(name: &str) -> ObjectRef {
    ObjectRef::new("target-group", name)
}

/// Registers a task that reached RUNNING with its service's target groups.
pub fn register(world: &World, t: &Task, now: SimTime) -> Vec<Effect> {
    let mut out = Vec::new();
    let Some(svc) = t
        .service
        .as_ref()
        .and_then(|s| world.aws.services.get(&(t.cluster.clone(), s.clone())))
    else {
        return out;
    };
    let Some(ip) = &t.private_ip else {
        return out;
    };
    for lb in &svc.load_balancers {
        let Some(g) = world.aws.target_groups.get(&lb.target_group) else {
            continue;
        };
        let mut g = g.clone();
        // awsvpc tasks are targets at their own IP and the container port; bridge-mode
        // tasks at their instance's IP and a dynamic host port from the ephemeral range
        // (32768 and up), as the ECS agent maps them.
        let port = if t.subnet.is_some() {
            lb.container_port
        } else {
            let used = g.targets.values().filter(|x| &x.ip == ip).count() as i64;
            (32768..)
                .find(|p| !g.targets.contains_key(&format!("{ip}:{p}")))
                .unwrap_or(32768 + used)
        };
        let key = format!("{ip}:{port}");
        g.targets.insert(
            key.clone(),
            Target {
                task: t.id.clone(),
                ip: ip.clone(),
                port,
                state: TargetState::Initial,
                passes: 0,
                failures: 0,
                since: now,
            },
        );
        out.push(Effect::Emit(EventDraft::new(
            Source::of(Component::Elb),
            tg_ref(&g.name),
            "TargetRegistered",
            format!(
                "registered target {key} (task {}) in target group {}: state initial until {} health checks pass, one every {} s",
                t.id, g.name, g.health_check.healthy_threshold, g.health_check.interval
            ),
        )));
        out.push(later(
            SimDuration::from_secs(u64::from(g.health_check.interval)),
            AwsTask::TargetCheck {
                group: g.name.clone(),
                target: key,
            },
        ));
        out.push(fx(AwsEffect::PutTargetGroup(g)));
    }
    out
}

/// Starts draining every target of a task that is being stopped.
pub fn deregister(world: &World, t: &Task, now: SimTime) -> Vec<Effect> {
    let mut out = Vec::new();
    for g in world.aws.target_groups.values() {
        let keys: Vec<String> = g
            .targets
            .iter()
            .filter(|(_, x)| x.task == t.id && x.state != TargetState::Draining)
            .map(|(k, _)| k.clone())
            .collect();
        if keys.is_empty() {
            continue;
        }
        let mut g = g.clone();
        for k in keys {
            if let Some(x) = g.targets.get_mut(&k) {
                x.state = TargetState::Draining;
                x.since = now;
            }
            out.push(Effect::Emit(EventDraft::new(
                Source::of(Component::Elb),
                tg_ref(&g.name),
                "TargetDraining",
                format!(
                    "deregistered target {k} (task {}): draining for the deregistration delay of {} s so in-flight requests finish",
                    t.id, g.deregistration_delay
                ),
            )));
            out.push(later(
                SimDuration::from_secs(u64::from(g.deregistration_delay)),
                AwsTask::TargetDrained {
                    group: g.name.clone(),
                    target: k,
                },
            ));
        }
        out.push(fx(AwsEffect::PutTargetGroup(g)));
    }
    out
}

/// One health check of one target.
pub fn check(world: &World, group: &str, target: &str, now: SimTime) -> Vec<Effect> {
    let Some(g) = world.aws.target_groups.get(group) else {
        return Vec::new();
    };
    let Some(x) = g.targets.get(target) else {
        return Vec::new();
    };
    if x.state == TargetState::Draining {
        return Vec::new();
    }
    let mut g = g.clone();
    let mut out = Vec::new();
    let running = world
        .aws
        .tasks
        .get(&x.task)
        .is_some_and(|t| t.last_status == TaskStatus::Running);
    let hc = g.health_check.clone();
    let task_id = x.task.clone();
    let entry = g.targets.get_mut(target).expect("target exists");
    let before = entry.state;
    if running {
        entry.passes += 1;
        entry.failures = 0;
        if entry.state != TargetState::Healthy && entry.passes >= hc.healthy_threshold {
            entry.state = TargetState::Healthy;
            entry.since = now;
        }
    } else {
        entry.failures += 1;
        entry.passes = 0;
        if entry.failures >= hc.unhealthy_threshold {
            entry.state = TargetState::Unhealthy;
            entry.since = now;
        }
    }
    let after = entry.state;
    if after != before {
        out.push(Effect::Emit(EventDraft::new(
            Source::of(Component::Elb),
            tg_ref(group),
            if after == TargetState::Healthy {
                "TargetHealthy"
            } else {
                "TargetUnhealthy"
            },
            format!(
                "target {target} (task {task_id}) is {}: GET {} answered {} time(s) in a row",
                after.as_str(),
                hc.path,
                if running {
                    hc.healthy_threshold
                } else {
                    hc.unhealthy_threshold
                }
            ),
        )));
        out.push(later(
            SimDuration::ZERO,
            AwsTask::TaskStep {
                task: task_id.clone(),
            },
        ));
    }
    out.push(later(
        SimDuration::from_secs(u64::from(hc.interval)),
        AwsTask::TargetCheck {
            group: group.to_string(),
            target: target.to_string(),
        },
    ));
    out.insert(0, fx(AwsEffect::PutTargetGroup(g)));
    out
}

/// A draining target's delay is over: it leaves the group and its task may stop.
pub fn drained(world: &World, group: &str, target: &str, _now: SimTime) -> Vec<Effect> {
    let Some(g) = world.aws.target_groups.get(group) else {
        return Vec::new();
    };
    let Some(x) = g.targets.get(target) else {
        return Vec::new();
    };
    let task = x.task.clone();
    let mut g = g.clone();
    g.targets.remove(target);
    vec![
        fx(AwsEffect::PutTargetGroup(g)),
        Effect::Emit(EventDraft::new(
            Source::of(Component::Elb),
            tg_ref(group),
            "TargetDeregistered",
            format!("target {target} (task {task}) finished draining and left the target group"),
        )),
        later(SimDuration::ZERO, AwsTask::TaskStep { task }),
    ]
}

/// Healthy targets of a target group.
pub fn healthy_count(world: &World, group: &str) -> usize {
    world.aws.target_groups.get(group).map_or(0, |g| {
        g.targets
            .values()
            .filter(|t| t.state == TargetState::Healthy)
            .count()
    })
}
