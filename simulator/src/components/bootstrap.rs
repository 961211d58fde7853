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
use crate::api::selector::LabelSelector;
use crate::api::service::{Service, ServicePort, ServiceSpec};
use crate::api::values::{IntOrString, Quantity};
use crate::api::workloads::{
    Deployment, DeploymentCondition, DeploymentSpec, DeploymentStatus, PodTemplateSpec,
    ReplicaSetStatus,
};
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
    // A managed control plane (EKS) runs outside the cluster: no control-plane node and
    // no static control-plane pods to see (`Scenario::managed_control_plane`).
    let managed = scenario.managed_control_plane;
    let cp_ip = node_ip(0);
    for (component, image) in STATIC_PODS.iter().filter(|_| !managed) {
        let (component, image) = (*component, *image);
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
    if !managed {
        let cp = node_object(&NodeSpec::worker(CONTROL_PLANE_NODE), true, 0, now);
        out.extend(joined(&cp, 0, now, rng));
    }
    for (i, spec) in scenario.workers.iter().enumerate() {
        let index = i as u32 + 1;
        out.extend(joined(
            &node_object(spec, false, index, now),
            index,
            now,
            rng,
        ));
    }
    // CoreDNS: kubeadm's two-replica Deployment in kube-system. The cluster existed
    // before the scenario starts, so the Deployment, its ReplicaSet and its pods are
    // restored as etcd would hold them: owned, hashed and running. Its pods tolerate the
    // control-plane taint, so DNS runs even before any worker joins.
    let dns_node = scenario
        .workers
        .first()
        .map(|w| w.name.as_str())
        .unwrap_or(CONTROL_PLANE_NODE);
    let dns_index = u32::from(!scenario.workers.is_empty());
    let dns_toleration = Toleration {
        key: "node-role.kubernetes.io/control-plane".into(),
        effect: "NoSchedule".into(),
        operator: "Exists".into(),
        ..Toleration::default()
    };
    let template_pod = running_pod(
        String::new(),
        &[("k8s-app", "kube-dns")],
        dns_node,
        "registry.k8s.io/coredns/coredns:v1.11.3",
        "coredns",
        "",
        "",
        vec![dns_toleration.clone()],
        now,
    );
    let mut template_spec = template_pod.spec.clone();
    template_spec.node_name = None;
    template_spec.host_network = None;
    template_spec.priority = None;
    template_spec.containers[0].resources.requests = [
        ("cpu".to_string(), Quantity("100m".into())),
        ("memory".to_string(), Quantity("70Mi".into())),
    ]
    .into_iter()
    .collect();
    template_spec.containers[0].resources.limits =
        [("memory".to_string(), Quantity("170Mi".into()))]
            .into_iter()
            .collect();
    let deploy_uid = rng.uuid();
    let deployment = Deployment {
        api_version: String::new(),
        kind: String::new(),
        metadata: ObjectMeta {
            name: "coredns".into(),
            namespace: Some("kube-system".into()),
            uid: deploy_uid.clone(),
            creation_timestamp: Some(Timestamp(now)),
            generation: 1,
            labels: [("k8s-app".to_string(), "kube-dns".to_string())]
                .into_iter()
                .collect(),
            ..ObjectMeta::default()
        },
        spec: DeploymentSpec {
            replicas: Some(2),
            selector: LabelSelector {
                match_labels: [("k8s-app".to_string(), "kube-dns".to_string())]
                    .into_iter()
                    .collect(),
                ..LabelSelector::default()
            },
            template: PodTemplateSpec {
                metadata: ObjectMeta {
                    labels: [("k8s-app".to_string(), "kube-dns".to_string())]
                        .into_iter()
                        .collect(),
                    ..ObjectMeta::default()
                },
                spec: template_spec,
            },
            ..DeploymentSpec::default()
        },
        status: DeploymentStatus {
            observed_generation: 1,
            replicas: 2,
            updated_replicas: 2,
            ready_replicas: 2,
            available_replicas: 2,
            unavailable_replicas: 0,
            conditions: vec![
                DeploymentCondition {
                    type_: "Available".into(),
                    status: "True".into(),
                    last_update_time: Some(Timestamp(now)),
                    last_transition_time: Some(Timestamp(now)),
                    reason: Some("MinimumReplicasAvailable".into()),
                    message: Some("Deployment has minimum availability.".into()),
                },
                DeploymentCondition {
                    type_: "Progressing".into(),
                    status: "True".into(),
                    last_update_time: Some(Timestamp(now)),
                    last_transition_time: Some(Timestamp(now)),
                    reason: Some("NewReplicaSetAvailable".into()),
                    message: Some("ReplicaSet has successfully progressed.".into()),
                },
            ],
        },
    };
    let mut defaulted = Object::Deployment(deployment.clone());
    crate::apiserver::admission::default_object(&mut defaulted);
    let deployment = match defaulted {
        Object::Deployment(d) => d,
        _ => deployment,
    };
    if managed && scenario.workers.is_empty() {
        // No node to run on yet: the Deployment is created as new and its pods stay
        // Pending until nodes join, as on a fresh EKS cluster.
        let mut fresh = deployment;
        fresh.status = DeploymentStatus::default();
        fresh.metadata.uid = String::new();
        fresh.metadata.creation_timestamp = None;
        fresh.metadata.generation = 0;
        out.push(create(Object::Deployment(fresh)));
        push_services(&mut out);
        return out;
    }
    let hash = super::controller_manager::deployment::template_hash(&deployment);
    let rs_uid = rng.uuid();
    let mut rs = super::controller_manager::deployment::new_replicaset(&deployment, &hash, 2, 1);
    rs.metadata.uid = rs_uid.clone();
    rs.metadata.creation_timestamp = Some(Timestamp(now));
    rs.metadata.generation = 1;
    rs.status = ReplicaSetStatus {
        replicas: 2,
        fully_labeled_replicas: 2,
        ready_replicas: 2,
        available_replicas: 2,
        observed_generation: 1,
    };
    out.push(restore(Object::Deployment(deployment)));
    out.push(restore(Object::ReplicaSet(rs.clone())));
    for i in 0..2u32 {
        let mut pod = super::controller_manager::replicaset::pod_from_template(&rs);
        let running = running_pod(
            format!("coredns-{hash}-{}", rng.name_suffix(5)),
            &[],
            dns_node,
            "registry.k8s.io/coredns/coredns:v1.11.3",
            "coredns",
            &node_ip(dns_index),
            &format!("10.244.{dns_index}.{}", i + 2),
            Vec::new(),
            now,
        );
        pod.metadata.name = running.metadata.name.clone();
        pod.metadata.generate_name = None;
        pod.metadata.uid = rng.uuid();
        pod.metadata.creation_timestamp = Some(Timestamp(now));
        pod.spec.node_name = Some(dns_node.to_string());
        pod.status = running.status;
        out.push(pod_event(
            dns_node,
            &pod,
            "CoreDNS answers the cluster's DNS queries, so pods find Services by name",
        ));
        out.push(restore(Object::Pod(pod)));
    }
    out.push(Effect::PodIpsUsed {
        node: dns_node.to_string(),
        last: 3,
    });
    push_services(&mut out);
    out
}

