//! What the shell keeps for the lifetime of the app: the `Desk`, or the
//! reason it could not be opened (the window then explains it instead of
//! the app crashing or touching a database it must not).

use incident_core::{Desk, ErrorPayload};
use std::sync::Arc;

pub struct AppState {
    desk: Result<Arc<Desk>, ErrorPayload>,
}

impl AppState {
    pub fn new(desk: Result<Desk, ErrorPayload>) -> AppState {
        AppState {
            desk: desk.map(Arc::new),
        }
    }

    /// Opens the shared database (`$INCIDENT_DESK_DB` or the app-data default).
    pub fn open_default() -> AppState {
        AppState::new(Desk::open_default().map_err(|error| error.payload()))
    }

    /// The desk, or the startup error every command reports.
    pub fn desk(&self) -> Result<&Desk, ErrorPayload> {
        self.desk.as_deref().map_err(Clone::clone)
    }

    /// A shared handle for background work (watcher, backups).
    pub fn shared_desk(&self) -> Option<Arc<Desk>> {
        self.desk.as_ref().ok().cloned()
    }

    pub fn log_startup(&self) {
        match &self.desk {
            Ok(desk) => tracing::info!(db = %desk.path().display(), "database opened"),
            Err(error) => {
                tracing::error!(code = ?error.code, message = %error.message, "database unavailable")
            }
        }
    }
}
