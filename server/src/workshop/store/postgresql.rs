//! Workshop storage on PostgreSQL, chosen by `DATABASE_URL` (or `--database-url`), for
//! classes that outgrow one machine: several `shipshape serve` processes behind a load
//! balancer share one database.
//!
//! - **Schema:** the same migrations as SQLite ([`super::super::migrations`]), applied
//!   on start under an advisory lock so servers starting together don't race.
//! - **Durability:** every connection sets `synchronous_commit = on`, so a commit returns
//!   only once its WAL record is flushed on the database server, whatever the server's
//!   default; the API acknowledges only after that, as on SQLite.
//! - **Connections:** one writing connection (group commit makes one enough, and it keeps
//!   this server's writes in order) and a few reading ones, opened when first needed. A
//!   connection found broken is replaced on next use; a read that failed because its
//!   connection broke is retried once on a fresh one, and so is a write that broke
//!   before its `COMMIT` was sent (nothing of it can be stored); one that broke during
//!   `COMMIT` is reported as in doubt, never retried or acknowledged.
//! - **Ids in commit order:** PostgreSQL hands out identity values at insert time, so two
//!   servers' transactions could commit out of id order, and a dashboard that counted
//!   "every id up to the snapshot's newest" would then skip the late one. Each write
//!   therefore takes a per-workshop advisory lock first: within a workshop, progress ids
//!   (and broadcast ids) are assigned in commit order.
//! - **Live updates:** each write also sends `NOTIFY` (delivered at commit, in commit
//!   order) naming what it stored; [`super::super::feed`] on every server relays those to
//!   its own streams.
//!
//! The driver is the blocking `postgres` crate (it runs its own small runtime), so like
//! SQLite it is called from blocking threads only; opening and dropping connections
//! happen on a thread of their own so they may be done from anywhere.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use postgres::error::SqlState;
use postgres::{Client, Config, NoTls, Row, Transaction};
use serde_json::Value;

use super::super::feed::{self, Change};
use super::super::migrations;
use super::super::model::{Broadcast, ProgressEvent, Student, Workshop, now_ms};
use super::{
    BroadcastRow, Conflict, NewProgress, NewStudent, NewWorkshop, ProgressRow, STUDENT_COLUMNS,
    StoreError, WorkshopRow, encode_lessons, stored_progress,
};

/// Reading connections per server, at most.
const READERS: usize = 4;
/// How long to wait for the database server to answer a connection attempt.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Advisory lock namespace (first key) for progress writes; the second key is the
/// workshop's [`workshop_key`].
const PROGRESS_LOCK: i32 = 0x5353_0001;
/// Advisory lock namespace for broadcast writes.
const BROADCAST_LOCK: i32 = 0x5353_0002;
/// The auto-generated names of the unique constraints `0001_initial.sql` declares.
const JOIN_CODE_CONSTRAINT: &str = "workshops_join_code_key";
const DISPLAY_NAME_CONSTRAINT: &str = "students_workshop_id_display_name_key";

/// The PostgreSQL-backed workshop store.
pub struct PostgresStore {
    config: Config,
    target: String,
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
}

impl fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The config holds the password: show only where the database is.
        f.debug_struct("PostgresStore")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

/// Where `url` points, for logs: host, port, database and user, never the password.
pub fn describe(url: &str) -> String {
    match url.parse::<Config>() {
        Ok(config) => describe_config(&config),
        Err(_) => "PostgreSQL (the connection string does not parse)".to_owned(),
    }
}

fn describe_config(config: &Config) -> String {
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .map(|host| match host {
            postgres::config::Host::Tcp(name) => name.clone(),
            #[cfg(unix)]
            postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .collect();
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let user = config.get_user().unwrap_or("(default user)");
    let database = config.get_dbname().unwrap_or(user);
    format!(
        "PostgreSQL database {database} on {}:{port} as {user}",
        if hosts.is_empty() {
            "localhost".to_owned()
        } else {
            hosts.join(",")
        }
    )
}

/// Runs `work` on a thread of its own: the blocking driver runs a runtime of its own,
/// which may not be started on a thread already driving async tasks.
fn off_runtime<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| match scope.spawn(work).join() {
        Ok(value) => value,
        Err(panic) => std::panic::resume_unwind(panic),
    })
}

