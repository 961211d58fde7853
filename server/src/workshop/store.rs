//! Workshop storage on SQLite: `<data>/shipshape.db`.
//!
//! The store is a narrow, synchronous API over plain [`super::model`] values, so handlers
//! never see SQL and a PostgreSQL store can offer the same methods later. Handlers call
//! it from `tokio::task::spawn_blocking` (see [`super::WorkshopState::db`]).
//!
//! Durability: the database runs in WAL mode with `synchronous=FULL`, so every commit
//! is fsynced to the WAL before the method returns. The API answers 201 only after that,
//! which is what "acknowledged" means: an acknowledged event survives the process being
//! killed and the machine losing power. (`NORMAL` would survive a killed process but
//! could lose the last commits on power loss.)
//!
//! Two connections, each behind a mutex: one writes (SQLite allows one writer at a time
//! anyway), one reads. In WAL mode a reader never waits for the writer, so checking a
//! token does not queue behind another request's fsync; a read starts after the commits
//! that came before it returned, so it sees them.
//!
//! Progress events, the one write a class makes often, can be stored in batches
//! ([`Store::add_progress_batch`]): one transaction, one fsync, however many events were
//! waiting. That is group commit; [`super::writer`] feeds it.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, TransactionBehavior, params};
use serde_json::Value;

use super::migrations;
use super::model::{Broadcast, ProgressEvent, ProgressKind, Student, Workshop, now_ms};

/// The database file's name inside the data directory.
pub const DB_FILE: &str = "shipshape.db";

/// A storage failure. Handlers turn [`StoreError::Conflict`] into 409 and everything else
/// into a logged 500 whose detail the client never sees.
#[derive(Debug)]
pub enum StoreError {
    /// A uniqueness rule would be broken (the message says which).
    Conflict(Conflict),
    /// The database itself failed.
    Database(rusqlite::Error),
    /// The stored schema is unusable (e.g. from a newer version).
    Schema(String),
    /// A stored value could not be decoded (corrupt or hand-edited row).
    Corrupt(String),
    /// The batch this write was part of was not committed (the message says why).
    BatchFailed(String),
}

/// Which uniqueness rule a write would break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    /// Another workshop already uses this join code.
    JoinCode,
    /// Another student in this workshop already has this name.
    DisplayName,
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Conflict(Conflict::JoinCode) => write!(f, "join code already in use"),
            Self::Conflict(Conflict::DisplayName) => write!(f, "display name already taken"),
            Self::Database(error) => write!(f, "database error: {error}"),
            Self::Schema(message) => write!(f, "database schema: {message}"),
            Self::Corrupt(message) => write!(f, "corrupt row: {message}"),
            Self::BatchFailed(message) => write!(f, "the batch was not stored: {message}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        Self::Database(error)
    }
}

/// A new workshop: everything but the creation time, which the store sets.
#[derive(Debug, Clone)]
pub struct NewWorkshop {
    /// See [`Workshop::id`].
    pub id: String,
    /// See [`Workshop::title`].
    pub title: String,
    /// See [`Workshop::lessons`].
    pub lessons: Vec<String>,
    /// See [`Workshop::preset`].
    pub preset: String,
    /// See [`Workshop::join_code`].
    pub join_code: String,
    /// See [`Workshop::instructor_secret_hash`].
    pub instructor_secret_hash: String,
}

/// A new student.
#[derive(Debug, Clone)]
pub struct NewStudent {
    /// See [`Student::id`].
    pub id: String,
    /// See [`Student::workshop_id`].
    pub workshop_id: String,
    /// See [`Student::display_name`].
    pub display_name: String,
    /// Hex SHA-256 of the student's token.
    pub token_hash: String,
}

/// A new progress event, already validated.
#[derive(Debug, Clone)]
pub struct NewProgress {
    /// See [`ProgressEvent::workshop_id`].
    pub workshop_id: String,
    /// See [`ProgressEvent::student_id`].
    pub student_id: String,
    /// See [`ProgressEvent::kind`].
    pub kind: ProgressKind,
    /// See [`ProgressEvent::lesson`].
    pub lesson: String,
    /// See [`ProgressEvent::item`].
    pub item: String,
    /// See [`ProgressEvent::value`].
    pub value: Value,
}

/// The SQLite-backed workshop store.
#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    conn: Mutex<Connection>,
    reader: Mutex<Connection>,
}

/// How long a connection waits for a lock held by another connection (or process).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

