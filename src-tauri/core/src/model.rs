//! Domain types shared with the UI (their TypeScript twins are generated).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One row of the command board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IncidentSummary {
    pub id: String,
    /// Human reference, `INC-<n>`.
    #[serde(rename = "ref")]
    #[ts(rename = "ref")]
    pub reference: String,
    pub title: String,
    pub kind: String,
    pub level: String,
    pub status: String,
    pub declared_at: DateTime<Utc>,
}

/// What the window shows in its footer and the diagnostics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AppInfo {
    pub version: String,
    pub database_path: String,
}
