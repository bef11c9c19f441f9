//! Backups with SQLite's online backup API (consistent even while other
//! processes write), kept in a `backups/` folder next to the database, and
//! restore from one of them.

use super::Desk;
use crate::error::{DeskError, Result};
use crate::store::{self, APPLICATION_ID, LATEST_VERSION};
use crate::time::Timestamp;
use rusqlite::backup::Backup;
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How many automatic backups are kept.
pub const KEEP_BACKUPS: usize = 7;

const PREFIX: &str = "incident-desk-";
const SUFFIX: &str = ".db";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupInfo {
    pub path: PathBuf,
    pub bytes: u64,
}

impl Desk {
    /// The folder automatic backups go to: `backups/` beside the database.
    pub fn backup_dir(&self) -> PathBuf {
        self.path
            .parent()
            .map(|dir| dir.join("backups"))
            .unwrap_or_else(|| PathBuf::from("backups"))
    }

    /// Writes a consistent copy of the database to `target`.
    pub fn backup_to(&self, target: &Path) -> Result<BackupInfo> {
        if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| DeskError::Io {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let partial = target.with_extension("partial");
        {
            let mut destination = Connection::open(&partial)?;
            let conn = self.conn();
            let backup = Backup::new(&conn, &mut destination)?;
            // Copy in steps so other processes are never blocked for long.
            backup.run_to_completion(256, Duration::from_millis(5), None)?;
        }
        std::fs::rename(&partial, target).map_err(|source| DeskError::Io {
            path: target.to_path_buf(),
            source,
        })?;
        let bytes = std::fs::metadata(target).map(|m| m.len()).unwrap_or(0);
        Ok(BackupInfo {
            path: target.to_path_buf(),
            bytes,
        })
    }

    /// A timestamped backup in [`Desk::backup_dir`], keeping the newest
    /// [`KEEP_BACKUPS`].
    pub fn backup_now(&self) -> Result<BackupInfo> {
        let name = format!("{PREFIX}{}{SUFFIX}", file_stamp(self.now()));
        let info = self.backup_to(&self.backup_dir().join(name))?;
        self.prune_backups(KEEP_BACKUPS)?;
        Ok(info)
    }

    /// Automatic backups, newest first.
    pub fn backups(&self) -> Result<Vec<BackupInfo>> {
        let dir = self.backup_dir();
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => return Err(DeskError::Io { path: dir, source }),
        };
        let mut backups: Vec<BackupInfo> = entries
            .flatten()
            .filter(|entry| {
                let name = entry.file_name();
                let name = name.to_string_lossy();
                name.starts_with(PREFIX) && name.ends_with(SUFFIX)
            })
            .map(|entry| BackupInfo {
                bytes: entry.metadata().map(|m| m.len()).unwrap_or(0),
                path: entry.path(),
            })
            .collect();
        // Names embed a sortable UTC stamp.
        backups.sort_by(|a, b| b.path.cmp(&a.path));
        Ok(backups)
    }

    fn prune_backups(&self, keep: usize) -> Result<()> {
        for old in self.backups()?.into_iter().skip(keep) {
            std::fs::remove_file(&old.path).map_err(|source| DeskError::Io {
                path: old.path.clone(),
                source,
            })?;
        }
        Ok(())
    }

    /// Replaces the database's contents with `source` (a backup), after
    /// checking it and after taking a backup of the current state. Returns
    /// that safety backup.
    pub fn restore_from(&self, source: &Path) -> Result<BackupInfo> {
        let from = Connection::open_with_flags(source, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(
            |error| DeskError::Open {
                path: source.to_path_buf(),
                source: error,
            },
        )?;
        check_backup(&from, source)?;
        let safety = self.backup_now()?;
        {
            let mut conn = self.conn();
            {
                let backup = Backup::new(&from, &mut conn)?;
                backup.run_to_completion(256, Duration::from_millis(5), None)?;
            }
            // An older backup is brought up to this version's schema.
            store::configure_and_migrate(&mut conn, &self.path)?;
        }
        self.publish(crate::model::ChangeEvent::External);
        Ok(safety)
    }
}

fn check_backup(conn: &Connection, path: &Path) -> Result<()> {
    let not_ours = || DeskError::NotOurDatabase {
        path: path.to_path_buf(),
    };
    let app_id: i64 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(|_| not_ours())?;
    if app_id != APPLICATION_ID {
        return Err(not_ours());
    }
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > LATEST_VERSION {
        return Err(DeskError::NewerDatabase {
            path: path.to_path_buf(),
            found: version,
            supported: LATEST_VERSION,
        });
    }
    let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if integrity != "ok" {
        return Err(DeskError::Corrupt(format!(
            "the backup {} is damaged: {integrity}",
            path.display()
        )));
    }
    Ok(())
}

/// `20261130T092402123Z`: sortable and safe in file names.
fn file_stamp(at: Timestamp) -> String {
    at.to_datetime().format("%Y%m%dT%H%M%S%3fZ").to_string()
}