impl Store {
    /// Opens (creating if needed) `<data>/shipshape.db` and brings its schema up to date.
    /// The data directory must exist.
    pub fn open(data: &Path) -> Result<Self, StoreError> {
        let path = data.join(DB_FILE);
        let mut conn = Connection::open(&path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Schema(format!(
                "could not switch to WAL journaling (got {mode})"
            )));
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrations::migrate(&mut conn, now_ms())?;
        let reader = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )?;
        reader.busy_timeout(BUSY_TIMEOUT)?;
        Ok(Self {
            path,
            conn: Mutex::new(conn),
            reader: Mutex::new(reader),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The writing connection.
    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (an open
        // transaction rolls back when dropped), so a poisoned lock is still usable.
        self.conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The reading connection (read-only).
    fn reader(&self) -> MutexGuard<'_, Connection> {
        self.reader
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Stores a new workshop, or reports [`Conflict::JoinCode`] if the code is taken.
    pub fn create_workshop(&self, new: NewWorkshop) -> Result<Workshop, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let taken = tx
            .query_row(
                "SELECT 1 FROM workshops WHERE join_code = ?1",
                [&new.join_code],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        if taken {
            return Err(StoreError::Conflict(Conflict::JoinCode));
        }
        let lessons = serde_json::to_string(&new.lessons)
            .map_err(|e| StoreError::Corrupt(format!("lesson list: {e}")))?;
        let created_at = now_ms();
        tx.execute(
            "INSERT INTO workshops
                 (id, title, lessons, preset, join_code, instructor_secret_hash, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                new.id,
                new.title,
                lessons,
                new.preset,
                new.join_code,
                new.instructor_secret_hash,
                created_at
            ],
        )?;
        tx.commit()?;
        Ok(Workshop {
            id: new.id,
            title: new.title,
            lessons: new.lessons,
            preset: new.preset,
            join_code: new.join_code,
            instructor_secret_hash: new.instructor_secret_hash,
            created_at,
        })
    }

    /// The workshop with this id.
    pub fn workshop(&self, id: &str) -> Result<Option<Workshop>, StoreError> {
        self.workshop_where("id", id)
    }

    /// The workshop with this join code.
    pub fn workshop_by_code(&self, join_code: &str) -> Result<Option<Workshop>, StoreError> {
        self.workshop_where("join_code", join_code)
    }

    fn workshop_where(&self, column: &str, value: &str) -> Result<Option<Workshop>, StoreError> {
        let sql = format!(
            "SELECT id, title, lessons, preset, join_code, instructor_secret_hash, created_at
             FROM workshops WHERE {column} = ?1"
        );
        let row = self
            .reader()
            .query_row(&sql, [value], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, String>(4)?,
                    row.get::<_, String>(5)?,
                    row.get::<_, i64>(6)?,
                ))
            })
            .optional()?;
        row.map(
            |(id, title, lessons, preset, join_code, instructor_secret_hash, created_at)| {
                let lessons = serde_json::from_str(&lessons)
                    .map_err(|e| StoreError::Corrupt(format!("workshop {id} lessons: {e}")))?;
                Ok(Workshop {
                    id,
                    title,
                    lessons,
                    preset,
                    join_code,
                    instructor_secret_hash,
                    created_at,
                })
            },
        )
        .transpose()
    }

