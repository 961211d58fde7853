//! kube-scheduler's rules as plain functions: the framework's vocabulary, how many nodes
//! to look at, and the default Filter/Score plugins. The simulation's scheduler component
//! calls these with a [`framework::PodInfo`] and one [`framework::NodeInfo`] per node and
//! records every plugin's verdict, so the UI can explain each decision.

pub mod bench;
pub mod cycle;
pub mod feasible;
pub mod framework;
pub mod plugins;

pub use feasible::num_feasible_nodes_to_find;
pub use framework::{
    Code, NodeInfo, NodeName, PodInfo, Status, default_normalize_score, fit_error_message,
};
