//! `idesk sync` and `idesk team`: entries carried between laptops in a file,
//! and this laptop's identity in a team.

use crate::commands::CliError;
use crate::output::Printer;
use crate::{JoinArgs, SyncCommand, TeamCommand};
use incident_core::Desk;
use incident_core::desk::{ApplyReport, CredentialKind, TeamConnection, TeamInfo};
use incident_core::model::{SyncState, SyncStatus};
use incident_sync::engine::{LAST_RECEIVED, LAST_SENT};
use incident_sync::{SecretStore, SyncError, membership};
use std::fmt::Write as _;

pub fn sync(desk: &Desk, print: &Printer, command: SyncCommand) -> Result<(), CliError> {
    match command {
        SyncCommand::Export { since, output } => {
            desk.refuse_own_files(&output)?;
            let batch = desk.export_entries(since)?;
            let mut text = serde_json::to_string(&batch)?;
            text.push('\n');
            incident_core::files::write_atomically(&output, text.as_bytes())?;
            let incidents: std::collections::BTreeSet<&str> = batch
                .entries
                .iter()
                .map(|e| e.incident_id.as_str())
                .collect();
            #[derive(serde::Serialize)]
            struct Written<'a> {
                file: String,
                entries: usize,
                incidents: usize,
                cursor: i64,
                node: &'a str,
            }
            let written = Written {
                file: output.display().to_string(),
                entries: batch.entries.len(),
                incidents: incidents.len(),
                cursor: batch.cursor,
                node: &batch.node,
            };
            print.value(&written, || {
                format!(
                    "Wrote {} {} of {} {} to {}\nNext time, to send only what is new: idesk sync export --since {} -o FILE",
                    written.entries,
                    plural(written.entries, "entry", "entries"),
                    written.incidents,
                    plural(written.incidents, "incident", "incidents"),
                    written.file,
                    written.cursor
                )
            })
        }
        SyncCommand::Apply { file } => {
            let batch = Desk::read_entries_file(&file)?;
            let report = desk.apply_entries(batch)?;
            print.value(&report, || applied(&report))?;
            if report.refused.is_empty() {
                Ok(())
            } else {
                Err(CliError::Refused(report.refused.len()))
            }
        }
    }
}

pub fn team(desk: &Desk, print: &Printer, command: Option<TeamCommand>) -> Result<(), CliError> {
    let secrets = SecretStore::for_this_desktop();
    match command {
        None | Some(TeamCommand::Status) => {
            let info = desk.team_info()?;
            let connection = desk.team_connection()?;
            let status = membership::probe(desk, &secrets).map_err(sync_error)?;
            let view = TeamView {
                info: &info,
                connection: connection.as_ref(),
                status: &status,
                secrets: connection.as_ref().map(|_| secrets.describe()),
                last_sent: desk.sync_cursor(LAST_SENT)?,
                last_received: desk.sync_cursor(LAST_RECEIVED)?,
            };
            print.value(&view, || describe(&view))
        }
        Some(TeamCommand::Join(args)) => {
            let Some(url) = args.url.clone() else {
                let info = desk.join_team(&args.team)?;
                return print.value(&info, || {
                    format!(
                        "Joined {}: references minted here are INC-<n>-{}. No server: entries travel by `idesk sync` files.",
                        args.team.trim(),
                        info.tag
                    )
                });
            };
            let (credential, secret) = credential(&args)?;
            let connection = TeamConnection {
                server: url,
                user: args.user.clone().unwrap_or_else(login_name),
                credential,
                ca_file: args.ca.as_ref().map(|p| absolute(p).display().to_string()),
            };
            let (status, kept_in) =
                membership::join(desk, &secrets, &args.team, &connection, secret.as_deref())
                    .map_err(sync_error)?;
            print.value(&status, || {
                let now = match status.state {
                    SyncState::Connected => {
                        "the server answered; the app syncs while it runs".to_string()
                    }
                    _ => format!(
                        "the server did not answer now ({}); the app syncs once it does",
                        status.message.as_deref().unwrap_or("offline")
                    ),
                };
                let kept = kept_in
                    .as_deref()
                    .map(|place| format!("\nSecret kept in {place}."))
                    .unwrap_or_default();
                format!(
                    "Joined {} on {} as {}: {now}.{kept}",
                    args.team.trim(),
                    connection.server,
                    connection.user,
                )
            })
        }
        Some(TeamCommand::Leave) => {
            membership::leave(desk, &secrets).map_err(sync_error)?;
            print.value(&desk.team_info()?, || {
                "Left the team's server: nothing syncs from here now; the entries and references stay, and the secret is forgotten.".to_string()
            })
        }
    }
}

