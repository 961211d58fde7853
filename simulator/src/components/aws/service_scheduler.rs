//! The ECS service scheduler: keeps `desiredCount` tasks of the PRIMARY deployment running
//! and replaces older deployments' tasks within the rolling-update bounds (semantics.md
//! §6, ECS developer guide `deployment-type-ecs.md`):
//!
//! * it starts new tasks while running + pending + stopping tasks stay ≤
//!   `floor(desired × maximumPercent / 100)`;
//! * it stops old tasks while healthy tasks stay ≥ `ceil(desired × minimumHealthyPercent
//!   / 100)` (unhealthy ones may always go);
//! * tasks that fail to start throttle the service (the retry interval grows, up to
//!   15 minutes) and count toward the deployment circuit breaker, which marks the
//!   deployment FAILED at its threshold and, with rollback, deploys the last COMPLETED
//!   revision again;
//! * when every task runs the PRIMARY revision and is healthy, the deployment is
//!   COMPLETED and the service "has reached a steady state".

use super::{AwsEffect, fx, later, sync};
use crate::ecs::circuit_breaker;
use crate::ecs::deployment_bounds::{max_tasks, min_healthy};
use crate::ecs::placement::{self, Need, Placement, Usage};
use crate::ecs::service::{Deployment, RolloutState, Service, ServiceEvent};
use crate::ecs::task::{Health, Task, TaskStatus};
use crate::effect::Effect;
use crate::event::{Component, EventDraft, ObjectRef, Source};
use crate::rng::SimRng;
use crate::time::{SimDuration, SimTime};
use crate::world::World;
use std::collections::BTreeMap;

/// The longest the service throttle waits before launching again.
pub const MAX_THROTTLE: SimDuration = SimDuration::from_mins(15);

/// How long the scheduler waits before trying again to place tasks that found no room.
pub const PLACEMENT_RETRY: SimDuration = SimDuration::from_secs(30);

/// The service throttle's wait after `failures` consecutive failed launches: 10 s
/// doubling, capped at 15 minutes (the guide gives only the cap; the doubling is the
/// simulator's choice).
pub fn throttle_delay(failures: u32) -> SimDuration {
    if failures == 0 {
        return SimDuration::ZERO;
    }
    let secs = 10u64.saturating_mul(1u64 << failures.saturating_sub(1).min(20));
    SimDuration::from_secs(secs).min(MAX_THROTTLE)
}

/// Adds a line to a service's event history (newest first, at most 100).
pub fn service_event(svc: &mut Service, now: SimTime, message: String) -> Effect {
    let id =
        crate::ecs::vpc::stable_id("evt", &format!("{}{}{}", svc.name, now.0, svc.events.len()))
            [4..]
            .to_string();
    svc.events.insert(
        0,
        ServiceEvent {
            id,
            created_at: now,
            message: message.clone(),
        },
    );
    svc.events.truncate(100);
    Effect::Emit(EventDraft::new(
        Source::of(Component::Ecs),
        ObjectRef::namespaced("ecs-service", &svc.cluster, &svc.name),
        "ServiceEvent",
        message,
    ))
}

fn is_healthy(t: &Task) -> bool {
    t.desired_running && t.last_status == TaskStatus::Running && t.healthy_at.is_some()
}

/// A new deployment id: `ecs-svc/` and 19 digits.
pub fn deployment_id(rng: &mut SimRng) -> String {
    let mut s = String::from("ecs-svc/");
    for i in 0..19 {
        let d = rng.below(10);
        s.push(char::from(
            b'0' + if i == 0 { 1 + d as u8 % 9 } else { d as u8 },
        ));
    }
    s
}

/// A new task id: 32 hex digits.
pub fn task_id(rng: &mut SimRng) -> String {
    rng.uuid().replace('-', "")
}