/// Opens one connection with the session settings every connection needs.
pub(crate) fn connect(config: &Config) -> Result<Client, StoreError> {
    let mut client = config.connect(NoTls)?;
    // Acknowledged means flushed: don't inherit a relaxed server default.
    client.batch_execute("SET synchronous_commit = on")?;
    Ok(client)
}

/// One connection, opened on first use and replaced when found broken.
#[derive(Default)]
struct Connection {
    client: Option<Client>,
}

impl Connection {
    /// The open client, (re)connecting if there is none or it has closed.
    fn client(&mut self, config: &Config) -> Result<&mut Client, StoreError> {
        if self.client.as_ref().is_some_and(Client::is_closed) {
            self.discard();
        }
        match &mut self.client {
            Some(client) => Ok(client),
            empty => Ok(empty.insert(off_runtime(|| connect(config))?)),
        }
    }

    /// Runs `work` on the client; a client that turns out broken is dropped, so the next
    /// use (and the caller's `client.is_none()` check) sees it.
    fn run<T>(
        &mut self,
        config: &Config,
        work: impl FnOnce(&mut Client) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let result = work(self.client(config)?);
        if self.client.as_ref().is_some_and(Client::is_closed) {
            self.discard();
        }
        result
    }

    /// Drops the client (off any async thread: closing it blocks).
    fn discard(&mut self) {
        if let Some(client) = self.client.take() {
            off_runtime(move || drop(client));
        }
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.discard();
    }
}

fn lock(connection: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    // A panic mid-transaction leaves nothing half-written (the transaction rolls back
    // when dropped), so a poisoned lock is still usable.
    connection
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Which uniqueness rule `error` reports breaking, if it is one we name.
fn conflict(error: &postgres::Error) -> Option<Conflict> {
    let db = error.as_db_error()?;
    if *db.code() != SqlState::UNIQUE_VIOLATION {
        return None;
    }
    match db.constraint()? {
        JOIN_CODE_CONSTRAINT => Some(Conflict::JoinCode),
        DISPLAY_NAME_CONSTRAINT => Some(Conflict::DisplayName),
        _ => None,
    }
}

/// Whether the database refused a statement (a constraint, bad data), as opposed to the
/// session ending under it (`FATAL`: terminated, server shutting down).
fn refused(error: &postgres::Error) -> bool {
    error
        .as_db_error()
        .is_some_and(|db| !matches!(db.severity(), "FATAL" | "PANIC"))
}

fn write_error(error: postgres::Error) -> StoreError {
    conflict(&error).map_or(StoreError::Postgres(error), StoreError::Conflict)
}

/// A workshop's second advisory-lock key: FNV-1a of its id, folded to 32 bits. Two
/// workshops sharing a key only share a lock (they wait for each other), nothing more.
pub fn workshop_key(workshop_id: &str) -> i32 {
    let hash = workshop_id.bytes().fold(0x811c_9dc5_u32, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    });
    i32::from_ne_bytes(hash.to_ne_bytes())
}

/// Takes the transaction-scoped advisory locks of these workshops, in key order (the
/// same order in every transaction, so two batches cannot deadlock).
fn lock_workshops<'a>(
    tx: &mut Transaction<'_>,
    namespace: i32,
    workshops: impl IntoIterator<Item = &'a str>,
) -> Result<(), postgres::Error> {
    let keys: std::collections::BTreeSet<i32> = workshops.into_iter().map(workshop_key).collect();
    for key in keys {
        tx.execute("SELECT pg_advisory_xact_lock($1, $2)", &[&namespace, &key])?;
    }
    Ok(())
}

/// Commits `tx`; a failure here leaves the outcome unknown ([`StoreError::CommitInDoubt`]).
fn commit(tx: Transaction<'_>) -> Result<(), StoreError> {
    tx.commit().map_err(StoreError::CommitInDoubt)
}

/// Queues a `NOTIFY` for `change`, sent by the server when the transaction commits.
fn notify(tx: &mut Transaction<'_>, change: &Change) -> Result<(), postgres::Error> {
    for payload in change.payloads() {
        tx.execute("SELECT pg_notify($1, $2)", &[&feed::CHANNEL, &payload])?;
    }
    Ok(())
}

