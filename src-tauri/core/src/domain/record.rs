//! An incident's state (`IncidentRecord`) and the structured changes
//! (`Change`) that timeline entries carry. The state is exactly what folding
//! the changes over an empty incident gives (see `rules.rs`).

use super::playbook::{CheckMark, HypothesisMark, Task};
use super::vocabulary::*;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Who and what is affected.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Scope {
    /// Affected services, in the order given.
    pub services: Vec<String>,
    /// Affected users, segment or region (free text, e.g. "EU customers on plan X").
    pub segment: String,
    pub customer_facing: bool,
}

/// One stage's state and the times it changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StageRecord {
    pub state: StageState,
    /// When it first became active.
    pub started_at: Option<Timestamp>,
    /// When it became done, skipped or deferred (cleared if reopened).
    pub completed_at: Option<Timestamp>,
    /// When its state last changed.
    pub changed_at: Option<Timestamp>,
    /// Who made the last change.
    pub owner: Option<String>,
    /// Why it was skipped, or what it was deferred to.
    pub reason: Option<String>,
}

impl StageRecord {
    pub fn pending() -> StageRecord {
        StageRecord {
            state: StageState::Pending,
            started_at: None,
            completed_at: None,
            changed_at: None,
            owner: None,
            reason: None,
        }
    }
}

/// The seven stages, in their canonical order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Stages {
    pub identify: StageRecord,
    pub classify: StageRecord,
    pub communicate: StageRecord,
    pub remediate: StageRecord,
    pub diagnose: StageRecord,
    pub repair: StageRecord,
    pub review: StageRecord,
}

impl Stages {
    pub fn all_pending() -> Stages {
        Stages {
            identify: StageRecord::pending(),
            classify: StageRecord::pending(),
            communicate: StageRecord::pending(),
            remediate: StageRecord::pending(),
            diagnose: StageRecord::pending(),
            repair: StageRecord::pending(),
            review: StageRecord::pending(),
        }
    }

    pub fn get(&self, stage: Stage) -> &StageRecord {
        match stage {
            Stage::Identify => &self.identify,
            Stage::Classify => &self.classify,
            Stage::Communicate => &self.communicate,
            Stage::Remediate => &self.remediate,
            Stage::Diagnose => &self.diagnose,
            Stage::Repair => &self.repair,
            Stage::Review => &self.review,
        }
    }

    pub fn get_mut(&mut self, stage: Stage) -> &mut StageRecord {
        match stage {
            Stage::Identify => &mut self.identify,
            Stage::Classify => &mut self.classify,
            Stage::Communicate => &mut self.communicate,
            Stage::Remediate => &mut self.remediate,
            Stage::Diagnose => &mut self.diagnose,
            Stage::Repair => &mut self.repair,
            Stage::Review => &mut self.review,
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (Stage, &StageRecord)> {
        Stage::ALL
            .iter()
            .map(move |stage| (*stage, self.get(*stage)))
    }

    /// Stages that are neither done, skipped nor deferred.
    pub fn unsettled(&self) -> Vec<Stage> {
        self.iter()
            .filter(|(_, record)| !record.state.is_settled())
            .map(|(stage, _)| stage)
            .collect()
    }
}

/// Who held a role, from when to when (`relieved_at` is null while held).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RoleAssignment {
    pub role: Role,
    pub person: String,
    pub assumed_at: Timestamp,
    pub relieved_at: Option<Timestamp>,
}

/// A message to an audience through a channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Communication {
    pub id: String,
    pub channel: Channel,
    /// Targeted subset of users, if any (e.g. "EU customers on plan X").
    pub segment: String,
    /// Email subject.
    pub subject: Option<String>,
    pub body: String,
    /// The public status this message announces (set when it is sent).
    pub announces: Option<PublicStatus>,
    pub state: CommunicationState,
    pub created_at: Timestamp,
    pub approved_by: Option<String>,
    pub approved_at: Option<Timestamp>,
    pub sent_at: Option<Timestamp>,
    /// Where it was published (a webhook, shown masked), when it was.
    pub published_to: Option<String>,
    /// The service it waits in the outbox for (until confirmed, failed or
    /// cancelled).
    #[serde(default)]
    pub queued_to: Option<PublishTarget>,
    /// Why publishing stopped, when a retry would not help.
    #[serde(default)]
    pub publish_error: Option<String>,
    /// The service that confirmed it, when it went through the outbox.
    #[serde(default)]
    pub sent_via: Option<PublishTarget>,
    /// The incident's thread or page at that service (the Statuspage
    /// incident, the Slack thread): the next message goes there. On the
    /// record, so every laptop of the team posts to the same one.
    #[serde(default)]
    pub service_thread: Option<String>,
}

