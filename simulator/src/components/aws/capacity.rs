//! EC2 capacity for ECS: an Auto Scaling group keeps `desiredCapacity` instances, and a
//! capacity provider with managed scaling sets that number from the
//! `CapacityProviderReservation` metric (ECS developer guide, "cluster auto scaling"):
//!
//! `reservation = M / N × 100`, where `N` is the instances in the group and `M` the
//! instances needed to run every task, including tasks waiting for capacity. The
//! provider keeps `reservation` at its target capacity, so the group's desired size is
//! `ceil(M × 100 / target)`: up at once when tasks are waiting, down only after 15 minutes
//! of excess (like its CloudWatch low alarm), and never below the group's minimum.
//!
//! Instances boot for [`INSTANCE_BOOT`] before their ECS agent registers them with the
//! cluster, and are billed by the second (one-minute minimum) from launch to termination.

use super::{AwsEffect, AwsTask, fx, later};
use crate::cost::{Billable, Category};
use crate::ecs::cluster::{
    GroupPurpose, INSTANCE_BOOT, Instance, InstanceState, registered_memory,
};
use crate::ecs::task::TaskStatus;
use crate::ecs::vpc::format_ip;
use crate::effect::Effect;
use crate::event::{Component, EventDraft, ObjectRef, Source};
use crate::rng::SimRng;
use crate::time::{SimDuration, SimTime};
use crate::world::World;
use std::collections::BTreeMap;

/// How often managed scaling looks at the metric.
pub const TICK: SimDuration = SimDuration::from_secs(60);
/// Consecutive low evaluations before scaling in.
pub const SCALE_IN_TICKS: u32 = 15;

fn group_event(group: &str, kind: &str, msg: String) -> Effect {
    Effect::Emit(EventDraft::new(
        Source::of(Component::Ec2AutoScaling),
        ObjectRef::new("autoscaling-group", group),
        kind,
        msg,
    ))
}

/// Instances needed (`M`) for the tasks of the services using `provider`, with the
/// arithmetic as a sentence.
fn instances_needed(world: &World, provider: &str, live: &[&Instance]) -> (u32, String) {
    let Some(shape) = live
        .first()
        .map(|i| (i.cpu_units, i.memory_mib, i.task_eni_slots()))
        .or_else(|| {
            let g = world
                .aws
                .capacity_providers
                .get(provider)?
                .auto_scaling_group
                .as_ref()?;
            let t =
                crate::cost::instance_type(&world.aws.auto_scaling_groups.get(g)?.instance_type)?;
            Some((
                u64::from(t.vcpu) * 1024,
                registered_memory(t.memory_mib),
                t.max_enis.saturating_sub(1),
            ))
        })
    else {
        return (0, "no instance type".into());
    };
    let used = live.iter().filter(|i| !i.tasks.is_empty()).count() as u32;
    // Free room on instances (booting ones count as empty).
    let mut free: Vec<(u64, u64, u32)> = live
        .iter()
        .map(|i| {
            let (mut c, mut m, mut e) = (0u64, 0u64, 0u32);
            for t in i.tasks.iter().filter_map(|t| world.aws.tasks.get(t)) {
                if t.last_status != TaskStatus::Stopped {
                    c += t.cpu_units;
                    m += t.memory_mib;
                    e += u32::from(t.subnet.is_some());
                }
            }
            (
                i.cpu_units.saturating_sub(c),
                i.memory_mib.saturating_sub(m),
                i.task_eni_slots().saturating_sub(e),
            )
        })
        .collect();
    let mut waiting: Vec<(u64, u64, bool)> = Vec::new();
    for svc in world.aws.services.values() {
        if svc.status != "ACTIVE"
            || super::service_scheduler::capacity_provider(world, svc) != provider
        {
            continue;
        }
        let live_tasks = world
            .aws
            .live_tasks(&svc.cluster, &svc.name)
            .filter(|t| t.desired_running)
            .count() as u32;
        if let Some(def) = world.aws.task_definition(&svc.task_definition) {
            for _ in live_tasks..svc.desired_count {
                waiting.push((
                    def.cpu_units,
                    def.memory_mib,
                    def.network_mode() == "awsvpc",
                ));
            }
        }
    }
    let mut new_instances: Vec<(u64, u64, u32)> = Vec::new();
    let mut newly_used_existing = 0u32;
    for (c, m, eni) in &waiting {
        let fits = |f: &(u64, u64, u32)| f.0 >= *c && f.1 >= *m && (!eni || f.2 > 0);
        if let Some(pos) = free.iter().position(fits) {
            let f = &mut free[pos];
            let was_empty =
                live.get(pos).is_some_and(|i| i.tasks.is_empty()) && f.0 == live[pos].cpu_units;
            f.0 -= c;
            f.1 -= m;
            f.2 -= u32::from(*eni);
            if was_empty {
                newly_used_existing += 1;
            }
        } else if let Some(f) = new_instances.iter_mut().find(|f| fits(f)) {
            f.0 -= c;
            f.1 -= m;
            f.2 -= u32::from(*eni);
        } else {
            let mut f = (shape.0, shape.1, shape.2);
            if fits(&f) {
                f.0 -= c;
                f.1 -= m;
                f.2 -= u32::from(*eni);
                new_instances.push(f);
            }
        }
    }
    let m = used + newly_used_existing + new_instances.len() as u32;
    (
        m,
        format!(
            "{used} instance(s) run tasks, {} task(s) wait for capacity needing {} more: M = {m}",
            waiting.len(),
            newly_used_existing + new_instances.len() as u32
        ),
    )
}

