//! Application settings kept in the database (so `idesk` and the app agree).

use super::Desk;
use crate::error::Result;
use crate::model::{AppSettings, ChangeEvent};
use rusqlite::{OptionalExtension, params};

const CHECK_UPDATES: &str = "updates.check_at_startup";

impl Desk {
    pub(crate) fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
            .query_row([key], |row| row.get(0))
            .optional()?)
    }

    pub(crate) fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )?
            .execute(params![key, value])?;
        self.publish(ChangeEvent::Directory);
        Ok(())
    }

    pub fn settings(&self) -> Result<AppSettings> {
        Ok(AppSettings {
            check_updates_at_startup: self.setting(CHECK_UPDATES)?.as_deref() != Some("false"),
        })
    }

    pub fn save_settings(&self, settings: &AppSettings) -> Result<AppSettings> {
        self.set_setting(
            CHECK_UPDATES,
            if settings.check_updates_at_startup {
                "true"
            } else {
                "false"
            },
        )?;
        self.settings()
    }
}

impl Desk {
    /// An update of the app is never installed while an incident of the most
    /// severe level is open: it would interrupt the response. Conflict names it.
    pub fn check_update_may_install(&self) -> Result<()> {
        let open: Option<(String, String)> = self
            .conn()
            .prepare_cached(
                "SELECT i.reference, i.level FROM incidents i JOIN levels l ON l.name = i.level
                  WHERE i.closed_at IS NULL AND l.rank <= 1 ORDER BY i.seq LIMIT 1",
            )?
            .query_row([], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()?;
        match open {
            None => Ok(()),
            Some((reference, level)) => Err(crate::error::DeskError::Conflict(format!(
                "an {level} incident is open ({reference}): the update is downloaded and ready, and can be installed once it is closed"
            ))),
        }
    }

    /// What the About/Diagnostics screen shows. The log directory is the
    /// shell's (the core does not log to files), so it is passed in.
    pub fn diagnostics(&self, log_dir: &str) -> Result<crate::model::Diagnostics> {
        let schema_version: i64 = self
            .conn()
            .query_row("PRAGMA user_version", [], |row| row.get(0))?;
        let database_bytes = std::fs::metadata(&self.path).map(|m| m.len()).unwrap_or(0)
            + std::fs::metadata(wal_path(&self.path))
                .map(|m| m.len())
                .unwrap_or(0);
        let data_dir = self
            .path
            .parent()
            .map(|dir| dir.display().to_string())
            .unwrap_or_default();
        Ok(crate::model::Diagnostics {
            version: crate::VERSION.to_owned(),
            database_path: self.path.display().to_string(),
            database_bytes,
            schema_version,
            data_dir,
            log_dir: log_dir.to_owned(),
            backup_dir: self.backup_dir().display().to_string(),
            backups: self.backups()?.len(),
            open_incidents: self.list_incidents(false)?.len(),
            os: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
        })
    }
}

/// SQLite's write-ahead log sits beside the database: `<file>-wal`.
fn wal_path(db: &std::path::Path) -> std::path::PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-wal");
    name.into()
}
