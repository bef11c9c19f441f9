//! Deadline policies, the deadlines of open incidents, and nudges: which
//! fired, which were shown, which are snoozed. Rules live in
//! `domain::deadlines`; this module reads and records.

use super::Desk;
use super::records;
use super::timeline::{self, NewEntry};
use crate::domain::*;
use crate::error::{DeskError, Result};
use crate::model::{BoardRow, BoardView, ChangeEvent};
use crate::time::Timestamp;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use ts_rs::TS;

/// An incident's deadlines, with what a notification needs to name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IncidentDeadlines {
    pub id: String,
    #[serde(rename = "ref")]
    #[ts(rename = "ref")]
    pub reference: String,
    pub title: String,
    pub level: String,
    pub level_rank: i64,
    pub deadlines: Vec<Deadline>,
}

impl IncidentDeadlines {
    /// A board row's deadlines (those not yet met), for a reader that has
    /// the board already.
    pub fn of_board_row(row: &BoardRow) -> IncidentDeadlines {
        IncidentDeadlines {
            id: row.id.clone(),
            reference: row.reference.clone(),
            title: row.title.clone(),
            level: row.level.clone(),
            level_rank: row.level_rank,
            deadlines: row.deadlines.clone(),
        }
    }
}

/// A nudge the app should show now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PendingNudge {
    pub incident_id: String,
    #[serde(rename = "ref")]
    #[ts(rename = "ref")]
    pub reference: String,
    pub title: String,
    pub level: String,
    pub level_rank: i64,
    pub deadline: Deadline,
    /// "INC-12 L1: first user update is 4 min overdue".
    pub summary: String,
}

const POLICY_COLUMNS: &str =
    "level, classify, first_update, update_every, remediate, review, stalled, approval";

fn read_policy(row: &rusqlite::Row<'_>) -> rusqlite::Result<Policy> {
    let span = |i: usize| -> rusqlite::Result<Option<Span>> {
        let text: Option<String> = row.get(i)?;
        Ok(text.and_then(|t| Span::parse(&t).ok()))
    };
    Ok(Policy {
        level: row.get(0)?,
        classify: span(1)?,
        first_update: span(2)?,
        update_every: span(3)?,
        remediate: span(4)?,
        review: span(5)?,
        stalled: span(6)?,
        approval: row.get(7)?,
    })
}

pub(crate) fn load_policies(conn: &Connection) -> Result<HashMap<String, Policy>> {
    let mut statement = conn.prepare_cached(&format!("SELECT {POLICY_COLUMNS} FROM policies"))?;
    let policies = statement
        .query_map([], read_policy)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(policies.into_iter().map(|p| (p.level.clone(), p)).collect())
}

/// Active snoozes of open incidents, by incident id.
pub(crate) fn load_snoozes(
    conn: &Connection,
    now: Timestamp,
) -> Result<HashMap<String, Vec<Snooze>>> {
    let mut statement = conn.prepare_cached(
        "SELECT incident_id, key, due_at, snoozed_until FROM nudges WHERE snoozed_until > ?1",
    )?;
    let mut map: HashMap<String, Vec<Snooze>> = HashMap::new();
    let rows = statement.query_map([now], |row| {
        Ok((
            row.get::<_, String>(0)?,
            Snooze {
                key: row.get(1)?,
                due_at: row.get(2)?,
                until: row.get(3)?,
            },
        ))
    })?;
    for row in rows {
        let (id, snooze) = row?;
        map.entry(id).or_default().push(snooze);
    }
    Ok(map)
}

/// The latest timeline entry other than nudges (what "activity" means).
pub(crate) fn last_activity(conn: &Connection, incident_id: &str) -> Result<Timestamp> {
    Ok(conn
        .prepare_cached(
            "SELECT recorded_at FROM timeline WHERE incident_id = ?1 AND kind <> 'nudge'
              ORDER BY n DESC LIMIT 1",
        )?
        .query_row([incident_id], |row| row.get(0))?)
}

impl Desk {
    pub fn policies(&self) -> Result<Vec<Policy>> {
        let conn = self.conn();
        let mut statement = conn.prepare_cached(&format!(
            "SELECT {POLICY_COLUMNS} FROM policies p JOIN levels l ON l.name = p.level ORDER BY l.rank"
        ))?;
        let policies = statement
            .query_map([], read_policy)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(policies)
    }