/// Evaluates a group: managed scaling (if a capacity provider manages it), then launch or
/// terminate instances to match the desired capacity.
pub fn tick(
    world: &World,
    group: &str,
    now: SimTime,
    rng: &mut SimRng,
    periodic: bool,
) -> Vec<Effect> {
    let Some(g) = world.aws.auto_scaling_groups.get(group) else {
        return Vec::new();
    };
    if g.purpose != GroupPurpose::Ecs {
        return Vec::new();
    }
    let mut g = g.clone();
    let mut out = Vec::new();
    let live: Vec<&Instance> = g
        .instances
        .iter()
        .filter_map(|i| world.aws.instances.get(i))
        .filter(|i| i.state != InstanceState::Terminated)
        .collect();
    let n = live.len() as u32;
    let provider = world
        .aws
        .capacity_providers
        .values()
        .find(|p| p.auto_scaling_group.as_deref() == Some(group));
    if let Some((cp, target)) = provider.and_then(|p| p.managed_scaling.map(|t| (p, t))) {
        let (m, why) = instances_needed(world, &cp.name, &live);
        let want = (u64::from(m) * 100)
            .div_ceil(u64::from(target.max(1)))
            .clamp(u64::from(g.min_size), u64::from(g.max_size)) as u32;
        // With no instances the metric is 100 when nothing is needed and 200 otherwise
        // (the ECS guide's special cases for N = 0).
        let reservation = (m * 100)
            .checked_div(n)
            .unwrap_or(if m == 0 { 100 } else { 200 });
        if want > g.desired_capacity {
            out.push(group_event(
                group,
                "ManagedScaling",
                format!(
                    "capacity provider {}: CapacityProviderReservation = M/N × 100 = {m}/{n} × 100 = {reservation}% > target {target}% ({why}): desired capacity {} → {want}",
                    cp.name, g.desired_capacity
                ),
            ));
            g.desired_capacity = want;
            g.low_ticks = 0;
        } else if want < g.desired_capacity {
            if periodic {
                g.low_ticks += 1;
            }
            if g.low_ticks >= SCALE_IN_TICKS {
                out.push(group_event(
                    group,
                    "ManagedScaling",
                    format!(
                        "capacity provider {}: CapacityProviderReservation {reservation}% below target {target}% for {SCALE_IN_TICKS} minutes ({why}): desired capacity {} → {want}",
                        cp.name, g.desired_capacity
                    ),
                ));
                g.desired_capacity = want;
                g.low_ticks = 0;
            }
        } else {
            g.low_ticks = 0;
        }
    }
    // Match the instance count to the desired capacity.
    if n < g.desired_capacity {
        for k in 0..(g.desired_capacity - n) {
            match launch(world, &g, (g.instances.len() as u32 + k) as usize, now, rng) {
                Ok((inst, effects)) => {
                    out.push(group_event(
                        group,
                        "Launching",
                        format!(
                            "Launching a new EC2 instance: {} ({} in {}). Cause: the desired capacity is {} and the group has {}.",
                            inst.id, inst.instance_type, inst.zone, g.desired_capacity, n + k
                        ),
                    ));
                    g.instances.push(inst.id.clone());
                    out.extend(effects);
                }
                Err(msg) => {
                    out.push(group_event(group, "LaunchFailed", msg));
                    break;
                }
            }
        }
    } else if n > g.desired_capacity {
        // Scale in from empty instances only (managed termination protection keeps
        // instances with tasks), newest first.
        let mut excess = n - g.desired_capacity;
        for i in live.iter().rev() {
            if excess == 0 {
                break;
            }
            if i.tasks.is_empty() {
                out.extend(terminate(world, i, now));
                out.push(group_event(
                    group,
                    "Terminating",
                    format!(
                        "Terminating EC2 instance: {}. Cause: the desired capacity is {} and the instance runs no tasks.",
                        i.id, g.desired_capacity
                    ),
                ));
                excess -= 1;
            }
        }
    }
    if periodic {
        out.push(later(
            TICK,
            AwsTask::CapacityTick {
                group: group.to_string(),
            },
        ));
    }
    out.insert(0, fx(AwsEffect::PutGroup(g)));
    out
}