/// The written review.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Review {
    pub summary: String,
    pub impact: String,
    pub root_cause: String,
    pub contributing_factors: String,
    pub went_well: String,
    pub went_badly: String,
    pub lucky: String,
}

impl Review {
    pub fn get(&self, field: ReviewField) -> &str {
        match field {
            ReviewField::Summary => &self.summary,
            ReviewField::Impact => &self.impact,
            ReviewField::RootCause => &self.root_cause,
            ReviewField::ContributingFactors => &self.contributing_factors,
            ReviewField::WentWell => &self.went_well,
            ReviewField::WentBadly => &self.went_badly,
            ReviewField::Lucky => &self.lucky,
        }
    }

    pub fn get_mut(&mut self, field: ReviewField) -> &mut String {
        match field {
            ReviewField::Summary => &mut self.summary,
            ReviewField::Impact => &mut self.impact,
            ReviewField::RootCause => &mut self.root_cause,
            ReviewField::ContributingFactors => &mut self.contributing_factors,
            ReviewField::WentWell => &mut self.went_well,
            ReviewField::WentBadly => &mut self.went_badly,
            ReviewField::Lucky => &mut self.lucky,
        }
    }
}

/// A follow-up task from the incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ActionItem {
    pub id: String,
    pub title: String,
    pub owner: Option<String>,
    /// A calendar date, `YYYY-MM-DD`.
    pub due: Option<String>,
    pub state: ActionState,
    /// The stage that was deferred to this item, if any.
    pub from_stage: Option<Stage>,
    pub created_at: Timestamp,
}

/// The whole state of one incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IncidentRecord {
    pub id: String,
    /// Human reference, `INC-<n>`.
    #[serde(rename = "ref")]
    #[ts(rename = "ref")]
    pub reference: String,
    pub title: String,
    pub summary: String,
    pub kind: IncidentKind,
    pub level: String,
    pub status: PublicStatus,
    pub source: Source,
    pub scope: Scope,
    /// Impact start (may be back-dated).
    pub started_at: Timestamp,
    pub detected_at: Timestamp,
    pub declared_at: Timestamp,
    /// When the public status last became `resolved` (null while not resolved).
    pub resolved_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    pub stages: Stages,
    pub roles: Vec<RoleAssignment>,
    pub communications: Vec<Communication>,
    pub review: Review,
    pub action_items: Vec<ActionItem>,
    /// What two laptops disagreed on, or what the fold could not apply here:
    /// shown until someone who has seen it settles the subject.
    #[serde(default)]
    pub conflicts: Vec<ConflictNote>,
    /// The playbook checklist items marked so far (see `domain/playbook.rs`).
    #[serde(default)]
    pub checks: Vec<CheckMark>,
    /// Live tasks handed out during the incident.
    #[serde(default)]
    pub tasks: Vec<Task>,
    /// What became of the hypotheses noted (open ones have no mark).
    #[serde(default)]
    pub hypothesis_marks: Vec<HypothesisMark>,
}

/// A visible conflict (see `domain/fold.rs` and docs/team.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConflictNote {
    /// What it is about: `role:commander`, `stage:diagnose`, `title`, `message:<id>`…
    pub subject: String,
    /// The entry that could not be applied, or the later of two concurrent ones.
    pub entry_id: String,
    /// That entry's clock stamp: a later change of the subject by someone
    /// who had seen it settles the note.
    pub hlc: String,
    pub message: String,
    /// True when the entry was applied (it won a concurrent change), false
    /// when it is on the timeline but could not be applied.
    pub applied: bool,
}

