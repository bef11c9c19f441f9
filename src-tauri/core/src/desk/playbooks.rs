//! Playbooks as data: the checklist of each kind × level (shipped defaults,
//! edited in Settings or as a file), and the incident operations on them:
//! checklist marks, live tasks, hypotheses. Rules live in
//! `domain::playbook` and `domain::rules`; this module reads and records.

use super::Desk;
use super::records;
use crate::domain::*;
use crate::error::{DeskError, Result};
use crate::model::ChangeEvent;
use crate::time::Timestamp;
use rusqlite::{Connection, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

/// The file format of exported playbooks.
pub const PLAYBOOKS_FORMAT: &str = "incident-desk-playbooks";
pub const PLAYBOOKS_VERSION: u32 = 1;
const MAX_PLAYBOOK_FILE: u64 = 4 << 20;
/// Items per playbook: a checklist read at 3 a.m. stays short.
pub const MAX_PLAYBOOK_ITEMS: usize = 60;
/// The longest clock an item may carry (a year).
const MAX_DUE_HOURS: i64 = 24 * 366;

/// What an exported playbooks file holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaybooksFile {
    pub format: String,
    pub version: u32,
    pub playbooks: Vec<Playbook>,
}

type Defaults = &'static [(Stage, &'static str, Option<Role>, Option<i64>)];

use Role::{Commander, Communications, Expert, Operations, Scribe, Support};
use Stage::{Classify, Communicate, Diagnose, Identify, Remediate, Repair, Review};

const OUTAGE_L1: Defaults = &[
    (
        Identify,
        "Open the incident channel and a bridge; say who commands",
        Some(Commander),
        None,
    ),
    (
        Classify,
        "Confirm the level and the scope: services, users, regions",
        Some(Commander),
        None,
    ),
    (
        Classify,
        "Name a communications lead and a scribe",
        Some(Commander),
        None,
    ),
    (
        Communicate,
        "Post the first update on the status page",
        Some(Communications),
        None,
    ),
    (
        Communicate,
        "Brief support and account managers on what to tell customers",
        Some(Communications),
        None,
    ),
    (
        Remediate,
        "Check the deploys and changes before the impact; roll back first if one lines up",
        Some(Operations),
        None,
    ),
    (
        Remediate,
        "Confirm recovery on what users see, not only on the servers",
        Some(Operations),
        None,
    ),
    (
        Diagnose,
        "Keep the graphs, logs and the list of changes for the review",
        Some(Scribe),
        None,
    ),
    (
        Repair,
        "Open a follow-up for the permanent fix, with an owner",
        Some(Commander),
        None,
    ),
    (
        Review,
        "Hold the review before its deadline; invite everyone who took part",
        Some(Commander),
        None,
    ),
];

const OUTAGE_L2: Defaults = &[
    (
        Classify,
        "Confirm that one on-call engineer can handle it",
        Some(Commander),
        None,
    ),
    (
        Communicate,
        "Tell support what customers may see",
        Some(Support),
        None,
    ),
    (
        Remediate,
        "Check the deploys and changes before the impact; roll back first",
        Some(Operations),
        None,
    ),
    (
        Repair,
        "Open a follow-up for the permanent fix",
        Some(Commander),
        None,
    ),
    (
        Review,
        "Decide whether a written review is needed",
        Some(Commander),
        None,
    ),
];

const USER_ISSUE_L1: Defaults = &[
    (
        Identify,
        "Reproduce the report, or get the exact steps, account and time",
        Some(Support),
        None,
    ),
    (
        Identify,
        "Name the monitor or check that should have caught it",
        Some(Commander),
        None,
    ),
    (
        Classify,
        "Find how many users are affected beyond the one who reported",
        Some(Expert),
        None,
    ),
    (
        Communicate,
        "Answer the reporting user directly, then the others affected",
        Some(Support),
        None,
    ),
    (
        Remediate,
        "Check the deploys and changes before the impact; roll back first if one lines up",
        Some(Operations),
        None,
    ),
    (
        Repair,
        "Open a follow-up for the permanent fix and for the missing monitor",
        Some(Commander),
        None,
    ),
    (
        Review,
        "Hold the review before its deadline",
        Some(Commander),
        None,
    ),
];

