//! Deadlines: pure functions of (incident, policy, snoozes, now). They say
//! what is due, overdue or stalled; the shell's scheduler only decides when
//! to look again and shows the nudges these functions ask for.

use super::policy::{Policy, Span};
use super::record::{IncidentRecord, Stages};
use super::vocabulary::{PublicStatus, Stage, StageState};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineState {
    /// Not due yet.
    Pending,
    /// Due soon (within a quarter of its span, at most five minutes).
    Due,
    /// Past due and not met.
    Overdue,
    /// An active stage with no timeline activity for too long.
    Stalled,
    /// Overdue or stalled, but snoozed.
    Snoozed,
    /// Done in time or late; either way nothing to nudge.
    Met,
}

/// One deadline of one incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Deadline {
    /// `classify`, `first_update`, `next_update`, `remediate`, `review`, or
    /// `stalled:<stage>`.
    pub key: String,
    /// What it is about, for people: "first user update".
    pub label: String,
    /// When the clock for this deadline started.
    pub counted_from: Timestamp,
    pub due_at: Timestamp,
    pub state: DeadlineState,
    pub met_at: Option<Timestamp>,
    pub snoozed_until: Option<Timestamp>,
}

impl Deadline {
    /// Whether this deadline asks for a nudge now.
    pub fn wants_nudge(&self) -> bool {
        matches!(self.state, DeadlineState::Overdue | DeadlineState::Stalled)
    }
}

/// What deadlines are computed from: a few facts of an incident (the board
/// reads them in its one query; the incident view derives them from the record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlineFacts {
    pub declared_at: Timestamp,
    pub detected_at: Timestamp,
    pub resolved_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    pub status: PublicStatus,
    pub stages: Stages,
    /// First and last message sent on a public channel.
    pub first_public_update: Option<Timestamp>,
    pub last_public_update: Option<Timestamp>,
    /// The latest timeline entry other than nudges.
    pub last_activity_at: Timestamp,
    /// Clocks of the playbook's checklist and due times of live tasks.
    pub commitments: Vec<super::playbook::Commitment>,
}

impl DeadlineFacts {
    pub fn from_record(
        record: &IncidentRecord,
        items: &[super::playbook::PlaybookItem],
        last_activity_at: Timestamp,
    ) -> DeadlineFacts {
        DeadlineFacts {
            declared_at: record.declared_at,
            detected_at: record.detected_at,
            resolved_at: record.resolved_at,
            closed_at: record.closed_at,
            status: record.status,
            stages: record.stages.clone(),
            first_public_update: record.first_public_update(),
            last_public_update: record.public_updates_sent().max(),
            last_activity_at,
            commitments: super::playbook::commitments(record, items),
        }
    }
}

/// A snooze of one deadline occurrence (its key and due time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snooze {
    pub key: String,
    pub due_at: Timestamp,
    pub until: Timestamp,
}

const MAX_WARNING_MS: i64 = 5 * 60 * 1000;

struct Spec {
    key: String,
    label: String,
    start: Timestamp,
    due_at: Timestamp,
    met_at: Option<Timestamp>,
    stall: bool,
}

fn spec(key: &str, label: &str, start: Timestamp, span: Span, met_at: Option<Timestamp>) -> Spec {
    Spec {
        key: key.to_owned(),
        label: label.to_owned(),
        start,
        due_at: span.after(start),
        met_at,
        stall: false,
    }
}

