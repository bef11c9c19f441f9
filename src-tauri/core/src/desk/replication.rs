//! The replication seam: what a transport (a file today, NATS JetStream in
//! team mode) needs and nothing of the transport itself.
//!
//! - Every entry written here is in the outbox (same transaction) until a
//!   transport says it was delivered ([`Desk::outbox`], [`Desk::delivered`]).
//! - [`Desk::entries_since`] reads this database's log from a cursor: what a
//!   file export (or a first publish) carries.
//! - [`Desk::apply_remote`] takes entries from elsewhere: idempotent (an
//!   entry already here is skipped), each checked by the same gate as an
//!   import, kept even when the fold cannot apply it (a conflict), parked
//!   when its incident's declaration has not arrived yet; the incidents they
//!   touch are folded again and the window refreshes.
//! - Named cursors remember where each transport is in what it reads.

use super::{Desk, gate, records, references, timeline};
use crate::domain::{Change, EntryKind, Hlc, IncidentRecord, TimelineEntry};
use crate::error::{DeskError, Result};
use crate::model::ChangeEvent;
use crate::replay::replay;
use crate::time::Timestamp;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use ts_rs::TS;

/// One entry as it travels between laptops.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RemoteEntry {
    pub incident_id: String,
    /// For a declaration: the reference its origin knows the incident by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub reference: Option<String>,
    pub entry: TimelineEntry,
}

/// What [`Desk::apply_remote`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ApplyReport {
    /// New entries stored (and folded).
    pub applied: usize,
    /// Entries that were already here.
    pub duplicates: usize,
    /// Entries kept aside until their incident's declaration arrives.
    pub parked: usize,
    /// Entries the gate refused, with why (nothing of them was stored).
    pub refused: Vec<String>,
    /// Entries whose stamp was far ahead of this laptop's clock (kept, flagged).
    pub skewed: usize,
    /// References of the incidents that changed.
    pub incidents: Vec<String>,
    /// Clashes of references settled: (the reference both claimed, the new
    /// one of the incident declared later).
    pub renamed: Vec<(String, String)>,
}

/// A log position: entries after it are what a reader has not seen.
pub type Cursor = i64;

impl Desk {
    /// Entries written here that no transport has delivered yet, oldest first.
    pub fn outbox(&self, limit: usize) -> Result<Vec<RemoteEntry>> {
        let conn = self.conn();
        let mut statement = conn.prepare_cached(&format!(
            "SELECT t.incident_id, {}, i.reference
               FROM outbox o JOIN timeline t ON t.entry_id = o.entry_id
               JOIN incidents i ON i.id = t.incident_id
              ORDER BY t.id LIMIT ?1",
            prefixed_columns()
        ))?;
        let rows = statement.query_map([limit as i64], read_remote)?;
        collect_remote(rows)
    }

    /// A transport delivered these entries: they leave the outbox.
    pub fn delivered(&self, entry_ids: &[String]) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        for id in entry_ids {
            tx.prepare_cached("DELETE FROM outbox WHERE entry_id = ?1")?
                .execute([id])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Everything this database holds (written here or received) after
    /// `cursor` (`None`: from the start), in the order it was stored, and the
    /// cursor to ask from next time.
    pub fn entries_since(&self, cursor: Option<Cursor>) -> Result<(Vec<RemoteEntry>, Cursor)> {
        let conn = self.conn();
        let after = cursor.unwrap_or(0);
        let mut statement = conn.prepare_cached(&format!(
            "SELECT t.incident_id, {}, i.reference
               FROM timeline t JOIN incidents i ON i.id = t.incident_id
              WHERE t.id > ?1 ORDER BY t.id",
            prefixed_columns()
        ))?;
        let rows = statement.query_map([after], read_remote)?;
        let entries = collect_remote(rows)?;
        let next: Cursor =
            conn.query_row("SELECT coalesce(max(id), 0) FROM timeline", [], |r| {
                r.get(0)
            })?;
        Ok((entries, next.max(after)))
    }

    /// Where the transport `name` is in what it reads.
    pub fn sync_cursor(&self, name: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .prepare_cached("SELECT value FROM sync_cursors WHERE name = ?1")?
            .query_row([name], |row| row.get(0))
            .optional()?)
    }