    /// Adds a student, or reports [`Conflict::DisplayName`] if the workshop already has a
    /// student of that name.
    pub fn add_student(&self, new: NewStudent) -> Result<Student, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let taken = tx
            .query_row(
                "SELECT 1 FROM students WHERE workshop_id = ?1 AND display_name = ?2",
                [&new.workshop_id, &new.display_name],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        if taken {
            return Err(StoreError::Conflict(Conflict::DisplayName));
        }
        let joined_at = now_ms();
        tx.execute(
            "INSERT INTO students (id, workshop_id, display_name, token_hash, joined_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                new.id,
                new.workshop_id,
                new.display_name,
                new.token_hash,
                joined_at
            ],
        )?;
        tx.commit()?;
        Ok(Student {
            id: new.id,
            workshop_id: new.workshop_id,
            display_name: new.display_name,
            joined_at,
        })
    }

    /// The student whose token hashes to `token_hash`, with that stored hash (for a
    /// constant-time comparison by the caller).
    pub fn student_by_token_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<(Student, String)>, StoreError> {
        Ok(self
            .reader()
            .prepare_cached(
                "SELECT id, workshop_id, display_name, joined_at, token_hash
                 FROM students WHERE token_hash = ?1",
            )?
            .query_row([token_hash], |row| {
                Ok((student_from_row(row)?, row.get::<_, String>(4)?))
            })
            .optional()?)
    }

    /// Every student of a workshop, in joining order.
    pub fn students(&self, workshop_id: &str) -> Result<Vec<Student>, StoreError> {
        let conn = self.reader();
        let mut statement = conn.prepare_cached(
            "SELECT id, workshop_id, display_name, joined_at
             FROM students WHERE workshop_id = ?1 ORDER BY joined_at, id",
        )?;
        let rows = statement.query_map([workshop_id], student_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Stores one progress event; returns it with its id once committed.
    pub fn add_progress(&self, new: NewProgress) -> Result<ProgressEvent, StoreError> {
        self.add_progress_batch(vec![new])?
            .pop()
            .unwrap_or_else(|| Err(StoreError::Schema("a batch of one came back empty".into())))
    }

    /// Stores progress events in one transaction (one fsync): the outer error means
    /// nothing was stored; otherwise each event's own outcome, in order, every `Ok` one
    /// committed by the time this returns. An event the database refuses (say, an unknown
    /// student) fails alone.
    pub fn add_progress_batch(
        &self,
        batch: Vec<NewProgress>,
    ) -> Result<Vec<Result<ProgressEvent, StoreError>>, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut results = Vec::with_capacity(batch.len());
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO progress_events
                     (workshop_id, student_id, kind, lesson, item, value, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 RETURNING id",
            )?;
            for new in batch {
                let at = now_ms();
                let value = new.value.to_string();
                let inserted = insert.query_row(
                    params![
                        new.workshop_id,
                        new.student_id,
                        new.kind.as_str(),
                        new.lesson,
                        new.item,
                        value,
                        at
                    ],
                    |row| row.get::<_, i64>(0),
                );
                match inserted {
                    Ok(id) => results.push(Ok(ProgressEvent {
                        id,
                        workshop_id: new.workshop_id,
                        student_id: new.student_id,
                        kind: new.kind,
                        lesson: new.lesson,
                        item: new.item,
                        value: new.value,
                        at,
                    })),
                    // A refused row (a constraint) undoes only its own statement; an error
                    // that ended the whole transaction fails the batch.
                    Err(error) if tx.is_autocommit() => return Err(error.into()),
                    Err(error) => results.push(Err(error.into())),
                }
            }
        }
        tx.commit()?;
        Ok(results)
    }

    /// Every progress event of a workshop, oldest first.
    pub fn progress(&self, workshop_id: &str) -> Result<Vec<ProgressEvent>, StoreError> {
        let conn = self.reader();
        let mut statement = conn.prepare_cached(
            "SELECT id, workshop_id, student_id, kind, lesson, item, value, at
             FROM progress_events WHERE workshop_id = ?1 ORDER BY id",
        )?;
        let rows = statement.query_map([workshop_id], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, String>(5)?,
                row.get::<_, String>(6)?,
                row.get::<_, i64>(7)?,
            ))
        })?;
        let mut events = Vec::new();
        for row in rows {
            let (id, workshop_id, student_id, kind, lesson, item, value, at) = row?;
            let kind = ProgressKind::parse(&kind)
                .ok_or_else(|| StoreError::Corrupt(format!("progress {id}: kind {kind:?}")))?;
            let value = serde_json::from_str(&value)
                .map_err(|e| StoreError::Corrupt(format!("progress {id} value: {e}")))?;
            events.push(ProgressEvent {
                id,
                workshop_id,
                student_id,
                kind,
                lesson,
                item,
                value,
                at,
            });
        }
        Ok(events)
    }

    /// Stores a broadcast; returns it with its id once committed.
    pub fn add_broadcast(
        &self,
        workshop_id: &str,
        event: &str,
        params: Value,
    ) -> Result<Broadcast, StoreError> {
        let at = now_ms();
        let id: i64 = self.conn().query_row(
            "INSERT INTO broadcasts (workshop_id, event, params, at) VALUES (?1, ?2, ?3, ?4)
             RETURNING id",
            params![workshop_id, event, params.to_string(), at],
            |row| row.get(0),
        )?;
        Ok(Broadcast {
            id,
            workshop_id: workshop_id.to_owned(),
            event: event.to_owned(),
            params,
            at,
        })
    }

    /// Every broadcast of a workshop, oldest first.
    pub fn broadcasts(&self, workshop_id: &str) -> Result<Vec<Broadcast>, StoreError> {
        let conn = self.reader();
        let mut statement = conn.prepare_cached(
            "SELECT id, workshop_id, event, params, at
             FROM broadcasts WHERE workshop_id = ?1 ORDER BY id",
        )?;
        let rows = statement.query_map([workshop_id], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, i64>(4)?,
            ))
        })?;
        let mut broadcasts = Vec::new();
        for row in rows {
            let (id, workshop_id, event, params, at) = row?;
            let params = serde_json::from_str(&params)
                .map_err(|e| StoreError::Corrupt(format!("broadcast {id} params: {e}")))?;
            broadcasts.push(Broadcast {
                id,
                workshop_id,
                event,
                params,
                at,
            });
        }
        Ok(broadcasts)
    }
}

