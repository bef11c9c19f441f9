//! Export of an incident as one JSON document, and import of such a
//! document (which round-trips exactly). The import trusts nothing: the
//! timeline must replay to the state the document claims.

use super::Desk;
use super::records::{self, name_key};
use super::timeline::{self, Order};
use crate::domain::*;
use crate::error::{DeskError, Result};
use crate::metrics::metrics;
use crate::model::{ChangeEvent, Metrics, Person};
use crate::replay::replay;
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use ts_rs::TS;

pub const EXPORT_FORMAT: &str = "incident-desk/incident";
pub const EXPORT_VERSION: u32 = 1;

/// One incident, everything about it, as a self-contained document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IncidentExport {
    /// Always `incident-desk/incident`.
    pub format: String,
    /// Format version; a newer one is refused on import.
    pub version: u32,
    pub incident: IncidentRecord,
    /// Every entry, in recording order.
    pub timeline: Vec<TimelineEntry>,
    /// The people named in the roles and action items.
    pub people: Vec<Person>,
    pub metrics: Metrics,
}

impl Desk {
    pub fn export(&self, reference: &str) -> Result<IncidentExport> {
        let conn = self.conn();
        let (id, _) = records::resolve(&conn, reference)?;
        let incident = records::load_record(&conn, &id)?;
        let timeline = timeline::load(&conn, &id, Order::Recorded)?;
        let mut names: BTreeSet<String> =
            incident.roles.iter().map(|r| name_key(&r.person)).collect();
        names.extend(
            incident
                .action_items
                .iter()
                .filter_map(|a| a.owner.as_deref().map(name_key)),
        );
        let mut people = Vec::new();
        let mut statement = conn
            .prepare_cached("SELECT name, handle, contact, team FROM people WHERE name_key = ?1")?;
        for key in &names {
            if let Some(person) = statement
                .query_row([key], |row| {
                    Ok(Person {
                        name: row.get(0)?,
                        handle: row.get(1)?,
                        contact: row.get(2)?,
                        team: row.get(3)?,
                    })
                })
                .optional()?
            {
                people.push(person);
            }
        }
        let metrics = metrics(&incident);
        Ok(IncidentExport {
            format: EXPORT_FORMAT.to_owned(),
            version: EXPORT_VERSION,
            incident,
            timeline,
            people,
            metrics,
        })
    }

