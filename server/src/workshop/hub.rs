//! Live fan-out: one `tokio::sync::broadcast` channel per workshop that has listeners.
//!
//! Events are published only after their database commit, so a listener never sees one
//! that could still be lost: on SQLite by the handler that committed it, on PostgreSQL
//! by [`super::feed`], which hears every server's commits. Each event is serialised once
//! and shared by every stream.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::json;
use tokio::sync::broadcast;

use super::model::{Broadcast, ProgressEvent, Student};

/// Events a slow listener may fall behind by before it is sent a fresh snapshot.
const CAPACITY: usize = 512;

/// One event on a workshop's channel.
#[derive(Debug, Clone)]
pub struct HubEvent {
    /// The SSE event name: `join`, `progress` or `broadcast`.
    pub name: &'static str,
    /// The event's JSON.
    pub data: Arc<str>,
    /// Whether student streams get it too (instructor streams get everything).
    pub for_students: bool,
}

impl HubEvent {
    /// A student joined (instructors only).
    pub fn join(student: &Student) -> Self {
        let data = json!({
            "student": {
                "id": student.id,
                "name": student.display_name,
                "joined_at": student.joined_at,
            }
        });
        Self {
            name: "join",
            data: data.to_string().into(),
            for_students: false,
        }
    }

    /// A progress event was stored (instructors only).
    pub fn progress(event: &ProgressEvent) -> Self {
        Self {
            name: "progress",
            data: json_text(event),
            for_students: false,
        }
    }

    /// The instructor broadcast a scenario event (everyone).
    pub fn broadcast(broadcast: &Broadcast) -> Self {
        Self {
            name: "broadcast",
            data: json_text(broadcast),
            for_students: true,
        }
    }

    /// Events may have been missed (the change feed reconnected): every stream sends a
    /// fresh snapshot instead of relaying this.
    pub fn resync() -> Self {
        Self {
            name: RESYNC,
            data: Arc::from("{}"),
            for_students: true,
        }
    }

    /// Whether this is [`HubEvent::resync`].
    pub fn is_resync(&self) -> bool {
        self.name == RESYNC
    }
}

/// The name of [`HubEvent::resync`]; never sent to a client as such.
const RESYNC: &str = "resync";

fn json_text(value: &impl serde::Serialize) -> Arc<str> {
    // Plain structs of strings and numbers: serialising cannot fail.
    serde_json::to_string(value)
        .unwrap_or_else(|_| "{}".to_owned())
        .into()
}

/// The channels of every workshop with at least one listener.
#[derive(Debug, Default)]
pub struct Hub {
    channels: Mutex<HashMap<String, broadcast::Sender<HubEvent>>>,
}

impl Hub {
    /// Listens to a workshop's events from now on.
    pub fn subscribe(&self, workshop_id: &str) -> broadcast::Receiver<HubEvent> {
        let mut channels = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        channels
            .entry(workshop_id.to_owned())
            .or_insert_with(|| broadcast::channel(CAPACITY).0)
            .subscribe()
    }

    /// Sends an event to a workshop's current listeners, if any.
    pub fn publish(&self, workshop_id: &str, event: HubEvent) {
        let mut channels = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(sender) = channels.get(workshop_id)
            && sender.send(event).is_err()
        {
            // Nobody listens any more: drop the channel.
            channels.remove(workshop_id);
        }
    }

    /// Sends an event to every workshop's listeners.
    pub fn publish_all(&self, event: &HubEvent) {
        let mut channels = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        channels.retain(|_, sender| sender.send(event.clone()).is_ok());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(name: &'static str) -> HubEvent {
        HubEvent {
            name,
            data: Arc::from("{}"),
            for_students: false,
        }
    }

    #[tokio::test]
    async fn listeners_get_their_workshops_events_only() {
        let hub = Hub::default();
        let mut a = hub.subscribe("a");
        let mut b = hub.subscribe("b");
        hub.publish("a", event("join"));
        assert_eq!(a.recv().await.unwrap().name, "join");
        assert!(b.try_recv().is_err());
    }

    #[tokio::test]
    async fn a_resync_reaches_every_workshop() {
        let hub = Hub::default();
        let mut a = hub.subscribe("a");
        let mut b = hub.subscribe("b");
        hub.publish_all(&HubEvent::resync());
        assert!(a.recv().await.unwrap().is_resync());
        assert!(b.recv().await.unwrap().is_resync());
    }

    #[test]
    fn channels_without_listeners_are_dropped() {
        let hub = Hub::default();
        drop(hub.subscribe("a"));
        hub.publish("a", event("join"));
        assert!(hub.channels.lock().unwrap().is_empty());
    }
}
