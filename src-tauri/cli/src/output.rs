//! Human-readable output of `idesk`, and the switch to JSON.

use crate::commands::CliError;
use crate::terminal;
use incident_core::Timestamp;
use incident_core::desk::{BackupInfo, ChannelSettings, IncidentDeadlines};
use incident_core::domain::*;
use incident_core::format::{duration, metric};
use incident_core::model::{BoardRow, IncidentDetail, Level, Person};
use serde::Serialize;
use std::fmt::Write as _;

pub struct Printer {
    pub json: bool,
}

impl Printer {
    /// Prints `value` as JSON with `--json`, else the text `human` makes.
    pub fn value<T: Serialize>(
        &self,
        value: &T,
        human: impl FnOnce() -> String,
    ) -> Result<(), CliError> {
        let mut text = if self.json {
            serde_json::to_string_pretty(value)?
        } else {
            terminal::neutralize(&human()).into_owned()
        };
        if !text.ends_with('\n') {
            text.push('\n');
        }
        terminal::write_stdout(text.as_bytes())?;
        Ok(())
    }

    pub fn entry(&self, reference: &str, entry: &TimelineEntry) -> Result<(), CliError> {
        self.value(entry, || {
            format!("{}: {}", reference.to_uppercase(), entry.text)
        })
    }
}

pub fn board(rows: &[BoardRow], now: Timestamp) -> String {
    if rows.is_empty() {
        return "No open incidents.\n".to_owned();
    }
    let mut out = String::new();
    for row in rows {
        let stages: String = row.stages.iter().map(|s| stage_mark(s.state)).collect();
        let age = if row.closed_at.is_some() {
            "closed".to_owned()
        } else {
            duration(now.seconds_since(row.started_at))
        };
        let _ = writeln!(
            out,
            "{:<8} {:<3} {:<12} {:<14} {} {:>9}  {:<12} {}",
            row.reference,
            row.level,
            row.kind.as_str(),
            row.status.as_str(),
            stages,
            age,
            row.commander.as_deref().unwrap_or("—"),
            row.title
        );
    }
    out
}

/// One character per stage state: the board's compact tracker.
fn stage_mark(state: StageState) -> char {
    match state {
        StageState::Pending => '·',
        StageState::Active => '▶',
        StageState::Done => '✓',
        StageState::Skipped => '–',
        StageState::Deferred => '→',
    }
}

fn t(value: Option<Timestamp>) -> String {
    value
        .map(|t| t.to_string())
        .unwrap_or_else(|| "—".to_owned())
}

