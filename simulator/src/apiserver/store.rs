//! The API server's object store, standing in for etcd: every object keyed by kind,
//! namespace and name, a global `resourceVersion`, and a change feed that plays the role
//! of watches (controllers are woken by it, the way informers wake them upstream).

use crate::api::Object;
use crate::api::config::{ConfigMap, Namespace, Secret};
use crate::api::node::Node;
use crate::api::pod::Pod;
use crate::api::policy::{HorizontalPodAutoscaler, PodDisruptionBudget};
use crate::api::service::{EndpointSlice, Service};
use crate::api::workloads::{Deployment, ReplicaSet};
use serde::ser::{Serialize, SerializeSeq, Serializer};
use std::collections::BTreeMap;

/// Where an object lives: kind, namespace (empty for cluster-scoped kinds) and name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjKey {
    /// `Pod`, `Deployment` …
    pub kind: &'static str,
    /// Namespace, or empty.
    pub namespace: String,
    /// Name.
    pub name: String,
}

impl ObjKey {
    /// A key.
    pub fn new(kind: &'static str, namespace: &str, name: &str) -> Self {
        ObjKey {
            kind,
            namespace: namespace.to_string(),
            name: name.to_string(),
        }
    }

    /// The key of an object.
    pub fn of(obj: &Object) -> Self {
        let info = obj.info();
        let ns = if info.namespaced {
            obj.meta().namespace_or_default().to_string()
        } else {
            String::new()
        };
        ObjKey {
            kind: info.kind,
            namespace: ns,
            name: obj.meta().name.clone(),
        }
    }
}

impl Serialize for ObjKey {
    /// Keys serialise as their display form (`default/pod/web-1`), so maps keyed by them
    /// are JSON objects.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl std::fmt::Display for ObjKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = self.kind.to_ascii_lowercase();
        if self.namespace.is_empty() {
            write!(f, "{kind}/{}", self.name)
        } else {
            write!(f, "{}/{kind}/{}", self.namespace, self.name)
        }
    }
}

/// What happened to an object (a watch event type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeType {
    /// Created.
    Added,
    /// Updated (spec, status or metadata).
    Modified,
    /// Removed.
    Deleted,
}

/// One entry of the change feed.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// What happened.
    pub kind: ChangeType,
    /// Which object.
    pub key: ObjKey,
    /// The object after the change (before it, for deletions).
    pub object: Object,
}

/// All objects plus the resourceVersion counter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Store {
    objects: BTreeMap<ObjKey, Object>,
    resource_version: u64,
    changes: Vec<Change>,
}

impl Serialize for Store {
    /// The store serialises as its objects in key order (for fingerprints and snapshots).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.objects.len()))?;
        for o in self.objects.values() {
            seq.serialize_element(o)?;
        }
        seq.end()
    }
}

macro_rules! typed_access {
    ($list:ident, $get:ident, $variant:ident, $ty:ty, $kind:literal) => {
        /// Every object of this kind, in namespace/name order.
        pub fn $list(&self) -> impl Iterator<Item = &$ty> {
            self.of_kind($kind).filter_map(|o| match o {
                Object::$variant(x) => Some(x),
                _ => None,
            })
        }

        /// One object of this kind.
        pub fn $get(&self, namespace: &str, name: &str) -> Option<&$ty> {
            match self.objects.get(&ObjKey::new($kind, namespace, name)) {
                Some(Object::$variant(x)) => Some(x),
                _ => None,
            }
        }
    };
}

impl Store {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// The current global resourceVersion (etcd's revision).
    pub fn resource_version(&self) -> u64 {
        self.resource_version
    }

    /// Looks up an object.
    pub fn get(&self, key: &ObjKey) -> Option<&Object> {
        self.objects.get(key)
    }

    /// True if the object exists.
    pub fn contains(&self, key: &ObjKey) -> bool {
        self.objects.contains_key(key)
    }

    /// Every object of `kind`, in namespace/name order.
    pub fn of_kind(&self, kind: &'static str) -> impl Iterator<Item = &Object> {
        let start = ObjKey::new(kind, "", "");
        self.objects
            .range(start..)
            .take_while(move |(k, _)| k.kind == kind)
            .map(|(_, v)| v)
    }

    /// Writes an object (create or replace), stamping a new resourceVersion, and records
    /// the change. Returns the stored object.
    pub fn put(&mut self, mut obj: Object) -> &Object {
        self.resource_version += 1;
        obj.meta_mut().resource_version = self.resource_version.to_string();
        obj.set_type_meta();
        let key = ObjKey::of(&obj);
        let kind = if self.objects.contains_key(&key) {
            ChangeType::Modified
        } else {
            ChangeType::Added
        };
        self.changes.push(Change {
            kind,
            key: key.clone(),
            object: obj.clone(),
        });
        self.objects.insert(key.clone(), obj);
        &self.objects[&key]
    }

    /// Removes an object, recording the change.
    pub fn remove(&mut self, key: &ObjKey) -> Option<Object> {
        let obj = self.objects.remove(key)?;
        self.resource_version += 1;
        self.changes.push(Change {
            kind: ChangeType::Deleted,
            key: key.clone(),
            object: obj.clone(),
        });
        Some(obj)
    }

    /// Takes the changes recorded since the last call (the engine dispatches them to
    /// watchers).
    pub fn drain_changes(&mut self) -> Vec<Change> {
        std::mem::take(&mut self.changes)
    }

    /// Number of objects.
    pub fn len(&self) -> usize {
        self.objects.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    typed_access!(namespaces, namespace, Namespace, Namespace, "Namespace");
    typed_access!(nodes, node, Node, Node, "Node");
    typed_access!(pods, pod, Pod, Pod, "Pod");
    typed_access!(services, service, Service, Service, "Service");
    typed_access!(configmaps, configmap, ConfigMap, ConfigMap, "ConfigMap");
    typed_access!(secrets, secret, Secret, Secret, "Secret");
    typed_access!(
        deployments,
        deployment,
        Deployment,
        Deployment,
        "Deployment"
    );
    typed_access!(
        replicasets,
        replicaset,
        ReplicaSet,
        ReplicaSet,
        "ReplicaSet"
    );
    typed_access!(
        endpointslices,
        endpointslice,
        EndpointSlice,
        EndpointSlice,
        "EndpointSlice"
    );
    typed_access!(
        hpas,
        hpa,
        HorizontalPodAutoscaler,
        HorizontalPodAutoscaler,
        "HorizontalPodAutoscaler"
    );
    typed_access!(
        pdbs,
        pdb,
        PodDisruptionBudget,
        PodDisruptionBudget,
        "PodDisruptionBudget"
    );

    /// A node by name (cluster-scoped convenience).
    pub fn node_named(&self, name: &str) -> Option<&Node> {
        self.node("", name)
    }
}
