//! The catch-up brief: what someone joining or taking over needs, short
//! enough to read aloud on a call. Plain text, and Markdown (with what
//! people typed escaped) for a chat. Pure: the record, its timeline and
//! its deadlines in, the brief out.

use super::{
    ActionState, CheckState, ChecklistLine, CommunicationState, Deadline, DeadlineState, EntryKind,
    HypothesisState, IncidentRecord, Role, Stage, TimelineEntry, hypotheses, hypothesis_text,
};
use crate::markdown::escape;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Notes recounted under "tried" (the newest ones).
const NOTES: usize = 5;
/// Open checklist items named (the rest are counted): the brief is read aloud.
const CHECKLIST_NAMED: usize = 3;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Brief {
    #[serde(rename = "ref")]
    #[ts(rename = "ref")]
    pub reference: String,
    pub text: String,
    pub markdown: String,
}

/// One line of the brief: a label and what it says; `quoted` parts were
/// typed by people (escaped in Markdown).
struct Line {
    label: &'static str,
    parts: Vec<Part>,
}

enum Part {
    Ours(String),
    Typed(String),
}

fn clock(at: Timestamp) -> String {
    at.to_datetime().format("%H:%M").to_string()
}

/// The clock time, with the day when it is not today.
fn day_and_clock(at: Timestamp, now: Timestamp) -> String {
    if at.to_datetime().date_naive() == now.to_datetime().date_naive() {
        clock(at)
    } else {
        at.to_datetime().format("%a %d %b %H:%M").to_string()
    }
}

