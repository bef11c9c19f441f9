//! `idesk comms queue|mailto|cancel|outbox|deliver|matrix|slack|statuspage|email`:
//! publishing through the outbox from the terminal. `deliver` does what the
//! open app's publisher does, once, for machines where the app is not
//! running. Tokens, keys and passwords come from stdin and go to the
//! desktop's secret store.

use crate::CommsCommand;
use crate::commands::CliError;
use crate::output::Printer;
use incident_core::desk::Publication;
use incident_core::domain::{Channel, PublishTarget};
use incident_core::publish::MatrixRoom;
use incident_core::services::{ComponentMapping, EmailTarget, SlackTarget, StatuspageTarget};
use incident_core::{Desk, DeskError};
use incident_publish::{access_for, deliver, secret_key};
use incident_sync::SecretStore;
use std::fmt::Write as _;
use std::io::Read as _;
use std::time::Duration;

pub fn outbox(desk: &Desk, print: &Printer, command: CommsCommand) -> Result<(), CliError> {
    match command {
        CommsCommand::Queue { reference, id, to } => {
            let to = to.map(|t| t.parse::<PublishTarget>()).transpose()?;
            let comm = desk.queue_for_channel(&reference, &id, to)?;
            print.value(&comm, || {
                format!(
                    "Queued {} for {}: sent when the service confirms (idesk comms outbox)",
                    comm.id,
                    comm.queued_to.map(|t| t.to_string()).unwrap_or_default()
                )
            })?;
        }
        CommsCommand::Mailto { reference, id } => {
            let link = desk.mailto(&reference, &id)?;
            print.value(&link, || link.clone())?;
        }
        CommsCommand::Cancel { reference, id } => {
            let comm = desk.cancel_publication(&reference, &id)?;
            print.value(&comm, || format!("Cancelled publishing {}", comm.id))?;
        }
        CommsCommand::Outbox => {
            let queued = desk.queued_publications()?;
            print.value(&queued, || queued_text(&queued))?;
        }
        CommsCommand::Deliver => {
            let secrets = SecretStore::for_this_desktop();
            let mut said = Vec::new();
            for publication in desk.due_publications()? {
                let access = access_for(desk, &publication, |key| secrets.load(key).ok().flatten());
                let attempt = deliver(
                    &publication,
                    access.as_ref(),
                    Duration::from_secs(15),
                    desk.now(),
                );
                said.push(format!(
                    "{} {}: {attempt:?}",
                    publication.reference, publication.target
                ));
                desk.publication_attempted(&publication.id, attempt)?;
            }
            print.value(&said, || {
                if said.is_empty() {
                    "Nothing is due.".to_owned()
                } else {
                    said.join("\n")
                }
            })?;
        }
        CommsCommand::Matrix {
            channel,
            homeserver,
            room,
            token_stdin,
            off,
        } => {
            let channel: Channel = channel.parse()?;
            let secrets = SecretStore::for_this_desktop();
            if off {
                desk.set_matrix(channel, None)?;
                forget_secret(&secrets, PublishTarget::Matrix, channel)?;
                print.value(&(), || format!("{channel} messages no longer go to Matrix"))?;
                return Ok(());
            }
            let room = MatrixRoom {
                homeserver: homeserver.unwrap_or_default(),
                room_id: room.unwrap_or_default(),
            };
            let token = token_stdin
                .then(|| secret_from_stdin("access token"))
                .transpose()?;
            desk.set_matrix(channel, Some(&room))?;
            save_secret(&secrets, PublishTarget::Matrix, channel, token)?;
            print.value(&room, || {
                format!(
                    "{channel} messages go to Matrix room {} on {}",
                    room.room_id, room.homeserver
                )
            })?;
        }
        CommsCommand::Slack {
            channel,
            channel_id,
            broadcast,
            api,
            token_stdin,
            off,
        } => {
            let channel: Channel = channel.parse()?;
            let secrets = SecretStore::for_this_desktop();
            if off {
                desk.set_slack(channel, None)?;
                forget_secret(&secrets, PublishTarget::Slack, channel)?;
                print.value(&(), || format!("{channel} messages no longer go to Slack"))?;
                return Ok(());
            }
            let slack = SlackTarget {
                channel_id: channel_id.unwrap_or_default().trim().to_owned(),
                broadcast,
                api,
            };
            let token = token_stdin
                .then(|| secret_from_stdin("bot token"))
                .transpose()?;
            desk.set_slack(channel, Some(&slack))?;
            save_secret(&secrets, PublishTarget::Slack, channel, token)?;
            print.value(&slack, || {
                format!(
                    "{channel} messages go to Slack channel {}",
                    slack.channel_id
                )
            })?;
        }
        CommsCommand::Statuspage {
            channel,
            page,
            components,
            api,
            key_stdin,
            off,
        } => {
            let channel: Channel = channel.parse()?;
            let secrets = SecretStore::for_this_desktop();
            if off {
                desk.set_statuspage(channel, None)?;
                forget_secret(&secrets, PublishTarget::Statuspage, channel)?;
                print.value(&(), || {
                    format!("{channel} messages no longer go to Statuspage")
                })?;
                return Ok(());
            }
            let components = components
                .iter()
                .map(|pair| {
                    let (service, id) = pair.split_once('=').ok_or_else(|| {
                        DeskError::invalid(
                            "component",
                            format!("{pair:?}: write SERVICE=COMPONENT_ID"),
                        )
                    })?;
                    Ok(ComponentMapping {
                        service: service.trim().to_owned(),
                        component_id: id.trim().to_owned(),
                    })
                })
                .collect::<Result<Vec<_>, DeskError>>()?;
            let page = StatuspageTarget {
                page_id: page.unwrap_or_default().trim().to_owned(),
                components,
                api,
            };
            let key = key_stdin
                .then(|| secret_from_stdin("API key"))
                .transpose()?;
            desk.set_statuspage(channel, Some(&page))?;
            save_secret(&secrets, PublishTarget::Statuspage, channel, key)?;
            print.value(&page, || {
                format!(
                    "{channel} messages update Statuspage page {} ({} component(s) mapped)",
                    page.page_id,
                    page.components.len()
                )
            })?;
        }
        CommsCommand::Email {
            channel,
            settings,
            password_stdin,
            off,
        } => {
            let channel: Channel = channel.parse()?;
            let secrets = SecretStore::for_this_desktop();
            if off {
                desk.set_email(channel, None)?;
                forget_secret(&secrets, PublishTarget::Email, channel)?;
                print.value(&(), || format!("{channel} messages are no longer emailed"))?;
                return Ok(());
            }
            let path = settings.unwrap_or_default();
            let text = std::fs::read_to_string(&path)
                .map_err(|e| DeskError::invalid("settings", format!("{}: {e}", path.display())))?;
            let email: EmailTarget = serde_json::from_str(&text).map_err(|e| {
                DeskError::invalid(
                    "settings",
                    format!("{} is not email settings: {e}", path.display()),
                )
            })?;
            let password = password_stdin
                .then(|| secret_from_stdin("password"))
                .transpose()?;
            desk.set_email(channel, Some(&email))?;
            save_secret(&secrets, PublishTarget::Email, channel, password)?;
            print.value(&email, || {
                format!(
                    "{channel} messages are emailed through {}:{} to {} list(s)",
                    email.smtp.host,
                    email.smtp.port,
                    email.lists.len()
                )
            })?;
        }
        _ => {}
    }
    Ok(())
}

