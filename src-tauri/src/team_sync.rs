//! Team sync's life in the app: the engine started when this laptop is
//! joined to a server (in Settings → Team, or by `idesk team join`),
//! restarted when that changes, its status sent to the window's top bar,
//! and a notification when someone on another laptop makes this person
//! commander.

use crate::notifier::Notifier;
use crate::state::AppState;
use incident_core::desk::{RemoteEntry, TeamConnection};
use incident_core::domain::{Change, Role};
use incident_core::model::{ChangeEvent, Presence, SyncStatus};
use incident_core::{Desk, ErrorPayload};
use incident_sync::{SecretStore, SyncEngine, SyncHandle, membership};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tauri::{AppHandle, Emitter, Manager, Runtime, State};

/// The window's top bar listens to this.
pub const SYNC_STATUS_EVENT: &str = "sync-status";
/// "You are now the commander": the window shows it too.
pub const HANDOFF_EVENT: &str = "sync-handoff";

#[derive(Default)]
pub struct TeamSync {
    inner: Mutex<Running>,
    /// The page and number of the newest `set_viewing` call.
    viewing_order: Mutex<(String, u64)>,
}

#[derive(Default)]
struct Running {
    joined: Option<(String, TeamConnection)>,
    engine: Option<SyncHandle>,
    error: Option<String>,
}

/// What the window shows when a hand-off arrives.
#[derive(Debug, Clone, Serialize)]
pub struct Handoff {
    #[serde(rename = "ref")]
    pub reference: String,
    pub title: String,
    pub from: String,
}

impl TeamSync {
    /// Brings the engine in line with the stored team connection.
    pub fn sync<R: Runtime>(&self, app: &AppHandle<R>, desk: &Arc<Desk>, notifier: &Arc<Notifier>) {
        let joined = match (desk.team_info(), desk.team_connection()) {
            (Ok(info), Ok(connection)) => info.team.zip(connection),
            (Err(error), _) | (_, Err(error)) => {
                tracing::warn!(%error, "could not read the team connection");
                return;
            }
        };
        let mut running = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if running.joined == joined && (running.engine.is_some() || joined.is_none()) {
            return;
        }
        if let Some(engine) = running.engine.take() {
            engine.stop(Duration::from_secs(2));
        }
        running.error = None;
        if joined.is_some() {
            let secrets = SecretStore::for_this_desktop();
            match SyncEngine::start_with(desk.clone(), &secrets, arrivals(app, desk, notifier)) {
                Ok(engine) => {
                    let app = app.clone();
                    engine.on_change(move |status| {
                        let _ = app.emit(SYNC_STATUS_EVENT, status);
                    });
                    tracing::info!(store = %secrets.describe(), "team sync started");
                    running.engine = Some(engine);
                }
                Err(error) => {
                    tracing::warn!(%error, "team sync could not start");
                    running.error = Some(error.to_string());
                }
            }
        }
        running.joined = joined;
        let _ = app.emit(SYNC_STATUS_EVENT, status_of(&running, desk));
    }

    fn with_engine<T>(&self, f: impl FnOnce(&SyncHandle) -> T) -> Option<T> {
        let running = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        running.engine.as_ref().map(f)
    }

    fn status(&self, desk: &Desk) -> SyncStatus {
        let running = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        status_of(&running, desk)
    }
}

fn status_of(running: &Running, desk: &Desk) -> SyncStatus {
    // Stamped before anything is read (see next_revision).
    let revision = incident_sync::next_revision();
    let info = desk.team_info().ok();
    let waiting = info.as_ref().map_or(0, |i| i.undelivered);
    match (&running.engine, &running.joined) {
        (Some(engine), _) => SyncStatus {
            waiting,
            revision,
            ..engine.status()
        },
        (None, Some((team, connection))) => SyncStatus {
            state: incident_core::model::SyncState::Refused,
            message: running.error.clone(),
            team: Some(team.clone()),
            server: Some(connection.server.clone()),
            waiting,
            revision,
            ..SyncStatus::off()
        },
        (None, None) => SyncStatus {
            team: info.and_then(|i| i.team),
            waiting,
            revision,
            ..SyncStatus::off()
        },
    }
}

