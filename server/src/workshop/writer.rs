//! Group commit for progress events.
//!
//! A class posts progress all the time, and every commit waits for an fsync (WAL with
//! `synchronous=FULL`). One commit per event would queue events behind each other's
//! fsyncs: when the disk stalls for a moment, every event that arrived meanwhile then
//! pays for its own fsync in turn. Instead, handlers hand their (already authorised and
//! validated) event to one writer thread through a channel; the thread takes everything
//! waiting, stores it in one transaction ([`Store::add_progress_batch`]) and only then
//! answers each handler. "Acknowledged" still means "committed and fsynced": a handler
//! hears back only after the commit of the batch that holds its event.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use super::model::ProgressEvent;
use super::store::{NewProgress, Store, StoreError};

/// Most events stored in one transaction.
pub const MAX_BATCH: usize = 256;
/// Events that may wait for the writer before senders wait too.
const QUEUE: usize = 4096;

type Reply = oneshot::Sender<Result<ProgressEvent, StoreError>>;

/// The sending side of the writer thread; the thread ends when every clone is dropped.
#[derive(Debug, Clone)]
pub struct ProgressWriter {
    queue: mpsc::Sender<(NewProgress, Reply)>,
}

/// Why an event was not stored.
#[derive(Debug)]
pub enum WriteError {
    /// The database refused it (or the batch's commit failed).
    Store(StoreError),
    /// The writer thread is gone.
    Stopped,
}

impl ProgressWriter {
    /// Starts the writer thread over `store`.
    pub fn start(store: Arc<Store>) -> std::io::Result<Self> {
        let (queue, waiting) = mpsc::channel(QUEUE);
        std::thread::Builder::new()
            .name("shipshape-writer".to_owned())
            .spawn(move || write_batches(&store, waiting))?;
        Ok(Self { queue })
    }

    /// Stores `new`; answers once the transaction holding it is committed.
    pub async fn add(&self, new: NewProgress) -> Result<ProgressEvent, WriteError> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send((new, reply))
            .await
            .map_err(|_| WriteError::Stopped)?;
        answer
            .await
            .map_err(|_| WriteError::Stopped)?
            .map_err(WriteError::Store)
    }
}

fn write_batches(store: &Store, mut waiting: mpsc::Receiver<(NewProgress, Reply)>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while waiting.blocking_recv_many(&mut batch, MAX_BATCH) > 0 {
        let (events, replies): (Vec<NewProgress>, Vec<Reply>) = batch.drain(..).unzip();
        match store.add_progress_batch(events) {
            Ok(results) => {
                for (reply, result) in replies.into_iter().zip(results) {
                    // The handler may be gone (client hung up); the event is stored anyway.
                    let _ = reply.send(result);
                }
            }
            Err(error) => {
                tracing::error!(%error, events = replies.len(), "storing progress failed");
                let message = error.to_string();
                for reply in replies {
                    let _ = reply.send(Err(StoreError::BatchFailed(message.clone())));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workshop::model::ProgressKind;
    use crate::workshop::store::testing::{Fresh, fresh_stores};
    use crate::workshop::store::{NewStudent, NewWorkshop};

    fn stores_with_student() -> Vec<Fresh> {
        let stores = fresh_stores();
        for fresh in &stores {
            let store = &fresh.store;
            store
                .create_workshop(NewWorkshop {
                    id: "w1".into(),
                    title: "T".into(),
                    lessons: vec!["meet-the-cluster".into()],
                    preset: "default".into(),
                    join_code: "ABCDEF".into(),
                    instructor_secret_hash: String::new(),
                })
                .unwrap();
            store
                .add_student(NewStudent {
                    id: "s1".into(),
                    workshop_id: "w1".into(),
                    display_name: "Ana".into(),
                    token_hash: "h1".into(),
                })
                .unwrap();
        }
        stores
    }

    fn event(student: &str, item: &str) -> NewProgress {
        NewProgress {
            workshop_id: "w1".into(),
            student_id: student.into(),
            kind: ProgressKind::Step,
            lesson: "meet-the-cluster".into(),
            item: item.into(),
            value: serde_json::Value::Null,
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_events_are_all_committed_once_acknowledged() {
        // Set-up blocks (PostgreSQL's driver must not run on the async threads).
        let stores = tokio::task::spawn_blocking(stores_with_student)
            .await
            .unwrap();
        for fresh in stores {
            let name = fresh.name;
            let store = Arc::new(fresh.store);
            let writer = ProgressWriter::start(Arc::clone(&store)).unwrap();
            let tasks: Vec<_> = (0..500)
                .map(|i| {
                    let writer = writer.clone();
                    tokio::spawn(async move { writer.add(event("s1", &format!("i{i}"))).await })
                })
                .collect();
            let mut ids = Vec::new();
            for task in tasks {
                ids.push(task.await.unwrap().unwrap().id);
            }
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), 500, "{name}");
            let read = Arc::clone(&store);
            let stored: Vec<i64> = tokio::task::spawn_blocking(move || {
                read.progress("w1").unwrap().iter().map(|e| e.id).collect()
            })
            .await
            .unwrap();
            assert_eq!(stored, ids, "{name}");
            // The store (and a PostgreSQL connection) is dropped off the async threads.
            drop(writer);
            tokio::task::spawn_blocking(move || drop(store))
                .await
                .unwrap();
        }
    }
}
