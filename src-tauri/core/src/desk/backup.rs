//! Backups with SQLite's online backup API (consistent even while other
//! processes write), kept in a `backups/` folder next to the database, and
//! restore from one of them.
//!
//! A backup counts only once its copy passed SQLite's integrity check: the
//! copy is written under a temporary name, checked, synced, and only then
//! renamed into place, so a damaged database makes the backup fail loudly
//! and never rotates a good backup away. Backups are named after their
//! database (`<name>-<UTC stamp>.db`), so two databases in one folder keep
//! their backups apart.
//!
//! A restore goes through the same gate as an import: the file must be an
//! intact Incident Desk database of a version this build knows, with the
//! complete schema, and every incident must replay to its stored state.
//! Only then is the current state saved and replaced.

use super::{Desk, gate};
use crate::error::{DeskError, Result};
use crate::files;
use crate::store::{self, APPLICATION_ID, LATEST_VERSION};
use crate::time::Timestamp;
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How many of the newest automatic backups are kept.
pub const KEEP_BACKUPS: usize = 7;
/// Besides the newest, the last backup of each of this many previous UTC
/// days is kept, and always the newest one older than a day: a morning of
/// restarts (or of damage nobody noticed) cannot push out every copy from
/// before it.
pub const KEEP_DAILY: i64 = 7;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

const SUFFIX: &str = ".db";
/// `20261130T092402123Z`
const STAMP_FORMAT: &str = "%Y%m%dT%H%M%S%3fZ";
const STAMP_LENGTH: usize = 19;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupInfo {
    pub path: PathBuf,
    pub bytes: u64,
}

/// An automatic backup found in the folder, with the time in its name.
struct Found {
    info: BackupInfo,
    taken_at: Timestamp,
}

impl Desk {
    /// The folder automatic backups go to: `backups/` beside the database.
    pub fn backup_dir(&self) -> PathBuf {
        files::folder_of(&self.path).join("backups")
    }

