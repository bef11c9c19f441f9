//! `idesk comms queue|cancel|outbox|deliver|matrix`: publishing through the
//! outbox from the terminal. `deliver` does what the open app's publisher
//! does, once, for machines where the app is not running.

use crate::CommsCommand;
use crate::commands::CliError;
use crate::output::Printer;
use incident_core::desk::Publication;
use incident_core::domain::Channel;
use incident_core::publish::MatrixRoom;
use incident_core::{Desk, DeskError};
use incident_publish::{access_for, deliver, matrix_token_key};
use incident_sync::SecretStore;
use std::fmt::Write as _;
use std::io::Read as _;
use std::time::Duration;

pub fn outbox(desk: &Desk, print: &Printer, command: CommsCommand) -> Result<(), CliError> {
    match command {
        CommsCommand::Queue { reference, id } => {
            let comm = desk.queue_for_channel(&reference, &id)?;
            print.value(&comm, || {
                format!(
                    "Queued {} for {}: sent when the service confirms (idesk comms outbox)",
                    comm.id,
                    comm.queued_to.map(|t| t.to_string()).unwrap_or_default()
                )
            })?;
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
                secrets
                    .forget(&matrix_token_key(channel))
                    .map_err(|e| DeskError::invalid("token", e.to_string()))?;
                print.value(&(), || format!("{channel} messages no longer go to Matrix"))?;
                return Ok(());
            }
            let room = MatrixRoom {
                homeserver: homeserver.unwrap_or_default(),
                room_id: room.unwrap_or_default(),
            };
            desk.set_matrix(channel, Some(&room))?;
            if token_stdin {
                let mut token = String::new();
                std::io::stdin()
                    .read_to_string(&mut token)
                    .map_err(|e| DeskError::invalid("token", format!("reading stdin: {e}")))?;
                let token = token.trim();
                if token.is_empty() {
                    return Err(DeskError::invalid("token", "no access token on stdin").into());
                }
                secrets
                    .save(&matrix_token_key(channel), token)
                    .map_err(|e| DeskError::invalid("token", e.to_string()))?;
            }
            print.value(&room, || {
                format!(
                    "{channel} messages go to Matrix room {} on {}",
                    room.room_id, room.homeserver
                )
            })?;
        }
        _ => {}
    }
    Ok(())
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
