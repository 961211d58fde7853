//! Effects and tasks: the data components hand back to the engine.
//!
//! Components never mutate the world; they describe what should happen. The engine applies
//! each effect in order and logs it, which keeps causes visible and replay exact.

use crate::api::Object;
use crate::apiserver::ObjKey;
use crate::components::controller_manager::Controller;
use crate::event::EventDraft;
use crate::time::SimDuration;

/// Work scheduled for a future instant. Ordered in the queue by `(time, seq)`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Task {
    /// A kubelet posts its node status (every `nodeStatusUpdateFrequency`, 10 s).
    KubeletHeartbeat {
        /// Node whose kubelet reports.
        node: String,
    },
    /// A controller works one key off its queue (deduplicated while pending, like a
    /// client-go workqueue).
    Reconcile {
        /// Which control loop.
        controller: Controller,
        /// Which object it reconciles.
        key: ObjKey,
    },
    /// The scheduler pops the highest-priority pod off its active queue and runs one
    /// scheduling cycle for it.
    ScheduleNext,
    /// A kubelet advances one pod's lifecycle on its node.
    KubeletPod {
        /// The node.
        node: String,
        /// The pod.
        key: ObjKey,
        /// Which step is due.
        step: PodStep,
    },
    /// metrics-server scrapes every kubelet (every 15 s, its metric resolution).
    MetricsScrape,
    /// Work of the AWS side (ECS, load balancers, Auto Scaling, EKS).
    Aws(crate::components::aws::AwsTask),
}

/// Steps of a pod's life on a node, each a scheduled instant.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum PodStep {
    /// Look at the pod and start whatever is next (pull, create, probe, kill).
    Sync,
    /// An image pull finished (successfully or not).
    PullFinished {
        /// Container index.
        container: usize,
        /// Whether the image was found (and the node may pull it).
        ok: bool,
        /// Layers that were already in the node's content store.
        present: usize,
        /// How long the pull took.
        took: crate::time::SimDuration,
    },
    /// A container's process started.
    ContainerStarted {
        /// Container index.
        container: usize,
    },
    /// A readiness probe result is due.
    Probe {
        /// Container index.
        container: usize,
    },
    /// A container exited (crash, or after SIGTERM/SIGKILL).
    ContainerExited {
        /// Container index.
        container: usize,
        /// Exit code.
        code: i64,
    },
    /// Graceful termination finished: the pod object can go.
    Terminated,
    /// A periodic liveness or readiness probe of one container instance is due
    /// (`components::kubelet::probes`).
    ProbeTick {
        /// Container index.
        container: usize,
        /// The container's restart count when the probe chain started: a restarted
        /// container starts its own chain and the old one stops.
        instance: i64,
        /// Liveness (`true`) or readiness (`false`).
        liveness: bool,
    },
    /// A crashed container's restart back-off ended: start it again
    /// (`components::kubelet::restart`).
    Restart {
        /// Container index.
        container: usize,
    },
}

/// A change the engine should make.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Append an event to the log.
    Emit(EventDraft),
    /// Run `task` after `after` from now.
    Schedule {
        /// Delay from the current instant.
        after: SimDuration,
        /// What to run.
        task: Task,
    },
    /// Create an object through the API server (admission, validation, storage).
    Create(Box<Object>),
    /// Put an object in the store as it is (uid, timestamps, status): scenario set-up
    /// restoring a cluster that existed before time zero.
    Restore(Box<Object>),
    /// Create an object and log `event` with `{name}` replaced by the name the API server
    /// generated (`Created pod: web-7d4b9c-x2k9p`).
    CreateNamed {
        /// The object (usually with `generateName`).
        object: Box<Object>,
        /// Logged after a successful create.
        event: EventDraft,
    },
    /// Write an object as given (controllers and kubelets write what they read, changed).
    Write(Box<Object>),
    /// Delete an object; pods bound to a node are deleted gracefully (the kubelet kills
    /// their containers first).
    Delete(ObjKey),
    /// Remove an object from the store now (the end of graceful deletion).
    Remove(ObjKey),
    /// A node's agents came up: track its kubelet and pod network.
    AgentJoined {
        /// Node name.
        node: String,
        /// Node index (fixes its pod CIDR).
        index: u32,
    },
    /// Pod IPs up to `.last` on `node` are taken.
    PodIpsUsed {
        /// Node name.
        node: String,
        /// Last host octet in use.
        last: u32,
    },
    /// Set (or with `None`, forget) a kubelet's local state for a pod.
    PodRuntime {
        /// Node.
        node: String,
        /// Pod.
        key: ObjKey,
        /// New state.
        runtime: Option<crate::world::PodRuntime>,
    },
    /// An image landed in a node's containerd store.
    NodeImage {
        /// Node.
        node: String,
        /// Normalised reference.
        reference: String,
        /// Size in bytes.
        size: u64,
        /// Layer blobs that landed in the node's content store.
        layers: Vec<crate::image::oci::Digest>,
    },
    /// The cloud starts creating a load balancer for a Service.
    LoadBalancerRequested {
        /// The Service.
        service: ObjKey,
        /// Address it will have.
        ip: String,
        /// When it is ready.
        ready_at: crate::time::SimTime,
    },
    /// Record a node's status post.
    NodeHeartbeat {
        /// Node name.
        node: String,
    },
    /// A node's agents are gone (its Node object was deleted): forget them.
    AgentLeft {
        /// Node name.
        node: String,
    },
    /// metrics-server's new samples (replacing the previous ones).
    Metrics(Box<crate::components::metrics_server::MetricsServerState>),
    /// A change to the AWS side's state (ECS, VPC, load balancers, billing, EKS).
    Aws(Box<crate::components::aws::AwsEffect>),
    /// Set (or with `None`, forget) the HPA controller's memory of one HPA.
    HpaMemory {
        /// The HPA.
        key: ObjKey,
        /// Recommendations, scale events, next sync.
        memory: Option<Box<crate::components::controller_manager::hpa::HpaMemory>>,
    },
}