    /// The policy of `level` (no deadlines when none was ever set).
    pub fn policy(&self, level: &str) -> Result<Policy> {
        let conn = self.conn();
        ensure_level(&conn, level)?;
        Ok(conn
            .prepare_cached(&format!(
                "SELECT {POLICY_COLUMNS} FROM policies WHERE level = ?1"
            ))?
            .query_row([level], read_policy)
            .optional()?
            .unwrap_or_else(|| Policy::none(level)))
    }

    /// Sets one value of a level's policy (`None`: no deadline).
    pub fn set_policy(&self, level: &str, key: PolicyKey, span: Option<Span>) -> Result<Policy> {
        let mut policy = self.policy(level)?;
        policy.set(key, span);
        self.write_policy(&policy)
    }

    /// Whether drafts of `level` incidents need the commander's approval.
    pub fn set_approval(&self, level: &str, required: bool) -> Result<Policy> {
        let mut policy = self.policy(level)?;
        policy.approval = required;
        self.write_policy(&policy)
    }

    fn write_policy(&self, policy: &Policy) -> Result<Policy> {
        let text = |s: Option<Span>| s.map(|s| s.to_string());
        self.conn()
            .prepare_cached(
                "INSERT INTO policies (level, classify, first_update, update_every, remediate, review, stalled, approval)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (level) DO UPDATE SET classify = excluded.classify,
                     first_update = excluded.first_update, update_every = excluded.update_every,
                     remediate = excluded.remediate, review = excluded.review, stalled = excluded.stalled,
                     approval = excluded.approval",
            )?
            .execute(params![
                policy.level,
                text(policy.classify),
                text(policy.first_update),
                text(policy.update_every),
                text(policy.remediate),
                text(policy.review),
                text(policy.stalled),
                policy.approval,
            ])?;
        self.publish(ChangeEvent::Directory);
        Ok(policy.clone())
    }

    /// The deadlines of one incident at `now`.
    pub fn deadlines(&self, reference: &str) -> Result<IncidentDeadlines> {
        let now = self.clock.now();
        let conn = self.conn();
        let (id, _) = records::resolve(&conn, reference)?;
        let record = records::load_record(&conn, &id)?;
        deadlines_of(&conn, &record, now)
    }

