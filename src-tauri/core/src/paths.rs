//! Where Incident Desk keeps its data. The app and `idesk` resolve the
//! database path here, so both always open the same file.

use crate::APP_IDENTIFIER;
use crate::error::{DeskError, Result};
use std::path::PathBuf;

/// Environment variable that overrides the database path (tests use it).
pub const DB_ENV: &str = "INCIDENT_DESK_DB";

/// File name of the database inside the data directory.
pub const DB_FILE_NAME: &str = "incident-desk.db";

/// The per-user data directory, e.g. `~/.local/share/org.incidentdesk.desk` on Linux.
pub fn data_dir() -> Result<PathBuf> {
    dirs::data_dir()
        .map(|dir| dir.join(APP_IDENTIFIER))
        .ok_or(DeskError::NoDataDir)
}

/// The database to open: `$INCIDENT_DESK_DB` when set and not empty, else the
/// default file in [`data_dir`].
pub fn database_path() -> Result<PathBuf> {
    match std::env::var_os(DB_ENV) {
        Some(path) if !path.is_empty() => Ok(PathBuf::from(path)),
        _ => Ok(data_dir()?.join(DB_FILE_NAME)),
    }
}
