//! The durations teams track, derived from an incident's record (see
//! [`crate::model::Metrics`] for the definitions).

use crate::domain::{IncidentRecord, Role};
use crate::model::Metrics;
use crate::time::Timestamp;

pub fn metrics(record: &IncidentRecord) -> Metrics {
    let since = |end: Option<Timestamp>, start: Timestamp| end.map(|end| end.seconds_since(start));
    let first_commander = record
        .roles
        .iter()
        .filter(|a| a.role == Role::Commander)
        .map(|a| a.assumed_at)
        .min();
    Metrics {
        time_to_detect: since(Some(record.detected_at), record.started_at),
        time_to_acknowledge: since(first_commander, record.detected_at),
        time_to_first_update: since(record.first_public_update(), record.started_at),
        time_to_mitigate: since(record.mitigated_at(), record.started_at),
        time_to_resolve: since(record.resolved_at, record.started_at),
    }
}
