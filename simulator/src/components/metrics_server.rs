//! metrics-server: scrapes every kubelet's resource usage every 15 s (its
//! `--metric-resolution`) and serves the latest sample per pod, container and node to the
//! HPA and to `kubectl top` (the `metrics.k8s.io` API).
//!
//! Like the real one, it computes CPU as a rate between two cumulative readings, so a
//! pod's first sample appears one scrape *after* the scrape that first saw it running:
//! until then the pod has no metrics, which the HPA's replica calculator treats as
//! "missing". Each sample carries the scrape's timestamp and its window (the time since
//! the previous reading). Usage itself comes from the load model ([`crate::load`]):
//! [`pod_usage`] is a pure function of the pod, its traffic share and any override.

use crate::api::pod::{Container, Pod};
use crate::apiserver::ObjKey;
use crate::components::kube_proxy::{self, PodTraffic};
use crate::effect::{Effect, Task};
use crate::kube::quantity::parse_for_resource;
use crate::load::{IDLE_CPU, IDLE_MEMORY, MEMORY_PER_RPS, UsageOverride};
use crate::time::{SimDuration, SimTime};
use crate::world::World;
use serde::Serialize;
use std::collections::BTreeMap;

/// `--metric-resolution` default: one scrape every 15 s.
pub const RESOLUTION: SimDuration = SimDuration::from_secs(15);

/// CPU and memory a node uses outside pods (OS, kubelet, containerd): millicores, bytes.
pub const NODE_SYSTEM_USAGE: (i64, i64) = (40, 300 * 1024 * 1024);

/// One container's usage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerUsage {
    /// Container name.
    pub name: String,
    /// Millicores.
    pub cpu: i64,
    /// Bytes (working set).
    pub memory: i64,
}

/// A pod's latest sample (`PodMetrics`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodSample {
    /// When it was taken.
    pub timestamp: SimTime,
    /// Over what window.
    pub window: SimDuration,
    /// Per container.
    pub containers: Vec<ContainerUsage>,
}

impl PodSample {
    /// Σ CPU over containers, millicores.
    pub fn cpu(&self) -> i64 {
        self.containers.iter().map(|c| c.cpu).sum()
    }

    /// Σ memory over containers, bytes.
    pub fn memory(&self) -> i64 {
        self.containers.iter().map(|c| c.memory).sum()
    }
}

/// A node's latest sample (`NodeMetrics`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeSample {
    /// When it was taken.
    pub timestamp: SimTime,
    /// Over what window.
    pub window: SimDuration,
    /// Millicores.
    pub cpu: i64,
    /// Bytes.
    pub memory: i64,
}

/// What metrics-server holds in memory.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricsServerState {
    /// The last scrape, if any.
    pub last_scrape: Option<SimTime>,
    /// Pods and nodes seen running at the last scrape, with that reading's time (the
    /// start of the next sample's window).
    pub seen: BTreeMap<ObjKey, SimTime>,
    /// Latest pod samples.
    pub pods: BTreeMap<ObjKey, PodSample>,
    /// Latest node samples, by node name.
    pub nodes: BTreeMap<String, NodeSample>,
}

/// Typical idle usage of well-known containers (millicores, MiB), so `kubectl top` of
/// kube-system looks like a small real cluster; every other container idles at
/// [`IDLE_CPU`] / [`IDLE_MEMORY`].
fn baseline(container: &str) -> (i64, i64) {
    const MI: i64 = 1024 * 1024;
    match container {
        "kube-apiserver" => (45, 230 * MI),
        "etcd" => (20, 40 * MI),
        "kube-controller-manager" => (15, 48 * MI),
        "kube-scheduler" => (3, 20 * MI),
        "coredns" => (2, 14 * MI),
        "kube-proxy" => (1, 15 * MI),
        _ => (IDLE_CPU, IDLE_MEMORY),
    }
}

fn limit(c: &Container, resource: &str) -> Option<i64> {
    c.resources
        .limits
        .get(resource)
        .and_then(|q| parse_for_resource(resource, &q.0).ok())
}

