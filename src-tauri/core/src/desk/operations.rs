//! The changes a commander makes to an incident. Each is one transaction
//! with its timeline entry (see `Desk::mutate`).

use super::records::{self, person_id};
use super::timeline::{self, NewEntry};
use super::{Classification, Declaration, Desk, new_id};
use crate::domain::*;
use crate::error::{DeskError, Result};
use crate::model::ChangeEvent;
use crate::time::Timestamp;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

impl Desk {
    /// Declares a new incident; returns its state (with its `INC-<n>` reference).
    pub fn declare(&self, input: Declaration) -> Result<IncidentRecord> {
        let now = self.clock.now();
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let record = self.declare_in(&tx, input, now)?;
        tx.commit()?;
        drop(conn);
        self.publish(ChangeEvent::Incident {
            id: record.id.clone(),
            reference: record.reference.clone(),
        });
        Ok(record)
    }

    /// Declares inside the caller's transaction (declaring from an alert
    /// attaches the alert in the same one).
    pub(super) fn declare_in(
        &self,
        tx: &Connection,
        input: Declaration,
        now: Timestamp,
    ) -> Result<IncidentRecord> {
        let at = self.check_at("at", input.at, now)?;
        let detected_at = self.check_at("detected_at", input.detected_at, now)?;
        let detected_at = if input.detected_at.is_some() {
            detected_at
        } else {
            at
        };
        let started_at = match input.started_at {
            Some(started) => self.check_at("started_at", Some(started), now)?,
            None => detected_at.min(at),
        };
        check_level(tx, &input.level)?;
        let seq = records::next_reference_number(tx)?;
        let reference = super::references::mint(tx, seq, &timeline::node_id(tx)?)?;
        let change = Change::Declared {
            id: new_id(at),
            title: input.title,
            summary: input.summary.unwrap_or_default(),
            kind: input.kind,
            level: input.level,
            source: input.source.unwrap_or(Source::Internal),
            started_at,
            detected_at,
            services: input.services.unwrap_or_default(),
            reference: Some(reference.clone()),
        };
        let record = IncidentRecord::declared(&reference, &change, at, &self.author)?;
        records::insert_record(tx, seq, &record)?;
        let text = format!(
            "Declared {} {}: {}",
            record.level, record.kind, record.title
        );
        timeline::append(
            tx,
            NewEntry {
                incident_id: &record.id,
                occurred_at: at,
                recorded_at: now,
                author: &self.author,
                kind: EntryKind::Declared,
                text: &text,
                change: Some(&change),
                supersedes: None,
            },
        )?;
        Ok(record)
    }

    /// Changes title and/or summary.
    pub fn edit(
        &self,
        reference: &str,
        title: Option<String>,
        summary: Option<String>,
        at: Option<Timestamp>,
    ) -> Result<TimelineEntry> {
        let (entry, _, ()) = self.mutate(reference, at, |_, _, _| {
            Ok((Change::Edited { title, summary }, ()))
        })?;
        Ok(entry)
    }

    /// Changes kind, level and/or scope.
    pub fn classify(
        &self,
        reference: &str,
        input: Classification,
        at: Option<Timestamp>,
    ) -> Result<TimelineEntry> {
        let (entry, _, ()) = self.mutate(reference, at, |tx, _, _| {
            if let Some(level) = &input.level {
                check_level(tx, level)?;
            }
            Ok((
                Change::Classified {
                    kind: input.kind,
                    level: input.level,
                    services: input.services,
                    segment: input.segment,
                    customer_facing: input.customer_facing,
                },
                (),
            ))
        })?;
        Ok(entry)
    }

    /// Moves a stage to `state`, in any order. Skipping needs a reason;
    /// deferring creates a follow-up action item (titled by `reason`).
    pub fn set_stage(
        &self,
        reference: &str,
        stage: Stage,
        state: StageState,
        reason: Option<String>,
        at: Option<Timestamp>,
    ) -> Result<TimelineEntry> {
        let (entry, _, ()) = self.mutate(reference, at, |_, _, at| {
            let action_item_id = (state == StageState::Deferred).then(|| new_id(at));
            Ok((
                Change::StageChanged {
                    stage,
                    state,
                    reason,
                    action_item_id,
                },
                (),
            ))
        })?;
        Ok(entry)
    }

