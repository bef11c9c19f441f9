//! What each `idesk` command does: parse its words into domain values, call
//! the `Desk`, print the result.

use crate::output::{self, Printer};
use crate::terminal;
use crate::{
    ActionCommand, Cli, Command, CommsCommand, LevelCommand, PeopleCommand, PolicyCommand,
};
use incident_core::desk::{Classification, Declaration, DraftRequest};
use incident_core::domain::{
    CheckState, PolicyKey, Span, Template, parse_policy_value, review_checklist,
};
use incident_core::model::Person;
use incident_core::publish::WebhookFormat;
use incident_core::{Desk, DeskError, Timestamp};
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Desk(#[from] DeskError),
    #[error("could not write JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Usage(String),
    /// Some entries of a file were refused (the rest was applied).
    #[error("{0} entries were refused (listed above); the others were applied")]
    Refused(usize),
    /// The reader of stdout went away (`idesk list | head`): not an error to report.
    #[error("the output was closed")]
    OutputClosed,
}

impl From<terminal::WriteError> for CliError {
    fn from(error: terminal::WriteError) -> Self {
        match error {
            terminal::WriteError::Closed => CliError::OutputClosed,
            terminal::WriteError::Failed(source) => CliError::Io {
                path: "stdout".into(),
                source,
            },
        }
    }
}

pub(crate) fn time(
    field: &'static str,
    text: Option<&str>,
) -> Result<Option<Timestamp>, DeskError> {
    text.map(|t| {
        Timestamp::parse(t)
            .map_err(|e| DeskError::invalid(field, format!("--{}: {e}", field.replace('_', "-"))))
    })
    .transpose()
}

