//! Effects and tasks: the data components hand back to the engine.
//!
//! Components never mutate the world; they describe what should happen. The engine applies
//! each effect in order and logs it, which keeps causes visible and replay exact.

use crate::api::Object;
use crate::event::EventDraft;
use crate::time::SimDuration;

/// Work scheduled for a future instant. Ordered in the queue by `(time, seq)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Task {
    /// A kubelet posts its node status (every `nodeStatusUpdateFrequency`, 10 s).
    KubeletHeartbeat {
        /// Node whose kubelet reports.
        node: String,
    },
}

/// A change the engine should make.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Append an event to the log.
    Emit(EventDraft),
    /// Run `task` after `after` from now.
    Schedule {
        /// Delay from the current instant.
        after: SimDuration,
        /// What to run.
        task: Task,
    },
    /// Create an object through the API server (admission, validation, storage).
    Create(Box<Object>),
    /// A node's agents came up: track its kubelet and pod network.
    AgentJoined {
        /// Node name.
        node: String,
        /// Node index (fixes its pod CIDR).
        index: u32,
    },
    /// Pod IPs up to `.last` on `node` are taken.
    PodIpsUsed {
        /// Node name.
        node: String,
        /// Last host octet in use.
        last: u32,
    },
    /// Record a node's status post.
    NodeHeartbeat {
        /// Node name.
        node: String,
    },
}