/// A pod's usage right now: each container's baseline, plus the pod's traffic share in
/// its first container, or the override (whole pod, in the first container); CPU capped
/// at each container's CPU limit, memory at its memory limit.
pub fn pod_usage(
    pod: &Pod,
    traffic: Option<&PodTraffic>,
    over: Option<&UsageOverride>,
) -> Vec<ContainerUsage> {
    pod.spec
        .containers
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let (mut cpu, mut memory) = baseline(&c.name);
            if i == 0
                && let Some(t) = traffic
            {
                cpu += t.cpu.round() as i64;
                memory += (t.rps * MEMORY_PER_RPS as f64).round() as i64;
            }
            if let Some(o) = over {
                if let Some(v) = o.cpu {
                    cpu = if i == 0 { v } else { 0 };
                }
                if let Some(v) = o.memory {
                    memory = if i == 0 { v } else { 0 };
                }
            }
            if let Some(l) = limit(c, "cpu") {
                cpu = cpu.min(l);
            }
            if let Some(l) = limit(c, "memory") {
                memory = memory.min(l);
            }
            ContainerUsage {
                name: c.name.clone(),
                cpu,
                memory,
            }
        })
        .collect()
}

/// The `sim usage` override that applies to a pod: its own, else its Deployment's, else
/// that of a Service selecting it.
fn override_for<'a>(world: &'a World, pod: &Pod) -> Option<&'a UsageOverride> {
    let usage = &world.load.usage;
    if usage.is_empty() {
        return None;
    }
    let ns = pod.metadata.namespace_or_default();
    if let Some(o) = usage.get(&ObjKey::new("Pod", ns, &pod.metadata.name)) {
        return Some(o);
    }
    let store = &world.api.store;
    for (key, o) in usage {
        if key.namespace != ns {
            continue;
        }
        let selected = match key.kind {
            "Deployment" => store
                .deployment(ns, &key.name)
                .is_some_and(|d| d.spec.selector.matches(&pod.metadata.labels)),
            "Service" => store.service(ns, &key.name).is_some_and(|s| {
                !s.spec.selector.is_empty()
                    && s.spec
                        .selector
                        .iter()
                        .all(|(k, v)| pod.metadata.labels.get(k) == Some(v))
            }),
            _ => false,
        };
        if selected {
            return Some(o);
        }
    }
    None
}

/// Whether a kubelet can report this pod: running on a node whose kubelet is alive.
fn reportable(world: &World, pod: &Pod) -> bool {
    pod.status.phase.as_deref() == Some("Running")
        && pod
            .spec
            .node_name
            .as_ref()
            .and_then(|n| world.agents.get(n))
            .is_some_and(|a| a.kubelet_running)
}

/// Everyone's usage right now (pods that a kubelet reports), by pod key.
pub fn current_usage(world: &World, now: SimTime) -> BTreeMap<ObjKey, Vec<ContainerUsage>> {
    let traffic = kube_proxy::distribute(world, now);
    world
        .api
        .store
        .pods()
        .filter(|p| reportable(world, p))
        .map(|p| {
            let key = ObjKey::new("Pod", p.metadata.namespace_or_default(), &p.metadata.name);
            let usage = pod_usage(p, traffic.get(&key), override_for(world, p));
            (key, usage)
        })
        .collect()
}

/// One scrape: read every kubelet, turn readings into samples (for pods and nodes that
/// were also seen at the previous scrape), and schedule the next scrape.
pub fn scrape(world: &World, now: SimTime) -> Vec<Effect> {
    let prev = &world.metrics;
    let usage = current_usage(world, now);
    let mut next = MetricsServerState {
        last_scrape: Some(now),
        ..MetricsServerState::default()
    };
    let mut node_totals: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for (name, agent) in &world.agents {
        if agent.kubelet_running && world.api.store.node_named(name).is_some() {
            node_totals.insert(name.clone(), NODE_SYSTEM_USAGE);
        }
    }
    for (key, containers) in usage {
        let node = world
            .api
            .store
            .pod(&key.namespace, &key.name)
            .and_then(|p| p.spec.node_name.clone())
            .unwrap_or_default();
        if let Some(t) = node_totals.get_mut(&node) {
            t.0 += containers.iter().map(|c| c.cpu).sum::<i64>();
            t.1 += containers.iter().map(|c| c.memory).sum::<i64>();
        }
        if let Some(since) = prev.seen.get(&key) {
            next.pods.insert(
                key.clone(),
                PodSample {
                    timestamp: now,
                    window: now.since(*since),
                    containers,
                },
            );
        }
        next.seen.insert(key, now);
    }
    for (node, (cpu, memory)) in node_totals {
        let key = ObjKey::new("Node", "", &node);
        if let Some(since) = prev.seen.get(&key) {
            next.nodes.insert(
                node.clone(),
                NodeSample {
                    timestamp: now,
                    window: now.since(*since),
                    cpu,
                    memory,
                },
            );
        }
        next.seen.insert(key, now);
    }
    vec![
        Effect::Metrics(Box::new(next)),
        Effect::Schedule {
            after: RESOLUTION,
            task: Task::MetricsScrape,
        },
    ]
}

