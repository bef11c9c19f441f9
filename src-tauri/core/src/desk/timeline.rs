//! The append-only timeline: writing entries and reading them back.
//!
//! An entry written here gets a global id, a clock stamp later than every
//! stamp this database follows and every stamp of its incident, the newest
//! stamp of its incident (what its writer had seen), and a place in the
//! outbox — all in the caller's transaction. An entry from elsewhere keeps
//! its id and stamp. Entries are numbered (`#n`) by their place in stamp
//! order when read.

use crate::domain::{Change, EntryKind, Hlc, MAX_SKEW_MS, NodeId, TimelineEntry};
use crate::error::{DeskError, Result};
use crate::store::team_migration::NODE_ID;
use crate::time::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};

/// What to append; `n`, the id and the stamps are assigned here.
pub struct NewEntry<'a> {
    pub incident_id: &'a str,
    pub occurred_at: Timestamp,
    pub recorded_at: Timestamp,
    pub author: &'a str,
    pub kind: EntryKind,
    pub text: &'a str,
    pub change: Option<&'a Change>,
    /// The number (here) of the entry this one corrects.
    pub supersedes: Option<i64>,
}

/// This database's node id.
pub fn node_id(conn: &Connection) -> Result<NodeId> {
    let text: String = conn
        .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
        .query_row([NODE_ID], |row| row.get(0))
        .optional()?
        .ok_or_else(|| DeskError::Corrupt("this database has no node id".into()))?;
    NodeId::parse(&text).map_err(DeskError::Corrupt)
}

/// The newest stamp this database follows at `now`: stamps flagged as
/// far ahead are not followed while they still are (a clock a day ahead
/// must not drag ours along), and are once real time has caught up.
pub fn newest_stamp(conn: &Connection, now: Timestamp) -> Result<Option<Hlc>> {
    let followed: Option<String> = conn
        .prepare_cached("SELECT max(hlc) FROM timeline WHERE skewed = 0")?
        .query_row([], |row| row.get(0))?;
    // Stamps sort as text; every stamp at or before this prefix is near enough.
    let horizon = format!("{:016}~", now.millis() + MAX_SKEW_MS);
    let caught_up: Option<String> = conn
        .prepare_cached("SELECT max(hlc) FROM timeline WHERE skewed = 1 AND hlc < ?1")?
        .query_row([horizon], |row| row.get(0))?;
    followed
        .into_iter()
        .chain(caught_up)
        .max()
        .map(|t| Hlc::parse(&t).map_err(DeskError::Corrupt))
        .transpose()
}

/// The newest stamp among an incident's entries.
pub fn incident_newest_stamp(conn: &Connection, incident_id: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT max(hlc) FROM timeline WHERE incident_id = ?1")?
        .query_row([incident_id], |row| row.get(0))?)
}

fn encode_change(change: Option<&Change>) -> Result<Option<String>> {
    change
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| DeskError::Corrupt(format!("cannot encode a change: {e}")))
}