fn workshop_from_row(row: &Row) -> Result<Workshop, StoreError> {
    WorkshopRow {
        id: row.try_get(0)?,
        title: row.try_get(1)?,
        lessons: row.try_get(2)?,
        preset: row.try_get(3)?,
        join_code: row.try_get(4)?,
        instructor_secret_hash: row.try_get(5)?,
        created_at: row.try_get(6)?,
    }
    .decode()
}

fn student_from_row(row: &Row) -> Result<Student, StoreError> {
    Ok(Student {
        id: row.try_get(0)?,
        workshop_id: row.try_get(1)?,
        display_name: row.try_get(2)?,
        joined_at: row.try_get(3)?,
    })
}

fn progress_from_row(row: &Row) -> Result<ProgressEvent, StoreError> {
    ProgressRow {
        id: row.try_get(0)?,
        workshop_id: row.try_get(1)?,
        student_id: row.try_get(2)?,
        kind: row.try_get(3)?,
        lesson: row.try_get(4)?,
        item: row.try_get(5)?,
        value: row.try_get(6)?,
        at: row.try_get(7)?,
    }
    .decode()
}

fn broadcast_from_row(row: &Row) -> Result<Broadcast, StoreError> {
    BroadcastRow {
        id: row.try_get(0)?,
        workshop_id: row.try_get(1)?,
        event: row.try_get(2)?,
        params: row.try_get(3)?,
        at: row.try_get(4)?,
    }
    .decode()
}

/// What one event of a batch came to: its id and time, or why the database refused it.
type Outcome = Result<(i64, i64), postgres::Error>;

