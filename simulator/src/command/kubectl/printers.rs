//! Table columns for `kubectl get`, per kind, as kubectl's server-side printers
//! (`pkg/printers/internalversion/printers.go`) produce them.

use crate::api::Object;
use crate::api::node::Node;
use crate::api::pod::Pod;
use crate::api::workloads::PodTemplateSpec;
use crate::format::human_duration;
use crate::time::SimTime;

/// Header and one row of cells for an object, `wide` adding the `-o wide` columns.
pub fn columns(kind: &str, wide: bool) -> Vec<&'static str> {
    let (base, extra): (&[&str], &[&str]) = match kind {
        "Node" => (
            &["NAME", "STATUS", "ROLES", "AGE", "VERSION"],
            &[
                "INTERNAL-IP",
                "EXTERNAL-IP",
                "OS-IMAGE",
                "KERNEL-VERSION",
                "CONTAINER-RUNTIME",
            ],
        ),
        "Pod" => (
            &["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
            &["IP", "NODE", "NOMINATED NODE", "READINESS GATES"],
        ),
        "Deployment" => (
            &["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"],
            &["CONTAINERS", "IMAGES", "SELECTOR"],
        ),
        "ReplicaSet" => (
            &["NAME", "DESIRED", "CURRENT", "READY", "AGE"],
            &["CONTAINERS", "IMAGES", "SELECTOR"],
        ),
        "Service" => (
            &[
                "NAME",
                "TYPE",
                "CLUSTER-IP",
                "EXTERNAL-IP",
                "PORT(S)",
                "AGE",
            ],
            &["SELECTOR"],
        ),
        "EndpointSlice" => (&["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"], &[]),
        "ConfigMap" => (&["NAME", "DATA", "AGE"], &[]),
        "Secret" => (&["NAME", "TYPE", "DATA", "AGE"], &[]),
        "Namespace" => (&["NAME", "STATUS", "AGE"], &[]),
        "HorizontalPodAutoscaler" => (
            &[
                "NAME",
                "REFERENCE",
                "TARGETS",
                "MINPODS",
                "MAXPODS",
                "REPLICAS",
                "AGE",
            ],
            &[],
        ),
        "PodDisruptionBudget" => (
            &[
                "NAME",
                "MIN AVAILABLE",
                "MAX UNAVAILABLE",
                "ALLOWED DISRUPTIONS",
                "AGE",
            ],
            &[],
        ),
        _ => (&["NAME", "AGE"], &[]),
    };
    let mut v = base.to_vec();
    if wide {
        v.extend_from_slice(extra);
    }
    v
}

fn age(o: &Object, now: SimTime) -> String {
    o.meta()
        .creation_timestamp
        .map(|t| human_duration(now.since(t.0)))
        .unwrap_or_else(|| "<unknown>".into())
}

fn or_none(s: Option<&str>) -> String {
    s.filter(|s| !s.is_empty()).unwrap_or("<none>").to_string()
}

/// The STATUS column of a node: `Ready`, `NotReady`, `Unknown`, plus
/// `,SchedulingDisabled` when cordoned.
pub fn node_status(n: &Node) -> String {
    let mut s = match n.ready_status() {
        Some("True") => "Ready".to_string(),
        Some("Unknown") | Some("False") => "NotReady".to_string(),
        _ => "Unknown".to_string(),
    };
    if n.spec.unschedulable {
        s.push_str(",SchedulingDisabled");
    }
    s
}

/// The STATUS column of a pod (kubectl's `printPod`): the waiting or terminated reason
/// of a container if any, else the phase; `Terminating` while being deleted.
pub fn pod_status(p: &Pod) -> String {
    let mut reason = p
        .status
        .reason
        .clone()
        .or_else(|| p.status.phase.clone())
        .unwrap_or_else(|| "Pending".into());
    for (i, cs) in p.status.init_container_statuses.iter().enumerate() {
        if let Some(w) = cs.state.waiting.as_ref().and_then(|w| w.reason.clone())
            && w != "PodInitializing"
        {
            reason = format!("Init:{w}");
            break;
        }
        if cs.state.terminated.is_none() {
            reason = format!("Init:{i}/{}", p.spec.init_containers.len());
            break;
        }
    }
    let mut has_running = false;
    for cs in p.status.container_statuses.iter().rev() {
        if let Some(w) = cs.state.waiting.as_ref().and_then(|w| w.reason.clone()) {
            reason = w;
        } else if let Some(t) = &cs.state.terminated {
            reason = t
                .get("reason")
                .and_then(|r| r.as_str())
                .map(String::from)
                .unwrap_or_else(|| {
                    format!(
                        "ExitCode:{}",
                        t.get("exitCode").and_then(|c| c.as_i64()).unwrap_or(0)
                    )
                });
        } else if cs.ready && cs.state.running.is_some() {
            has_running = true;
        }
    }
    if reason == "Completed" && has_running {
        reason = "Running".into();
    }
    if p.metadata.deletion_timestamp.is_some() {
        reason = "Terminating".into();
    }
    reason
}

