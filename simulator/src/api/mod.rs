//! The Kubernetes API objects the simulator serves, shaped like the real API
//! (`k8s.io/api`), with strict decoding from manifests.
//!
//! Typed fields are the ones the simulation acts on; real fields it does not simulate
//! are accepted as opaque JSON so manifests from the Kubernetes docs apply unchanged.

pub mod config;
pub mod manifest;
pub mod meta;
pub mod node;
pub mod object;
pub mod pod;
pub mod policy;
pub mod scheduling;
pub mod selector;
pub mod service;
pub mod values;
pub mod workloads;

pub use meta::{ObjectMeta, OwnerReference, Timestamp};
pub use object::{KINDS, KindInfo, Object, kind_by_name, kind_info};
