//! The scheduling framework's shared vocabulary (`pkg/scheduler/framework/interface.go`,
//! `types.go`, `plugins/helper/normalize_score.go`, `apis/config/v1/default_plugins.go`,
//! `schedule_one.go FitError`).

use crate::kube::node_affinity::NodeAffinity;
use crate::kube::resources::{PodResources, Resource, ResourceList};
use crate::kube::taint::{Taint, Toleration};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// `framework.MaxNodeScore`.
pub const MAX_NODE_SCORE: i64 = 100;
/// `framework.MinNodeScore`.
pub const MIN_NODE_SCORE: i64 = 0;

/// A plugin result code (`framework.Code`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Code {
    /// The plugin ran and the node passes.
    Success,
    /// An internal error.
    Error,
    /// The node does not fit now; preemption might help.
    Unschedulable,
    /// The node does not fit and preemption cannot help.
    UnschedulableAndUnresolvable,
    /// (Permit) wait.
    Wait,
    /// The plugin does not apply to this pod (PreFilter/PreScore).
    Skip,
    /// (PreEnqueue and friends) pending.
    Pending,
}

impl Code {
    /// Upstream's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Success => "Success",
            Code::Error => "Error",
            Code::Unschedulable => "Unschedulable",
            Code::UnschedulableAndUnresolvable => "UnschedulableAndUnresolvable",
            Code::Wait => "Wait",
            Code::Skip => "Skip",
            Code::Pending => "Pending",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A plugin's verdict (`framework.Status`): a code and the reasons to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// The code.
    pub code: Code,
    /// Reasons, in order (`Status.Reasons()`).
    pub reasons: Vec<String>,
    /// The plugin that produced it (empty for success).
    pub plugin: String,
}

impl Status {
    /// Success.
    pub fn success() -> Status {
        Status {
            code: Code::Success,
            reasons: Vec::new(),
            plugin: String::new(),
        }
    }

    /// A status with reasons.
    pub fn new(code: Code, plugin: &str, reasons: Vec<String>) -> Status {
        Status {
            code,
            reasons,
            plugin: plugin.to_string(),
        }
    }

    /// `Status.IsSuccess()` (a nil status is success too).
    pub fn is_success(&self) -> bool {
        self.code == Code::Success
    }

    /// `Status.Message()`: the reasons joined with `, `.
    pub fn message(&self) -> String {
        self.reasons.join(", ")
    }
}

/// One image present on a node (`framework.ImageStateSummary`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageState {
    /// Size in bytes.
    pub size: i64,
    /// On how many nodes of the cluster the image is present.
    pub num_nodes: i64,
}

/// A node's name, shared: the scheduler cache and every cycle record that mentions the
/// node point at one allocation, so recording a cycle's per-node verdicts copies no text.
/// Serialises as a plain string.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeName(Arc<str>);

