//! Work the shell does beside the window: forwarding the core's change
//! events to the UI (including changes other processes made), and backups.

use incident_core::Desk;
use incident_core::model::ChangeEvent;
use std::sync::Arc;
use std::sync::mpsc::RecvTimeoutError;
use std::time::{Duration, Instant};
use tauri::{AppHandle, Emitter, Runtime};

/// The event the UI listens to.
pub const CHANGE_EVENT: &str = "desk-change";

/// How often the database is checked for other processes' writes: the
/// window shows an `idesk` change within this time (one pragma, no I/O).
const EXTERNAL_POLL: Duration = Duration::from_millis(250);

/// How often a backup is taken while the app runs (plus one at startup).
const BACKUP_EVERY: Duration = Duration::from_secs(60 * 60);

/// Forwards every change to the UI; notices writes by other processes.
pub fn forward_changes<R: Runtime>(app: AppHandle<R>, desk: Arc<Desk>) {
    let events = desk.subscribe();
    let spawned = std::thread::Builder::new()
        .name("change-forwarder".into())
        .spawn(move || {
            loop {
                match events.recv_timeout(EXTERNAL_POLL) {
                    Ok(event) => emit(&app, &event),
                    Err(RecvTimeoutError::Timeout) => {
                        // Publishes `External` on our own channel when it moved.
                        if let Err(error) = desk.poll_external_changes() {
                            tracing::warn!(%error, "could not check for external changes");
                        }
                    }
                    Err(RecvTimeoutError::Disconnected) => break,
                }
            }
        });
    if let Err(error) = spawned {
        tracing::error!(%error, "could not start the change forwarder; the window will not refresh live");
    }
}

fn emit<R: Runtime>(app: &AppHandle<R>, event: &ChangeEvent) {
    if let Err(error) = app.emit(CHANGE_EVENT, event) {
        tracing::warn!(%error, "could not forward a change to the window");
    }
}

/// Backs the database up now and every hour, keeping the newest few.
pub fn keep_backups(desk: Arc<Desk>) {
    let spawned = std::thread::Builder::new()
        .name("backups".into())
        .spawn(move || {
            let mut next = Instant::now();
            loop {
                if Instant::now() >= next {
                    match desk.backup_now() {
                        Ok(info) => tracing::info!(path = %info.path.display(), bytes = info.bytes, "backup written"),
                        Err(error) => tracing::error!(%error, "backup failed"),
                    }
                    next = Instant::now() + BACKUP_EVERY;
                }
                std::thread::sleep(Duration::from_secs(60));
            }
        });
    if let Err(error) = spawned {
        tracing::error!(%error, "could not start automatic backups");
    }
}