    /// Automatic backups of this database are `<prefix><stamp>.db`.
    fn backup_prefix(&self) -> String {
        let stem = self
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "incident-desk".to_owned());
        format!("{stem}-")
    }

    /// Writes a consistent, checked copy of the database to `target`, a
    /// file of the user's choosing: never the database's own files, never
    /// over an automatic backup.
    pub fn backup_to(&self, target: &Path) -> Result<BackupInfo> {
        self.refuse_database_files(target)?;
        for backup in self.found_backups()? {
            if same_file(target, &backup.info.path) {
                return Err(refusal(target, "an automatic backup"));
            }
        }
        self.write_backup(target)
    }

    fn write_backup(&self, target: &Path) -> Result<BackupInfo> {
        let folder = files::folder_of(target);
        std::fs::create_dir_all(&folder).map_err(|error| files::io_error(target, error))?;
        let temporary = files::temporary_beside(target);
        if let Err(error) = self.write_checked_copy(&temporary) {
            remove_database_files(&temporary);
            return Err(error);
        }
        files::move_into_place(&temporary, target)?;
        let bytes = std::fs::metadata(target).map(|m| m.len()).unwrap_or(0);
        Ok(BackupInfo {
            path: target.to_path_buf(),
            bytes,
        })
    }

    /// Copies the database into `destination` (a new file), as one file in
    /// rollback-journal mode, checks the copy and syncs it.
    fn write_checked_copy(&self, destination: &Path) -> Result<()> {
        let storage = |error: rusqlite::Error| store::storage_error(error, destination);
        let mut copy = Connection::open(destination).map_err(storage)?;
        {
            // A reader of its own, copying one snapshot in one step: in WAL
            // mode it blocks no writer, and the desk's connection stays free
            // (holding it, a backup at start-up held up the window's board).
            let source = Connection::open_with_flags(
                &self.path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(|error| store::storage_error(error, &self.path))?;
            source
                .busy_timeout(Duration::from_secs(5))
                .map_err(|error| store::storage_error(error, &self.path))?;
            let backup = Backup::new(&source, &mut copy).map_err(storage)?;
            copy_all(&backup).map_err(storage)?;
        }
        // One self-contained file (no -wal beside it), synced at commit.
        let _mode: String = copy
            .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
            .map_err(storage)?;
        let problem = integrity_problem(&copy).map_err(storage)?;
        drop(copy);
        if let Some(problem) = problem {
            tracing::error!(database = %self.path.display(), problem, "backup refused: the database is damaged");
            return Err(DeskError::DamagedDatabase {
                path: self.path.clone(),
                problem,
            });
        }
        std::fs::File::open(destination)
            .and_then(|file| file.sync_all())
            .map_err(|error| files::io_error(destination, error))
    }

    /// A timestamped, checked backup in [`Desk::backup_dir`]; then the
    /// older ones are rotated (see [`KEEP_BACKUPS`], [`KEEP_DAILY`]).
    pub fn backup_now(&self) -> Result<BackupInfo> {
        let name = format!("{}{}{SUFFIX}", self.backup_prefix(), file_stamp(self.now()));
        let info = self.write_backup(&self.backup_dir().join(name))?;
        self.rotate_backups()?;
        Ok(info)
    }

    /// This database's automatic backups, newest first.
    pub fn backups(&self) -> Result<Vec<BackupInfo>> {
        Ok(self.found_backups()?.into_iter().map(|f| f.info).collect())
    }

    fn found_backups(&self) -> Result<Vec<Found>> {
        let dir = self.backup_dir();
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(error) => return Err(files::io_error(&dir.join("x"), error)),
        };
        let prefix = self.backup_prefix();
        let mut found: Vec<Found> = entries
            .flatten()
            .filter_map(|entry| {
                let name = entry.file_name().to_string_lossy().into_owned();
                let taken_at = parse_backup_name(&name, &prefix)?;
                Some(Found {
                    info: BackupInfo {
                        bytes: entry.metadata().map(|m| m.len()).unwrap_or(0),
                        path: entry.path(),
                    },
                    taken_at,
                })
            })
            .collect();
        found.sort_by_key(|f| std::cmp::Reverse(f.taken_at));
        Ok(found)
    }

    /// Keeps the newest [`KEEP_BACKUPS`], the last backup of each of the
    /// previous [`KEEP_DAILY`] days, and the newest one older than a day;
    /// removes the rest. Only checked copies ever got a backup's name.
    fn rotate_backups(&self) -> Result<()> {
        let found = self.found_backups()?;
        let now = self.now();
        let mut keep: BTreeSet<usize> = (0..found.len().min(KEEP_BACKUPS)).collect();
        let today = day_of(now);
        let mut days_seen = BTreeSet::new();
        for (index, backup) in found.iter().enumerate() {
            let day = day_of(backup.taken_at);
            if day < today && today - day <= KEEP_DAILY && days_seen.insert(day) {
                keep.insert(index);
            }
        }
        if let Some(index) = found
            .iter()
            .position(|b| b.taken_at.millis() <= now.millis() - DAY_MS)
        {
            keep.insert(index);
        }
        let mut removed = false;
        for (index, old) in found.iter().enumerate() {
            if keep.contains(&index) {
                continue;
            }
            std::fs::remove_file(&old.info.path)
                .map_err(|error| files::io_error(&old.info.path, error))?;
            removed = true;
        }
        if removed {
            let _ = files::sync_folder(&self.backup_dir());
        }
        Ok(())
    }

    /// Refuses to write over the database, its `-wal`, `-shm` or
    /// `-journal` file, or anything in the backups folder: an export must
    /// never destroy the record it comes from.
    pub fn refuse_own_files(&self, target: &Path) -> Result<()> {
        self.refuse_database_files(target)?;
        if comparable(target).starts_with(comparable(&self.backup_dir())) {
            return Err(refusal(target, "in the backups folder"));
        }
        Ok(())
    }

    fn refuse_database_files(&self, target: &Path) -> Result<()> {
        if target.is_dir() {
            return Err(DeskError::invalid(
                "output",
                format!("{} is a folder: name a file", target.display()),
            ));
        }
        let wanted = comparable(target);
        let database = comparable(&self.path);
        for (suffix, what) in [
            ("", "the database itself"),
            ("-wal", "the database's write-ahead log"),
            ("-shm", "the database's shared-memory file"),
            ("-journal", "the database's journal"),
        ] {
            let own = PathBuf::from(format!("{}{suffix}", database.display()));
            if wanted == own || same_file(target, &own) {
                return Err(refusal(target, what));
            }
        }
        Ok(())
    }

    /// Replaces the database's contents with `source` (a backup), after
    /// checking it as strictly as an import and after saving the current
    /// state. Returns where the current state was saved. A refused restore
    /// changes nothing.
    pub fn restore_from(&self, source: &Path) -> Result<BackupInfo> {
        let candidate = self.checked_restore_copy(source)?;
        let restored = self.replace_with(&candidate);
        remove_database_files(&candidate);
        let safety = restored?;
        self.publish(crate::model::ChangeEvent::External);
        Ok(safety)
    }

    fn replace_with(&self, candidate: &Path) -> Result<BackupInfo> {
        let safety = match self.backup_now() {
            Ok(safety) => safety,
            // Restoring is what one does when the database is damaged: keep
            // its pages as they are, under a name rotation never touches.
            Err(DeskError::DamagedDatabase { .. }) => self.keep_damaged_copy()?,
            Err(error) => return Err(error),
        };
        let from = Connection::open_with_flags(candidate, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let mut conn = self.conn();
        {
            let backup = Backup::new(&from, &mut conn)?;
            backup.run_to_completion(256, Duration::from_millis(5), None)?;
        }
        store::configure_and_migrate(&mut conn, &self.path)?;
        Ok(safety)
    }

    /// A raw copy of a damaged database's files, for whoever investigates.
    fn keep_damaged_copy(&self) -> Result<BackupInfo> {
        let name = format!(
            "{}{}-damaged{SUFFIX}",
            self.backup_prefix(),
            file_stamp(self.now())
        );
        let target = self.backup_dir().join(name);
        std::fs::create_dir_all(self.backup_dir())
            .map_err(|error| files::io_error(&target, error))?;
        {
            let conn = self.conn();
            let _ = conn.execute_batch("PRAGMA wal_checkpoint(FULL)");
        }
        let bytes =
            std::fs::read(&self.path).map_err(|error| files::io_error(&self.path, error))?;
        files::write_atomically(&target, &bytes)?;
        Ok(BackupInfo {
            path: target,
            bytes: bytes.len() as u64,
        })
    }

    /// Checks `source` and returns a migrated copy of it beside the
    /// database (the caller removes it), or says exactly what is wrong.
    fn checked_restore_copy(&self, source: &Path) -> Result<PathBuf> {
        let refuse = |reason: String| DeskError::InvalidBackup {
            path: source.to_path_buf(),
            reason,
        };
        let size = std::fs::metadata(source)
            .map_err(|error| files::io_error(source, error))?
            .len();
        if size == 0 {
            return Err(refuse("it is empty (0 bytes)".into()));
        }
        let mut header = [0u8; 16];
        let read = std::fs::File::open(source)
            .and_then(|mut file| std::io::Read::read_exact(&mut file, &mut header));
        if read.is_err() || &header != b"SQLite format 3\0" {
            return Err(DeskError::NotOurDatabase {
                path: source.to_path_buf(),
            });
        }
        let from = Connection::open_with_flags(source, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|error| store::storage_error(error, source))?;
        check_header(&from, source)?;
        if let Some(problem) = integrity_problem(&from)? {
            return Err(refuse(format!("it is damaged ({problem})")));
        }
        let candidate = files::temporary_beside(&self.path);
        let copied = (|| -> Result<()> {
            let mut copy = Connection::open(&candidate)
                .map_err(|error| store::storage_error(error, &candidate))?;
            {
                let backup = Backup::new(&from, &mut copy)?;
                backup
                    .run_to_completion(256, Duration::from_millis(5), None)
                    .map_err(|error| store::storage_error(error, &candidate))?;
            }
            // An older backup is brought up to this version's schema, which
            // must then be complete and exactly this version's.
            store::configure_and_migrate(&mut copy, &candidate)?;
            if store::schema_of(&copy)? != store::expected_schema()? {
                return Err(refuse(
                    "its tables, indexes or triggers are not those of an Incident Desk \
                     database (was it edited?)"
                        .into(),
                ));
            }
            drop(copy);
            let desk = Desk::open_with_clock(&candidate, self.clock.clone())?;
            desk.check_every_record().map_err(&refuse)?;
            Ok(())
        })();
        if let Err(error) = copied {
            remove_database_files(&candidate);
            return Err(error);
        }
        Ok(candidate)
    }

    /// Every incident through the gate an import goes through, and the
    /// directory, levels and templates through the keyboard's checks.
    fn check_every_record(&self) -> std::result::Result<(), String> {
        let describe = |error: DeskError| error.to_string();
        let conn = self.conn();
        let ids: Vec<(String, i64)> = conn
            .prepare("SELECT id, seq FROM incidents ORDER BY seq")
            .and_then(|mut statement| {
                statement
                    .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
                    .collect::<rusqlite::Result<_>>()
            })
            .map_err(|e| describe(e.into()))?;
        let now = self.now();
        for (id, seq) in ids {
            // The local numbering the next declaration continues from.
            if !(1..=gate::MAX_REFERENCE_NUMBER).contains(&seq) {
                return Err(format!(
                    "incident number {seq} is out of range (1 to {})",
                    gate::MAX_REFERENCE_NUMBER
                ));
            }
            let record = super::records::load_record(&conn, &id).map_err(describe)?;
            let timeline = super::timeline::load(&conn, &id, super::timeline::Order::Recorded)
                .map_err(describe)?;
            gate::check_incident(&record, &timeline, now)
                .map_err(|reason| format!("{}: {reason}", record.reference))?;
        }
        drop(conn);
        for person in self.people().map_err(describe)? {
            super::directory::check_person(&person)
                .map_err(|e| format!("the person \"{}\": {e}", person.name))?;
        }
        for level in self.levels().map_err(describe)? {
            super::directory::check_level(&level.name, &level.description)
                .map_err(|e| format!("the level \"{}\": {e}", level.name))?;
        }
        for template in self.templates().map_err(describe)? {
            super::communications::check_template_fields(&template)
                .map_err(|e| format!("the template \"{}\": {e}", template.name))?;
        }
        Ok(())
    }
}

