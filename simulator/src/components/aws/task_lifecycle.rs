//! The life of one ECS task, as the ECS agent (EC2) or Fargate drives it:
//!
//! `PROVISIONING` (capacity and, for `awsvpc`, an elastic network interface with a
//! private IP from the subnet) → `PENDING` (image pulls) → `RUNNING` → healthy (container
//! health check, load-balancer health checks, or 40 s after RUNNING when it has neither,
//! per the ECS guide) … and on the way down `DEACTIVATING` (load-balancer draining) →
//! `STOPPING` (SIGTERM) → `DEPROVISIONING` (the ENI is detached) → `STOPPED`.
//!
//! Fargate bills a task from the start of its image pull until it stops, per second with a
//! one-minute minimum (Fargate pricing page).

use super::{AwsEffect, AwsTask, fx, later, sync};
use crate::cost::{Billable, Category};
use crate::ecs::task::{Health, Task, TaskStatus};
use crate::ecs::vpc::format_ip;
use crate::effect::Effect;
use crate::event::{Component, EventDraft, ObjectRef, Source};
use crate::rng::SimRng;
use crate::time::{SimDuration, SimTime};
use crate::world::World;

/// Fargate finds capacity and attaches the task's ENI (typically 15–30 s).
pub const FARGATE_PROVISIONING: SimDuration = SimDuration::from_secs(20);
/// The ECS agent attaches an `awsvpc` task's ENI on an EC2 instance.
pub const EC2_ENI_ATTACH: SimDuration = SimDuration::from_secs(5);
/// A `bridge`-mode task on EC2 needs no network set-up.
pub const EC2_PROVISIONING: SimDuration = SimDuration::from_secs(1);
/// Creating and starting the containers once images are present.
pub const CONTAINER_START: SimDuration = SimDuration::from_secs(2);
/// With neither a container health check nor a load balancer, ECS counts a task as
/// healthy this long after it reaches RUNNING (semantics.md §6).
pub const NO_CHECK_HEALTHY_AFTER: SimDuration = SimDuration::from_secs(40);
/// The application exits this long after SIGTERM (well inside the 30 s `stopTimeout`).
pub const SIGTERM_EXIT: SimDuration = SimDuration::from_secs(2);
/// Detaching and deleting the task's ENI.
pub const ENI_DETACH: SimDuration = SimDuration::from_secs(5);
/// A failed pull is retried by the agent before the task is stopped.
pub const PULL_FAILURE: SimDuration = SimDuration::from_secs(10);

fn task_ref(t: &Task) -> ObjectRef {
    ObjectRef::new("ecs-task", t.id.clone())
}

fn source(t: &Task) -> Source {
    match &t.instance {
        Some(i) => Source::on(Component::EcsAgent, i.clone()),
        None => Source::of(Component::Fargate),
    }
}

fn emit(t: &Task, kind: &str, msg: String) -> Effect {
    Effect::Emit(EventDraft::new(source(t), task_ref(t), kind, msg))
}

fn next(task: &Task, after: SimDuration) -> Effect {
    later(
        after,
        AwsTask::TaskStep {
            task: task.id.clone(),
        },
    )
}

/// Schedules the first step of a task the service scheduler (or `run-task`) created.
pub fn begin(task: &Task) -> Effect {
    let after = if task.launch_type == "FARGATE" {
        FARGATE_PROVISIONING
    } else if task.subnet.is_some() {
        EC2_ENI_ATTACH
    } else {
        EC2_PROVISIONING
    };
    next(task, after)
}

/// Whether the task's definition asks for an ENI of its own.
fn awsvpc(world: &World, t: &Task) -> bool {
    t.launch_type == "FARGATE"
        || world
            .aws
            .task_definition(&t.task_definition)
            .is_some_and(|d| d.network_mode() == "awsvpc")
}

