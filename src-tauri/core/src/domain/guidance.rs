//! Each stage's best practice, and the prompt the record calls for now
//! (DESIGN.md's process, in our words). Pure: the same entries give the
//! same guidance on every laptop.
//!
//! - Identify: users should not be the ones to report an incident; after a
//!   user report, which monitor should have caught it?
//! - Classify: the level in plain words (the level's own description).
//! - Communicate: once classified and scoped, talk to users; a scope that is
//!   a segment or region calls for a targeted message.
//! - Remediate: remediate before diagnosing; a deploy or change recorded
//!   shortly before the impact started is the first thing to roll back.
//! - Diagnose: the root cause may wait; once remediation worked, defer it
//!   to the next working morning.
//! - Repair: the permanent fix may ship after the incident: deferring is
//!   the expected path.
//! - Review: closing leads into the review, with its deadline in view.

use super::{Deadline, EntryKind, IncidentRecord, Role, Source, Stage, StageState, TimelineEntry};
use crate::time::Timestamp;
use chrono::{Datelike, Duration, TimeZone, Utc, Weekday};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A deploy or change this long before the impact started is a suspect.
pub const SUSPECT_CHANGE_WINDOW_MINUTES: i64 = 120;

/// One stage's best practice and, when the record calls for it, a prompt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StageGuidance {
    pub stage: Stage,
    pub practice: String,
    pub prompt: Option<Prompt>,
}

/// What the room suggests doing now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Prompt {
    /// A user reported it: which monitor or synthetic check should have?
    /// `follow_up` is the action item offered (absent once one exists).
    MissingMonitor { follow_up: Option<String> },
    /// The level chosen, in plain words, and the roles it expects that
    /// nobody holds yet.
    LevelMeaning {
        level: String,
        meaning: String,
        missing: Vec<Role>,
    },
    /// The scope is a segment or region: a message for them.
    TargetedMessage { segment: String },
    /// A deploy or change recorded shortly before the impact started.
    Rollback {
        entry_n: i64,
        text: String,
        minutes_before: i64,
    },
    /// Remediation worked: the root cause can wait until `until`.
    DeferDiagnosis { until: Timestamp },
    /// The permanent fix after the incident.
    DeferRepair,
    /// The review, and when it is due.
    Review { due_at: Option<Timestamp> },
}

/// The title of the monitoring follow-up offered after a user report.
pub fn monitor_follow_up(record: &IncidentRecord) -> String {
    format!(
        "Add a monitor or synthetic check that would have caught: {}",
        record.title
    )
}

/// How an attached alert that reports a deploy or change starts its entry.
pub const CHANGE_ALERT_PREFIX: &str = "Change from";

/// A note the scribe marked as a deploy or change (`deploy: …`, `change: …`),
/// or an attached alert that reports one.
pub fn marked_change(entry: &TimelineEntry) -> bool {
    if entry.kind == EntryKind::Alert {
        return entry.text.starts_with(CHANGE_ALERT_PREFIX);
    }
    if entry.kind != EntryKind::Note {
        return false;
    }
    let text = entry.text.trim_start().to_ascii_lowercase();
    [
        "deploy:",
        "deployed ",
        "change:",
        "rollout:",
        "config change",
    ]
    .iter()
    .any(|mark| text.starts_with(mark))
}

/// The next working morning (09:00 UTC, Monday to Friday) after `now`.
pub fn next_working_morning(now: Timestamp) -> Timestamp {
    let mut day = now.to_datetime().date_naive() + Duration::days(1);
    while matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
        day += Duration::days(1);
    }
    let morning = day.and_hms_opt(9, 0, 0).map(|t| Utc.from_utc_datetime(&t));
    morning.map(Timestamp::from_datetime).unwrap_or(now)
}

/// The guidance for every stage, in the product's order.
/// What a level says of itself and the roles it expects (level data).
pub struct LevelPlaybook<'a> {
    pub meaning: Option<&'a str>,
    pub expected_roles: &'a [Role],
}

/// Expected roles nobody holds now.
pub fn missing_roles(record: &IncidentRecord, expected: &[Role]) -> Vec<Role> {
    expected
        .iter()
        .copied()
        .filter(|&role| record.holders(role).next().is_none())
        .collect()
}

pub fn guidance(
    record: &IncidentRecord,
    timeline: &[TimelineEntry],
    level: &LevelPlaybook,
    deadlines: &[Deadline],
    now: Timestamp,
) -> Vec<StageGuidance> {
    Stage::ALL
        .iter()
        .map(|&stage| StageGuidance {
            stage,
            practice: practice(stage).to_string(),
            prompt: prompt(stage, record, timeline, level, deadlines, now),
        })
        .collect()
}

