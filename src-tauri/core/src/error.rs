//! The typed errors of the core. Every error has a stable machine-readable
//! [`ErrorCode`] and a human message; across the IPC boundary it travels as an
//! [`ErrorPayload`] so the UI never has to match on message text.

use serde::{Serialize, Serializer};
use std::path::PathBuf;
use ts_rs::TS;

/// Everything that can go wrong in the core.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeskError {
    #[error(
        "The database {path} was written by a newer version of Incident Desk \
         (schema version {found}; this version knows up to {supported}). \
         It was left untouched: update Incident Desk to open it."
    )]
    NewerDatabase {
        path: PathBuf,
        found: i64,
        supported: i64,
    },

    #[error("{path} is not an Incident Desk database; it was left untouched")]
    NotOurDatabase { path: PathBuf },

    #[error("could not open the database {path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },

    #[error("could not create the data directory {path}: {source}")]
    DataDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("no data directory could be determined for this user; set INCIDENT_DESK_DB")]
    NoDataDir,

    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),

    #[error("stored data is damaged: {0}")]
    Corrupt(String),
}

/// Stable codes for [`DeskError`]; the UI decides what to show from these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorCode {
    NewerDatabase,
    NotOurDatabase,
    StorageUnavailable,
    Database,
    Corrupt,
}

/// The shape of an error on the wire: `{ "code": "...", "message": "..." }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ErrorPayload {
    pub code: ErrorCode,
    pub message: String,
}

impl DeskError {
    pub fn code(&self) -> ErrorCode {
        match self {
            DeskError::NewerDatabase { .. } => ErrorCode::NewerDatabase,
            DeskError::NotOurDatabase { .. } => ErrorCode::NotOurDatabase,
            DeskError::Open { .. } | DeskError::DataDir { .. } | DeskError::NoDataDir => {
                ErrorCode::StorageUnavailable
            }
            DeskError::Database(_) => ErrorCode::Database,
            DeskError::Corrupt(_) => ErrorCode::Corrupt,
        }
    }

    pub fn payload(&self) -> ErrorPayload {
        ErrorPayload {
            code: self.code(),
            message: self.to_string(),
        }
    }
}

impl Serialize for DeskError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.payload().serialize(serializer)
    }
}

pub type Result<T, E = DeskError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_serialize_with_a_code_and_a_message() -> Result<(), serde_json::Error> {
        let error = DeskError::NewerDatabase {
            path: PathBuf::from("/tmp/x.db"),
            found: 9,
            supported: 1,
        };
        let json = serde_json::to_value(&error)?;
        assert_eq!(json["code"], "newer_database");
        let message = json["message"].as_str().unwrap_or_default();
        assert!(message.contains("newer version"), "{message}");
        assert!(message.contains("/tmp/x.db"), "{message}");
        Ok(())
    }
}