impl NodeName {
    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for NodeName {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for NodeName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for NodeName {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for NodeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for NodeName {
    fn from(s: &str) -> Self {
        NodeName(Arc::from(s))
    }
}

impl From<String> for NodeName {
    fn from(s: String) -> Self {
        NodeName(Arc::from(s))
    }
}

impl From<&String> for NodeName {
    fn from(s: &String) -> Self {
        NodeName(Arc::from(s.as_str()))
    }
}

impl From<NodeName> for String {
    fn from(n: NodeName) -> Self {
        n.0.to_string()
    }
}

impl PartialEq<str> for NodeName {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for NodeName {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for NodeName {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<NodeName> for String {
    fn eq(&self, other: &NodeName) -> bool {
        **self == *other.0
    }
}

impl PartialEq<NodeName> for &str {
    fn eq(&self, other: &NodeName) -> bool {
        **self == *other.0
    }
}

impl Serialize for NodeName {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for NodeName {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(NodeName::from)
    }
}

/// What the scheduler knows about a node (`framework.NodeInfo`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeInfo {
    /// Node name.
    pub name: NodeName,
    /// Node labels.
    pub labels: BTreeMap<String, String>,
    /// `spec.taints`.
    pub taints: Vec<Taint>,
    /// `spec.unschedulable` (cordoned).
    pub unschedulable: bool,
    /// `status.allocatable` (pods in `allowed_pod_number`).
    pub allocatable: Resource,
    /// Σ requests of the pods on the node (incl. assumed pods).
    pub requested: Resource,
    /// Σ non-zero requests (100m / 200Mi for containers without cpu/memory requests).
    pub non_zero_requested: Resource,
    /// How many pods are on the node.
    pub pod_count: i64,
    /// Images present on the node, by normalised name (`repo:tag`).
    pub images: BTreeMap<String, ImageState>,
}

/// What the scheduler looks at in a pod.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodInfo {
    /// Pod name.
    pub name: String,
    /// Containers, init containers and overhead.
    pub resources: PodResources,
    /// `spec.tolerations`.
    pub tolerations: Vec<Toleration>,
    /// `spec.nodeSelector`.
    pub node_selector: BTreeMap<String, String>,
    /// `spec.affinity.nodeAffinity`.
    pub node_affinity: NodeAffinity,
    /// `spec.nodeName` (empty if unset).
    pub node_name: String,
    /// Images of `spec.initContainers`.
    pub init_images: Vec<String>,
    /// Images of `spec.containers`.
    pub images: Vec<String>,
}

impl NodeInfo {
    /// `NodeInfo.AddPod`: count a pod bound (or assumed) here, given what
    /// [`PodInfo::node_requests`] says it uses.
    pub fn add_pod_requests(&mut self, requests: &ResourceList, non_zero: &ResourceList) {
        self.requested.add_list(requests);
        self.non_zero_requested.add_list(non_zero);
        self.pod_count += 1;
    }

    /// `NodeInfo.RemovePod`: take back what [`NodeInfo::add_pod_requests`] added.
    pub fn remove_pod_requests(&mut self, requests: &ResourceList, non_zero: &ResourceList) {
        let neg =
            |l: &ResourceList| ResourceList(l.0.iter().map(|(k, v)| (k.clone(), -v)).collect());
        self.requested.add_list(&neg(requests));
        self.non_zero_requested.add_list(&neg(non_zero));
        self.pod_count -= 1;
    }
}

impl PodInfo {
    /// What the pod adds to its node's totals: its requests and its non-zero requests
    /// (`schedutil.GetNonzeroRequests`, used by scoring).
    pub fn node_requests(&self) -> (ResourceList, ResourceList) {
        (
            self.resources.requests(None),
            self.resources.non_zero_requests(),
        )
    }
}

/// `helper.DefaultNormalizeScore(maxPriority, reverse, scores)`: scale to
/// `maxPriority * s / max` (integer division), or `maxPriority - that` if `reverse`. When
/// every score is 0 the scores stay 0, or all become `maxPriority` if `reverse`.
pub fn default_normalize_score(max_priority: i64, reverse: bool, scores: &mut [i64]) {
    let max = scores.iter().copied().max().unwrap_or(0);
    if max == 0 {
        if reverse {
            scores.iter_mut().for_each(|s| *s = max_priority);
        }
        return;
    }
    for s in scores.iter_mut() {
        *s = max_priority * *s / max;
        if reverse {
            *s = max_priority - *s;
        }
    }
}

/// The default score plugins and their weights (`default_plugins.go`).
pub const DEFAULT_SCORE_WEIGHTS: &[(&str, i64)] = &[
    ("TaintToleration", 3),
    ("NodeAffinity", 2),
    ("NodeResourcesFit", 1),
    ("PodTopologySpread", 2),
    ("InterPodAffinity", 2),
    ("NodeResourcesBalancedAllocation", 1),
    ("ImageLocality", 1),
];

/// The weight of a default score plugin (0 if it is not one).
pub fn default_weight(plugin: &str) -> i64 {
    DEFAULT_SCORE_WEIGHTS
        .iter()
        .find(|(n, _)| *n == plugin)
        .map_or(0, |(_, w)| *w)
}

/// The default multi-point plugin order (`default_plugins.go`, DRA off).
pub const DEFAULT_PLUGINS: &[&str] = &[
    "SchedulingGates",
    "PrioritySort",
    "NodeUnschedulable",
    "NodeName",
    "TaintToleration",
    "NodeAffinity",
    "NodePorts",
    "NodeResourcesFit",
    "VolumeRestrictions",
    "NodeVolumeLimits",
    "VolumeBinding",
    "VolumeZone",
    "PodTopologySpread",
    "InterPodAffinity",
    "DefaultPreemption",
    "NodeResourcesBalancedAllocation",
    "ImageLocality",
    "DefaultBinder",
];

/// `FitError.Error()` without the preemption suffix: `0/N nodes are available: ` then the
/// reason histogram — each reason of each failed node counted, formatted `"<count>
/// <reason>"`, those strings sorted, joined with `, ` — then `.`.
pub fn fit_error_message<'a>(
    num_all_nodes: usize,
    statuses: impl IntoIterator<Item = &'a Status>,
) -> String {
    let mut histogram: BTreeMap<&str, usize> = BTreeMap::new();
    for st in statuses {
        for r in &st.reasons {
            *histogram.entry(r.as_str()).or_insert(0) += 1;
        }
    }
    let mut parts: Vec<String> = histogram
        .iter()
        .map(|(reason, n)| format!("{n} {reason}"))
        .collect();
    parts.sort();
    let mut msg = format!("0/{num_all_nodes} nodes are available:");
    if !parts.is_empty() {
        msg.push_str(&format!(" {}.", parts.join(", ")));
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(max: i64, reverse: bool, s: &[i64]) -> Vec<i64> {
        let mut v = s.to_vec();
        default_normalize_score(max, reverse, &mut v);
        v
    }

    #[test]
    fn normalize_upstream_table() {
        assert_eq!(norm(100, false, &[1, 2, 3, 4]), vec![25, 50, 75, 100]);
        assert_eq!(norm(100, true, &[1, 2, 3, 4]), vec![75, 50, 25, 0]);
        assert_eq!(norm(100, false, &[1000, 10, 20, 30]), vec![100, 1, 2, 3]);
        assert_eq!(norm(100, true, &[1000, 10, 20, 30]), vec![0, 99, 98, 97]);
        assert_eq!(norm(100, false, &[1, 1, 1, 1]), vec![100, 100, 100, 100]);
        assert_eq!(norm(100, true, &[1, 1, 1, 1]), vec![0, 0, 0, 0]);
        assert_eq!(norm(100, false, &[0, 1, 1, 1]), vec![0, 100, 100, 100]);
        assert_eq!(norm(100, true, &[0, 1, 1, 1]), vec![100, 0, 0, 0]);
        assert_eq!(norm(100, false, &[0, 0, 0, 0]), vec![0, 0, 0, 0]);
        assert_eq!(norm(100, true, &[0, 0, 0, 0]), vec![100, 100, 100, 100]);
        assert_eq!(norm(10, false, &[3, 7]), vec![4, 10]);
        assert_eq!(norm(100, true, &[]), Vec::<i64>::new());
    }

    #[test]
    fn fit_error_histogram() {
        let taint = Status::new(
            Code::UnschedulableAndUnresolvable,
            "TaintToleration",
            vec!["node(s) had untolerated taint(s)".into()],
        );
        let cpu = Status::new(
            Code::Unschedulable,
            "NodeResourcesFit",
            vec!["Insufficient cpu".into()],
        );
        assert_eq!(
            fit_error_message(3, [&taint, &cpu, &cpu]),
            "0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 Insufficient cpu."
        );
        let both = Status::new(
            Code::Unschedulable,
            "NodeResourcesFit",
            vec!["Insufficient cpu".into(), "Insufficient memory".into()],
        );
        assert_eq!(
            fit_error_message(3, [&both, &both, &both]),
            "0/3 nodes are available: 3 Insufficient cpu, 3 Insufficient memory."
        );
        assert_eq!(fit_error_message(0, []), "0/0 nodes are available:");
    }

    #[test]
    fn weights() {
        assert_eq!(default_weight("TaintToleration"), 3);
        assert_eq!(default_weight("ImageLocality"), 1);
        assert_eq!(default_weight("Nope"), 0);
        let total: i64 = DEFAULT_SCORE_WEIGHTS.iter().map(|(_, w)| w).sum();
        assert_eq!(total * MAX_NODE_SCORE, 1200);
    }
}
