//! Team sync for Incident Desk over NATS JetStream.
//!
//! The core knows nothing of the network: it offers the replication seam
//! (the outbox, `Desk::apply_remote`, cursors). This crate carries entries
//! through the team's JetStream stream and keeps the core's promises:
//!
//! - an entry leaves the outbox only when the server has acknowledged it
//!   (`Nats-Msg-Id` is the entry's id, so a resend is never stored twice);
//! - a laptop's durable consumer remembers what it has applied, so it
//!   resumes from there after any time offline; a message is acknowledged
//!   only after `apply_remote` committed it here;
//! - whatever arrives goes through the same gate as an import;
//! - security incidents travel on a stream of their own that the server's
//!   permissions fence off (docs/team.md);
//! - secrets stay in the desktop's secret store ([`secrets`]).

pub mod engine;
pub mod error;
pub mod membership;
pub mod naming;
pub mod options;
pub mod presence;
pub mod secrets;

pub use engine::{SyncEngine, SyncHandle, next_revision};
pub use error::SyncError;
pub use naming::Names;
pub use secrets::SecretStore;