/// Appends an entry written here as the incident's next `n`, queues it for
/// the transports, and returns it.
pub fn append(conn: &Connection, entry: NewEntry<'_>) -> Result<TimelineEntry> {
    let node = node_id(conn)?;
    let seen = incident_newest_stamp(conn, entry.incident_id)?;
    // After everything this database has followed, and always after what its
    // writer saw of the incident, even a stamp from a clock far ahead: an
    // entry must sort after what it answers, or the fold would not apply it.
    let seen_stamp = seen
        .as_deref()
        .map(Hlc::parse)
        .transpose()
        .map_err(DeskError::Corrupt)?;
    let after = newest_stamp(conn, entry.recorded_at)?
        .into_iter()
        .chain(seen_stamp)
        .max();
    let next = Hlc::next(after.as_ref(), entry.recorded_at, &node);
    // Stamped after a clock far ahead: flagged like what it follows, so the
    // rest of this database's stamps stay on real time.
    let skewed = next.is_skewed(entry.recorded_at);
    let stamp = next.encode();
    let id = super::new_id(entry.recorded_at);
    let target = match entry.supersedes {
        Some(number) => entry_at(conn, entry.incident_id, number)?,
        None => None,
    };
    let (supersedes_id, supersedes_row) = target.unzip();
    let n: i64 = conn
        .prepare_cached(
            "INSERT INTO timeline (incident_id, n, occurred_at, recorded_at, author, kind, text, change,
                                   supersedes, entry_id, hlc, seen, supersedes_id, skewed)
             VALUES (?1, (SELECT coalesce(max(n), 0) + 1 FROM timeline WHERE incident_id = ?1),
                     ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
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
                encode_change(entry.change)?,
                supersedes_row,
                id,
                stamp,
                seen,
                supersedes_id,
                skewed,
            ],
            |row| row.get(0),
        )?;
    conn.prepare_cached("INSERT INTO outbox (entry_id, queued_at) VALUES (?1, ?2)")?
        .execute(params![id, entry.recorded_at])?;
    Ok(TimelineEntry {
        id,
        hlc: stamp,
        seen,
        n,
        occurred_at: entry.occurred_at,
        recorded_at: entry.recorded_at,
        author: entry.author.to_owned(),
        kind: entry.kind,
        text: entry.text.to_owned(),
        change: entry.change.cloned(),
        supersedes: entry.supersedes,
        supersedes_id,
        superseded_by: None,
    })
}

/// Stores an entry from elsewhere (or from an import) with its own id and
/// stamps, as this laptop's next `n` for the incident.
pub fn insert_received(
    conn: &Connection,
    incident_id: &str,
    entry: &TimelineEntry,
    skewed: bool,
) -> Result<i64> {
    let supersedes: Option<i64> = match &entry.supersedes_id {
        Some(target) => conn
            .prepare_cached("SELECT n FROM timeline WHERE entry_id = ?1")?
            .query_row([target], |row| row.get(0))
            .optional()?,
        None => None,
    };
    Ok(conn
        .prepare_cached(
            "INSERT INTO timeline (incident_id, n, occurred_at, recorded_at, author, kind, text, change,
                                   supersedes, entry_id, hlc, seen, supersedes_id, skewed)
             VALUES (?1, (SELECT coalesce(max(n), 0) + 1 FROM timeline WHERE incident_id = ?1),
                     ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
             RETURNING n",
        )?
        .query_row(
            params![
                incident_id,
                entry.occurred_at,
                entry.recorded_at,
                entry.author,
                entry.kind,
                entry.text,
                encode_change(entry.change.as_ref())?,
                supersedes,
                entry.id,
                entry.hlc,
                entry.seen,
                entry.supersedes_id,
                skewed,
            ],
            |row| row.get(0),
        )?)
}

/// Whether an entry with this global id is here.
pub fn has_entry(conn: &Connection, entry_id: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM timeline WHERE entry_id = ?1")?
        .exists([entry_id])?)
}

/// The entry people call `#number`: its id and its row number here.
///
/// Entries are numbered by their place in the stamp order, not by when
/// they reached this database, so `#12` is the same entry on every laptop
/// that holds the same entries. (An entry written offline that arrives
/// later and sorts earlier moves the numbers after it: corrections are
/// stored by id, so none of them changes target.)
pub fn entry_at(
    conn: &Connection,
    incident_id: &str,
    number: i64,
) -> Result<Option<(String, i64)>> {
    if number < 1 {
        return Ok(None);
    }
    Ok(conn
        .prepare_cached(
            "SELECT entry_id, n FROM timeline WHERE incident_id = ?1 ORDER BY hlc, n LIMIT 1 OFFSET ?2",
        )?
        .query_row(params![incident_id, number - 1], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?)
}

/// Whether entry `#number` exists in the incident's timeline.
pub fn entry_exists(conn: &Connection, incident_id: &str, number: i64) -> Result<bool> {
    Ok(entry_at(conn, incident_id, number)?.is_some())
}

/// Order in which a timeline is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// When things happened (what people read).
    Occurred,
    /// When they were recorded, by clock stamp (what replays state).
    Recorded,
}