/// A token, key or password piped in (never an argument: those show in
/// `ps` and in the shell's history).
fn secret_from_stdin(what: &str) -> Result<String, DeskError> {
    let mut secret = String::new();
    std::io::stdin()
        .read_to_string(&mut secret)
        .map_err(|e| DeskError::invalid("secret", format!("reading stdin: {e}")))?;
    let secret = secret.trim();
    if secret.is_empty() {
        return Err(DeskError::invalid("secret", format!("no {what} on stdin")));
    }
    Ok(secret.to_owned())
}

fn save_secret(
    secrets: &SecretStore,
    target: PublishTarget,
    channel: Channel,
    secret: Option<String>,
) -> Result<(), DeskError> {
    let Some(secret) = secret else {
        return Ok(());
    };
    secrets
        .save(&secret_key(target, channel), &secret)
        .map(|_| ())
        .map_err(|e| DeskError::invalid("secret", e.to_string()))
}

fn forget_secret(
    secrets: &SecretStore,
    target: PublishTarget,
    channel: Channel,
) -> Result<(), DeskError> {
    secrets
        .forget(&secret_key(target, channel))
        .map_err(|e| DeskError::invalid("secret", e.to_string()))
}

fn queued_text(queued: &[Publication]) -> String {
    if queued.is_empty() {
        return "The outbox is empty.".to_owned();
    }
    let mut out = String::new();
    for p in queued {
        let _ = write!(
            out,
            "{} {} → {}: {} attempt(s), next {}",
            p.reference, p.message.id, p.target, p.attempts, p.next_attempt_at
        );
        if let Some(error) = &p.last_error {
            let _ = write!(out, ", last error: {error}");
        }
        out.push('\n');
    }
    out
}