/// Entries from the team: a commander hand-off to this laptop's person
/// (made by someone else) is announced.
fn arrivals<R: Runtime>(
    app: &AppHandle<R>,
    desk: &Arc<Desk>,
    notifier: &Arc<Notifier>,
) -> incident_sync::engine::OnArrival {
    let (app, desk, notifier) = (app.clone(), Arc::downgrade(desk), notifier.clone());
    // A message delivered again (its ack was lost) is announced once.
    let announced = Mutex::new(std::collections::HashSet::<String>::new());
    Arc::new(move |entries: &[RemoteEntry]| {
        let Some(desk) = desk.upgrade() else { return };
        let me = desk.author().to_string();
        for arrived in entries {
            let entry = &arrived.entry;
            let to_me = matches!(
                &entry.change,
                Some(Change::RoleAssigned { role: Role::Commander, person }) if person.eq_ignore_ascii_case(&me)
            );
            if !to_me || entry.author.eq_ignore_ascii_case(&me) {
                continue;
            }
            let Ok(view) = desk.incident(&arrived.incident_id) else {
                continue;
            };
            if view
                .record
                .commander()
                .is_none_or(|c| !c.eq_ignore_ascii_case(&me))
            {
                continue; // already handed on again
            }
            let first_time = announced
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(entry.id.clone());
            if !first_time {
                continue;
            }
            let handoff = Handoff {
                reference: view.record.reference.clone(),
                title: view.record.title.clone(),
                from: entry.author.clone(),
            };
            tracing::info!(reference = %handoff.reference, from = %handoff.from, "made commander from another laptop");
            let _ = app.emit(HANDOFF_EVENT, handoff.clone());
            let open_app = app.clone();
            let reference = handoff.reference.clone();
            if let Err(error) = notifier.show_handoff(
                &handoff.reference,
                &handoff.title,
                &handoff.from,
                move || {
                    crate::launch::focus_main_window(&open_app);
                    let _ = open_app.emit(crate::scheduler::OPEN_EVENT, reference);
                },
            ) {
                tracing::debug!(%error, "hand-off shown in the window only");
            }
        }
    })
}

/// Follows the team settings: now, and after every change of settings in
/// this process or another (idesk team join/leave).
pub fn watch<R: Runtime>(app: AppHandle<R>, desk: Arc<Desk>, notifier: Arc<Notifier>) {
    let events = desk.subscribe();
    app.state::<TeamSync>().sync(&app, &desk, &notifier);
    let spawned = std::thread::Builder::new()
        .name("team-settings".into())
        .spawn(move || {
            while let Ok(event) = events.recv() {
                if matches!(event, ChangeEvent::Directory | ChangeEvent::External) {
                    app.state::<TeamSync>().sync(&app, &desk, &notifier);
                }
            }
        });
    if let Err(error) = spawned {
        tracing::error!(%error, "could not follow the team settings");
    }
}

type CommandResult<T> = Result<T, ErrorPayload>;

#[tauri::command]
pub(crate) async fn sync_status(
    state: State<'_, AppState>,
    team: State<'_, TeamSync>,
) -> CommandResult<SyncStatus> {
    Ok(team.status(state.desk()?))
}

/// The incident open in this window (none: the board), told to the team.
#[tauri::command]
pub(crate) async fn set_viewing(
    state: State<'_, AppState>,
    team: State<'_, TeamSync>,
    reference: Option<String>,
    page: String,
    seq: u64,
) -> CommandResult<()> {
    let id = match reference {
        Some(reference) => Some(
            state
                .desk()?
                .incident(&reference)
                .map_err(|e| e.payload())?
                .record
                .id,
        ),
        None => None,
    };
    // The window numbers its calls; commands run concurrently, so an older
    // one (left the room) may finish after a newer one (opened it again):
    // checked and told under one lock. A reloaded page counts afresh.
    let mut last = team.viewing_order.lock().unwrap_or_else(|p| p.into_inner());
    if !take_if_newer(&mut last, page, seq) {
        return Ok(());
    }
    tracing::debug!(viewing = ?id, "team sync: this window's incident");
    team.with_engine(|engine| engine.set_viewing(id));
    Ok(())
}

