//! The Markdown export: the same sections as the review report, for pasting
//! into wikis. Every piece of user text is escaped, so it reads as text and
//! never becomes markup (no headings, links, HTML or table breaks).

use crate::desk::IncidentExport;
use crate::domain::*;
use crate::format::metric;
use std::fmt::Write as _;

/// Escapes Markdown and HTML so `text` renders literally (inline).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' => out.push_str("<br>"),
            '\r' => {}
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '+' | '-' | '.'
            | '!' | '|' | '~' | '$' | '@' | '=' | '^' | ':' => {
                out.push('\\');
                out.push(ch);
            }
            _ => out.push(ch),
        }
    }
    out
}

fn opt(value: Option<&str>) -> String {
    value.map(escape).unwrap_or_else(|| "—".to_owned())
}

fn time(value: Option<crate::time::Timestamp>) -> String {
    value
        .map(|t| t.to_string())
        .unwrap_or_else(|| "—".to_owned())
}

/// Renders the whole incident as Markdown.
pub fn render(export: &IncidentExport) -> String {
    let i = &export.incident;
    let m = &export.metrics;
    let mut md = String::new();
    let _ = writeln!(md, "# {} — {}\n", i.reference, escape(&i.title));
    let _ = writeln!(md, "| | |\n|---|---|");
    let _ = writeln!(md, "| Level | {} |", escape(&i.level));
    let _ = writeln!(md, "| Kind | {} |", i.kind);
    let _ = writeln!(md, "| Public status | {} |", i.status);
    let _ = writeln!(md, "| Source | {} |", i.source);
    let _ = writeln!(md, "| Commander | {} |", opt(i.commander()));
    let _ = writeln!(md, "| Impact started | {} |", i.started_at);
    let _ = writeln!(md, "| Detected | {} |", i.detected_at);
    let _ = writeln!(md, "| Declared | {} |", i.declared_at);
    let _ = writeln!(md, "| Resolved | {} |", time(i.resolved_at));
    let _ = writeln!(md, "| Closed | {} |", time(i.closed_at));

    let _ = writeln!(md, "\n## Summary\n\n{}", text_block(&i.summary));
    let _ = writeln!(md, "\n## Scope\n");
    let services = if i.scope.services.is_empty() {
        "—".to_owned()
    } else {
        i.scope
            .services
            .iter()
            .map(|s| escape(s))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(md, "- Affected services: {services}");
    let _ = writeln!(md, "- Affected users: {}", text_or_dash(&i.scope.segment));
    let _ = writeln!(
        md,
        "- Customer-facing: {}",
        if i.scope.customer_facing { "yes" } else { "no" }
    );

    let _ = writeln!(
        md,
        "\n## Metrics\n\n| Metric | Value | Definition |\n|---|---|---|"
    );
    for row in m.rows() {
        let _ = writeln!(
            md,
            "| {} | {} | {} |",
            row.label,
            metric(row.seconds),
            row.definition
        );
    }

    let _ = writeln!(
        md,
        "\n## Stages\n\n| Stage | State | Started | Completed | Note |\n|---|---|---|---|---|"
    );
    for (stage, record) in i.stages.iter() {
        let _ = writeln!(
            md,
            "| {stage} | {} | {} | {} | {} |",
            record.state,
            time(record.started_at),
            time(record.completed_at),
            opt(record.reason.as_deref())
        );
    }

    let _ = writeln!(
        md,
        "\n## Roles\n\n| Role | Person | From | To |\n|---|---|---|---|"
    );
    for a in &i.roles {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} |",
            a.role,
            escape(&a.person),
            a.assumed_at,
            time(a.relieved_at)
        );
    }

    let _ = writeln!(md, "\n## Communications sent\n");
    let sent: Vec<&Communication> = i
        .communications
        .iter()
        .filter(|c| c.state == CommunicationState::Sent)
        .collect();
    if sent.is_empty() {
        let _ = writeln!(md, "None.");
    }
    for c in sent {
        let segment = if c.segment.is_empty() {
            String::new()
        } else {
            format!(" to {}", escape(&c.segment))
        };
        let _ = writeln!(
            md,
            "- **{}**{segment}, {}: {}",
            c.channel,
            time(c.sent_at),
            escape(&c.body)
        );
    }

    let _ = writeln!(
        md,
        "\n## Timeline\n\n| # | When | Who | What | Entry |\n|---|---|---|---|---|"
    );
    let mut entries: Vec<&TimelineEntry> = export.timeline.iter().collect();
    entries.sort_by_key(|e| (e.occurred_at, e.n));
    for e in entries {
        let mut text = escape(&e.text);
        if let Some(target) = e.supersedes {
            text = format!("(corrects #{target}) {text}");
        }
        if let Some(by) = e.superseded_by {
            text = format!("{text} (corrected by #{by})");
        }
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} |",
            e.n,
            e.occurred_at,
            escape(&e.author),
            e.kind.as_str(),
            text
        );
    }

    let r = &i.review;
    for (title, body) in [
        ("Review summary", &r.summary),
        ("Impact", &r.impact),
        ("Root cause", &r.root_cause),
        ("Contributing factors", &r.contributing_factors),
        ("What went well", &r.went_well),
        ("What went badly", &r.went_badly),
        ("Where we got lucky", &r.lucky),
    ] {
        let _ = writeln!(md, "\n## {title}\n\n{}", text_block(body));
    }

    let _ = writeln!(
        md,
        "\n## Action items\n\n| Action | Owner | Due | State |\n|---|---|---|---|"
    );
    for a in &i.action_items {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} |",
            escape(&a.title),
            opt(a.owner.as_deref()),
            opt(a.due.as_deref()),
            a.state
        );
    }
    md
}

fn text_or_dash(text: &str) -> String {
    if text.trim().is_empty() {
        "—".to_owned()
    } else {
        escape(text)
    }
}

fn text_block(text: &str) -> String {
    if text.trim().is_empty() {
        "_Not written yet._".to_owned()
    } else {
        escape(text)
    }
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_in_user_text_is_escaped() {
        assert_eq!(escape("# not a heading"), "\\# not a heading");
        assert_eq!(
            escape("<img src=x onerror=alert(1)>"),
            "&lt;img src\\=x onerror\\=alert\\(1\\)&gt;"
        );
        assert_eq!(escape("a | b\nc"), "a \\| b<br>c");
        assert_eq!(escape("[link](http://x)"), "\\[link\\]\\(http\\://x\\)");
    }
}