#[derive(serde::Serialize)]
struct TeamView<'a> {
    #[serde(flatten)]
    info: &'a TeamInfo,
    connection: Option<&'a TeamConnection>,
    status: &'a SyncStatus,
    secrets: Option<String>,
    last_sent: Option<String>,
    last_received: Option<String>,
}

fn sync_error(error: SyncError) -> CliError {
    match error {
        SyncError::Desk(error) => CliError::Desk(error),
        other => CliError::Usage(other.to_string()),
    }
}

/// The secret, from where `args` says: standard input or a file.
fn credential(args: &JoinArgs) -> Result<(CredentialKind, Option<String>), CliError> {
    let stdin_line = |what: &str| -> Result<String, CliError> {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|source| CliError::Io {
                path: "stdin".into(),
                source,
            })?;
        let line = line.trim_end_matches(['\n', '\r']).to_string();
        if line.is_empty() {
            return Err(CliError::Usage(format!("no {what} on standard input")));
        }
        Ok(line)
    };
    if args.password_stdin {
        return Ok((CredentialKind::Password, Some(stdin_line("password")?)));
    }
    if args.token_stdin {
        return Ok((CredentialKind::Token, Some(stdin_line("token")?)));
    }
    if let Some(file) = &args.nkey_file {
        let seed = std::fs::read_to_string(file).map_err(|source| CliError::Io {
            path: file.clone(),
            source,
        })?;
        let seed = seed.trim().to_string();
        if !seed.starts_with("SU") {
            return Err(CliError::Usage(format!(
                "{}: not a user nkey seed (it starts with SU)",
                file.display()
            )));
        }
        return Ok((CredentialKind::Nkey, Some(seed)));
    }
    if let Some(file) = &args.creds {
        let text = incident_sync::options::read_creds_file(file).map_err(sync_error)?;
        return Ok((CredentialKind::Creds, Some(text)));
    }
    Ok((CredentialKind::None, None))
}

fn login_name() -> String {
    ["USER", "LOGNAME"]
        .iter()
        .filter_map(|var| std::env::var(var).ok())
        .find(|name| !name.is_empty())
        .unwrap_or_else(|| "responder".into())
}

fn absolute(path: &std::path::Path) -> std::path::PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

fn describe(view: &TeamView) -> String {
    let info = view.info;
    let mut out = String::new();
    match &info.team {
        Some(team) => {
            let _ = writeln!(out, "Team: {team}");
            let _ = writeln!(
                out,
                "References minted here: INC-<n>-{} (this laptop's tag)",
                info.tag
            );
        }
        None => {
            let _ = writeln!(
                out,
                "Not in a team: references are INC-<n> (idesk team join URL --team NAME to join one)"
            );
        }
    }
    match view.connection {
        Some(connection) => {
            let _ = writeln!(out, "Server: {} as {}", connection.server, connection.user);
            let state = match view.status.state {
                SyncState::Connected => "connected".to_string(),
                SyncState::Refused => "credentials refused".to_string(),
                SyncState::Offline => "offline".to_string(),
                SyncState::Connecting | SyncState::Off => "not checked".to_string(),
            };
            let _ = writeln!(out, "Now: {state}");
            if let Some(message) = &view.status.message {
                let _ = writeln!(out, "  {message}");
            }
            if let Some(secrets) = &view.secrets {
                let _ = writeln!(out, "Secret kept in: {secrets}");
            }
            let _ = writeln!(
                out,
                "Last sent: {}; last received: {}",
                view.last_sent.as_deref().unwrap_or("never"),
                view.last_received.as_deref().unwrap_or("never")
            );
        }
        None if info.team.is_some() => {
            let _ = writeln!(out, "No server: entries travel by `idesk sync` files");
        }
        None => {}
    }
    let _ = writeln!(out, "Node: {}", info.node_id);
    let _ = write!(out, "Entries waiting to be sent: {}", info.undelivered);
    out
}

fn applied(report: &ApplyReport) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "Applied {} new {}",
        report.applied,
        plural(report.applied, "entry", "entries")
    );
    if !report.incidents.is_empty() {
        let _ = write!(out, " to {}", report.incidents.join(", "));
    }
    let _ = write!(out, "; {} already here", report.duplicates);
    if report.parked > 0 {
        let _ = write!(
            out,
            "\n{} {} kept aside until their incident's declaration arrives",
            report.parked,
            plural(report.parked, "entry", "entries")
        );
    }
    if report.skewed > 0 {
        let _ = write!(
            out,
            "\n{} {} stamped more than a minute ahead of this laptop's clock (kept, flagged): check the clocks",
            report.skewed,
            plural(report.skewed, "entry", "entries")
        );
    }
    for (old, new) in &report.renamed {
        let _ = write!(
            out,
            "\nTwo incidents were both {old}: the one declared later is now {new}"
        );
    }
    for reason in &report.refused {
        let _ = write!(out, "\nRefused: {reason}");
    }
    out
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}
