//! Playbooks: a checklist per incident kind × level (data, editable), its
//! items ticked on the timeline, live tasks, and hypotheses. Pure functions:
//! the desk reads the playbook items and hands them in.
//!
//! Ticks travel as timeline entries that carry the item's text and stage,
//! so a laptop whose playbook differs still shows what was ticked elsewhere.

use super::record::{EntryKind, IncidentRecord, TimelineEntry};
use super::vocabulary::*;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One item of a playbook (what the Settings editor and the file hold).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PlaybookItem {
    /// Stable name of the item (ticks refer to it): lowercase, digits, `-`.
    pub key: String,
    pub stage: Stage,
    pub text: String,
    /// Who does it by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub owner_role: Option<Role>,
    /// A clock: due this many hours after detection (e.g. 72 for the GDPR's
    /// breach notification); a real deadline, with its nudge, until settled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub due_hours: Option<i64>,
}

/// The checklist of one kind × level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Playbook {
    pub kind: IncidentKind,
    pub level: String,
    pub items: Vec<PlaybookItem>,
}

/// A checklist item's latest mark on an incident (folded from the timeline).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CheckMark {
    pub item: String,
    pub text: String,
    pub stage: Stage,
    pub state: CheckState,
    pub by: String,
    pub at: Timestamp,
}

/// A live task handed out during the incident (not a review action item,
/// though it can be promoted to one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Task {
    pub id: String,
    pub title: String,
    /// The person doing it.
    pub owner: Option<String>,
    /// The role it was given to, when given to a role's holder.
    pub owner_role: Option<Role>,
    pub due_at: Option<Timestamp>,
    pub state: TaskState,
    pub created_at: Timestamp,
    pub done_at: Option<Timestamp>,
    /// The action item it was promoted to.
    pub action_item_id: Option<String>,
}

/// A hypothesis's latest mark (the note itself is on the timeline).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct HypothesisMark {
    /// The note's entry id.
    pub entry_id: String,
    pub state: HypothesisState,
    pub by: String,
    pub at: Timestamp,
}

/// One line of an incident's checklist, as the room shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ChecklistLine {
    pub key: String,
    pub stage: Stage,
    pub text: String,
    pub owner_role: Option<Role>,
    pub due_at: Option<Timestamp>,
    pub state: CheckState,
    pub by: Option<String>,
    pub at: Option<Timestamp>,
}

/// A hypothesis with its state, for the room and the brief.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Hypothesis {
    pub entry_id: String,
    pub n: i64,
    pub text: String,
    pub author: String,
    pub state: HypothesisState,
}

/// How far a stage's (or an incident's) checklist is: settled of total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Progress {
    pub settled: i64,
    pub total: i64,
}

/// What the checklist and the tasks are computed from: the record's marks
/// (the board reads them from the incident's row, the room from the record).
#[derive(Debug, Clone, Copy)]
pub struct PlaybookMarks<'a> {
    pub checks: &'a [CheckMark],
    pub tasks: &'a [Task],
    pub detected_at: Timestamp,
}

impl<'a> PlaybookMarks<'a> {
    pub fn of(record: &'a IncidentRecord) -> PlaybookMarks<'a> {
        PlaybookMarks {
            checks: &record.checks,
            tasks: &record.tasks,
            detected_at: record.detected_at,
        }
    }

    /// The checklist: the playbook's items with their marks, then items
    /// marked elsewhere that this laptop's playbook lacks; by stage.
    pub fn lines(&self, items: &[PlaybookItem]) -> Vec<ChecklistLine> {
        let mark_of = |key: &str| self.checks.iter().find(|m| m.item == key);
        let mut lines: Vec<ChecklistLine> = items
            .iter()
            .map(|item| {
                let mark = mark_of(&item.key);
                ChecklistLine {
                    key: item.key.clone(),
                    stage: item.stage,
                    text: item.text.clone(),
                    owner_role: item.owner_role,
                    due_at: item.due_hours.map(|h| self.clock_due(h)),
                    state: mark.map_or(CheckState::Open, |m| m.state),
                    by: mark.map(|m| m.by.clone()),
                    at: mark.map(|m| m.at),
                }
            })
            .collect();
        for mark in self.checks {
            if !items.iter().any(|item| item.key == mark.item) {
                lines.push(ChecklistLine {
                    key: mark.item.clone(),
                    stage: mark.stage,
                    text: mark.text.clone(),
                    owner_role: None,
                    due_at: None,
                    state: mark.state,
                    by: Some(mark.by.clone()),
                    at: Some(mark.at),
                });
            }
        }
        lines.sort_by_key(|line| line.stage);
        lines
    }

    /// The same count as `progress(&self.lines(items))`, without building
    /// the lines (the board asks it of every row).
    pub fn progress(&self, items: &[PlaybookItem]) -> Progress {
        let settled_item = |key: &str| {
            self.checks
                .iter()
                .any(|m| m.item == key && m.state != CheckState::Open)
        };
        let mut progress = Progress {
            settled: items.iter().filter(|item| settled_item(&item.key)).count() as i64,
            total: items.len() as i64,
        };
        for mark in self.checks {
            if !items.iter().any(|item| item.key == mark.item) {
                progress.total += 1;
                if mark.state != CheckState::Open {
                    progress.settled += 1;
                }
            }
        }
        progress
    }

    /// The clocks of checklist items (`due_hours`) and the due times of tasks.
    pub fn commitments(&self, items: &[PlaybookItem]) -> Vec<Commitment> {
        let mut all = Vec::new();
        for item in items {
            let Some(hours) = item.due_hours else {
                continue;
            };
            let mark = self.checks.iter().find(|m| m.item == item.key);
            all.push(Commitment {
                key: format!("check:{}", item.key),
                label: clock_label(&item.text),
                start: self.detected_at,
                due_at: self.clock_due(hours),
                met_at: mark.filter(|m| m.state != CheckState::Open).map(|m| m.at),
            });
        }
        for task in self.tasks {
            let Some(due_at) = task.due_at else {
                continue;
            };
            all.push(Commitment {
                key: format!("task:{}", task.id),
                label: format!("task \"{}\"", short(&task.title, 60)),
                start: task.created_at,
                due_at,
                met_at: (!task.is_open()).then_some(task.done_at.unwrap_or(task.created_at)),
            });
        }
        all
    }

    fn clock_due(&self, hours: i64) -> Timestamp {
        self.detected_at
            .plus_millis(hours.saturating_mul(3_600_000))
    }
}

/// The incident's checklist (see [`PlaybookMarks::lines`]).
pub fn checklist(record: &IncidentRecord, items: &[PlaybookItem]) -> Vec<ChecklistLine> {
    PlaybookMarks::of(record).lines(items)
}

/// Settled of total, over the lines given.
pub fn progress<'a>(lines: impl IntoIterator<Item = &'a ChecklistLine>) -> Progress {
    let mut progress = Progress {
        settled: 0,
        total: 0,
    };
    for line in lines {
        progress.total += 1;
        if line.state != CheckState::Open {
            progress.settled += 1;
        }
    }
    progress
}

