//! `idesk task`, `idesk checklist` and `idesk playbook`: live tasks, the
//! playbook checklist of an incident, and the playbooks themselves.

use crate::commands::CliError;
use crate::output::Printer;
use crate::{PlaybookCommand, TaskCommand};
use incident_core::domain::{
    CheckState, ChecklistLine, IncidentKind, Playbook, Span, Task, TaskState,
};
use incident_core::{Desk, DeskError, Timestamp};
use std::fmt::Write as _;

pub fn task(
    desk: &Desk,
    print: &Printer,
    command: TaskCommand,
    at: Option<Timestamp>,
) -> Result<(), CliError> {
    let state_change = |reference: &str, task: &str, state: TaskState| -> Result<(), CliError> {
        let entry = desk.set_task_state(reference, task, state, at)?;
        print.entry(reference, &entry)
    };
    match command {
        TaskCommand::Add {
            reference,
            title,
            owner,
            due,
        } => {
            let due_at = due
                .as_deref()
                .map(|text| due_time(text, at.unwrap_or_else(|| desk.now())))
                .transpose()?;
            let task = desk.add_task(&reference, &title, owner.as_deref(), due_at, at)?;
            print.value(&task, || {
                format!(
                    "{}: task \"{}\" {}",
                    reference.to_uppercase(),
                    task.title,
                    whose(&task)
                )
            })?;
        }
        TaskCommand::Done { reference, task } => state_change(&reference, &task, TaskState::Done)?,
        TaskCommand::Drop { reference, task } => {
            state_change(&reference, &task, TaskState::Dropped)?
        }
        TaskCommand::Reopen { reference, task } => {
            state_change(&reference, &task, TaskState::Open)?
        }
        TaskCommand::Promote { reference, task } => {
            let item = desk.promote_task(&reference, &task, at)?;
            print.value(&item, || {
                format!(
                    "{}: \"{}\" is now action item {}",
                    reference.to_uppercase(),
                    item.title,
                    item.id
                )
            })?;
        }
        TaskCommand::List { reference } => {
            let tasks = desk.tasks(&reference)?;
            let now = desk.now();
            print.value(&tasks, || tasks_text(&tasks, now))?;
        }
    }
    Ok(())
}

/// `30m`, `2h` from now, or an RFC 3339 time.
fn due_time(text: &str, now: Timestamp) -> Result<Timestamp, DeskError> {
    if let Ok(span) = Span::parse(text) {
        return Ok(span.after(now));
    }
    Timestamp::parse(text).map_err(|_| {
        DeskError::invalid(
            "due",
            format!("--due {text:?}: give a span (30m, 2h) or a time (2026-12-01T15:30:00Z)"),
        )
    })
}

fn whose(task: &Task) -> String {
    let owner = match (&task.owner, task.owner_role) {
        (Some(owner), Some(role)) => format!("for {owner} ({})", role.title()),
        (Some(owner), None) => format!("for {owner}"),
        (None, Some(role)) => format!("for the {} (nobody holds the role yet)", role.title()),
        (None, None) => "for nobody yet".to_owned(),
    };
    match task.due_at {
        Some(due) => format!("{owner}, due {}", due.to_datetime().format("%H:%M UTC")),
        None => owner,
    }
}

fn tasks_text(tasks: &[Task], now: Timestamp) -> String {
    if tasks.is_empty() {
        return "No tasks.".to_owned();
    }
    let mut out = String::new();
    for (i, task) in tasks.iter().enumerate() {
        let state = if task.action_item_id.is_some() {
            "action item".to_owned()
        } else if task.is_open() && task.due_at.is_some_and(|d| d < now) {
            "OVERDUE".to_owned()
        } else {
            task.state.to_string()
        };
        let _ = writeln!(
            out,
            "{:>3}. [{state}] {}  {}",
            i + 1,
            task.title,
            whose(task)
        );
    }
    out
}

pub fn checklist(desk: &Desk, print: &Printer, reference: &str) -> Result<(), CliError> {
    let lines = desk.checklist(reference)?;
    print.value(&lines, || checklist_text(&lines))
}

fn checklist_text(lines: &[ChecklistLine]) -> String {
    if lines.is_empty() {
        return "No playbook for this kind and level (idesk playbook show).".to_owned();
    }
    let settled = lines.iter().filter(|l| l.state != CheckState::Open).count();
    let mut out = format!("{settled} of {} settled\n", lines.len());
    for (i, line) in lines.iter().enumerate() {
        let mark = match line.state {
            CheckState::Open => "[ ]",
            CheckState::Done => "[x]",
            CheckState::Skipped => "[-]",
        };
        let mut extra = Vec::new();
        if let Some(role) = line.owner_role {
            extra.push(role.title().to_owned());
        }
        if let Some(due) = line.due_at {
            extra.push(format!(
                "due {}",
                due.to_datetime().format("%Y-%m-%d %H:%M UTC")
            ));
        }
        if let Some(by) = &line.by {
            extra.push(format!("{} by {by}", line.state));
        }
        let extra = if extra.is_empty() {
            String::new()
        } else {
            format!("  ({})", extra.join(", "))
        };
        let _ = writeln!(
            out,
            "{:>3}. {mark} {:<11} {}{extra}",
            i + 1,
            line.stage.as_str(),
            line.text
        );
    }
    out
}

pub fn playbook(desk: &Desk, print: &Printer, command: PlaybookCommand) -> Result<(), CliError> {
    match command {
        PlaybookCommand::Show { kind, level } => {
            let kind: Option<IncidentKind> = kind.as_deref().map(str::parse).transpose()?;
            let playbooks: Vec<Playbook> = desk
                .playbooks()?
                .into_iter()
                .filter(|p| kind.is_none_or(|k| p.kind == k))
                .filter(|p| {
                    level
                        .as_ref()
                        .is_none_or(|l| p.level.eq_ignore_ascii_case(l))
                })
                .collect();
            print.value(&playbooks, || playbooks_text(&playbooks))?;
        }
        PlaybookCommand::Export { output } => {
            let count = desk.export_playbooks(&output)?;
            print.value(&count, || {
                format!("Wrote {count} playbooks to {}", output.display())
            })?;
        }
        PlaybookCommand::Import { file } => {
            let playbooks = desk.import_playbooks(&file)?;
            print.value(&playbooks, || {
                let names: Vec<String> = playbooks
                    .iter()
                    .map(|p| format!("{} {} ({} items)", p.kind, p.level, p.items.len()))
                    .collect();
                format!(
                    "Imported {} playbooks: {}",
                    playbooks.len(),
                    names.join(", ")
                )
            })?;
        }
    }
    Ok(())
}

fn playbooks_text(playbooks: &[Playbook]) -> String {
    let mut out = String::new();
    for playbook in playbooks {
        let _ = writeln!(out, "{} {}", playbook.kind, playbook.level);
        if playbook.items.is_empty() {
            let _ = writeln!(out, "  (no items)");
        }
        for item in &playbook.items {
            let clock = item
                .due_hours
                .map(|h| format!(", clock {h} h"))
                .unwrap_or_default();
            let owner = item
                .owner_role
                .map(|r| format!(" ({}{clock})", r.title()))
                .unwrap_or_else(|| {
                    if clock.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", clock.trim_start_matches(", "))
                    }
                });
            let _ = writeln!(out, "  {:<11} {}{owner}", item.stage.as_str(), item.text);
        }
    }
    out
}
