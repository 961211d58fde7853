//! Container images and builds: Dockerfiles, OCI image data, base images and the builder.
//!
//! - [`dockerfile`]: parse, type, expand and lint Dockerfiles exactly as BuildKit does.
//! - [`oci`]: OCI descriptors, manifests and configs with canonical JSON and real sha256
//!   digests (DiffID vs compressed digest, ChainID, image ID).
//! - [`catalog`]: base images as data (layers, sizes, default config).
//! - [`dockerignore`]: `.dockerignore` matching (Go `filepath.Match`, `**`, `!`).
//! - [`builder`] and [`build_model`]: a pure `docker build` (cache keys, hits and misses
//!   with reasons, layer sizes, durations, output lines).
//! - [`conformance`]: glue for the `vectors/images.json` cases.

pub mod build_model;
pub mod builder;
pub mod catalog;
pub mod conformance;
pub mod dockerfile;
pub mod dockerignore;
pub mod oci;
