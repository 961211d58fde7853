//! # Shipshape's simulator
//!
//! A deterministic model of a container platform that runs the same natively and in the
//! browser (wasm32). State is a function of three things: a [`Scenario`], a seed and the
//! journal of commands the learner ran. Same inputs ⇒ byte-identical [`EventLog`].
//!
//! A short tour:
//! - [`time`]: virtual time ([`SimTime`], [`SimDuration`]); no clocks anywhere.
//! - [`rng`]: the one seeded, portable RNG ([`SimRng`], ChaCha8).
//! - [`event`] and [`log`]: structured events and the append-only log with its digest.
//! - [`world`]: the state: cluster, nodes, pods, registries, workspace files.
//! - [`components`]: kubelet, bootstrap …; each returns [`effect::Effect`]s as data.
//! - [`simulation`]: the engine that owns everything and applies effects.
//! - [`command`]: the learner's syntax (`sim`, `kubectl`, `ls`, `cat`, `help`).
//! - [`ecs`] and [`cost`]: the AWS side: ECS (EC2 and Fargate), load balancers, EKS,
//!   and the meter that prices it all over virtual time.
//! - [`check`]: [`Query`] and [`Check`], the data lessons use for trackers and goals.
//! - [`script`] and [`timeline`]: transcripts, and seeking back and forth exactly.
//! - [`base64`]: RFC 4648 base64, standard and URL-safe; the workspace's only copy, used
//!   for Secrets and registry credentials here and for share links in the app.
//!
//! Determinism is enforced, not hoped for: `clippy.toml` bans hash maps, clocks and
//! OS-seeded RNGs in this crate, and `cargo xtask test` fails if `getrandom` enters its
//! dependency tree.

pub mod api;
pub mod apiserver;
pub mod base64;
pub mod check;
pub mod command;
pub mod compare;
pub mod components;
pub mod conformance;
pub mod controllers;
pub mod cost;
pub mod ecs;
pub mod effect;
pub mod event;
pub mod format;
pub mod image;
pub mod kube;
pub mod kubelet;
pub mod load;
pub mod log;
pub mod rng;
pub mod scenario;
pub mod scheduler;
pub mod script;
pub mod simulation;
pub mod time;
pub mod timeline;
pub mod workspace;
pub mod world;

pub use check::NodeRole;
pub use check::{Check, CheckOutcome, Op, Query, Value};
pub use command::{Command, CommandError};
pub use event::{Component, Event, ObjectRef, Source};
pub use log::EventLog;
pub use rng::SimRng;
pub use scenario::Scenario;
pub use script::{Transcript, run_script};
pub use simulation::{Applied, Journal, ReplayError, Simulation};
pub use time::{SimDuration, SimTime};
pub use timeline::Timeline;
pub use workspace::Workspace;
pub use world::World;
