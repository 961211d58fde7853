//! The EKS flavour of the Kubernetes simulator: a managed control plane, managed node
//! groups (EC2 Auto Scaling groups whose instances join as nodes) and Fargate profiles
//! (pods whose namespace and labels match run each on their own micro-VM node).
//!
//! The model (also told to learners in event text):
//! - The simulator has one Kubernetes API server, the one `kubectl` talks to. An EKS
//!   cluster *is* that cluster: creating it provisions the managed control plane (billed
//!   per hour) and, once `ACTIVE`, node groups and Fargate profiles may be attached.
//!   Only one EKS cluster can exist at a time for that reason. In the `eks` scenario the
//!   control plane has no node of its own, as on EKS (no kubeadm control-plane node).
//! - A managed node group is an EC2 Auto Scaling group (`GroupPurpose::EksNodeGroup`);
//!   each instance boots for [`crate::ecs::cluster::INSTANCE_BOOT`] and its kubelet then
//!   registers a Node sized from the instance type (see [`NodeShape`]).
//! - A Fargate pod gets its own Node (`fargate-ip-…`) sized to the pod's requests
//!   rounded up to a Fargate size ([`fargate_size`]), bound by the `fargate-scheduler`.
//!
//! The rules here are pure functions; `components::aws::eks` runs them.

use crate::time::{SimDuration, SimTime};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The Kubernetes minor version the simulated API server and kubelets run.
pub const KUBERNETES_VERSION: &str = "1.31";

/// How long `CreateCluster` takes to reach `ACTIVE`. EKS control-plane creation
/// typically takes about 10 minutes (the EKS user guide's "Create a cluster" page says
/// creation "takes several minutes"; 10 minutes is the commonly observed figure).
pub const CONTROL_PLANE_CREATE: SimDuration = SimDuration::from_mins(10);

/// How long `DeleteCluster` takes (a few minutes in practice; simplified to 3).
pub const CLUSTER_DELETE: SimDuration = SimDuration::from_mins(3);

/// How long a Fargate profile stays `CREATING` (or `DELETING`): typically a couple of
/// minutes.
pub const FARGATE_PROFILE_CHANGE: SimDuration = SimDuration::from_mins(2);

/// How long a Fargate micro-VM takes from the pod appearing to its node registering:
/// 30–45 s is what users report (aws/containers-roadmap#649, "Improve Fargate Node
/// Startup Time"); the simulator uses 40 s.
pub const FARGATE_PROVISION: SimDuration = SimDuration::from_secs(40);

/// Memory Fargate adds to every pod for the Kubernetes components on its micro-VM
/// (kubelet, kube-proxy, containerd): EKS user guide, "Fargate Pod configuration".
pub const FARGATE_KUBERNETES_MIB: u64 = 256;

/// The taint every Fargate node carries, so only the pod it was made for runs there.
pub const FARGATE_TAINT_KEY: &str = "eks.amazonaws.com/compute-type";

/// The scheduler name EKS's admission webhook puts on pods that match a Fargate profile.
pub const FARGATE_SCHEDULER: &str = "fargate-scheduler";

/// Label EKS puts on nodes of a managed node group (and that the kubelet's ECR
/// credential check looks for).
pub const NODEGROUP_LABEL: &str = "eks.amazonaws.com/nodegroup";

/// Label the Fargate webhook puts on a pod: which profile selected it.
pub const FARGATE_PROFILE_LABEL: &str = "eks.amazonaws.com/fargate-profile";

/// An EKS cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EksCluster {
    /// Name.
    pub name: String,
    /// Kubernetes version.
    pub version: String,
    /// `CREATING`, `ACTIVE`, `DELETING`.
    pub status: String,
    /// When it was requested.
    pub created_at: SimTime,
    /// The cluster IAM role.
    pub role_arn: String,
    /// Subnets for the control plane's network interfaces.
    pub subnets: Vec<String>,
    /// Security groups for them.
    pub security_groups: Vec<String>,
    /// 32 hex digits naming the API endpoint (`https://ID.gr7.us-east-1.eks.amazonaws.com`).
    pub endpoint_id: String,
    /// Managed node groups by name.
    pub node_groups: BTreeMap<String, NodeGroup>,
    /// Fargate profiles by name.
    pub fargate_profiles: BTreeMap<String, FargateProfile>,
    /// Pods running (or being provisioned) on Fargate, by `namespace/name`.
    pub fargate_pods: BTreeMap<String, FargatePod>,
    /// The Cluster Autoscaler's memory.
    pub autoscaler: AutoscalerState,
}

