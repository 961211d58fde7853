//! Cluster bootstrap: what `kubeadm init` and `kubeadm join` leave behind.
//!
//! The control-plane node runs kube-apiserver, etcd, kube-scheduler and
//! kube-controller-manager as static pods in `kube-system` (kubeadm's layout) and carries
//! the `node-role.kubernetes.io/control-plane:NoSchedule` taint; every node runs a
//! kube-proxy pod; CoreDNS runs two replicas.

use crate::api::Object;
use crate::api::config::Namespace;
use crate::api::meta::{ObjectMeta, Timestamp};
use crate::api::node::{
    Node, NodeAddress, NodeCondition, NodeSpec as ApiNodeSpec, NodeStatus, NodeSystemInfo,
};
use crate::api::pod::{
    Container, ContainerState, ContainerStatus, Pod, PodCondition, PodSpec, PodStatus,
};
use crate::api::scheduling::{Taint, Toleration};
use crate::api::service::{Service, ServicePort, ServiceSpec};
use crate::api::values::{IntOrString, Quantity};
use crate::effect::{Effect, Task};
use crate::event::{Component, EventDraft, ObjectRef, Source};
use crate::rng::SimRng;
use crate::scenario::{NodeSpec, Scenario};
use crate::time::SimTime;
use std::collections::BTreeMap;

/// Name of the control-plane node.
pub const CONTROL_PLANE_NODE: &str = "control-plane";

/// Kubernetes version every simulated component reports.
pub const KUBERNETES_VERSION: &str = "v1.31.0";

/// The control-plane components and the image each static pod runs.
const STATIC_PODS: [(Component, &str); 4] = [
    (Component::Etcd, "registry.k8s.io/etcd:3.5.15-0"),
    (
        Component::KubeApiserver,
        "registry.k8s.io/kube-apiserver:v1.31.0",
    ),
    (
        Component::KubeControllerManager,
        "registry.k8s.io/kube-controller-manager:v1.31.0",
    ),
    (
        Component::KubeScheduler,
        "registry.k8s.io/kube-scheduler:v1.31.0",
    ),
];

/// The IP of the node with this index (kind's docker network: 172.18.0.2 is the first).
pub fn node_ip(index: u32) -> String {
    format!("172.18.0.{}", index + 2)
}

fn quantity(s: String) -> Quantity {
    Quantity(s)
}

/// A node object as its kubelet registers it: well-known labels, capacity, conditions.
pub fn node_object(spec: &NodeSpec, control_plane: bool, index: u32, now: SimTime) -> Node {
    let mut labels: BTreeMap<String, String> = BTreeMap::new();
    labels.insert("kubernetes.io/arch".into(), "amd64".into());
    labels.insert("kubernetes.io/os".into(), "linux".into());
    labels.insert("kubernetes.io/hostname".into(), spec.name.clone());
    labels.insert("beta.kubernetes.io/arch".into(), "amd64".into());
    labels.insert("beta.kubernetes.io/os".into(), "linux".into());
    let mut taints = Vec::new();
    if control_plane {
        labels.insert(
            "node-role.kubernetes.io/control-plane".into(),
            String::new(),
        );
        taints.push(Taint {
            key: "node-role.kubernetes.io/control-plane".into(),
            value: String::new(),
            effect: "NoSchedule".into(),
            time_added: None,
        });
    }
    labels.extend(spec.labels.clone());
    taints.extend(spec.taints.iter().cloned());
    let mib = spec.memory_bytes / (1024 * 1024);
    let resources: BTreeMap<String, Quantity> = [
        ("cpu".to_string(), quantity(format!("{}m", spec.cpu_millis))),
        ("memory".to_string(), quantity(format!("{mib}Mi"))),
        ("pods".to_string(), quantity(spec.max_pods.to_string())),
        ("ephemeral-storage".to_string(), quantity("100Gi".into())),
    ]
    .into_iter()
    .collect();
    let ts = Some(Timestamp(now));
    let cond = |t: &str, status: &str, reason: &str, message: &str| NodeCondition {
        type_: t.into(),
        status: status.into(),
        last_heartbeat_time: ts,
        last_transition_time: ts,
        reason: Some(reason.into()),
        message: Some(message.into()),
    };
    Node {
        api_version: String::new(),
        kind: String::new(),
        metadata: ObjectMeta {
            name: spec.name.clone(),
            labels,
            ..ObjectMeta::default()
        },
        spec: ApiNodeSpec {
            taints,
            pod_cidr: Some(format!("10.244.{index}.0/24")),
            pod_cidrs: vec![format!("10.244.{index}.0/24")],
            provider_id: Some(format!("shipshape://{}", spec.name)),
            ..ApiNodeSpec::default()
        },
        status: NodeStatus {
            capacity: resources.clone(),
            allocatable: resources,
            conditions: vec![
                cond(
                    "MemoryPressure",
                    "False",
                    "KubeletHasSufficientMemory",
                    "kubelet has sufficient memory available",
                ),
                cond(
                    "DiskPressure",
                    "False",
                    "KubeletHasNoDiskPressure",
                    "kubelet has no disk pressure",
                ),
                cond(
                    "PIDPressure",
                    "False",
                    "KubeletHasSufficientPID",
                    "kubelet has sufficient PID available",
                ),
                cond(
                    "Ready",
                    "True",
                    "KubeletReady",
                    "kubelet is posting ready status",
                ),
            ],
            addresses: vec![
                NodeAddress {
                    type_: "InternalIP".into(),
                    address: node_ip(index),
                },
                NodeAddress {
                    type_: "Hostname".into(),
                    address: spec.name.clone(),
                },
            ],
            node_info: NodeSystemInfo {
                kubelet_version: KUBERNETES_VERSION.into(),
                container_runtime_version: "containerd://1.7.18".into(),
                os_image: "Debian GNU/Linux 12 (bookworm)".into(),
                kernel_version: "6.1.0-shipshape".into(),
                operating_system: "linux".into(),
                architecture: "amd64".into(),
            },
            images: Vec::new(),
        },
    }
}