/// Launches one instance of a group: an address in the next subnet, billing, and its
/// boot timer.
pub fn launch(
    world: &World,
    g: &crate::ecs::cluster::AutoScalingGroup,
    index: usize,
    now: SimTime,
    rng: &mut SimRng,
) -> Result<(Instance, Vec<Effect>), String> {
    let subnets = if g.subnets.is_empty() {
        world.aws.vpc.default_subnets()
    } else {
        g.subnets.clone()
    };
    let Some(kind) = crate::cost::instance_type(&g.instance_type) else {
        return Err(format!("unknown instance type {}", g.instance_type));
    };
    let subnet_id = &subnets[index % subnets.len().max(1)];
    let Some(subnet) = world.aws.vpc.subnets.get(subnet_id) else {
        return Err(format!("subnet {subnet_id} does not exist"));
    };
    let Some(ip) = subnet.next_free() else {
        return Err(format!(
            "Launching a new EC2 instance. Status Reason: There are not enough free addresses in subnet '{subnet_id}' to satisfy the requested number of instances. Launching EC2 instance failed."
        ));
    };
    let id = format!("i-0{}", &rng.uuid().replace('-', "")[..16]);
    let mut subnet = subnet.clone();
    subnet.used.insert(ip, id.clone());
    let inst = Instance {
        id: id.clone(),
        instance_type: g.instance_type.clone(),
        group: g.name.clone(),
        subnet: subnet.id.clone(),
        zone: subnet.zone.clone(),
        private_ip: format_ip(ip),
        state: InstanceState::Pending,
        launched_at: now,
        cpu_units: u64::from(kind.vcpu) * 1024,
        memory_mib: registered_memory(kind.memory_mib),
        tasks: Vec::new(),
        ports: Vec::new(),
        attributes: BTreeMap::new(),
        images: Vec::new(),
    };
    let effects = vec![
        fx(AwsEffect::PutSubnet(subnet)),
        fx(AwsEffect::PutInstance(inst.clone())),
        bill_instance(
            world,
            &id,
            &g.instance_type,
            format!("EC2 instance {id} ({})", g.instance_type),
            now,
        ),
        later(INSTANCE_BOOT, AwsTask::InstanceBooted { instance: id }),
    ];
    Ok((inst, effects))
}

