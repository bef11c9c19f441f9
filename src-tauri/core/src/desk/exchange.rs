//! Export of an incident as one JSON document, and import of such a
//! document (which round-trips exactly). The import trusts nothing: the
//! timeline must replay to the state the document claims.

use super::Desk;
use super::directory::check_person;
use super::gate;
use super::records::{self, name_key};
use super::replication::RemoteEntry;
use super::timeline::{self, Order};
use crate::domain::*;
use crate::error::{DeskError, Result};
use crate::metrics::metrics;
use crate::model::{Metrics, Person};
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::Path;
use ts_rs::TS;

pub const EXPORT_FORMAT: &str = "incident-desk/incident";
/// 2: entries carry their global ids and clock stamps (team mode); a
/// version 1 export is still read (its entries get derived ones).
pub const EXPORT_VERSION: u32 = 2;
/// The largest export file read: far above any real incident (the
/// 2,000-entry benchmark exports ~1 MiB), far below what hurts.
pub const MAX_IMPORT_BYTES: u64 = 64 << 20;

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
    /// The playbook checklist at export time, each item done, skipped or
    /// open (derived: the marks themselves are in the timeline).
    #[serde(default)]
    pub playbook: Vec<ChecklistLine>,
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
        let items = super::playbooks::load_items(&conn, incident.kind, &incident.level)?;
        let playbook = checklist(&incident, &items);
        Ok(IncidentExport {
            playbook,
            format: EXPORT_FORMAT.to_owned(),
            version: EXPORT_VERSION,
            incident,
            timeline,
            people,
            metrics,
        })
    }

    /// Reads and parses an export file: refuses a missing, empty, oversized
    /// or non-text file with a sentence that says which.
    pub fn read_export_file(path: &Path) -> Result<IncidentExport> {
        let text = crate::files::read_incoming_text(
            path,
            MAX_IMPORT_BYTES,
            &format!("an export is at most {} MiB", MAX_IMPORT_BYTES >> 20),
        )?;
        Desk::parse_export(&text)
    }

    /// Parses an export document, with specific errors for the ways a file
    /// goes wrong (not JSON, truncated, another format, a newer version).
    pub fn parse_export(text: &str) -> Result<IncidentExport> {
        let value = crate::files::incoming_json(text)?;
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

    /// Imports an exported incident. Its entries keep their ids, so an
    /// incident that is already here is merged (the entries it lacks are
    /// added) rather than refused; a new one keeps its reference unless
    /// another incident holds it (see `references.rs`). Returns its state.
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
        let mut timeline = export.timeline;
        let claimed = &export.incident;
        with_legacy_stamps(&claimed.id, &mut timeline);
        gate::check_incident(claimed, &timeline, self.now()).map_err(DeskError::Import)?;
        for person in &export.people {
            check_person(person).map_err(|e| DeskError::Import(format!("a person: {e}")))?;
        }

        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let levels_ok = tx
            .prepare_cached("SELECT 1 FROM levels WHERE name = ?1")?
            .exists([&claimed.level])?;
        if !levels_ok {
            return Err(DeskError::Import(format!(
                "level {} does not exist in this database: add it first (idesk level add)",
                claimed.level
            )));
        }
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
        let entries = timeline
            .into_iter()
            .map(|entry| RemoteEntry {
                incident_id: claimed.id.clone(),
                reference: (entry.kind == EntryKind::Declared).then(|| claimed.reference.clone()),
                entry,
            })
            .collect();
        let (report, touched) = self.receive(&tx, entries)?;
        if let Some(reason) = report.refused.first() {
            return Err(DeskError::Import(reason.clone()));
        }
        let record = records::load_record(&tx, &claimed.id)?;
        tx.commit()?;
        drop(conn);
        self.announce(&report, touched);
        Ok(record)
    }
}

/// Entries of an export from before team mode carry no ids or stamps: they
/// get the ones every laptop derives for them (see `domain::legacy_stamps`).
fn with_legacy_stamps(incident_id: &str, timeline: &mut [TimelineEntry]) {
    if timeline
        .iter()
        .all(|e| !e.id.is_empty() && !e.hlc.is_empty())
    {
        return;
    }
    timeline.sort_by_key(|e| e.n);
    let numbered: Vec<(i64, crate::time::Timestamp)> =
        timeline.iter().map(|e| (e.n, e.recorded_at)).collect();
    let stamps = legacy_stamps(incident_id, &numbered);
    let id_of_n: std::collections::HashMap<i64, String> = timeline
        .iter()
        .zip(&stamps)
        .map(|(e, (id, _, _))| (e.n, id.clone()))
        .collect();
    for (entry, (id, stamp, seen)) in timeline.iter_mut().zip(stamps) {
        entry.id = id;
        entry.hlc = stamp.encode();
        entry.seen = seen.map(|s| s.encode());
        entry.supersedes_id = entry.supersedes.and_then(|n| id_of_n.get(&n).cloned());
    }
}
