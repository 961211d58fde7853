//! HorizontalPodAutoscaler (`autoscaling/v2`) and PodDisruptionBudget (`policy/v1`).

use super::meta::{ObjectMeta, Timestamp};
use super::selector::LabelSelector;
use super::values::{IntOrString, Quantity};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

/// Which object an HPA scales.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CrossVersionObjectReference {
    /// `apps/v1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// `Deployment`.
    pub kind: String,
    /// Name.
    pub name: String,
}

/// A metric target.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetricTarget {
    /// Utilization, Value or AverageValue.
    #[serde(rename = "type")]
    pub type_: String,
    /// Percent of requests (Utilization).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub average_utilization: Option<i64>,
    /// Per-pod value (AverageValue).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub average_value: Option<Quantity>,
    /// Total value (Value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Quantity>,
}

/// A resource metric source (`cpu`, `memory`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResourceMetricSource {
    /// `cpu` or `memory`.
    pub name: String,
    /// Target.
    pub target: MetricTarget,
}

/// One metric the HPA follows.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetricSpec {
    /// Resource, Pods, Object, External, ContainerResource.
    #[serde(rename = "type")]
    pub type_: String,
    /// For `Resource`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<ResourceMetricSource>,
    /// For `Pods` (accepted; custom metrics are not simulated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pods: Option<Json>,
    /// For `Object` (accepted; not simulated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<Json>,
    /// For `External` (accepted; not simulated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external: Option<Json>,
    /// For `ContainerResource` (accepted; not simulated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_resource: Option<Json>,
}

/// A scaling policy (`type: Pods|Percent, value, periodSeconds`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HpaScalingPolicy {
    /// `Pods` or `Percent`.
    #[serde(rename = "type")]
    pub type_: String,
    /// Amount.
    pub value: i64,
    /// Window in seconds.
    pub period_seconds: i64,
}

/// Scaling rules for one direction.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HpaScalingRules {
    /// Stabilization window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stabilization_window_seconds: Option<i64>,
    /// `Max`, `Min`, `Disabled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub select_policy: Option<String>,
    /// Policies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<HpaScalingPolicy>,
    /// Per-direction tolerance (newer API; accepted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<Quantity>,
}

/// `spec.behavior`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HpaBehavior {
    /// Scale-up rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_up: Option<HpaScalingRules>,
    /// Scale-down rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_down: Option<HpaScalingRules>,
}

/// `spec` of an HPA.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HpaSpec {
    /// What to scale.
    pub scale_target_ref: CrossVersionObjectReference,
    /// Lower bound (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_replicas: Option<i64>,
    /// Upper bound.
    pub max_replicas: i64,
    /// Metrics (default: CPU at 80 %).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<MetricSpec>,
    /// Scaling behaviour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub behavior: Option<HpaBehavior>,
}

/// `status` of an HPA.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HpaStatus {
    /// Replicas when last observed.
    #[serde(default)]
    pub current_replicas: i64,
    /// Replicas the HPA wants.
    #[serde(default)]
    pub desired_replicas: i64,
    /// When it last scaled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_scale_time: Option<Timestamp>,
    /// Current metric values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_metrics: Option<Json>,
    /// Conditions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Json>,
}

/// A HorizontalPodAutoscaler.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HorizontalPodAutoscaler {
    /// `autoscaling/v2`.
    #[serde(default)]
    pub api_version: String,
    /// `HorizontalPodAutoscaler`.
    #[serde(default)]
    pub kind: String,
    /// Metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// Desired state.
    #[serde(default)]
    pub spec: HpaSpec,
    /// Observed state.
    #[serde(default)]
    pub status: HpaStatus,
}

/// `spec` of a PodDisruptionBudget: exactly one of minAvailable / maxUnavailable.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PdbSpec {
    /// Pods that must stay available.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_available: Option<IntOrString>,
    /// Pods that may be unavailable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_unavailable: Option<IntOrString>,
    /// Pods it protects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<LabelSelector>,
    /// IfHealthyBudget or AlwaysAllow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unhealthy_pod_eviction_policy: Option<String>,
}

/// `status` of a PodDisruptionBudget.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PdbStatus {
    /// Healthy pods now.
    #[serde(default)]
    pub current_healthy: i64,
    /// Healthy pods required.
    #[serde(default)]
    pub desired_healthy: i64,
    /// Evictions allowed now.
    #[serde(default)]
    pub disruptions_allowed: i64,
    /// Pods counted.
    #[serde(default)]
    pub expected_pods: i64,
    /// Pods evicted recently (name → eviction time) that the controller has not yet seen
    /// deleted; they do not count as healthy (`status.disruptedPods`).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub disrupted_pods: std::collections::BTreeMap<String, Timestamp>,
    /// The generation the controller last computed this status for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
}

/// A PodDisruptionBudget: limits voluntary disruptions such as `kubectl drain`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PodDisruptionBudget {
    /// `policy/v1`.
    #[serde(default)]
    pub api_version: String,
    /// `PodDisruptionBudget`.
    #[serde(default)]
    pub kind: String,
    /// Metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// Desired state.
    #[serde(default)]
    pub spec: PdbSpec,
    /// Observed state.
    #[serde(default)]
    pub status: PdbStatus,
}
