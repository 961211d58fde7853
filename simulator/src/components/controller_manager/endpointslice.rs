//! The EndpointSlice controller (`pkg/controller/endpointslice`): for every Service with a
//! selector, publish the addresses of the pods it selects, marking which are ready.
//! kube-proxy sends traffic only to ready endpoints, which is how readiness probes and
//! rollouts keep traffic away from pods that cannot serve.

use crate::api::Object;
use crate::api::meta::{ObjectMeta, OwnerReference};
use crate::api::pod::Pod;
use crate::api::service::{Endpoint, EndpointConditions, EndpointPort, EndpointSlice, Service};
use crate::api::values::IntOrString;
use crate::apiserver::{Change, ObjKey};
use crate::effect::Effect;
use crate::event::{Component, EventDraft, ObjectRef, Source};
use crate::world::World;

/// Label tying a slice to its Service.
pub const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";

fn selects(svc: &Service, pod: &Pod) -> bool {
    !svc.spec.selector.is_empty()
        && svc.metadata.namespace_or_default() == pod.metadata.namespace_or_default()
        && svc
            .spec
            .selector
            .iter()
            .all(|(k, v)| pod.metadata.labels.get(k) == Some(v))
}

/// Service changes queue the Service; pod changes queue every Service in the pod's
/// namespace that selects it (or may have, before a label change).
pub fn watch(change: &Change, world: &World) -> Vec<ObjKey> {
    match &change.object {
        Object::Service(_) => vec![change.key.clone()],
        Object::Pod(p) => world
            .api
            .store
            .services()
            .filter(|s| {
                s.metadata.namespace_or_default() == p.metadata.namespace_or_default()
                    && !s.spec.selector.is_empty()
            })
            .map(|s| {
                ObjKey::new(
                    "Service",
                    s.metadata.namespace_or_default(),
                    &s.metadata.name,
                )
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The slice currently published for a Service.
pub fn slice_for<'a>(
    world: &'a World,
    namespace: &str,
    service: &str,
) -> Option<&'a EndpointSlice> {
    world.api.store.endpointslices().find(|e| {
        e.metadata.namespace_or_default() == namespace
            && e.metadata
                .labels
                .get(SERVICE_NAME_LABEL)
                .map(String::as_str)
                == Some(service)
    })
}

fn target_port(svc_port: &crate::api::service::ServicePort, pods: &[&Pod]) -> i64 {
    match &svc_port.target_port {
        Some(IntOrString::Int(p)) => *p,
        Some(IntOrString::Str(name)) => pods
            .iter()
            .flat_map(|p| p.spec.containers.iter())
            .flat_map(|c| c.ports.iter())
            .find(|cp| cp.name.as_deref() == Some(name.as_str()))
            .map(|cp| cp.container_port)
            .unwrap_or(svc_port.port),
        None => svc_port.port,
    }
}

/// Brings the Service's slice in line with the pods it selects.
pub fn reconcile(key: &ObjKey, world: &World) -> Vec<Effect> {
    let store = &world.api.store;
    let existing = slice_for(world, &key.namespace, &key.name);
    let Some(svc) = store.service(&key.namespace, &key.name) else {
        // Service gone: its slice is garbage-collected through the owner reference.
        return Vec::new();
    };
    if svc.spec.selector.is_empty() {
        return Vec::new();
    }
    let pods: Vec<&Pod> = store
        .pods()
        .filter(|p| {
            selects(svc, p)
                && p.status.pod_ip.is_some()
                && !matches!(
                    p.status.phase.as_deref(),
                    Some("Succeeded") | Some("Failed")
                )
        })
        .collect();
    let endpoints: Vec<Endpoint> = pods
        .iter()
        .map(|p| {
            let terminating = p.is_terminating();
            let ready = p.is_ready() && !terminating;
            Endpoint {
                addresses: vec![p.status.pod_ip.clone().unwrap_or_default()],
                conditions: EndpointConditions { ready, serving: Some(p.is_ready()), terminating: Some(terminating) },
                node_name: p.spec.node_name.clone(),
                target_ref: Some(serde_json::json!({
                    "kind": "Pod", "namespace": p.metadata.namespace_or_default(), "name": p.metadata.name, "uid": p.metadata.uid
                })),
            }
        })
        .collect();
    let ports: Vec<EndpointPort> = svc
        .spec
        .ports
        .iter()
        .map(|sp| EndpointPort {
            name: sp.name.clone().or(Some(String::new())),
            port: target_port(sp, &pods),
            protocol: sp.protocol.clone(),
        })
        .collect();
    let ready_ips: Vec<String> = endpoints
        .iter()
        .filter(|e| e.conditions.ready)
        .flat_map(|e| e.addresses.clone())
        .collect();
    let not_ready = endpoints.len() - ready_ips.len();
    let mut slice = match existing {
        Some(e) => e.clone(),
        None => EndpointSlice {
            api_version: "discovery.k8s.io/v1".into(),
            kind: "EndpointSlice".into(),
            metadata: ObjectMeta {
                generate_name: Some(format!("{}-", svc.metadata.name)),
                namespace: svc.metadata.namespace.clone(),
                labels: [
                    (SERVICE_NAME_LABEL.to_string(), svc.metadata.name.clone()),
                    (
                        "endpointslice.kubernetes.io/managed-by".to_string(),
                        "endpointslice-controller.k8s.io".to_string(),
                    ),
                ]
                .into_iter()
                .collect(),
                owner_references: vec![OwnerReference {
                    api_version: "v1".into(),
                    kind: "Service".into(),
                    name: svc.metadata.name.clone(),
                    uid: svc.metadata.uid.clone(),
                    controller: Some(true),
                    block_owner_deletion: Some(true),
                }],
                ..ObjectMeta::default()
            },
            address_type: "IPv4".into(),
            endpoints: Vec::new(),
            ports: Vec::new(),
        },
    };
    if existing.is_some() && slice.endpoints == endpoints && slice.ports == ports {
        return Vec::new();
    }
    let before_ready: Vec<String> = slice
        .endpoints
        .iter()
        .filter(|e| e.conditions.ready)
        .flat_map(|e| e.addresses.clone())
        .collect();
    slice.endpoints = endpoints;
    slice.ports = ports;
    let mut out = Vec::new();
    let changed_ready = before_ready != ready_ips || existing.is_none();
    if changed_ready {
        let list = if ready_ips.is_empty() {
            "no ready pods: traffic to it fails until one is ready".to_string()
        } else {
            ready_ips.join(", ")
        };
        out.push(Effect::Emit(EventDraft::new(
            Source::of(Component::KubeControllerManager),
            ObjectRef::namespaced("service", &key.namespace, &key.name),
            "EndpointsUpdated",
            format!(
                "endpointslice-controller: Service {} now routes to {} ready endpoint(s): {list}{}",
                key.name,
                ready_ips.len(),
                if not_ready > 0 {
                    format!(" ({not_ready} selected pod(s) not ready, so they get no traffic)")
                } else {
                    String::new()
                }
            ),
        )));
    }
    if existing.is_some() {
        out.push(Effect::Write(Box::new(Object::EndpointSlice(slice))));
    } else {
        out.push(Effect::Create(Box::new(Object::EndpointSlice(slice))));
    }
    out
}
