//! The simulated world: the cluster, the learner's machine, registries and the workspace.
//!
//! Only the engine (`Simulation`) mutates the world, by applying effects that components
//! return as data. Everything here uses ordered maps so iteration is deterministic.

use crate::time::SimTime;
use crate::workspace::Workspace;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Everything the simulation knows at one instant.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct World {
    /// The Kubernetes cluster.
    pub cluster: Cluster,
    /// Image registries by host name.
    pub registries: BTreeMap<String, Registry>,
    /// The learner's project files.
    pub workspace: Workspace,
}

/// A Kubernetes cluster: a control-plane node plus worker nodes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cluster {
    /// Cluster name (as in a kubeconfig context).
    pub name: String,
    /// Kubernetes version every component reports.
    pub version: String,
    /// The API server URL that `kubectl cluster-info` prints.
    pub server_url: String,
    /// Namespaces and when they were created.
    pub namespaces: BTreeMap<String, SimTime>,
    /// Nodes by name, control plane included.
    pub nodes: BTreeMap<String, Node>,
    /// Pods by `namespace/name` (see [`Pod::key`]).
    pub pods: BTreeMap<String, Pod>,
}

/// What a node is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeRole {
    /// Runs the control-plane components as static pods.
    ControlPlane,
    /// Runs the learner's workloads.
    Worker,
}

/// A machine in the cluster with a kubelet, kube-proxy and a container runtime.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Node {
    /// Node name.
    pub name: String,
    /// Control plane or worker.
    pub role: NodeRole,
    /// Allocatable CPU in millicores.
    pub cpu_millis: u64,
    /// Allocatable memory in bytes.
    pub memory_bytes: u64,
    /// Maximum pods (kubelet `--max-pods`, default 110).
    pub max_pods: u64,
    /// Node labels.
    pub labels: BTreeMap<String, String>,
    /// Internal IP address.
    pub internal_ip: String,
    /// When the node registered.
    pub created_at: SimTime,
    /// Whether the kubelet is running and heartbeating.
    pub kubelet_running: bool,
    /// The last time the kubelet posted node status.
    pub last_heartbeat: SimTime,
    /// The node's Ready condition as the control plane sees it.
    pub ready: bool,
}

impl Node {
    /// The `ROLES` column of `kubectl get nodes`, from `node-role.kubernetes.io/*` labels.
    pub fn roles(&self) -> String {
        let roles: Vec<&str> = self
            .labels
            .keys()
            .filter_map(|k| k.strip_prefix("node-role.kubernetes.io/"))
            .collect();
        if roles.is_empty() {
            "<none>".to_string()
        } else {
            roles.join(",")
        }
    }
}

/// Lifecycle phase of a pod (`status.phase`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PodPhase {
    /// Accepted but not all containers running.
    Pending,
    /// Bound to a node with at least one container running.
    Running,
    /// All containers exited successfully.
    Succeeded,
    /// All containers exited, at least one failed.
    Failed,
}

impl Pod {
    /// The pod's key in [`Cluster::pods`]: `namespace/name`.
    pub fn key(&self) -> String {
        pod_key(&self.namespace, &self.name)
    }
}

/// The key of pod `name` in `namespace`.
pub fn pod_key(namespace: &str, name: &str) -> String {
    format!("{namespace}/{name}")
}

impl PodPhase {
    /// The phase as Kubernetes spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            PodPhase::Pending => "Pending",
            PodPhase::Running => "Running",
            PodPhase::Succeeded => "Succeeded",
            PodPhase::Failed => "Failed",
        }
    }
}

/// A pod: one or more containers scheduled together on one node.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pod {
    /// Namespace.
    pub namespace: String,
    /// Pod name.
    pub name: String,
    /// The node it is bound to, if scheduled.
    pub node: Option<String>,
    /// Container images, one per container.
    pub images: Vec<String>,
    /// Phase.
    pub phase: PodPhase,
    /// Ready containers.
    pub ready_containers: u32,
    /// Container restarts so far.
    pub restarts: u32,
    /// Pod IP.
    pub ip: Option<String>,
    /// Creation time.
    pub created_at: SimTime,
    /// The component this pod runs (`kube-apiserver`, `kube-proxy`), for diagrams.
    pub component: Option<String>,
}

/// Whether a registry is open to everyone or needs credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RegistryKind {
    /// Docker Hub-like: anonymous pulls.
    Public,
    /// ECR-like: pulls and pushes need a login.
    Private,
}

/// An image registry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Registry {
    /// Host name used in image references.
    pub host: String,
    /// Public or private.
    pub kind: RegistryKind,
    /// Repositories and their tags.
    pub repositories: BTreeMap<String, Vec<String>>,
}
