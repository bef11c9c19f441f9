//! The inputs of the `Desk`'s operations, as they arrive over IPC.

use crate::domain::{IncidentKind, Source};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What it takes to declare an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Declaration {
    pub title: String,
    pub kind: IncidentKind,
    pub level: String,
    /// How it was noticed; defaults to `internal`.
    #[serde(default)]
    #[ts(optional)]
    pub source: Option<Source>,
    #[serde(default)]
    #[ts(optional)]
    pub summary: Option<String>,
    /// Impact start; defaults to the detection time.
    #[serde(default)]
    #[ts(optional)]
    pub started_at: Option<Timestamp>,
    /// Defaults to the declaration time.
    #[serde(default)]
    #[ts(optional)]
    pub detected_at: Option<Timestamp>,
    /// Back-dates the declaration itself.
    #[serde(default)]
    #[ts(optional)]
    pub at: Option<Timestamp>,
    /// Affected services already known (declaring from an alert: its service).
    #[serde(default)]
    #[ts(optional)]
    pub services: Option<Vec<String>>,
}

impl Declaration {
    pub fn new(title: &str, kind: IncidentKind, level: &str) -> Declaration {
        Declaration {
            title: title.to_owned(),
            kind,
            level: level.to_owned(),
            source: None,
            summary: None,
            started_at: None,
            detected_at: None,
            at: None,
            services: None,
        }
    }
}

/// A change of classification; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Classification {
    #[serde(default)]
    #[ts(optional)]
    pub kind: Option<IncidentKind>,
    #[serde(default)]
    #[ts(optional)]
    pub level: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub services: Option<Vec<String>>,
    #[serde(default)]
    #[ts(optional)]
    pub segment: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub customer_facing: Option<bool>,
}
