//! The fold: an incident's state from its entries in clock-stamp order,
//! however many laptops wrote them and in whatever order they arrived. The
//! same rules as the keyboard (`rules.rs`) apply each entry; what they
//! refuse is kept on the timeline and shown as a conflict, never dropped.
//!
//! Two changes of one subject conflict when neither writer had seen the
//! other's (the later one's `seen` stamp is older than the earlier one's
//! stamp). The later stamp wins and the incident shows a note until someone
//! who has seen both changes the subject again. An approval of a draft
//! edited elsewhere, unseen, does not count: the approver approved other
//! words. The rules are in docs/team.md, each with a test.

use super::record::*;
use crate::error::DeskError;
use std::collections::HashMap;

/// The `seen` of a change made here and now: its writer has seen every
/// entry (any stamp sorts before it).
pub const SEEN_EVERYTHING: &str = "\u{10ffff}";

/// What the fold remembers between entries: which entry last changed each
/// subject (its stamp).
#[derive(Debug, Default)]
pub struct Fold {
    last_change: HashMap<String, String>,
}

impl IncidentRecord {
    /// Removes the notes on `subjects` that a writer who had seen up to
    /// `seen` has settled by changing them again.
    pub fn settle_conflicts(&mut self, subjects: &[String], seen: &str) {
        self.conflicts
            .retain(|note| !(subjects.contains(&note.subject) && note.hlc.as_str() <= seen));
    }

    fn note(&mut self, subject: &str, entry: &TimelineEntry, message: String, applied: bool) {
        self.conflicts.push(ConflictNote {
            subject: subject.to_owned(),
            entry_id: entry.id.clone(),
            hlc: entry.hlc.clone(),
            message,
            applied,
        });
    }
}

impl Fold {
    /// Applies one entry (the next in stamp order) to `record`.
    pub fn apply(&mut self, record: &mut IncidentRecord, entry: &TimelineEntry) {
        let seen = entry.seen.as_deref().unwrap_or("");
        let Some(change) = &entry.change else {
            // Notes, corrections, nudges, alerts: no state, but their dates have limits.
            if let Err(error) = record.check_dated(entry.occurred_at, false) {
                record.note("timeline", entry, error.to_string(), false);
            }
            return;
        };
        let subjects = change.subjects();
        let unseen: Vec<&String> = subjects
            .iter()
            .filter(|subject| {
                self.last_change
                    .get(subject.as_str())
                    .is_some_and(|stamp| stamp.as_str() > seen)
            })
            .collect();
        if let Change::CommunicationApproved { id } = change
            && !unseen.is_empty()
        {
            let message = format!(
                "{} approved an earlier version of a draft that was edited on another laptop \
                 meanwhile: it needs approving again",
                entry.author
            );
            record.note(&format!("message:{id}"), entry, message, false);
            return;
        }
        // The state before is only needed to describe a concurrent change.
        let before = (!unseen.is_empty()).then(|| record.clone());
        match record.apply(change, entry.occurred_at, &entry.author) {
            Ok(_) => {
                record.settle_conflicts(&subjects, seen);
                if let Some(before) = before {
                    for subject in unseen {
                        if let Some(message) = concurrent(subject, &before, record, entry) {
                            record.note(subject, entry, message, true);
                        }
                    }
                }
                for subject in subjects {
                    self.last_change.insert(subject, entry.hlc.clone());
                }
            }
            // Two laptops did the same thing: nothing to show.
            Err(DeskError::Unchanged(_)) => {}
            Err(error) => {
                let subject = subjects.first().map_or("timeline", String::as_str);
                let message = format!(
                    "{}'s change could not be applied here: {error}",
                    entry.author
                );
                record.note(subject, entry, message, false);
            }
        }
    }
}

/// The note for a change that won over one its writer had not seen, when
/// they really differed.
fn concurrent(
    subject: &str,
    before: &IncidentRecord,
    after: &IncidentRecord,
    entry: &TimelineEntry,
) -> Option<String> {
    let who = &entry.author;
    if let Some(role) = subject.strip_prefix("role:") {
        let holder = |record: &IncidentRecord| {
            record
                .roles
                .iter()
                .filter(|a| a.role.as_str() == role && a.relieved_at.is_none())
                .map(|a| a.person.clone())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (was, now) = (holder(before), holder(after));
        return (was != now).then(|| {
            format!(
                "concurrent assignment: {role} was given to {} and to {} on two laptops at the \
                 same time; {} (the later) holds it until someone assigns it again",
                if was.is_empty() { "nobody" } else { &was },
                if now.is_empty() { "nobody" } else { &now },
                if now.is_empty() { "nobody" } else { &now }
            )
        });
    }
    if let Some(stage) = subject.strip_prefix("stage:") {
        let state = |record: &IncidentRecord| {
            super::Stage::ALL
                .iter()
                .find(|s| s.as_str() == stage)
                .map(|s| record.stages.get(*s).state)
        };
        let (was, now) = (state(before)?, state(after)?);
        return (was != now).then(|| {
            format!(
                "stage {stage} was set to {was} and to {now} on two laptops at the same time; \
                 {now} (the later, by {who}) stands"
            )
        });
    }
    if let Some(item) = subject.strip_prefix("check:") {
        let mark = |record: &IncidentRecord| {
            record
                .checks
                .iter()
                .find(|m| m.item == item)
                .map(|m| (m.state, m.text.clone()))
        };
        let (was, text) = mark(before).unwrap_or((super::CheckState::Open, String::new()));
        let (now, text) = mark(after).map_or((super::CheckState::Open, text), |(s, t)| (s, t));
        return (was != now).then(|| {
            format!(
                "checklist item \"{text}\" was marked {was} and {now} on two laptops at the same \
                 time; {now} (the later, by {who}) stands"
            )
        });
    }
    if let Some(id) = subject.strip_prefix("task:") {
        let task = |record: &IncidentRecord| {
            record
                .tasks
                .iter()
                .find(|t| t.id == id)
                .map(|t| (t.state, t.title.clone()))
        };
        let ((was, _), (now, title)) = (task(before)?, task(after)?);
        return (was != now).then(|| {
            format!(
                "task \"{title}\" was set to {was} and to {now} on two laptops at the same time; \
                 {now} (the later, by {who}) stands"
            )
        });
    }
    let value = |record: &IncidentRecord| -> Option<String> {
        Some(match subject {
            "title" => record.title.clone(),
            "summary" => record.summary.clone(),
            "kind" => record.kind.as_str().to_owned(),
            "level" => record.level.clone(),
            "services" => record.scope.services.join(", "),
            "segment" => record.scope.segment.clone(),
            "customer_facing" => record.scope.customer_facing.to_string(),
            "status" => record.status.as_str().to_owned(),
            _ => return None,
        })
    };
    let (was, now) = (value(before)?, value(after)?);
    (was != now).then(|| {
        format!(
            "the {} was changed on two laptops at the same time (\"{was}\" and \"{now}\"); \
             \"{now}\" (the later, by {who}) stands",
            subject.replace('_', " ")
        )
    })
}