fn refusal(target: &Path, what: &str) -> DeskError {
    DeskError::invalid(
        "output",
        format!(
            "{} is {what}: choose another file (nothing was written)",
            target.display()
        ),
    )
}

/// Copies every page in one step (one snapshot of the source), retrying a
/// busy or locked database for a few seconds.
fn copy_all(backup: &Backup<'_, '_>) -> rusqlite::Result<()> {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        match backup.step(-1)? {
            StepResult::Done => return Ok(()),
            StepResult::More => {}
            _ if std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10));
            }
            _ => {
                return Err(rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
                    Some("the database stayed busy for 10 s during the backup".to_owned()),
                ));
            }
        }
    }
}

/// The first problem `PRAGMA integrity_check` reports, if any.
fn integrity_problem(conn: &Connection) -> rusqlite::Result<Option<String>> {
    let first: String = conn.query_row("PRAGMA integrity_check(1)", [], |r| r.get(0))?;
    Ok((first != "ok").then_some(first))
}

fn check_header(conn: &Connection, path: &Path) -> Result<()> {
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
    if version < 1 {
        return Err(DeskError::InvalidBackup {
            path: path.to_path_buf(),
            reason: format!("its schema version {version} is not one Incident Desk wrote"),
        });
    }
    Ok(())
}

