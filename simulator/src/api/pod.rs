//! Pod (`v1`): the smallest deployable unit; one or more containers scheduled together.
//!
//! Field names and shapes follow `k8s.io/api/core/v1/types.go`. Fields the simulator
//! models are typed; other real fields are accepted as opaque JSON so real manifests
//! apply unchanged, while misspelt fields are still rejected (strict decoding).

use super::meta::{ObjectMeta, Timestamp};
use super::scheduling::{Affinity, Toleration};
use super::values::{IntOrString, Quantity};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// A pod.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Pod {
    /// `v1`.
    #[serde(default)]
    pub api_version: String,
    /// `Pod`.
    #[serde(default)]
    pub kind: String,
    /// Metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// Desired state.
    #[serde(default)]
    pub spec: PodSpec,
    /// Observed state, written by the kubelet.
    #[serde(default)]
    pub status: PodStatus,
}

/// `ResourceRequirements`: requests (what the scheduler reserves) and limits (the cap).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResourceRequirements {
    /// Guaranteed amounts.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub requests: BTreeMap<String, Quantity>,
    /// Maximum amounts.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub limits: BTreeMap<String, Quantity>,
    /// Dynamic resource claims (accepted, not simulated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims: Option<Json>,
}

/// A port a container listens on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContainerPort {
    /// Port number inside the pod.
    pub container_port: i64,
    /// Optional name, usable as a Service `targetPort`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// TCP (default), UDP or SCTP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// Port on the node, if bound there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_port: Option<i64>,
    /// Host IP to bind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_ip: Option<String>,
}

/// An environment variable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnvVar {
    /// Name.
    pub name: String,
    /// Literal value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Value from a ConfigMap, Secret or field (kept as written).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_from: Option<Json>,
}

/// `httpGet` probe action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HttpGetAction {
    /// Path to request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Port number or name.
    pub port: IntOrString,
    /// Host (defaults to the pod IP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// HTTP or HTTPS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheme: Option<String>,
    /// Extra headers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_headers: Option<Json>,
}

/// `tcpSocket` probe action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TcpSocketAction {
    /// Port number or name.
    pub port: IntOrString,
    /// Host (defaults to the pod IP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

/// `exec` probe action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExecAction {
    /// Command run inside the container; exit 0 = healthy.
    #[serde(default)]
    pub command: Vec<String>,
}

/// A health probe. Defaults (`SetDefaults_Probe`): timeout 1 s, period 10 s, success 1,
/// failure 3, initial delay 0.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Probe {
    /// HTTP GET check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_get: Option<HttpGetAction>,
    /// TCP connect check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcp_socket: Option<TcpSocketAction>,
    /// Command check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec: Option<ExecAction>,
    /// gRPC health check (accepted, treated like TCP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grpc: Option<Json>,
    /// Seconds after start before the first probe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_delay_seconds: Option<i64>,
    /// Seconds before a probe attempt times out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<i64>,
    /// Seconds between probes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_seconds: Option<i64>,
    /// Consecutive successes to count as healthy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_threshold: Option<i64>,
    /// Consecutive failures to count as unhealthy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_threshold: Option<i64>,
    /// Grace period when a liveness failure kills the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_grace_period_seconds: Option<i64>,
}

