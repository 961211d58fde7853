//! The append-only event log and its digest.

use crate::event::{Event, EventDraft};
use crate::time::SimTime;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// Every event the simulation produced, in order. Nothing is ever removed or rewritten.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EventLog {
    events: Vec<Event>,
}

impl EventLog {
    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a draft at time `at`, giving it the next sequence number.
    pub fn append(&mut self, at: SimTime, draft: EventDraft) -> &Event {
        let seq = self.events.len() as u64;
        self.events.push(Event {
            seq,
            at,
            source: draft.source,
            object: draft.object,
            kind: draft.kind,
            reason: draft.reason,
            detail: draft.detail,
        });
        &self.events[self.events.len() - 1]
    }

    /// All events, oldest first.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Events with `seq >= from`.
    pub fn since(&self, from: u64) -> &[Event] {
        let from = (from as usize).min(self.events.len());
        &self.events[from..]
    }

    /// Number of events.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// True when nothing has happened yet.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The log as JSON Lines: one compact JSON object per event, in order. This is the
    /// canonical byte form that the digest covers.
    pub fn to_jsonl(&self) -> String {
        let mut out = String::new();
        for e in &self.events {
            // Serialising plain structs of strings and integers cannot fail.
            out.push_str(&serde_json::to_string(e).unwrap_or_default());
            out.push('\n');
        }
        out
    }

    /// Hex SHA-256 of [`EventLog::to_jsonl`]: equal digests mean byte-identical logs.
    pub fn digest(&self) -> String {
        let mut h = Sha256::new();
        for e in &self.events {
            h.update(serde_json::to_vec(e).unwrap_or_default());
            h.update(b"\n");
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}