    pub fn set_sync_cursor(&self, name: &str, value: &str) -> Result<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO sync_cursors (name, value) VALUES (?1, ?2)
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            )?
            .execute(params![name, value])?;
        Ok(())
    }

    /// Takes entries from elsewhere (see the module docs). One transaction:
    /// all of the batch is stored, or none.
    pub fn apply_remote(&self, entries: Vec<RemoteEntry>) -> Result<ApplyReport> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (report, touched) = self.receive(&tx, entries)?;
        tx.commit()?;
        drop(conn);
        self.announce(&report, touched);
        Ok(report)
    }

    /// Tells the window what changed after a commit.
    pub(crate) fn announce(&self, report: &ApplyReport, touched: Vec<(String, String)>) {
        for (id, reference) in touched {
            self.publish(ChangeEvent::Incident { id, reference });
        }
        if !report.renamed.is_empty() {
            self.publish(ChangeEvent::External);
        }
    }

    /// Stores entries from elsewhere in the caller's transaction and folds
    /// the incidents they touch; returns the report and (id, reference) of
    /// each touched incident.
    pub(crate) fn receive(
        &self,
        tx: &Connection,
        entries: Vec<RemoteEntry>,
    ) -> Result<(ApplyReport, Vec<(String, String)>)> {
        let now = self.now();
        let mut report = ApplyReport::default();
        // Declarations first, so a batch may carry a new incident and its entries.
        let mut entries = entries;
        entries.sort_by(|a, b| {
            let later = |e: &RemoteEntry| e.entry.kind != EntryKind::Declared;
            later(a).cmp(&later(b)).then(a.entry.hlc.cmp(&b.entry.hlc))
        });
        let mut touched: BTreeSet<String> = BTreeSet::new();
        for remote in entries {
            if let Err(reason) = check_remote(&remote) {
                report.refused.push(reason);
                continue;
            }
            let id = &remote.entry.id;
            if timeline::has_entry(tx, id)? || is_parked(tx, id)? {
                report.duplicates += 1;
                continue;
            }
            let skewed = Hlc::parse(&remote.entry.hlc).is_ok_and(|h| h.is_skewed(now));
            report.skewed += usize::from(skewed);
            if incident_exists(tx, &remote.incident_id)? {
                timeline::insert_received(tx, &remote.incident_id, &remote.entry, skewed)?;
                report.applied += 1;
                touched.insert(remote.incident_id.clone());
            } else if remote.entry.kind == EntryKind::Declared {
                match self.arrive(tx, &remote, skewed, &mut report) {
                    Ok(()) => {
                        report.applied += 1;
                        touched.insert(remote.incident_id.clone());
                    }
                    Err(error) => report.refused.push(format!("entry {id}: {error}")),
                }
            } else {
                park(tx, &remote, now)?;
                report.parked += 1;
            }
        }
        let mut announced = Vec::new();
        for incident in touched {
            refold(tx, &incident)?;
            let reference = references::current(tx, &incident)?;
            report.incidents.push(reference.clone());
            announced.push((incident, reference));
        }
        Ok((report, announced))
    }

    /// A new incident from elsewhere: its row (reference settled), its
    /// declaration, and any of its entries that arrived before it.
    fn arrive(
        &self,
        tx: &Connection,
        remote: &RemoteEntry,
        skewed: bool,
        report: &mut ApplyReport,
    ) -> Result<()> {
        let Some(change) = &remote.entry.change else {
            return Err(DeskError::invalid(
                "entry",
                "a declaration without its change",
            ));
        };
        let seq = records::next_reference_number(tx)?;
        let placeholder = format!("…{}", remote.incident_id);
        let mut record = IncidentRecord::declared(
            &placeholder,
            change,
            remote.entry.occurred_at,
            &remote.entry.author,
        )?;
        if record.id != remote.incident_id {
            return Err(DeskError::invalid(
                "entry",
                "the declaration names another incident",
            ));
        }
        records::insert_record(tx, seq, &record)?;
        timeline::insert_received(tx, &record.id, &remote.entry, skewed)?;
        let claim = references::claim_of(&remote.entry, remote.reference.as_deref(), seq);
        let (reference, renamed) = references::settle(tx, &record.id, &claim, &remote.entry.hlc)?;
        // Either way, the one declared later carries a new reference.
        if let Some((_, new_reference)) = renamed {
            report.renamed.push((claim.clone(), new_reference));
        } else if reference != claim {
            report.renamed.push((claim.clone(), reference.clone()));
        }
        let old = record.clone();
        record.reference = reference;
        records::persist_changes(tx, &old, &record)?;
        // Entries that came before their declaration.
        let parked: Vec<(String, String)> = tx
            .prepare_cached("SELECT entry_id, envelope FROM parked_entries WHERE incident_id = ?1")?
            .query_map([&record.id], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (entry_id, envelope) in parked {
            let waiting: RemoteEntry = serde_json::from_str(&envelope)
                .map_err(|e| DeskError::Corrupt(format!("a parked entry: {e}")))?;
            let skewed = Hlc::parse(&waiting.entry.hlc).is_ok_and(|h| h.is_skewed(self.now()));
            timeline::insert_received(tx, &record.id, &waiting.entry, skewed)?;
            tx.prepare_cached("DELETE FROM parked_entries WHERE entry_id = ?1")?
                .execute([entry_id])?;
        }
        Ok(())
    }
}

/// Folds an incident again from its timeline and stores the result.
pub(crate) fn refold(conn: &Connection, incident_id: &str) -> Result<IncidentRecord> {
    let entries = timeline::load(conn, incident_id, timeline::Order::Recorded)?;
    let stored = records::load_record(conn, incident_id)?;
    let folded = replay(&stored.reference, &entries)?;
    if folded != stored {
        records::replace_record(conn, &folded)?;
    }
    Ok(folded)
}