/// Every deadline of an incident at `now`.
pub fn deadlines(
    facts: &DeadlineFacts,
    policy: &Policy,
    snoozes: &[Snooze],
    now: Timestamp,
) -> Vec<Deadline> {
    let record = facts;
    if record.closed_at.is_some() {
        return Vec::new();
    }
    let last_activity_at = facts.last_activity_at;
    let settled_at = |stage: Stage| {
        let s = record.stages.get(stage);
        s.state.is_settled().then_some(s.completed_at).flatten()
    };

    let mut specs = Vec::new();
    if let Some(span) = policy.classify {
        specs.push(spec(
            "classify",
            "classification",
            record.declared_at,
            span,
            settled_at(Stage::Classify),
        ));
    }
    if let Some(span) = policy.first_update {
        specs.push(spec(
            "first_update",
            "first user update",
            record.detected_at,
            span,
            facts.first_public_update,
        ));
    }
    if let (Some(span), Some(last)) = (policy.update_every, facts.last_public_update.as_ref())
        && record.status != PublicStatus::Resolved
    {
        specs.push(spec("next_update", "next user update", *last, span, None));
    }
    if let Some(span) = policy.remediate {
        specs.push(spec(
            "remediate",
            "remediation",
            record.declared_at,
            span,
            settled_at(Stage::Remediate),
        ));
    }
    if let (Some(span), Some(resolved)) = (policy.review, record.resolved_at) {
        specs.push(spec(
            "review",
            "review",
            resolved,
            span,
            settled_at(Stage::Review),
        ));
    }
    if let Some(span) = policy.stalled {
        for (stage, stage_record) in record.stages.iter() {
            if stage_record.state != StageState::Active {
                continue;
            }
            let since = stage_record
                .changed_at
                .map_or(last_activity_at, |c| c.max(last_activity_at));
            let mut s = spec(
                &format!("stalled:{stage}"),
                &format!("activity on {stage}"),
                since,
                span,
                None,
            );
            s.stall = true;
            specs.push(s);
        }
    }

    for commitment in &facts.commitments {
        specs.push(Spec {
            key: commitment.key.clone(),
            label: commitment.label.clone(),
            start: commitment.start,
            due_at: commitment.due_at,
            met_at: commitment.met_at,
            stall: false,
        });
    }

    specs
        .into_iter()
        .map(|s| {
            let snoozed_until = snoozes
                .iter()
                .filter(|z| z.key == s.key && z.due_at == s.due_at && z.until > now)
                .map(|z| z.until)
                .max();
            let warning = ((s.due_at.millis() - s.start.millis()) / 4).clamp(0, MAX_WARNING_MS);
            let state = if s.met_at.is_some() {
                DeadlineState::Met
            } else if now < s.due_at.plus_millis(-warning) {
                DeadlineState::Pending
            } else if now < s.due_at {
                DeadlineState::Due
            } else if snoozed_until.is_some() {
                DeadlineState::Snoozed
            } else if s.stall {
                DeadlineState::Stalled
            } else {
                DeadlineState::Overdue
            };
            Deadline {
                key: s.key,
                label: s.label,
                counted_from: s.start,
                due_at: s.due_at,
                state,
                met_at: s.met_at,
                snoozed_until,
            }
        })
        .collect()
}

/// The deadline to show first: overdue or stalled ones before the rest,
/// then the earliest due; met ones never.
pub fn next_deadline(deadlines: &[Deadline]) -> Option<&Deadline> {
    deadlines
        .iter()
        .filter(|d| d.state != DeadlineState::Met)
        .min_by_key(|d| (!d.wants_nudge(), d.due_at))
}

/// The next moment any of these deadlines changes state (becomes due,
/// overdue, or its snooze ends), after `now`.
pub fn next_change(deadlines: &[Deadline], now: Timestamp) -> Option<Timestamp> {
    deadlines
        .iter()
        .filter(|d| d.state != DeadlineState::Met)
        .flat_map(|d| [Some(d.due_at), d.snoozed_until])
        .flatten()
        .filter(|t| *t > now)
        .min()
}

/// The notification summary: "INC-12 L1: first user update is 4 min overdue".
pub fn nudge_summary(reference: &str, level: &str, deadline: &Deadline, now: Timestamp) -> String {
    let late = now.seconds_since(deadline.due_at).max(0);
    let how_late = if late < 60 {
        "now overdue".to_owned()
    } else if late < 3600 {
        format!("{} min overdue", late / 60)
    } else {
        format!("{} h {} min overdue", late / 3600, (late % 3600) / 60)
    };
    if let Some(stage) = deadline.key.strip_prefix("stalled:") {
        let quiet = now.seconds_since(deadline.counted_from).max(0);
        let quiet = if quiet < 120 {
            format!("{quiet} s")
        } else {
            format!("{} min", quiet / 60)
        };
        return format!(
            "{reference} {level}: the {stage} stage is stalled, no activity for {quiet}"
        );
    }
    format!("{reference} {level}: {} is {how_late}", deadline.label)
}