impl PostgresStore {
    /// Connects to the database at `url`, brings its schema up to date and checks the
    /// connection settings. Fails with the database's own message (wrong password, no
    /// such database, server not running).
    pub fn open(url: &str) -> Result<Self, StoreError> {
        let mut config: Config = url.parse()?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("shipshape");
        }
        let target = describe_config(&config);
        let mut writer = Connection::default();
        off_runtime(|| -> Result<(), StoreError> {
            let client = writer.client(&config)?;
            migrations::migrate_postgres(client, now_ms())?;
            Ok(())
        })?;
        Ok(Self {
            config,
            target,
            writer: Mutex::new(writer),
            readers: (0..READERS).map(|_| Mutex::default()).collect(),
            next_reader: AtomicUsize::new(0),
        })
    }

    /// Where the database is (no password).
    pub fn describe(&self) -> String {
        self.target.clone()
    }

    /// The connection settings, for the change feed's own listening connection.
    pub(crate) fn config(&self) -> &Config {
        &self.config
    }

    /// Runs `write` (which ends with [`commit`]) on the writing connection, once more on
    /// a fresh connection if the first one broke before committing.
    fn write<T>(
        &self,
        mut write: impl FnMut(&mut Client) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut connection = lock(&self.writer);
        let result = connection.run(&self.config, &mut write);
        match result {
            // Failed before COMMIT on a dead connection: the server rolled it back.
            Err(StoreError::Postgres(_)) if connection.client.is_none() => {
                connection.run(&self.config, &mut write)
            }
            other => other,
        }
    }

    /// Runs `read` on an idle reading connection (or waits for one), once more on a
    /// fresh connection if the first one turns out to be broken.
    fn read<T>(
        &self,
        read: impl Fn(&mut Client) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed);
        let mut connection = (0..READERS)
            .find_map(|offset| self.readers[(start + offset) % READERS].try_lock().ok())
            .unwrap_or_else(|| lock(&self.readers[start % READERS]));
        let result = connection.run(&self.config, &read);
        if connection.client.is_none() {
            return connection.run(&self.config, &read);
        }
        result
    }

    /// See [`super::Store::create_workshop`].
    pub fn create_workshop(&self, new: NewWorkshop) -> Result<Workshop, StoreError> {
        let lessons = encode_lessons(&new.lessons)?;
        let created_at = now_ms();
        self.write(|client| {
            let mut tx = client.transaction()?;
            tx.execute(
                &format!(
                    "INSERT INTO workshops ({}) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    WorkshopRow::COLUMNS
                ),
                &[
                    &new.id,
                    &new.title,
                    &lessons,
                    &new.preset,
                    &new.join_code,
                    &new.instructor_secret_hash,
                    &created_at,
                ],
            )
            .map_err(write_error)?;
            commit(tx)
        })?;
        Ok(new.stored(created_at))
    }

    /// See [`super::Store::workshop`].
    pub fn workshop(&self, id: &str) -> Result<Option<Workshop>, StoreError> {
        self.workshop_where("id", id)
    }

    /// See [`super::Store::workshop_by_code`].
    pub fn workshop_by_code(&self, join_code: &str) -> Result<Option<Workshop>, StoreError> {
        self.workshop_where("join_code", join_code)
    }

    fn workshop_where(&self, column: &str, value: &str) -> Result<Option<Workshop>, StoreError> {
        let sql = format!(
            "SELECT {} FROM workshops WHERE {column} = $1",
            WorkshopRow::COLUMNS
        );
        self.read(|client| {
            client
                .query_opt(&sql, &[&value])?
                .as_ref()
                .map(workshop_from_row)
                .transpose()
        })
    }

    /// See [`super::Store::add_student`].
    pub fn add_student(&self, new: NewStudent) -> Result<Student, StoreError> {
        let joined_at = now_ms();
        self.write(|client| {
            let mut tx = client.transaction()?;
            tx.execute(
                "INSERT INTO students (id, workshop_id, display_name, token_hash, joined_at)
                 VALUES ($1, $2, $3, $4, $5)",
                &[
                    &new.id,
                    &new.workshop_id,
                    &new.display_name,
                    &new.token_hash,
                    &joined_at,
                ],
            )
            .map_err(write_error)?;
            notify(&mut tx, &Change::Join(new.id.clone()))?;
            commit(tx)
        })?;
        Ok(new.stored(joined_at))
    }

    /// See [`super::Store::student_by_token_hash`].
    pub fn student_by_token_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<(Student, String)>, StoreError> {
        self.read(|client| {
            let row = client.query_opt(
                &format!(
                    "SELECT {STUDENT_COLUMNS}, token_hash FROM students WHERE token_hash = $1"
                ),
                &[&token_hash],
            )?;
            row.map(|row| Ok((student_from_row(&row)?, row.try_get(4)?)))
                .transpose()
        })
    }

    /// The student with this id (the change feed's `join`).
    pub fn student(&self, id: &str) -> Result<Option<Student>, StoreError> {
        self.read(|client| {
            client
                .query_opt(
                    &format!("SELECT {STUDENT_COLUMNS} FROM students WHERE id = $1"),
                    &[&id],
                )?
                .as_ref()
                .map(student_from_row)
                .transpose()
        })
    }

    /// See [`super::Store::students`].
    pub fn students(&self, workshop_id: &str) -> Result<Vec<Student>, StoreError> {
        self.read(|client| {
            client
                .query(
                    &format!(
                        "SELECT {STUDENT_COLUMNS} FROM students WHERE workshop_id = $1
                         ORDER BY joined_at, id"
                    ),
                    &[&workshop_id],
                )?
                .iter()
                .map(student_from_row)
                .collect()
        })
    }

    /// See [`super::Store::add_progress_batch`].
    ///
    /// PostgreSQL aborts the whole transaction at the first refused row, so the batch is
    /// first stored plainly (one `INSERT` for all its events); only if the database
    /// refuses one is it redone with a savepoint around each event, so the others still
    /// commit.
    pub fn add_progress_batch(
        &self,
        batch: Vec<NewProgress>,
    ) -> Result<Vec<Result<ProgressEvent, StoreError>>, StoreError> {
        let outcomes = self.write(|client| match insert_progress(client, &batch, false) {
            Err(StoreError::Postgres(error)) if refused(&error) => {
                insert_progress(client, &batch, true)
            }
            other => other,
        })?;
        Ok(batch
            .into_iter()
            .zip(outcomes)
            .map(|(new, outcome)| match outcome {
                Ok((id, at)) => Ok(stored_progress(new, id, at)),
                Err(error) => Err(error.into()),
            })
            .collect())
    }

    /// See [`super::Store::progress`].
    pub fn progress(&self, workshop_id: &str) -> Result<Vec<ProgressEvent>, StoreError> {
        let sql = format!(
            "SELECT {} FROM progress_events WHERE workshop_id = $1 ORDER BY id",
            ProgressRow::COLUMNS
        );
        self.read(|client| {
            client
                .query(&sql, &[&workshop_id])?
                .iter()
                .map(progress_from_row)
                .collect()
        })
    }

    /// These progress events (the change feed's `progress`), in id order; ids not found
    /// are left out.
    pub fn progress_by_ids(&self, ids: &[i64]) -> Result<Vec<ProgressEvent>, StoreError> {
        let sql = format!(
            "SELECT {} FROM progress_events WHERE id = ANY($1) ORDER BY id",
            ProgressRow::COLUMNS
        );
        self.read(|client| {
            client
                .query(&sql, &[&ids])?
                .iter()
                .map(progress_from_row)
                .collect()
        })
    }

    /// See [`super::Store::add_broadcast`].
    pub fn add_broadcast(
        &self,
        workshop_id: &str,
        event: &str,
        params: Value,
    ) -> Result<Broadcast, StoreError> {
        let at = now_ms();
        let text = params.to_string();
        let id = self.write(|client| {
            let mut tx = client.transaction()?;
            lock_workshops(&mut tx, BROADCAST_LOCK, [workshop_id])?;
            let id: i64 = tx
                .query_one(
                    "INSERT INTO broadcasts (workshop_id, event, params, at)
                     VALUES ($1, $2, $3, $4) RETURNING id",
                    &[&workshop_id, &event, &text, &at],
                )?
                .try_get(0)?;
            notify(&mut tx, &Change::Broadcast(id))?;
            commit(tx)?;
            Ok(id)
        })?;
        Ok(Broadcast {
            id,
            workshop_id: workshop_id.to_owned(),
            event: event.to_owned(),
            params,
            at,
        })
    }

    /// See [`super::Store::broadcasts`].
    pub fn broadcasts(&self, workshop_id: &str) -> Result<Vec<Broadcast>, StoreError> {
        self.broadcasts_where("workshop_id = $1", &workshop_id)
    }

    /// The broadcast with this id (the change feed's `broadcast`).
    pub fn broadcast(&self, id: i64) -> Result<Option<Broadcast>, StoreError> {
        Ok(self.broadcasts_where("id = $1", &id)?.pop())
    }

    fn broadcasts_where(
        &self,
        condition: &str,
        value: &(dyn postgres::types::ToSql + Sync),
    ) -> Result<Vec<Broadcast>, StoreError> {
        let sql = format!(
            "SELECT {} FROM broadcasts WHERE {condition} ORDER BY id",
            BroadcastRow::COLUMNS
        );
        self.read(|client| {
            client
                .query(&sql, &[value])?
                .iter()
                .map(broadcast_from_row)
                .collect()
        })
    }
}

