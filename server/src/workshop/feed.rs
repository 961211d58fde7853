//! The change feed on PostgreSQL: every server hears every server's commits.
//!
//! With several `shipshape serve` processes behind a load balancer, a student's progress
//! may be posted to one server while the instructor's dashboard streams from another.
//! So on PostgreSQL handlers don't publish to their own [`Hub`]; instead each write sends
//! a `NOTIFY` on [`CHANNEL`] inside its transaction (PostgreSQL delivers it at commit,
//! in commit order, to every listening session), and one thread per server `LISTEN`s,
//! reads the rows named and publishes them to its hub, its own writes included.
//!
//! If the listening connection breaks (the database restarted, a network blip), the
//! thread reconnects with backoff and then sends every stream a
//! [`HubEvent::resync`]: notifications sent while nobody listened are gone, so the
//! streams re-read a snapshot instead of trusting the gap.

use std::collections::BTreeMap;
use std::sync::{Arc, Weak};
use std::time::Duration;

use postgres::Client;
use postgres::fallible_iterator::FallibleIterator;

use super::hub::{Hub, HubEvent};
use super::model::ProgressEvent;
use super::store::postgresql::{PostgresStore, connect};
use super::store::{Store, StoreError};

/// The notification channel every Shipshape server listens on.
pub const CHANNEL: &str = "shipshape_changes";
/// Ids per `progress` notification: PostgreSQL payloads must stay under 8000 bytes.
const IDS_PER_PAYLOAD: usize = 300;
/// How long one wait for notifications lasts before checking whether to stop.
const POLL: Duration = Duration::from_millis(250);
/// Notifications relayed per round at most (the rest wait for the next round).
const ROUND: usize = 1024;
/// Longest wait between reconnection attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// What a write stored, as named in its notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A student joined (student id).
    Join(String),
    /// Progress events were stored (their ids, ascending).
    Progress(Vec<i64>),
    /// A broadcast was stored (its id).
    Broadcast(i64),
}

impl Change {
    /// The notification payloads announcing this change: `join ID`, `progress 1,2,3`
    /// (split so each stays small), `broadcast 7`.
    pub fn payloads(&self) -> Vec<String> {
        match self {
            Self::Join(student) => vec![format!("join {student}")],
            Self::Broadcast(id) => vec![format!("broadcast {id}")],
            Self::Progress(ids) => ids
                .chunks(IDS_PER_PAYLOAD)
                .map(|chunk| {
                    let ids: Vec<String> = chunk.iter().map(i64::to_string).collect();
                    format!("progress {}", ids.join(","))
                })
                .collect(),
        }
    }

    /// Reads a payload back; `None` for anything else on the channel.
    pub fn parse(payload: &str) -> Option<Self> {
        let (kind, rest) = payload.split_once(' ')?;
        match kind {
            "join" if !rest.is_empty() => Some(Self::Join(rest.to_owned())),
            "broadcast" => rest.parse().ok().map(Self::Broadcast),
            "progress" => rest
                .split(',')
                .map(|id| id.parse().ok())
                .collect::<Option<Vec<i64>>>()
                .map(Self::Progress),
            _ => None,
        }
    }
}

/// Starts this server's listening thread over `store` (a PostgreSQL store; for SQLite
/// there is nothing to listen to). It stops once `hub` is dropped.
pub fn start(store: Arc<Store>, hub: &Arc<Hub>) -> std::io::Result<()> {
    let hub = Arc::downgrade(hub);
    std::thread::Builder::new()
        .name("shipshape-feed".to_owned())
        .spawn(move || {
            if let Store::Postgres(postgres) = &*store {
                run(postgres, &hub);
            }
        })
        .map(drop)
}