/// The gate for one entry from elsewhere: the checks an import makes of
/// each entry (ids, stamps, kinds, lengths, times).
fn check_remote(remote: &RemoteEntry) -> std::result::Result<(), String> {
    let entry = &remote.entry;
    let label = || format!("entry {}", entry.id);
    uuid::Uuid::parse_str(&entry.id).map_err(|_| format!("\"{}\" is not an entry id", entry.id))?;
    uuid::Uuid::parse_str(&remote.incident_id).map_err(|_| {
        format!(
            "{}: \"{}\" is not an incident id",
            label(),
            remote.incident_id
        )
    })?;
    Hlc::parse(&entry.hlc).map_err(|e| format!("{}: {e}", label()))?;
    if let Some(seen) = &entry.seen {
        Hlc::parse(seen).map_err(|e| format!("{}: {e}", label()))?;
    }
    if let Some(target) = &entry.supersedes_id {
        uuid::Uuid::parse_str(target)
            .map_err(|_| format!("{}: a bad correction target", label()))?;
    }
    if let Some(reference) = &remote.reference {
        gate::check_reference_text(reference).map_err(|e| format!("{}: {e}", label()))?;
    }
    // Times in the future are a clock ahead of ours: kept, the stamp flagged.
    gate::check_entry(entry, None).map_err(|e| format!("{}: {e}", label()))?;
    Ok(())
}

fn incident_exists(conn: &Connection, id: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM incidents WHERE id = ?1")?
        .exists([id])?)
}

fn is_parked(conn: &Connection, entry_id: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM parked_entries WHERE entry_id = ?1")?
        .exists([entry_id])?)
}

fn park(conn: &Connection, remote: &RemoteEntry, now: Timestamp) -> Result<()> {
    let envelope = serde_json::to_string(remote)
        .map_err(|e| DeskError::Corrupt(format!("cannot keep an entry aside: {e}")))?;
    conn.prepare_cached(
        "INSERT INTO parked_entries (entry_id, incident_id, envelope, received_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![remote.entry.id, remote.incident_id, envelope, now])?;
    Ok(())
}

fn prefixed_columns() -> String {
    "t.entry_id, t.hlc, t.seen, t.n, t.occurred_at, t.recorded_at, t.author, t.kind, t.text, t.change, t.supersedes_id".to_owned()
}

type RemoteRow = (String, TimelineEntry, Option<String>, String);

fn read_remote(row: &rusqlite::Row<'_>) -> rusqlite::Result<RemoteRow> {
    let incident: String = row.get(0)?;
    let entry = TimelineEntry {
        id: row.get::<_, Option<String>>(1)?.unwrap_or_default(),
        hlc: row.get::<_, Option<String>>(2)?.unwrap_or_default(),
        seen: row.get(3)?,
        n: row.get(4)?,
        occurred_at: row.get(5)?,
        recorded_at: row.get(6)?,
        author: row.get(7)?,
        kind: row.get(8)?,
        text: row.get(9)?,
        change: None,
        supersedes: None,
        supersedes_id: row.get(11)?,
        superseded_by: None,
    };
    Ok((incident, entry, row.get(10)?, row.get(12)?))
}

fn collect_remote(
    rows: impl Iterator<Item = rusqlite::Result<RemoteRow>>,
) -> Result<Vec<RemoteEntry>> {
    let mut out = Vec::new();
    for row in rows {
        let (incident_id, entry, change, reference) = row?;
        let change = change
            .map(|json| serde_json::from_str::<Change>(&json))
            .transpose()
            .map_err(|e| DeskError::Corrupt(format!("entry {}: {e}", entry.id)))?;
        let declares = entry.kind == EntryKind::Declared;
        out.push(RemoteEntry {
            incident_id,
            reference: declares.then_some(reference),
            entry: TimelineEntry { change, ..entry },
        });
    }
    Ok(out)
}

/// Who this database is in a team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TeamInfo {
    /// The team's name, once joined.
    pub team: Option<String>,
    pub node_id: String,
    /// The three characters in references minted here (`INC-12-K7Q`).
    pub tag: String,
    /// Entries written here not yet delivered by a transport.
    pub undelivered: i64,
}

impl Desk {
    pub fn team_info(&self) -> Result<TeamInfo> {
        let conn = self.conn();
        let node = timeline::node_id(&conn)?;
        let undelivered: i64 = conn.query_row("SELECT count(*) FROM outbox", [], |r| r.get(0))?;
        Ok(TeamInfo {
            team: references::team(&conn)?,
            tag: node.tag(),
            node_id: node.to_string(),
            undelivered,
        })
    }

    /// Joins a team: from now on references minted here carry this node's
    /// tag, so they cannot clash with a teammate's.
    pub fn join_team(&self, name: &str) -> Result<TeamInfo> {
        crate::domain::required_text("team", name, crate::domain::MAX_NAME)?;
        self.conn()
            .prepare_cached(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )?
            .execute(params![references::TEAM, name.trim()])?;
        self.publish(ChangeEvent::Directory);
        self.team_info()
    }
}
