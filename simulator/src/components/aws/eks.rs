//! EKS: the managed control plane, managed node groups and Fargate profiles.

use crate::effect::Effect;
use crate::rng::SimRng;
use crate::time::SimTime;
use crate::world::World;

/// EKS work.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum EksTask {
    /// A cluster's control plane finished creating.
    ClusterActive {
        /// Cluster name.
        cluster: String,
    },
}

/// EKS state changes.
#[derive(Debug, Clone, PartialEq)]
pub enum EksEffect {
    /// Store a cluster.
    PutCluster(crate::ecs::eks::EksCluster),
}

/// Runs one EKS task.
pub fn step(task: &EksTask, world: &World, now: SimTime, _rng: &mut SimRng) -> Vec<Effect> {
    let _ = (task, world, now);
    Vec::new()
}
