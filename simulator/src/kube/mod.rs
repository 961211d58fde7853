//! Kubernetes API types and the pure helpers upstream keeps next to them.
//!
//! Everything here mirrors a piece of `kubernetes/api`, `kubernetes/apimachinery` or
//! `kubernetes/component-helpers`; each file cites its source. Nothing here reads state:
//! the scheduler, controllers and kubelet call these functions with plain values.

pub mod image_ref;
pub mod intstr;
pub mod label_selector;
pub mod node_affinity;
pub mod quantity;
pub mod resources;
pub mod taint;

pub use image_ref::{ImageRef, PullPolicy, default_pull_policy, parse_image_name};
pub use intstr::{IntOrString, get_scaled_value_from_int_or_percent};
pub use label_selector::{LabelSelector, Selector};
pub use node_affinity::{NodeSelector, NodeSelectorRequirement, NodeSelectorTerm};
pub use quantity::{Quantity, QuantityError};
pub use resources::{Resource, ResourceList};
pub use taint::{Taint, TaintEffect, Toleration, TolerationOperator};
