//! kube-apiserver: admission, validation and storage of objects, plus the allocators it
//! owns (Service cluster IPs and node ports). Everything that changes cluster state goes
//! through here, from kubectl and from controllers alike.

pub mod admission;
pub mod error;
pub mod eviction;
pub mod store;
pub mod validation;

pub use error::ApiError;
pub use store::{Change, ChangeType, ObjKey, Store};

use crate::api::meta::Timestamp;
use crate::api::{Object, kind_info};
use crate::rng::SimRng;
use crate::time::SimTime;
use serde::Serialize;

/// The API server's state: the object store.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ApiServer {
    /// Every object (etcd).
    pub store: Store,
}

/// The `kubernetes` Service's address: the first of `--service-cluster-ip-range`.
pub const KUBERNETES_SERVICE_IP: &str = "10.96.0.1";
/// CoreDNS's Service address, by kubeadm convention the tenth.
pub const DNS_SERVICE_IP: &str = "10.96.0.10";

impl ApiServer {
    /// An empty API server.
    pub fn new() -> Self {
        ApiServer {
            store: Store::new(),
        }
    }

    /// A free Service IP, picked at random from 10.96.0.0/16 like the API server's
    /// allocator (the seeded RNG keeps it reproducible).
    fn allocate_cluster_ip(&self, rng: &mut SimRng) -> String {
        let used: Vec<&str> = self
            .store
            .services()
            .filter_map(|s| s.spec.cluster_ip.as_deref())
            .collect();
        loop {
            let ip = format!("10.96.{}.{}", rng.below(256), 1 + rng.below(254));
            if !used.contains(&ip.as_str()) && ip != KUBERNETES_SERVICE_IP && ip != DNS_SERVICE_IP {
                return ip;
            }
        }
    }

    /// A free node port from the default range 30000-32767, picked at random.
    fn allocate_node_port(&self, rng: &mut SimRng) -> i64 {
        let used: Vec<i64> = self
            .store
            .services()
            .flat_map(|s| s.spec.ports.iter().filter_map(|p| p.node_port))
            .collect();
        loop {
            let port = 30000 + rng.below(2768) as i64;
            if !used.contains(&port) {
                return port;
            }
        }
    }

    fn resource_name(obj: &Object) -> String {
        obj.info().resource()
    }

    /// The admission + validation pipeline without storing: what `--dry-run=server` does.
    pub fn admit(&self, mut obj: Object) -> Result<Object, ApiError> {
        if obj.info().namespaced {
            let ns = obj.meta().namespace_or_default().to_string();
            if self.store.namespace("", &ns).is_none() {
                return Err(ApiError::NotFound {
                    resource: "namespaces".into(),
                    name: ns,
                });
            }
            obj.meta_mut().namespace = Some(ns);
        } else {
            obj.meta_mut().namespace = None;
        }
        admission::default_object(&mut obj);
        let causes = validation::validate(&obj);
        if !causes.is_empty() {
            return Err(ApiError::Invalid {
                kind: obj.info().kind.into(),
                name: obj.meta().name.clone(),
                causes,
            });
        }
        Ok(obj)
    }