impl EksCluster {
    /// A new cluster in `CREATING`.
    pub fn new(
        name: &str,
        role_arn: &str,
        subnets: Vec<String>,
        sgs: Vec<String>,
        now: SimTime,
    ) -> Self {
        EksCluster {
            name: name.to_string(),
            version: KUBERNETES_VERSION.to_string(),
            status: "CREATING".into(),
            created_at: now,
            role_arn: role_arn.to_string(),
            subnets,
            security_groups: sgs,
            endpoint_id: hex_id(&format!("eks/{name}/{}", now.as_millis()), 32).to_uppercase(),
            node_groups: BTreeMap::new(),
            fargate_profiles: BTreeMap::new(),
            fargate_pods: BTreeMap::new(),
            autoscaler: AutoscalerState::default(),
        }
    }

    /// `arn:aws:eks:us-east-1:123456789012:cluster/NAME`.
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:eks:{}:{}:cluster/{}",
            super::REGION,
            super::ACCOUNT,
            self.name
        )
    }

    /// The API server endpoint.
    pub fn endpoint(&self) -> String {
        format!(
            "https://{}.gr7.{}.eks.amazonaws.com",
            self.endpoint_id,
            super::REGION
        )
    }

    /// The id its control-plane bill line has (unique per creation).
    pub fn bill_id(&self) -> String {
        format!("eks-cluster/{}/{}", self.name, self.created_at.as_millis())
    }

    /// The `ACTIVE` Fargate profile (and selector) that selects a pod, if any: profiles
    /// in name order, selectors in order (EKS evaluates profiles in alphabetical order).
    pub fn fargate_profile_for(
        &self,
        namespace: &str,
        labels: &BTreeMap<String, String>,
    ) -> Option<(&FargateProfile, &FargateSelector)> {
        if self.status != "ACTIVE" {
            return None;
        }
        self.fargate_profiles
            .values()
            .filter(|p| p.status == "ACTIVE")
            .find_map(|p| {
                p.selectors
                    .iter()
                    .find(|s| s.matches(namespace, labels))
                    .map(|s| (p, s))
            })
    }
}

/// A managed node group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeGroup {
    /// Name.
    pub name: String,
    /// The UUID at the end of its ARN.
    pub id: String,
    /// `CREATING`, `ACTIVE`, `DELETING`.
    pub status: String,
    /// When it was created.
    pub created_at: SimTime,
    /// When its configuration last changed.
    pub modified_at: SimTime,
    /// Instance type of every node.
    pub instance_type: String,
    /// `scalingConfig.minSize`.
    pub min_size: u32,
    /// `scalingConfig.maxSize`.
    pub max_size: u32,
    /// `scalingConfig.desiredSize` (the Cluster Autoscaler changes it too).
    pub desired_size: u32,
    /// Subnets instances launch in (balanced across their zones).
    pub subnets: Vec<String>,
    /// Kubernetes labels every node gets.
    pub labels: BTreeMap<String, String>,
    /// Kubernetes taints every node gets.
    pub taints: Vec<NodeGroupTaint>,
    /// The node IAM role.
    pub node_role: String,
    /// The EC2 Auto Scaling group behind it (`eks-NG-UUID`).
    pub asg: String,
    /// Instances that are booting, running or draining, by instance id.
    pub members: BTreeMap<String, Member>,
}

impl NodeGroup {
    /// `arn:aws:eks:…:nodegroup/CLUSTER/NAME/UUID`.
    pub fn arn(&self, cluster: &str) -> String {
        format!(
            "arn:aws:eks:{}:{}:nodegroup/{cluster}/{}/{}",
            super::REGION,
            super::ACCOUNT,
            self.name,
            self.id
        )
    }

