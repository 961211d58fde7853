//! Workshop storage on SQLite: `<data>/shipshape.db`, the default.
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

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, TransactionBehavior, params};
use serde_json::Value;

use super::super::migrations;
use super::super::model::{Broadcast, ProgressEvent, Student, Workshop, now_ms};
use super::{
    BroadcastRow, Conflict, DB_FILE, NewProgress, NewStudent, NewWorkshop, ProgressRow,
    STUDENT_COLUMNS, StoreError, WorkshopRow, encode_lessons, stored_progress,
};

/// The SQLite-backed workshop store.
#[derive(Debug)]
pub struct SqliteStore {
    path: PathBuf,
    conn: Mutex<Connection>,
    reader: Mutex<Connection>,
}

/// How long a connection waits for a lock held by another connection (or process).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

impl SqliteStore {
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
        let lessons = encode_lessons(&new.lessons)?;
        let created_at = now_ms();
        tx.execute(
            &format!(
                "INSERT INTO workshops ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                WorkshopRow::COLUMNS
            ),
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
        Ok(new.stored(created_at))
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
            "SELECT {} FROM workshops WHERE {column} = ?1",
            WorkshopRow::COLUMNS
        );
        let row = self
            .reader()
            .query_row(&sql, [value], |row| {
                Ok(WorkshopRow {
                    id: row.get(0)?,
                    title: row.get(1)?,
                    lessons: row.get(2)?,
                    preset: row.get(3)?,
                    join_code: row.get(4)?,
                    instructor_secret_hash: row.get(5)?,
                    created_at: row.get(6)?,
                })
            })
            .optional()?;
        row.map(WorkshopRow::decode).transpose()
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
        Ok(new.stored(joined_at))
    }

    /// The student whose token hashes to `token_hash`, with that stored hash (for a
    /// constant-time comparison by the caller).
    pub fn student_by_token_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<(Student, String)>, StoreError> {
        Ok(self
            .reader()
            .prepare_cached(&format!(
                "SELECT {STUDENT_COLUMNS}, token_hash FROM students WHERE token_hash = ?1"
            ))?
            .query_row([token_hash], |row| {
                Ok((student_from_row(row)?, row.get::<_, String>(4)?))
            })
            .optional()?)
    }

    /// Every student of a workshop, in joining order.
    pub fn students(&self, workshop_id: &str) -> Result<Vec<Student>, StoreError> {
        let conn = self.reader();
        let mut statement = conn.prepare_cached(&format!(
            "SELECT {STUDENT_COLUMNS} FROM students WHERE workshop_id = ?1
                 ORDER BY joined_at, id"
        ))?;
        let rows = statement.query_map([workshop_id], student_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
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
                    Ok(id) => results.push(Ok(stored_progress(new, id, at))),
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
        let sql = format!(
            "SELECT {} FROM progress_events WHERE workshop_id = ?1 ORDER BY id",
            ProgressRow::COLUMNS
        );
        let mut statement = conn.prepare_cached(&sql)?;
        let rows = statement.query_map([workshop_id], |row| {
            Ok(ProgressRow {
                id: row.get(0)?,
                workshop_id: row.get(1)?,
                student_id: row.get(2)?,
                kind: row.get(3)?,
                lesson: row.get(4)?,
                item: row.get(5)?,
                value: row.get(6)?,
                at: row.get(7)?,
            })
        })?;
        rows.map(|row| row?.decode()).collect()
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
        let sql = format!(
            "SELECT {} FROM broadcasts WHERE workshop_id = ?1 ORDER BY id",
            BroadcastRow::COLUMNS
        );
        let mut statement = conn.prepare_cached(&sql)?;
        let rows = statement.query_map([workshop_id], |row| {
            Ok(BroadcastRow {
                id: row.get(0)?,
                workshop_id: row.get(1)?,
                event: row.get(2)?,
                params: row.get(3)?,
                at: row.get(4)?,
            })
        })?;
        rows.map(|row| row?.decode()).collect()
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

    #[test]
    fn opens_in_wal_mode_with_full_sync() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).unwrap();
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
}