/// A container in a pod.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Container {
    /// Name, unique in the pod.
    pub name: String,
    /// Image reference.
    #[serde(default)]
    pub image: String,
    /// Always, IfNotPresent or Never; defaulted from the tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_pull_policy: Option<String>,
    /// Entrypoint override.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
    /// Arguments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// Working directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    /// Ports.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<ContainerPort>,
    /// Environment variables.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<EnvVar>,
    /// Environment from ConfigMaps/Secrets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env_from: Option<Json>,
    /// Requests and limits.
    #[serde(default)]
    pub resources: ResourceRequirements,
    /// Liveness probe: restart on failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub liveness_probe: Option<Probe>,
    /// Readiness probe: receive traffic only when passing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readiness_probe: Option<Probe>,
    /// Startup probe: gates the other two.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startup_probe: Option<Probe>,
    /// Hooks (preStop, postStart).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<Json>,
    /// Volume mounts (accepted, not simulated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_mounts: Option<Json>,
    /// Device mounts (accepted, not simulated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_devices: Option<Json>,
    /// Security settings (runAsUser, capabilities …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_context: Option<Json>,
    /// `Always` for a sidecar init container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart_policy: Option<String>,
    /// Allocate stdin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stdin: Option<bool>,
    /// Close stdin after one attach.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stdin_once: Option<bool>,
    /// Allocate a TTY.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tty: Option<bool>,
    /// Where the termination message is written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_message_path: Option<String>,
    /// File or FallbackToLogsOnError.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_message_policy: Option<String>,
    /// In-place resize policy (accepted, not simulated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resize_policy: Option<Json>,
}

/// `spec` of a pod.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PodSpec {
    /// Application containers.
    #[serde(default)]
    pub containers: Vec<Container>,
    /// Containers that run to completion before the app containers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub init_containers: Vec<Container>,
    /// Debug containers (accepted, not simulated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ephemeral_containers: Option<Json>,
    /// The node the pod is bound to; set by the scheduler, or by hand to skip it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_name: Option<String>,
    /// Node labels the pod requires.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub node_selector: BTreeMap<String, String>,
    /// Node and pod affinity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affinity: Option<Affinity>,
    /// Taints the pod tolerates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tolerations: Vec<Toleration>,
    /// Always (default), OnFailure or Never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart_policy: Option<String>,
    /// Seconds between SIGTERM and SIGKILL on deletion (default 30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_grace_period_seconds: Option<i64>,
    /// Deadline for the whole pod (accepted, not simulated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_deadline_seconds: Option<i64>,
    /// Credentials for private registries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub image_pull_secrets: Vec<LocalObjectReference>,
    /// Volumes (accepted, not simulated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volumes: Option<Json>,
    /// Service account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    /// Deprecated alias of serviceAccountName.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account: Option<String>,
    /// Mount the service account token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automount_service_account_token: Option<bool>,
    /// Scheduling priority (resolved from priorityClassName).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<i64>,
    /// Priority class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority_class_name: Option<String>,
    /// Which scheduler places this pod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduler_name: Option<String>,
    /// Use the node's network namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_network: Option<bool>,
    /// Use the node's PID namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_pid: Option<bool>,
    /// Use the node's IPC namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_ipc: Option<bool>,
    /// DNS policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_policy: Option<String>,
    /// DNS config (accepted, not simulated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_config: Option<Json>,
    /// Pod hostname.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// Pod subdomain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subdomain: Option<String>,
    /// Extra /etc/hosts entries (accepted, not simulated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_aliases: Option<Json>,
    /// Pod-level security settings (accepted, not simulated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_context: Option<Json>,
    /// Share one PID namespace between containers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_process_namespace: Option<bool>,
    /// Spread constraints (accepted, not simulated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topology_spread_constraints: Option<Json>,
    /// Readiness gates (accepted, not simulated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readiness_gates: Option<Json>,
    /// Runtime class (accepted, not simulated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime_class_name: Option<String>,
    /// Inject service environment variables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_service_links: Option<bool>,
    /// Preemption policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preemption_policy: Option<String>,
    /// Per-pod resource overhead added by the RuntimeClass.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub overhead: BTreeMap<String, Quantity>,
    /// OS the pod needs (accepted, not simulated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<Json>,
    /// Scheduling gates (accepted, not simulated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduling_gates: Option<Json>,
    /// Resource claims (accepted, not simulated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_claims: Option<Json>,
    /// Whether the pod uses a user namespace (accepted, not simulated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_users: Option<bool>,
    /// Set the hostname as FQDN (accepted, not simulated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_hostname_as_fqdn: Option<bool>,
}

