//! Work the shell does beside the window: forwarding the core's change
//! events to the UI — including writes other processes (idesk, scripts)
//! make, noticed by watching the database files.

use incident_core::Desk;
use incident_core::model::ChangeEvent;
use notify::{RecursiveMode, Watcher};
use std::path::PathBuf;
use std::sync::mpsc::RecvTimeoutError;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tauri::{AppHandle, Emitter, Runtime};

/// The event the UI listens to.
pub const CHANGE_EVENT: &str = "desk-change";

/// A safety net when file watching is unavailable or misses an event: the
/// database is also checked this often (one pragma, no table read).
const FALLBACK_POLL: Duration = Duration::from_secs(1);

/// A write shows in the WAL file just before SQLite publishes the commit in
/// its shared-memory index (which raises no file event), so after a file
/// event the database is checked at once and again after these delays.
const RECHECKS: [Duration; 3] = [
    Duration::from_millis(3),
    Duration::from_millis(15),
    Duration::from_millis(80),
];

/// Keeps the file watcher alive for the life of the app.
#[derive(Default)]
pub struct DatabaseWatcher(Mutex<Option<notify::RecommendedWatcher>>);

/// Forwards every change to the UI; notices writes by other processes.
pub fn forward_changes<R: Runtime>(app: AppHandle<R>, desk: Arc<Desk>) {
    let events = desk.subscribe();
    let spawned = std::thread::Builder::new()
        .name("change-forwarder".into())
        .spawn(move || {
            loop {
                match events.recv_timeout(FALLBACK_POLL) {
                    Ok(event) => {
                        for event in with_pending(event, &events) {
                            emit(&app, &event);
                        }
                    }
                    Err(RecvTimeoutError::Timeout) => {
                        check(&desk);
                    }
                    Err(RecvTimeoutError::Disconnected) => break,
                }
            }
        });
    if let Err(error) = spawned {
        tracing::error!(%error, "could not start the change forwarder; the window will not refresh live");
    }
}

/// The event and whatever else is already waiting, each once: a burst of
/// writes (a flood of alerts) reaches the window as a few events, not
/// thousands.
fn with_pending(
    first: ChangeEvent,
    events: &std::sync::mpsc::Receiver<ChangeEvent>,
) -> Vec<ChangeEvent> {
    let mut batch = vec![first];
    while let Ok(next) = events.try_recv() {
        if !batch.contains(&next) {
            batch.push(next);
        }
    }
    collapse(batch)
}

/// More incidents changed at once than this (nudges recorded for hundreds of
/// overdue incidents at start-up): the window is told "reload everything"
/// once instead. Each event is a script run in the page.
const MAX_INCIDENT_EVENTS: usize = 8;

fn collapse(batch: Vec<ChangeEvent>) -> Vec<ChangeEvent> {
    let incidents = batch
        .iter()
        .filter(|e| matches!(e, ChangeEvent::Incident { .. }))
        .count();
    if incidents > MAX_INCIDENT_EVENTS {
        // `External` means "anything may have changed": every view reloads.
        vec![ChangeEvent::External]
    } else {
        batch
    }
}

/// Publishes `External` on the desk's channel when another process committed.
fn check(desk: &Desk) -> bool {
    match desk.poll_external_changes() {
        Ok(changed) => changed,
        Err(error) => {
            tracing::warn!(%error, "could not check for external changes");
            false
        }
    }
}

fn emit<R: Runtime>(app: &AppHandle<R>, event: &ChangeEvent) {
    if let Err(error) = app.emit(CHANGE_EVENT, event) {
        tracing::warn!(%error, "could not forward a change to the window");
    }
}

/// Watches the database's directory; a write to the database or its WAL
/// wakes a checker thread, which checks at once and at [`RECHECKS`]. Bursts
/// of writes collapse into one round of checks.
pub fn watch_database(desk: Arc<Desk>, holder: &DatabaseWatcher) {
    let path = desk.path().to_path_buf();
    let Some(dir) = path.parent().map(PathBuf::from) else {
        return;
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (poke, pokes) = std::sync::mpsc::channel::<()>();
    let checker = std::thread::Builder::new()
        .name("database-checker".into())
        .spawn(move || {
            while pokes.recv().is_ok() {
                while pokes.try_recv().is_ok() {}
                if check(&desk) {
                    continue;
                }
                for delay in RECHECKS {
                    std::thread::sleep(delay);
                    while pokes.try_recv().is_ok() {}
                    if check(&desk) {
                        break;
                    }
                }
            }
        });
    if let Err(error) = checker {
        tracing::warn!(%error, "cannot start the database checker; other processes' writes show within a second");
        return;
    }
    let handler = move |result: notify::Result<notify::Event>| {
        let Ok(event) = result else { return };
        let ours = event.paths.iter().any(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(name.as_str()))
        });
        if ours && (event.kind.is_modify() || event.kind.is_create()) {
            let _ = poke.send(());
        }
    };
    let watcher = notify::recommended_watcher(handler).and_then(|mut watcher| {
        watcher.watch(&dir, RecursiveMode::NonRecursive)?;
        Ok(watcher)
    });
    match watcher {
        Ok(watcher) => {
            if let Ok(mut slot) = holder.0.lock() {
                *slot = Some(watcher);
            }
            tracing::info!(dir = %dir.display(), "watching the database for other processes' writes");
        }
        Err(error) => tracing::warn!(
            %error,
            "cannot watch the database files; other processes' writes show within a second"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incident(n: usize) -> ChangeEvent {
        ChangeEvent::Incident {
            id: format!("id-{n}"),
            reference: format!("INC-{n}"),
        }
    }

    #[test]
    fn a_few_changes_reach_the_window_as_they_are_and_a_burst_as_one_reload() {
        let few: Vec<ChangeEvent> = (1..=MAX_INCIDENT_EVENTS)
            .map(incident)
            .chain([ChangeEvent::Alerts])
            .collect();
        assert_eq!(collapse(few.clone()), few);
        let burst: Vec<ChangeEvent> = (0..=MAX_INCIDENT_EVENTS)
            .map(incident)
            .chain([ChangeEvent::Directory])
            .collect();
        assert_eq!(collapse(burst), vec![ChangeEvent::External]);
    }
}
