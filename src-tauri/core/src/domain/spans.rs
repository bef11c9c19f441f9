//! The resolution timeline: when each stage was active and when it ended,
//! and the key moments, derived from the timeline (by when things happened,
//! so back-dated entries and out-of-order stages draw where they belong).

use super::record::{Change, IncidentRecord, TimelineEntry};
use super::vocabulary::{Stage, StageState};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One stretch of a stage: active from `start` until `end` (still going when
/// `end` is null), ending as `outcome`. A stage settled without ever being
/// active is a moment (`start == end`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StageSpan {
    pub stage: Stage,
    pub start: Timestamp,
    pub end: Option<Timestamp>,
    pub outcome: StageState,
}

/// A moment worth marking on the strip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct KeyMoment {
    /// `started`, `detected`, `declared`, `first_update`, `mitigated`, `resolved`, `closed`.
    pub key: String,
    pub label: String,
    pub at: Timestamp,
}

/// The stage spans of an incident, from its timeline.
pub fn stage_spans(record: &IncidentRecord, timeline: &[TimelineEntry]) -> Vec<StageSpan> {
    let mut changes: Vec<(Timestamp, i64, Stage, StageState)> = Vec::new();
    for entry in timeline {
        match &entry.change {
            Some(Change::Declared { detected_at, .. }) => {
                changes.push((*detected_at, 0, Stage::Identify, StageState::Active));
                changes.push((
                    entry.occurred_at,
                    entry.n,
                    Stage::Identify,
                    StageState::Done,
                ));
                changes.push((
                    entry.occurred_at,
                    entry.n,
                    Stage::Classify,
                    StageState::Active,
                ));
            }
            Some(Change::StageChanged { stage, state, .. }) => {
                changes.push((entry.occurred_at, entry.n, *stage, *state));
            }
            _ => {}
        }
    }
    // By when it happened; ties keep the order of recording.
    changes.sort_by_key(|(at, n, _, _)| (*at, *n));
    let mut open: Vec<(Stage, Timestamp)> = Vec::new();
    let mut spans = Vec::new();
    for (at, _, stage, state) in changes {
        let running = open.iter().position(|(s, _)| *s == stage);
        match (state, running) {
            (StageState::Active, None) => open.push((stage, at)),
            (StageState::Active, Some(_)) => {}
            (_, Some(index)) => {
                let (_, start) = open.remove(index);
                spans.push(StageSpan {
                    stage,
                    start,
                    end: Some(at),
                    outcome: state,
                });
            }
            (StageState::Pending, None) => {}
            (_, None) => spans.push(StageSpan {
                stage,
                start: at,
                end: Some(at),
                outcome: state,
            }),
        }
    }
    for (stage, start) in open {
        spans.push(StageSpan {
            stage,
            start,
            end: record.closed_at,
            outcome: StageState::Active,
        });
    }
    spans.sort_by_key(|s| (Stage::ALL.iter().position(|x| *x == s.stage), s.start));
    spans
}

/// The key moments, in order.
pub fn key_moments(record: &IncidentRecord) -> Vec<KeyMoment> {
    let mut moments: Vec<KeyMoment> = [
        ("started", "Impact started", Some(record.started_at)),
        ("detected", "Detected", Some(record.detected_at)),
        ("declared", "Declared", Some(record.declared_at)),
        (
            "first_update",
            "First update to users",
            record.first_public_update(),
        ),
        ("mitigated", "Mitigated", record.mitigated_at()),
        ("resolved", "Resolved", record.resolved_at),
        ("closed", "Closed", record.closed_at),
    ]
    .into_iter()
    .filter_map(|(key, label, at)| {
        at.map(|at| KeyMoment {
            key: key.to_owned(),
            label: label.to_owned(),
            at,
        })
    })
    .collect();
    moments.sort_by_key(|m| m.at);
    moments
}

/// What is still missing before the review can be handed around: open
/// action items without an owner or a due date, and unwritten key sections.
pub fn review_checklist(record: &IncidentRecord) -> Vec<String> {
    use super::vocabulary::ActionState;
    let mut missing = Vec::new();
    for item in record
        .action_items
        .iter()
        .filter(|a| a.state == ActionState::Open)
    {
        match (item.owner.is_none(), item.due.is_none()) {
            (true, true) => missing.push(format!(
                "Action item \u{201c}{}\u{201d} has no owner and no due date",
                item.title
            )),
            (true, false) => missing.push(format!(
                "Action item \u{201c}{}\u{201d} has no owner",
                item.title
            )),
            (false, true) => missing.push(format!(
                "Action item \u{201c}{}\u{201d} has no due date",
                item.title
            )),
            (false, false) => {}
        }
    }
    for (text, name) in [
        (&record.review.impact, "impact"),
        (&record.review.root_cause, "root cause"),
    ] {
        if text.trim().is_empty() {
            missing.push(format!("The {name} is not written yet"));
        }
    }
    missing
}