/// Advances one task.
pub fn step(world: &World, id: &str, now: SimTime, _rng: &mut SimRng) -> Vec<Effect> {
    let Some(task) = world.aws.tasks.get(id) else {
        return Vec::new();
    };
    let mut t = task.clone();
    let mut out = Vec::new();
    match (t.last_status, t.desired_running) {
        (TaskStatus::Stopped, _) => return out,
        (TaskStatus::Provisioning | TaskStatus::Pending, false) => {
            finish_stop(world, &mut t, now, &mut out);
        }
        (TaskStatus::Provisioning, true) => provision(world, &mut t, now, &mut out),
        (TaskStatus::Pending, true) => start(world, &mut t, now, &mut out),
        (TaskStatus::Running, true) => health(world, &mut t, now, &mut out),
        (TaskStatus::Running, false) => {
            let draining = targets_of(world, &t);
            if draining.is_empty() {
                t.last_status = TaskStatus::Stopping;
                out.push(emit(
                    &t,
                    "TaskStopping",
                    format!(
                        "sent SIGTERM to the containers of task {} ({})",
                        t.id,
                        t.stopped_reason.clone().unwrap_or_default()
                    ),
                ));
                out.push(next(&t, SIGTERM_EXIT));
            } else {
                t.last_status = TaskStatus::Deactivating;
                out.extend(super::target_health::deregister(world, &t, now));
            }
        }
        (TaskStatus::Deactivating, _) => {
            if targets_of(world, &t).is_empty() {
                t.last_status = TaskStatus::Stopping;
                out.push(emit(
                    &t,
                    "TaskStopping",
                    format!(
                        "load balancer targets drained; sent SIGTERM to the containers of task {}",
                        t.id
                    ),
                ));
                out.push(next(&t, SIGTERM_EXIT));
            }
        }
        (TaskStatus::Stopping, _) => {
            if t.subnet.is_some() {
                t.last_status = TaskStatus::Deprovisioning;
                out.push(emit(
                    &t,
                    "TaskDeprovisioning",
                    format!(
                        "containers exited; detaching the network interface of task {}",
                        t.id
                    ),
                ));
                out.push(next(&t, ENI_DETACH));
            } else {
                finish_stop(world, &mut t, now, &mut out);
            }
        }
        (TaskStatus::Deprovisioning, _) => finish_stop(world, &mut t, now, &mut out),
    }
    out.insert(0, fx(AwsEffect::PutTask(t)));
    out
}

/// Targets registered for a task, across target groups.
fn targets_of(world: &World, t: &Task) -> Vec<(String, String)> {
    world
        .aws
        .target_groups
        .values()
        .flat_map(|g| {
            g.targets
                .iter()
                .filter(|(_, tg)| tg.task == t.id)
                .map(|(k, _)| (g.name.clone(), k.clone()))
        })
        .collect()
}

fn provision(world: &World, t: &mut Task, now: SimTime, out: &mut Vec<Effect>) {
    if awsvpc(world, t) {
        let Some(subnet) = t.subnet.as_ref().and_then(|s| world.aws.vpc.subnets.get(s)) else {
            fail_to_start(
                world,
                t,
                now,
                out,
                "ResourceInitializationError: the task's subnet does not exist".to_string(),
            );
            return;
        };
        let Some(ip) = subnet.next_free() else {
            let reason = format!(
                "Unexpected EC2 error while attempting to Create Network Interface in subnet '{}': InsufficientFreeAddressesInSubnet",
                subnet.id
            );
            out.push(emit(
                t,
                "EniFailed",
                format!(
                    "subnet {} ({}) has no free address: its {} usable addresses are all taken",
                    subnet.id,
                    subnet.cidr,
                    subnet.capacity()
                ),
            ));
            fail_to_start(world, t, now, out, reason);
            return;
        };
        let mut subnet = subnet.clone();
        subnet.used.insert(ip, t.id.clone());
        t.private_ip = Some(format_ip(ip));
        out.push(emit(
            t,
            "EniAttached",
            format!(
                "elastic network interface attached with private IP {} in subnet {} ({}); {} addresses left there",
                format_ip(ip),
                subnet.id,
                subnet.zone,
                subnet.available()
            ),
        ));
        out.push(fx(AwsEffect::PutSubnet(subnet)));
    } else if let Some(i) = t.instance.as_ref().and_then(|i| world.aws.instances.get(i)) {
        t.private_ip = Some(i.private_ip.clone());
    }
    t.last_status = TaskStatus::Pending;
    if t.launch_type == "FARGATE" {
        let rate = world.billing.prices.fargate_hour(t.cpu_units, t.memory_mib);
        out.push(fx(AwsEffect::BillStart(
            t.arn(),
            Billable {
                category: Category::Fargate,
                description: format!(
                    "Fargate task {} ({} vCPU, {} GB)",
                    t.id,
                    crate::load::fmt_milli((t.cpu_units * 1000 / 1024) as i64),
                    crate::load::fmt_milli((t.memory_mib * 1000 / 1024) as i64)
                ),
                rate,
                start: now,
                end: None,
                minimum: SimDuration::from_secs(60),
            },
        )));
    }
    // Pull now; the outcome is decided when the pull is due.
    let (after, what) = pull_time(world, t);
    out.push(emit(t, "TaskPending", what));
    out.push(next(t, after));
}