/// A pod that is already running on `node` (bootstrap only: the cluster existed before
/// the scenario began).
#[allow(clippy::too_many_arguments)]
fn running_pod(
    name: String,
    labels: &[(&str, &str)],
    node: &str,
    image: &str,
    container: &str,
    host_ip: &str,
    pod_ip: &str,
    tolerations: Vec<Toleration>,
    now: SimTime,
) -> Pod {
    let ts = Some(Timestamp(now));
    let cond = |t: &str| PodCondition {
        type_: t.into(),
        status: "True".into(),
        last_transition_time: ts,
        reason: None,
        message: None,
        last_probe_time: None,
    };
    Pod {
        api_version: String::new(),
        kind: String::new(),
        metadata: ObjectMeta {
            name,
            namespace: Some("kube-system".into()),
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..ObjectMeta::default()
        },
        spec: PodSpec {
            containers: vec![Container {
                name: container.into(),
                image: image.into(),
                ..Container::default()
            }],
            node_name: Some(node.into()),
            tolerations,
            priority_class_name: Some("system-node-critical".into()),
            priority: Some(2_000_001_000),
            host_network: (host_ip == pod_ip).then_some(true),
            ..PodSpec::default()
        },
        status: PodStatus {
            phase: Some("Running".into()),
            conditions: ["PodScheduled", "Initialized", "ContainersReady", "Ready"]
                .map(cond)
                .to_vec(),
            host_ip: Some(host_ip.into()),
            pod_ip: Some(pod_ip.into()),
            start_time: ts,
            container_statuses: vec![ContainerStatus {
                name: container.into(),
                state: ContainerState {
                    running: Some(serde_json::json!({ "startedAt": Timestamp(now) })),
                    ..ContainerState::default()
                },
                last_state: ContainerState::default(),
                ready: true,
                restart_count: 0,
                image: image.into(),
                image_id: String::new(),
                container_id: None,
                started: Some(true),
            }],
            ..PodStatus::default()
        },
    }
}

fn create(obj: Object) -> Effect {
    Effect::Create(Box::new(obj))
}

fn pod_event(node: &str, pod: &Pod, why: &str) -> Effect {
    Effect::Emit(EventDraft::new(
        Source::on(Component::Kubelet, node),
        ObjectRef::namespaced("pod", "kube-system", &pod.metadata.name),
        "Started",
        format!("started container {}: {why}", pod.spec.containers[0].name),
    ))
}