pub fn brief(
    record: &IncidentRecord,
    timeline: &[TimelineEntry],
    deadlines: &[Deadline],
    checklist: &[ChecklistLine],
    now: Timestamp,
) -> Brief {
    use Part::{Ours, Typed};
    let mut lines = Vec::new();
    let minutes = (now.millis() - record.started_at.millis()).max(0) / 60_000;
    let mut head = vec![Ours(format!(
        "{} {} incident, {}, ",
        record.level,
        record.kind.as_str().replace('_', " "),
        record.status.as_str()
    ))];
    head.push(Ours(match record.resolved_at {
        Some(resolved) => format!(
            "resolved at {} after {} min of impact",
            clock(resolved),
            (resolved.millis() - record.started_at.millis()).max(0) / 60_000
        ),
        None => format!("impact since {} ({minutes} min)", clock(record.started_at)),
    }));
    lines.push(Line {
        label: "Now",
        parts: head,
    });

    let mut known = Vec::new();
    if record.scope.services.is_empty() {
        known.push(Ours("services not set".into()));
    } else {
        known.push(Ours("services ".into()));
        known.push(Typed(record.scope.services.join(", ")));
    }
    if !record.scope.segment.trim().is_empty() {
        known.push(Ours("; affects ".into()));
        known.push(Typed(record.scope.segment.clone()));
    }
    if record.scope.customer_facing {
        known.push(Ours("; customer-facing".into()));
    }
    if !record.summary.trim().is_empty() {
        known.push(Ours("; ".into()));
        known.push(Typed(record.summary.clone()));
    }
    lines.push(Line {
        label: "Known",
        parts: known,
    });

    let stages: Vec<String> = Stage::ALL
        .iter()
        .map(|&stage| {
            format!(
                "{} {}",
                stage.as_str(),
                record.stages.get(stage).state.as_str()
            )
        })
        .collect();
    lines.push(Line {
        label: "Stages",
        parts: vec![Ours(stages.join(", "))],
    });

    let notes: Vec<&TimelineEntry> = timeline
        .iter()
        .filter(|e| {
            e.kind == EntryKind::Note && e.superseded_by.is_none() && hypothesis_text(e).is_none()
        })
        .collect();
    let mut tried = Vec::new();
    for (i, note) in notes.iter().rev().take(NOTES).rev().enumerate() {
        if i > 0 {
            tried.push(Ours("; ".into()));
        }
        tried.push(Ours(format!("{} ", clock(note.occurred_at))));
        tried.push(Typed(note.text.clone()));
        tried.push(Ours(" (".into()));
        tried.push(Typed(note.author.clone()));
        tried.push(Ours(")".into()));
    }
    if tried.is_empty() {
        tried.push(Ours("no notes yet".into()));
    }
    lines.push(Line {
        label: "Tried and seen",
        parts: tried,
    });

    let all_hypotheses = hypotheses(record, timeline);
    if !all_hypotheses.is_empty() {
        let mut parts = Vec::new();
        for state in [
            HypothesisState::Open,
            HypothesisState::Confirmed,
            HypothesisState::RuledOut,
        ] {
            let these: Vec<_> = all_hypotheses.iter().filter(|h| h.state == state).collect();
            if these.is_empty() {
                continue;
            }
            if !parts.is_empty() {
                parts.push(Ours("; ".into()));
            }
            parts.push(Ours(format!("{}: ", state.as_str().replace('_', " "))));
            for (i, hypothesis) in these.iter().enumerate() {
                if i > 0 {
                    parts.push(Ours(", ".into()));
                }
                parts.push(Typed(hypothesis.text.clone()));
            }
        }
        lines.push(Line {
            label: "Hypotheses",
            parts,
        });
    }

    let mut roles = Vec::new();
    for role in [
        Role::Commander,
        Role::Deputy,
        Role::Scribe,
        Role::Communications,
        Role::Operations,
        Role::Support,
        Role::Expert,
    ] {
        let holders: Vec<&str> = record.holders(role).map(|r| r.person.as_str()).collect();
        if holders.is_empty() {
            if role == Role::Commander {
                roles.push(Ours("no commander; ".into()));
            }
            continue;
        }
        roles.push(Ours(format!("{} ", role.title())));
        roles.push(Typed(holders.join(", ")));
        roles.push(Ours("; ".into()));
    }
    if let Some(Ours(last)) = roles.last_mut() {
        *last = last.trim_end_matches("; ").to_string();
    }
    lines.push(Line {
        label: "Roles",
        parts: roles,
    });

    let last_public = record
        .communications
        .iter()
        .filter(|c| c.state == CommunicationState::Sent && c.channel.is_public())
        .max_by_key(|c| c.sent_at);
    let mut users = match last_public.and_then(|c| c.sent_at.map(|at| (c, at))) {
        Some((message, at)) => vec![
            Ours(format!(
                "last told at {} on {}: ",
                clock(at),
                message.channel.as_str().replace('_', " ")
            )),
            Typed(first_sentence(&message.body)),
        ],
        None => vec![Ours("not told anything yet".into())],
    };
    if let Some(due) = deadlines.iter().find(|d| {
        matches!(d.key.as_str(), "first_update" | "next_update") && d.state != DeadlineState::Met
    }) {
        users.push(Ours(format!("; next update due {}", clock(due.due_at))));
    }
    lines.push(Line {
        label: "Users",
        parts: users,
    });

    let open_items: Vec<_> = record
        .action_items
        .iter()
        .filter(|a| a.state == ActionState::Open)
        .collect();
    if !open_items.is_empty() {
        let mut parts = Vec::new();
        for (i, item) in open_items.iter().enumerate() {
            if i > 0 {
                parts.push(Ours("; ".into()));
            }
            parts.push(Typed(item.title.clone()));
            if let Some(owner) = &item.owner {
                parts.push(Ours(" (".into()));
                parts.push(Typed(owner.clone()));
                parts.push(Ours(")".into()));
            }
        }
        lines.push(Line {
            label: "Open items",
            parts,
        });
    }

    let open_tasks: Vec<_> = record.tasks.iter().filter(|t| t.is_open()).collect();
    if !open_tasks.is_empty() {
        let mut parts = Vec::new();
        for (i, task) in open_tasks.iter().enumerate() {
            if i > 0 {
                parts.push(Ours("; ".into()));
            }
            parts.push(Typed(task.title.clone()));
            let owner = match (&task.owner, task.owner_role) {
                (Some(owner), _) => Some(Typed(owner.clone())),
                (None, Some(role)) => Some(Ours(format!("the {}", role.title()))),
                (None, None) => None,
            };
            if let Some(owner) = owner {
                parts.push(Ours(" (".into()));
                parts.push(owner);
                parts.push(Ours(")".into()));
            }
            if let Some(due) = task.due_at {
                let late = if due < now { ", overdue" } else { "" };
                parts.push(Ours(format!(" due {}{late}", clock(due))));
            }
        }
        lines.push(Line {
            label: "Tasks",
            parts,
        });
    }

    if !checklist.is_empty() {
        let settled = checklist
            .iter()
            .filter(|l| l.state != CheckState::Open)
            .count();
        let open: Vec<_> = checklist
            .iter()
            .filter(|l| l.state == CheckState::Open)
            .collect();
        let mut parts = vec![Ours(format!("{settled} of {} settled", checklist.len()))];
        if !open.is_empty() {
            parts.push(Ours("; open: ".into()));
            for (i, line) in open.iter().take(CHECKLIST_NAMED).enumerate() {
                if i > 0 {
                    parts.push(Ours("; ".into()));
                }
                parts.push(Ours(format!("{}: ", line.stage.as_str())));
                parts.push(Typed(headline(&line.text)));
            }
            if open.len() > CHECKLIST_NAMED {
                parts.push(Ours(format!("; and {} more", open.len() - CHECKLIST_NAMED)));
            }
        }
        lines.push(Line {
            label: "Checklist",
            parts,
        });
    }

    let mut next: Vec<&Deadline> = deadlines
        .iter()
        .filter(|d| d.state != DeadlineState::Met)
        .collect();
    next.sort_by_key(|d| d.due_at);
    if !next.is_empty() {
        // The three soonest, and a playbook clock (a legal notification
        // deadline) however far it is.
        let said: Vec<String> = next
            .iter()
            .enumerate()
            .filter(|(i, d)| *i < 3 || d.key.starts_with("check:"))
            .map(|(_, d)| {
                let late = if d.due_at < now { " (overdue)" } else { "" };
                format!("{} {}{late}", d.label, day_and_clock(d.due_at, now))
            })
            .collect();
        lines.push(Line {
            label: "Next deadlines",
            parts: vec![Ours(said.join("; "))],
        });
    }

    let title = format!("{} {}", record.reference, record.title);
    let mut text = format!("{title} (times UTC)\n");
    let mut markdown = format!(
        "**{}** {} (times UTC)\n\n",
        record.reference,
        escape(&record.title)
    );
    for line in &lines {
        let plain: String = line
            .parts
            .iter()
            .map(|p| match p {
                Ours(s) | Typed(s) => s.as_str(),
            })
            .collect();
        let marked: String = line
            .parts
            .iter()
            .map(|p| match p {
                Ours(s) => s.clone(),
                Typed(s) => escape(s),
            })
            .collect();
        text.push_str(&format!("{}: {plain}\n", line.label));
        markdown.push_str(&format!("- **{}:** {marked}\n", line.label));
    }
    Brief {
        reference: record.reference.clone(),
        text,
        markdown,
    }
}

/// An item's words up to its first aside (a colon, a bracket, a semicolon):
/// "Notify the supervisory authority (GDPR: …)" reads "Notify the
/// supervisory authority". The whole text is in the room.
fn headline(text: &str) -> String {
    let head = text
        .split([':', '(', ';'])
        .next()
        .unwrap_or(text)
        .trim_end_matches([' ', ',']);
    if head.len() < text.trim_end().len() {
        format!("{head}…")
    } else {
        head.to_owned()
    }
}

/// A message's first sentence (or its first 160 characters): enough to
/// recall what users were told.
fn first_sentence(body: &str) -> String {
    let flat = body.split_whitespace().collect::<Vec<_>>().join(" ");
    let end = flat.find(". ").map(|i| i + 1).unwrap_or(flat.len());
    let sentence: String = flat[..end].chars().take(160).collect();
    if sentence.len() < flat.len() {
        format!("{}…", sentence.trim_end_matches('.'))
    } else {
        sentence
    }
}