impl IncidentRecord {
    /// People holding `role` now.
    pub fn holders(&self, role: Role) -> impl Iterator<Item = &RoleAssignment> {
        self.roles
            .iter()
            .filter(move |a| a.role == role && a.relieved_at.is_none())
    }

    pub fn commander(&self) -> Option<&str> {
        self.holders(Role::Commander)
            .next()
            .map(|a| a.person.as_str())
    }

    pub fn is_closed(&self) -> bool {
        self.closed_at.is_some()
    }

    /// When each message on a public channel was sent. One definition, so
    /// the deadlines, the metrics and the chart's markers always agree.
    pub fn public_updates_sent(&self) -> impl Iterator<Item = Timestamp> + '_ {
        self.communications
            .iter()
            .filter(|c| c.channel.is_public() && c.state == CommunicationState::Sent)
            .filter_map(|c| c.sent_at)
    }

    /// The first update users saw.
    pub fn first_public_update(&self) -> Option<Timestamp> {
        self.public_updates_sent().min()
    }

    /// When the impact was mitigated: the remediate stage was done.
    pub fn mitigated_at(&self) -> Option<Timestamp> {
        let remediate = &self.stages.remediate;
        (remediate.state == StageState::Done)
            .then_some(remediate.completed_at)
            .flatten()
    }
}

/// The structured change a timeline entry carries: enough to rebuild the
/// incident's state from its timeline alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Change {
    Declared {
        id: String,
        title: String,
        summary: String,
        kind: IncidentKind,
        level: String,
        source: Source,
        started_at: Timestamp,
        detected_at: Timestamp,
        /// Affected services known at the declaration (from an alert).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        #[ts(optional, as = "Option<Vec<String>>")]
        services: Vec<String>,
        /// The reference its writer gave it (`INC-12`, or `INC-12-K7Q` in a
        /// team); a clash with another laptop's is settled the same way
        /// everywhere (see `desk/references.rs`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        reference: Option<String>,
    },
    Edited {
        title: Option<String>,
        summary: Option<String>,
    },
    Classified {
        kind: Option<IncidentKind>,
        level: Option<String>,
        services: Option<Vec<String>>,
        segment: Option<String>,
        customer_facing: Option<bool>,
    },
    StageChanged {
        stage: Stage,
        state: StageState,
        reason: Option<String>,
        /// The follow-up created when the stage is deferred.
        action_item_id: Option<String>,
    },
    StatusChanged {
        status: PublicStatus,
    },
    RoleAssigned {
        role: Role,
        person: String,
    },
    RoleRelieved {
        role: Role,
        person: String,
    },
    CommunicationDrafted {
        id: String,
        channel: Channel,
        segment: String,
        body: String,
        #[serde(default)]
        subject: Option<String>,
        #[serde(default)]
        announces: Option<PublicStatus>,
    },
    /// A draft's text changed (an approved draft goes back to draft).
    CommunicationEdited {
        id: String,
        body: String,
        subject: Option<String>,
    },
    CommunicationApproved {
        id: String,
    },
    CommunicationSent {
        id: String,
        /// The webhook it went out through, masked; none when marked sent by hand.
        #[serde(default)]
        published_to: Option<String>,
        /// The service that confirmed it (through the outbox). Left out
        /// when absent, so entries read as they did before the outbox.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        via: Option<PublishTarget>,
        /// The incident's thread or page at that service.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        thread: Option<String>,
    },
    /// A message that was sent outside the app, recorded after the fact.
    CommunicationRecorded {
        id: String,
        channel: Channel,
        segment: String,
        body: String,
        #[serde(default)]
        subject: Option<String>,
    },
    CommunicationDiscarded {
        id: String,
    },
    /// "Publish": the message waits in the outbox until the service confirms.
    PublishQueued {
        id: String,
        target: PublishTarget,
    },
    PublishCancelled {
        id: String,
    },
    /// The service refused it for a reason a retry will not fix.
    PublishFailed {
        id: String,
        reason: String,
    },
    ReviewUpdated {
        field: ReviewField,
        text: String,
    },
    ActionItemAdded {
        id: String,
        title: String,
        owner: Option<String>,
        due: Option<String>,
    },
    ActionItemChanged {
        id: String,
        state: ActionState,
    },
    /// New title, owner or due date for an action item.
    ActionItemEdited {
        id: String,
        title: String,
        owner: Option<String>,
        due: Option<String>,
    },
    /// A playbook checklist item ticked, skipped or reopened. It carries the
    /// item's text and stage: a laptop with another playbook still shows it.
    ChecklistMarked {
        item: String,
        text: String,
        stage: Stage,
        state: CheckState,
    },
    TaskAdded {
        id: String,
        title: String,
        owner: Option<String>,
        #[serde(default)]
        owner_role: Option<Role>,
        due_at: Option<Timestamp>,
    },
    TaskChanged {
        id: String,
        state: TaskState,
    },
    /// A task carried on after the incident as a review action item.
    TaskPromoted {
        id: String,
        action_item_id: String,
    },
    /// A hypothesis (a note tagged `hypothesis:`) ruled out, confirmed or reopened.
    HypothesisMarked {
        entry_id: String,
        state: HypothesisState,
    },
    Closed,
}