const USER_ISSUE_L2: Defaults = &[
    (
        Identify,
        "Reproduce the report, or get the exact steps, account and time",
        Some(Support),
        None,
    ),
    (
        Identify,
        "Name the monitor or check that should have caught it",
        Some(Commander),
        None,
    ),
    (
        Communicate,
        "Answer the reporting user directly",
        Some(Support),
        None,
    ),
    (
        Repair,
        "Open a follow-up for the permanent fix",
        Some(Commander),
        None,
    ),
];

const SECURITY_L1: Defaults = &[
    (
        Identify,
        "Preserve evidence before remediating: logs, snapshots, access records",
        Some(Operations),
        None,
    ),
    (
        Classify,
        "Bring in the security lead",
        Some(Commander),
        None,
    ),
    (
        Classify,
        "If personal data may be involved, bring in legal or privacy",
        Some(Commander),
        None,
    ),
    (
        Communicate,
        "No speculation in public messages: say only what is confirmed",
        Some(Communications),
        None,
    ),
    (
        Communicate,
        "Notify the supervisory authority (GDPR: within 72 h of becoming aware of a personal-data breach), or record why it does not apply",
        Some(Commander),
        Some(72),
    ),
    (
        Remediate,
        "Contain: revoke the access used, isolate what was reached",
        Some(Operations),
        None,
    ),
    (
        Remediate,
        "Rotate exposed credentials, keys and tokens",
        Some(Operations),
        None,
    ),
    (
        Diagnose,
        "Establish what data was reached, by whom and since when",
        Some(Expert),
        None,
    ),
    (
        Repair,
        "Close the hole that let it happen; track it as a follow-up",
        Some(Commander),
        None,
    ),
    (
        Review,
        "Review with security and legal before anything is published",
        Some(Commander),
        None,
    ),
];

const SECURITY_L2: Defaults = &[
    (
        Identify,
        "Preserve evidence before remediating: logs, snapshots, access records",
        Some(Operations),
        None,
    ),
    (
        Classify,
        "Bring in the security lead",
        Some(Commander),
        None,
    ),
    (
        Communicate,
        "No speculation in public messages: say only what is confirmed",
        Some(Communications),
        None,
    ),
    (
        Communicate,
        "Notify the supervisory authority (GDPR: within 72 h of becoming aware of a personal-data breach), or record why it does not apply",
        Some(Commander),
        Some(72),
    ),
    (
        Remediate,
        "Rotate exposed credentials, keys and tokens",
        Some(Operations),
        None,
    ),
    (
        Repair,
        "Close the hole that let it happen; track it as a follow-up",
        Some(Commander),
        None,
    ),
];

/// The playbooks the product ships, for the default levels.
pub fn default_playbooks() -> Vec<Playbook> {
    let table: [(IncidentKind, &str, Defaults); 8] = [
        (IncidentKind::Outage, "L1", OUTAGE_L1),
        (IncidentKind::Outage, "L2", OUTAGE_L2),
        (IncidentKind::Degradation, "L1", OUTAGE_L1),
        (IncidentKind::Degradation, "L2", OUTAGE_L2),
        (IncidentKind::Security, "L1", SECURITY_L1),
        (IncidentKind::Security, "L2", SECURITY_L2),
        (IncidentKind::UserIssue, "L1", USER_ISSUE_L1),
        (IncidentKind::UserIssue, "L2", USER_ISSUE_L2),
    ];
    table
        .into_iter()
        .map(|(kind, level, items)| Playbook {
            kind,
            level: level.to_owned(),
            items: items
                .iter()
                .map(|(stage, text, owner_role, due_hours)| PlaybookItem {
                    key: item_key(text),
                    stage: *stage,
                    text: (*text).to_owned(),
                    owner_role: *owner_role,
                    due_hours: *due_hours,
                })
                .collect(),
        })
        .collect()
}