/// Who else is around, and what they have open.
#[tauri::command]
pub(crate) async fn presence(team: State<'_, TeamSync>) -> CommandResult<Vec<Presence>> {
    Ok(team.with_engine(SyncHandle::presence).unwrap_or_default())
}

/// Whether call `seq` of `page` is newer than the last one taken (then it
/// becomes the last); a page not seen before always is.
fn take_if_newer(last: &mut (String, u64), page: String, seq: u64) -> bool {
    if last.0 == page && last.1 >= seq {
        return false;
    }
    *last = (page, seq);
    true
}

/// What Settings → Team shows.
#[derive(Debug, Clone, Serialize)]
pub struct TeamSettings {
    pub team: Option<String>,
    pub connection: Option<TeamConnection>,
    pub node_id: String,
    pub tag: String,
    /// Where the secret is kept, in words.
    pub secret_store: String,
    pub you: String,
}

#[tauri::command]
pub(crate) async fn team_settings(state: State<'_, AppState>) -> CommandResult<TeamSettings> {
    let desk = state.desk()?;
    let info = desk.team_info().map_err(|e| e.payload())?;
    Ok(TeamSettings {
        team: info.team,
        connection: desk.team_connection().map_err(|e| e.payload())?,
        node_id: info.node_id,
        tag: info.tag,
        secret_store: SecretStore::for_this_desktop().describe(),
        you: desk.author().to_string(),
    })
}

#[derive(Debug, Clone, Deserialize)]
pub struct JoinRequest {
    pub team: String,
    pub connection: TeamConnection,
    /// Never stored by the app: handed to the secret store.
    pub secret: Option<String>,
}

/// Joining asks the server first (a blocking connection attempt with a
/// runtime of its own): it runs on a blocking thread, never on the
/// runtime of the app's async commands.
#[tauri::command]
pub(crate) async fn join_team_server(
    state: State<'_, AppState>,
    request: JoinRequest,
) -> CommandResult<SyncStatus> {
    let desk = shared(&state)?;
    blocking(move || {
        let secret = request.secret.as_deref().filter(|s| !s.is_empty());
        membership::join(
            &desk,
            &SecretStore::for_this_desktop(),
            &request.team,
            &request.connection,
            secret,
        )
        .map(|(status, _)| status)
    })
    .await
}

#[tauri::command]
pub(crate) async fn leave_team_server(state: State<'_, AppState>) -> CommandResult<()> {
    let desk = shared(&state)?;
    blocking(move || membership::leave(&desk, &SecretStore::for_this_desktop())).await
}

fn shared(state: &AppState) -> CommandResult<Arc<Desk>> {
    state.desk()?;
    state
        .shared_desk()
        .ok_or_else(|| incident_core::error::DeskError::invalid("team", "no database").payload())
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, incident_sync::SyncError> + Send + 'static,
) -> CommandResult<T> {
    tauri::async_runtime::spawn_blocking(work)
        .await
        .map_err(|e| incident_core::error::DeskError::invalid("team", e.to_string()).payload())?
        .map_err(sync_payload)
}

fn sync_payload(error: incident_sync::SyncError) -> ErrorPayload {
    match error {
        incident_sync::SyncError::Desk(error) => error.payload(),
        other => incident_core::error::DeskError::invalid("team", other.to_string()).payload(),
    }
}

#[cfg(test)]
mod tests {
    use super::take_if_newer;

    #[test]
    fn an_older_viewing_call_that_finishes_late_is_ignored_and_a_reloaded_page_starts_afresh() {
        let mut last = (String::new(), 0);
        assert!(take_if_newer(&mut last, "p1".into(), 1));
        assert!(take_if_newer(&mut last, "p1".into(), 3));
        assert!(
            !take_if_newer(&mut last, "p1".into(), 2),
            "older, finished late"
        );
        assert!(
            !take_if_newer(&mut last, "p1".into(), 3),
            "the same call twice"
        );
        assert!(take_if_newer(&mut last, "p2".into(), 1), "a reloaded page");
    }
}