/// What a timeline entry is about (for filtering and display).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Declared,
    Edited,
    Classified,
    Stage,
    Status,
    Role,
    Note,
    Correction,
    Communication,
    Review,
    ActionItem,
    Closed,
    /// A deadline nudge or a snooze: on the record, but not activity.
    Nudge,
    /// An alert from monitoring attached to the incident, or its resolution.
    Alert,
    /// A playbook checklist item marked.
    Checklist,
    /// A live task added, done, dropped or promoted.
    Task,
    /// A hypothesis ruled out, confirmed or reopened.
    Hypothesis,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Declared => "declared",
            EntryKind::Edited => "edited",
            EntryKind::Classified => "classified",
            EntryKind::Stage => "stage",
            EntryKind::Status => "status",
            EntryKind::Role => "role",
            EntryKind::Note => "note",
            EntryKind::Correction => "correction",
            EntryKind::Communication => "communication",
            EntryKind::Review => "review",
            EntryKind::ActionItem => "action_item",
            EntryKind::Closed => "closed",
            EntryKind::Nudge => "nudge",
            EntryKind::Alert => "alert",
            EntryKind::Checklist => "checklist",
            EntryKind::Task => "task",
            EntryKind::Hypothesis => "hypothesis",
        }
    }

    pub fn parse(text: &str) -> Option<EntryKind> {
        [
            EntryKind::Declared,
            EntryKind::Edited,
            EntryKind::Classified,
            EntryKind::Stage,
            EntryKind::Status,
            EntryKind::Role,
            EntryKind::Note,
            EntryKind::Correction,
            EntryKind::Communication,
            EntryKind::Review,
            EntryKind::ActionItem,
            EntryKind::Closed,
            EntryKind::Nudge,
            EntryKind::Alert,
            EntryKind::Checklist,
            EntryKind::Task,
            EntryKind::Hypothesis,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == text)
    }
}