/// A reference to an object in the same namespace by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LocalObjectReference {
    /// Name of the referenced object.
    #[serde(default)]
    pub name: String,
}

/// A pod condition (`PodScheduled`, `Initialized`, `ContainersReady`, `Ready`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PodCondition {
    /// Condition type.
    #[serde(rename = "type")]
    pub type_: String,
    /// `True`, `False` or `Unknown`.
    pub status: String,
    /// When the status last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<Timestamp>,
    /// Machine-readable reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Human-readable message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Last probe time (unused; accepted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_probe_time: Option<Timestamp>,
}

/// A container's state: exactly one of waiting, running, terminated.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerState {
    /// Not running yet (ContainerCreating, ErrImagePull, CrashLoopBackOff …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting: Option<StateReason>,
    /// Running since `startedAt`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub running: Option<Json>,
    /// Exited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminated: Option<Json>,
}

/// Reason and message of a waiting container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StateReason {
    /// Reason code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// A container's status, written by the kubelet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerStatus {
    /// Container name.
    pub name: String,
    /// Current state.
    #[serde(default)]
    pub state: ContainerState,
    /// Previous termination, if it restarted.
    #[serde(default)]
    pub last_state: ContainerState,
    /// Passing its readiness probe.
    pub ready: bool,
    /// Restart count.
    pub restart_count: i64,
    /// Image as requested.
    pub image: String,
    /// Resolved image digest.
    #[serde(default)]
    pub image_id: String,
    /// Runtime container id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_id: Option<String>,
    /// Whether the container has started (startup probe passed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started: Option<bool>,
}

/// `status` of a pod.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodStatus {
    /// Pending, Running, Succeeded, Failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    /// Conditions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<PodCondition>,
    /// Human-readable reason for the phase (`Evicted`, `NodeLost`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The node's IP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_ip: Option<String>,
    /// The pod's IP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_ip: Option<String>,
    /// When the kubelet accepted the pod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<Timestamp>,
    /// Container statuses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub container_statuses: Vec<ContainerStatus>,
    /// Init container statuses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub init_container_statuses: Vec<ContainerStatus>,
    /// QoS class: Guaranteed, Burstable or BestEffort.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qos_class: Option<String>,
    /// Node nominated by preemption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nominated_node_name: Option<String>,
}

impl Pod {
    /// The pod's `Ready` condition is True.
    pub fn is_ready(&self) -> bool {
        self.condition("Ready").is_some_and(|c| c.status == "True")
    }

    /// A condition by type.
    pub fn condition(&self, type_: &str) -> Option<&PodCondition> {
        self.status.conditions.iter().find(|c| c.type_ == type_)
    }

    /// When the pod last became Ready, if it is.
    pub fn ready_since(&self) -> Option<crate::time::SimTime> {
        self.condition("Ready")
            .filter(|c| c.status == "True")
            .and_then(|c| c.last_transition_time)
            .map(|t| t.0)
    }

    /// Being deleted (has a deletionTimestamp).
    pub fn is_terminating(&self) -> bool {
        self.metadata.deletion_timestamp.is_some()
    }

    /// Counts toward a controller's replicas: not terminating, not finished
    /// (`controller.IsPodActive`).
    pub fn is_active(&self) -> bool {
        !self.is_terminating()
            && !matches!(
                self.status.phase.as_deref(),
                Some("Succeeded") | Some("Failed")
            )
    }

    /// Ready for at least `min_ready_seconds` at `now` (`podutil.IsPodAvailable`).
    pub fn is_available(&self, min_ready_seconds: i64, now: crate::time::SimTime) -> bool {
        match self.ready_since() {
            Some(since) => {
                min_ready_seconds <= 0
                    || now.since(since).as_millis() >= (min_ready_seconds as u64) * 1000
            }
            None => false,
        }
    }

    /// Total container restarts.
    pub fn restarts(&self) -> i64 {
        self.status
            .container_statuses
            .iter()
            .map(|c| c.restart_count)
            .sum()
    }
}
