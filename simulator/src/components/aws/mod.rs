//! The AWS side's components: the ECS service scheduler, the lifecycle of ECS tasks (the
//! ECS agent and Fargate), ALB target health, Application Auto Scaling, EC2 Auto Scaling
//! with ECS managed scaling, and EKS. Like every component they read the world and return
//! [`AwsEffect`]s; `simulation::aws` applies them.

pub mod capacity;
pub mod eks;
pub mod service_autoscaling;
pub mod service_scheduler;
pub mod target_health;
pub mod task_lifecycle;

use crate::cost::Billable;
use crate::ecs::autoscaling::ScalableTarget;
use crate::ecs::cluster::{AutoScalingGroup, Cluster, Instance};
use crate::ecs::load_balancer::TargetGroup;
use crate::ecs::service::Service;
use crate::ecs::vpc::Subnet;
use crate::effect::Effect;
use crate::rng::SimRng;
use crate::time::{SimDuration, SimTime};
use crate::world::World;

/// Work the AWS side schedules.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum AwsTask {
    /// The ECS service scheduler looks at one service (deduplicated while pending).
    ServiceSync {
        /// Cluster.
        cluster: String,
        /// Service.
        service: String,
    },
    /// A task's next lifecycle step is due.
    TaskStep {
        /// Task id.
        task: String,
    },
    /// A target group health-checks one target.
    TargetCheck {
        /// Target group.
        group: String,
        /// `ip:port`.
        target: String,
    },
    /// A draining target's deregistration delay ended.
    TargetDrained {
        /// Target group.
        group: String,
        /// `ip:port`.
        target: String,
    },
    /// Application Auto Scaling: publish a datapoint and evaluate a scalable target.
    ScalingTick {
        /// `service/CLUSTER/NAME`.
        resource_id: String,
    },
    /// ECS managed scaling / EC2 Auto Scaling evaluates a group, and again every minute.
    CapacityTick {
        /// Auto Scaling group.
        group: String,
    },
    /// A one-off evaluation of a group (after a task found no room).
    CapacityCheck {
        /// Auto Scaling group.
        group: String,
    },
    /// An EC2 instance finished booting; its agent registers.
    InstanceBooted {
        /// Instance id.
        instance: String,
    },
    /// EKS work.
    Eks(eks::EksTask),
}

/// A change to the AWS side's state. Components compute the new version of what they
/// change; the engine stores it.
#[derive(Debug, Clone, PartialEq)]
pub enum AwsEffect {
    /// Store a cluster.
    PutCluster(Cluster),
    /// Store a service (or remove it with its key and `None`).
    PutService((String, String), Option<Service>),
    /// Store a task.
    PutTask(crate::ecs::task::Task),
    /// Store an instance.
    PutInstance(Instance),
    /// Store an Auto Scaling group.
    PutGroup(AutoScalingGroup),
    /// Store a subnet.
    PutSubnet(Subnet),
    /// Store a target group.
    PutTargetGroup(TargetGroup),
    /// Store a scalable target.
    PutScalable(ScalableTarget),
    /// Start billing a resource.
    BillStart(String, Billable),
    /// Stop billing a resource.
    BillStop(String),
    /// EKS state changes.
    Eks(eks::EksEffect),
}

/// Wraps an AWS effect.
pub fn fx(e: AwsEffect) -> Effect {
    Effect::Aws(Box::new(e))
}

/// Schedules an AWS task.
pub fn later(after: SimDuration, task: AwsTask) -> Effect {
    Effect::Schedule {
        after,
        task: crate::effect::Task::Aws(task),
    }
}

/// Asks the service scheduler to look at a service now.
pub fn sync(cluster: &str, service: &str) -> Effect {
    later(
        SimDuration::ZERO,
        AwsTask::ServiceSync {
            cluster: cluster.to_string(),
            service: service.to_string(),
        },
    )
}

/// Runs one AWS task.
pub fn step(task: &AwsTask, world: &World, now: SimTime, rng: &mut SimRng) -> Vec<Effect> {
    match task {
        AwsTask::ServiceSync { cluster, service } => {
            service_scheduler::reconcile(world, cluster, service, now, rng)
        }
        AwsTask::TaskStep { task } => task_lifecycle::step(world, task, now, rng),
        AwsTask::TargetCheck { group, target } => target_health::check(world, group, target, now),
        AwsTask::TargetDrained { group, target } => {
            target_health::drained(world, group, target, now)
        }
        AwsTask::ScalingTick { resource_id } => service_autoscaling::tick(world, resource_id, now),
        AwsTask::CapacityTick { group } => capacity::tick(world, group, now, rng, true),
        AwsTask::CapacityCheck { group } => capacity::tick(world, group, now, rng, false),
        AwsTask::InstanceBooted { instance } => capacity::booted(world, instance, now),
        AwsTask::Eks(t) => eks::step(t, world, now, rng),
    }
}
