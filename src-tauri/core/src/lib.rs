//! Incident Desk's core: the domain, its rules, the SQLite store and the
//! `Desk` API that every change goes through. No Tauri and no web view here:
//! the desktop shell and the `idesk` command-line tool are both thin clients
//! of this crate.

pub mod bindings;
pub mod desk;
pub mod domain;
pub mod error;
pub mod files;
pub mod format;
pub mod intake;
pub mod launch;
pub mod markdown;
pub mod metrics;
pub mod model;
pub mod paths;
pub mod publish;
pub mod replay;
pub mod services;
pub mod store;
pub mod time;

pub use desk::Desk;
pub use error::{DeskError, ErrorCode, ErrorPayload};
pub use time::{Clock, ManualClock, SystemClock, Timestamp};

/// The application identifier; also the name of the data directory.
/// Must equal `identifier` in `src-tauri/tauri.conf.json` (a shell test checks it).
pub const APP_IDENTIFIER: &str = "org.incidentdesk.desk";

/// The product's version, shared by the app and `idesk`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
