//! The deployment controller's rules (`pkg/controller/deployment`): rolling-update math
//! and rollout progress conditions.

pub mod progress;
pub mod rolling;

pub use rolling::{DeploymentView, ReplicaSetView, StrategyType, resolve_fenceposts};