pub fn detail(detail: &IncidentDetail) -> String {
    let i = &detail.record;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}  {} {}  [{}]  {}",
        i.reference, i.level, i.kind, i.status, i.title
    );
    if !i.summary.is_empty() {
        let _ = writeln!(out, "{}", i.summary);
    }
    let _ = writeln!(
        out,
        "source {}, commander {}",
        i.source,
        i.commander().unwrap_or("—")
    );
    let _ = writeln!(
        out,
        "impact started {}, detected {}, declared {}, resolved {}, closed {}",
        i.started_at,
        i.detected_at,
        i.declared_at,
        t(i.resolved_at),
        t(i.closed_at)
    );
    let services = if i.scope.services.is_empty() {
        "—".to_owned()
    } else {
        i.scope.services.join(", ")
    };
    let _ = writeln!(
        out,
        "scope: services {services}; users {}; customer-facing {}",
        if i.scope.segment.is_empty() {
            "—"
        } else {
            &i.scope.segment
        },
        if i.scope.customer_facing { "yes" } else { "no" }
    );
    if !i.conflicts.is_empty() {
        let _ = writeln!(
            out,
            "\nConflicts: laptops changed the same thing at once (a new change settles each)"
        );
        for conflict in &i.conflicts {
            let number = detail
                .timeline
                .iter()
                .find(|e| e.id == conflict.entry_id)
                .map(|e| format!(" (#{})", e.n))
                .unwrap_or_default();
            let _ = writeln!(out, "  ! {}{number}", conflict.message);
        }
    }

    let _ = writeln!(out, "\nStages");
    for (stage, record) in i.stages.iter() {
        let reason = record
            .reason
            .as_deref()
            .map(|r| format!("  ({r})"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {} {:<12} {:<9} {}{reason}",
            stage_mark(record.state),
            stage.as_str(),
            record.state.as_str(),
            t(record.changed_at)
        );
    }
    if !i.roles.is_empty() {
        let _ = writeln!(out, "\nRoles");
        for a in &i.roles {
            let until = a
                .relieved_at
                .map(|r| format!(" until {r}"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {:<15} {:<20} from {}{until}",
                a.role.as_str(),
                a.person,
                a.assumed_at
            );
        }
    }
    let m = &detail.metrics;
    let _ = writeln!(out, "\nMetrics");
    for row in m.rows() {
        let label = row.label.to_lowercase();
        let _ = writeln!(out, "  {label:<22}{}", metric(row.seconds));
    }

    if !i.communications.is_empty() {
        let _ = writeln!(
            out,
            "\nCommunications\n{}",
            communications(&i.communications).trim_end()
        );
    }
    let _ = writeln!(out, "\nTimeline");
    for e in &detail.timeline {
        let mut marks = String::new();
        if let Some(target) = e.supersedes {
            let _ = write!(marks, " (corrects #{target})");
        }
        if let Some(by) = e.superseded_by {
            let _ = write!(marks, " (corrected by #{by})");
        }
        let _ = writeln!(
            out,
            "  #{:<4} {}  {:<12} {:<13} {}{marks}",
            e.n,
            e.occurred_at,
            e.author,
            e.kind.as_str(),
            e.text
        );
    }
    let r = &i.review;
    let parts = [
        ("summary", &r.summary),
        ("impact", &r.impact),
        ("root cause", &r.root_cause),
        ("contributing factors", &r.contributing_factors),
        ("went well", &r.went_well),
        ("went badly", &r.went_badly),
        ("lucky", &r.lucky),
    ];
    if parts.iter().any(|(_, text)| !text.is_empty()) {
        let _ = writeln!(out, "\nReview");
        for (name, text) in parts.iter().filter(|(_, text)| !text.is_empty()) {
            let _ = writeln!(out, "  {name}: {text}");
        }
    }
    if !detail.playbook.is_empty() {
        let settled = progress(&detail.playbook);
        let _ = writeln!(
            out,
            "\nPlaybook checklist: {} of {} settled (idesk checklist {})",
            settled.settled, settled.total, i.reference
        );
    }
    if !i.tasks.is_empty() {
        let _ = writeln!(out, "\nTasks");
        for (index, task) in i.tasks.iter().enumerate() {
            let state = if task.action_item_id.is_some() {
                "action item".to_owned()
            } else {
                task.state.to_string()
            };
            let _ = writeln!(
                out,
                "  {}. [{state}] {}  owner {}",
                index + 1,
                task.title,
                task.owner.as_deref().unwrap_or("—")
            );
        }
    }
    if !detail.hypotheses.is_empty() {
        let _ = writeln!(out, "\nHypotheses");
        for hypothesis in &detail.hypotheses {
            let _ = writeln!(
                out,
                "  #{} [{}] {}",
                hypothesis.n,
                hypothesis.state.as_str().replace('_', " "),
                hypothesis.text
            );
        }
    }
    if !i.action_items.is_empty() {
        let _ = writeln!(out, "\nAction items");
        for (index, a) in i.action_items.iter().enumerate() {
            let _ = writeln!(
                out,
                "  {}. [{}] {}  owner {}, due {}",
                index + 1,
                a.state.as_str(),
                a.title,
                a.owner.as_deref().unwrap_or("—"),
                a.due.as_deref().unwrap_or("—")
            );
        }
    }
    out
}

pub fn communications(comms: &[Communication]) -> String {
    let mut out = String::new();
    for c in comms {
        let sent = c.sent_at.map(|s| format!(" sent {s}")).unwrap_or_default();
        let _ = writeln!(
            out,
            "  {}  {:<11} {:<9}{sent}  {}",
            c.id,
            c.channel.as_str(),
            c.state.as_str(),
            c.body.lines().next().unwrap_or("")
        );
    }
    out
}

pub fn people(people: &[Person]) -> String {
    let mut out = String::new();
    for p in people {
        let _ = writeln!(
            out,
            "{:<24} {:<16} {:<24} {}",
            p.name, p.handle, p.contact, p.team
        );
    }
    if out.is_empty() {
        out.push_str("The people directory is empty.\n");
    }
    out
}

pub fn levels(levels: &[Level]) -> String {
    levels
        .iter()
        .map(|l| format!("{:<4} {}\n", l.name, l.description))
        .collect()
}

pub fn backups(backups: &[BackupInfo]) -> String {
    if backups.is_empty() {
        return "No backups yet.\n".to_owned();
    }
    backups
        .iter()
        .map(|b| format!("{}  {} bytes\n", b.path.display(), b.bytes))
        .collect()
}

pub fn policies(policies: &[Policy]) -> String {
    let mut out = String::new();
    for policy in policies {
        let _ = writeln!(out, "{}", policy.level);
        for key in PolicyKey::ALL {
            let value = policy
                .get(*key)
                .map(|s| s.to_string())
                .unwrap_or_else(|| "off".to_owned());
            let _ = writeln!(out, "  {:<13} {:<6} {}", key.as_str(), value, key.meaning());
        }
        let approval = if policy.approval { "on" } else { "off" };
        let _ = writeln!(
            out,
            "  {:<13} {approval:<6} drafts need the commander's approval before they are sent",
            "approval"
        );
    }
    out
}

pub fn deadlines(all: &[IncidentDeadlines], now: Timestamp) -> String {
    let mut out = String::new();
    for incident in all {
        let _ = writeln!(
            out,
            "{} {}  {}",
            incident.reference, incident.level, incident.title
        );
        if incident.deadlines.is_empty() {
            let _ = writeln!(out, "  no deadlines");
        }
        for d in &incident.deadlines {
            let when = match d.state {
                DeadlineState::Met => format!(
                    "met {}",
                    d.met_at.map(|t| t.to_string()).unwrap_or_default()
                ),
                _ => {
                    let left = d.due_at.seconds_since(now);
                    if left >= 0 {
                        format!("in {}", duration(left))
                    } else {
                        format!("{} ago", duration(-left))
                    }
                }
            };
            let state = serde_json::to_value(d.state)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {:<18} {:<8} due {}  {}",
                d.key, state, d.due_at, when
            );
        }
    }
    if out.is_empty() {
        out.push_str("No open incidents.\n");
    }
    out
}

