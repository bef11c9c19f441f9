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
