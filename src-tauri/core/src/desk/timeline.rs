//! The append-only timeline: writing entries and reading them back.

use crate::domain::{Change, EntryKind, TimelineEntry};
use crate::error::{DeskError, Result};
use crate::time::Timestamp;
use rusqlite::{Connection, params};

/// What to append; `n` is assigned here.
pub struct NewEntry<'a> {
    pub incident_id: &'a str,
    pub occurred_at: Timestamp,
    pub recorded_at: Timestamp,
    pub author: &'a str,
    pub kind: EntryKind,
    pub text: &'a str,
    pub change: Option<&'a Change>,
    pub supersedes: Option<i64>,
}

/// Appends an entry as the incident's next `n` and returns it.
pub fn append(conn: &Connection, entry: NewEntry<'_>) -> Result<TimelineEntry> {
    let change_json = entry
        .change
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| DeskError::Corrupt(format!("cannot encode a change: {e}")))?;
    let n: i64 = conn
        .prepare_cached(
            "INSERT INTO timeline (incident_id, n, occurred_at, recorded_at, author, kind, text, change, supersedes)
             VALUES (?1, (SELECT coalesce(max(n), 0) + 1 FROM timeline WHERE incident_id = ?1),
                     ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             RETURNING n",
        )?
        .query_row(
            params![
                entry.incident_id,
                entry.occurred_at,
                entry.recorded_at,
                entry.author,
                entry.kind,
                entry.text,
                change_json,
                entry.supersedes,
            ],
            |row| row.get(0),
        )?;
    Ok(TimelineEntry {
        n,
        occurred_at: entry.occurred_at,
        recorded_at: entry.recorded_at,
        author: entry.author.to_owned(),
        kind: entry.kind,
        text: entry.text.to_owned(),
        change: entry.change.cloned(),
        supersedes: entry.supersedes,
        superseded_by: None,
    })
}

/// Inserts an entry exactly as given (import).
pub fn insert_verbatim(conn: &Connection, incident_id: &str, entry: &TimelineEntry) -> Result<()> {
    let change_json = entry
        .change
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| DeskError::Corrupt(format!("cannot encode a change: {e}")))?;
    conn.prepare_cached(
        "INSERT INTO timeline (incident_id, n, occurred_at, recorded_at, author, kind, text, change, supersedes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        incident_id,
        entry.n,
        entry.occurred_at,
        entry.recorded_at,
        entry.author,
        entry.kind,
        entry.text,
        change_json,
        entry.supersedes,
    ])?;
    Ok(())
}

/// Whether entry `n` exists in the incident's timeline.
pub fn entry_exists(conn: &Connection, incident_id: &str, n: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM timeline WHERE incident_id = ?1 AND n = ?2")?
        .exists(params![incident_id, n])?)
}

/// Order in which a timeline is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// When things happened (what people read).
    Occurred,
    /// When they were recorded (what replays state).
    Recorded,
}

pub fn load(conn: &Connection, incident_id: &str, order: Order) -> Result<Vec<TimelineEntry>> {
    let sql = match order {
        Order::Occurred => {
            "SELECT n, occurred_at, recorded_at, author, kind, text, change, supersedes
               FROM timeline WHERE incident_id = ?1 ORDER BY occurred_at, n"
        }
        Order::Recorded => {
            "SELECT n, occurred_at, recorded_at, author, kind, text, change, supersedes
               FROM timeline WHERE incident_id = ?1 ORDER BY n"
        }
    };
    let mut statement = conn.prepare_cached(sql)?;
    let rows = statement.query_map([incident_id], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, Timestamp>(1)?,
            row.get::<_, Timestamp>(2)?,
            row.get::<_, String>(3)?,
            row.get::<_, EntryKind>(4)?,
            row.get::<_, String>(5)?,
            row.get::<_, Option<String>>(6)?,
            row.get::<_, Option<i64>>(7)?,
        ))
    })?;
    let mut entries = Vec::new();
    for row in rows {
        let (n, occurred_at, recorded_at, author, kind, text, change, supersedes) = row?;
        let change = change
            .map(|json| serde_json::from_str::<Change>(&json))
            .transpose()
            .map_err(|e| DeskError::Corrupt(format!("timeline entry {n}: {e}")))?;
        entries.push(TimelineEntry {
            n,
            occurred_at,
            recorded_at,
            author,
            kind,
            text,
            change,
            supersedes,
            superseded_by: None,
        });
    }
    mark_superseded(&mut entries);
    Ok(entries)
}

/// Fills `superseded_by` from the corrections in the list.
fn mark_superseded(entries: &mut [TimelineEntry]) {
    let corrections: Vec<(i64, i64)> = entries
        .iter()
        .filter_map(|e| e.supersedes.map(|target| (target, e.n)))
        .collect();
    for (target, by) in corrections {
        if let Some(entry) = entries.iter_mut().find(|e| e.n == target) {
            // The latest correction wins.
            if entry.superseded_by.is_none_or(|existing| by > existing) {
                entry.superseded_by = Some(by);
            }
        }
    }
}
