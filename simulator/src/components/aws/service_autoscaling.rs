//! Application Auto Scaling for ECS services: every minute the service's CloudWatch
//! metrics get a datapoint, and target-tracking policies decide on the desired count
//! (rules in [`crate::ecs::autoscaling`]).
//!
//! Usage comes from the simulator's load model ([`crate::load`]): traffic sent to
//! `ecs-service/NAME` with `sim traffic` is spread evenly over the service's healthy
//! tasks; each request costs CPU as it does for pods, on top of an idle baseline.

use super::{AwsEffect, AwsTask, fx, later, sync};
use crate::apiserver::ObjKey;
use crate::ecs::autoscaling::{LOW_ALARM_DATAPOINTS, METRIC_PERIOD, evaluate};
use crate::ecs::service::RolloutState;
use crate::ecs::task::TaskStatus;
use crate::effect::Effect;
use crate::event::{Component, EventDraft, ObjectRef, Source};
use crate::time::SimTime;
use crate::world::World;

/// The load-model key of an ECS service (`sim traffic ecs-service/NAME --cluster C`).
pub fn load_key(cluster: &str, service: &str) -> ObjKey {
    ObjKey::new("EcsService", cluster, service)
}

/// A service's usage at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Utilization {
    /// Average CPU utilisation of running tasks, thousandths of a percent.
    pub cpu_milli: i64,
    /// Average memory utilisation, thousandths of a percent.
    pub memory_milli: i64,
    /// Requests per second per receiving task, thousandths.
    pub rps_per_task_milli: i64,
    /// Running tasks.
    pub running: u32,
}

/// Average utilisation of a service's running tasks, or `None` with no running task.
pub fn utilization(
    world: &World,
    cluster: &str,
    service: &str,
    now: SimTime,
) -> Option<Utilization> {
    let running: Vec<_> = world
        .aws
        .live_tasks(cluster, service)
        .filter(|t| t.last_status == TaskStatus::Running)
        .collect();
    if running.is_empty() {
        return None;
    }
    let receiving = running
        .iter()
        .filter(|t| t.desired_running && t.healthy_at.is_some())
        .count()
        .max(1);
    let traffic = world.load.traffic.get(&load_key(cluster, service));
    let rps = traffic.map_or(0.0, |t| t.rps_at(now));
    let cpu_per_request =
        traffic.map_or(crate::load::DEFAULT_CPU_PER_REQUEST, |t| t.cpu_per_request);
    let per_task = rps / receiving as f64;
    let mut cpu_sum = 0i64;
    let mut mem_sum = 0i64;
    for t in &running {
        let gets = t.desired_running && t.healthy_at.is_some();
        let load = if gets { per_task } else { 0.0 };
        let used_milli_cores = crate::load::IDLE_CPU as f64 + load * cpu_per_request as f64;
        let capacity_milli_cores = (t.cpu_units.max(1) * 1000 / 1024) as f64;
        let cpu = (used_milli_cores / capacity_milli_cores * 100_000.0).min(100_000.0);
        let used_mem = crate::load::IDLE_MEMORY as f64 + load * crate::load::MEMORY_PER_RPS as f64;
        let mem =
            (used_mem / (t.memory_mib.max(1) * 1024 * 1024) as f64 * 100_000.0).min(100_000.0);
        cpu_sum += cpu.round() as i64;
        mem_sum += mem.round() as i64;
    }
    let n = running.len() as i64;
    Some(Utilization {
        cpu_milli: cpu_sum / n,
        memory_milli: mem_sum / n,
        rps_per_task_milli: (per_task * 1000.0).round() as i64,
        running: running.len() as u32,
    })
}

/// Publishes a datapoint for each policy's metric and lets the policies decide.
pub fn tick(world: &World, resource_id: &str, now: SimTime) -> Vec<Effect> {
    let Some(target) = world.aws.scalable_targets.get(resource_id) else {
        return Vec::new();
    };
    let mut target = target.clone();
    let mut out = vec![later(
        METRIC_PERIOD,
        AwsTask::ScalingTick {
            resource_id: resource_id.to_string(),
        },
    )];
    let Some((cluster, service)) = target
        .service()
        .map(|(c, s)| (c.to_string(), s.to_string()))
    else {
        return out;
    };
    let Some(svc) = world.aws.services.get(&(cluster.clone(), service.clone())) else {
        return out;
    };
    let Some(u) = utilization(world, &cluster, &service, now) else {
        // Insufficient data: no datapoint, no action.
        return out;
    };
    let values: Vec<i64> = target
        .policies
        .iter()
        .map(|p| match p.metric.as_str() {
            "ECSServiceAverageMemoryUtilization" => u.memory_milli,
            "ALBRequestCountPerTarget" => u.rps_per_task_milli * 60,
            _ => u.cpu_milli,
        })
        .collect();
    target.datapoints.push((now, values));
    let excess = target.datapoints.len().saturating_sub(LOW_ALARM_DATAPOINTS);
    target.datapoints.drain(..excess);
    let deploying = svc
        .deployments
        .first()
        .is_some_and(|d| d.rollout_state == RolloutState::InProgress);
    if let Some(d) = evaluate(&target, svc.desired_count, deploying, now) {
        let mut svc = svc.clone();
        let from = svc.desired_count;
        if d.desired > from {
            target.last_scale_out = Some(now);
        } else {
            target.last_scale_in = Some(now);
        }
        svc.desired_count = d.desired;
        out.push(Effect::Emit(EventDraft::new(
            Source::of(Component::AppAutoScaling),
            ObjectRef::namespaced("ecs-service", &cluster, &service),
            "ScalingActivity",
            format!(
                "Successfully set desired count to {}. Change successfully fulfilled by ecs. ({}; was {from})",
                d.desired, d.reason
            ),
        )));
        out.push(fx(AwsEffect::PutService(
            (cluster.clone(), service.clone()),
            Some(svc),
        )));
        out.push(sync(&cluster, &service));
    }
    out.insert(0, fx(AwsEffect::PutScalable(target)));
    out
}
