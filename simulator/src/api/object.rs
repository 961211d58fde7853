//! Every kind the simulated API server serves, as one enum, plus the kind table kubectl
//! uses to resolve names like `deploy`, `po`, `hpa`.

use super::config::{ConfigMap, Namespace, Secret};
use super::meta::ObjectMeta;
use super::node::Node;
use super::pod::Pod;
use super::policy::{HorizontalPodAutoscaler, PodDisruptionBudget};
use super::service::{EndpointSlice, Service};
use super::workloads::{Deployment, ReplicaSet};
use serde::Serialize;

/// Static facts about a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindInfo {
    /// `Deployment`.
    pub kind: &'static str,
    /// `apps/v1`.
    pub api_version: &'static str,
    /// `deployments`.
    pub plural: &'static str,
    /// `deployment`.
    pub singular: &'static str,
    /// Short names (`deploy`).
    pub short: &'static [&'static str],
    /// Namespaced or cluster-scoped.
    pub namespaced: bool,
    /// The API group for `kubectl`'s `deployments.apps` form (empty for core).
    pub group: &'static str,
}

impl KindInfo {
    /// `deployments.apps` or `pods`, as kubectl names a resource in messages.
    pub fn resource(&self) -> String {
        if self.group.is_empty() {
            self.plural.to_string()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }
}

/// The kinds this simulator serves (`kubectl api-resources`, trimmed).
pub const KINDS: &[KindInfo] = &[
    KindInfo {
        kind: "Namespace",
        api_version: "v1",
        plural: "namespaces",
        singular: "namespace",
        short: &["ns"],
        namespaced: false,
        group: "",
    },
    KindInfo {
        kind: "Node",
        api_version: "v1",
        plural: "nodes",
        singular: "node",
        short: &["no"],
        namespaced: false,
        group: "",
    },
    KindInfo {
        kind: "Pod",
        api_version: "v1",
        plural: "pods",
        singular: "pod",
        short: &["po"],
        namespaced: true,
        group: "",
    },
    KindInfo {
        kind: "Service",
        api_version: "v1",
        plural: "services",
        singular: "service",
        short: &["svc"],
        namespaced: true,
        group: "",
    },
    KindInfo {
        kind: "ConfigMap",
        api_version: "v1",
        plural: "configmaps",
        singular: "configmap",
        short: &["cm"],
        namespaced: true,
        group: "",
    },
    KindInfo {
        kind: "Secret",
        api_version: "v1",
        plural: "secrets",
        singular: "secret",
        short: &[],
        namespaced: true,
        group: "",
    },
    KindInfo {
        kind: "Deployment",
        api_version: "apps/v1",
        plural: "deployments",
        singular: "deployment",
        short: &["deploy"],
        namespaced: true,
        group: "apps",
    },
    KindInfo {
        kind: "ReplicaSet",
        api_version: "apps/v1",
        plural: "replicasets",
        singular: "replicaset",
        short: &["rs"],
        namespaced: true,
        group: "apps",
    },
    KindInfo {
        kind: "EndpointSlice",
        api_version: "discovery.k8s.io/v1",
        plural: "endpointslices",
        singular: "endpointslice",
        short: &[],
        namespaced: true,
        group: "discovery.k8s.io",
    },
    KindInfo {
        kind: "HorizontalPodAutoscaler",
        api_version: "autoscaling/v2",
        plural: "horizontalpodautoscalers",
        singular: "horizontalpodautoscaler",
        short: &["hpa"],
        namespaced: true,
        group: "autoscaling",
    },
    KindInfo {
        kind: "PodDisruptionBudget",
        api_version: "policy/v1",
        plural: "poddisruptionbudgets",
        singular: "poddisruptionbudget",
        short: &["pdb"],
        namespaced: true,
        group: "policy",
    },
];

/// Looks a kind up by any name kubectl accepts: plural, singular, short name, kind, or
/// `plural.group` (case-insensitive).
pub fn kind_by_name(name: &str) -> Option<&'static KindInfo> {
    let n = name.to_ascii_lowercase();
    KINDS.iter().find(|k| {
        k.plural == n
            || k.singular == n
            || k.short.contains(&n.as_str())
            || k.kind.eq_ignore_ascii_case(&n)
            || (!k.group.is_empty() && format!("{}.{}", k.plural, k.group) == n)
    })
}

/// Looks a kind up by its `kind:` field.
pub fn kind_info(kind: &str) -> Option<&'static KindInfo> {
    KINDS.iter().find(|k| k.kind == kind)
}

/// Any object the API server stores.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[allow(clippy::large_enum_variant)] // objects live in maps by kind; the enum is transient
pub enum Object {
    /// A namespace.
    Namespace(Namespace),
    /// A node.
    Node(Node),
    /// A pod.
    Pod(Pod),
    /// A Service.
    Service(Service),
    /// A ConfigMap.
    ConfigMap(ConfigMap),
    /// A Secret.
    Secret(Secret),
    /// A Deployment.
    Deployment(Deployment),
    /// A ReplicaSet.
    ReplicaSet(ReplicaSet),
    /// An EndpointSlice.
    EndpointSlice(EndpointSlice),
    /// A HorizontalPodAutoscaler.
    HorizontalPodAutoscaler(HorizontalPodAutoscaler),
    /// A PodDisruptionBudget.
    PodDisruptionBudget(PodDisruptionBudget),
}

macro_rules! each_object {
    ($obj:expr, $o:ident => $body:expr) => {
        match $obj {
            Object::Namespace($o) => $body,
            Object::Node($o) => $body,
            Object::Pod($o) => $body,
            Object::Service($o) => $body,
            Object::ConfigMap($o) => $body,
            Object::Secret($o) => $body,
            Object::Deployment($o) => $body,
            Object::ReplicaSet($o) => $body,
            Object::EndpointSlice($o) => $body,
            Object::HorizontalPodAutoscaler($o) => $body,
            Object::PodDisruptionBudget($o) => $body,
        }
    };
}

impl Object {
    /// The object's metadata.
    pub fn meta(&self) -> &ObjectMeta {
        each_object!(self, o => &o.metadata)
    }

    /// The object's metadata, mutably.
    pub fn meta_mut(&mut self) -> &mut ObjectMeta {
        each_object!(self, o => &mut o.metadata)
    }

    /// The kind's static facts.
    pub fn info(&self) -> &'static KindInfo {
        let kind = match self {
            Object::Namespace(_) => "Namespace",
            Object::Node(_) => "Node",
            Object::Pod(_) => "Pod",
            Object::Service(_) => "Service",
            Object::ConfigMap(_) => "ConfigMap",
            Object::Secret(_) => "Secret",
            Object::Deployment(_) => "Deployment",
            Object::ReplicaSet(_) => "ReplicaSet",
            Object::EndpointSlice(_) => "EndpointSlice",
            Object::HorizontalPodAutoscaler(_) => "HorizontalPodAutoscaler",
            Object::PodDisruptionBudget(_) => "PodDisruptionBudget",
        };
        // Every variant is in KINDS by construction.
        kind_info(kind).unwrap_or(&KINDS[0])
    }

    /// Sets `apiVersion` and `kind` from the kind table (the API server always fills them).
    pub fn set_type_meta(&mut self) {
        let info = self.info();
        each_object!(self, o => {
            o.api_version = info.api_version.to_string();
            o.kind = info.kind.to_string();
        })
    }

    /// The object as API JSON.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}
