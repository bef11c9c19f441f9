//! Publishing for Incident Desk: delivering a queued message to the service
//! users read, and saying what came of it in the outbox's terms (confirmed,
//! retry later, refused for good). The core keeps the queue and the record;
//! the network is here.
//!
//! A retry must never post twice: Matrix takes a transaction id that makes
//! a second attempt the same post; Slack and Statuspage do not, so before a
//! retry the earlier attempt is looked for there (by the outbox entry in the
//! post's metadata, by the update's text); an email carries one Message-ID
//! however often it is tried.

pub mod deliver;
pub mod email;
pub mod http;
pub mod matrix;
pub mod slack;
pub mod statuspage;
pub mod webhook;

pub use deliver::{Access, access_for, deliver, deliver_due};
pub use incident_core::publish::MatrixRoom;

/// The desktop secret store's key for the token, key or password a channel
/// uses with a service (the app and `idesk` both use it).
pub fn secret_key(
    target: incident_core::domain::PublishTarget,
    channel: incident_core::domain::Channel,
) -> String {
    format!("publish:{}:{}", target.as_str(), channel.as_str())
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
