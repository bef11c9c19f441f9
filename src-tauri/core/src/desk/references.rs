//! References people say on a call, unique across a team without asking
//! anyone first.
//!
//! - A database on its own mints `INC-<n>`, as it always has.
//! - A database in a team (`idesk team join`) mints `INC-<n>-<tag>`: its own
//!   number and its node's three-character tag (`INC-12-K7Q`), unique
//!   without a round trip and still short enough to say. (A team-wide
//!   counter, once a transport provides one, renames it to `INC-<n>` and
//!   keeps this one as an alias.)
//! - When two incidents claim the same reference (two databases that were
//!   each on their own, merged), the earlier declaration (by clock stamp)
//!   keeps it and the other becomes `<reference>-<tag of its origin>`: every
//!   laptop settles the clash the same way, whatever order it learns of
//!   them. (The loser cannot keep its old reference as an alias: the winner
//!   holds it. Aliases are for the team-wide counter's renames.)

use super::records;
use crate::domain::{Change, Hlc, NodeId, TimelineEntry};
use crate::error::{DeskError, Result};
use rusqlite::{Connection, OptionalExtension, params};

/// The settings key that holds the team this database belongs to.
pub const TEAM: &str = "team.name";

/// The team this database belongs to, if any.
pub fn team(conn: &Connection) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
        .query_row([TEAM], |row| row.get(0))
        .optional()?)
}

/// The reference a new declaration here claims, for local number `seq`.
pub fn mint(conn: &Connection, seq: i64, node: &NodeId) -> Result<String> {
    let mut candidate = seq;
    loop {
        let reference = match team(conn)? {
            Some(_) => format!("INC-{candidate}-{}", node.tag()),
            None => format!("INC-{candidate}"),
        };
        if !taken(conn, &reference)? {
            return Ok(reference);
        }
        candidate += 1;
    }
}

fn taken(conn: &Connection, reference: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM incidents WHERE reference = ?1
             UNION ALL SELECT 1 FROM incident_aliases WHERE alias = ?1",
        )?
        .exists([reference])?)
}

/// What a declaration claims: its own field, else the reference its
/// origin knew it by (entries from before team mode), else its number.
pub fn claim_of(declaration: &TimelineEntry, known_as: Option<&str>, seq: i64) -> String {
    let claimed = match &declaration.change {
        Some(Change::Declared { reference, .. }) => reference.clone(),
        _ => None,
    };
    claimed
        .or_else(|| known_as.map(str::to_uppercase))
        .unwrap_or_else(|| format!("INC-{seq}"))
}

fn origin_tag(stamp: &str) -> String {
    Hlc::parse(stamp)
        .map(|hlc| hlc.node.tag())
        .unwrap_or_else(|_| "X".to_owned())
}

/// The stamp of an incident's declaration.
fn declaration_stamp(conn: &Connection, incident_id: &str) -> Result<String> {
    Ok(conn
        .prepare_cached(
            "SELECT hlc FROM timeline WHERE incident_id = ?1 AND kind = 'declared' ORDER BY hlc LIMIT 1",
        )?
        .query_row([incident_id], |row| row.get(0))?)
}

/// A reference for a clash's loser: the claim with its origin's tag, made
/// longer if even that is taken.
fn loser_reference(conn: &Connection, claim: &str, stamp: &str) -> Result<String> {
    let node = Hlc::parse(stamp)
        .map(|h| h.node.as_str().to_uppercase())
        .unwrap_or_default();
    let mut candidate = format!("{claim}-{}", origin_tag(stamp));
    let mut extra = 3;
    while taken(conn, &candidate)? {
        extra += 1;
        let more = node.get(..extra.min(node.len())).unwrap_or("X");
        candidate = format!("{claim}-{more}");
        if extra > node.len() {
            return Err(DeskError::Conflict(format!(
                "no free reference for {claim}"
            )));
        }
    }
    Ok(candidate)
}

/// Gives a just-arrived incident (declared with `stamp`) its reference: its
/// claim if free; if another incident holds it, the earlier declaration
/// keeps it. Returns the reference, and the incident renamed to make room
/// (with its new reference), if any.
pub fn settle(
    conn: &Connection,
    incident_id: &str,
    claim: &str,
    stamp: &str,
) -> Result<(String, Option<(String, String)>)> {
    let holder: Option<String> = conn
        .prepare_cached("SELECT id FROM incidents WHERE reference = ?1 AND id <> ?2")?
        .query_row(params![claim, incident_id], |row| row.get(0))
        .optional()?;
    let Some(holder) = holder else {
        // A free claim (or one only an alias holds: the alias gives way).
        conn.prepare_cached("DELETE FROM incident_aliases WHERE alias = ?1")?
            .execute([claim])?;
        return Ok((claim.to_owned(), None));
    };
    let holder_stamp = declaration_stamp(conn, &holder)?;
    if stamp < holder_stamp.as_str() {
        let renamed = loser_reference(conn, claim, &holder_stamp)?;
        conn.prepare_cached("UPDATE incidents SET reference = ?2 WHERE id = ?1")?
            .execute(params![holder, renamed])?;
        Ok((claim.to_owned(), Some((holder, renamed))))
    } else {
        Ok((loser_reference(conn, claim, stamp)?, None))
    }
}

/// The reference of incident `id` now.
pub fn current(conn: &Connection, id: &str) -> Result<String> {
    Ok(records::resolve(conn, id)?.1)
}