    /// Parses an export document, with specific errors for the ways a file
    /// goes wrong (not JSON, truncated, another format, a newer version).
    pub fn parse_export(text: &str) -> Result<IncidentExport> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            let hint = if e.is_eof() {
                " (the file looks truncated)"
            } else {
                ""
            };
            DeskError::Import(format!("the file is not valid JSON{hint}: {e}"))
        })?;
        let format = value.get("format").and_then(|f| f.as_str());
        if format != Some(EXPORT_FORMAT) {
            return Err(DeskError::Import(format!(
                "this is not an Incident Desk export (expected \"format\": \"{EXPORT_FORMAT}\")"
            )));
        }
        let version = value
            .get("version")
            .and_then(|v| v.as_u64())
            .and_then(|v| u32::try_from(v).ok())
            .ok_or_else(|| DeskError::Import("the export has no valid \"version\"".into()))?;
        if version > EXPORT_VERSION {
            return Err(DeskError::NewerExport {
                found: version,
                supported: EXPORT_VERSION,
            });
        }
        serde_json::from_value(value)
            .map_err(|e| DeskError::Import(format!("the export is malformed: {e}")))
    }

    /// Imports an exported incident. It keeps its id, and its reference when
    /// that number is free here; returns the imported state.
    pub fn import(&self, export: IncidentExport) -> Result<IncidentRecord> {
        if export.format != EXPORT_FORMAT {
            return Err(DeskError::Import(
                "this is not an Incident Desk export".into(),
            ));
        }
        if export.version > EXPORT_VERSION {
            return Err(DeskError::NewerExport {
                found: export.version,
                supported: EXPORT_VERSION,
            });
        }
        check_timeline_shape(&export.timeline)?;
        let claimed = &export.incident;
        let rebuilt = replay(&claimed.reference, &export.timeline)
            .map_err(|e| DeskError::Import(format!("its timeline does not replay: {e}")))?;
        if rebuilt != *claimed {
            return Err(DeskError::Import(
                "the incident's state does not match its timeline (was the file edited?)".into(),
            ));
        }

        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if tx
            .prepare_cached("SELECT 1 FROM incidents WHERE id = ?1")?
            .exists([&claimed.id])?
        {
            let (_, seq) = records::resolve(&tx, &claimed.id)?;
            return Err(DeskError::Conflict(format!(
                "this incident is already here, as {}",
                records::reference_of(seq)
            )));
        }
        let levels_ok = tx
            .prepare_cached("SELECT 1 FROM levels WHERE name = ?1")?
            .exists([&claimed.level])?;
        if !levels_ok {
            return Err(DeskError::Import(format!(
                "level {} does not exist in this database: add it first (idesk level add)",
                claimed.level
            )));
        }
        let wanted_seq = claimed
            .reference
            .strip_prefix("INC-")
            .and_then(|n| n.parse::<i64>().ok())
            .filter(|n| *n > 0);
        let seq = match wanted_seq {
            Some(seq)
                if !tx
                    .prepare_cached("SELECT 1 FROM incidents WHERE seq = ?1")?
                    .exists([seq])? =>
            {
                seq
            }
            _ => tx.query_row("SELECT coalesce(max(seq), 0) + 1 FROM incidents", [], |r| {
                r.get(0)
            })?,
        };
        for person in &export.people {
            tx.prepare_cached(
                "INSERT INTO people (name, name_key, handle, contact, team, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (name_key) DO NOTHING",
            )?
            .execute(params![
                person.name,
                name_key(&person.name),
                person.handle,
                person.contact,
                person.team,
                claimed.declared_at
            ])?;
        }
        let record = IncidentRecord {
            reference: records::reference_of(seq),
            ..claimed.clone()
        };
        records::insert_record(&tx, seq, &record)?;
        for entry in &export.timeline {
            timeline::insert_verbatim(&tx, &record.id, entry)?;
        }
        tx.commit()?;
        drop(conn);
        self.publish(ChangeEvent::Incident {
            id: record.id.clone(),
            reference: record.reference.clone(),
        });
        Ok(record)
    }
}

/// Entries numbered 1..=N, corrections pointing at earlier entries, and
/// kinds that match their changes.
fn check_timeline_shape(entries: &[TimelineEntry]) -> Result<()> {
    if entries.is_empty() {
        return Err(DeskError::Import("the timeline is empty".into()));
    }
    for (index, entry) in entries.iter().enumerate() {
        let expected = index as i64 + 1;
        if entry.n != expected {
            return Err(DeskError::Import(format!(
                "timeline entry {expected} is missing or out of order (found {})",
                entry.n
            )));
        }
        if let Some(target) = entry.supersedes
            && (target < 1 || target >= entry.n)
        {
            return Err(DeskError::Import(format!(
                "timeline entry {} corrects entry {target}, which does not precede it",
                entry.n
            )));
        }
        let kind_matches = match &entry.change {
            Some(change) => change.entry_kind() == entry.kind,
            None => matches!(
                entry.kind,
                EntryKind::Note | EntryKind::Correction | EntryKind::Nudge | EntryKind::Alert
            ),
        };
        if !kind_matches {
            return Err(DeskError::Import(format!(
                "timeline entry {} is a {} entry with the wrong content",
                entry.n,
                entry.kind.as_str()
            )));
        }
        required_text("text", &entry.text, MAX_TEXT * 2)
            .map_err(|e| DeskError::Import(format!("timeline entry {}: {e}", entry.n)))?;
    }
    Ok(())
}
