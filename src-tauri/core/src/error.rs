//! The typed errors of the core. Every error has a stable machine-readable
//! [`ErrorCode`] and a human message (and, for bad input, the field it is
//! about); across the IPC boundary it travels as an [`ErrorPayload`] so the
//! UI never has to match on message text.

use crate::domain::Stage;
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

    #[error("the database is busy: another program kept it locked for too long; try again")]
    Busy,

    #[error("database error: {0}")]
    Database(rusqlite::Error),

    #[error("stored data is damaged: {0}")]
    Corrupt(String),

    #[error(
        "the database {path} is damaged ({problem}); no backup was made and the earlier \
         backups were kept: restore the newest good one (`idesk backups`, then \
         `idesk restore FILE`)"
    )]
    DamagedDatabase { path: PathBuf, problem: String },

    /// Bad input for one field.
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },

    #[error("unknown {what} \"{given}\": expected one of {valid}")]
    UnknownName {
        what: &'static str,
        given: String,
        valid: String,
    },

    #[error("{field} is too long: {actual} characters, at most {max} allowed")]
    TooLong {
        field: &'static str,
        max: usize,
        actual: usize,
    },

    #[error("no {what} {key}")]
    NotFound { what: &'static str, key: String },

    /// The change contradicts the current state (e.g. closed).
    #[error("{0}")]
    Conflict(String),

    /// The change asks for what already is (a stage already done): refused
    /// at the keyboard, a no-op when two laptops did the same.
    #[error("{0}")]
    Unchanged(String),

    #[error(
        "{reference} cannot be closed: {} still open (every stage must be done, skipped or deferred)",
        list_stages(stages)
    )]
    OpenStages {
        reference: String,
        stages: Vec<Stage>,
    },

    #[error("cannot import: {0}")]
    Import(String),

    #[error("cannot restore {path}: {reason}. Nothing was changed")]
    InvalidBackup { path: PathBuf, reason: String },

    #[error(
        "cannot import: the file was exported by a newer Incident Desk (format version {found}; \
         this version reads up to {supported})"
    )]
    NewerExport { found: u32, supported: u32 },

    /// A webhook did not accept a message (nothing was marked sent).
    #[error("{0}")]
    Publish(String),

    #[error(
        "the disk holding the database is full: free some space and try again \
         (this change was not recorded)"
    )]
    DatabaseFull,

    #[error(
        "the database cannot be written (its file or folder is read-only): \
         this change was not recorded"
    )]
    DatabaseReadOnly,

    #[error("the disk holding {path} is full: free some space and try again (nothing was changed)")]
    DiskFull { path: PathBuf },

    #[error("the folder {path} is read-only: choose another place, or make it writable")]
    ReadOnly { path: PathBuf },

    #[error("the folder {path} does not exist")]
    NoFolder { path: PathBuf },

    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

fn list_stages(stages: &[Stage]) -> String {
    let names: Vec<&str> = stages.iter().map(|s| s.as_str()).collect();
    let verb = if names.len() == 1 { "is" } else { "are" };
    format!("{} {verb}", names.join(", "))
}

impl From<rusqlite::Error> for DeskError {
    fn from(error: rusqlite::Error) -> Self {
        match error.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                DeskError::Busy
            }
            Some(rusqlite::ErrorCode::DiskFull) => DeskError::DatabaseFull,
            Some(rusqlite::ErrorCode::ReadOnly) => DeskError::DatabaseReadOnly,
            _ => DeskError::Database(error),
        }
    }
}

/// Stable codes for [`DeskError`]; the UI decides what to show from these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorCode {
    NewerDatabase,
    NotOurDatabase,
    StorageUnavailable,
    Busy,
    Database,
    Corrupt,
    InvalidInput,
    NotFound,
    Conflict,
    OpenStages,
    InvalidImport,
    InvalidBackup,
    NewerExport,
    PublishFailed,
    UpdateFailed,
    DiskFull,
    ReadOnly,
    Io,
}

/// The shape of an error on the wire: `{ "code", "message", "field"? }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ErrorPayload {
    pub code: ErrorCode,
    pub message: String,
    /// The input the error is about, when there is one (e.g. "title").
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub field: Option<String>,
}

impl DeskError {
    pub fn code(&self) -> ErrorCode {
        match self {
            DeskError::NewerDatabase { .. } => ErrorCode::NewerDatabase,
            DeskError::NotOurDatabase { .. } => ErrorCode::NotOurDatabase,
            DeskError::Open { .. } | DeskError::DataDir { .. } | DeskError::NoDataDir => {
                ErrorCode::StorageUnavailable
            }
            DeskError::Busy => ErrorCode::Busy,
            DeskError::Database(_) => ErrorCode::Database,
            DeskError::Corrupt(_) | DeskError::DamagedDatabase { .. } => ErrorCode::Corrupt,
            DeskError::Invalid { .. }
            | DeskError::UnknownName { .. }
            | DeskError::TooLong { .. } => ErrorCode::InvalidInput,
            DeskError::NotFound { .. } => ErrorCode::NotFound,
            DeskError::Conflict(_) | DeskError::Unchanged(_) => ErrorCode::Conflict,
            DeskError::OpenStages { .. } => ErrorCode::OpenStages,
            DeskError::Import(_) => ErrorCode::InvalidImport,
            DeskError::InvalidBackup { .. } => ErrorCode::InvalidBackup,
            DeskError::NewerExport { .. } => ErrorCode::NewerExport,
            DeskError::Publish(_) => ErrorCode::PublishFailed,
            DeskError::DiskFull { .. } | DeskError::DatabaseFull => ErrorCode::DiskFull,
            DeskError::ReadOnly { .. } | DeskError::DatabaseReadOnly => ErrorCode::ReadOnly,
            DeskError::NoFolder { .. } | DeskError::Io { .. } => ErrorCode::Io,
        }
    }

    /// The input field this error is about, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            DeskError::Invalid { field, .. } | DeskError::TooLong { field, .. } => Some(field),
            DeskError::UnknownName { what, .. } => Some(match *what {
                "incident kind" => "kind",
                "public status" => "status",
                "stage state" => "state",
                "review field" => "field",
                other => other,
            }),
            _ => None,
        }
    }

    pub fn payload(&self) -> ErrorPayload {
        ErrorPayload {
            code: self.code(),
            message: self.to_string(),
            field: self.field().map(str::to_owned),
        }
    }

    /// Shorthand for bad input in one field.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> DeskError {
        DeskError::Invalid {
            field,
            message: message.into(),
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
        assert!(json.get("field").is_none());
        Ok(())
    }

    #[test]
    fn input_errors_name_their_field() -> Result<(), serde_json::Error> {
        let json = serde_json::to_value(DeskError::invalid("title", "the title is empty"))?;
        assert_eq!(json["code"], "invalid_input");
        assert_eq!(json["field"], "title");
        Ok(())
    }

    #[test]
    fn open_stages_are_listed_by_name() {
        let error = DeskError::OpenStages {
            reference: "INC-4".into(),
            stages: vec![Stage::Diagnose, Stage::Review],
        };
        assert_eq!(
            error.to_string(),
            "INC-4 cannot be closed: diagnose, review are still open (every stage must be done, skipped or deferred)"
        );
    }
}
