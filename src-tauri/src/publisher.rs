//! The publisher: delivers what waits in the outbox. It sleeps until the
//! next queued message is due or anything changes in the database (a new
//! "Publish", another process's), delivers what is due, and reports each
//! attempt to the core. Secrets come from the desktop's secret store here,
//! at the moment of sending; the network code is in incident-publish.

use crate::commands::{CommandResult, with_desk};
use crate::state::AppState;
use incident_core::desk::Publication;
use incident_core::domain::{Channel, Communication, PublishTarget};
use incident_core::publish::MatrixRoom;
use incident_core::services::{EmailTarget, SlackTarget, StatuspageTarget};
use incident_core::{Desk, DeskError};
use incident_publish::{deliver_due, secret_key};
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
        let secret = |key: &str| secrets.load(key).ok().flatten();
        match deliver_due(desk, secret, ATTEMPT_TIMEOUT) {
            Ok(done) => {
                for (publication, outcome) in done {
                    tracing::info!(
                        reference = %publication.reference,
                        target = %publication.target,
                        outcome = ?std::mem::discriminant(&outcome),
                        "publisher: attempt"
                    );
                }
            }
            Err(error) => {
                tracing::warn!(%error, "publisher: could not deliver or record an attempt")
            }
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
        let room = (!homeserver.trim().is_empty()).then_some(MatrixRoom {
            homeserver,
            room_id,
        });
        desk.set_matrix(channel, room.as_ref())?;
        keep_secret(PublishTarget::Matrix, channel, room.is_some(), token)
    })
}

/// Settings → Messages: a channel's Slack channel and bot token; None
/// removes it (and forgets the token).
#[tauri::command]
pub(crate) async fn set_slack(
    state: State<'_, AppState>,
    channel: Channel,
    slack: Option<SlackTarget>,
    token: Option<String>,
) -> CommandResult<()> {
    with_desk(&state, |desk| {
        desk.set_slack(channel, slack.as_ref())?;
        keep_secret(PublishTarget::Slack, channel, slack.is_some(), token)
    })
}

/// Settings → Messages: a channel's Statuspage page, component mapping and
/// API key; None removes it.
#[tauri::command]
pub(crate) async fn set_statuspage(
    state: State<'_, AppState>,
    channel: Channel,
    page: Option<StatuspageTarget>,
    key: Option<String>,
) -> CommandResult<()> {
    with_desk(&state, |desk| {
        desk.set_statuspage(channel, page.as_ref())?;
        keep_secret(PublishTarget::Statuspage, channel, page.is_some(), key)
    })
}

/// Settings → Messages: a channel's mail server, lists and password; None
/// removes it.
#[tauri::command]
pub(crate) async fn set_email(
    state: State<'_, AppState>,
    channel: Channel,
    email: Option<EmailTarget>,
    password: Option<String>,
) -> CommandResult<()> {
    with_desk(&state, |desk| {
        desk.set_email(channel, email.as_ref())?;
        keep_secret(PublishTarget::Email, channel, email.is_some(), password)
    })
}

/// A service's secret follows its settings: a new one is saved, a removed
/// service's is forgotten, an empty field keeps what is stored.
fn keep_secret(
    target: PublishTarget,
    channel: Channel,
    set_up: bool,
    secret: Option<String>,
) -> Result<(), DeskError> {
    let secrets = SecretStore::for_this_desktop();
    let key = secret_key(target, channel);
    if !set_up {
        return secrets.forget(&key).map_err(secret_error);
    }
    match secret.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(secret) => secrets.save(&key, secret).map(|_| ()).map_err(secret_error),
        None => Ok(()),
    }
}

/// "Publish": the message waits in the outbox for its channel's service.
#[tauri::command]
pub(crate) async fn queue_message(
    state: State<'_, AppState>,
    reference: String,
    id: String,
    target: Option<PublishTarget>,
) -> CommandResult<Communication> {
    with_desk(&state, |desk| {
        desk.queue_for_channel(&reference, &id, target)
    })
}

/// "Open in my mail client": hands the message to the desktop's mail
/// program as a mailto: link (recipients, subject, body). Nothing is
/// recorded: the commander marks it sent once it is out.
#[tauri::command]
pub(crate) async fn open_in_mail_client(
    state: State<'_, AppState>,
    reference: String,
    id: String,
) -> CommandResult<String> {
    with_desk(&state, |desk| {
        let link = desk.mailto(&reference, &id)?;
        // INCIDENT_DESK_OPEN names another opener (tests record the link).
        let opener = std::env::var("INCIDENT_DESK_OPEN").unwrap_or_else(|_| "xdg-open".into());
        let mut child = std::process::Command::new(&opener)
            .arg(&link)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map_err(|e| {
                DeskError::invalid(
                    "mail client",
                    format!("could not start {opener} to open the mail client: {e}"),
                )
            })?;
        // Reaped in the background: the opener may wait for the client.
        std::thread::spawn(move || child.wait());
        Ok(link)
    })
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

fn secret_error(error: incident_sync::SyncError) -> DeskError {
    DeskError::invalid("secret", error.to_string())
}
