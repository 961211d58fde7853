//! Named starting points: a seed plus the initial world.

use crate::workspace::Workspace;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A worker node to create when the scenario starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeSpec {
    /// Node name.
    pub name: String,
    /// Allocatable CPU in millicores.
    pub cpu_millis: u64,
    /// Allocatable memory in bytes.
    pub memory_bytes: u64,
    /// Maximum pods.
    pub max_pods: u64,
    /// Extra labels (well-known ones are added by the kubelet).
    pub labels: BTreeMap<String, String>,
    /// Taints the node registers with.
    #[serde(default)]
    pub taints: Vec<crate::api::scheduling::Taint>,
}

impl NodeSpec {
    /// A 4-CPU, 8 GiB worker: a typical small cloud VM (e.g. m5.xlarge has 4 vCPU / 16 GiB).
    pub fn worker(name: &str) -> Self {
        NodeSpec {
            name: name.to_string(),
            cpu_millis: 4000,
            memory_bytes: 8 * 1024 * 1024 * 1024,
            max_pods: 110,
            labels: BTreeMap::new(),
            taints: Vec::new(),
        }
    }
}

/// A scenario: everything needed, with a journal, to rebuild a simulation exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scenario {
    /// Short name used on the command line and in URLs.
    pub name: String,
    /// One sentence for pickers and `--help`.
    pub description: String,
    /// The seed for the simulation's RNG.
    pub seed: u64,
    /// Worker nodes present at the start.
    pub workers: Vec<NodeSpec>,
    /// Project files present at the start.
    pub workspace: Workspace,
    /// The control plane is managed by the cloud (EKS): no control-plane node or static
    /// control-plane pods exist in the cluster, and CoreDNS waits for nodes.
    #[serde(default)]
    pub managed_control_plane: bool,
}

/// The scenario used when none is named.
pub const DEFAULT_SCENARIO: &str = "default";

impl Scenario {
    /// Names of the built-in scenarios, the default first.
    pub fn names() -> Vec<&'static str> {
        vec!["default", "empty", "eks"]
    }

    /// A built-in scenario by name.
    pub fn named(name: &str) -> Option<Scenario> {
        match name {
            "empty" => Some(Scenario {
                name: "empty".into(),
                description: "A control plane, the public registry with its base images, an empty \
                              private registry and your machine; no worker nodes yet."
                    .into(),
                seed: 1,
                workers: Vec::new(),
                workspace: Workspace::new(),
                managed_control_plane: false,
            }),
            "eks" => Some(Scenario {
                name: "eks".into(),
                description: "An AWS account for Amazon EKS: the default VPC, the public registry, an \
                              empty private registry and your machine. The Kubernetes control plane \
                              is managed (no control-plane node); create the cluster, node groups \
                              and Fargate profiles with `aws eks`."
                    .into(),
                seed: 1,
                workers: Vec::new(),
                workspace: Workspace::new(),
                managed_control_plane: true,
            }),
            "default" => Some(Scenario {
                name: "default".into(),
                description:
                    "The empty scenario plus three ready worker nodes (4 CPU, 8 GiB each).".into(),
                seed: 1,
                workers: ["worker-1", "worker-2", "worker-3"]
                    .map(NodeSpec::worker)
                    .to_vec(),
                workspace: Workspace::new(),
                managed_control_plane: false,
            }),
            _ => None,
        }
    }

    /// The default scenario.
    pub fn default_scenario() -> Scenario {
        // The default is in `names()`, so this lookup cannot miss.
        Scenario::named(DEFAULT_SCENARIO).unwrap_or_else(|| Scenario {
            name: DEFAULT_SCENARIO.into(),
            description: String::new(),
            seed: 1,
            workers: Vec::new(),
            workspace: Workspace::new(),
            managed_control_plane: false,
        })
    }

    /// A copy with a different seed.
    pub fn with_seed(mut self, seed: u64) -> Scenario {
        self.seed = seed;
        self
    }

    /// A copy whose starting workspace is `workspace`.
    pub fn with_workspace(mut self, workspace: Workspace) -> Scenario {
        self.workspace = workspace;
        self
    }
}