/// Starts billing an EC2 instance at its type's hourly price (per second, one-minute
/// minimum), from launch.
pub fn bill_instance(
    world: &World,
    id: &str,
    instance_type: &str,
    description: String,
    now: SimTime,
) -> Effect {
    fx(AwsEffect::BillStart(
        id.to_string(),
        Billable {
            category: Category::Ec2,
            description,
            rate: world.billing.prices.ec2(instance_type).unwrap_or(0),
            start: now,
            end: None,
            minimum: SimDuration::from_secs(60),
        },
    ))
}

/// Marks an instance terminated, frees its address and stops its bill (ECS container
/// instances and EKS nodes alike).
pub fn release(world: &World, i: &Instance) -> Vec<Effect> {
    let mut out = Vec::new();
    if let (Some(subnet), Some(ip)) = (
        world.aws.vpc.subnets.get(&i.subnet),
        crate::ecs::vpc::parse_ip(&i.private_ip),
    ) {
        let mut subnet = subnet.clone();
        subnet.used.remove(&ip);
        out.push(fx(AwsEffect::PutSubnet(subnet)));
    }
    out.push(fx(AwsEffect::BillStop(i.id.clone())));
    let mut inst = i.clone();
    inst.state = InstanceState::Terminated;
    out.push(fx(AwsEffect::PutInstance(inst)));
    out
}

/// Terminates an ECS container instance: releases it and deregisters it from clusters.
pub fn terminate(world: &World, i: &Instance, now: SimTime) -> Vec<Effect> {
    let mut out = release(world, i);
    for c in world.aws.clusters.values() {
        if c.container_instances.contains(&i.id) {
            let mut c = c.clone();
            c.container_instances.retain(|x| x != &i.id);
            out.push(fx(AwsEffect::PutCluster(c)));
        }
    }
    let _ = now;
    out
}

/// An instance finished booting: its ECS agent registers it with the clusters using its
/// group's capacity provider.
pub fn booted(world: &World, instance: &str, _now: SimTime) -> Vec<Effect> {
    let Some(i) = world.aws.instances.get(instance) else {
        return Vec::new();
    };
    if i.state != InstanceState::Pending {
        return Vec::new();
    }
    let mut inst = i.clone();
    inst.state = InstanceState::Running;
    let mut out = vec![fx(AwsEffect::PutInstance(inst.clone()))];
    let providers: Vec<&str> = world
        .aws
        .capacity_providers
        .values()
        .filter(|p| p.auto_scaling_group.as_deref() == Some(&i.group))
        .map(|p| p.name.as_str())
        .collect();
    for c in world.aws.clusters.values() {
        if !c
            .capacity_providers
            .iter()
            .any(|p| providers.contains(&p.as_str()))
        {
            continue;
        }
        let mut c = c.clone();
        if !c.container_instances.contains(&i.id) {
            c.container_instances.push(i.id.clone());
        }
        out.push(Effect::Emit(EventDraft::new(
            Source::on(Component::EcsAgent, i.id.clone()),
            ObjectRef::new("container-instance", i.id.clone()),
            "ContainerInstanceRegistered",
            format!(
                "the ECS agent on {} registered it with cluster {} ({} CPU units, {} MiB; {} free ENIs for awsvpc tasks)",
                i.id,
                c.name,
                i.cpu_units,
                i.memory_mib,
                i.task_eni_slots()
            ),
        )));
        out.extend(super::service_scheduler::sync_cluster(world, &c.name));
        out.push(fx(AwsEffect::PutCluster(c)));
    }
    out
}
