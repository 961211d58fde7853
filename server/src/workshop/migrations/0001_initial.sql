-- Workshops, their students, the students' progress and the instructor's broadcasts.
--
-- Plain, portable SQL: the same text runs on SQLite and PostgreSQL. Times are
-- milliseconds since the Unix epoch (UTC) in BIGINT; JSON is stored as TEXT; secrets and
-- tokens only as hex SHA-256 digests. The one dialect-specific spelling is marked below;
-- `migrations.rs` rewrites it for PostgreSQL.

CREATE TABLE workshops (
    id TEXT NOT NULL PRIMARY KEY,
    title TEXT NOT NULL,
    lessons TEXT NOT NULL,
    preset TEXT NOT NULL,
    join_code TEXT NOT NULL UNIQUE,
    instructor_secret_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE students (
    id TEXT NOT NULL PRIMARY KEY,
    workshop_id TEXT NOT NULL REFERENCES workshops (id),
    display_name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    joined_at BIGINT NOT NULL,
    UNIQUE (workshop_id, display_name)
);

CREATE TABLE progress_events (
    -- Dialect-specific: in SQLite this spelling makes the id the auto-assigned rowid;
    -- for PostgreSQL it becomes an identity column (see `migrations.rs`).
    id INTEGER PRIMARY KEY,
    workshop_id TEXT NOT NULL REFERENCES workshops (id),
    student_id TEXT NOT NULL REFERENCES students (id),
    kind TEXT NOT NULL CHECK (kind IN ('step', 'answer', 'challenge', 'time')),
    lesson TEXT NOT NULL,
    item TEXT NOT NULL,
    value TEXT NOT NULL,
    at BIGINT NOT NULL
);

CREATE INDEX progress_events_by_workshop ON progress_events (workshop_id, id);

CREATE TABLE broadcasts (
    -- Dialect-specific, as for progress_events.id.
    id INTEGER PRIMARY KEY,
    workshop_id TEXT NOT NULL REFERENCES workshops (id),
    event TEXT NOT NULL,
    params TEXT NOT NULL,
    at BIGINT NOT NULL
);

CREATE INDEX broadcasts_by_workshop ON broadcasts (workshop_id, id);
