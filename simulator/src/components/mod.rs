//! The simulated components. Each one reads the world and returns effects as data; only the
//! engine applies them. One file per component, named after its real counterpart.

pub mod bootstrap;
pub mod controller_manager;
pub mod kubelet;
pub mod scheduler;
