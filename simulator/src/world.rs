//! The simulated world: the cluster's API objects, node-local agent state, registries and
//! the learner's workspace.
//!
//! Only the engine (`Simulation`) mutates the world, by applying effects that components
//! return as data. Everything here uses ordered maps so iteration is deterministic.

use crate::apiserver::ApiServer;
use crate::time::SimTime;
use crate::workspace::Workspace;
use serde::Serialize;
use std::collections::BTreeMap;

/// Everything the simulation knows at one instant.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct World {
    /// The cluster's API objects (kube-apiserver + etcd).
    pub api: ApiServer,
    /// kube-scheduler's cache and queue state.
    pub scheduler: crate::components::scheduler::SchedulerState,
    /// What each node's agents know that is not in the API (is the kubelet alive, the
    /// next pod IP), by node name.
    pub agents: BTreeMap<String, NodeAgent>,
    /// Image registries by host name.
    pub registries: BTreeMap<String, Registry>,
    /// Cloud load balancers by Service: address and when it is (or was) ready.
    pub load_balancers: BTreeMap<crate::apiserver::ObjKey, (String, SimTime)>,
    /// The learner's project files.
    pub workspace: Workspace,
    /// The Docker daemon on the learner's machine.
    pub docker: crate::components::docker::daemon::DockerHost,
    /// The load model: traffic and usage set with `sim traffic` / `sim usage`.
    pub load: crate::load::LoadState,
    /// metrics-server's latest samples.
    pub metrics: crate::components::metrics_server::MetricsServerState,
    /// The HPA controller's in-memory state (recommendations, scale events) by HPA.
    pub hpa_controller:
        BTreeMap<crate::apiserver::ObjKey, crate::components::controller_manager::hpa::HpaMemory>,
    /// The AWS account: ECS, EC2 Auto Scaling, the VPC, load balancers, EKS.
    pub aws: crate::ecs::EcsState,
    /// What the cloud resources have cost so far, and the prices in effect.
    pub billing: crate::cost::Meter,
}

/// Node-local state of a node's kubelet and container runtime.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeAgent {
    /// Whether the kubelet process runs and heartbeats.
    pub kubelet_running: bool,
    /// The last time the kubelet posted node status.
    pub last_heartbeat: SimTime,
    /// The node's index, which fixes its pod CIDR (`10.244.<index>.0/24`).
    pub index: u32,
    /// Last host octet handed to a pod on this node.
    pub last_pod_ip: u32,
    /// Images in the node's containerd store: reference → size in bytes.
    pub images: BTreeMap<String, u64>,
    /// Layer blobs in the node's content store (shared by every image that uses them;
    /// a pull downloads only the missing ones).
    pub layers: std::collections::BTreeSet<crate::image::oci::Digest>,
    /// Download speed from registries, bytes per second.
    pub bandwidth: u64,
    /// Per-pod runtime state the kubelet keeps locally.
    pub pods: BTreeMap<crate::apiserver::ObjKey, PodRuntime>,
}

/// What a kubelet remembers about one pod between steps (not in the API).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PodRuntime {
    /// Containers being stopped (SIGTERM sent).
    pub killing: bool,
    /// Image-pull back-off, keyed by image (`ErrImagePull` → `ImagePullBackOff`).
    pub pull_backoff: crate::kubelet::backoff::Backoff,
    /// Container restart back-off, keyed by container (`CrashLoopBackOff`).
    pub restart_backoff: crate::kubelet::backoff::Backoff,
    /// How each container's process behaves (`sim pod crash|unready|heal`) and the
    /// probe workers' consecutive results.
    pub health: crate::components::kubelet::probes::Health,
}

impl Default for PodRuntime {
    fn default() -> Self {
        PodRuntime {
            killing: false,
            pull_backoff: crate::kubelet::backoff::Backoff::kubelet_image_pull(),
            restart_backoff: crate::kubelet::backoff::Backoff::kubelet_container(),
            health: Default::default(),
        }
    }
}

impl NodeAgent {
    /// The pod CIDR of this node.
    pub fn pod_cidr(&self) -> String {
        format!("10.244.{}.0/24", self.index)
    }
}

pub use crate::components::docker::registry::{Registry, RegistryKind};
