//! Reading an incident's state from its tables, and writing the difference
//! between two states back (inside the caller's transaction).

use crate::domain::*;
use crate::error::{DeskError, Result};
use crate::store::sql::stage_position;
use crate::time::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};

/// Finds an incident by its reference (`INC-12`, `INC-12-K7Q`, any case),
/// an earlier reference it was renamed from, or its id; returns (id,
/// reference).
pub fn resolve(conn: &Connection, reference: &str) -> Result<(String, String)> {
    let wanted = reference.trim();
    let upper = wanted.to_uppercase();
    let found: Option<(String, String)> = conn
        .prepare_cached(
            "SELECT id, reference FROM incidents WHERE reference = ?1 OR id = ?2
             UNION ALL
             SELECT i.id, i.reference FROM incident_aliases a JOIN incidents i ON i.id = a.incident_id
              WHERE a.alias = ?1
             LIMIT 1",
        )?
        .query_row(params![upper, wanted], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    found.ok_or_else(|| DeskError::NotFound {
        what: "incident",
        key: reference.to_owned(),
    })
}

/// The number of the next declared incident: one above the highest. Refused
/// (never wrapped or overflowed) past the last valid reference.
pub fn next_reference_number(conn: &Connection) -> Result<i64> {
    let highest: i64 = conn.query_row("SELECT coalesce(max(seq), 0) FROM incidents", [], |r| {
        r.get(0)
    })?;
    if highest >= super::gate::MAX_REFERENCE_NUMBER {
        return Err(DeskError::Conflict(format!(
            "no incident numbers are left after INC-{highest}"
        )));
    }
    Ok(highest + 1)
}

/// When the incident's impact started: the earliest anything on its
/// timeline may be dated.
pub fn impact_started(conn: &Connection, id: &str) -> Result<crate::time::Timestamp> {
    Ok(conn
        .prepare_cached("SELECT started_at FROM incidents WHERE id = ?1")?
        .query_row([id], |row| row.get(0))?)
}

pub fn load_record(conn: &Connection, id: &str) -> Result<IncidentRecord> {
    let mut record = conn
        .prepare_cached(
            "SELECT reference, title, summary, kind, level, status, source, services, segment,
                    customer_facing, started_at, detected_at, declared_at, resolved_at, closed_at,
                    conflicts, checks, tasks, hypotheses
               FROM incidents WHERE id = ?1",
        )?
        .query_row([id], |row| {
            let services: String = row.get(7)?;
            let conflicts: String = row.get(15)?;
            let checks: String = row.get(16)?;
            let tasks: String = row.get(17)?;
            let hypotheses: String = row.get(18)?;
            Ok(IncidentRecord {
                id: id.to_owned(),
                reference: row.get(0)?,
                title: row.get(1)?,
                summary: row.get(2)?,
                kind: row.get(3)?,
                level: row.get(4)?,
                status: row.get(5)?,
                source: row.get(6)?,
                scope: Scope {
                    services: serde_json::from_str(&services).unwrap_or_default(),
                    segment: row.get(8)?,
                    customer_facing: row.get(9)?,
                },
                started_at: row.get(10)?,
                detected_at: row.get(11)?,
                declared_at: row.get(12)?,
                resolved_at: row.get(13)?,
                closed_at: row.get(14)?,
                stages: Stages::all_pending(),
                roles: Vec::new(),
                communications: Vec::new(),
                review: Review::default(),
                action_items: Vec::new(),
                conflicts: serde_json::from_str(&conflicts).unwrap_or_default(),
                checks: serde_json::from_str(&checks).unwrap_or_default(),
                tasks: serde_json::from_str(&tasks).unwrap_or_default(),
                hypothesis_marks: serde_json::from_str(&hypotheses).unwrap_or_default(),
            })
        })
        .optional()?
        .ok_or_else(|| DeskError::NotFound {
            what: "incident",
            key: id.to_owned(),
        })?;

    let mut stages = conn.prepare_cached(
        "SELECT stage, state, started_at, completed_at, changed_at, owner, reason
           FROM stages WHERE incident_id = ?1 ORDER BY position",
    )?;
    let rows = stages.query_map([id], |row| {
        Ok((
            row.get::<_, Stage>(0)?,
            StageRecord {
                state: row.get(1)?,
                started_at: row.get(2)?,
                completed_at: row.get(3)?,
                changed_at: row.get(4)?,
                owner: row.get(5)?,
                reason: row.get(6)?,
            },
        ))
    })?;
    for row in rows {
        let (stage, stage_record) = row?;
        *record.stages.get_mut(stage) = stage_record;
    }

    let mut roles = conn.prepare_cached(
        "SELECT r.role, p.name, r.assumed_at, r.relieved_at
           FROM role_assignments r JOIN people p ON p.id = r.person_id
          WHERE r.incident_id = ?1 ORDER BY r.position",
    )?;
    record.roles = roles
        .query_map([id], |row| {
            Ok(RoleAssignment {
                role: row.get(0)?,
                person: row.get(1)?,
                assumed_at: row.get(2)?,
                relieved_at: row.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;

    let mut comms = conn.prepare_cached(
        "SELECT id, channel, segment, body, state, created_at, approved_by, approved_at, sent_at,
                subject, announces, published_to, queued_to, publish_error, sent_via, service_thread
           FROM communications WHERE incident_id = ?1 ORDER BY position",
    )?;
    record.communications = comms
        .query_map([id], |row| {
            Ok(Communication {
                id: row.get(0)?,
                channel: row.get(1)?,
                segment: row.get(2)?,
                body: row.get(3)?,
                state: row.get(4)?,
                created_at: row.get(5)?,
                approved_by: row.get(6)?,
                approved_at: row.get(7)?,
                sent_at: row.get(8)?,
                subject: row.get(9)?,
                announces: row.get(10)?,
                published_to: row.get(11)?,
                queued_to: row.get(12)?,
                publish_error: row.get(13)?,
                sent_via: row.get(14)?,
                service_thread: row.get(15)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;

    record.review = conn
        .prepare_cached(
            "SELECT summary, impact, root_cause, contributing_factors, went_well, went_badly, lucky
               FROM reviews WHERE incident_id = ?1",
        )?
        .query_row([id], |row| {
            Ok(Review {
                summary: row.get(0)?,
                impact: row.get(1)?,
                root_cause: row.get(2)?,
                contributing_factors: row.get(3)?,
                went_well: row.get(4)?,
                went_badly: row.get(5)?,
                lucky: row.get(6)?,
            })
        })
        .optional()?
        .unwrap_or_default();

    let mut items = conn.prepare_cached(
        "SELECT id, title, owner, due, state, from_stage, created_at
           FROM action_items WHERE incident_id = ?1 ORDER BY position",
    )?;
    record.action_items = items
        .query_map([id], |row| {
            let from_stage: Option<String> = row.get(5)?;
            Ok(ActionItem {
                id: row.get(0)?,
                title: row.get(1)?,
                owner: row.get(2)?,
                due: row.get(3)?,
                state: row.get(4)?,
                from_stage: from_stage.and_then(|s| s.parse().ok()),
                created_at: row.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(record)
}

/// The id of the person with this name (case-insensitive), added when new.
pub fn person_id(conn: &Connection, name: &str, at: Timestamp) -> Result<i64> {
    let key = name_key(name);
    if let Some(id) = conn
        .prepare_cached("SELECT id FROM people WHERE name_key = ?1")?
        .query_row([&key], |row| row.get(0))
        .optional()?
    {
        return Ok(id);
    }
    conn.prepare_cached("INSERT INTO people (name, name_key, created_at) VALUES (?1, ?2, ?3)")?
        .execute(params![name, key, at])?;
    Ok(conn.last_insert_rowid())
}

/// How names are compared: trimmed and case-folded.
pub fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// Inserts a brand-new incident's rows (declare and import).
pub fn insert_record(conn: &Connection, seq: i64, record: &IncidentRecord) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO incidents (id, seq, title, summary, kind, level, status, source, services,
                                segment, customer_facing, started_at, detected_at, declared_at,
                                resolved_at, closed_at, reference)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    )?
    .execute(params![
        record.id,
        seq,
        record.title,
        record.summary,
        record.kind,
        record.level,
        record.status,
        record.source,
        services_json(&record.scope.services),
        record.scope.segment,
        record.scope.customer_facing,
        record.started_at,
        record.detected_at,
        record.declared_at,
        record.resolved_at,
        record.closed_at,
        record.reference,
    ])?;
    insert_children(conn, record)
}

/// The rows of a fresh incident's stages and review, then the rest of its
/// state written over them.
fn insert_children(conn: &Connection, record: &IncidentRecord) -> Result<()> {
    conn.prepare_cached("INSERT INTO reviews (incident_id) VALUES (?1)")?
        .execute([&record.id])?;
    let empty = IncidentRecord {
        stages: Stages::all_pending(),
        roles: Vec::new(),
        communications: Vec::new(),
        review: Review::default(),
        action_items: Vec::new(),
        conflicts: Vec::new(),
        checks: Vec::new(),
        tasks: Vec::new(),
        hypothesis_marks: Vec::new(),
        ..record.clone()
    };
    for (stage, _) in empty.stages.iter() {
        conn.prepare_cached(
            "INSERT INTO stages (incident_id, position, stage, state) VALUES (?1, ?2, ?3, 'pending')",
        )?
        .execute(params![record.id, stage_position(stage), stage])?;
    }
    persist_changes(conn, &empty, record)
}

/// Writes `record` as the incident's whole state, whatever was stored: after
/// a refold (entries from elsewhere), lists may have been reordered or
/// shortened, which the incremental `persist_changes` does not handle.
pub fn replace_record(conn: &Connection, record: &IncidentRecord) -> Result<()> {
    for table in [
        "stages",
        "role_assignments",
        "communications",
        "action_items",
        "reviews",
    ] {
        conn.prepare_cached(&format!("DELETE FROM {table} WHERE incident_id = ?1"))?
            .execute([&record.id])?;
    }
    persist_core(conn, None, record)?;
    insert_children(conn, record)
}

fn services_json(services: &[String]) -> String {
    serde_json::to_string(services).unwrap_or_else(|_| "[]".to_owned())
}

/// Writes what differs between `old` and `new` (same incident).
pub fn persist_changes(
    conn: &Connection,
    old: &IncidentRecord,
    new: &IncidentRecord,
) -> Result<()> {
    persist_core(conn, Some(old), new)?;
    let id = &new.id;
    persist_lists(conn, id, old, new)
}

/// The incident's own row (everything but its lists), when it differs from
/// `old` — always without one.
fn persist_core(
    conn: &Connection,
    old: Option<&IncidentRecord>,
    new: &IncidentRecord,
) -> Result<()> {
    let changed = old.is_none_or(|old| {
        old.reference != new.reference
            || old.conflicts != new.conflicts
            || old.checks != new.checks
            || old.tasks != new.tasks
            || old.hypothesis_marks != new.hypothesis_marks
            || old.title != new.title
            || old.summary != new.summary
            || old.kind != new.kind
            || old.level != new.level
            || old.status != new.status
            || old.source != new.source
            || old.scope != new.scope
            || old.started_at != new.started_at
            || old.detected_at != new.detected_at
            || old.declared_at != new.declared_at
            || old.resolved_at != new.resolved_at
            || old.closed_at != new.closed_at
    });
    if !changed {
        return Ok(());
    }
    let json = |what: &str, value: Result<String, serde_json::Error>| {
        value.map_err(|e| DeskError::Corrupt(format!("cannot encode {what}: {e}")))
    };
    let conflicts = json("conflicts", serde_json::to_string(&new.conflicts))?;
    let checks = json("checklist marks", serde_json::to_string(&new.checks))?;
    let tasks = json("tasks", serde_json::to_string(&new.tasks))?;
    let hypotheses = json("hypotheses", serde_json::to_string(&new.hypothesis_marks))?;
    conn.prepare_cached(
        "UPDATE incidents SET title = ?2, summary = ?3, kind = ?4, level = ?5, status = ?6,
                source = ?7, services = ?8, segment = ?9, customer_facing = ?10,
                started_at = ?11, detected_at = ?12, declared_at = ?13, resolved_at = ?14,
                closed_at = ?15, reference = ?16, conflicts = ?17, checks = ?18, tasks = ?19,
                hypotheses = ?20
          WHERE id = ?1",
    )?
    .execute(params![
        new.id,
        new.title,
        new.summary,
        new.kind,
        new.level,
        new.status,
        new.source,
        services_json(&new.scope.services),
        new.scope.segment,
        new.scope.customer_facing,
        new.started_at,
        new.detected_at,
        new.declared_at,
        new.resolved_at,
        new.closed_at,
        new.reference,
        conflicts,
        checks,
        tasks,
        hypotheses,
    ])?;
    Ok(())
}

/// The stages, roles, messages, review and action items that differ.
fn persist_lists(
    conn: &Connection,
    id: &str,
    old: &IncidentRecord,
    new: &IncidentRecord,
) -> Result<()> {
    for (stage, record) in new.stages.iter() {
        if old.stages.get(stage) != record {
            conn.prepare_cached(
                "UPDATE stages SET state = ?3, started_at = ?4, completed_at = ?5, changed_at = ?6,
                        owner = ?7, reason = ?8
                  WHERE incident_id = ?1 AND position = ?2",
            )?
            .execute(params![
                id,
                stage_position(stage),
                record.state,
                record.started_at,
                record.completed_at,
                record.changed_at,
                record.owner,
                record.reason,
            ])?;
        }
    }

    // Assignments are only ever appended or relieved: compare by position.
    // Relieving comes first so the one-current-holder index never sees two.
    for (index, assignment) in new.roles.iter().enumerate() {
        if let Some(before) = old.roles.get(index)
            && before != assignment
        {
            conn.prepare_cached(
                "UPDATE role_assignments SET relieved_at = ?3 WHERE incident_id = ?1 AND position = ?2",
            )?
            .execute(params![id, index as i64 + 1, assignment.relieved_at])?;
        }
    }
    for (index, assignment) in new.roles.iter().enumerate().skip(old.roles.len()) {
        let person = person_id(conn, &assignment.person, assignment.assumed_at)?;
        conn.prepare_cached(
            "INSERT INTO role_assignments (incident_id, position, role, person_id, assumed_at, relieved_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            id,
            index as i64 + 1,
            assignment.role,
            person,
            assignment.assumed_at,
            assignment.relieved_at,
        ])?;
    }

    for (index, comm) in new.communications.iter().enumerate() {
        if old.communications.get(index) == Some(comm) {
            continue;
        }
        conn.prepare_cached(
            "INSERT INTO communications (id, incident_id, position, channel, segment, body, state,
                                         created_at, approved_by, approved_at, sent_at,
                                         subject, announces, published_to, queued_to, publish_error,
                                         sent_via, service_thread)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)
             ON CONFLICT (id) DO UPDATE SET channel = excluded.channel, segment = excluded.segment,
                 body = excluded.body, state = excluded.state, approved_by = excluded.approved_by,
                 approved_at = excluded.approved_at, sent_at = excluded.sent_at,
                 subject = excluded.subject, announces = excluded.announces,
                 published_to = excluded.published_to, queued_to = excluded.queued_to,
                 publish_error = excluded.publish_error, sent_via = excluded.sent_via,
                 service_thread = excluded.service_thread",
        )?
        .execute(params![
            comm.id,
            id,
            index as i64 + 1,
            comm.channel,
            comm.segment,
            comm.body,
            comm.state,
            comm.created_at,
            comm.approved_by,
            comm.approved_at,
            comm.sent_at,
            comm.subject,
            comm.announces,
            comm.published_to,
            comm.queued_to,
            comm.publish_error,
            comm.sent_via,
            comm.service_thread,
        ])?;
    }

    if old.review != new.review {
        let r = &new.review;
        conn.prepare_cached(
            "UPDATE reviews SET summary = ?2, impact = ?3, root_cause = ?4, contributing_factors = ?5,
                    went_well = ?6, went_badly = ?7, lucky = ?8
              WHERE incident_id = ?1",
        )?
        .execute(params![
            id,
            r.summary,
            r.impact,
            r.root_cause,
            r.contributing_factors,
            r.went_well,
            r.went_badly,
            r.lucky
        ])?;
    }

    for (index, item) in new.action_items.iter().enumerate() {
        if old.action_items.get(index) == Some(item) {
            continue;
        }
        conn.prepare_cached(
            "INSERT INTO action_items (id, incident_id, position, title, owner, due, state, from_stage, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (id) DO UPDATE SET title = excluded.title, owner = excluded.owner,
                 due = excluded.due, state = excluded.state",
        )?
        .execute(params![
            item.id,
            id,
            index as i64 + 1,
            item.title,
            item.owner,
            item.due,
            item.state,
            item.from_stage.map(|s| s.as_str()),
            item.created_at,
        ])?;
    }
    Ok(())
}