    /// Members not being drained (what counts towards the desired size).
    pub fn live(&self) -> impl Iterator<Item = (&String, &Member)> {
        self.members
            .iter()
            .filter(|(_, m)| m.state != MemberState::Draining)
    }

    /// Kubernetes taints, as the nodes carry them.
    pub fn kube_taints(&self) -> Vec<crate::api::scheduling::Taint> {
        self.taints.iter().map(NodeGroupTaint::to_kube).collect()
    }
}

/// One instance of a node group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    /// The Node name it registers (`ip-172-31-0-4.ec2.internal`).
    pub node: String,
    /// Subnet.
    pub subnet: String,
    /// Availability zone.
    pub zone: String,
    /// Private IP.
    pub ip: String,
    /// When it was launched.
    pub launched_at: SimTime,
    /// Booting, joined, or being drained.
    pub state: MemberState,
    /// When its drain began.
    pub drain_started: Option<SimTime>,
}

/// Where a node-group instance is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum MemberState {
    /// Launched; its kubelet has not registered yet.
    Booting,
    /// Its Node is registered.
    Ready,
    /// Cordoned and drained before termination.
    Draining,
}

/// A node-group taint in the EKS API's spelling (`NO_SCHEDULE`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeGroupTaint {
    /// Key.
    pub key: String,
    /// Value (may be empty).
    pub value: String,
    /// `NO_SCHEDULE`, `NO_EXECUTE` or `PREFER_NO_SCHEDULE`.
    pub effect: String,
}

impl NodeGroupTaint {
    /// The Kubernetes effect for an EKS effect name, if valid.
    pub fn kube_effect(effect: &str) -> Option<&'static str> {
        match effect {
            "NO_SCHEDULE" => Some("NoSchedule"),
            "NO_EXECUTE" => Some("NoExecute"),
            "PREFER_NO_SCHEDULE" => Some("PreferNoSchedule"),
            _ => None,
        }
    }

    /// As a Kubernetes taint.
    pub fn to_kube(&self) -> crate::api::scheduling::Taint {
        crate::api::scheduling::Taint {
            key: self.key.clone(),
            value: self.value.clone(),
            effect: Self::kube_effect(&self.effect)
                .unwrap_or("NoSchedule")
                .to_string(),
            time_added: None,
        }
    }
}

/// A Fargate profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FargateProfile {
    /// Name.
    pub name: String,
    /// The UUID at the end of its ARN.
    pub id: String,
    /// `CREATING`, `ACTIVE`, `DELETING`.
    pub status: String,
    /// When it was created.
    pub created_at: SimTime,
    /// The pod execution role.
    pub pod_execution_role_arn: String,
    /// Subnets the pods' network interfaces go in.
    pub subnets: Vec<String>,
    /// Which pods it selects.
    pub selectors: Vec<FargateSelector>,
}

impl FargateProfile {
    /// `arn:aws:eks:…:fargateprofile/CLUSTER/NAME/UUID`.
    pub fn arn(&self, cluster: &str) -> String {
        format!(
            "arn:aws:eks:{}:{}:fargateprofile/{cluster}/{}/{}",
            super::REGION,
            super::ACCOUNT,
            self.name,
            self.id
        )
    }
}

/// A Fargate profile selector: a namespace and, optionally, labels that must all match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FargateSelector {
    /// Namespace.
    pub namespace: String,
    /// Labels the pod must carry (all of them).
    pub labels: BTreeMap<String, String>,
}

impl FargateSelector {
    /// Whether a pod in `namespace` with `labels` matches.
    pub fn matches(&self, namespace: &str, labels: &BTreeMap<String, String>) -> bool {
        self.namespace == namespace && self.labels.iter().all(|(k, v)| labels.get(k) == Some(v))
    }

    /// `namespace=web` or `namespace=web, labels app=web`.
    pub fn describe(&self) -> String {
        if self.labels.is_empty() {
            format!("namespace={}", self.namespace)
        } else {
            let l: Vec<String> = self
                .labels
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            format!("namespace={}, labels {}", self.namespace, l.join(","))
        }
    }
}