/// Inserts a batch of progress events in one transaction and commits it. Plainly, the
/// whole batch is one `INSERT ... SELECT FROM unnest(...)` (one round trip however many
/// events), and the first refused event fails the whole call; `isolated`, each event gets
/// its own statement inside a savepoint and fails alone. The outer error means nothing
/// was committed (or, in doubt, that it is unknown).
fn insert_progress(
    client: &mut Client,
    batch: &[NewProgress],
    isolated: bool,
) -> Result<Vec<Outcome>, StoreError> {
    let mut tx = client.transaction()?;
    lock_workshops(
        &mut tx,
        PROGRESS_LOCK,
        batch.iter().map(|new| new.workshop_id.as_str()),
    )?;
    let at = now_ms();
    let outcomes = if isolated {
        insert_one_by_one(&mut tx, batch, at)?
    } else {
        insert_all(&mut tx, batch, at)?
    };
    let ids: Vec<i64> = outcomes
        .iter()
        .filter_map(|outcome| outcome.as_ref().ok().map(|(id, _)| *id))
        .collect();
    if !ids.is_empty() {
        notify(&mut tx, &Change::Progress(ids))?;
    }
    commit(tx)?;
    Ok(outcomes)
}

/// The whole batch in one statement. Rows are inserted in `ordinality` order, so the
/// identity values they draw ascend in batch order: sorted, the returned ids line up
/// with the batch.
fn insert_all(
    tx: &mut Transaction<'_>,
    batch: &[NewProgress],
    at: i64,
) -> Result<Vec<Outcome>, postgres::Error> {
    let column = |field: fn(&NewProgress) -> String| batch.iter().map(field).collect::<Vec<_>>();
    let mut ids: Vec<i64> = tx
        .query(
            "INSERT INTO progress_events (workshop_id, student_id, kind, lesson, item, value, at)
             SELECT w, s, k, l, i, v, $7
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
                  WITH ORDINALITY AS batch (w, s, k, l, i, v, n)
             ORDER BY n
             RETURNING id",
            &[
                &column(|new| new.workshop_id.clone()),
                &column(|new| new.student_id.clone()),
                &column(|new| new.kind.as_str().to_owned()),
                &column(|new| new.lesson.clone()),
                &column(|new| new.item.clone()),
                &column(|new| new.value.to_string()),
                &at,
            ],
        )?
        .iter()
        .map(|row| row.try_get(0))
        .collect::<Result<_, _>>()?;
    ids.sort_unstable();
    Ok(ids.into_iter().map(|id| Ok((id, at))).collect())
}