/// Removes a database file and the companions SQLite may leave beside it.
fn remove_database_files(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// A path made absolute and free of symbolic links as far as it exists, so
/// two spellings of one file compare equal.
fn comparable(path: &Path) -> PathBuf {
    if let Ok(real) = path.canonicalize() {
        return real;
    }
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    match (absolute.parent(), absolute.file_name()) {
        (Some(parent), Some(name)) => parent
            .canonicalize()
            .map(|parent| parent.join(name))
            .unwrap_or(absolute),
        _ => absolute,
    }
}

/// Whether two existing paths are the same file (hard links included).
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// `20261130T092402123Z`: sortable and safe in file names.
fn file_stamp(at: Timestamp) -> String {
    at.to_datetime().format(STAMP_FORMAT).to_string()
}

/// The time in an automatic backup's name, when `name` is one of this
/// database's (`<prefix><stamp>.db`, nothing else).
fn parse_backup_name(name: &str, prefix: &str) -> Option<Timestamp> {
    let stamp = name.strip_prefix(prefix)?.strip_suffix(SUFFIX)?;
    if stamp.len() != STAMP_LENGTH {
        return None;
    }
    chrono::NaiveDateTime::parse_from_str(stamp, STAMP_FORMAT)
        .ok()
        .map(|time| Timestamp::from_datetime(time.and_utc()))
}

fn day_of(at: Timestamp) -> i64 {
    at.millis().div_euclid(DAY_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backup_names_belong_to_one_database_only() {
        let stamp = "20261130T092402123Z";
        assert!(
            parse_backup_name(&format!("incident-desk-{stamp}.db"), "incident-desk-").is_some()
        );
        // "incident" is a prefix of "incident-desk": its backups are not ours.
        assert!(parse_backup_name(&format!("incident-desk-{stamp}.db"), "incident-").is_none());
        assert!(
            parse_backup_name(
                &format!("incident-desk-{stamp}-damaged.db"),
                "incident-desk-"
            )
            .is_none()
        );
        assert!(parse_backup_name("incident-desk-notes.db", "incident-desk-").is_none());
    }
}