pub fn draft(comm: &Communication) -> String {
    let mut out = format!("{}\n", comm.id);
    let limit = channel_limit(comm.channel)
        .map(|l| format!(" of {l}"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "[{} draft, {}{limit} characters]",
        comm.channel.as_str(),
        channel_length(comm.channel, &comm.body)
    );
    if let Some(subject) = &comm.subject {
        let _ = writeln!(out, "Subject: {subject}\n");
    }
    let _ = writeln!(out, "{}", comm.body);
    out
}

pub fn templates(templates: &[Template]) -> String {
    let mut out = String::new();
    for t in templates {
        let status = t.status.map(|s| s.as_str()).unwrap_or("any");
        let security = if t.security { " (security)" } else { "" };
        let _ = writeln!(
            out,
            "{}  [{} · {status}{security}]",
            t.name,
            t.channel.as_str()
        );
        if !t.subject.is_empty() {
            let _ = writeln!(out, "  Subject: {}", t.subject);
        }
        for line in t.body.lines() {
            let _ = writeln!(out, "  {line}");
        }
    }
    let _ = writeln!(out, "\nPlaceholders:");
    for (name, meaning) in PLACEHOLDERS {
        let _ = writeln!(out, "  {{{name}}}  {meaning}");
    }
    out
}

pub fn channels(settings: &[ChannelSettings]) -> String {
    settings
        .iter()
        .map(|s| {
            format!(
                "{:<12} {}  ({}, {} s){}\n",
                s.channel.as_str(),
                s.webhook.as_deref().unwrap_or("no webhook"),
                s.format.as_str(),
                s.timeout_secs,
                s.limit.map(|l| format!(", limit {l}")).unwrap_or_default()
            )
        })
        .collect()
}