/// Each event in its own savepoint, so a refused one is undone alone.
fn insert_one_by_one(
    tx: &mut Transaction<'_>,
    batch: &[NewProgress],
    at: i64,
) -> Result<Vec<Outcome>, StoreError> {
    let insert = tx.prepare(
        "INSERT INTO progress_events (workshop_id, student_id, kind, lesson, item, value, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )?;
    let mut outcomes = Vec::with_capacity(batch.len());
    for new in batch {
        let value = new.value.to_string();
        let params: [&(dyn postgres::types::ToSql + Sync); 7] = [
            &new.workshop_id,
            &new.student_id,
            &new.kind.as_str(),
            &new.lesson,
            &new.item,
            &value,
            &at,
        ];
        let mut savepoint = tx.savepoint("event")?;
        match savepoint.query_one(&insert, &params) {
            Ok(row) => {
                let id: i64 = row.try_get(0)?;
                savepoint.commit()?;
                outcomes.push(Ok((id, at)));
            }
            // Refused by the database: dropping the savepoint undoes just this event.
            Err(error) if refused(&error) => outcomes.push(Err(error)),
            Err(error) => return Err(error.into()),
        }
    }
    Ok(outcomes)
}

/// A throw-away PostgreSQL database for tests and benchmarks: created with a random name
/// on a server where the given role may create databases, and dropped (connections and
/// all) when this is dropped.
pub struct ScratchDatabase {
    admin: Config,
    name: String,
    url: String,
}

/// The environment variable naming a PostgreSQL server for tests (a connection URL for a
/// role allowed to create databases). `cargo xtask test` starts one and sets it.
pub const TEST_POSTGRES_ENV: &str = "SHIPSHAPE_TEST_POSTGRES";
/// When `1`, tests needing PostgreSQL fail instead of skipping if
/// [`TEST_POSTGRES_ENV`] is unset (`cargo xtask test` sets it).
pub const REQUIRE_POSTGRES_ENV: &str = "SHIPSHAPE_REQUIRE_POSTGRES";

impl fmt::Debug for ScratchDatabase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScratchDatabase")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl ScratchDatabase {
    /// Creates a fresh, empty database through `admin_url` (URL form:
    /// `postgres://user@host:port/db`).
    pub fn create(admin_url: &str) -> Result<Self, StoreError> {
        let admin: Config = admin_url.parse()?;
        let mut suffix = [0u8; 8];
        getrandom::fill(&mut suffix)
            .map_err(|e| StoreError::Schema(format!("no randomness for a name: {e}")))?;
        let name = format!(
            "shipshape_scratch_{}",
            suffix
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        let url = with_database(admin_url, &name).ok_or_else(|| {
            StoreError::Schema(format!(
                "{TEST_POSTGRES_ENV} must be a postgres:// URL, got {}",
                describe(admin_url)
            ))
        })?;
        off_runtime(|| -> Result<(), StoreError> {
            let mut client = admin.connect(NoTls)?;
            client.batch_execute(&format!("CREATE DATABASE {name}"))?;
            Ok(())
        })?;
        Ok(Self { admin, name, url })
    }

    /// A scratch database on the server named by `SHIPSHAPE_TEST_POSTGRES`, or `None`
    /// (with a note on stderr) when it is unset.
    ///
    /// # Panics
    /// When the variable is unset but `SHIPSHAPE_REQUIRE_POSTGRES=1`, or the database
    /// cannot be created: a test run that promised PostgreSQL must not quietly skip it.
    pub fn from_env() -> Option<Self> {
        let Some(url) = std::env::var(TEST_POSTGRES_ENV)
            .ok()
            .filter(|url| !url.is_empty())
        else {
            assert!(
                std::env::var(REQUIRE_POSTGRES_ENV).as_deref() != Ok("1"),
                "{REQUIRE_POSTGRES_ENV}=1 but {TEST_POSTGRES_ENV} is not set"
            );
            eprintln!(
                "skipping the PostgreSQL half: set {TEST_POSTGRES_ENV} to a postgres:// URL \
                 (cargo xtask test does)"
            );
            return None;
        };
        match Self::create(&url) {
            Ok(scratch) => Some(scratch),
            Err(error) => panic!(
                "cannot create a scratch database on {}: {error}",
                describe(&url)
            ),
        }
    }

    /// The new database's connection URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A plain connection to the new database (from a blocking thread).
    pub fn connect(&self) -> Result<Client, StoreError> {
        let config: Config = self.url.parse()?;
        off_runtime(|| Ok(config.connect(NoTls)?))
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        let (admin, name) = (&self.admin, &self.name);
        let dropped = off_runtime(|| -> Result<(), postgres::Error> {
            let mut client = admin.connect(NoTls)?;
            client.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        });
        if let Err(error) = dropped {
            eprintln!("could not drop scratch database {name}: {error}");
        }
    }
}

/// `url` with its database replaced by `database`, for `postgres://` and
/// `postgresql://` URLs; `None` for other forms.
fn with_database(url: &str, database: &str) -> Option<String> {
    let rest = url
        .strip_prefix("postgres://")
        .or_else(|| url.strip_prefix("postgresql://"))?;
    let scheme = &url[..url.len() - rest.len()];
    let (before_query, query) = match rest.split_once('?') {
        Some((before, query)) => (before, Some(query)),
        None => (rest, None),
    };
    let authority = before_query
        .split_once('/')
        .map_or(before_query, |(a, _)| a);
    let mut out = format!("{scheme}{authority}/{database}");
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_get_the_scratch_database() {
        assert_eq!(
            with_database("postgres://u@127.0.0.1:5433/postgres", "x").as_deref(),
            Some("postgres://u@127.0.0.1:5433/x")
        );
        assert_eq!(
            with_database("postgresql://u:p@h/db?sslmode=disable", "x").as_deref(),
            Some("postgresql://u:p@h/x?sslmode=disable")
        );
        assert_eq!(
            with_database("postgres://h:1", "x").as_deref(),
            Some("postgres://h:1/x")
        );
        assert_eq!(with_database("host=h dbname=d", "x"), None);
    }

    #[test]
    fn descriptions_leave_the_password_out() {
        let text = describe("postgres://alice:s3cret@db.example:6543/class");
        assert_eq!(
            text,
            "PostgreSQL database class on db.example:6543 as alice"
        );
        let text = describe("host=/run/pg user=bob password=s3cret dbname=w");
        assert!(!text.contains("s3cret"), "{text}");
        assert!(text.contains("database w"), "{text}");
        assert!(describe("port=many").contains("does not parse"));
    }

    #[test]
    fn workshop_keys_spread_and_repeat() {
        assert_eq!(workshop_key("abc"), workshop_key("abc"));
        let keys: std::collections::BTreeSet<i32> =
            (0..1000).map(|i| workshop_key(&format!("w{i}"))).collect();
        assert!(keys.len() > 990, "{}", keys.len());
    }
}