pub fn run(cli: Cli) -> Result<(), CliError> {
    let mut desk = match &cli.db {
        Some(path) => Desk::open(path)?,
        None => Desk::open_default()?,
    };
    if let Some(author) = &cli.author {
        desk = desk.with_author(author)?;
    }
    let at = time("at", cli.at.as_deref())?;
    let print = Printer { json: cli.json };

    match cli.command {
        Command::Declare(args) => {
            let mut input = Declaration::new(&args.title, args.kind.parse()?, &args.level);
            input.source = args.source.as_deref().map(str::parse).transpose()?;
            input.summary = args.summary;
            input.started_at = time("started_at", args.started_at.as_deref())?;
            input.detected_at = time("detected_at", args.detected_at.as_deref())?;
            input.at = at;
            let record = desk.declare(input)?;
            print.value(&record, || {
                format!("Declared {}: {}", record.reference, record.title)
            })?;
        }
        Command::List { all } => {
            let rows = desk.list_incidents(all)?;
            print.value(&rows, || output::board(&rows, desk.now()))?;
        }
        Command::Show { reference } => {
            let detail = desk.incident(&reference)?;
            print.value(&detail, || output::detail(&detail))?;
        }
        Command::Brief {
            reference,
            markdown,
        } => {
            let brief = desk.brief(&reference)?;
            print.value(&brief, || {
                if markdown {
                    brief.markdown.clone()
                } else {
                    brief.text.clone()
                }
            })?;
        }
        Command::Classify(args) => {
            let services = if args.no_services {
                Some(Vec::new())
            } else if args.services.is_empty() {
                None
            } else {
                Some(args.services)
            };
            let input = Classification {
                kind: args.kind.as_deref().map(str::parse).transpose()?,
                level: args.level,
                services,
                segment: args.segment,
                customer_facing: args.customer_facing,
            };
            let entry = desk.classify(&args.reference, input, at)?;
            print.entry(&args.reference, &entry)?;
        }
        Command::Edit {
            reference,
            title,
            summary,
        } => {
            if title.is_none() && summary.is_none() {
                return Err(CliError::Usage("give --title and/or --summary".into()));
            }
            let entry = desk.edit(&reference, title, summary, at)?;
            print.entry(&reference, &entry)?;
        }
        Command::Stage {
            reference,
            stage,
            state,
            reason,
        } => {
            let entry = desk.set_stage(&reference, stage.parse()?, state.parse()?, reason, at)?;
            print.entry(&reference, &entry)?;
        }
        Command::Status { reference, status } => {
            let entry = desk.set_status(&reference, status.parse()?, at)?;
            print.entry(&reference, &entry)?;
        }
        Command::Assign {
            reference,
            role,
            person,
        } => {
            let entry = desk.assign(&reference, role.parse()?, &person, at)?;
            print.entry(&reference, &entry)?;
        }
        Command::Relieve {
            reference,
            role,
            person,
        } => {
            let entry = desk.relieve(&reference, role.parse()?, person.as_deref(), at)?;
            print.entry(&reference, &entry)?;
        }
        Command::Note {
            reference,
            text,
            corrects,
        } => {
            let entry = desk.add_note(&reference, &text, at, corrects)?;
            print.entry(&reference, &entry)?;
        }
        Command::Comms(command) => comms(&desk, &print, command, at)?,
        Command::Review {
            reference,
            field,
            text,
        } => {
            let entry = desk.update_review(&reference, field.parse()?, &text, at)?;
            print.entry(&reference, &entry)?;
        }
        Command::Action(ActionCommand::Add {
            reference,
            title,
            owner,
            due,
        }) => {
            let item =
                desk.add_action_item(&reference, &title, owner.as_deref(), due.as_deref(), at)?;
            print.value(&item, || {
                format!(
                    "{}: added action item {} \"{}\"",
                    reference, item.id, item.title
                )
            })?;
        }
        Command::Action(ActionCommand::Set {
            reference,
            id,
            state,
        }) => {
            let entry = desk.set_action_item_state(&reference, &id, state.parse()?, at)?;
            print.entry(&reference, &entry)?;
        }
        Command::Action(ActionCommand::Edit {
            reference,
            id,
            title,
            owner,
            due,
        }) => {
            let clear = |v: Option<String>| {
                v.map(|v| {
                    if v.eq_ignore_ascii_case("none") {
                        None
                    } else {
                        Some(v)
                    }
                })
            };
            let (owner, due) = (clear(owner), clear(due));
            let entry = desk.edit_action_item(
                &reference,
                &id,
                title.as_deref(),
                owner.as_ref().map(|o| o.as_deref()),
                due.as_ref().map(|d| d.as_deref()),
                at,
            )?;
            print.entry(&reference, &entry)?;
        }
        Command::Close { reference } => {
            let entry = desk.close(&reference, at)?;
            print.entry(&reference, &entry)?;
        }
        Command::Export {
            reference,
            md,
            pdf,
            output,
        } => export(&desk, &reference, md, pdf, cli.json, output)?,
        Command::Import { file } => {
            let export = Desk::read_export_file(&file)?;
            let record = desk.import(export)?;
            print.value(&record, || {
                format!("Imported {}: {}", record.reference, record.title)
            })?;
        }
        Command::People { command } => match command {
            None => {
                let people = desk.people()?;
                print.value(&people, || output::people(&people))?;
            }
            Some(PeopleCommand::Add {
                name,
                handle,
                contact,
                team,
            }) => {
                let person = desk.save_person(&Person {
                    name,
                    handle,
                    contact,
                    team,
                })?;
                print.value(&person, || format!("Saved {}", person.name))?;
            }
        },
        Command::Levels { command } => match command {
            None => {
                let levels = desk.levels()?;
                print.value(&levels, || output::levels(&levels))?;
            }
            Some(LevelCommand::Add { name, description }) => {
                let level = desk.add_level(&name, &description)?;
                print.value(&level, || {
                    format!("Added level {} (rank {})", level.name, level.rank)
                })?;
            }
            Some(LevelCommand::Expect { level, roles, show }) => {
                let roles = if show {
                    desk.expected_roles(&level)?
                } else {
                    let parsed = roles
                        .iter()
                        .map(|r| r.parse())
                        .collect::<Result<Vec<incident_core::domain::Role>, _>>()?;
                    desk.set_expected_roles(&level, &parsed)?
                };
                print.value(&roles, || {
                    let names: Vec<&str> = roles.iter().map(|r| r.title()).collect();
                    if names.is_empty() {
                        format!("{level} expects no particular roles")
                    } else {
                        format!("{level} expects: {}", names.join(", "))
                    }
                })?;
            }
        },
        Command::Policy(PolicyCommand::Show { level }) => {
            let policies = match level {
                Some(level) => vec![desk.policy(&level)?],
                None => desk.policies()?,
            };
            print.value(&policies, || output::policies(&policies))?;
        }
        Command::Policy(PolicyCommand::Set {
            level,
            key,
            duration,
        }) => {
            let policy = if key.trim().eq_ignore_ascii_case("approval") {
                let required = match duration.trim().to_ascii_lowercase().as_str() {
                    "on" | "yes" | "true" => true,
                    "off" | "no" | "false" => false,
                    _ => return Err(CliError::Usage("approval is on or off".into())),
                };
                desk.set_approval(&level, required)?
            } else {
                let key: PolicyKey = key.parse()?;
                desk.set_policy(&level, key, parse_policy_value(&duration)?)?
            };
            print.value(&policy, || output::policies(std::slice::from_ref(&policy)))?;
        }
        Command::Deadlines { reference } => {
            let all = match reference {
                Some(reference) => vec![desk.deadlines(&reference)?],
                None => desk.open_deadlines()?,
            };
            print.value(&all, || output::deadlines(&all, desk.now()))?;
        }
        Command::Snooze {
            reference,
            key,
            duration,
        } => {
            let seconds = match Span::parse(&duration)? {
                Span::Seconds(s) => s,
                Span::WorkingDays(_) => {
                    return Err(CliError::Usage(
                        "snooze for minutes or hours, e.g. 15m".into(),
                    ));
                }
            };
            let entry = desk.snooze(&reference, &key, seconds)?;
            print.entry(&reference, &entry)?;
        }
        Command::Backup { to } => {
            let info = match to {
                Some(path) => desk.backup_to(&path)?,
                None => desk.backup_now()?,
            };
            print.value(&info, || {
                format!(
                    "Backed up to {} ({} bytes)",
                    info.path.display(),
                    info.bytes
                )
            })?;
        }
        Command::Backups => {
            let backups = desk.backups()?;
            print.value(&backups, || output::backups(&backups))?;
        }
        Command::Restore { file } => {
            let safety = desk.restore_from(&file)?;
            print.value(&safety, || {
                format!(
                    "Restored {} into {}; the previous state was saved to {}",
                    file.display(),
                    desk.path().display(),
                    safety.path.display()
                )
            })?;
        }
        Command::Alert(args) => crate::alerts::send(&desk, &print, args)?,
        Command::Alerts { all, command } => crate::alerts::inbox(&desk, &print, all, command)?,
        Command::Intake(command) => crate::alerts::intake(&desk, &print, command)?,
        Command::Sync(command) => crate::team::sync(&desk, &print, command)?,
        Command::Team { command } => crate::team::team(&desk, &print, command)?,
        Command::Task(command) => crate::playbooks::task(&desk, &print, command, at)?,
        Command::Checklist { reference } => crate::playbooks::checklist(&desk, &print, &reference)?,
        Command::Check {
            reference,
            item,
            skip,
            reopen,
        } => {
            let state = if skip {
                CheckState::Skipped
            } else if reopen {
                CheckState::Open
            } else {
                CheckState::Done
            };
            let entry = desk.mark_check(&reference, &item, state, at)?;
            print.entry(&reference, &entry)?;
        }
        Command::Hypothesis {
            reference,
            entry,
            state,
        } => {
            let entry = desk.mark_hypothesis(&reference, &entry, state.parse()?, at)?;
            print.entry(&reference, &entry)?;
        }
        Command::Playbook(command) => crate::playbooks::playbook(&desk, &print, command)?,
    }
    Ok(())
}