    pub fn set_status(
        &self,
        reference: &str,
        status: PublicStatus,
        at: Option<Timestamp>,
    ) -> Result<TimelineEntry> {
        let (entry, _, ()) = self.mutate(reference, at, |_, _, _| {
            Ok((Change::StatusChanged { status }, ()))
        })?;
        Ok(entry)
    }

    /// Gives `role` to `person` (added to the directory when new). For a
    /// role held by one person at a time this hands it off.
    pub fn assign(
        &self,
        reference: &str,
        role: Role,
        person: &str,
        at: Option<Timestamp>,
    ) -> Result<TimelineEntry> {
        required_text("person", person, MAX_NAME)?;
        let (entry, _, ()) = self.mutate(reference, at, |tx, _, at| {
            let person = canonical_person(tx, person, at)?;
            Ok((Change::RoleAssigned { role, person }, ()))
        })?;
        Ok(entry)
    }

    /// Relieves `person` (or the only holder, when `None`) of `role`.
    pub fn relieve(
        &self,
        reference: &str,
        role: Role,
        person: Option<&str>,
        at: Option<Timestamp>,
    ) -> Result<TimelineEntry> {
        let (entry, _, ()) = self.mutate(reference, at, |tx, record, _| {
            let holders: Vec<&str> = record.holders(role).map(|a| a.person.as_str()).collect();
            let person = match (person, holders.as_slice()) {
                (_, []) => {
                    return Err(DeskError::Conflict(format!(
                        "nobody holds the {role} role on {}",
                        record.reference
                    )));
                }
                (Some(name), _) => existing_person(tx, name)?.unwrap_or_else(|| name.to_owned()),
                (None, [only]) => (*only).to_owned(),
                (None, several) => {
                    return Err(DeskError::invalid(
                        "person",
                        format!(
                            "several people hold {role} ({}): name one",
                            several.join(", ")
                        ),
                    ));
                }
            };
            Ok((Change::RoleRelieved { role, person }, ()))
        })?;
        Ok(entry)
    }