/// The HPA's view (`metricsClient.GetResourceMetric`): per pod name, the summed value of
/// `resource` in milli-units (millicores, milli-bytes) with timestamp and window, for the
/// pods in `namespace` that `selects`.
pub fn resource_metrics(
    world: &World,
    namespace: &str,
    resource: &str,
    selects: impl Fn(&Pod) -> bool,
) -> crate::controllers::hpa::replica_calculator::PodMetrics {
    use crate::controllers::hpa::replica_calculator::PodMetric;
    world
        .metrics
        .pods
        .iter()
        .filter(|(k, _)| k.namespace == namespace)
        .filter_map(|(k, s)| {
            let pod = world.api.store.pod(namespace, &k.name)?;
            if !selects(pod) {
                return None;
            }
            let value = match resource {
                "cpu" => s.cpu(),
                "memory" => s.memory().saturating_mul(1000),
                _ => return None,
            };
            Some((
                k.name.clone(),
                PodMetric {
                    value,
                    timestamp: s.timestamp,
                    window: s.window,
                },
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::pod::ResourceRequirements;
    use crate::api::values::Quantity;

    fn pod(containers: &[(&str, Option<&str>)]) -> Pod {
        let mut p: Pod = serde_json::from_value(serde_json::json!({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": []}
        }))
        .unwrap();
        for (name, cpu_limit) in containers {
            let mut c: Container =
                serde_json::from_value(serde_json::json!({"name": name, "image": "x"})).unwrap();
            c.resources = ResourceRequirements::default();
            if let Some(l) = cpu_limit {
                c.resources
                    .limits
                    .insert("cpu".into(), Quantity(l.to_string()));
            }
            p.spec.containers.push(c);
        }
        p
    }

    #[test]
    fn idle_pods_use_the_baseline() {
        let u = pod_usage(&pod(&[("app", None), ("sidecar", None)]), None, None);
        assert_eq!(u[0].cpu, IDLE_CPU);
        assert_eq!(u[1].cpu, IDLE_CPU);
        assert_eq!(u[0].memory, IDLE_MEMORY);
        let sys = pod_usage(&pod(&[("kube-apiserver", None)]), None, None);
        assert_eq!(sys[0].cpu, 45);
    }

    #[test]
    fn traffic_costs_cpu_in_the_first_container_up_to_the_limit() {
        let t = PodTraffic {
            rps: 50.0,
            cpu: 100.0,
        };
        let u = pod_usage(&pod(&[("app", None), ("sidecar", None)]), Some(&t), None);
        assert_eq!(u[0].cpu, IDLE_CPU + 100);
        assert_eq!(u[0].memory, IDLE_MEMORY + 50 * MEMORY_PER_RPS);
        assert_eq!(u[1].cpu, IDLE_CPU);
        let t = PodTraffic {
            rps: 500.0,
            cpu: 1000.0,
        };
        let u = pod_usage(&pod(&[("app", Some("500m"))]), Some(&t), None);
        assert_eq!(u[0].cpu, 500, "throttled at the limit");
    }

    #[test]
    fn overrides_replace_the_model() {
        let o = UsageOverride {
            cpu: Some(250),
            memory: None,
        };
        let t = PodTraffic {
            rps: 50.0,
            cpu: 100.0,
        };
        let u = pod_usage(
            &pod(&[("app", None), ("sidecar", None)]),
            Some(&t),
            Some(&o),
        );
        assert_eq!((u[0].cpu, u[1].cpu), (250, 0));
        assert_eq!(u[0].memory, IDLE_MEMORY + 50 * MEMORY_PER_RPS);
    }
}
