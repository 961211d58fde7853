//! Workshop storage: a narrow, synchronous API over plain [`super::model`] values, so
//! handlers never see SQL. Two backends offer the same methods over the same schema and
//! migrations ([`super::migrations`]):
//!
//! - [`sqlite`] (the default): `<data>/shipshape.db`, WAL, `synchronous=FULL`; one
//!   server process;
//! - [`postgresql`]: when `DATABASE_URL` (or `--database-url`) names a PostgreSQL
//!   database; several `shipshape serve` processes may share it behind a load balancer,
//!   and each hears the others' writes through [`super::feed`].
//!
//! Either way a write method returns only once its transaction is committed and durable;
//! the API acknowledges nothing before that. Handlers call the store from
//! `tokio::task::spawn_blocking` (see [`super::WorkshopState::db`]): both drivers block.
//!
//! Progress events, the one write a class makes often, can be stored in batches
//! ([`Store::add_progress_batch`]): one transaction, one flush to disk, however many
//! events were waiting. That is group commit; [`super::writer`] feeds it.

pub mod postgresql;
pub mod sqlite;

use std::path::PathBuf;

use serde_json::Value;

use super::model::{Broadcast, ProgressEvent, ProgressKind, Student, Workshop};

pub use self::postgresql::PostgresStore;
pub use self::sqlite::SqliteStore;

/// The database file's name inside the data directory.
pub const DB_FILE: &str = "shipshape.db";

