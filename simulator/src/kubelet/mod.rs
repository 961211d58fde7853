//! The kubelet's pure rules: back-off timers, how a pod's phase follows from its container
//! states, and the API defaults the kubelet relies on. The node agent's task handler
//! (`components::kubelet`) calls these; nothing here touches the world.

pub mod backoff;
pub mod defaults;
pub mod pod_phase;

pub use backoff::Backoff;
pub use pod_phase::{ContainerState, PodPhase, get_phase};