fn run(store: &PostgresStore, hub: &Weak<Hub>) {
    let mut backoff = Duration::from_millis(100);
    let mut first = true;
    while hub.strong_count() > 0 {
        let relayed = listen(store).and_then(|mut client| {
            if !first {
                tracing::info!("change feed reconnected; streams will resend snapshots");
                if let Some(hub) = hub.upgrade() {
                    hub.publish_all(&HubEvent::resync());
                }
            }
            first = false;
            backoff = Duration::from_millis(100);
            relay(&mut client, store, hub)
        });
        match relayed {
            Ok(()) => return,
            Err(error) => {
                tracing::warn!(%error, retry_in = ?backoff, "change feed lost its connection");
                std::thread::sleep(backoff);
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
    }
}

fn listen(store: &PostgresStore) -> Result<Client, StoreError> {
    let mut client = connect(store.config())?;
    client.batch_execute(&format!("LISTEN {CHANNEL}"))?;
    Ok(client)
}

/// Relays notifications until the hub is gone (`Ok`) or the connection fails.
fn relay(client: &mut Client, store: &PostgresStore, hub: &Weak<Hub>) -> Result<(), StoreError> {
    loop {
        let mut changes = Vec::new();
        {
            let mut notifications = client.notifications();
            let first = notifications.timeout_iter(POLL).next()?;
            if let Some(first) = first {
                changes.push(first);
                let mut pending = notifications.iter();
                while changes.len() < ROUND
                    && let Some(more) = pending.next()?
                {
                    changes.push(more);
                }
            }
        }
        let Some(hub) = hub.upgrade() else {
            return Ok(());
        };
        if changes.is_empty() && client.is_closed() {
            return Err(StoreError::Schema(
                "the listening connection closed".to_owned(),
            ));
        }
        let changes: Vec<Change> = changes
            .iter()
            .filter_map(|note| Change::parse(note.payload()))
            .collect();
        publish(store, &hub, &changes)?;
    }
}

/// Reads what `changes` name and publishes it, in notification (commit) order.
fn publish(store: &PostgresStore, hub: &Hub, changes: &[Change]) -> Result<(), StoreError> {
    let ids: Vec<i64> = changes
        .iter()
        .filter_map(|change| match change {
            Change::Progress(ids) => Some(ids.iter().copied()),
            _ => None,
        })
        .flatten()
        .collect();
    let mut events: BTreeMap<i64, ProgressEvent> = if ids.is_empty() {
        BTreeMap::new()
    } else {
        let events = store.progress_by_ids(&ids)?;
        events.into_iter().map(|event| (event.id, event)).collect()
    };
    for change in changes {
        match change {
            Change::Join(student) => {
                if let Some(student) = store.student(student)? {
                    hub.publish(&student.workshop_id, HubEvent::join(&student));
                }
            }
            Change::Broadcast(id) => {
                if let Some(broadcast) = store.broadcast(*id)? {
                    hub.publish(&broadcast.workshop_id, HubEvent::broadcast(&broadcast));
                }
            }
            Change::Progress(ids) => {
                // Notification order is commit order; within one, ids ascend.
                for event in ids.iter().filter_map(|id| events.remove(id)) {
                    hub.publish(&event.workshop_id, HubEvent::progress(&event));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_round_trip() {
        for change in [
            Change::Join("s-1".into()),
            Change::Broadcast(7),
            Change::Progress(vec![1, 2, 30]),
        ] {
            let payloads = change.payloads();
            assert_eq!(payloads.len(), 1);
            assert_eq!(Change::parse(&payloads[0]), Some(change));
        }
        assert_eq!(Change::parse("progress 1,x"), None);
        assert_eq!(Change::parse("hello"), None);
        assert_eq!(Change::parse("join "), None);
    }

    #[test]
    fn long_progress_lists_are_split_under_the_payload_limit() {
        let ids: Vec<i64> = (i64::MAX - 2000..i64::MAX).collect();
        let payloads = Change::Progress(ids.clone()).payloads();
        assert!(
            payloads.iter().all(|p| p.len() < 8000),
            "{}",
            payloads[0].len()
        );
        let back: Vec<i64> = payloads
            .iter()
            .flat_map(|p| match Change::parse(p) {
                Some(Change::Progress(ids)) => ids,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(back, ids);
    }

    proptest::proptest! {
        #[test]
        fn any_payload_parses_or_is_ignored(payload in ".{0,64}") {
            let _ = Change::parse(&payload);
        }

        #[test]
        fn any_id_list_round_trips(ids in proptest::collection::vec(proptest::num::i64::ANY, 1..700)) {
            let back: Vec<i64> = Change::Progress(ids.clone())
                .payloads()
                .iter()
                .flat_map(|p| match Change::parse(p) {
                    Some(Change::Progress(ids)) => ids,
                    _ => Vec::new(),
                })
                .collect();
            proptest::prop_assert_eq!(back, ids);
        }
    }
}
