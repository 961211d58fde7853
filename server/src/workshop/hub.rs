//! Live fan-out: one `tokio::sync::broadcast` channel per workshop that has listeners.
//!
//! Handlers publish after the database commit, so a listener never sees an event that
//! could still be lost. Each event is serialised once and shared by every stream.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::broadcast;

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

    #[test]
    fn channels_without_listeners_are_dropped() {
        let hub = Hub::default();
        drop(hub.subscribe("a"));
        hub.publish("a", event("join"));
        assert!(hub.channels.lock().unwrap().is_empty());
    }
}