/// Looks at one service and returns what to change.
pub fn reconcile(
    world: &World,
    cluster: &str,
    service: &str,
    now: SimTime,
    rng: &mut SimRng,
) -> Vec<Effect> {
    let key = (cluster.to_string(), service.to_string());
    let Some(svc) = world.aws.services.get(&key) else {
        return Vec::new();
    };
    let mut svc = svc.clone();
    let mut out: Vec<Effect> = Vec::new();
    let mut tasks: Vec<Task> = world.aws.live_tasks(cluster, service).cloned().collect();
    tasks.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));

    if svc.status != "ACTIVE" {
        // Being deleted: stop everything, then go INACTIVE.
        let mut stopped = Vec::new();
        for t in tasks.iter().filter(|t| t.desired_running) {
            stopped.push(stop(t, "Service deleted", &mut out));
        }
        if !stopped.is_empty() {
            out.push(service_event(
                &mut svc,
                now,
                format!(
                    "(service {service}) has stopped {} running tasks: {}.",
                    stopped.len(),
                    stopped
                        .iter()
                        .map(|i| format!("(task {i})"))
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
            ));
        }
        if tasks.is_empty() && svc.status == "DRAINING" {
            svc.status = "INACTIVE".into();
        }
        out.insert(0, fx(AwsEffect::PutService(key, Some(svc))));
        return out;
    }

    let desired = svc.desired_count;
    let cfg = svc.deployment_configuration.clone();
    let min_h = min_healthy(desired, cfg.minimum_healthy_percent);
    let max_t = max_tasks(desired, cfg.maximum_percent).max(if cfg.maximum_percent >= 100 {
        desired
    } else {
        0
    });

    // 1. Circuit breaker.
    if let Some(p) = svc.deployments.first().cloned() {
        let threshold = circuit_breaker::threshold(desired, circuit_breaker::RULE_IN_USE);
        if cfg.circuit_breaker_enable
            && p.breaker_armed
            && p.rollout_state == RolloutState::InProgress
            && p.failed_tasks >= threshold
        {
            let d = &mut svc.deployments[0];
            d.rollout_state = RolloutState::Failed;
            d.rollout_state_reason = format!(
                "ECS deployment circuit breaker: tasks failed to start. {} tasks failed, the threshold for {desired} desired is {threshold} (max(ceil(0.5 × {desired}), 3), at most 200).",
                p.failed_tasks
            );
            d.updated_at = now;
            out.push(service_event(
                &mut svc,
                now,
                format!(
                    "(service {}) (deployment {}) deployment failed: tasks failed to start.",
                    service, p.id
                ),
            ));
            let rollback_to = svc.last_completed.clone();
            if cfg.circuit_breaker_rollback
                && rollback_to
                    .as_ref()
                    .is_none_or(|td| *td == p.task_definition)
            {
                out.push(service_event(
                    &mut svc,
                    now,
                    format!(
                        "(service {service}) cannot roll back: no earlier deployment of this service has completed. Fix the task definition and update the service."
                    ),
                ));
            }
            if cfg.circuit_breaker_rollback
                && let Some(td) = rollback_to.filter(|td| *td != p.task_definition)
            {
                let id = deployment_id(rng);
                out.push(service_event(
                        &mut svc,
                        now,
                        format!(
                            "(service {service}) rolling back to deployment {id} (task definition {td}), the last deployment that completed."
                        ),
                    ));
                svc.task_definition = td.clone();
                svc.throttle = 0;
                svc.throttled_until = now;
                svc.deployments.insert(
                        0,
                        Deployment {
                            id,
                            task_definition: td,
                            rollout_state: RolloutState::InProgress,
                            rollout_state_reason: "ECS deployment circuit breaker: rolling back to the last completed deployment.".into(),
                            failed_tasks: 0,
                            breaker_armed: false,
                            created_at: now,
                            updated_at: now,
                        },
                    );
            }
        }
    }
    let Some(primary) = svc.deployments.first().cloned() else {
        out.insert(0, fx(AwsEffect::PutService(key, Some(svc))));
        return out;
    };

    // 2. Replace unhealthy primary tasks (failed load balancer health checks).
    let mut stopped: Vec<String> = Vec::new();
    for t in &tasks {
        if t.desired_running && t.health == Health::Unhealthy {
            stopped.push(stop(t, "Task failed container health checks", &mut out));
        }
    }

    let live = |t: &Task, stopped: &[String]| t.desired_running && !stopped.contains(&t.id);
    let mut primary_live = tasks
        .iter()
        .filter(|t| live(t, &stopped) && t.deployment.as_deref() == Some(&primary.id))
        .count() as u32;
    // Everything not yet STOPPED counts toward maximumPercent.
    let total = tasks.len() as u32;
    let healthy_total = tasks
        .iter()
        .filter(|t| is_healthy(t) && !stopped.contains(&t.id))
        .count() as u32;

    // 3. Scale in the primary beyond desired: newest, unhealthy first.
    if primary_live > desired {
        let mut extra: Vec<&Task> = tasks
            .iter()
            .filter(|t| live(t, &stopped) && t.deployment.as_deref() == Some(&primary.id))
            .collect();
        extra.sort_by_key(|t| (is_healthy(t), std::cmp::Reverse(t.created_at)));
        let n = (primary_live - desired) as usize;
        for t in extra.into_iter().take(n) {
            stopped.push(stop(
                t,
                "Scaling activity initiated by (deployment)",
                &mut out,
            ));
            primary_live -= 1;
        }
    }

    // 4. Stop old deployments' tasks within minimumHealthyPercent.
    let mut can_stop_healthy = healthy_total.saturating_sub(min_h);
    let mut old: Vec<&Task> = tasks
        .iter()
        .filter(|t| live(t, &stopped) && t.deployment.as_deref() != Some(&primary.id))
        .collect();
    // Tasks that never started, or failed their health checks, may always go; a task
    // that is running (healthy, or still inside its first health checks) goes only while
    // the healthy tasks left stay at or above the minimum.
    let free_to_stop =
        |t: &Task| t.last_status < TaskStatus::Running || t.health == Health::Unhealthy;
    old.sort_by_key(|t| (!free_to_stop(t), is_healthy(t), t.created_at));
    for t in old {
        if !free_to_stop(t) {
            if can_stop_healthy == 0 {
                continue;
            }
            can_stop_healthy -= 1;
        }
        stopped.push(stop(
            t,
            &format!("Deployment {} replaced this task", primary.id),
            &mut out,
        ));
    }
    if !stopped.is_empty() {
        let ids: Vec<String> = stopped.iter().map(|i| format!("(task {i})")).collect();
        out.push(service_event(
            &mut svc,
            now,
            format!(
                "(service {service}) has stopped {} running tasks: {}.",
                stopped.len(),
                ids.join(" ")
            ),
        ));
    }

    // 5. Start primary tasks within maximumPercent.
    let want = desired.saturating_sub(primary_live);
    let room = max_t.saturating_sub(total);
    let mut to_start = want.min(room);
    if primary.rollout_state == RolloutState::Failed {
        to_start = 0;
    }
    if to_start > 0 && now < svc.throttled_until {
        out.push(later(
            svc.throttled_until.since(now),
            super::AwsTask::ServiceSync {
                cluster: cluster.into(),
                service: service.into(),
            },
        ));
        to_start = 0;
    }
    if to_start > 0 {
        let (started, unplaced) = launch(world, &svc, &primary, to_start, now, rng, &mut out);
        if !started.is_empty() {
            let ids: Vec<String> = started.iter().map(|i| format!("(task {i})")).collect();
            out.push(service_event(
                &mut svc,
                now,
                format!(
                    "(service {service}) has started {} tasks: {}.",
                    started.len(),
                    ids.join(" ")
                ),
            ));
        }
        if let Some(reason) = unplaced {
            let msg = format!("(service {service}) was unable to place a task because {reason}");
            if svc.events.first().map(|e| &e.message) != Some(&msg) {
                out.push(service_event(&mut svc, now, msg));
            }
            out.push(later(
                PLACEMENT_RETRY,
                super::AwsTask::ServiceSync {
                    cluster: cluster.into(),
                    service: service.into(),
                },
            ));
        }
    }

    // 6. Steady state.
    let all_primary_healthy = tasks
        .iter()
        .filter(|t| live(t, &stopped))
        .all(|t| t.deployment.as_deref() == Some(&primary.id) && is_healthy(t));
    let remaining = tasks.iter().filter(|t| !stopped.contains(&t.id)).count() as u32;
    if primary.rollout_state == RolloutState::InProgress
        && all_primary_healthy
        && primary_live == desired
        && remaining == desired
        && to_start == 0
    {
        let d = &mut svc.deployments[0];
        d.rollout_state = RolloutState::Completed;
        d.rollout_state_reason = "ECS deployment completed.".into();
        d.updated_at = now;
        svc.last_completed = Some(primary.task_definition.clone());
        svc.throttle = 0;
        svc.deployments.truncate(1);
        out.push(service_event(
            &mut svc,
            now,
            format!(
                "(service {service}) (deployment {}) deployment completed.",
                primary.id
            ),
        ));
        out.push(service_event(
            &mut svc,
            now,
            format!("(service {service}) has reached a steady state."),
        ));
    } else {
        // Old deployments with nothing left go away.
        let ids: Vec<String> = svc
            .deployments
            .iter()
            .skip(1)
            .map(|d| d.id.clone())
            .collect();
        for id in ids {
            let any = tasks
                .iter()
                .any(|t| t.deployment.as_deref() == Some(&id) && !stopped.contains(&t.id));
            if !any && svc.deployments.iter().any(|d| d.id == id) {
                svc.deployments.retain(|d| d.id != id);
            }
        }
    }
    out.insert(0, fx(AwsEffect::PutService(key, Some(svc))));
    out
}

