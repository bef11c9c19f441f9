//! The file transport: a database's log (or the part after a cursor) as one
//! JSON document, and the way back in. The first user of the replication
//! seam, and an air-gapped hand-off (a USB stick from commander to
//! commander). What arrives passes the same gate as any synced entry.

use super::Desk;
use super::replication::{ApplyReport, Cursor, RemoteEntry};
use crate::error::{DeskError, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;
use ts_rs::TS;

pub const ENTRIES_FORMAT: &str = "incident-desk/entries";
pub const ENTRIES_VERSION: u32 = 1;
/// The largest entries file read: a team's full history of years of
/// incidents fits many times over; a wrong file fails fast.
pub const MAX_ENTRIES_BYTES: u64 = 256 << 20;

/// Entries from one database, for another to apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EntryBatch {
    /// Always `incident-desk/entries`.
    pub format: String,
    pub version: u32,
    /// The node id of the database that wrote the file.
    pub node: String,
    /// The cursor this batch started after (`None`: from the beginning).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub since: Option<Cursor>,
    /// Where the next export from that database should start (`--since`).
    pub cursor: Cursor,
    pub entries: Vec<RemoteEntry>,
}

impl Desk {
    /// Everything after `since` (everything when `None`) as a batch.
    pub fn export_entries(&self, since: Option<Cursor>) -> Result<EntryBatch> {
        if since.is_some_and(|c| c < 0) {
            return Err(DeskError::invalid("since", "a cursor is 0 or more"));
        }
        let (entries, cursor) = self.entries_since(since)?;
        Ok(EntryBatch {
            format: ENTRIES_FORMAT.to_owned(),
            version: ENTRIES_VERSION,
            node: self.team_info()?.node_id,
            since,
            cursor,
            entries,
        })
    }

    /// Reads an entries file: refuses a missing, empty, oversized, non-text
    /// or foreign file with a sentence that says which.
    pub fn read_entries_file(path: &Path) -> Result<EntryBatch> {
        let text = crate::files::read_incoming_text(
            path,
            MAX_ENTRIES_BYTES,
            &format!(
                "an entries file is at most {} MiB (export with --since to send less)",
                MAX_ENTRIES_BYTES >> 20
            ),
        )?;
        parse_entries(&text)
    }

    /// Applies a batch (all of it, or nothing when the database refuses to
    /// write). Entries the gate refuses are listed in the report, not stored.
    pub fn apply_entries(&self, batch: EntryBatch) -> Result<ApplyReport> {
        check_header(&batch.format, batch.version)?;
        crate::domain::NodeId::parse(&batch.node)
            .map_err(|e| DeskError::Import(format!("the file's \"node\": {e}")))?;
        self.apply_remote(batch.entries)
    }
}

fn check_header(format: &str, version: u32) -> Result<()> {
    if format == super::EXPORT_FORMAT {
        return Err(DeskError::Import(
            "this is the export of one incident: use `idesk import` for it".into(),
        ));
    }
    if format != ENTRIES_FORMAT {
        return Err(DeskError::Import(format!(
            "this is not an Incident Desk entries file (expected \"format\": \"{ENTRIES_FORMAT}\")"
        )));
    }
    if version > ENTRIES_VERSION {
        return Err(DeskError::NewerExport {
            found: version,
            supported: ENTRIES_VERSION,
        });
    }
    Ok(())
}

/// Parses an entries document, with specific errors for the ways a file
/// goes wrong (not JSON, truncated, another format, a newer version).
pub fn parse_entries(text: &str) -> Result<EntryBatch> {
    let value = crate::files::incoming_json(text)?;
    let format = value.get("format").and_then(|f| f.as_str()).unwrap_or("");
    let version = value
        .get("version")
        .and_then(|v| v.as_u64())
        .and_then(|v| u32::try_from(v).ok())
        .ok_or_else(|| {
            if format == ENTRIES_FORMAT {
                DeskError::Import("the entries file has no valid \"version\"".into())
            } else {
                DeskError::Import(format!(
                    "this is not an Incident Desk entries file (expected \"format\": \"{ENTRIES_FORMAT}\")"
                ))
            }
        })?;
    check_header(format, version)?;
    serde_json::from_value(value)
        .map_err(|e| DeskError::Import(format!("the entries file is malformed: {e}")))
}
