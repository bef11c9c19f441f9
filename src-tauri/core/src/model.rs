//! What the core hands to its clients (the board, the incident view, the
//! directory); their TypeScript twins are generated into the UI.

use crate::domain::*;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One stage's state, for the board's compact tracker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StageBrief {
    pub stage: Stage,
    pub state: StageState,
}

/// One row of the command board.
/// Which incidents the board shows. Resolved is a public status, closed is
/// the end of the response: a resolved incident is still open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum BoardView {
    /// Not closed (resolved ones included).
    Open,
    /// Closed only.
    Closed,
    All,
}

impl BoardView {
    pub fn as_str(self) -> &'static str {
        match self {
            BoardView::Open => "open",
            BoardView::Closed => "closed",
            BoardView::All => "all",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BoardRow {
    pub id: String,
    /// Human reference, `INC-<n>`.
    #[serde(rename = "ref")]
    #[ts(rename = "ref")]
    pub reference: String,
    pub title: String,
    pub kind: IncidentKind,
    pub level: String,
    /// Position of the level in the scale (1 = most severe).
    pub level_rank: i64,
    pub status: PublicStatus,
    /// The seven stages in canonical order.
    pub stages: Vec<StageBrief>,
    pub commander: Option<String>,
    pub started_at: Timestamp,
    pub detected_at: Timestamp,
    pub declared_at: Timestamp,
    pub resolved_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    /// When the last timeline entry (other than nudges) was recorded.
    pub last_activity_at: Timestamp,
    /// The deadline to look at first: overdue or stalled ones, else the earliest.
    pub next_deadline: Option<Deadline>,
    /// Every deadline not yet met, the most pressing first.
    pub deadlines: Vec<Deadline>,
    /// When the next update to users is due (first or follow-up), if any.
    pub next_update_due: Option<Timestamp>,
    /// How many deadlines are overdue or stalled.
    pub overdue: i64,
    /// Alerts attached to the incident, and how many of them still fire:
    /// all resolved is a hint that the fix worked.
    pub alerts: i64,
    pub alerts_firing: i64,
    /// What the fold could not apply (two offline writers disagreed), until settled.
    pub conflicts: i64,
    /// Roles its level expects that nobody holds now.
    pub missing_roles: Vec<crate::domain::Role>,
    /// The playbook checklist: items settled (done or skipped) of all.
    pub checklist: crate::domain::Progress,
    /// Live tasks still open.
    pub tasks_open: i64,
    /// Messages waiting in the outbox for a service to confirm them.
    pub messages_queued: i64,
}

/// Durations teams track, in whole seconds; null when a time is missing.
/// Their names and definitions are in [`Metrics::rows`] (and the README).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Metrics {
    pub time_to_detect: Option<i64>,
    pub time_to_acknowledge: Option<i64>,
    pub time_to_first_update: Option<i64>,
    pub time_to_mitigate: Option<i64>,
    pub time_to_resolve: Option<i64>,
}

/// One metric as the reports list it: its name, how it is measured, and
/// its value in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricRow {
    pub label: &'static str,
    pub definition: &'static str,
    pub seconds: Option<i64>,
}

impl Metrics {
    /// The metrics in report order, named and defined in one place so the
    /// Markdown, the PDF and `idesk show` say the same thing.
    pub fn rows(&self) -> [MetricRow; 5] {
        let row = |label, definition, seconds| MetricRow {
            label,
            definition,
            seconds,
        };
        [
            row(
                "Time to detect",
                "detected − impact started",
                self.time_to_detect,
            ),
            row(
                "Time to acknowledge",
                "first commander assigned − detected",
                self.time_to_acknowledge,
            ),
            row(
                "Time to first update",
                "first message on a public channel − impact started",
                self.time_to_first_update,
            ),
            row(
                "Time to mitigate",
                "remediate stage done − impact started",
                self.time_to_mitigate,
            ),
            row(
                "Time to resolve",
                "status resolved − impact started",
                self.time_to_resolve,
            ),
        ]
    }
}

/// Everything about one incident: its state, its timeline (in order of
/// occurrence) and its metrics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IncidentDetail {
    #[serde(flatten)]
    pub record: IncidentRecord,
    pub timeline: Vec<TimelineEntry>,
    pub metrics: Metrics,
    /// Its deadlines now (empty once closed).
    pub deadlines: Vec<Deadline>,
    /// The resolution timeline: when each stage was active.
    pub spans: Vec<StageSpan>,
    pub moments: Vec<KeyMoment>,
    /// What the review still lacks (open action items without owner or due date, …).
    pub checklist: Vec<String>,
    /// Each stage's best practice and what the record calls for now.
    pub guidance: Vec<crate::domain::StageGuidance>,
    /// The playbook checklist of its kind × level, with each item's mark.
    pub playbook: Vec<crate::domain::ChecklistLine>,
    /// The notes tagged as hypotheses, with what became of each.
    pub hypotheses: Vec<crate::domain::Hypothesis>,
}

