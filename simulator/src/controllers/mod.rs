//! Controller-manager rules as plain functions: the deployment controller's rollout math
//! and the horizontal pod autoscaler's calculations. The controller components in the
//! simulation call these and turn the results into effects. (NoExecute taint eviction
//! lives with the taint types in [`crate::kube::taint`].)

pub mod deployment;
pub mod hpa;
