//! Rebuilding an incident's state from its timeline alone: fold every
//! entry's change, in recording order, with the same rules the `Desk` used
//! to write them. Stored state must always equal the replayed state.

use crate::domain::{IncidentRecord, TimelineEntry};
use crate::error::{DeskError, Result};

/// Replays `entries` (in any order; they are sorted by `n`) for the incident
/// known as `reference`.
pub fn replay(reference: &str, entries: &[TimelineEntry]) -> Result<IncidentRecord> {
    let mut ordered: Vec<&TimelineEntry> = entries.iter().collect();
    ordered.sort_by_key(|e| e.n);
    let mut iter = ordered.into_iter();
    let first = iter
        .next()
        .ok_or_else(|| DeskError::Corrupt("the timeline is empty".into()))?;
    let declared = first.change.as_ref().ok_or_else(|| {
        DeskError::Corrupt("the first timeline entry is not a declaration".into())
    })?;
    let mut record =
        IncidentRecord::declared(reference, declared, first.occurred_at, &first.author)?;
    for entry in iter {
        if let Some(change) = &entry.change {
            record
                .apply(change, entry.occurred_at, &entry.author)
                .map_err(|e| DeskError::Corrupt(format!("timeline entry {}: {e}", entry.n)))?;
        }
    }
    Ok(record)
}