/// A pod on Fargate: its micro-VM and bill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FargatePod {
    /// The profile that selected it.
    pub profile: String,
    /// The pod's uid (bill ids must not collide when a name is reused).
    pub uid: String,
    /// The node name (`fargate-ip-172-31-0-9.ec2.internal`).
    pub node: String,
    /// Subnet of its network interface.
    pub subnet: String,
    /// Availability zone.
    pub zone: String,
    /// Its private IP.
    pub ip: String,
    /// Provisioned CPU units (1024 = 1 vCPU).
    pub cpu_units: u64,
    /// Provisioned memory, MiB.
    pub memory_mib: u64,
    /// The node registered and the pod is bound.
    pub bound: bool,
    /// The bill is running.
    pub billing: bool,
}

impl FargatePod {
    /// The id of its bill line.
    pub fn bill_id(&self) -> String {
        format!("fargate-pod/{}", self.uid)
    }
}

/// What the Cluster Autoscaler remembers between scans.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AutoscalerState {
    /// Whether its scan loop runs.
    pub running: bool,
    /// Its last scale-up (scale-down waits `scale-down-delay-after-add` after it).
    pub last_scale_up: Option<SimTime>,
    /// Nodes found unneeded, and since when.
    pub unneeded: BTreeMap<String, SimTime>,
    /// Pods already reported as not triggering a scale-up (one event each, not one per
    /// scan).
    pub reported: BTreeSet<String>,
}

/// What a node of an instance type offers Kubernetes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeShape {
    /// CPU capacity, millicores.
    pub cpu_capacity: u64,
    /// Memory capacity, MiB.
    pub memory_capacity: u64,
    /// Allocatable CPU, millicores.
    pub cpu_allocatable: u64,
    /// Allocatable memory, MiB.
    pub memory_allocatable: u64,
    /// `maxPods`.
    pub max_pods: u64,
}

/// CPU the EKS AMI reserves for Kubernetes system daemons (`kube-reserved`), in
/// millicores: 6% of the first core, 1% of the second, 0.5% of the third and fourth,
/// 0.25% of every further core (`amazon-eks-ami`, `get_cpu_millicores_to_reserve`).
pub fn cpu_reserved_millis(vcpu: u64) -> u64 {
    let total = vcpu * 1000;
    let ranges = [
        (0, 1000, 600),
        (1000, 2000, 100),
        (2000, 4000, 50),
        (4000, u64::MAX, 25),
    ];
    ranges
        .iter()
        .map(|&(start, end, pct)| {
            let span = total.min(end).saturating_sub(start);
            span * pct / 10_000
        })
        .sum()
}

/// Memory the EKS AMI reserves (`kube-reserved`): `11 MiB × maxPods + 255 MiB`
/// (`amazon-eks-ami`, `get_memory_mebibytes_to_reserve`).
pub fn memory_reserved_mib(max_pods: u64) -> u64 {
    11 * max_pods + 255
}

/// The kubelet's hard eviction threshold on the EKS AMI (`memory.available<100Mi`),
/// which allocatable also excludes.
pub const EVICTION_HARD_MIB: u64 = 100;

/// The node an instance type becomes: capacity from the type, allocatable after
/// `kube-reserved` and the eviction threshold, `maxPods` from the VPC CNI formula
/// ([`crate::cost::InstanceType::eks_max_pods`]).
pub fn node_shape(t: &crate::cost::InstanceType) -> NodeShape {
    let max_pods = t.eks_max_pods();
    let vcpu = u64::from(t.vcpu);
    NodeShape {
        cpu_capacity: vcpu * 1000,
        memory_capacity: t.memory_mib,
        cpu_allocatable: vcpu * 1000 - cpu_reserved_millis(vcpu),
        memory_allocatable: t
            .memory_mib
            .saturating_sub(memory_reserved_mib(max_pods) + EVICTION_HARD_MIB),
        max_pods,
    }
}