/// Marks a task to stop and schedules its next step. Returns its id.
fn stop(t: &Task, reason: &str, out: &mut Vec<Effect>) -> String {
    let mut t = t.clone();
    t.desired_running = false;
    if t.stopped_reason.is_none() {
        t.stopped_reason = Some(reason.to_string());
    }
    let id = t.id.clone();
    out.push(later(
        SimDuration::ZERO,
        super::AwsTask::TaskStep { task: id.clone() },
    ));
    out.push(fx(AwsEffect::PutTask(t)));
    id
}

/// The capacity provider a service's tasks use: its strategy's first provider, the
/// cluster default, or the launch type's.
pub fn capacity_provider(world: &World, svc: &Service) -> String {
    if let Some((p, _, _)) = svc.capacity_provider_strategy.first() {
        return p.clone();
    }
    match svc.launch_type.as_deref() {
        Some("FARGATE") => "FARGATE".into(),
        Some(_) => world
            .aws
            .clusters
            .get(&svc.cluster)
            .and_then(|c| {
                c.capacity_providers
                    .iter()
                    .find(|p| !p.starts_with("FARGATE"))
                    .cloned()
            })
            .unwrap_or_else(|| "EC2".into()),
        None => world
            .aws
            .clusters
            .get(&svc.cluster)
            .and_then(|c| c.default_strategy.first().map(|(p, _, _)| p.clone()))
            .unwrap_or_else(|| "FARGATE".into()),
    }
}

