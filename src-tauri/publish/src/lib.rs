//! Publishing for Incident Desk: delivering a queued message to the service
//! users read, and saying what came of it in the outbox's terms (confirmed,
//! retry later, refused for good). The core keeps the queue and the record;
//! the network is here.
//!
//! A retry must never post twice: each service gets a key that makes a
//! second attempt of the same message the same post (Matrix: the
//! transaction id).

pub mod deliver;
pub mod http;
pub mod matrix;
pub mod slack;

pub use deliver::{Access, access_for, deliver};
pub use incident_core::publish::MatrixRoom;

/// The desktop secret store's key for a channel's Matrix access token (the
/// app and `idesk` both use it).
pub fn matrix_token_key(channel: incident_core::domain::Channel) -> String {
    format!("publish:matrix:{}", channel.as_str())
}

/// Why a delivery did not go through, in the outbox's terms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Failure {
    /// The network or the service failed for now; try again (not before
    /// `retry_after_ms` when the service said so).
    #[error("{error}")]
    Retry {
        error: String,
        retry_after_ms: Option<u64>,
    },
    /// The service refused it for a reason a retry will not fix.
    #[error("{reason}")]
    Refused { reason: String },
}
