//! Cluster bootstrap: what `kubeadm init` and `kubeadm join` leave behind.
//!
//! The control-plane node runs kube-apiserver, etcd, kube-scheduler and
//! kube-controller-manager as static pods in `kube-system` (kubeadm's layout); every node
//! runs a kube-proxy pod from a DaemonSet; CoreDNS runs as a two-replica Deployment.

use crate::effect::{Effect, Task};
use crate::event::{Component, EventDraft, ObjectRef, Source};
use crate::rng::SimRng;
use crate::scenario::{NodeSpec, Scenario};
use crate::time::SimTime;
use crate::world::{Node, NodeRole, Pod, PodPhase};
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

fn node_ip(index: usize) -> String {
    format!("172.18.0.{}", index + 2)
}

/// Builds a node object as the kubelet registers it, with the well-known labels.
pub fn node_from_spec(spec: &NodeSpec, role: NodeRole, index: usize, now: SimTime) -> Node {
    let mut labels: BTreeMap<String, String> = BTreeMap::new();
    labels.insert("kubernetes.io/arch".into(), "amd64".into());
    labels.insert("kubernetes.io/os".into(), "linux".into());
    labels.insert("kubernetes.io/hostname".into(), spec.name.clone());
    if role == NodeRole::ControlPlane {
        labels.insert(
            "node-role.kubernetes.io/control-plane".into(),
            String::new(),
        );
    }
    labels.extend(spec.labels.clone());
    Node {
        name: spec.name.clone(),
        role,
        cpu_millis: spec.cpu_millis,
        memory_bytes: spec.memory_bytes,
        max_pods: spec.max_pods,
        labels,
        internal_ip: node_ip(index),
        created_at: now,
        kubelet_running: true,
        last_heartbeat: now,
        ready: true,
    }
}

fn system_pod(
    name: String,
    node: &str,
    image: &str,
    ip: String,
    component: &str,
    now: SimTime,
) -> Pod {
    Pod {
        namespace: "kube-system".into(),
        name,
        node: Some(node.to_string()),
        images: vec![image.to_string()],
        phase: PodPhase::Running,
        ready_containers: 1,
        restarts: 0,
        ip: Some(ip),
        created_at: now,
        component: Some(component.to_string()),
    }
}

/// The effects of a kubelet starting a system pod: the pod object and its `Started` event.
fn started(pod: Pod, why: &str) -> [Effect; 2] {
    let node = pod.node.clone().unwrap_or_default();
    let event = EventDraft::new(
        Source::on(Component::Kubelet, node),
        ObjectRef::namespaced("pod", &pod.namespace, &pod.name),
        "Started",
        format!(
            "started container {}: {why}",
            pod.component.as_deref().unwrap_or("app")
        ),
    );
    [Effect::AddPod(pod), Effect::Emit(event)]
}

fn joined(node: &Node, now: SimTime, rng: &mut SimRng) -> Vec<Effect> {
    let name = node.name.clone();
    let mut out = vec![
        Effect::AddNode(node.clone()),
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
    ];
    out.extend(started(
        system_pod(
            format!("kube-proxy-{}", rng.name_suffix(5)),
            &name,
            "registry.k8s.io/kube-proxy:v1.31.0",
            node.internal_ip.clone(),
            "kube-proxy",
            now,
        ),
        "kube-proxy programs this node's rules so Service addresses reach pods",
    ));
    out.push(Effect::Schedule {
        after: super::kubelet::NODE_STATUS_UPDATE_FREQUENCY,
        task: Task::KubeletHeartbeat { node: name },
    });
    out
}

/// Effects that bring a scenario's cluster up at time `now`.
pub fn cluster(scenario: &Scenario, now: SimTime, rng: &mut SimRng) -> Vec<Effect> {
    let mut out = Vec::new();
    let cp_spec = NodeSpec::worker(CONTROL_PLANE_NODE);
    let cp = node_from_spec(&cp_spec, NodeRole::ControlPlane, 0, now);
    for (component, image) in STATIC_PODS {
        let cname = component.name();
        out.push(Effect::AddPod(system_pod(
            format!("{cname}-{CONTROL_PLANE_NODE}"),
            CONTROL_PLANE_NODE,
            image,
            cp.internal_ip.clone(),
            cname,
            now,
        )));
        out.push(Effect::Emit(EventDraft::new(
            Source::of(component),
            ObjectRef::namespaced("pod", "kube-system", format!("{cname}-{CONTROL_PLANE_NODE}")),
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
    }
    out.extend(joined(&cp, now, rng));
    for (i, spec) in scenario.workers.iter().enumerate() {
        let node = node_from_spec(spec, NodeRole::Worker, i + 1, now);
        out.extend(joined(&node, now, rng));
    }
    // CoreDNS: a Deployment, so its pods carry a ReplicaSet hash and a random suffix.
    // With no worker nodes it still runs, because kubeadm's CoreDNS tolerates the
    // control-plane taint.
    let rs_hash = rng.name_suffix(10);
    for i in 0..2u8 {
        let node = scenario
            .workers
            .first()
            .map(|w| w.name.as_str())
            .unwrap_or(CONTROL_PLANE_NODE);
        out.extend(started(
            system_pod(
                format!("coredns-{rs_hash}-{}", rng.name_suffix(5)),
                node,
                "registry.k8s.io/coredns/coredns:v1.11.3",
                format!("10.244.0.{}", i + 2),
                "coredns",
                now,
            ),
            "CoreDNS answers the cluster's DNS queries, so pods find Services by name",
        ));
    }
    out
}
