//! The publisher: delivers what waits in the outbox. It sleeps until the
//! next queued message is due or anything changes in the database (a new
//! "Publish", another process's), delivers what is due, and reports each
//! attempt to the core. Secrets come from the desktop's secret store here,
//! at the moment of sending; the network code is in incident-publish.

use crate::commands::{CommandResult, with_desk};
use crate::state::AppState;
use incident_core::desk::Publication;
use incident_core::domain::{Channel, Communication};
use incident_core::publish::MatrixRoom;
use incident_core::{Desk, DeskError};
use incident_publish::{access_for, deliver, matrix_token_key};
use incident_sync::SecretStore;
use std::sync::Arc;
use std::sync::mpsc::RecvTimeoutError;
use std::time::Duration;
use tauri::State;

/// Longest sleep: bounds how late a retry can be after a suspend.
const MAX_SLEEP: Duration = Duration::from_secs(30);
/// One attempt's limit.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(15);

pub fn start(desk: Arc<Desk>) {
    let spawned = std::thread::Builder::new()
        .name("publisher".into())
        .spawn(move || run(&desk));
    if let Err(error) = spawned {
        tracing::error!(%error, "could not start the publisher; queued messages wait");
    }
}

fn run(desk: &Desk) {
    let events = desk.subscribe();
    let secrets = SecretStore::for_this_desktop();
    loop {
        match desk.due_publications() {
            Ok(due) => {
                for publication in due {
                    attempt(desk, &secrets, &publication);
                }
            }
            Err(error) => tracing::warn!(%error, "publisher: could not read the outbox"),
        }
        let wait = match desk.next_publication_at() {
            Ok(Some(next)) => {
                let left = next.millis() - desk.now().millis();
                Duration::from_millis(left.clamp(0, MAX_SLEEP.as_millis() as i64) as u64 + 5)
            }
            _ => MAX_SLEEP,
        };
        match events.recv_timeout(wait) {
            Ok(_) => while events.try_recv().is_ok() {},
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

fn attempt(desk: &Desk, secrets: &SecretStore, publication: &Publication) {
    let access = access_for(desk, publication, |key| secrets.load(key).ok().flatten());
    let outcome = deliver(publication, access.as_ref(), ATTEMPT_TIMEOUT, desk.now());
    tracing::info!(
        reference = %publication.reference,
        target = %publication.target,
        outcome = ?std::mem::discriminant(&outcome),
        "publisher: attempt"
    );
    if let Err(error) = desk.publication_attempted(&publication.id, outcome) {
        tracing::warn!(%error, "publisher: could not record the attempt");
    }
}

/// Settings → Messages: a channel's Matrix room; the token (when given)
/// goes to the secret store. An empty homeserver removes it.
#[tauri::command]
pub(crate) async fn set_matrix(
    state: State<'_, AppState>,
    channel: Channel,
    homeserver: String,
    room_id: String,
    token: Option<String>,
) -> CommandResult<()> {
    with_desk(&state, |desk| {
        let secrets = SecretStore::for_this_desktop();
        let key = matrix_token_key(channel);
        if homeserver.trim().is_empty() {
            desk.set_matrix(channel, None)?;
            return secrets.forget(&key).map_err(secret_error);
        }
        let room = MatrixRoom {
            homeserver,
            room_id,
        };
        desk.set_matrix(channel, Some(&room))?;
        if let Some(token) = token.filter(|t| !t.trim().is_empty()) {
            secrets.save(&key, token.trim()).map_err(secret_error)?;
        }
        Ok(())
    })
}

fn secret_error(error: incident_sync::SyncError) -> DeskError {
    DeskError::invalid("token", error.to_string())
}

/// "Publish": the message waits in the outbox for its channel's service.
#[tauri::command]
pub(crate) async fn queue_message(
    state: State<'_, AppState>,
    reference: String,
    id: String,
) -> CommandResult<Communication> {
    with_desk(&state, |desk| desk.queue_for_channel(&reference, &id))
}

#[tauri::command]
pub(crate) async fn cancel_publication(
    state: State<'_, AppState>,
    reference: String,
    id: String,
) -> CommandResult<Communication> {
    with_desk(&state, |desk| desk.cancel_publication(&reference, &id))
}

/// What waits in the outbox (attempts, last error, next try).
#[tauri::command]
pub(crate) async fn outbox(state: State<'_, AppState>) -> CommandResult<Vec<Publication>> {
    with_desk(&state, |desk| desk.queued_publications())
}