/// What `kubeadm join` leaves behind for `node`: the Node object, its kubelet (which
/// heartbeats from now on) and its kube-proxy pod. Also used by `sim node add`.
pub fn joined(node: &Node, index: u32, now: SimTime, rng: &mut SimRng) -> Vec<Effect> {
    let name = node.metadata.name.clone();
    let ip = node_ip(index);
    let proxy = running_pod(
        format!("kube-proxy-{}", rng.name_suffix(5)),
        &[("k8s-app", "kube-proxy")],
        &name,
        "registry.k8s.io/kube-proxy:v1.31.0",
        "kube-proxy",
        &ip,
        &ip,
        // kube-proxy is a DaemonSet pod: it tolerates everything.
        vec![Toleration {
            operator: "Exists".into(),
            ..Toleration::default()
        }],
        now,
    );
    vec![
        create(Object::Node(node.clone())),
        Effect::AgentJoined {
            node: name.clone(),
            index,
        },
        Effect::Emit(EventDraft::new(
            Source::on(Component::Kubelet, &name),
            ObjectRef::new("node", &name),
            "RegisteredNode",
            format!("kubelet registered node {name} with the API server"),
        )),
        Effect::Emit(EventDraft::new(
            Source::on(Component::Kubelet, &name),
            ObjectRef::new("node", &name),
            "NodeReady",
            format!("node {name} is Ready: kubelet, container runtime and network are up"),
        )),
        pod_event(
            &name,
            &proxy,
            "kube-proxy programs this node's rules so Service addresses reach pods",
        ),
        create(Object::Pod(proxy)),
        Effect::Schedule {
            after: super::kubelet::NODE_STATUS_UPDATE_FREQUENCY,
            task: Task::KubeletHeartbeat { node: name },
        },
    ]
}

/// Effects that bring a scenario's cluster up at time `now`.
pub fn cluster(scenario: &Scenario, now: SimTime, rng: &mut SimRng) -> Vec<Effect> {
    let mut out = Vec::new();
    for ns in ["default", "kube-node-lease", "kube-public", "kube-system"] {
        out.push(create(Object::Namespace(Namespace {
            api_version: String::new(),
            kind: String::new(),
            metadata: ObjectMeta {
                name: ns.into(),
                ..ObjectMeta::default()
            },
            spec: None,
            status: Some(serde_json::json!({ "phase": "Active" })),
        })));
    }
    let cp_ip = node_ip(0);
    for (component, image) in STATIC_PODS {
        let cname = component.name();
        let pod = running_pod(
            format!("{cname}-{CONTROL_PLANE_NODE}"),
            &[("component", cname), ("tier", "control-plane")],
            CONTROL_PLANE_NODE,
            image,
            cname,
            &cp_ip,
            &cp_ip,
            vec![Toleration {
                operator: "Exists".into(),
                effect: "NoExecute".into(),
                ..Toleration::default()
            }],
            now,
        );
        out.push(Effect::Emit(EventDraft::new(
            Source::of(component),
            ObjectRef::namespaced("pod", "kube-system", &pod.metadata.name),
            "Started",
            match component {
                Component::Etcd => "etcd started: the key-value store that holds every cluster object",
                Component::KubeApiserver => {
                    "kube-apiserver started: the front door; every component and kubectl talks to it"
                }
                Component::KubeControllerManager => {
                    "kube-controller-manager started: its control loops drive actual state toward desired state"
                }
                _ => "kube-scheduler started: it assigns each new pod to a node",
            },
        )));
        out.push(create(Object::Pod(pod)));
    }
    let cp = node_object(&NodeSpec::worker(CONTROL_PLANE_NODE), true, 0, now);
    out.extend(joined(&cp, 0, now, rng));
    for (i, spec) in scenario.workers.iter().enumerate() {
        let index = i as u32 + 1;
        out.extend(joined(
            &node_object(spec, false, index, now),
            index,
            now,
            rng,
        ));
    }
    // CoreDNS tolerates the control-plane taint (kubeadm's manifest), so it runs even
    // before any worker joins.
    let rs_hash = rng.name_suffix(10);
    let dns_node = scenario
        .workers
        .first()
        .map(|w| w.name.as_str())
        .unwrap_or(CONTROL_PLANE_NODE);
    let dns_index = u32::from(!scenario.workers.is_empty());
    for i in 0..2u32 {
        let pod = running_pod(
            format!("coredns-{rs_hash}-{}", rng.name_suffix(5)),
            &[("k8s-app", "kube-dns")],
            dns_node,
            "registry.k8s.io/coredns/coredns:v1.11.3",
            "coredns",
            &node_ip(dns_index),
            &format!("10.244.{dns_index}.{}", i + 2),
            vec![Toleration {
                key: "node-role.kubernetes.io/control-plane".into(),
                effect: "NoSchedule".into(),
                operator: "Exists".into(),
                ..Toleration::default()
            }],
            now,
        );
        out.push(pod_event(
            dns_node,
            &pod,
            "CoreDNS answers the cluster's DNS queries, so pods find Services by name",
        ));
        out.push(create(Object::Pod(pod)));
    }
    out.push(Effect::PodIpsUsed {
        node: dns_node.to_string(),
        last: 3,
    });
    out
}