fn student_from_row(row: &Row<'_>) -> rusqlite::Result<Student> {
    Ok(Student {
        id: row.get(0)?,
        workshop_id: row.get(1)?,
        display_name: row.get(2)?,
        joined_at: row.get(3)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn workshop(store: &Store, id: &str, code: &str) -> Workshop {
        store
            .create_workshop(NewWorkshop {
                id: id.into(),
                title: "Intro".into(),
                lessons: vec!["meet-the-cluster".into()],
                preset: "default".into(),
                join_code: code.into(),
                instructor_secret_hash: "ab".repeat(32),
            })
            .unwrap()
    }

    fn student(
        store: &Store,
        workshop_id: &str,
        id: &str,
        name: &str,
    ) -> Result<Student, StoreError> {
        store.add_student(NewStudent {
            id: id.into(),
            workshop_id: workshop_id.into(),
            display_name: name.into(),
            token_hash: format!("hash-{id}"),
        })
    }

    #[test]
    fn opens_in_wal_mode_with_full_sync() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let conn = store.conn();
        let mode: String = conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        let sync: i64 = conn
            .pragma_query_value(None, "synchronous", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(sync, 2, "synchronous=FULL");
        assert_eq!(store.path(), dir.path().join(DB_FILE));
    }

    #[test]
    fn round_trips_every_table_across_reopen() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            let w = workshop(&store, "w1", "ABCDEF");
            assert_eq!(store.workshop("w1").unwrap(), Some(w.clone()));
            assert_eq!(store.workshop_by_code("ABCDEF").unwrap(), Some(w));
            let s = student(&store, "w1", "s1", "Ana").unwrap();
            let (found, hash) = store.student_by_token_hash("hash-s1").unwrap().unwrap();
            assert_eq!((found, hash.as_str()), (s, "hash-s1"));
            let event = store
                .add_progress(NewProgress {
                    workshop_id: "w1".into(),
                    student_id: "s1".into(),
                    kind: ProgressKind::Answer,
                    lesson: "meet-the-cluster".into(),
                    item: "q1".into(),
                    value: json!({"correct": true}),
                })
                .unwrap();
            assert!(event.id > 0);
            store
                .add_broadcast("w1", "node-failure", json!({"node": "worker-1"}))
                .unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.students("w1").unwrap().len(), 1);
        let events = store.progress("w1").unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].value, json!({"correct": true}));
        assert_eq!(events[0].kind, ProgressKind::Answer);
        let broadcasts = store.broadcasts("w1").unwrap();
        assert_eq!(broadcasts[0].params["node"], "worker-1");
    }

    #[test]
    fn conflicts_are_reported_and_write_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        workshop(&store, "w1", "ABCDEF");
        let again = store.create_workshop(NewWorkshop {
            id: "w2".into(),
            title: "Other".into(),
            lessons: vec![],
            preset: "default".into(),
            join_code: "ABCDEF".into(),
            instructor_secret_hash: String::new(),
        });
        assert!(matches!(
            again,
            Err(StoreError::Conflict(Conflict::JoinCode))
        ));
        assert_eq!(store.workshop("w2").unwrap(), None);
        student(&store, "w1", "s1", "Ana").unwrap();
        let twin = student(&store, "w1", "s2", "Ana");
        assert!(matches!(
            twin,
            Err(StoreError::Conflict(Conflict::DisplayName))
        ));
        assert_eq!(store.students("w1").unwrap().len(), 1);
    }

    #[test]
    fn foreign_keys_are_enforced() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        assert!(student(&store, "no-such-workshop", "s1", "Ana").is_err());
    }
}