/// How long the task's pulls take, and a sentence about them.
fn pull_time(world: &World, t: &Task) -> (SimDuration, String) {
    let Some(def) = world.aws.task_definition(&t.task_definition) else {
        return (PULL_FAILURE, "task definition missing".into());
    };
    let mut total = SimDuration::ZERO;
    let mut parts = Vec::new();
    let cached = t
        .instance
        .as_ref()
        .and_then(|i| world.aws.instances.get(i))
        .map(|i| i.images.clone())
        .unwrap_or_default();
    for c in &def.input.container_definitions {
        let image = c.image.clone().unwrap_or_default();
        match crate::components::kubelet::pull::resolve(world, &image) {
            Ok(r) if cached.contains(&r.reference) => {
                parts.push(format!("{image} already on the instance"));
            }
            Ok(r) => {
                let d = SimDuration(
                    r.size * 1000 / crate::components::kubelet::DEFAULT_BANDWIDTH + 200,
                );
                total = SimDuration(total.0 + d.0);
                parts.push(format!(
                    "pulling {image} ({}){}",
                    crate::components::docker::daemon::human_size(r.size),
                    if t.launch_type == "FARGATE" {
                        ", the whole image: a Fargate micro-VM starts with no image cache"
                    } else {
                        ""
                    }
                ));
            }
            Err(_) => {
                total = SimDuration(total.0.max(PULL_FAILURE.0));
                parts.push(format!("pulling {image}"));
            }
        }
    }
    (
        SimDuration(total.0 + CONTAINER_START.0),
        format!("task {}: {}", t.id, parts.join("; ")),
    )
}

fn start(world: &World, t: &mut Task, now: SimTime, out: &mut Vec<Effect>) {
    let Some(def) = world.aws.task_definition(&t.task_definition).cloned() else {
        fail_to_start(world, t, now, out, "TaskDefinition not found".to_string());
        return;
    };
    let mut pulled = Vec::new();
    for c in &def.input.container_definitions {
        let image = c.image.clone().unwrap_or_default();
        match crate::components::kubelet::pull::resolve(world, &image) {
            Ok(r) => {
                if r.private && t.launch_type == "FARGATE" && def.input.execution_role_arn.is_none()
                {
                    fail_to_start(
                        world,
                        t,
                        now,
                        out,
                        format!(
                            "ResourceInitializationError: unable to pull secrets or registry auth: pull command failed: the task definition has no executionRoleArn, so Fargate has no credentials for {}",
                            r.host
                        ),
                    );
                    return;
                }
                pulled.push(r.reference);
            }
            Err(_) => {
                let reference = match crate::kube::image_ref::parse_image_name(&image) {
                    Ok(r) => format!("{}:{}", r.repo, r.tag),
                    Err(_) => image.clone(),
                };
                fail_to_start(
                    world,
                    t,
                    now,
                    out,
                    format!(
                        "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref {reference}: {reference}: not found"
                    ),
                );
                return;
            }
        }
    }
    if let Some(mut inst) = t
        .instance
        .as_ref()
        .and_then(|i| world.aws.instances.get(i))
        .cloned()
    {
        let before = inst.images.len();
        for p in pulled {
            if !inst.images.contains(&p) {
                inst.images.push(p);
            }
        }
        if inst.images.len() != before {
            out.push(fx(AwsEffect::PutInstance(inst)));
        }
    }
    t.last_status = TaskStatus::Running;
    t.started_at = Some(now);
    t.reached_running = true;
    out.push(emit(
        t,
        "TaskRunning",
        format!(
            "task {} is RUNNING ({}, {}{})",
            t.id,
            t.task_definition,
            t.launch_type,
            t.private_ip
                .as_ref()
                .map(|ip| format!(", {ip}"))
                .unwrap_or_default()
        ),
    ));
    out.extend(super::target_health::register(world, t, now));
    if let Some(hc) = def.health_check() {
        out.push(next(t, first_check(hc)));
    } else if !has_lb(world, t) {
        out.push(next(t, NO_CHECK_HEALTHY_AFTER));
    }
    if let Some(s) = &t.service {
        out.push(sync(&t.cluster, s));
    }
}

/// When a container health check first reports: after its start period or one interval
/// (default 30 s), whichever is later.
fn first_check(hc: &crate::ecs::task_definition::HealthCheck) -> SimDuration {
    SimDuration::from_secs(
        hc.start_period
            .unwrap_or(0)
            .max(hc.interval.unwrap_or(30))
            .max(1) as u64,
    )
}

fn has_lb(world: &World, t: &Task) -> bool {
    t.service
        .as_ref()
        .and_then(|s| world.aws.services.get(&(t.cluster.clone(), s.clone())))
        .is_some_and(|s| !s.load_balancers.is_empty())
}

