//! The SQLite store: opening a database safely, the per-connection settings,
//! and the versioned migrations.

mod migrations;
pub mod sql;
pub mod team_migration;

pub use migrations::LATEST_VERSION;

use crate::error::{DeskError, Result};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::time::{Duration, Instant};

/// Written to the header's `application_id`, so we never migrate a stranger's
/// SQLite file. ("IDSK" in ASCII.)
pub const APPLICATION_ID: i64 = 0x4944_534B;

/// How long a writer waits for another process's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens (creating if needed) the database at `path`, checks it is ours and
/// not newer than this build, configures the connection and applies pending
/// migrations in one transaction.
pub fn open(path: &Path) -> Result<Connection> {
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| DeskError::DataDir {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn = Connection::open_with_flags(path, flags).map_err(|source| DeskError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // SQLite reports some lock conflicts while a new file is being set up
    // (switching to WAL, reading a header being written) without calling the
    // busy handler, so several processes opening one new database retry here.
    let deadline = Instant::now() + BUSY_TIMEOUT;
    loop {
        match check_and_prepare(&mut conn, path) {
            Err(error) if is_busy(&error) && Instant::now() < deadline => {
                if !conn.is_autocommit() {
                    let _ = conn.execute_batch("ROLLBACK");
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(error) => return Err(error),
            Ok(()) => return Ok(conn),
        }
    }
}

fn check_and_prepare(conn: &mut Connection, path: &Path) -> Result<()> {
    // Read-only checks first: nothing is written to a file we must not touch.
    check_ownership(conn, path)?;
    configure_and_migrate(conn, path)
}

fn is_busy(error: &DeskError) -> bool {
    let source = match error {
        DeskError::Open { source, .. } | DeskError::Database(source) => source,
        DeskError::Busy => return true,
        _ => return false,
    };
    matches!(
        source.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// Per-connection settings, then any pending migrations.
pub fn configure_and_migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    configure(conn).map_err(|error| classify_open_error(error, path))?;
    migrations::migrate(conn, path)
}

/// Per-connection settings; every connection goes through here.
fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(mode, "the database could not switch to WAL mode");
    }
    // FULL: in WAL mode every commit syncs the log before it returns, so
    // what the desk acknowledged survives a power cut or an OS crash too
    // (NORMAL may roll back the last commits; tests/power_loss.rs shows it).
    conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;")?;
    Ok(())
}

/// One object of a schema: (type, name, table, SQL).
pub type SchemaObject = (String, String, String, Option<String>);

/// A database's tables, indexes and triggers (SQLite's own excepted), in
/// a stable order.
pub fn schema_of(conn: &Connection) -> Result<Vec<SchemaObject>> {
    let mut statement = conn.prepare(
        "SELECT type, name, tbl_name, sql FROM sqlite_schema
          WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
    )?;
    let objects = statement
        .query_map([], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(objects)
}

/// The schema this build creates, for comparing a database from elsewhere.
pub fn expected_schema() -> Result<Vec<SchemaObject>> {
    let mut conn = Connection::open_in_memory()?;
    migrations::migrate(&mut conn, Path::new(":memory:"))?;
    schema_of(&conn)
}

/// Refuses files that are not SQLite, SQLite files of other programs, and
/// databases written by a newer Incident Desk.
fn check_ownership(conn: &Connection, path: &Path) -> Result<()> {
    // One read transaction, so the three values come from the same snapshot:
    // another process may be creating the schema at this very moment.
    let header = || -> rusqlite::Result<(i64, i64, i64)> {
        conn.execute_batch("BEGIN DEFERRED")?;
        let read = || -> rusqlite::Result<(i64, i64, i64)> {
            let objects =
                conn.query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))?;
            let app_id = conn.query_row("PRAGMA application_id", [], |row| row.get(0))?;
            let version = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
            Ok((app_id, version, objects))
        };
        let values = read();
        let ended = conn.execute_batch("COMMIT");
        values.and_then(|values| ended.map(|()| values))
    };
    let (app_id, version, objects) = header().map_err(|error| classify_open_error(error, path))?;
    let ours = app_id == APPLICATION_ID || (app_id == 0 && objects == 0);
    if !ours {
        return Err(DeskError::NotOurDatabase {
            path: path.to_path_buf(),
        });
    }
    if version > LATEST_VERSION {
        return Err(DeskError::NewerDatabase {
            path: path.to_path_buf(),
            found: version,
            supported: LATEST_VERSION,
        });
    }
    Ok(())
}

fn classify_open_error(error: rusqlite::Error, path: &Path) -> DeskError {
    match error.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => DeskError::NotOurDatabase {
            path: path.to_path_buf(),
        },
        _ => match storage_error(error, path) {
            DeskError::Database(source) => DeskError::Open {
                path: path.to_path_buf(),
                source,
            },
            named => named,
        },
    }
}

/// A SQLite error on the file `path`, as its real cause when the disk or
/// the folder is the problem: full, read-only, or missing.
pub fn storage_error(error: rusqlite::Error, path: &Path) -> DeskError {
    let folder = crate::files::folder_of(path);
    match error.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DiskFull) => DeskError::DiskFull { path: folder },
        Some(rusqlite::ErrorCode::SystemIoFailure) if crate::files::disk_is_full(&folder) => {
            DeskError::DiskFull { path: folder }
        }
        Some(rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen)
            if !folder.exists() =>
        {
            DeskError::NoFolder { path: folder }
        }
        Some(rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen)
            if !crate::files::writable(&folder) =>
        {
            DeskError::ReadOnly { path: folder }
        }
        _ => DeskError::from(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = std::result::Result<(), Box<dyn std::error::Error>>;

    #[test]
    fn a_new_database_is_created_migrated_and_in_wal_mode() -> TestResult {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("nested/dir/desk.db");
        let conn = open(&path)?;
        let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
        let fk: i64 = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let app_id: i64 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
        assert_eq!(mode, "wal");
        assert_eq!(fk, 1);
        assert_eq!(version, LATEST_VERSION);
        assert_eq!(app_id, APPLICATION_ID);
        Ok(())
    }

    #[test]
    fn reopening_is_idempotent() -> TestResult {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("desk.db");
        drop(open(&path)?);
        let conn = open(&path)?;
        let levels: i64 = conn.query_row("SELECT count(*) FROM levels", [], |r| r.get(0))?;
        assert_eq!(levels, 2);
        Ok(())
    }

    #[test]
    fn a_newer_database_is_refused_and_left_byte_for_byte_untouched() -> TestResult {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("future.db");
        {
            let conn = Connection::open(&path)?;
            conn.execute_batch(&format!(
                "PRAGMA application_id = {APPLICATION_ID};
                 CREATE TABLE from_the_future (x INTEGER);
                 PRAGMA user_version = {};",
                LATEST_VERSION + 7
            ))?;
        }
        let before = std::fs::read(&path)?;
        let error = open(&path)
            .err()
            .ok_or("a newer database must be refused")?;
        assert_eq!(error.code(), crate::ErrorCode::NewerDatabase);
        assert!(error.to_string().contains("newer version"), "{error}");
        assert_eq!(std::fs::read(&path)?, before, "the file must not change");
        assert!(!dir.path().join("future.db-wal").exists());
        Ok(())
    }

    #[test]
    fn a_file_that_is_not_sqlite_is_refused_untouched() -> TestResult {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("notes.txt");
        let text = "these are my notes, not a database\n".repeat(200);
        std::fs::write(&path, &text)?;
        let error = open(&path).err().ok_or("a text file must be refused")?;
        assert_eq!(error.code(), crate::ErrorCode::NotOurDatabase, "{error}");
        assert_eq!(std::fs::read_to_string(&path)?, text);
        Ok(())
    }

    #[test]
    fn another_programs_sqlite_file_is_refused_untouched() -> TestResult {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("other.db");
        {
            let conn = Connection::open(&path)?;
            conn.execute_batch("CREATE TABLE photos (id INTEGER PRIMARY KEY);")?;
        }
        let before = std::fs::read(&path)?;
        let error = open(&path)
            .err()
            .ok_or("a foreign database must be refused")?;
        assert_eq!(error.code(), crate::ErrorCode::NotOurDatabase);
        assert_eq!(std::fs::read(&path)?, before);
        Ok(())
    }
}