fn practice(stage: Stage) -> &'static str {
    match stage {
        Stage::Identify => "Monitoring should find incidents before users do.",
        Stage::Classify => {
            "Pick the level and the scope first: they decide who is involved and what users hear."
        }
        Stage::Communicate => {
            "Once classified and scoped, tell users — early, plainly, and again on schedule."
        }
        Stage::Remediate => {
            "Stop the impact first; understanding can come after. Undo recent changes before digging."
        }
        Stage::Diagnose => {
            "The root cause may wait until after the incident, or until working hours."
        }
        Stage::Repair => {
            "The permanent fix may ship after the incident is closed: defer it to an action item."
        }
        Stage::Review => {
            "Review while memories are fresh: what happened, what helped, what to change."
        }
    }
}

fn open(record: &IncidentRecord, stage: Stage) -> bool {
    !matches!(
        record.stages.get(stage).state,
        StageState::Done | StageState::Skipped | StageState::Deferred
    )
}

fn prompt(
    stage: Stage,
    record: &IncidentRecord,
    timeline: &[TimelineEntry],
    level: &LevelPlaybook,
    deadlines: &[Deadline],
    now: Timestamp,
) -> Option<Prompt> {
    match stage {
        Stage::Identify => (record.source == Source::UserReport).then(|| {
            let title = monitor_follow_up(record);
            let exists = record.action_items.iter().any(|item| item.title == title);
            Prompt::MissingMonitor {
                follow_up: (!exists).then_some(title),
            }
        }),
        Stage::Classify => level.meaning.map(|meaning| Prompt::LevelMeaning {
            level: record.level.clone(),
            meaning: meaning.to_string(),
            missing: missing_roles(record, level.expected_roles),
        }),
        Stage::Communicate => {
            let segment = record.scope.segment.trim();
            (!segment.is_empty() && open(record, Stage::Communicate)).then(|| {
                Prompt::TargetedMessage {
                    segment: segment.to_string(),
                }
            })
        }
        Stage::Remediate => {
            if !open(record, Stage::Remediate) {
                return None;
            }
            let started = record.started_at.millis();
            let window = SUSPECT_CHANGE_WINDOW_MINUTES * 60_000;
            timeline
                .iter()
                .filter(|e| marked_change(e))
                .filter(|e| {
                    let at = e.occurred_at.millis();
                    at <= started && started - at <= window
                })
                .max_by_key(|e| e.occurred_at)
                .map(|e| Prompt::Rollback {
                    entry_n: e.n,
                    text: e.text.clone(),
                    minutes_before: (started - e.occurred_at.millis()) / 60_000,
                })
        }
        Stage::Diagnose => {
            let worked =
                record.stages.remediate.state == StageState::Done || record.resolved_at.is_some();
            (worked && open(record, Stage::Diagnose)).then(|| Prompt::DeferDiagnosis {
                until: next_working_morning(now),
            })
        }
        Stage::Repair => (record.resolved_at.is_some() && open(record, Stage::Repair))
            .then_some(Prompt::DeferRepair),
        Stage::Review => {
            (record.resolved_at.is_some() || record.closed_at.is_some()).then(|| Prompt::Review {
                due_at: deadlines
                    .iter()
                    .find(|d| d.key == "review")
                    .map(|d| d.due_at),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Change, IncidentKind};
    use crate::error::Result;

    const T0: i64 = 1_796_100_000_000; // Tuesday 2026-12-01 (UTC)

    fn at(minutes: i64) -> Timestamp {
        Timestamp::from_millis(T0 + minutes * 60_000)
    }

    fn declared(source: Source) -> Result<IncidentRecord> {
        IncidentRecord::declared(
            "INC-1",
            &Change::Declared {
                id: "i1".into(),
                title: "Checkout errors".into(),
                summary: String::new(),
                kind: IncidentKind::Outage,
                level: "L1".into(),
                source,
                started_at: at(0),
                detected_at: at(5),
                services: Vec::new(),
                reference: None,
            },
            at(6),
            "Ada",
        )
    }

    fn note(n: i64, minutes: i64, text: &str) -> TimelineEntry {
        TimelineEntry {
            id: format!("e{n}"),
            hlc: String::new(),
            seen: None,
            n,
            occurred_at: at(minutes),
            recorded_at: at(minutes.max(6)),
            author: "Ada".into(),
            kind: EntryKind::Note,
            text: text.into(),
            change: None,
            supersedes: None,
            supersedes_id: None,
            superseded_by: None,
        }
    }

    fn prompt_of(
        stage: Stage,
        record: &IncidentRecord,
        timeline: &[TimelineEntry],
        now: Timestamp,
    ) -> Option<Prompt> {
        let level = LevelPlaybook {
            meaning: Some("Major: handled by pretty much everybody."),
            expected_roles: &[Role::Commander, Role::Scribe],
        };
        guidance(record, timeline, &level, &[], now)
            .into_iter()
            .find(|g| g.stage == stage)
            .and_then(|g| g.prompt)
    }

    #[test]
    fn a_user_report_asks_which_monitor_should_have_caught_it_until_the_follow_up_exists()
    -> Result<()> {
        let mut record = declared(Source::UserReport)?;
        let Some(Prompt::MissingMonitor {
            follow_up: Some(title),
        }) = prompt_of(Stage::Identify, &record, &[], at(10))
        else {
            panic!("a user report prompts for monitoring");
        };
        assert!(title.contains("Checkout errors"));
        record.apply(
            &Change::ActionItemAdded {
                id: "a1".into(),
                title: title.clone(),
                owner: None,
                due: None,
            },
            at(11),
            "Ada",
        )?;
        assert_eq!(
            prompt_of(Stage::Identify, &record, &[], at(12)),
            Some(Prompt::MissingMonitor { follow_up: None })
        );
        assert_eq!(
            prompt_of(Stage::Identify, &declared(Source::Monitoring)?, &[], at(10)),
            None
        );
        Ok(())
    }

    #[test]
    fn a_change_recorded_shortly_before_the_impact_is_the_first_rollback() -> Result<()> {
        let record = declared(Source::Monitoring)?;
        let timeline = vec![
            note(1, -300, "deploy: checkout 4.1"),
            note(2, -12, "Deploy: checkout 4.2 to all regions"),
            note(3, -5, "coffee"),
            note(4, 3, "deploy: checkout 4.3"),
        ];
        assert_eq!(
            prompt_of(Stage::Remediate, &record, &timeline, at(10)),
            Some(Prompt::Rollback {
                entry_n: 2,
                text: "Deploy: checkout 4.2 to all regions".into(),
                minutes_before: 12,
            })
        );
        let long_ago = vec![note(1, -300, "deploy: checkout 4.1")];
        assert_eq!(
            prompt_of(Stage::Remediate, &record, &long_ago, at(10)),
            None
        );
        Ok(())
    }

    #[test]
    fn once_remediation_worked_diagnosis_can_wait_for_the_next_working_morning() -> Result<()> {
        let mut record = declared(Source::Monitoring)?;
        assert_eq!(prompt_of(Stage::Diagnose, &record, &[], at(10)), None);
        record.apply(
            &Change::StageChanged {
                stage: Stage::Remediate,
                state: StageState::Done,
                reason: None,
                action_item_id: None,
            },
            at(20),
            "Ada",
        )?;
        let Some(Prompt::DeferDiagnosis { until }) =
            prompt_of(Stage::Diagnose, &record, &[], at(20))
        else {
            panic!("remediation done offers to defer diagnosis");
        };
        assert_eq!(
            until.to_datetime().to_rfc3339(),
            "2026-12-02T09:00:00+00:00"
        );
        // A Friday evening defers to Monday.
        let friday = Timestamp::parse("2026-12-04T22:00:00Z")?;
        assert_eq!(
            next_working_morning(friday).to_datetime().to_rfc3339(),
            "2026-12-07T09:00:00+00:00"
        );
        Ok(())
    }

    #[test]
    fn a_scoped_segment_calls_for_a_targeted_message_and_the_level_is_said_plainly() -> Result<()> {
        let mut record = declared(Source::Monitoring)?;
        assert_eq!(prompt_of(Stage::Communicate, &record, &[], at(10)), None);
        record.scope.segment = "EU customers on plan X".into();
        assert_eq!(
            prompt_of(Stage::Communicate, &record, &[], at(10)),
            Some(Prompt::TargetedMessage {
                segment: "EU customers on plan X".into()
            })
        );
        assert!(matches!(
            prompt_of(Stage::Classify, &record, &[], at(10)),
            Some(Prompt::LevelMeaning { level, missing, .. })
                if level == "L1" && missing == vec![Role::Commander, Role::Scribe]
        ));
        record.apply(
            &Change::RoleAssigned {
                role: Role::Commander,
                person: "Ada".into(),
            },
            at(11),
            "Ada",
        )?;
        assert!(matches!(
            prompt_of(Stage::Classify, &record, &[], at(12)),
            Some(Prompt::LevelMeaning { missing, .. }) if missing == vec![Role::Scribe]
        ));
        Ok(())
    }
}