    /// The deadlines of every open incident, most severe level first.
    pub fn open_deadlines(&self) -> Result<Vec<IncidentDeadlines>> {
        let now = self.clock.now();
        let conn = self.conn();
        let ids: Vec<String> = conn
            .prepare_cached(
                "SELECT i.id FROM incidents i JOIN levels l ON l.name = i.level
                  WHERE i.closed_at IS NULL ORDER BY l.rank, i.started_at, i.seq",
            )?
            .query_map([], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut all = Vec::with_capacity(ids.len());
        for id in ids {
            let record = records::load_record(&conn, &id)?;
            all.push(deadlines_of(&conn, &record, now)?);
        }
        Ok(all)
    }

    /// The deadlines not yet met of every open incident, most severe level
    /// first: [`Desk::open_deadlines`] without the met ones, computed by the
    /// board's one query instead of one read per incident. What the
    /// scheduler reads each round (met deadlines never nudge nor change).
    pub fn open_unmet_deadlines(&self) -> Result<Vec<IncidentDeadlines>> {
        Ok(self
            .board(BoardView::Open)?
            .iter()
            .map(IncidentDeadlines::of_board_row)
            .collect())
    }

    /// Nudges to show now: overdue or stalled deadlines (not snoozed) whose
    /// nudge was never shown. Each one fires once: the first time it is
    /// listed, it is recorded (with a timeline entry); it stays listed until
    /// [`Desk::mark_nudge_shown`], also across restarts.
    pub fn nudges_to_show(&self) -> Result<Vec<PendingNudge>> {
        let open = self.open_deadlines()?;
        self.nudges_to_show_in(&open)
    }

    /// [`Desk::nudges_to_show`] from deadlines just read with
    /// [`Desk::open_deadlines`] (the scheduler reads them once per round).
    pub fn nudges_to_show_in(&self, open: &[IncidentDeadlines]) -> Result<Vec<PendingNudge>> {
        let now = self.clock.now();
        let mut wanted = Vec::new();
        for incident in open {
            for deadline in incident.deadlines.iter().filter(|d| d.wants_nudge()) {
                wanted.push(PendingNudge {
                    incident_id: incident.id.clone(),
                    reference: incident.reference.clone(),
                    title: incident.title.clone(),
                    level: incident.level.clone(),
                    level_rank: incident.level_rank,
                    summary: nudge_summary(&incident.reference, &incident.level, deadline, now),
                    deadline: deadline.clone(),
                });
            }
        }
        // Most rounds find every nudge already recorded: one read tells,
        // and no write lock is taken. A nudge not yet recorded goes through
        // the transaction below, which decides again under the lock.
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let recorded = recorded_nudges(&self.conn())?;
        if wanted.iter().all(|n| recorded.contains_key(&nudge_key(n))) {
            return Ok(wanted
                .into_iter()
                .filter(|n| recorded.get(&nudge_key(n)) == Some(&false))
                .collect());
        }
        let mut pending = Vec::new();
        let mut fired = Vec::new();
        {
            let mut conn = self.conn();
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            for nudge in wanted {
                let row: Option<Option<Timestamp>> = tx
                    .prepare_cached(
                        "SELECT shown_at FROM nudges WHERE incident_id = ?1 AND key = ?2 AND due_at = ?3",
                    )?
                    .query_row(params![nudge.incident_id, nudge.deadline.key, nudge.deadline.due_at], |r| r.get(0))
                    .optional()?;
                match row {
                    Some(Some(_shown)) => continue,
                    Some(None) => {}
                    None => {
                        tx.prepare_cached(
                            "INSERT INTO nudges (incident_id, key, due_at, fired_at) VALUES (?1, ?2, ?3, ?4)",
                        )?
                        .execute(params![nudge.incident_id, nudge.deadline.key, nudge.deadline.due_at, now])?;
                        timeline::append(
                            &tx,
                            NewEntry {
                                incident_id: &nudge.incident_id,
                                occurred_at: now,
                                recorded_at: now,
                                author: "Incident Desk",
                                kind: EntryKind::Nudge,
                                text: &format!("Nudge: {}", nudge.summary),
                                change: None,
                                supersedes: None,
                            },
                        )?;
                        fired.push((nudge.incident_id.clone(), nudge.reference.clone()));
                    }
                }
                pending.push(nudge);
            }
            tx.commit()?;
        }
        for (id, reference) in fired {
            self.publish(ChangeEvent::Incident { id, reference });
        }
        Ok(pending)
    }

    /// Records that a nudge reached the commander (notification or window).
    pub fn mark_nudge_shown(&self, incident_id: &str, key: &str, due_at: Timestamp) -> Result<()> {
        self.mark_nudges_shown([(incident_id, key, due_at)])
    }

    /// [`Desk::mark_nudge_shown`] for many (a summary notification): one
    /// commit, so a burst of hundreds costs one sync, not hundreds.
    pub fn mark_nudges_shown<'a>(
        &self,
        nudges: impl IntoIterator<Item = (&'a str, &'a str, Timestamp)>,
    ) -> Result<()> {
        let now = self.clock.now();
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut update = tx.prepare_cached(
                "UPDATE nudges SET shown_at = ?4 WHERE incident_id = ?1 AND key = ?2 AND due_at = ?3",
            )?;
            for (incident_id, key, due_at) in nudges {
                update.execute(params![incident_id, key, due_at, now])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Snoozes an incident's deadline `key` for `seconds`; it nudges again
    /// when the snooze ends (if still overdue). Survives restarts.
    pub fn snooze(&self, reference: &str, key: &str, seconds: i64) -> Result<TimelineEntry> {
        if !(1..=7 * 86_400).contains(&seconds) {
            return Err(DeskError::invalid(
                "duration",
                "a snooze lasts between 1 second and 7 days",
            ));
        }
        let now = self.clock.now();
        let until = now.plus_millis(seconds * 1000);
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (id, reference) = records::resolve(&tx, reference)?;
        let record = records::load_record(&tx, &id)?;
        let incident = deadlines_of(&tx, &record, now)?;
        let deadline = incident
            .deadlines
            .iter()
            .find(|d| d.key == key)
            .ok_or_else(|| DeskError::NotFound {
                what: "deadline",
                key: format!("{key} on {} (see idesk deadlines)", reference.clone()),
            })?;
        if matches!(deadline.state, DeadlineState::Met | DeadlineState::Pending) {
            return Err(DeskError::Conflict(format!(
                "nothing to snooze: the {} is not due",
                deadline.label
            )));
        }
        tx.prepare_cached(
            "INSERT INTO nudges (incident_id, key, due_at, fired_at, shown_at, snoozed_until)
             VALUES (?1, ?2, ?3, ?4, NULL, ?5)
             ON CONFLICT (incident_id, key, due_at) DO UPDATE SET shown_at = NULL, snoozed_until = excluded.snoozed_until",
        )?
        .execute(params![id, key, deadline.due_at, now, until])?;
        let minutes = if seconds % 60 == 0 {
            format!("{} min", seconds / 60)
        } else {
            format!("{seconds} s")
        };
        let entry = timeline::append(
            &tx,
            NewEntry {
                incident_id: &id,
                occurred_at: now,
                recorded_at: now,
                author: &self.author,
                kind: EntryKind::Nudge,
                text: &format!("Snoozed the {} nudge for {minutes}", deadline.label),
                change: None,
                supersedes: None,
            },
        )?;
        tx.commit()?;
        drop(conn);
        self.publish(ChangeEvent::Incident {
            id,
            reference: reference.clone(),
        });
        Ok(entry)
    }

    /// The next moment any open incident's deadline changes state.
    pub fn next_deadline_change(&self) -> Result<Option<Timestamp>> {
        Ok(self.next_deadline_change_in(&self.open_deadlines()?))
    }

    /// [`Desk::next_deadline_change`] from deadlines just read.
    pub fn next_deadline_change_in(&self, open: &[IncidentDeadlines]) -> Option<Timestamp> {
        let now = self.clock.now();
        open.iter()
            .filter_map(|i| next_change(&i.deadlines, now))
            .min()
    }
}

type NudgeKey = (String, String, Timestamp);

fn nudge_key(nudge: &PendingNudge) -> NudgeKey {
    (
        nudge.incident_id.clone(),
        nudge.deadline.key.clone(),
        nudge.deadline.due_at,
    )
}

/// The nudges recorded for open incidents, and whether each was shown.
fn recorded_nudges(conn: &Connection) -> Result<HashMap<NudgeKey, bool>> {
    let mut statement = conn.prepare_cached(
        "SELECT n.incident_id, n.key, n.due_at, n.shown_at IS NOT NULL
           FROM nudges n JOIN incidents i ON i.id = n.incident_id
          WHERE i.closed_at IS NULL",
    )?;
    let rows = statement.query_map([], |row| {
        Ok(((row.get(0)?, row.get(1)?, row.get(2)?), row.get(3)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn ensure_level(conn: &Connection, level: &str) -> Result<()> {
    if conn
        .prepare_cached("SELECT 1 FROM levels WHERE name = ?1")?
        .exists([level])?
    {
        return Ok(());
    }
    let names: Vec<String> = conn
        .prepare_cached("SELECT name FROM levels ORDER BY rank")?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Err(DeskError::UnknownName {
        what: "level",
        given: level.to_owned(),
        valid: names.join(", "),
    })
}

pub(crate) fn deadlines_of(
    conn: &Connection,
    record: &IncidentRecord,
    now: Timestamp,
) -> Result<IncidentDeadlines> {
    let policies = load_policies(conn)?;
    let policy = policies
        .get(&record.level)
        .cloned()
        .unwrap_or_else(|| Policy::none(&record.level));
    let snoozes = load_snoozes(conn, now)?
        .remove(&record.id)
        .unwrap_or_default();
    let items = super::playbooks::load_items(conn, record.kind, &record.level)?;
    let facts = DeadlineFacts::from_record(record, &items, last_activity(conn, &record.id)?);
    let level_rank: i64 = conn
        .prepare_cached("SELECT rank FROM levels WHERE name = ?1")?
        .query_row([&record.level], |row| row.get(0))?;
    Ok(IncidentDeadlines {
        id: record.id.clone(),
        reference: record.reference.clone(),
        title: record.title.clone(),
        level: record.level.clone(),
        level_rank,
        deadlines: deadlines(&facts, &policy, &snoozes, now),
    })
}
