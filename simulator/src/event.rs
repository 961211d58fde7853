//! Structured events: what happened, when, which component did it, to which object, and why.
//!
//! Events are the learner's window into the system and the simulator's proof of
//! determinism: the log's digest is compared across runs and targets.

use crate::time::SimTime;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A component of the simulated system, named as its real counterpart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Component {
    /// The simulator itself (time, resets, injected failures).
    Sim,
    /// The Kubernetes API server.
    KubeApiserver,
    /// The cluster's key-value store.
    Etcd,
    /// The Kubernetes scheduler.
    KubeScheduler,
    /// The Kubernetes controller manager.
    KubeControllerManager,
    /// The cloud controller manager (load balancers, node lifecycle in the cloud).
    CloudControllerManager,
    /// A node agent.
    Kubelet,
    /// A node's service proxy.
    KubeProxy,
    /// A node's container runtime (containerd).
    ContainerRuntime,
    /// The `docker` command-line client on the learner's machine.
    DockerClient,
    /// The Docker daemon on the learner's machine.
    Dockerd,
    /// An image registry.
    Registry,
    /// The Amazon ECS control plane (service scheduler, task placement).
    Ecs,
    /// The ECS container agent on an EC2 container instance.
    EcsAgent,
    /// AWS Fargate: the managed capacity that runs each task in its own micro-VM.
    Fargate,
    /// Elastic Load Balancing: an Application Load Balancer and its target groups.
    Elb,
    /// Application Auto Scaling (ECS service target tracking).
    AppAutoScaling,
    /// EC2 Auto Scaling groups (container instances, EKS managed node groups).
    Ec2AutoScaling,
    /// Amazon EKS: the managed Kubernetes control plane, node groups, Fargate profiles.
    Eks,
    /// The Kubernetes Cluster Autoscaler, which grows node groups for pending pods.
    ClusterAutoscaler,
    /// The cloud's meter: what each resource costs while it runs.
    Billing,
}

impl Component {
    /// The name used in event sources, diagrams and lesson highlights.
    pub fn name(self) -> &'static str {
        match self {
            Component::Sim => "sim",
            Component::KubeApiserver => "kube-apiserver",
            Component::Etcd => "etcd",
            Component::KubeScheduler => "kube-scheduler",
            Component::KubeControllerManager => "kube-controller-manager",
            Component::CloudControllerManager => "cloud-controller-manager",
            Component::Kubelet => "kubelet",
            Component::KubeProxy => "kube-proxy",
            Component::ContainerRuntime => "containerd",
            Component::DockerClient => "docker",
            Component::Dockerd => "dockerd",
            Component::Registry => "registry",
            Component::Ecs => "ecs",
            Component::EcsAgent => "ecs-agent",
            Component::Fargate => "fargate",
            Component::Elb => "elb",
            Component::AppAutoScaling => "application-autoscaling",
            Component::Ec2AutoScaling => "ec2-autoscaling",
            Component::Eks => "eks",
            Component::ClusterAutoscaler => "cluster-autoscaler",
            Component::Billing => "billing",
        }
    }

    /// Every component, in diagram order.
    pub const ALL: [Component; 21] = [
        Component::Sim,
        Component::KubeApiserver,
        Component::Etcd,
        Component::KubeScheduler,
        Component::KubeControllerManager,
        Component::CloudControllerManager,
        Component::Kubelet,
        Component::KubeProxy,
        Component::ContainerRuntime,
        Component::DockerClient,
        Component::Dockerd,
        Component::Registry,
        Component::Ecs,
        Component::EcsAgent,
        Component::Fargate,
        Component::Elb,
        Component::AppAutoScaling,
        Component::Ec2AutoScaling,
        Component::Eks,
        Component::ClusterAutoscaler,
        Component::Billing,
    ];
}

/// Which instance of a component emitted an event (`kubelet` on `worker-1`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Source {
    /// The kind of component.
    pub component: Component,
    /// The host or instance, when there is more than one (a node name, a registry host).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

