//! The default in-tree plugins the simulator models, one file each, named after the
//! upstream folders under `pkg/scheduler/framework/plugins/`.

pub mod balanced_allocation;
pub mod image_locality;
pub mod node_affinity;
pub mod node_name;
pub mod node_resources_fit;
pub mod node_unschedulable;
pub mod taint_toleration;
