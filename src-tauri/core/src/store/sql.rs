//! How domain values are stored in SQLite columns.

use crate::domain::*;
use crate::time::Timestamp;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

impl ToSql for Timestamp {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.millis()))
    }
}

impl FromSql for Timestamp {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        i64::column_result(value).map(Timestamp::from_millis)
    }
}

macro_rules! stored_as_name {
    ($($name:ty),+) => {$(
        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.as_str()))
            }
        }

        impl FromSql for $name {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                let text = value.as_str()?;
                text.parse::<$name>().map_err(|e| FromSqlError::Other(Box::new(e)))
            }
        }
    )+};
}

stored_as_name!(
    IncidentKind,
    PublicStatus,
    Source,
    Stage,
    StageState,
    Role,
    Channel,
    CommunicationState,
    ActionState,
    CheckState,
    PublishTarget,
    TaskState,
    HypothesisState,
    Severity
);

impl ToSql for EntryKind {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl FromSql for EntryKind {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let text = value.as_str()?;
        EntryKind::parse(text).ok_or_else(|| {
            FromSqlError::Other(format!("unknown timeline entry kind {text:?}").into())
        })
    }
}

/// The position (1–7) of a stage in the canonical order.
pub fn stage_position(stage: Stage) -> i64 {
    Stage::ALL
        .iter()
        .position(|s| *s == stage)
        .map_or(0, |index| index as i64 + 1)
}