fn template_cols(t: &PodTemplateSpec, selector: String) -> Vec<String> {
    vec![
        t.spec
            .containers
            .iter()
            .map(|c| c.name.clone())
            .collect::<Vec<_>>()
            .join(","),
        t.spec
            .containers
            .iter()
            .map(|c| c.image.clone())
            .collect::<Vec<_>>()
            .join(","),
        selector,
    ]
}

/// Cells for one object.
pub fn row(o: &Object, now: SimTime, wide: bool) -> Vec<String> {
    let name = o.meta().name.clone();
    let age = age(o, now);
    let (mut cells, extra): (Vec<String>, Vec<String>) = match o {
        Object::Node(n) => (
            vec![
                name,
                node_status(n),
                n.roles(),
                age,
                n.status.node_info.kubelet_version.clone(),
            ],
            vec![
                or_none(
                    n.status
                        .addresses
                        .iter()
                        .find(|a| a.type_ == "InternalIP")
                        .map(|a| a.address.as_str()),
                ),
                or_none(
                    n.status
                        .addresses
                        .iter()
                        .find(|a| a.type_ == "ExternalIP")
                        .map(|a| a.address.as_str()),
                ),
                n.status.node_info.os_image.clone(),
                n.status.node_info.kernel_version.clone(),
                n.status.node_info.container_runtime_version.clone(),
            ],
        ),
        Object::Pod(p) => {
            let ready = p
                .status
                .container_statuses
                .iter()
                .filter(|c| c.ready)
                .count();
            let restarts: i64 = p
                .status
                .container_statuses
                .iter()
                .map(|c| c.restart_count)
                .sum();
            (
                vec![
                    name,
                    format!("{ready}/{}", p.spec.containers.len()),
                    pod_status(p),
                    restarts.to_string(),
                    age,
                ],
                vec![
                    or_none(p.status.pod_ip.as_deref()),
                    or_none(p.spec.node_name.as_deref()),
                    or_none(p.status.nominated_node_name.as_deref()),
                    "<none>".into(),
                ],
            )
        }
        Object::Deployment(d) => (
            vec![
                name,
                format!(
                    "{}/{}",
                    d.status.ready_replicas,
                    d.spec.replicas.unwrap_or(1)
                ),
                d.status.updated_replicas.to_string(),
                d.status.available_replicas.to_string(),
                age,
            ],
            template_cols(&d.spec.template, d.spec.selector.to_selector_string()),
        ),
        Object::ReplicaSet(rs) => (
            vec![
                name,
                rs.spec.replicas.unwrap_or(1).to_string(),
                rs.status.replicas.to_string(),
                rs.status.ready_replicas.to_string(),
                age,
            ],
            template_cols(&rs.spec.template, rs.spec.selector.to_selector_string()),
        ),
        Object::Service(s) => {
            let ty = s.spec.type_.clone().unwrap_or_else(|| "ClusterIP".into());
            let external = match ty.as_str() {
                "LoadBalancer" => s
                    .status
                    .load_balancer
                    .as_ref()
                    .and_then(|lb| {
                        lb.pointer("/ingress/0/ip")
                            .or_else(|| lb.pointer("/ingress/0/hostname"))
                    })
                    .and_then(|v| v.as_str())
                    .map(String::from)
                    .unwrap_or_else(|| "<pending>".into()),
                "ExternalName" => s.spec.external_name.clone().unwrap_or_default(),
                _ => "<none>".into(),
            };
            let ports: Vec<String> = s
                .spec
                .ports
                .iter()
                .map(|p| {
                    let proto = p.protocol.as_deref().unwrap_or("TCP");
                    match p.node_port {
                        Some(np) if ty != "ClusterIP" => format!("{}:{np}/{proto}", p.port),
                        _ => format!("{}/{proto}", p.port),
                    }
                })
                .collect();
            let selector: Vec<String> = s
                .spec
                .selector
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            (
                vec![
                    name,
                    ty,
                    or_none(s.spec.cluster_ip.as_deref()),
                    external,
                    if ports.is_empty() {
                        "<none>".into()
                    } else {
                        ports.join(",")
                    },
                    age,
                ],
                vec![if selector.is_empty() {
                    "<none>".into()
                } else {
                    selector.join(",")
                }],
            )
        }
        Object::EndpointSlice(e) => {
            let addrs: Vec<&str> = e
                .endpoints
                .iter()
                .filter(|ep| ep.conditions.ready)
                .flat_map(|ep| ep.addresses.iter().map(String::as_str))
                .collect();
            let ports: Vec<String> = e.ports.iter().map(|p| p.port.to_string()).collect();
            let shown = if addrs.is_empty() {
                "<none>".to_string()
            } else if addrs.len() > 3 {
                format!("{} + {} more...", addrs[..3].join(","), addrs.len() - 3)
            } else {
                addrs.join(",")
            };
            (
                vec![
                    name,
                    e.address_type.clone(),
                    if ports.is_empty() {
                        "<unset>".into()
                    } else {
                        ports.join(",")
                    },
                    shown,
                    age,
                ],
                vec![],
            )
        }
        Object::ConfigMap(c) => (
            vec![name, (c.data.len() + c.binary_data.len()).to_string(), age],
            vec![],
        ),
        Object::Secret(s) => (
            vec![
                name,
                s.type_.clone().unwrap_or_else(|| "Opaque".into()),
                (s.data.len() + s.string_data.len()).to_string(),
                age,
            ],
            vec![],
        ),
        Object::Namespace(n) => (
            vec![
                name,
                n.status
                    .as_ref()
                    .and_then(|s| s.get("phase"))
                    .and_then(|p| p.as_str())
                    .unwrap_or("Active")
                    .to_string(),
                age,
            ],
            vec![],
        ),
        Object::HorizontalPodAutoscaler(h) => {
            let targets: Vec<String> = h
                .spec
                .metrics
                .iter()
                .filter_map(|m| m.resource.as_ref())
                .map(|r| {
                    let current = h
                        .status
                        .current_metrics
                        .as_ref()
                        .and_then(|cm| cm.as_array())
                        .and_then(|a| {
                            a.iter().find(|m| {
                                m.pointer("/resource/name").and_then(|n| n.as_str())
                                    == Some(r.name.as_str())
                            })
                        })
                        .and_then(|m| {
                            if r.target.average_value.is_some() {
                                // AverageValue targets show the raw per-pod value.
                                m.pointer("/resource/current/averageValue")
                                    .and_then(|v| v.as_str())
                                    .map(String::from)
                            } else {
                                m.pointer("/resource/current/averageUtilization")
                                    .and_then(|v| v.as_i64())
                                    .map(|v| format!("{v}%"))
                            }
                        })
                        .unwrap_or_else(|| "<unknown>".into());
                    let target = r
                        .target
                        .average_utilization
                        .map(|u| format!("{u}%"))
                        .or_else(|| r.target.average_value.as_ref().map(|q| q.0.clone()))
                        .unwrap_or_default();
                    format!("{}: {current}/{target}", r.name)
                })
                .collect();
            (
                vec![
                    name,
                    format!(
                        "{}/{}",
                        h.spec.scale_target_ref.kind, h.spec.scale_target_ref.name
                    ),
                    if targets.is_empty() {
                        "<none>".into()
                    } else {
                        targets.join(", ")
                    },
                    h.spec.min_replicas.unwrap_or(1).to_string(),
                    h.spec.max_replicas.to_string(),
                    h.status.current_replicas.to_string(),
                    age,
                ],
                vec![],
            )
        }
        Object::PodDisruptionBudget(p) => (
            vec![
                name,
                p.spec
                    .min_available
                    .as_ref()
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| "N/A".into()),
                p.spec
                    .max_unavailable
                    .as_ref()
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| "N/A".into()),
                p.status.disruptions_allowed.to_string(),
                age,
            ],
            vec![],
        ),
    };
    if wide {
        cells.extend(extra);
    }
    cells
}
