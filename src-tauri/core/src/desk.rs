//! The `Desk`: the one way in. Every read and change of incidents goes
//! through it, whichever client (app window, `idesk`, a script) asks.

use crate::error::{DeskError, Result};
use crate::model::IncidentSummary;
use crate::store;
use chrono::{DateTime, Utc};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

pub struct Desk {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl Desk {
    /// Opens (or creates) the database at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Desk> {
        let path = path.as_ref().to_path_buf();
        let conn = store::open(&path)?;
        Ok(Desk {
            conn: Mutex::new(conn),
            path,
        })
    }

    /// Opens the database the app and `idesk` share (see [`crate::paths`]).
    pub fn open_default() -> Result<Desk> {
        Desk::open(crate::paths::database_path()?)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written
        // (transactions roll back on drop), so a poisoned lock is safe to reuse.
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Open incidents for the command board, most severe level first, then oldest.
    pub fn list_incidents(&self) -> Result<Vec<IncidentSummary>> {
        let conn = self.conn();
        let mut statement = conn.prepare_cached(
            "SELECT i.id, i.seq, i.title, i.kind, i.level, i.status, i.declared_at
               FROM incidents i JOIN levels l ON l.name = i.level
              WHERE i.closed_at IS NULL
              ORDER BY l.rank, i.declared_at, i.seq",
        )?;
        let rows = statement.query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, i64>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, String>(5)?,
                row.get::<_, i64>(6)?,
            ))
        })?;
        let mut incidents = Vec::new();
        for row in rows {
            let (id, seq, title, kind, level, status, declared_ms) = row?;
            incidents.push(IncidentSummary {
                id,
                reference: format!("INC-{seq}"),
                title,
                kind,
                level,
                status,
                declared_at: timestamp(declared_ms)?,
            });
        }
        Ok(incidents)
    }
}

fn timestamp(millis: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp_millis(millis)
        .ok_or_else(|| DeskError::Corrupt(format!("timestamp {millis} is out of range")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_database_has_no_open_incidents() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let desk = Desk::open(dir.path().join("desk.db"))?;
        assert!(desk.list_incidents()?.is_empty());
        Ok(())
    }
}