/// Migration 8: the shipped playbooks, for the default levels that exist.
pub(crate) fn seed_default_playbooks(conn: &Connection) -> Result<()> {
    for playbook in default_playbooks() {
        let exists = conn
            .prepare_cached("SELECT 1 FROM levels WHERE name = ?1")?
            .exists([&playbook.level])?;
        if exists {
            write_items(conn, &playbook)?;
        }
    }
    Ok(())
}

fn write_items(conn: &Connection, playbook: &Playbook) -> Result<()> {
    conn.prepare_cached("DELETE FROM playbook_items WHERE kind = ?1 AND level = ?2")?
        .execute(params![playbook.kind, playbook.level])?;
    for (position, item) in playbook.items.iter().enumerate() {
        conn.prepare_cached(
            "INSERT INTO playbook_items (kind, level, position, key, stage, text, owner_role, due_hours)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            playbook.kind,
            playbook.level,
            position as i64,
            item.key,
            item.stage,
            item.text,
            item.owner_role,
            item.due_hours,
        ])?;
    }
    Ok(())
}

/// An item from the columns `key, stage, text, owner_role, due_hours`,
/// starting at `first`.
fn item_from(row: &rusqlite::Row<'_>, first: usize) -> rusqlite::Result<PlaybookItem> {
    Ok(PlaybookItem {
        key: row.get(first)?,
        stage: row.get(first + 1)?,
        text: row.get(first + 2)?,
        owner_role: row.get(first + 3)?,
        due_hours: row.get(first + 4)?,
    })
}

/// Every playbook item, by kind and level (the board reads them once).
pub(crate) fn load_all_items(
    conn: &Connection,
) -> Result<HashMap<(IncidentKind, String), Vec<PlaybookItem>>> {
    let mut statement = conn.prepare_cached(
        "SELECT kind, level, key, stage, text, owner_role, due_hours FROM playbook_items
          ORDER BY kind, level, position",
    )?;
    let rows = statement.query_map([], |row| {
        Ok((
            (row.get::<_, IncidentKind>(0)?, row.get::<_, String>(1)?),
            item_from(row, 2)?,
        ))
    })?;
    let mut all: HashMap<(IncidentKind, String), Vec<PlaybookItem>> = HashMap::new();
    for row in rows {
        let (key, item) = row?;
        all.entry(key).or_default().push(item);
    }
    Ok(all)
}