impl Change {
    /// What a change is about, for telling concurrent changes apart: two
    /// changes of the same subject that did not see each other conflict.
    pub fn subjects(&self) -> Vec<String> {
        match self {
            Change::Declared { .. } => Vec::new(),
            Change::Edited { title, summary } => [
                title.as_ref().map(|_| "title".to_owned()),
                summary.as_ref().map(|_| "summary".to_owned()),
            ]
            .into_iter()
            .flatten()
            .collect(),
            Change::Classified {
                kind,
                level,
                services,
                segment,
                customer_facing,
            } => [
                kind.map(|_| "kind"),
                level.as_ref().map(|_| "level"),
                services.as_ref().map(|_| "services"),
                segment.as_ref().map(|_| "segment"),
                customer_facing.map(|_| "customer_facing"),
            ]
            .into_iter()
            .flatten()
            .map(str::to_owned)
            .collect(),
            Change::StageChanged { stage, .. } => vec![format!("stage:{stage}")],
            Change::StatusChanged { .. } => vec!["status".to_owned()],
            Change::RoleAssigned { role, person } | Change::RoleRelieved { role, person } => {
                vec![if role.is_single_holder() {
                    format!("role:{}", role.as_str())
                } else {
                    format!("role:{}:{}", role.as_str(), person.to_lowercase())
                }]
            }
            Change::CommunicationDrafted { id, .. }
            | Change::CommunicationEdited { id, .. }
            | Change::CommunicationApproved { id }
            | Change::CommunicationSent { id, .. }
            | Change::CommunicationRecorded { id, .. }
            | Change::CommunicationDiscarded { id }
            | Change::PublishQueued { id, .. }
            | Change::PublishCancelled { id }
            | Change::PublishFailed { id, .. } => vec![format!("message:{id}")],
            Change::ReviewUpdated { field, .. } => vec![format!("review:{}", field.as_str())],
            Change::ActionItemAdded { id, .. }
            | Change::ActionItemChanged { id, .. }
            | Change::ActionItemEdited { id, .. } => vec![format!("action:{id}")],
            Change::ChecklistMarked { item, .. } => vec![format!("check:{item}")],
            Change::TaskAdded { id, .. } | Change::TaskChanged { id, .. } => {
                vec![format!("task:{id}")]
            }
            Change::TaskPromoted { id, action_item_id } => {
                vec![format!("task:{id}"), format!("action:{action_item_id}")]
            }
            Change::HypothesisMarked { entry_id, .. } => vec![format!("hypothesis:{entry_id}")],
            Change::Closed => vec!["closed".to_owned()],
        }
    }

    pub fn entry_kind(&self) -> EntryKind {
        match self {
            Change::Declared { .. } => EntryKind::Declared,
            Change::Edited { .. } => EntryKind::Edited,
            Change::Classified { .. } => EntryKind::Classified,
            Change::StageChanged { .. } => EntryKind::Stage,
            Change::StatusChanged { .. } => EntryKind::Status,
            Change::RoleAssigned { .. } | Change::RoleRelieved { .. } => EntryKind::Role,
            Change::CommunicationDrafted { .. }
            | Change::CommunicationEdited { .. }
            | Change::CommunicationApproved { .. }
            | Change::CommunicationSent { .. }
            | Change::CommunicationRecorded { .. }
            | Change::CommunicationDiscarded { .. }
            | Change::PublishQueued { .. }
            | Change::PublishCancelled { .. }
            | Change::PublishFailed { .. } => EntryKind::Communication,
            Change::ReviewUpdated { .. } => EntryKind::Review,
            Change::ActionItemAdded { .. }
            | Change::ActionItemChanged { .. }
            | Change::ActionItemEdited { .. } => EntryKind::ActionItem,
            Change::ChecklistMarked { .. } => EntryKind::Checklist,
            Change::TaskAdded { .. } | Change::TaskChanged { .. } | Change::TaskPromoted { .. } => {
                EntryKind::Task
            }
            Change::HypothesisMarked { .. } => EntryKind::Hypothesis,
            Change::Closed => EntryKind::Closed,
        }
    }
}

/// One entry of the append-only timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TimelineEntry {
    /// Globally unique id (UUIDv7): the same entry on every laptop.
    #[serde(default)]
    pub id: String,
    /// Hybrid logical clock stamp: the order of recording across laptops
    /// (see `domain/hlc.rs`); the fold applies entries in this order.
    #[serde(default)]
    pub hlc: String,
    /// The newest stamp of this incident its writer had seen: what tells a
    /// concurrent change from one made knowingly.
    #[serde(default)]
    pub seen: Option<String>,
    /// The entry's number for people and `--corrects`: its place (1, 2, 3, …)
    /// in stamp order, the same on every laptop holding the same entries.
    /// Not for replication (ids are).
    pub n: i64,
    /// When it happened (may be earlier than `recorded_at`: back-dated).
    pub occurred_at: Timestamp,
    pub recorded_at: Timestamp,
    pub author: String,
    pub kind: EntryKind,
    pub text: String,
    /// The state change this entry made, if any.
    pub change: Option<Change>,
    /// The entry this one corrects (its number here, when it has arrived).
    pub supersedes: Option<i64>,
    /// The id of the entry this one corrects (it may not have arrived yet).
    #[serde(default)]
    pub supersedes_id: Option<String>,
    /// The entry that corrects this one (derived).
    pub superseded_by: Option<i64>,
}