/// Creates `n` tasks of a deployment: placed on instances (EC2) or spread over the
/// service's subnets (Fargate). Returns the started ids and, if some could not be
/// placed, why.
fn launch(
    world: &World,
    svc: &Service,
    deployment: &Deployment,
    n: u32,
    now: SimTime,
    rng: &mut SimRng,
    out: &mut Vec<Effect>,
) -> (Vec<String>, Option<String>) {
    let Some(def) = world.aws.task_definition(&deployment.task_definition) else {
        return (
            Vec::new(),
            Some(format!(
                "its task definition {} does not exist.",
                deployment.task_definition
            )),
        );
    };
    let provider = capacity_provider(world, svc);
    let fargate = provider.starts_with("FARGATE");
    let awsvpc = fargate || def.network_mode() == "awsvpc";
    let subnets: Vec<String> = svc
        .network
        .as_ref()
        .map(|n| n.subnets.clone())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| world.aws.vpc.default_subnets());
    // Tasks per subnet and per instance, counting the ones this call creates.
    let mut per_subnet: BTreeMap<String, u32> = subnets.iter().map(|s| (s.clone(), 0)).collect();
    let mut usage: BTreeMap<String, Usage> = BTreeMap::new();
    for t in world.aws.tasks.values() {
        if t.last_status == TaskStatus::Stopped {
            continue;
        }
        let mine = t.cluster == svc.cluster && t.service.as_deref() == Some(&svc.name);
        if let Some(s) = &t.subnet
            && mine
            && let Some(c) = per_subnet.get_mut(s)
        {
            *c += 1;
        }
        if let Some(i) = &t.instance {
            let u = usage.entry(i.clone()).or_default();
            u.cpu_units += t.cpu_units;
            u.memory_mib += t.memory_mib;
            if t.subnet.is_some() {
                u.enis += 1;
            }
            if mine {
                u.service_tasks += 1;
            }
        }
    }
    let cluster = world.aws.clusters.get(&svc.cluster);
    let instances: Vec<&crate::ecs::cluster::Instance> = cluster
        .map(|c| {
            c.container_instances
                .iter()
                .filter_map(|i| world.aws.instances.get(i))
                .collect()
        })
        .unwrap_or_default();
    let host_ports: Vec<i64> = if def.network_mode() == "awsvpc" {
        Vec::new()
    } else {
        def.input
            .container_definitions
            .iter()
            .flat_map(|c| c.port_mappings.iter())
            .filter_map(|p| p.host_port.filter(|h| *h > 0))
            .collect()
    };
    let need = Need {
        cpu_units: def.cpu_units,
        memory_mib: def.memory_mib,
        host_ports: host_ports.clone(),
        eni: awsvpc,
    };
    let mut started = Vec::new();
    let mut unplaced = None;
    for _ in 0..n {
        let id = task_id(rng);
        let mut task = Task {
            id: id.clone(),
            cluster: svc.cluster.clone(),
            service: Some(svc.name.clone()),
            deployment: Some(deployment.id.clone()),
            task_definition: deployment.task_definition.clone(),
            launch_type: if fargate { "FARGATE" } else { "EC2" }.into(),
            capacity_provider: provider.clone(),
            instance: None,
            subnet: None,
            zone: String::new(),
            private_ip: None,
            last_status: TaskStatus::Provisioning,
            desired_running: true,
            health: Health::Unknown,
            cpu_units: def.cpu_units,
            memory_mib: def.memory_mib,
            created_at: now,
            started_at: None,
            healthy_at: None,
            stopped_at: None,
            stop_code: None,
            stopped_reason: None,
            reached_running: false,
        };
        let why: String;
        if fargate {
            // Fargate spreads a service's tasks across its subnets' availability zones.
            let Some((subnet, _)) = per_subnet
                .iter()
                .min_by_key(|(s, c)| (**c, (*s).clone()))
                .map(|(s, c)| (s.clone(), *c))
            else {
                unplaced = Some("it has no subnets.".to_string());
                break;
            };
            *per_subnet.entry(subnet.clone()).or_default() += 1;
            task.zone = world
                .aws
                .vpc
                .subnets
                .get(&subnet)
                .map(|s| s.zone.clone())
                .unwrap_or_default();
            why = format!(
                "Fargate: subnet {subnet} ({}) has the fewest tasks of the service",
                task.zone
            );
            task.subnet = Some(subnet);
        } else {
            match placement::place(
                &instances,
                &usage,
                &need,
                &svc.placement_strategy,
                &svc.placement_constraints,
                rng,
            ) {
                Placement::On(instance, how) => {
                    let inst = world
                        .aws
                        .instances
                        .get(&instance)
                        .expect("placed on a known instance");
                    let u = usage.entry(instance.clone()).or_default();
                    u.cpu_units += def.cpu_units;
                    u.memory_mib += def.memory_mib;
                    u.service_tasks += 1;
                    if awsvpc {
                        u.enis += 1;
                        task.subnet = Some(inst.subnet.clone());
                    }
                    task.zone = inst.zone.clone();
                    let mut inst = inst.clone();
                    inst.tasks.push(id.clone());
                    inst.ports.extend(host_ports.iter().copied());
                    out.push(fx(AwsEffect::PutInstance(inst)));
                    why = format!("placed on container instance {instance}: {how}");
                    task.instance = Some(instance);
                }
                Placement::Unplaceable(reason) => {
                    unplaced = Some(reason);
                    break;
                }
            }
        }
        out.push(Effect::Emit(EventDraft::new(
            Source::of(Component::Ecs),
            ObjectRef::new("ecs-task", id.clone()),
            "TaskPlaced",
            format!(
                "task {id} of {} for service {} ({}): {why}",
                deployment.task_definition, svc.name, deployment.id
            ),
        )));
        out.push(super::task_lifecycle::begin(&task));
        out.push(fx(AwsEffect::PutTask(task)));
        started.push(id);
    }
    if unplaced.is_some() && !fargate {
        // Capacity providers with managed scaling see the shortfall on their next look.
        out.push(sync_capacity(world, &provider));
    }
    (started, unplaced)
}

/// Asks the Auto Scaling group behind a capacity provider to look now.
fn sync_capacity(world: &World, provider: &str) -> Effect {
    match world
        .aws
        .capacity_providers
        .get(provider)
        .and_then(|p| p.auto_scaling_group.clone())
    {
        Some(group) => later(SimDuration::ZERO, super::AwsTask::CapacityCheck { group }),
        None => Effect::Emit(EventDraft::new(
            Source::of(Component::Ecs),
            ObjectRef::new("capacity-provider", provider),
            "NoCapacity",
            format!("capacity provider {provider} has no Auto Scaling group to grow"),
        )),
    }
}

/// Every service of a cluster, to re-sync after capacity changes.
pub fn sync_cluster(world: &World, cluster: &str) -> Vec<Effect> {
    world
        .aws
        .services
        .keys()
        .filter(|(c, _)| c == cluster)
        .map(|(c, s)| sync(c, s))
        .collect()
}