/// The two Services kubeadm creates: `kubernetes` and `kube-dns`.
fn push_services(out: &mut Vec<Effect>) {
    out.push(create(Object::Service(service(
        "default",
        "kubernetes",
        crate::apiserver::KUBERNETES_SERVICE_IP,
        &[],
        &[("https", "TCP", 443, 6443)],
    ))));
    out.push(create(Object::Service(service(
        "kube-system",
        "kube-dns",
        crate::apiserver::DNS_SERVICE_IP,
        &[("k8s-app", "kube-dns")],
        &[
            ("dns", "UDP", 53, 53),
            ("dns-tcp", "TCP", 53, 53),
            ("metrics", "TCP", 9153, 9153),
        ],
    ))));
}

/// An object as etcd already held it when the scenario began (uid and timestamps set).
fn restore(obj: Object) -> Effect {
    Effect::Restore(Box::new(obj))
}

/// A ClusterIP Service with a fixed address (the two kubeadm creates).
fn service(
    ns: &str,
    name: &str,
    ip: &str,
    selector: &[(&str, &str)],
    ports: &[(&str, &str, i64, i64)],
) -> Service {
    Service {
        api_version: String::new(),
        kind: String::new(),
        metadata: ObjectMeta {
            name: name.into(),
            namespace: Some(ns.into()),
            ..ObjectMeta::default()
        },
        spec: ServiceSpec {
            type_: Some("ClusterIP".into()),
            selector: selector
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ports: ports
                .iter()
                .map(|(n, proto, port, target)| ServicePort {
                    name: Some(n.to_string()),
                    protocol: Some(proto.to_string()),
                    port: *port,
                    target_port: Some(IntOrString::Int(*target)),
                    node_port: None,
                    app_protocol: None,
                })
                .collect(),
            cluster_ip: Some(ip.into()),
            cluster_ips: vec![ip.into()],
            ..ServiceSpec::default()
        },
        status: Default::default(),
    }
}
