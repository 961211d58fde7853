//! Scheduling constraints in the API: taints, tolerations, node affinity, in their wire
//! form (strings, as written in manifests). `crate::kube` holds the parsed domain types
//! and the matching rules; [`Taint::to_domain`] and [`Toleration::to_domain`] convert.

pub use crate::kube::node_affinity::{
    NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, PreferredSchedulingTerm,
};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

/// A taint on a node: repels pods that do not tolerate it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Taint {
    /// Taint key.
    pub key: String,
    /// Taint value (may be empty).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub value: String,
    /// NoSchedule, PreferNoSchedule or NoExecute.
    pub effect: String,
    /// When a NoExecute taint was added (set by the API server).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_added: Option<super::meta::Timestamp>,
}

impl std::fmt::Display for Taint {
    /// `key=value:Effect`, or `key:Effect` without a value, as kubectl prints taints.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.value.is_empty() {
            write!(f, "{}:{}", self.key, self.effect)
        } else {
            write!(f, "{}={}:{}", self.key, self.value, self.effect)
        }
    }
}

/// A toleration on a pod: allows (not requires) scheduling onto matching taints.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Toleration {
    /// Taint key to match; empty with `Exists` matches every taint.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub key: String,
    /// `Equal` (default) or `Exists`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub operator: String,
    /// Value to match with `Equal`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub value: String,
    /// Effect to match; empty matches all effects.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub effect: String,
    /// For NoExecute: how long the pod may stay after the taint appears.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toleration_seconds: Option<i64>,
}

/// `affinity` of a pod.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Affinity {
    /// Rules about node labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_affinity: Option<NodeAffinity>,
    /// Co-location with other pods (accepted; not simulated yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_affinity: Option<Json>,
    /// Separation from other pods (accepted; not simulated yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_anti_affinity: Option<Json>,
}

/// Node affinity: hard and soft rules over node labels.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NodeAffinity {
    /// Hard rule: the node must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_during_scheduling_ignored_during_execution: Option<NodeSelector>,
    /// Soft rules: matching nodes score higher by the term's weight.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub preferred_during_scheduling_ignored_during_execution: Vec<PreferredSchedulingTerm>,
}

impl Taint {
    /// The parsed form the scheduler and taint manager use; `None` for an effect the API
    /// would have rejected.
    pub fn to_domain(&self) -> Option<crate::kube::taint::Taint> {
        let effect = crate::kube::taint::TaintEffect::parse(&self.effect).ok()?;
        Some(crate::kube::taint::Taint::new(
            &self.key,
            &self.value,
            effect,
        ))
    }
}

impl Toleration {
    /// The parsed form the scheduler and taint manager use.
    pub fn to_domain(&self) -> crate::kube::taint::Toleration {
        let effect = if self.effect.is_empty() {
            None
        } else {
            crate::kube::taint::TaintEffect::parse(&self.effect).ok()
        };
        crate::kube::taint::Toleration {
            key: self.key.clone(),
            operator: crate::kube::taint::TolerationOperator::parse(&self.operator),
            value: self.value.clone(),
            effect,
            toleration_seconds: self.toleration_seconds,
        }
    }
}

impl NodeAffinity {
    /// The parsed form the NodeAffinity plugin uses.
    pub fn to_domain(&self) -> crate::kube::node_affinity::NodeAffinity {
        crate::kube::node_affinity::NodeAffinity {
            required: self
                .required_during_scheduling_ignored_during_execution
                .clone(),
            preferred: self
                .preferred_during_scheduling_ignored_during_execution
                .clone(),
        }
    }
}
