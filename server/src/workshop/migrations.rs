//! Numbered schema migrations, applied in order on start.
//!
//! Each migration is a SQL file under `migrations/`, written in plain SQL that PostgreSQL
//! also accepts (see the file's header). The `schema_version` table records which ones
//! have run; each runs in its own transaction together with its `schema_version` row, so
//! a crash mid-migration leaves the database at the previous version. A database written
//! by a newer Shipshape (a version we don't know) is refused rather than guessed at.

use rusqlite::{Connection, OptionalExtension, params};

use super::store::StoreError;

/// One schema change.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// Strictly increasing from 1.
    pub version: i64,
    /// A short name, recorded with the version.
    pub name: &'static str,
    /// The SQL, possibly several statements.
    pub sql: &'static str,
}

/// Every migration, in order.
pub const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    name: "initial",
    sql: include_str!("migrations/0001_initial.sql"),
}];

const CREATE_VERSION_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_version (
    version BIGINT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at BIGINT NOT NULL
)";

/// The highest version recorded in `schema_version` (0 for a new database).
pub fn current_version(conn: &Connection) -> Result<i64, StoreError> {
    conn.execute_batch(CREATE_VERSION_TABLE)?;
    let version: Option<i64> = conn
        .query_row("SELECT MAX(version) FROM schema_version", [], |row| {
            row.get(0)
        })
        .optional()?
        .flatten();
    Ok(version.unwrap_or(0))
}

/// Applies every migration newer than the database; returns the resulting version.
pub fn migrate(conn: &mut Connection, now_ms: i64) -> Result<i64, StoreError> {
    let mut version = current_version(conn)?;
    let latest = MIGRATIONS.last().map_or(0, |m| m.version);
    if version > latest {
        return Err(StoreError::Schema(format!(
            "the database is at schema version {version}, newer than this Shipshape \
             knows ({latest}); use a newer Shipshape or another data directory"
        )));
    }
    let start = version;
    for migration in MIGRATIONS.iter().filter(|m| m.version > start) {
        let tx = conn.transaction()?;
        tx.execute_batch(migration.sql)?;
        tx.execute(
            "INSERT INTO schema_version (version, name, applied_at) VALUES (?1, ?2, ?3)",
            params![migration.version, migration.name, now_ms],
        )?;
        tx.commit()?;
        tracing::info!(
            version = migration.version,
            name = migration.name,
            "applied database migration"
        );
        version = migration.version;
    }
    Ok(version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_increase_from_one() {
        for (index, migration) in MIGRATIONS.iter().enumerate() {
            assert_eq!(migration.version, index as i64 + 1, "{}", migration.name);
        }
    }

    #[test]
    fn migrating_twice_is_a_no_op() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(migrate(&mut conn, 1).unwrap(), 1);
        assert_eq!(migrate(&mut conn, 2).unwrap(), 1);
        let rows: i64 = conn
            .query_row("SELECT COUNT(*) FROM schema_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 1);
    }

    #[test]
    fn a_newer_database_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, 1).unwrap();
        conn.execute(
            "INSERT INTO schema_version (version, name, applied_at) VALUES (99, 'future', 0)",
            [],
        )
        .unwrap();
        let error = migrate(&mut conn, 1).unwrap_err().to_string();
        assert!(error.contains("newer"), "{error}");
    }

    #[test]
    fn migrations_avoid_sqlite_only_syntax() {
        // Spellings PostgreSQL rejects; the marked rowid ids are the one accepted exception.
        for migration in MIGRATIONS {
            let sql = migration.sql.to_ascii_uppercase();
            for banned in [
                "AUTOINCREMENT",
                "WITHOUT ROWID",
                "STRICT",
                "INSERT OR ",
                "PRAGMA",
                "DATETIME(",
            ] {
                assert!(!sql.contains(banned), "{} uses {banned}", migration.name);
            }
        }
    }
}
