//! The container image side of the world: the Docker daemon on the learner's machine
//! ([`daemon`]), registries as content stores ([`registry`]), registry credentials
//! ([`auth`]) and ECR's scan on push ([`scan`]).

pub mod auth;
pub mod daemon;
pub mod registry;
pub mod scan;
