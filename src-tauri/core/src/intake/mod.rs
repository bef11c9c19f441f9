//! Alert intake: the payload formats of monitoring tools and the receiver's
//! settings. The receiver itself (HTTP) is the network's business and lives
//! in its own crate, `incident-intake`.

pub mod formats;
mod settings;

pub use formats::{Format, PayloadError, parse};
pub use settings::{DEFAULT_INTAKE_PORT, IntakeSettings, IntakeStatus, new_token};

/// Counts since the receiver started (shown in Settings, used by the bench).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS,
)]
pub struct ReceiverStats {
    pub accepted: u64,
    pub refused: u64,
    pub rate_limited: u64,
}

#[cfg(test)]
mod tests;