/// Re-evaluates a running task's health: container check, load balancer, or the 40 s rule.
fn health(world: &World, t: &mut Task, now: SimTime, out: &mut Vec<Effect>) {
    let def = world.aws.task_definition(&t.task_definition);
    let started = t.started_at.unwrap_or(now);
    let container_ok = match def.and_then(|d| d.health_check()) {
        Some(hc) => {
            if now >= started.after(first_check(hc)) && t.health != Health::Healthy {
                t.health = Health::Healthy;
                out.push(emit(
                    t,
                    "ContainerHealthy",
                    format!(
                        "container health check `{}` passed: task {} is HEALTHY",
                        hc.command.join(" "),
                        t.id
                    ),
                ));
            }
            t.health == Health::Healthy
        }
        None => true,
    };
    let lb = has_lb(world, t);
    let lb_ok = if lb {
        let targets: Vec<_> = world
            .aws
            .target_groups
            .values()
            .flat_map(|g| g.targets.values())
            .filter(|x| x.task == t.id)
            .collect();
        !targets.is_empty()
            && targets
                .iter()
                .all(|x| x.state == crate::ecs::load_balancer::TargetState::Healthy)
    } else {
        true
    };
    let timer_ok = lb
        || def.and_then(|d| d.health_check()).is_some()
        || now >= started.after(NO_CHECK_HEALTHY_AFTER);
    if container_ok && lb_ok && timer_ok && t.healthy_at.is_none() {
        t.healthy_at = Some(now);
        let why = if lb {
            "its load balancer target is healthy"
        } else if def.and_then(|d| d.health_check()).is_some() {
            "its container health check passes"
        } else {
            "it has run 40 s with no health check or load balancer (ECS's rule)"
        };
        out.push(emit(
            t,
            "TaskHealthy",
            format!("task {} counts as healthy: {why}", t.id),
        ));
        if let Some(s) = &t.service {
            out.push(sync(&t.cluster, s));
        }
    }
}

/// A task that never reached RUNNING: stopped with `TaskFailedToStart`, counted by the
/// deployment circuit breaker, and the service throttled.
fn fail_to_start(world: &World, t: &mut Task, now: SimTime, out: &mut Vec<Effect>, reason: String) {
    t.stop_code = Some("TaskFailedToStart".into());
    t.stopped_reason = Some(reason.clone());
    t.desired_running = false;
    out.push(emit(
        t,
        "TaskFailedToStart",
        format!("task {}: {reason}", t.id),
    ));
    finish_stop(world, t, now, out);
    if let Some(name) = &t.service
        && let Some(svc) = world.aws.services.get(&(t.cluster.clone(), name.clone()))
    {
        let mut svc = svc.clone();
        if let Some(d) = svc
            .deployments
            .iter_mut()
            .find(|d| Some(&d.id) == t.deployment.as_ref())
        {
            d.failed_tasks += 1;
            d.updated_at = now;
        }
        svc.throttle += 1;
        let wait = super::service_scheduler::throttle_delay(svc.throttle);
        svc.throttled_until = now.after(wait);
        out.push(fx(AwsEffect::PutService(
            (svc.cluster.clone(), svc.name.clone()),
            Some(svc),
        )));
        out.push(sync(&t.cluster, name));
    }
}

/// Releases everything the task held and marks it STOPPED.
fn finish_stop(world: &World, t: &mut Task, now: SimTime, out: &mut Vec<Effect>) {
    if let (Some(s), Some(ip)) = (t.subnet.as_ref(), t.private_ip.as_ref())
        && let Some(subnet) = world.aws.vpc.subnets.get(s)
        && let Some(ipn) = crate::ecs::vpc::parse_ip(ip)
        && subnet.used.get(&ipn) == Some(&t.id)
    {
        let mut subnet = subnet.clone();
        subnet.used.remove(&ipn);
        out.push(fx(AwsEffect::PutSubnet(subnet)));
    }
    if let Some(mut inst) = t
        .instance
        .as_ref()
        .and_then(|i| world.aws.instances.get(i))
        .cloned()
    {
        inst.tasks.retain(|x| x != &t.id);
        out.push(fx(AwsEffect::PutInstance(inst)));
    }
    if t.launch_type == "FARGATE" && world.billing.items.contains_key(&t.arn()) {
        out.push(fx(AwsEffect::BillStop(t.arn())));
    }
    t.last_status = TaskStatus::Stopped;
    t.stopped_at = Some(now);
    if t.stop_code.is_none() {
        t.stop_code = Some("ServiceSchedulerInitiated".into());
    }
    out.push(emit(
        t,
        "TaskStopped",
        format!(
            "task {} STOPPED: {}",
            t.id,
            t.stopped_reason.clone().unwrap_or_default()
        ),
    ));
    if let Some(s) = &t.service {
        out.push(sync(&t.cluster, s));
    }
}
