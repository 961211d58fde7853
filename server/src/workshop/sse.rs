//! The live streams (Server-Sent Events).
//!
//! `GET /api/workshops/{id}/events` (instructor) starts with a `snapshot` event (the
//! dashboard) and then relays `join`, `progress` and `broadcast` events as they are
//! committed. `GET /api/workshops/{id}/student-events` (student) starts with a `snapshot`
//! (the workshop and every broadcast so far) and relays `broadcast` events.
//!
//! The stream subscribes before it reads the snapshot, so nothing committed in between
//! is missed; an event may then appear both in the snapshot and on the stream, and its
//! `id` tells them apart (`progress` ids ≤ the snapshot's `last_event_id` are counted).
//! A listener that falls too far behind gets a fresh snapshot, as does every listener
//! after the PostgreSQL change feed reconnects (it may have missed events). Streams end when the
//! server shuts down, so a graceful shutdown is not held up by open dashboards.
//!
//! Browsers' `EventSource` cannot send an `Authorization` header: clients read these
//! streams with `fetch` and a streaming body instead.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream, StreamExt};
use serde_json::json;
use tokio::sync::{broadcast, watch};

use crate::error::ApiError;

use super::dashboard::{Dashboard, summarize};
use super::extract::Bearer;
use super::hub::HubEvent;
use super::model::Workshop;
use super::store::Store;
use super::{WorkshopState, auth};

/// How often an idle stream sends a comment so proxies keep it open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// The dashboard of `workshop` as stored now.
pub fn snapshot(store: &Store, workshop: &Workshop) -> Result<Dashboard, ApiError> {
    let students = store.students(&workshop.id)?;
    let events = store.progress(&workshop.id)?;
    Ok(summarize(workshop, &students, &events))
}

fn student_snapshot(store: &Store, workshop: &Workshop) -> Result<serde_json::Value, ApiError> {
    Ok(json!({
        "workshop": {
            "id": workshop.id,
            "title": workshop.title,
            "lessons": workshop.lessons,
            "preset": workshop.preset,
        },
        "broadcasts": store.broadcasts(&workshop.id)?,
    }))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Audience {
    Instructor,
    Student,
}

fn snapshot_event(data: &impl serde::Serialize) -> Event {
    Event::default()
        .event("snapshot")
        .json_data(data)
        .unwrap_or_else(|_| Event::default().event("snapshot").data("{}"))
}

struct Live {
    state: WorkshopState,
    workshop: Workshop,
    audience: Audience,
    events: broadcast::Receiver<HubEvent>,
    shutdown: watch::Receiver<bool>,
}

impl Live {
    async fn snapshot(&self) -> Option<Event> {
        let workshop = self.workshop.clone();
        let audience = self.audience;
        let data = self
            .state
            .db(move |store| match audience {
                Audience::Instructor => {
                    Ok(serde_json::to_value(snapshot(store, &workshop)?).unwrap_or_default())
                }
                Audience::Student => student_snapshot(store, &workshop),
            })
            .await;
        match data {
            Ok(data) => Some(snapshot_event(&data)),
            Err(error) => {
                tracing::error!(%error, "cannot read a snapshot for a lagging stream");
                None
            }
        }
    }

    /// The next event to send, or `None` to end the stream.
    async fn next(&mut self) -> Option<Event> {
        loop {
            if *self.shutdown.borrow() {
                return None;
            }
            tokio::select! {
                changed = self.shutdown.changed() => {
                    if changed.is_err() {
                        return None;
                    }
                }
                received = self.events.recv() => match received {
                    Ok(event) if event.is_resync() => return self.snapshot().await,
                    Ok(event) => {
                        if self.audience == Audience::Instructor || event.for_students {
                            return Some(Event::default().event(event.name).data(&*event.data));
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => return self.snapshot().await,
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
            }
        }
    }
}

fn stream_of(first: Event, live: Live) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let rest = stream::unfold(live, |mut live| async move {
        live.next().await.map(|event| (event, live))
    });
    let all = stream::once(async move { first }).chain(rest).map(Ok);
    Sse::new(all).keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
}

/// The instructor's live stream.
pub async fn instructor_events(
    State(state): State<WorkshopState>,
    Path(id): Path<String>,
    Bearer(token): Bearer,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let workshop = state
        .db(move |store| auth::instructor(store, &id, &token))
        .await?;
    // Subscribe first, then read: nothing committed in between is lost.
    let events = state.hub.subscribe(&workshop.id);
    let for_snapshot = workshop.clone();
    let first = state
        .db(move |store| snapshot(store, &for_snapshot))
        .await?;
    let live = Live {
        shutdown: state.shutdown.subscribe(),
        state,
        workshop,
        audience: Audience::Instructor,
        events,
    };
    Ok(stream_of(snapshot_event(&first), live))
}

/// A student's live stream of broadcasts.
pub async fn student_events(
    State(state): State<WorkshopState>,
    Path(id): Path<String>,
    Bearer(token): Bearer,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let (workshop, _student) = state
        .db(move |store| auth::student(store, &id, &token))
        .await?;
    let events = state.hub.subscribe(&workshop.id);
    let for_snapshot = workshop.clone();
    let first = state
        .db(move |store| student_snapshot(store, &for_snapshot))
        .await?;
    let live = Live {
        shutdown: state.shutdown.subscribe(),
        state,
        workshop,
        audience: Audience::Student,
        events,
    };
    Ok(stream_of(snapshot_event(&first), live))
}