/// Someone in the people directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Person {
    pub name: String,
    pub handle: String,
    pub contact: String,
    pub team: String,
}

/// A severity level (the scale is data: teams can add levels).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Level {
    pub name: String,
    pub description: String,
    pub rank: i64,
}

/// What the window shows in its footer and the diagnostics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AppInfo {
    pub version: String,
    pub database_path: String,
}

/// Published after every committed change, so views can refresh.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChangeEvent {
    /// An incident changed in this process.
    Incident {
        id: String,
        #[serde(rename = "ref")]
        #[ts(rename = "ref")]
        reference: String,
    },
    /// The people directory or the levels changed in this process.
    Directory,
    /// Another process (idesk, a script) changed the database.
    External,
    /// The alert inbox changed in this process.
    Alerts,
}

/// A message's length as its channel counts it (see `domain::length`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MessageLength {
    pub length: i64,
    pub limit: Option<i64>,
}

/// Application settings (Settings screen).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AppSettings {
    pub check_updates_at_startup: bool,
}

/// A newer version the update server offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct UpdateInfo {
    pub current_version: String,
    pub version: String,
    pub notes: Option<String>,
    pub date: Option<String>,
}

/// Download progress of an update, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct UpdateProgress {
    pub downloaded: u64,
    pub total: Option<u64>,
}

/// Where the app keeps things, for the About/Diagnostics screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Diagnostics {
    pub version: String,
    pub database_path: String,
    pub database_bytes: u64,
    pub schema_version: i64,
    pub data_dir: String,
    pub log_dir: String,
    pub backup_dir: String,
    pub backups: usize,
    pub open_incidents: usize,
    pub os: String,
}

impl Diagnostics {
    /// Plain text for "Copy diagnostics": one fact per line, ready to paste
    /// into a bug report.
    pub fn as_text(&self) -> String {
        let size = crate::format::bytes(self.database_bytes);
        [
            format!("Incident Desk {}", self.version),
            format!("System: {}", self.os),
            format!(
                "Database: {} ({size}, schema {})",
                self.database_path, self.schema_version
            ),
            format!("Data folder: {}", self.data_dir),
            format!("Logs: {}", self.log_dir),
            format!("Backups: {} ({} kept)", self.backup_dir, self.backups),
            format!("Open incidents: {}", self.open_incidents),
        ]
        .join("\n")
    }
}

/// Where team sync is, in words the top bar can show as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    /// Not in a team, or no server set: the laptop works on its own.
    Off,
    /// Trying the server for the first time since starting.
    Connecting,
    Connected,
    /// The server cannot be reached; writes wait in the outbox.
    Offline,
    /// The server turned this laptop's credentials away.
    Refused,
}

/// The sync engine's state, with the figures behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncStatus {
    pub state: SyncState,
    /// Since when it is in this state (connected since, offline since).
    pub since: Option<crate::time::Timestamp>,
    /// Entries written here that the server has not acknowledged yet.
    pub waiting: i64,
    /// What went wrong, in a sentence (offline or refused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub message: Option<String>,
    /// The team and server, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub team: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub server: Option<String>,
    /// Orders the reports: a window hears them both as events and as
    /// answers, which may arrive out of order, and keeps the newest.
    #[serde(default)]
    pub revision: i64,
}

impl SyncStatus {
    pub fn off() -> SyncStatus {
        SyncStatus {
            revision: 0,
            state: SyncState::Off,
            since: None,
            waiting: 0,
            message: None,
            team: None,
            server: None,
        }
    }
}

/// Who else has an incident open right now (team sync's presence: sent
/// every few seconds, forgotten when a laptop stops sending).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Presence {
    /// The laptop (its node id).
    pub node: String,
    /// The person at it.
    pub person: String,
    /// The incident open in their window (its id, the same on every laptop).
    pub viewing: Option<String>,
}

impl Presence {
    /// The checks a presence from another laptop passes before it is shown.
    pub fn check(&self) -> std::result::Result<(), String> {
        let printable = |s: &str| !s.chars().any(char::is_control);
        if self.node.is_empty() || self.node.len() > 64 || !printable(&self.node) {
            return Err("a bad node id".into());
        }
        if self.person.trim().is_empty()
            || self.person.chars().count() > crate::domain::MAX_NAME
            || !printable(&self.person)
        {
            return Err("a bad person name".into());
        }
        if let Some(viewing) = &self.viewing
            && (viewing.len() > 64 || !printable(viewing))
        {
            return Err("a bad incident id".into());
        }
        Ok(())
    }
}