    /// Adds a note stamped `at` (default now). With `corrects`, the note is a
    /// correction that supersedes entry `corrects`; nothing is edited in place.
    pub fn add_note(
        &self,
        reference: &str,
        text: &str,
        at: Option<Timestamp>,
        corrects: Option<i64>,
    ) -> Result<TimelineEntry> {
        required_text("text", text, MAX_TEXT)?;
        let now = self.clock.now();
        let at = self.check_at("at", at, now)?;
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (id, reference) = records::resolve(&tx, reference)?;
        let started_at = records::impact_started(&tx, &id)?;
        check_entry_dated(&reference.clone(), started_at, None, at)?;
        if let Some(n) = corrects
            && !timeline::entry_exists(&tx, &id, n)?
        {
            return Err(DeskError::NotFound {
                what: "timeline entry",
                key: format!("{n} on {}", reference.clone()),
            });
        }
        let entry = timeline::append(
            &tx,
            NewEntry {
                incident_id: &id,
                occurred_at: at,
                recorded_at: now,
                author: &self.author,
                kind: if corrects.is_some() {
                    EntryKind::Correction
                } else {
                    EntryKind::Note
                },
                text,
                change: None,
                supersedes: corrects,
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

    pub fn update_review(
        &self,
        reference: &str,
        field: ReviewField,
        text: &str,
        at: Option<Timestamp>,
    ) -> Result<TimelineEntry> {
        let (entry, _, ()) = self.mutate(reference, at, |_, _, _| {
            Ok((
                Change::ReviewUpdated {
                    field,
                    text: text.to_owned(),
                },
                (),
            ))
        })?;
        Ok(entry)
    }

    pub fn add_action_item(
        &self,
        reference: &str,
        title: &str,
        owner: Option<&str>,
        due: Option<&str>,
        at: Option<Timestamp>,
    ) -> Result<ActionItem> {
        let (_, record, id) = self.mutate(reference, at, |tx, _, at| {
            let id = new_id(at);
            let owner = match owner {
                Some(name) => {
                    required_text("owner", name, MAX_NAME)?;
                    Some(canonical_person(tx, name, at)?)
                }
                None => None,
            };
            Ok((
                Change::ActionItemAdded {
                    id: id.clone(),
                    title: title.to_owned(),
                    owner,
                    due: due.map(str::to_owned),
                },
                id,
            ))
        })?;
        record
            .action_items
            .into_iter()
            .find(|item| item.id == id)
            .ok_or_else(|| DeskError::Corrupt(format!("action item {id} vanished")))
    }

    pub fn set_action_item_state(
        &self,
        reference: &str,
        id: &str,
        state: ActionState,
        at: Option<Timestamp>,
    ) -> Result<TimelineEntry> {
        let (entry, _, ()) = self.mutate(reference, at, |_, record, _| {
            let id = resolve_action_item(record, id)?;
            Ok((Change::ActionItemChanged { id, state }, ()))
        })?;
        Ok(entry)
    }

    /// Changes an action item's title, owner or due date (`None` keeps each).
    pub fn edit_action_item(
        &self,
        reference: &str,
        id: &str,
        title: Option<&str>,
        owner: Option<Option<&str>>,
        due: Option<Option<&str>>,
        at: Option<Timestamp>,
    ) -> Result<TimelineEntry> {
        let (entry, _, ()) = self.mutate(reference, at, |tx, record, at| {
            let id = resolve_action_item(record, id)?;
            let item = record
                .action_items
                .iter()
                .find(|a| a.id == id)
                .ok_or_else(|| DeskError::Corrupt("action item vanished".into()))?;
            let owner = match owner {
                Some(Some(name)) => {
                    required_text("owner", name, MAX_NAME)?;
                    Some(canonical_person(tx, name, at)?)
                }
                Some(None) => None,
                None => item.owner.clone(),
            };
            Ok((
                Change::ActionItemEdited {
                    id,
                    title: title.map_or_else(|| item.title.clone(), str::to_owned),
                    owner,
                    due: due.map_or_else(|| item.due.clone(), |d| d.map(str::to_owned)),
                },
                (),
            ))
        })?;
        Ok(entry)
    }

    /// Closes the incident; every stage must be done, skipped or deferred.
    pub fn close(&self, reference: &str, at: Option<Timestamp>) -> Result<TimelineEntry> {
        let (entry, _, ()) = self.mutate(reference, at, |_, _, _| Ok((Change::Closed, ())))?;
        Ok(entry)
    }
}

fn check_level(conn: &Connection, level: &str) -> Result<()> {
    let exists = conn
        .prepare_cached("SELECT 1 FROM levels WHERE name = ?1")?
        .exists([level])?;
    if exists {
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

/// The directory's spelling of `name` (matched case-insensitively).
fn existing_person(conn: &Connection, name: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT name FROM people WHERE name_key = ?1")?
        .query_row([records::name_key(name)], |row| row.get(0))
        .optional()?)
}

/// The directory's spelling of `name`, adding the person when new.
pub(super) fn canonical_person(conn: &Connection, name: &str, at: Timestamp) -> Result<String> {
    if let Some(existing) = existing_person(conn, name)? {
        return Ok(existing);
    }
    person_id(conn, name, at)?;
    Ok(name.to_owned())
}

/// Action items can be named by id, by a unique id prefix, or by position (1, 2, …).
fn resolve_action_item(record: &IncidentRecord, key: &str) -> Result<String> {
    if let Ok(position) = key.parse::<usize>()
        && let Some(item) = position
            .checked_sub(1)
            .and_then(|i| record.action_items.get(i))
    {
        return Ok(item.id.clone());
    }
    let matches: Vec<&ActionItem> = record
        .action_items
        .iter()
        .filter(|item| item.id.starts_with(key))
        .collect();
    match matches.as_slice() {
        [one] => Ok(one.id.clone()),
        _ => Err(DeskError::NotFound {
            what: "action item",
            key: format!("{key} on {}", record.reference),
        }),
    }
}
