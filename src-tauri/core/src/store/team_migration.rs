//! Migration 6, the part SQL cannot do: a node id for this database, and ids
//! and clock stamps for the entries it already holds, derived from their
//! recorded order (`domain::legacy_stamps`) so that every laptop that has
//! the same entries derives the same stamps.

use crate::domain::{NodeId, legacy_stamps};
use crate::error::{DeskError, Result};
use crate::time::Timestamp;
use rusqlite::{Connection, params};

/// The settings key of this database's node id.
pub const NODE_ID: &str = "node.id";

const NO_UPDATE_TRIGGER: &str =
    "CREATE TRIGGER timeline_is_append_only_no_update BEFORE UPDATE ON timeline
BEGIN
    SELECT RAISE(ABORT, 'timeline entries are append-only: add a correction instead');
END";

pub(super) fn fill_stamps(conn: &Connection) -> Result<()> {
    let node = NodeId::random().map_err(DeskError::Corrupt)?;
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING",
        params![NODE_ID, node.as_str()],
    )?;
    conn.execute_batch("UPDATE incidents SET reference = 'INC-' || seq WHERE reference IS NULL;")?;
    // Filling in the new columns is the one write the append-only rule allows.
    conn.execute_batch("DROP TRIGGER timeline_is_append_only_no_update;")?;
    let incidents: Vec<String> = conn
        .prepare("SELECT id FROM incidents ORDER BY seq")?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for incident in incidents {
        let rows: Vec<(i64, i64, Timestamp, Option<i64>)> = conn
            .prepare("SELECT id, n, recorded_at, supersedes FROM timeline WHERE incident_id = ?1 ORDER BY n")?
            .query_map([&incident], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let numbered: Vec<(i64, Timestamp)> = rows.iter().map(|r| (r.1, r.2)).collect();
        let stamps = legacy_stamps(&incident, &numbered);
        for (row, (id, stamp, seen)) in rows.iter().zip(&stamps) {
            let corrects = row.3.and_then(|target| {
                rows.iter()
                    .position(|other| other.1 == target)
                    .and_then(|index| stamps.get(index))
                    .map(|(target_id, _, _)| target_id.clone())
            });
            conn.prepare_cached(
                "UPDATE timeline SET entry_id = ?2, hlc = ?3, seen = ?4, supersedes_id = ?5 WHERE id = ?1",
            )?
            .execute(params![
                row.0,
                id,
                stamp.encode(),
                seen.as_ref().map(|s| s.encode()),
                corrects
            ])?;
        }
    }
    conn.execute_batch(&format!("{NO_UPDATE_TRIGGER};"))?;
    // Nothing written here has been delivered anywhere yet.
    conn.execute_batch(
        "INSERT INTO outbox (entry_id, queued_at) SELECT entry_id, recorded_at FROM timeline;",
    )?;
    Ok(())
}