    /// Creates an object: fills `uid`, `creationTimestamp`, `generation`, a generated
    /// name if asked, allocates Service IPs, and stores it.
    pub fn create(
        &mut self,
        obj: Object,
        now: SimTime,
        rng: &mut SimRng,
    ) -> Result<&Object, ApiError> {
        let mut obj = self.admit(obj)?;
        if obj.meta().name.is_empty() {
            let prefix = obj.meta().generate_name.clone().unwrap_or_default();
            obj.meta_mut().name = format!("{prefix}{}", rng.name_suffix(5));
        }
        let key = ObjKey::of(&obj);
        if self.store.contains(&key) {
            return Err(ApiError::AlreadyExists {
                resource: Self::resource_name(&obj),
                name: key.name,
            });
        }
        let meta = obj.meta_mut();
        meta.uid = rng.uuid();
        meta.creation_timestamp = Some(Timestamp(now));
        meta.generation = 1;
        meta.resource_version.clear();
        if let Object::Service(s) = &mut obj {
            let ty = s.spec.type_.clone().unwrap_or_default();
            if ty != "ExternalName" && s.spec.cluster_ip.is_none() {
                let ip = self.allocate_cluster_ip(rng);
                s.spec.cluster_ip = Some(ip.clone());
                s.spec.cluster_ips = vec![ip];
            }
            if ty == "NodePort" || ty == "LoadBalancer" {
                for i in 0..s.spec.ports.len() {
                    if s.spec.ports[i].node_port.is_none() {
                        let port = self.allocate_node_port(rng);
                        s.spec.ports[i].node_port = Some(port);
                    }
                }
            }
        }
        Ok(self.store.put(obj))
    }

    /// Replaces an existing object's spec and metadata (kubectl apply/edit/scale). Keeps
    /// the server-owned fields (uid, creation time, status) and bumps `generation` when the
    /// spec changed.
    pub fn update(&mut self, obj: Object) -> Result<&Object, ApiError> {
        let mut obj = self.admit(obj)?;
        let key = ObjKey::of(&obj);
        let Some(old) = self.store.get(&key) else {
            return Err(ApiError::NotFound {
                resource: Self::resource_name(&obj),
                name: key.name,
            });
        };
        immutable_fields(old, &obj)?;
        let spec_changed = spec_json(old) != spec_json(&obj);
        let old_meta = old.meta().clone();
        preserve_status(old, &mut obj);
        let meta = obj.meta_mut();
        meta.uid = old_meta.uid;
        meta.creation_timestamp = old_meta.creation_timestamp;
        meta.deletion_timestamp = meta.deletion_timestamp.or(old_meta.deletion_timestamp);
        meta.generation = if spec_changed {
            old_meta.generation + 1
        } else {
            old_meta.generation
        };
        if meta.owner_references.is_empty() {
            meta.owner_references = old_meta.owner_references;
        }
        Ok(self.store.put(obj))
    }

    /// Writes an object exactly as given (status updates from controllers and kubelets,
    /// which have already read the latest version).
    pub fn write(&mut self, obj: Object) -> &Object {
        self.store.put(obj)
    }

    /// Deletes an object. A pod bound to a node is deleted gracefully unless `force`: the
    /// API server only stamps `deletionTimestamp` and `deletionGracePeriodSeconds`, and the
    /// node's kubelet removes the object once its containers have stopped (which never
    /// happens if the node is dead: the pod then stays Terminating, as upstream).
    pub fn delete_with(
        &mut self,
        key: &ObjKey,
        now: SimTime,
        grace: Option<i64>,
    ) -> Result<Object, ApiError> {
        if let Some(Object::Pod(p)) = self.store.get(key) {
            let grace = grace.unwrap_or(p.spec.termination_grace_period_seconds.unwrap_or(30));
            if p.spec.node_name.is_some() && grace > 0 {
                let mut p = p.clone();
                if p.metadata.deletion_timestamp.is_none() {
                    p.metadata.deletion_timestamp = Some(Timestamp(now));
                    p.metadata.deletion_grace_period_seconds = Some(grace);
                    self.store.put(Object::Pod(p.clone()));
                }
                return Ok(Object::Pod(p));
            }
        }
        self.delete(key)
    }

    /// Removes an object now.
    pub fn delete(&mut self, key: &ObjKey) -> Result<Object, ApiError> {
        self.store.remove(key).ok_or_else(|| ApiError::NotFound {
            resource: kind_info(key.kind)
                .map(|k| k.resource())
                .unwrap_or_else(|| key.kind.to_string()),
            name: key.name.clone(),
        })
    }
}