/// Writes an export; warns (on stderr) about what the review still lacks.
fn export(
    desk: &Desk,
    reference: &str,
    md: bool,
    pdf: bool,
    json: bool,
    output: Option<PathBuf>,
) -> Result<(), CliError> {
    if let Some(path) = &output {
        desk.refuse_own_files(path)?;
    }
    let export = desk.export(reference)?;
    let bytes: Vec<u8> = if pdf {
        if output.is_none() {
            return Err(CliError::Usage("--pdf needs -o FILE".into()));
        }
        incident_report::render_pdf(&export).map_err(|e| CliError::Usage(e.to_string()))?
    } else if md {
        incident_core::markdown::render(&export).into_bytes()
    } else if json {
        let mut text = serde_json::to_string_pretty(&export)?;
        text.push('\n');
        text.into_bytes()
    } else {
        return Err(CliError::Usage(
            "choose a format: --pdf, --md or --json".into(),
        ));
    };
    if pdf || md {
        for missing in review_checklist(&export.incident) {
            terminal::warn(&format!("idesk: note: {missing}"));
        }
    }
    match output {
        Some(path) => Ok(incident_core::files::write_atomically(&path, &bytes)?),
        None => {
            // A Markdown report shown in a terminal is human output; piped
            // or redirected, it stays exact.
            use std::io::IsTerminal as _;
            if md && std::io::stdout().is_terminal() {
                let text = String::from_utf8_lossy(&bytes);
                terminal::write_stdout(terminal::neutralize(&text).as_bytes())?;
            } else {
                terminal::write_stdout(&bytes)?;
            }
            Ok(())
        }
    }
}