impl Source {
    /// A singleton component (the scheduler, etcd, the simulator).
    pub fn of(component: Component) -> Self {
        Source {
            component,
            host: None,
        }
    }

    /// A per-host component (a node's kubelet).
    pub fn on(component: Component, host: impl Into<String>) -> Self {
        Source {
            component,
            host: Some(host.into()),
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.host {
            Some(h) => write!(f, "{}/{}", self.component.name(), h),
            None => f.write_str(self.component.name()),
        }
    }
}

/// The object an event is about, named like `kubectl` names it (`node/worker-1`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ObjectRef {
    /// Lower-case kind: `node`, `pod`, `deployment`, `image`, `cluster`.
    pub kind: String,
    /// Namespace for namespaced objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The object's name.
    pub name: String,
}

impl ObjectRef {
    /// A cluster-scoped object.
    pub fn new(kind: &str, name: impl Into<String>) -> Self {
        ObjectRef {
            kind: kind.to_string(),
            namespace: None,
            name: name.into(),
        }
    }

    /// The reference for an API object key (`deployment` in `default`, `node` …).
    pub fn from_key(key: &crate::apiserver::ObjKey) -> Self {
        ObjectRef {
            kind: key.kind.to_ascii_lowercase(),
            namespace: (!key.namespace.is_empty()).then(|| key.namespace.clone()),
            name: key.name.clone(),
        }
    }

    /// A namespaced object.
    pub fn namespaced(kind: &str, namespace: impl Into<String>, name: impl Into<String>) -> Self {
        ObjectRef {
            kind: kind.to_string(),
            namespace: Some(namespace.into()),
            name: name.into(),
        }
    }
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{}/{}/{}", ns, self.kind, self.name),
            None => write!(f, "{}/{}", self.kind, self.name),
        }
    }
}

/// The structured explanation of a decision, for the UI to render (a scheduling cycle's
/// per-node table, an HPA calculation, a build step's cache verdict …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Detail {
    /// A kube-scheduler cycle: every node's filter verdict and scores.
    Scheduling(Box<crate::scheduler::cycle::CycleRecord>),
    /// A `docker build` step: its cache key, whether it was served from the cache and
    /// why (or why not), the layer it produced and how long it took.
    BuildStep(Box<crate::image::builder::BuildStep>),
    /// An HPA sync that scaled (or was held back): metric, ratio, formula, pods counted,
    /// stabilization and rate limits.
    Autoscaling(Box<crate::components::controller_manager::hpa::HpaDecision>),
}

/// One entry of the event log. Fields are ordered and typed so the log serialises the
/// same bytes on every platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    /// Position in the log, from 0, never reused.
    pub seq: u64,
    /// When it happened.
    pub at: SimTime,
    /// Who did it.
    pub source: Source,
    /// What it happened to.
    pub object: ObjectRef,
    /// A CamelCase reason code like Kubernetes events use (`Scheduled`, `NodeReady`).
    pub kind: String,
    /// A sentence for the learner: what happened and why.
    pub reason: String,
    /// The decision's full explanation, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<Box<Detail>>,
}

/// An event before the log has given it a sequence number and time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventDraft {
    /// Who does it.
    pub source: Source,
    /// What it happens to.
    pub object: ObjectRef,
    /// CamelCase reason code.
    pub kind: String,
    /// Human-readable explanation.
    pub reason: String,
    /// Structured explanation.
    pub detail: Option<Box<Detail>>,
}

impl EventDraft {
    /// Builds a draft.
    pub fn new(source: Source, object: ObjectRef, kind: &str, reason: impl Into<String>) -> Self {
        EventDraft {
            source,
            object,
            kind: kind.to_string(),
            reason: reason.into(),
            detail: None,
        }
    }

    /// Attaches a structured explanation.
    pub fn with_detail(mut self, detail: Detail) -> Self {
        self.detail = Some(Box::new(detail));
        self
    }
}
