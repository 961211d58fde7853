//! The simulated components. Each one reads the world and returns effects as data; only the
//! engine applies them. One file per component, named after its real counterpart.

pub mod aws;
pub mod bootstrap;
pub mod cluster_autoscaler;
pub mod controller_manager;
pub mod docker;
pub mod kube_proxy;
pub mod kubelet;
pub mod metrics_server;
pub mod scheduler;