fn comms(
    desk: &Desk,
    print: &Printer,
    command: CommsCommand,
    at: Option<Timestamp>,
) -> Result<(), CliError> {
    match command {
        CommsCommand::Draft {
            reference,
            channel,
            body,
            subject,
            template,
            segment,
        } => {
            // With --body, only the id (for scripts); filled from a template,
            // the id and then the text.
            let given = body.is_some();
            let comm = desk.draft_message(
                &reference,
                DraftRequest {
                    channel: Some(channel.parse()?),
                    segment: Some(segment),
                    body,
                    subject,
                    template,
                },
            )?;
            print.value(&comm, || {
                if given {
                    comm.id.clone()
                } else {
                    output::draft(&comm)
                }
            })?;
        }
        CommsCommand::Edit {
            reference,
            id,
            body,
            subject,
        } => {
            let comm = desk.edit_communication(&reference, &id, &body, subject)?;
            print.value(&comm, || format!("Edited {}", comm.id))?;
        }
        CommsCommand::Send {
            reference,
            id,
            channel,
            body,
            segment,
        } => {
            let comm = match (id, channel, body) {
                (Some(id), None, None) => desk.send_communication(&reference, &id, at)?,
                (None, Some(channel), Some(body)) => desk.record_sent_communication(
                    &reference,
                    channel.parse()?,
                    &segment,
                    &body,
                    at,
                )?,
                _ => {
                    return Err(CliError::Usage(
                        "give the id of a draft, or --channel and --body of a message sent elsewhere".into(),
                    ));
                }
            };
            print.value(&comm, || format!("Sent {} ({})", comm.id, comm.channel))?;
        }
        CommsCommand::Publish { reference, id } => {
            let comm = desk.publish_communication(&reference, &id)?;
            print.value(&comm, || {
                format!(
                    "Published {} to {}",
                    comm.id,
                    comm.published_to.clone().unwrap_or_default()
                )
            })?;
        }
        CommsCommand::Queue { .. }
        | CommsCommand::Mailto { .. }
        | CommsCommand::Cancel { .. }
        | CommsCommand::Outbox
        | CommsCommand::Deliver
        | CommsCommand::Matrix { .. }
        | CommsCommand::Slack { .. }
        | CommsCommand::Statuspage { .. }
        | CommsCommand::Email { .. } => crate::outbox::outbox(desk, print, command)?,
        CommsCommand::Approve { reference, id } => {
            let comm = desk.approve_communication(&reference, &id, at)?;
            print.value(&comm, || format!("Approved {}", comm.id))?;
        }
        CommsCommand::Discard { reference, id } => {
            let comm = desk.discard_communication(&reference, &id, at)?;
            print.value(&comm, || format!("Discarded {}", comm.id))?;
        }
        CommsCommand::Text { reference, id } => {
            let text = desk.communication_text(&reference, &id)?;
            print.value(&text, || text.clone())?;
        }
        CommsCommand::List { reference } => {
            let detail = desk.incident(&reference)?;
            let comms = &detail.record.communications;
            print.value(comms, || output::communications(comms))?;
        }
        CommsCommand::Templates => {
            let templates = desk.templates()?;
            print.value(&templates, || output::templates(&templates))?;
        }
        CommsCommand::Template {
            name,
            channel,
            status,
            security,
            subject,
            body,
        } => {
            let template = desk.save_template(&Template {
                name,
                channel: channel.parse()?,
                status: status.as_deref().map(str::parse).transpose()?,
                security,
                subject,
                body,
                builtin: false,
            })?;
            print.value(&template, || format!("Saved template {}", template.name))?;
        }
        CommsCommand::Webhook {
            channel,
            url,
            format,
            timeout,
        } => {
            let url = (!url.trim().eq_ignore_ascii_case("off")).then_some(url);
            let settings = desk.set_webhook(
                channel.parse()?,
                url.as_deref(),
                WebhookFormat::parse(&format)?,
                timeout,
            )?;
            print.value(&settings, || {
                format!(
                    "{}: {}",
                    settings.channel,
                    settings
                        .webhook
                        .clone()
                        .unwrap_or_else(|| "no webhook".into())
                )
            })?;
        }
        CommsCommand::Channels => {
            let settings = desk.channel_settings()?;
            print.value(&settings, || output::channels(&settings))?;
        }
    }
    Ok(())
}
