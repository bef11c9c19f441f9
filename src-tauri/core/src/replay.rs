//! Rebuilding an incident's state from its timeline alone: fold every
//! entry, in the order of their clock stamps (the order of recording across
//! laptops), with the same rules the `Desk` used to write them. Stored state
//! must always equal the replayed state; what the rules refuse is kept and
//! shown as a conflict (see `domain/fold.rs`).

use crate::domain::{Change, ConflictNote, Fold, IncidentRecord, TimelineEntry};
use crate::error::{DeskError, Result};

/// The order entries are folded in: their stamps, then (for entries from
/// before stamps) their numbers.
pub fn fold_order(entries: &mut [&TimelineEntry]) {
    entries.sort_by(|a, b| a.hlc.cmp(&b.hlc).then(a.n.cmp(&b.n)));
}

/// Replays `entries` (in any order) for the incident known as `reference`.
pub fn replay(reference: &str, entries: &[TimelineEntry]) -> Result<IncidentRecord> {
    let mut ordered: Vec<&TimelineEntry> = entries.iter().collect();
    fold_order(&mut ordered);
    let start = ordered
        .iter()
        .position(|e| matches!(e.change, Some(Change::Declared { .. })))
        .ok_or_else(|| DeskError::Corrupt("the timeline has no declaration".into()))?;
    let first = ordered[start];
    let Some(declared) = &first.change else {
        return Err(DeskError::Corrupt("the timeline has no declaration".into()));
    };
    let mut record =
        IncidentRecord::declared(reference, declared, first.occurred_at, &first.author)?;
    // Anything stamped before the declaration cannot apply to it.
    for early in &ordered[..start] {
        record.conflicts.push(ConflictNote {
            subject: "timeline".into(),
            entry_id: early.id.clone(),
            hlc: early.hlc.clone(),
            message: format!(
                "{}'s entry is stamped before the incident was declared and was not applied",
                early.author
            ),
            applied: false,
        });
    }
    let mut fold = Fold::default();
    for entry in &ordered[start + 1..] {
        fold.apply(&mut record, entry);
    }
    Ok(record)
}