/// A deadline the playbook or a task adds to the policy's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commitment {
    pub key: String,
    pub label: String,
    pub start: Timestamp,
    pub due_at: Timestamp,
    pub met_at: Option<Timestamp>,
}

/// The clocks and task due times of an incident.
pub fn commitments(record: &IncidentRecord, items: &[PlaybookItem]) -> Vec<Commitment> {
    PlaybookMarks::of(record).commitments(items)
}

impl Task {
    /// Still to do here: open and not carried on as an action item.
    pub fn is_open(&self) -> bool {
        self.state == TaskState::Open && self.action_item_id.is_none()
    }
}

fn clock_label(text: &str) -> String {
    short(
        text.split(['(', ':', '—']).next().unwrap_or(text).trim(),
        60,
    )
}

fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max - 1).collect();
    format!("{}…", cut.trim_end())
}

/// Notes the scribe tagged as a hypothesis (`hypothesis: …`, `hyp: …`).
pub fn hypothesis_text(entry: &TimelineEntry) -> Option<&str> {
    if entry.kind != EntryKind::Note || entry.superseded_by.is_some() {
        return None;
    }
    let text = entry.text.trim_start();
    ["hypothesis:", "hyp:"].iter().find_map(|tag| {
        let head = text.get(..tag.len())?;
        head.eq_ignore_ascii_case(tag)
            .then(|| text[tag.len()..].trim())
    })
}

/// The hypotheses on the timeline, with what became of each.
pub fn hypotheses(record: &IncidentRecord, timeline: &[TimelineEntry]) -> Vec<Hypothesis> {
    timeline
        .iter()
        .filter_map(|entry| {
            let text = hypothesis_text(entry)?;
            let state = record
                .hypothesis_marks
                .iter()
                .find(|m| m.entry_id == entry.id)
                .map_or(HypothesisState::Open, |m| m.state);
            Some(Hypothesis {
                entry_id: entry.id.clone(),
                n: entry.n,
                text: text.to_owned(),
                author: entry.author.clone(),
                state,
            })
        })
        .collect()
}

/// A key for a new item from its text: `preserve-evidence-before-…`.
pub fn item_key(text: &str) -> String {
    let mut key = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            key.push(c.to_ascii_lowercase());
        } else if !key.ends_with('-') && !key.is_empty() {
            key.push('-');
        }
        if key.len() >= 40 {
            break;
        }
    }
    let key = key.trim_end_matches('-').to_owned();
    if key.is_empty() {
        "item".to_owned()
    } else {
        key
    }
}

/// Whether `key` is a well-formed item key.
pub fn valid_item_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 64
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_made_from_text_and_checked() {
        assert_eq!(
            item_key("Preserve evidence (logs, disk images) before remediating"),
            "preserve-evidence-logs-disk-images-befor"
        );
        assert_eq!(item_key("—"), "item");
        assert!(valid_item_key("rotate-credentials"));
        assert!(!valid_item_key("Rotate credentials"));
        assert!(!valid_item_key(""));
    }

    #[test]
    fn the_board_count_is_the_rooms_count() {
        let item = |key: &str| PlaybookItem {
            key: key.into(),
            stage: Stage::Identify,
            text: key.into(),
            owner_role: None,
            due_hours: None,
        };
        let mark = |key: &str, state| CheckMark {
            item: key.into(),
            text: key.into(),
            stage: Stage::Remediate,
            state,
            by: "Ada".into(),
            at: Timestamp::from_millis(0),
        };
        let items = [item("a"), item("b"), item("c")];
        let checks = [
            mark("a", CheckState::Done),
            mark("b", CheckState::Open),
            mark("elsewhere", CheckState::Skipped),
        ];
        let marks = PlaybookMarks {
            checks: &checks,
            tasks: &[],
            detected_at: Timestamp::from_millis(0),
        };
        let counted = marks.progress(&items);
        assert_eq!(counted, progress(&marks.lines(&items)));
        assert_eq!(
            counted,
            Progress {
                settled: 2,
                total: 4
            }
        );
    }

    #[test]
    fn clock_labels_are_short() {
        assert_eq!(
            clock_label("Notify the supervisory authority (GDPR: 72 h after awareness)"),
            "Notify the supervisory authority"
        );
    }
}