/// The Fargate size (CPU units, MiB) for a pod requesting `cpu_millis` and
/// `memory_bytes` (the larger of its init containers' maximum and its containers' sum):
/// 256 MiB is added for the Kubernetes components, then the result is rounded up to the
/// next valid vCPU/memory combination; no requests at all give the smallest, 0.25 vCPU
/// and 0.5 GB (EKS user guide, "Fargate Pod configuration"). `None` when nothing is big
/// enough.
pub fn fargate_size(cpu_millis: u64, memory_bytes: u64) -> Option<(u64, u64)> {
    let units = (cpu_millis * 1024).div_ceil(1000);
    let mib = memory_bytes.div_ceil(1024 * 1024) + FARGATE_KUBERNETES_MIB;
    super::fargate::round_up(units, mib)
}

/// `0.25vCPU 0.5GB`, as EKS writes it in the pod's `CapacityProvisioned` annotation.
pub fn capacity_label(cpu_units: u64, memory_mib: u64) -> String {
    format!(
        "{}vCPU {}GB",
        decimal(cpu_units, 1024),
        decimal(memory_mib, 1024)
    )
}

/// `n / d` with up to two decimals and no trailing zeros (`0.25`, `2`, `0.5`).
fn decimal(n: u64, d: u64) -> String {
    let hundredths = n * 100 / d;
    let s = format!("{}.{:02}", hundredths / 100, hundredths % 100);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The private DNS name EC2 gives an address in us-east-1 (`ip-172-31-0-4.ec2.internal`),
/// which the kubelet on EKS registers as the node name.
pub fn private_dns(ip: &str) -> String {
    format!("ip-{}.ec2.internal", ip.replace('.', "-"))
}

/// Hex digits of SHA-256 of `seed` (for ids that must not depend on the RNG).
pub fn hex_id(seed: &str, len: usize) -> String {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(seed.as_bytes());
    let hex: String = h.iter().map(|b| format!("{b:02x}")).collect();
    hex[..len.min(hex.len())].to_string()
}

/// A UUID-shaped id derived from `seed` (ARN suffixes of node groups and profiles).
pub fn uuid_from(seed: &str) -> String {
    let h = hex_id(seed, 32);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cost::instance_type;

    #[test]
    fn eks_ami_reservations() {
        // amazon-eks-ami: 2 vCPU → 70m, 4 → 80m, 8 → 90m.
        assert_eq!(cpu_reserved_millis(2), 70);
        assert_eq!(cpu_reserved_millis(4), 80);
        assert_eq!(cpu_reserved_millis(8), 90);
        let m5 = node_shape(instance_type("m5.large").unwrap());
        assert_eq!(m5.max_pods, 29);
        assert_eq!(m5.cpu_allocatable, 1930);
        // 8192 − (11 × 29 + 255) − 100 = 7518 MiB.
        assert_eq!(m5.memory_allocatable, 7518);
    }

    #[test]
    fn fargate_sizes_add_256_mib_and_round_up() {
        // No requests: the smallest size.
        assert_eq!(fargate_size(0, 0), Some((256, 512)));
        // 250m / 256Mi → 256 units, 512 MiB: exactly 0.25 vCPU / 0.5 GB.
        assert_eq!(fargate_size(250, 256 << 20), Some((256, 512)));
        // 1 vCPU / 8 GiB + 256 MiB does not fit 1 vCPU (max 8 GB): 2 vCPU / 9 GB (the
        // EKS guide's own example).
        assert_eq!(fargate_size(1000, 8 << 30), Some((2048, 9216)));
        assert_eq!(capacity_label(256, 512), "0.25vCPU 0.5GB");
        assert_eq!(capacity_label(2048, 9216), "2vCPU 9GB");
        assert_eq!(fargate_size(64_000, 0), None);
    }

    #[test]
    fn selectors_need_namespace_and_every_label() {
        let s = FargateSelector {
            namespace: "web".into(),
            labels: [("app".to_string(), "web".to_string())]
                .into_iter()
                .collect(),
        };
        let mut labels = BTreeMap::new();
        assert!(!s.matches("web", &labels));
        labels.insert("app".to_string(), "web".to_string());
        assert!(s.matches("web", &labels));
        assert!(!s.matches("default", &labels));
    }

    #[test]
    fn names_look_like_aws() {
        assert_eq!(private_dns("172.31.0.4"), "ip-172-31-0-4.ec2.internal");
        let u = uuid_from("x");
        assert_eq!(u.len(), 36);
        assert_eq!(u, uuid_from("x"));
    }
}
