//! Instructor-led workshops (issue #8), the browser side of the server's workshop API
//! (`server/src/workshop/`, README "The workshop API").
//!
//! - [`Membership`] is what a student keeps after joining (`localStorage`,
//!   [`STORAGE_KEY`]); [`WorkshopHandle`] holds it for the whole app, with the quiet
//!   "offline" flag and the latest live broadcast.
//! - [`sse`] parses Server-Sent Events (pure, tested natively); [`client`] talks to the
//!   API with `fetch` (JSON calls, the streamed event bodies, progress reports).
//! - [`model`] has the API's shapes and the rules the pages apply to them (who is
//!   stuck, what a broadcast does to a simulation), plain Rust tested natively.
//! - [`banner::WorkshopBanner`] (placed once in `App`) listens to the student stream and
//!   applies broadcasts to the page's simulation.
//! - [`active_time::ActiveTime`] measures the time a student spends on a lesson page
//!   (visible time only) for the `time` reports the lesson player sends.

pub mod active_time;
pub mod banner;
pub mod client;
pub mod model;
pub mod sse;

use std::cell::Cell;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use self::model::Broadcast;

/// The `localStorage` key a joined workshop is kept under.
pub const STORAGE_KEY: &str = "shipshape.workshop.v1";

/// What a student keeps after joining: enough to report progress and listen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    /// The workshop's id (16 hex digits).
    pub workshop_id: String,
    /// The workshop's title.
    pub title: String,
    /// The workshop's lesson ids, in order.
    pub lessons: Vec<String>,
    /// The sandbox scenario the instructor chose.
    pub preset: String,
    /// This student's id.
    pub student_id: String,
    /// The display name joined with.
    pub name: String,
    /// The student's bearer token (shown once by the server).
    pub token: String,
}

impl Membership {
    /// Builds the membership from `POST /api/join`'s answer.
    pub fn from_joined(joined: model::Joined) -> Self {
        Membership {
            workshop_id: joined.workshop.id,
            title: joined.workshop.title,
            lessons: joined.workshop.lessons,
            preset: joined.workshop.preset,
            student_id: joined.student_id,
            name: joined.name,
            token: joined.token,
        }
    }

    /// Reads a stored membership; `None` for anything unreadable.
    pub fn from_json(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }

    /// The stored form.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The sandbox link for the workshop's preset.
    pub fn sandbox_href(&self) -> String {
        format!("/sandbox?scenario={}", self.preset)
    }
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

thread_local! {
    static HANDLE: Cell<Option<WorkshopHandle>> = const { Cell::new(None) };
}

/// Context newtype: the joined workshop (if any), provided once by `App`.
#[derive(Clone, Copy)]
pub struct WorkshopHandle {
    membership: RwSignal<Option<Membership>>,
    offline: RwSignal<bool>,
    broadcast: RwSignal<Option<Broadcast>>,
}

impl WorkshopHandle {
    /// Loads the membership from `localStorage` and provides the handle as context.
    pub fn provide() -> Self {
        let stored = local_storage()
            .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
            .and_then(|text| Membership::from_json(&text));
        let handle = WorkshopHandle {
            membership: RwSignal::new(stored),
            offline: RwSignal::new(false),
            broadcast: RwSignal::new(None),
        };
        HANDLE.with(|h| h.set(Some(handle)));
        provide_context(handle);
        handle
    }

    /// The handle `App` provided (also outside a reactive owner, e.g. in event handlers).
    pub fn get() -> Option<Self> {
        HANDLE
            .with(Cell::get)
            .or_else(use_context::<WorkshopHandle>)
    }

    /// The joined workshop, if any (reactive).
    pub fn membership(&self) -> Signal<Option<Membership>> {
        self.membership.into()
    }

    /// Joins: stores the membership and starts everything that depends on it.
    pub fn join(&self, membership: Membership) {
        if let Some(storage) = local_storage() {
            let _ = storage.set_item(STORAGE_KEY, &membership.to_json());
        }
        self.offline.set(false);
        self.broadcast.set(None);
        self.membership.set(Some(membership));
    }

    /// Leaves the workshop: forgets the membership (progress stays in this browser).
    pub fn leave(&self) {
        if let Some(storage) = local_storage() {
            let _ = storage.remove_item(STORAGE_KEY);
        }
        self.offline.set(false);
        self.broadcast.set(None);
        self.membership.set(None);
    }

    /// Whether the last progress report failed to reach the server (reactive).
    pub fn offline(&self) -> Signal<bool> {
        self.offline.into()
    }

    /// Records whether a progress report reached the server.
    pub fn set_offline(&self, offline: bool) {
        if self.offline.get_untracked() != offline {
            self.offline.set(offline);
        }
    }

    /// The latest live broadcast from the instructor (reactive).
    pub fn broadcast(&self) -> Signal<Option<Broadcast>> {
        self.broadcast.into()
    }

    /// Shows a broadcast (or dismisses it with `None`).
    pub fn set_broadcast(&self, broadcast: Option<Broadcast>) {
        self.broadcast.set(broadcast);
    }
}