/// A storage failure. Handlers turn [`StoreError::Conflict`] into 409 and everything else
/// into a logged 500 whose detail the client never sees.
#[derive(Debug)]
pub enum StoreError {
    /// A uniqueness rule would be broken (the message says which).
    Conflict(Conflict),
    /// SQLite failed.
    Database(rusqlite::Error),
    /// PostgreSQL failed (or could not be reached).
    Postgres(postgres::Error),
    /// PostgreSQL's connection failed while committing: the write may or may not have
    /// been stored, so it is neither retried nor acknowledged.
    CommitInDoubt(postgres::Error),
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
            Self::Postgres(error) => {
                write!(f, "PostgreSQL: {error}")?;
                // "error connecting to server" says little without its cause.
                let mut source = std::error::Error::source(error);
                while let Some(cause) = source {
                    write!(f, ": {cause}")?;
                    source = cause.source();
                }
                Ok(())
            }
            Self::CommitInDoubt(error) => write!(
                f,
                "PostgreSQL: the connection failed during COMMIT, so whether the write \
                 was stored is unknown: {error}"
            ),
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

impl From<postgres::Error> for StoreError {
    fn from(error: postgres::Error) -> Self {
        Self::Postgres(error)
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

impl NewWorkshop {
    /// The workshop as stored at `created_at`.
    fn stored(self, created_at: i64) -> Workshop {
        Workshop {
            id: self.id,
            title: self.title,
            lessons: self.lessons,
            preset: self.preset,
            join_code: self.join_code,
            instructor_secret_hash: self.instructor_secret_hash,
            created_at,
        }
    }
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

impl NewStudent {
    /// The student as stored at `joined_at` (the token hash stays in the database).
    fn stored(self, joined_at: i64) -> Student {
        Student {
            id: self.id,
            workshop_id: self.workshop_id,
            display_name: self.display_name,
            joined_at,
        }
    }
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

/// Where the workshop store lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// `<data>/shipshape.db` in this data directory.
    Sqlite(PathBuf),
    /// The PostgreSQL database at this connection string (URL or `key=value` form).
    Postgres(String),
}

impl Location {
    /// PostgreSQL when `database_url` is set (and not blank), else SQLite in `data`.
    pub fn choose(data: PathBuf, database_url: Option<&str>) -> Self {
        match database_url.map(str::trim) {
            Some(url) if !url.is_empty() => Self::Postgres(url.to_owned()),
            _ => Self::Sqlite(data),
        }
    }

    /// For logs and error messages: never includes a password.
    pub fn describe(&self) -> String {
        match self {
            Self::Sqlite(data) => format!("SQLite at {}", data.join(DB_FILE).display()),
            Self::Postgres(url) => postgresql::describe(url),
        }
    }
}

/// The workshop store, on one of the two backends.
#[derive(Debug)]
#[expect(
    clippy::large_enum_variant,
    reason = "one store per server, opened once and kept behind an Arc: it is never moved"
)]
pub enum Store {
    /// SQLite in the data directory.
    Sqlite(SqliteStore),
    /// A PostgreSQL database, possibly shared by several servers.
    Postgres(PostgresStore),
}

/// Calls the same method on whichever backend this is.
macro_rules! delegate {
    ($($(#[$meta:meta])* fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty;)*) => {
        $(
            $(#[$meta])*
            pub fn $name(&self $(, $arg: $ty)*) -> $ret {
                match self {
                    Self::Sqlite(store) => store.$name($($arg),*),
                    Self::Postgres(store) => store.$name($($arg),*),
                }
            }
        )*
    };
}

impl Store {
    /// Opens (creating if needed) the store at `location` and brings its schema up to
    /// date. For SQLite the data directory must exist.
    pub fn open(location: &Location) -> Result<Self, StoreError> {
        match location {
            Location::Sqlite(data) => Ok(Self::Sqlite(SqliteStore::open(data)?)),
            Location::Postgres(url) => Ok(Self::Postgres(PostgresStore::open(url)?)),
        }
    }

    /// Where the store is, for logs (no password).
    pub fn describe(&self) -> String {
        match self {
            Self::Sqlite(store) => format!("SQLite at {}", store.path().display()),
            Self::Postgres(store) => store.describe(),
        }
    }

    /// Stores one progress event (a batch of one); returns it with its id once committed.
    pub fn add_progress(&self, new: NewProgress) -> Result<ProgressEvent, StoreError> {
        self.add_progress_batch(vec![new])?
            .pop()
            .unwrap_or_else(|| Err(StoreError::Schema("a batch of one came back empty".into())))
    }

    delegate! {
        /// Stores a new workshop, or reports [`Conflict::JoinCode`] if the code is taken.
        fn create_workshop(&self, new: NewWorkshop) -> Result<Workshop, StoreError>;
        /// The workshop with this id.
        fn workshop(&self, id: &str) -> Result<Option<Workshop>, StoreError>;
        /// The workshop with this join code.
        fn workshop_by_code(&self, join_code: &str) -> Result<Option<Workshop>, StoreError>;
        /// Adds a student, or reports [`Conflict::DisplayName`] if the workshop already
        /// has a student of that name.
        fn add_student(&self, new: NewStudent) -> Result<Student, StoreError>;
        /// The student whose token hashes to `token_hash`, with that stored hash (for a
        /// constant-time comparison by the caller).
        fn student_by_token_hash(&self, token_hash: &str) -> Result<Option<(Student, String)>, StoreError>;
        /// Every student of a workshop, in joining order.
        fn students(&self, workshop_id: &str) -> Result<Vec<Student>, StoreError>;
        /// Stores progress events in one transaction: the outer error means nothing was
        /// stored; otherwise each event's own outcome, in order, every `Ok` one committed
        /// by the time this returns. An event the database refuses (say, an unknown
        /// student) fails alone.
        fn add_progress_batch(&self, batch: Vec<NewProgress>) -> Result<Vec<Result<ProgressEvent, StoreError>>, StoreError>;
        /// Every progress event of a workshop, oldest first.
        fn progress(&self, workshop_id: &str) -> Result<Vec<ProgressEvent>, StoreError>;
        /// Stores a broadcast; returns it with its id once committed.
        fn add_broadcast(&self, workshop_id: &str, event: &str, params: Value) -> Result<Broadcast, StoreError>;
        /// Every broadcast of a workshop, oldest first.
        fn broadcasts(&self, workshop_id: &str) -> Result<Vec<Broadcast>, StoreError>;
    }
}

/// One `workshops` row, as both backends read it.
struct WorkshopRow {
    id: String,
    title: String,
    lessons: String,
    preset: String,
    join_code: String,
    instructor_secret_hash: String,
    created_at: i64,
}

impl WorkshopRow {
    /// The columns, in the order both backends select (and insert) them.
    const COLUMNS: &'static str =
        "id, title, lessons, preset, join_code, instructor_secret_hash, created_at";

    fn decode(self) -> Result<Workshop, StoreError> {
        let lessons = serde_json::from_str(&self.lessons)
            .map_err(|e| StoreError::Corrupt(format!("workshop {} lessons: {e}", self.id)))?;
        Ok(Workshop {
            id: self.id,
            title: self.title,
            lessons,
            preset: self.preset,
            join_code: self.join_code,
            instructor_secret_hash: self.instructor_secret_hash,
            created_at: self.created_at,
        })
    }
}

/// The `students` columns both backends select into a [`Student`], in its field order.
const STUDENT_COLUMNS: &str = "id, workshop_id, display_name, joined_at";

/// A workshop's lesson list as stored (JSON text).
fn encode_lessons(lessons: &[String]) -> Result<String, StoreError> {
    serde_json::to_string(lessons).map_err(|e| StoreError::Corrupt(format!("lesson list: {e}")))
}

/// One `progress_events` row, as both backends read it.
struct ProgressRow {
    id: i64,
    workshop_id: String,
    student_id: String,
    kind: String,
    lesson: String,
    item: String,
    value: String,
    at: i64,
}

impl ProgressRow {
    /// The columns, in the order both backends select them.
    const COLUMNS: &'static str = "id, workshop_id, student_id, kind, lesson, item, value, at";

    fn decode(self) -> Result<ProgressEvent, StoreError> {
        let id = self.id;
        let kind = ProgressKind::parse(&self.kind)
            .ok_or_else(|| StoreError::Corrupt(format!("progress {id}: kind {:?}", self.kind)))?;
        let value = serde_json::from_str(&self.value)
            .map_err(|e| StoreError::Corrupt(format!("progress {id} value: {e}")))?;
        Ok(ProgressEvent {
            id,
            workshop_id: self.workshop_id,
            student_id: self.student_id,
            kind,
            lesson: self.lesson,
            item: self.item,
            value,
            at: self.at,
        })
    }
}

/// One `broadcasts` row, as both backends read it.
struct BroadcastRow {
    id: i64,
    workshop_id: String,
    event: String,
    params: String,
    at: i64,
}

impl BroadcastRow {
    /// The columns, in the order both backends select them.
    const COLUMNS: &'static str = "id, workshop_id, event, params, at";

    fn decode(self) -> Result<Broadcast, StoreError> {
        let id = self.id;
        let params = serde_json::from_str(&self.params)
            .map_err(|e| StoreError::Corrupt(format!("broadcast {id} params: {e}")))?;
        Ok(Broadcast {
            id,
            workshop_id: self.workshop_id,
            event: self.event,
            params,
            at: self.at,
        })
    }
}

/// The event a [`NewProgress`] became once stored with `id` at `at`.
fn stored_progress(new: NewProgress, id: i64, at: i64) -> ProgressEvent {
    ProgressEvent {
        id,
        workshop_id: new.workshop_id,
        student_id: new.student_id,
        kind: new.kind,
        lesson: new.lesson,
        item: new.item,
        value: new.value,
        at,
    }
}

/// Test support: a fresh store on each backend.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// A fresh store and what keeps it alive (its directory or scratch database).
    pub struct Fresh {
        /// The backend, for assertion messages.
        pub name: &'static str,
        /// The store.
        pub store: Store,
        _keep: Box<dyn std::any::Any + Send>,
    }

    /// A fresh SQLite store, and a fresh PostgreSQL one when the test environment names
    /// a server (see [`postgresql::ScratchDatabase::from_env`]).
    pub fn fresh_stores() -> Vec<Fresh> {
        let dir = tempfile::tempdir().unwrap();
        let sqlite = Store::open(&Location::Sqlite(dir.path().to_owned())).unwrap();
        let mut stores = vec![Fresh {
            name: "sqlite",
            store: sqlite,
            _keep: Box::new(dir),
        }];
        if let Some(scratch) = postgresql::ScratchDatabase::from_env() {
            let store = Store::open(&Location::Postgres(scratch.url().to_owned())).unwrap();
            stores.push(Fresh {
                name: "postgres",
                store,
                _keep: Box::new(scratch),
            });
        }
        stores
    }
}

#[cfg(test)]
mod tests {
    use super::testing::fresh_stores;
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

    fn progress(student: &str, item: &str) -> NewProgress {
        NewProgress {
            workshop_id: "w1".into(),
            student_id: student.into(),
            kind: ProgressKind::Answer,
            lesson: "meet-the-cluster".into(),
            item: item.into(),
            value: json!({"correct": true}),
        }
    }

    #[test]
    fn round_trips_every_table() {
        for fresh in fresh_stores() {
            let (store, name) = (&fresh.store, fresh.name);
            let w = workshop(store, "w1", "ABCDEF");
            assert_eq!(store.workshop("w1").unwrap(), Some(w.clone()), "{name}");
            assert_eq!(store.workshop_by_code("ABCDEF").unwrap(), Some(w), "{name}");
            assert_eq!(store.workshop("nope").unwrap(), None, "{name}");
            let s = student(store, "w1", "s1", "Ana").unwrap();
            let (found, hash) = store.student_by_token_hash("hash-s1").unwrap().unwrap();
            assert_eq!((found, hash.as_str()), (s, "hash-s1"), "{name}");
            let event = store.add_progress(progress("s1", "q1")).unwrap();
            assert!(event.id > 0, "{name}");
            store
                .add_broadcast("w1", "node-failure", json!({"node": "worker-1"}))
                .unwrap();
            assert_eq!(store.students("w1").unwrap().len(), 1, "{name}");
            let events = store.progress("w1").unwrap();
            assert_eq!(events, vec![event], "{name}");
            assert_eq!(events[0].value, json!({"correct": true}), "{name}");
            let broadcasts = store.broadcasts("w1").unwrap();
            assert_eq!(broadcasts[0].params["node"], "worker-1", "{name}");
        }
    }

    #[test]
    fn sqlite_keeps_everything_across_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let location = Location::Sqlite(dir.path().to_owned());
        {
            let store = Store::open(&location).unwrap();
            workshop(&store, "w1", "ABCDEF");
            student(&store, "w1", "s1", "Ana").unwrap();
            store.add_progress(progress("s1", "q1")).unwrap();
        }
        let store = Store::open(&location).unwrap();
        assert_eq!(store.progress("w1").unwrap().len(), 1);
        assert!(store.describe().starts_with("SQLite at "));
    }

    #[test]
    fn conflicts_are_reported_and_write_nothing() {
        for fresh in fresh_stores() {
            let (store, name) = (&fresh.store, fresh.name);
            workshop(store, "w1", "ABCDEF");
            let again = store.create_workshop(NewWorkshop {
                id: "w2".into(),
                title: "Other".into(),
                lessons: vec![],
                preset: "default".into(),
                join_code: "ABCDEF".into(),
                instructor_secret_hash: String::new(),
            });
            assert!(
                matches!(again, Err(StoreError::Conflict(Conflict::JoinCode))),
                "{name}: {again:?}"
            );
            assert_eq!(store.workshop("w2").unwrap(), None, "{name}");
            student(store, "w1", "s1", "Ana").unwrap();
            let twin = student(store, "w1", "s2", "Ana");
            assert!(
                matches!(twin, Err(StoreError::Conflict(Conflict::DisplayName))),
                "{name}: {twin:?}"
            );
            assert_eq!(store.students("w1").unwrap().len(), 1, "{name}");
        }
    }

    #[test]
    fn foreign_keys_are_enforced() {
        for fresh in fresh_stores() {
            let refused = student(&fresh.store, "no-such-workshop", "s1", "Ana");
            assert!(refused.is_err(), "{}", fresh.name);
        }
    }

    #[test]
    fn a_refused_event_fails_alone() {
        for fresh in fresh_stores() {
            let (store, name) = (&fresh.store, fresh.name);
            workshop(store, "w1", "ABCDEF");
            student(store, "w1", "s1", "Ana").unwrap();
            let results = store
                .add_progress_batch(vec![
                    progress("s1", "a"),
                    progress("no-such-student", "b"),
                    progress("s1", "c"),
                ])
                .unwrap();
            assert!(results[0].is_ok(), "{name}");
            assert!(results[1].is_err(), "{name}: the foreign key refuses it");
            assert!(results[2].is_ok(), "{name}");
            let items: Vec<String> = store
                .progress("w1")
                .unwrap()
                .into_iter()
                .map(|e| e.item)
                .collect();
            assert_eq!(items, ["a", "c"], "{name}");
            // A batch of one refused event: the outer call still succeeds.
            let alone = store
                .add_progress_batch(vec![progress("no-such-student", "d")])
                .unwrap();
            assert!(alone[0].is_err(), "{name}");
        }
    }

    #[test]
    fn locations_follow_the_database_url() {
        let data = PathBuf::from("data");
        assert_eq!(
            Location::choose(data.clone(), None),
            Location::Sqlite(data.clone())
        );
        assert_eq!(
            Location::choose(data.clone(), Some("  ")),
            Location::Sqlite(data.clone())
        );
        let postgres = Location::choose(data, Some("postgres://u:pw@db/class"));
        assert_eq!(
            postgres,
            Location::Postgres("postgres://u:pw@db/class".into())
        );
        assert!(!postgres.describe().contains("pw"));
    }

    #[test]
    fn an_unreachable_postgres_is_a_clear_error() {
        let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = free.local_addr().unwrap().port();
        drop(free);
        let location = Location::Postgres(format!("postgres://nobody@127.0.0.1:{port}/none"));
        let error = Store::open(&location).unwrap_err().to_string();
        assert!(error.starts_with("PostgreSQL: "), "{error}");
        assert!(error.contains("refused"), "the cause is named: {error}");
    }
}