/// The items of one kind × level, in their order.
pub(crate) fn load_items(
    conn: &Connection,
    kind: IncidentKind,
    level: &str,
) -> Result<Vec<PlaybookItem>> {
    let mut statement = conn.prepare_cached(
        "SELECT key, stage, text, owner_role, due_hours FROM playbook_items
          WHERE kind = ?1 AND level = ?2 ORDER BY position",
    )?;
    let items = statement
        .query_map(params![kind, level], |row| item_from(row, 0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(items)
}

/// Refuses a playbook the keyboard could not have made, saying what is wrong.
pub fn check_playbook(playbook: &Playbook) -> Result<()> {
    let name = format!("the {} {} playbook", playbook.kind, playbook.level);
    if playbook.items.len() > MAX_PLAYBOOK_ITEMS {
        return Err(DeskError::invalid(
            "items",
            format!(
                "{name} has {} items; at most {MAX_PLAYBOOK_ITEMS}",
                playbook.items.len()
            ),
        ));
    }
    let mut keys = std::collections::HashSet::new();
    for (i, item) in playbook.items.iter().enumerate() {
        let which = format!("{name}, item {}", i + 1);
        if !valid_item_key(&item.key) {
            return Err(DeskError::invalid(
                "key",
                format!(
                    "{which}: {:?} is not a key (lowercase letters, digits and -, at most 64)",
                    item.key
                ),
            ));
        }
        if !keys.insert(item.key.as_str()) {
            return Err(DeskError::invalid(
                "key",
                format!("{which}: the key {:?} is used twice", item.key),
            ));
        }
        required_text("text", &item.text, MAX_TEXT)
            .map_err(|e| DeskError::invalid("text", format!("{which}: {e}")))?;
        if let Some(hours) = item.due_hours
            && !(1..=MAX_DUE_HOURS).contains(&hours)
        {
            return Err(DeskError::invalid(
                "due_hours",
                format!("{which}: a clock runs between 1 and {MAX_DUE_HOURS} hours, not {hours}"),
            ));
        }
    }
    Ok(())
}

impl Desk {
    /// Every kind × level's playbook (empty ones included), levels by rank.
    pub fn playbooks(&self) -> Result<Vec<Playbook>> {
        let conn = self.conn();
        let mut all = load_all_items(&conn)?;
        let levels: Vec<String> = conn
            .prepare_cached("SELECT name FROM levels ORDER BY rank")?
            .query_map([], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut playbooks = Vec::new();
        for kind in IncidentKind::ALL {
            for level in &levels {
                playbooks.push(Playbook {
                    kind: *kind,
                    level: level.clone(),
                    items: all.remove(&(*kind, level.clone())).unwrap_or_default(),
                });
            }
        }
        Ok(playbooks)
    }

    /// Replaces one kind × level's checklist (items without a key get one
    /// from their text). Incidents already marked keep their marks.
    pub fn set_playbook(&self, playbook: &Playbook) -> Result<Playbook> {
        let playbook = with_keys(playbook.clone());
        check_playbook(&playbook)?;
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        ensure_level(&tx, &playbook.level)?;
        write_items(&tx, &playbook)?;
        tx.commit()?;
        drop(conn);
        self.publish(ChangeEvent::Directory);
        Ok(playbook)
    }

    /// Writes every playbook to `target` (whole, or not at all).
    pub fn export_playbooks(&self, target: &Path) -> Result<usize> {
        self.refuse_own_files(target)?;
        let file = PlaybooksFile {
            format: PLAYBOOKS_FORMAT.to_owned(),
            version: PLAYBOOKS_VERSION,
            playbooks: self
                .playbooks()?
                .into_iter()
                .filter(|p| !p.items.is_empty())
                .collect(),
        };
        let bytes = serde_json::to_vec_pretty(&file)
            .map_err(|e| DeskError::Corrupt(format!("cannot encode the playbooks: {e}")))?;
        crate::files::write_atomically(target, &bytes)?;
        Ok(file.playbooks.len())
    }

    /// Reads a playbooks file and replaces the kind × level checklists it
    /// holds; others stay. Any problem refuses the whole file.
    pub fn import_playbooks(&self, source: &Path) -> Result<Vec<Playbook>> {
        let text = crate::files::read_incoming_text(
            source,
            MAX_PLAYBOOK_FILE,
            &format!(
                "a playbooks file is at most {} MiB",
                MAX_PLAYBOOK_FILE >> 20
            ),
        )?;
        let file = parse_playbooks(&text)?;
        let playbooks: Vec<Playbook> = file.playbooks.into_iter().map(with_keys).collect();
        let mut seen = std::collections::HashSet::new();
        for playbook in &playbooks {
            check_playbook(playbook)?;
            if !seen.insert((playbook.kind, playbook.level.clone())) {
                return Err(DeskError::Import(format!(
                    "the file holds the {} {} playbook twice",
                    playbook.kind, playbook.level
                )));
            }
        }
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        for playbook in &playbooks {
            ensure_level(&tx, &playbook.level).map_err(|_| {
                DeskError::Import(format!(
                    "the file has a playbook for level {}, which this desk does not have (add the level first)",
                    playbook.level
                ))
            })?;
            write_items(&tx, playbook)?;
        }
        tx.commit()?;
        drop(conn);
        self.publish(ChangeEvent::Directory);
        Ok(playbooks)
    }

    /// Ticks (done), skips or reopens a checklist item of the incident's
    /// playbook, named by key or by its number in the checklist (1, 2, …).
    pub fn mark_check(
        &self,
        reference: &str,
        item: &str,
        state: CheckState,
        at: Option<Timestamp>,
    ) -> Result<TimelineEntry> {
        let (entry, _, ()) = self.mutate(reference, at, |tx, record, _| {
            let items = load_items(tx, record.kind, &record.level)?;
            let lines = checklist(record, &items);
            let line = find_line(&lines, item).ok_or_else(|| DeskError::NotFound {
                what: "checklist item",
                key: format!("{item} on {} (see idesk checklist)", record.reference),
            })?;
            Ok((
                Change::ChecklistMarked {
                    item: line.key.clone(),
                    text: line.text.clone(),
                    stage: line.stage,
                    state,
                },
                (),
            ))
        })?;
        Ok(entry)
    }

    /// Hands out a live task. `owner` is a person, or a role (`operations`,
    /// `ops lead`…): then whoever holds it now, named with the role.
    pub fn add_task(
        &self,
        reference: &str,
        title: &str,
        owner: Option<&str>,
        due_at: Option<Timestamp>,
        at: Option<Timestamp>,
    ) -> Result<Task> {
        let (_, record, id) = self.mutate(reference, at, |tx, record, at| {
            required_text("title", title, MAX_TITLE)?;
            let (owner, owner_role) = match owner.map(str::trim).filter(|o| !o.is_empty()) {
                None => (None, None),
                Some(named) => match role_named(named) {
                    Some(role) => (
                        record.holders(role).next().map(|a| a.person.clone()),
                        Some(role),
                    ),
                    None => {
                        required_text("owner", named, MAX_NAME)?;
                        (
                            Some(super::operations::canonical_person(tx, named, at)?),
                            None,
                        )
                    }
                },
            };
            if let Some(due) = due_at
                && due <= at
            {
                return Err(DeskError::invalid(
                    "due",
                    format!("the task would be due at {due}, which is not after now ({at})"),
                ));
            }
            let id = super::new_id(at);
            Ok((
                Change::TaskAdded {
                    id: id.clone(),
                    title: title.trim().to_owned(),
                    owner,
                    owner_role,
                    due_at,
                },
                id,
            ))
        })?;
        record
            .tasks
            .into_iter()
            .find(|task| task.id == id)
            .ok_or_else(|| DeskError::Corrupt(format!("task {id} vanished")))
    }

    /// Marks a task done, dropped or open again (by id prefix or number).
    pub fn set_task_state(
        &self,
        reference: &str,
        task: &str,
        state: TaskState,
        at: Option<Timestamp>,
    ) -> Result<TimelineEntry> {
        let (entry, _, ()) = self.mutate(reference, at, |_, record, _| {
            let id = resolve_task(record, task)?;
            Ok((Change::TaskChanged { id, state }, ()))
        })?;
        Ok(entry)
    }

    /// Carries a task on after the incident as a review action item.
    pub fn promote_task(
        &self,
        reference: &str,
        task: &str,
        at: Option<Timestamp>,
    ) -> Result<ActionItem> {
        let (_, record, action_item_id) = self.mutate(reference, at, |_, record, at| {
            let id = resolve_task(record, task)?;
            let action_item_id = super::new_id(at);
            Ok((
                Change::TaskPromoted {
                    id,
                    action_item_id: action_item_id.clone(),
                },
                action_item_id,
            ))
        })?;
        record
            .action_items
            .into_iter()
            .find(|item| item.id == action_item_id)
            .ok_or_else(|| DeskError::Corrupt("the promoted action item vanished".into()))
    }

    /// Rules out, confirms or reopens a hypothesis: the note tagged
    /// `hypothesis:`, named by its entry number or id.
    pub fn mark_hypothesis(
        &self,
        reference: &str,
        note: &str,
        state: HypothesisState,
        at: Option<Timestamp>,
    ) -> Result<TimelineEntry> {
        let (entry, _, ()) = self.mutate(reference, at, |tx, record, _| {
            let timeline = super::timeline::load(tx, &record.id, super::timeline::Order::Occurred)?;
            let found = timeline
                .iter()
                .find(|e| e.id == note || e.n.to_string() == note.trim_start_matches('#'))
                .ok_or_else(|| DeskError::NotFound {
                    what: "timeline entry",
                    key: format!("{note} on {}", record.reference),
                })?;
            if hypothesis_text(found).is_none() {
                return Err(DeskError::invalid(
                    "entry",
                    format!(
                        "entry {} is not a hypothesis (a note that starts with \"hypothesis:\")",
                        found.n
                    ),
                ));
            }
            Ok((
                Change::HypothesisMarked {
                    entry_id: found.id.clone(),
                    state,
                },
                (),
            ))
        })?;
        Ok(entry)
    }

    /// The incident's checklist, with each item's mark.
    pub fn checklist(&self, reference: &str) -> Result<Vec<ChecklistLine>> {
        let conn = self.conn();
        let (id, _) = records::resolve(&conn, reference)?;
        let record = records::load_record(&conn, &id)?;
        let items = load_items(&conn, record.kind, &record.level)?;
        Ok(checklist(&record, &items))
    }

    /// The incident's live tasks, in the order they were handed out.
    pub fn tasks(&self, reference: &str) -> Result<Vec<Task>> {
        let conn = self.conn();
        let (id, _) = records::resolve(&conn, reference)?;
        Ok(records::load_record(&conn, &id)?.tasks)
    }
}

fn with_keys(mut playbook: Playbook) -> Playbook {
    for item in &mut playbook.items {
        item.text = item.text.trim().to_owned();
        if item.key.trim().is_empty() {
            item.key = item_key(&item.text);
        }
    }
    playbook
}

fn parse_playbooks(text: &str) -> Result<PlaybooksFile> {
    let value = crate::files::incoming_json(text)?;
    if value.get("format").and_then(|f| f.as_str()) != Some(PLAYBOOKS_FORMAT) {
        return Err(DeskError::Import(format!(
            "this is not an Incident Desk playbooks file (expected \"format\": \"{PLAYBOOKS_FORMAT}\")"
        )));
    }
    let version = value.get("version").and_then(|v| v.as_u64()).unwrap_or(0);
    if version == 0 || version > u64::from(PLAYBOOKS_VERSION) {
        return Err(DeskError::Import(format!(
            "playbooks file version {version}: this build reads version {PLAYBOOKS_VERSION}"
        )));
    }
    serde_json::from_value(value)
        .map_err(|e| DeskError::Import(format!("the playbooks file is malformed: {e}")))
}

fn ensure_level(conn: &Connection, level: &str) -> Result<()> {
    let exists = conn
        .prepare_cached("SELECT 1 FROM levels WHERE name = ?1")?
        .exists([level])?;
    if exists {
        Ok(())
    } else {
        Err(DeskError::NotFound {
            what: "level",
            key: level.to_owned(),
        })
    }
}

fn find_line<'a>(lines: &'a [ChecklistLine], item: &str) -> Option<&'a ChecklistLine> {
    if let Ok(position) = item.trim().parse::<usize>() {
        return position.checked_sub(1).and_then(|i| lines.get(i));
    }
    lines.iter().find(|line| line.key == item.trim())
}

/// A role by its name or its title: `operations`, `operations lead`, `ops lead`.
pub fn role_named(text: &str) -> Option<Role> {
    let wanted = text.trim().to_ascii_lowercase();
    let wanted = wanted.strip_prefix("the ").unwrap_or(&wanted);
    if let Ok(role) = wanted.parse::<Role>() {
        return Some(role);
    }
    let aliases = [
        ("ops lead", Role::Operations),
        ("ops", Role::Operations),
        ("comms lead", Role::Communications),
        ("comms", Role::Communications),
        ("ic", Role::Commander),
        ("incident commander", Role::Commander),
        ("support contact", Role::Support),
    ];
    Role::ALL
        .iter()
        .copied()
        .find(|role| role.title() == wanted)
        .or_else(|| aliases.iter().find(|(a, _)| *a == wanted).map(|(_, r)| *r))
}

fn resolve_task(record: &IncidentRecord, key: &str) -> Result<String> {
    if let Ok(position) = key.trim().parse::<usize>()
        && let Some(task) = position.checked_sub(1).and_then(|i| record.tasks.get(i))
    {
        return Ok(task.id.clone());
    }
    let matches: Vec<&Task> = record
        .tasks
        .iter()
        .filter(|task| task.id.starts_with(key.trim()))
        .collect();
    match matches.as_slice() {
        [one] => Ok(one.id.clone()),
        _ => Err(DeskError::NotFound {
            what: "task",
            key: format!("{key} on {} (see idesk task list)", record.reference),
        }),
    }
}