/// True when `new` (admitted) asks for nothing `old` does not already have: same spec,
/// labels and annotations. `kubectl apply` reports such objects as `unchanged`.
pub fn same_desired_state(old: &Object, new: &Object) -> bool {
    spec_json(old) == spec_json(new)
        && old.meta().labels == new.meta().labels
        && old.meta().annotations == new.meta().annotations
}

/// Fields the API server refuses to change after creation (`ValidateDeploymentUpdate`,
/// `ValidatePodUpdate`): a workload's selector, and everything in a pod's spec except
/// container images and added tolerations.
fn immutable_fields(old: &Object, new: &Object) -> Result<(), ApiError> {
    let invalid = |cause: String| ApiError::Invalid {
        kind: new.info().kind.into(),
        name: new.meta().name.clone(),
        causes: vec![cause],
    };
    match (old, new) {
        (Object::Deployment(o), Object::Deployment(n)) if o.spec.selector != n.spec.selector => {
            Err(invalid(format!(
                "spec.selector: Invalid value: {}: field is immutable",
                serde_json::to_string(&n.spec.selector).unwrap_or_default()
            )))
        }
        (Object::ReplicaSet(o), Object::ReplicaSet(n)) if o.spec.selector != n.spec.selector => {
            Err(invalid(format!(
                "spec.selector: Invalid value: {}: field is immutable",
                serde_json::to_string(&n.spec.selector).unwrap_or_default()
            )))
        }
        (Object::Pod(o), Object::Pod(n)) => {
            let mut a = o.spec.clone();
            let b = &n.spec;
            for (ca, cb) in a.containers.iter_mut().zip(&b.containers) {
                ca.image = cb.image.clone();
            }
            for (ca, cb) in a.init_containers.iter_mut().zip(&b.init_containers) {
                ca.image = cb.image.clone();
            }
            let added_tolerations = b.tolerations.len() >= o.spec.tolerations.len()
                && o.spec.tolerations.iter().all(|t| b.tolerations.contains(t));
            if added_tolerations {
                a.tolerations = b.tolerations.clone();
            }
            a.active_deadline_seconds = b.active_deadline_seconds;
            if a.node_name.is_none() {
                a.node_name = b.node_name.clone();
            }
            if &a == b {
                Ok(())
            } else {
                Err(invalid(
                    "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)".into(),
                ))
            }
        }
        _ => Ok(()),
    }
}

fn spec_json(o: &Object) -> serde_json::Value {
    let mut v = o.to_json();
    if let Some(m) = v.as_object_mut() {
        m.remove("status");
        m.remove("metadata");
        m.remove("apiVersion");
        m.remove("kind");
    }
    v
}

/// Status is owned by controllers; a spec update never overwrites it.
fn preserve_status(old: &Object, new: &mut Object) {
    match (old, new) {
        (Object::Pod(o), Object::Pod(n)) => n.status = o.status.clone(),
        (Object::Node(o), Object::Node(n)) => n.status = o.status.clone(),
        (Object::Deployment(o), Object::Deployment(n)) => n.status = o.status.clone(),
        (Object::ReplicaSet(o), Object::ReplicaSet(n)) => n.status = o.status.clone(),
        (Object::Service(o), Object::Service(n)) => {
            n.status = o.status.clone();
            if n.spec.cluster_ip.is_none() {
                n.spec.cluster_ip = o.spec.cluster_ip.clone();
                n.spec.cluster_ips = o.spec.cluster_ips.clone();
            }
            for (np, op) in n.spec.ports.iter_mut().zip(&o.spec.ports) {
                if np.node_port.is_none() {
                    np.node_port = op.node_port;
                }
            }
        }
        (Object::HorizontalPodAutoscaler(o), Object::HorizontalPodAutoscaler(n)) => {
            n.status = o.status.clone()
        }
        (Object::PodDisruptionBudget(o), Object::PodDisruptionBudget(n)) => {
            n.status = o.status.clone()
        }
        _ => {}
    }
}
