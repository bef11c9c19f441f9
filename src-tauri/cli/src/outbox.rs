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
use incident_publish::{deliver_due, secret_key};
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
            let done = deliver_due(
                desk,
                |key| secrets.load(key).ok().flatten(),
                Duration::from_secs(15),
            )?;
            let said: Vec<String> = done
                .iter()
                .map(|(publication, attempt)| {
                    format!(
                        "{} {}: {attempt:?}",
                        publication.reference, publication.target
                    )
                })
                .collect();
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
            let service = Service {
                target: PublishTarget::Matrix,
                channel: channel.parse()?,
                off,
                secret: token_stdin.then_some("access token"),
            };
            let room = MatrixRoom {
                homeserver: homeserver.unwrap_or_default(),
                room_id: room.unwrap_or_default(),
            };
            service.set_up(desk, print, room, Desk::set_matrix, |channel, room| {
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
            let service = Service {
                target: PublishTarget::Slack,
                channel: channel.parse()?,
                off,
                secret: token_stdin.then_some("bot token"),
            };
            let slack = SlackTarget {
                channel_id: channel_id.unwrap_or_default().trim().to_owned(),
                broadcast,
                api,
            };
            service.set_up(desk, print, slack, Desk::set_slack, |channel, slack| {
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
            let service = Service {
                target: PublishTarget::Statuspage,
                channel: channel.parse()?,
                off,
                secret: key_stdin.then_some("API key"),
            };
            let components = if off {
                Vec::new()
            } else {
                components
                    .iter()
                    .map(|pair| component(pair))
                    .collect::<Result<Vec<_>, DeskError>>()?
            };
            let page = StatuspageTarget {
                page_id: page.unwrap_or_default().trim().to_owned(),
                components,
                api,
            };
            service.set_up(desk, print, page, Desk::set_statuspage, |channel, page| {
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
            let service = Service {
                target: PublishTarget::Email,
                channel: channel.parse()?,
                off,
                secret: password_stdin.then_some("password"),
            };
            if off {
                return service.remove(desk, print, Desk::set_email);
            }
            let email = email_settings(&settings.unwrap_or_default())?;
            service.set_up(desk, print, email, Desk::set_email, |channel, email| {
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

/// A service a channel publishes to, as set from the terminal: its
/// settings to the database (checked by the core), its secret from stdin to
/// the desktop's secret store.
struct Service {
    target: PublishTarget,
    channel: Channel,
    off: bool,
    /// What to read from stdin, when asked to.
    secret: Option<&'static str>,
}

type SetFn<T> = fn(&Desk, Channel, Option<&T>) -> incident_core::error::Result<()>;

impl Service {
    fn set_up<T: serde::Serialize>(
        &self,
        desk: &Desk,
        print: &Printer,
        settings: T,
        set: SetFn<T>,
        said: impl Fn(Channel, &T) -> String,
    ) -> Result<(), CliError> {
        if self.off {
            return self.remove(desk, print, set);
        }
        let secret = self.secret.map(secret_from_stdin).transpose()?;
        set(desk, self.channel, Some(&settings))?;
        if let Some(secret) = secret {
            SecretStore::for_this_desktop()
                .save(&secret_key(self.target, self.channel), &secret)
                .map_err(|e| DeskError::invalid("secret", e.to_string()))?;
        }
        print.value(&settings, || said(self.channel, &settings))?;
        Ok(())
    }

    fn remove<T>(&self, desk: &Desk, print: &Printer, set: SetFn<T>) -> Result<(), CliError> {
        set(desk, self.channel, None)?;
        SecretStore::for_this_desktop()
            .forget(&secret_key(self.target, self.channel))
            .map_err(|e| DeskError::invalid("secret", e.to_string()))?;
        let name = match self.target {
            PublishTarget::Statuspage => "Statuspage",
            PublishTarget::Slack => "Slack",
            PublishTarget::Matrix => "Matrix",
            PublishTarget::Email => "email",
            PublishTarget::Webhook => "the webhook",
        };
        print.value(&(), || {
            format!("{} messages no longer go to {name}", self.channel)
        })?;
        Ok(())
    }
}

/// `SERVICE=COMPONENT_ID`.
fn component(pair: &str) -> Result<ComponentMapping, DeskError> {
    let (service, id) = pair.split_once('=').ok_or_else(|| {
        DeskError::invalid("component", format!("{pair:?}: write SERVICE=COMPONENT_ID"))
    })?;
    Ok(ComponentMapping {
        service: service.trim().to_owned(),
        component_id: id.trim().to_owned(),
    })
}

/// Email settings from a JSON file (docs/publishing.md).
fn email_settings(path: &std::path::Path) -> Result<EmailTarget, DeskError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| DeskError::invalid("settings", format!("{}: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| {
        DeskError::invalid(
            "settings",
            format!("{} is not email settings: {e}", path.display()),
        )
    })
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