const COLUMNS: &str =
    "entry_id, hlc, seen, n, occurred_at, recorded_at, author, kind, text, change, supersedes_id";

pub fn load(conn: &Connection, incident_id: &str, order: Order) -> Result<Vec<TimelineEntry>> {
    let sql = match order {
        Order::Occurred => format!(
            "SELECT {COLUMNS} FROM timeline WHERE incident_id = ?1 ORDER BY occurred_at, hlc, n"
        ),
        Order::Recorded => {
            format!("SELECT {COLUMNS} FROM timeline WHERE incident_id = ?1 ORDER BY hlc, n")
        }
    };
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map([incident_id], read_entry)?;
    let mut entries = Vec::new();
    for row in rows {
        let (entry, change) = row?;
        let change = change
            .map(|json| serde_json::from_str::<Change>(&json))
            .transpose()
            .map_err(|e| DeskError::Corrupt(format!("timeline entry {}: {e}", entry.n)))?;
        entries.push(TimelineEntry { change, ..entry });
    }
    number_by_stamp(&mut entries, order);
    link_corrections(&mut entries);
    Ok(entries)
}

/// Gives each entry its number: its place in the stamp order (see [`entry_at`]).
fn number_by_stamp(entries: &mut [TimelineEntry], order: Order) {
    match order {
        Order::Recorded => {
            for (place, entry) in entries.iter_mut().enumerate() {
                entry.n = place as i64 + 1;
            }
        }
        Order::Occurred => {
            let mut by_stamp: Vec<usize> = (0..entries.len()).collect();
            by_stamp.sort_by(|&a, &b| {
                (&entries[a].hlc, entries[a].n).cmp(&(&entries[b].hlc, entries[b].n))
            });
            for (place, index) in by_stamp.into_iter().enumerate() {
                entries[index].n = place as i64 + 1;
            }
        }
    }
}

/// One row; the change still as JSON.
pub(crate) fn read_entry(
    row: &rusqlite::Row<'_>,
) -> rusqlite::Result<(TimelineEntry, Option<String>)> {
    Ok((
        TimelineEntry {
            id: row.get::<_, Option<String>>(0)?.unwrap_or_default(),
            hlc: row.get::<_, Option<String>>(1)?.unwrap_or_default(),
            seen: row.get(2)?,
            n: row.get(3)?,
            occurred_at: row.get(4)?,
            recorded_at: row.get(5)?,
            author: row.get(6)?,
            kind: row.get(7)?,
            text: row.get(8)?,
            change: None,
            supersedes: None,
            supersedes_id: row.get(10)?,
            superseded_by: None,
        },
        row.get(9)?,
    ))
}

/// Fills `supersedes` (the target's number here) and `superseded_by` from
/// the corrections' target ids; a target that has not arrived stays `None`.
fn link_corrections(entries: &mut [TimelineEntry]) {
    let number_of: std::collections::HashMap<String, i64> =
        entries.iter().map(|e| (e.id.clone(), e.n)).collect();
    let mut corrections: Vec<(i64, String, i64)> = Vec::new();
    for entry in entries.iter_mut() {
        entry.supersedes = entry
            .supersedes_id
            .as_ref()
            .and_then(|target| number_of.get(target).copied());
        if let Some(target) = entry.supersedes {
            corrections.push((target, entry.hlc.clone(), entry.n));
        }
    }
    // The latest correction (by stamp, the same on every laptop) wins.
    corrections.sort_by(|a, b| a.1.cmp(&b.1));
    for (target, _, by) in corrections {
        if let Some(entry) = entries.iter_mut().find(|e| e.n == target) {
            entry.superseded_by = Some(by);
        }
    }
}
