//! The Markdown export: the same sections as the review report, for pasting
//! into wikis. Every piece of user text is escaped, so it reads as text and
//! never becomes markup (no headings, lists, emphasis, links, HTML or table
//! breaks), while dates, times and ordinary punctuation stay as typed.
//! Moments are printed as in the PDF report (`format::date_time`, UTC).

use crate::desk::IncidentExport;
use crate::domain::*;
use crate::format::{date_time, metric};
use std::fmt::Write as _;

/// Escapes `text` for one line of Markdown (CommonMark with GitHub's
/// extensions: tables, strikethrough, task lists, footnotes, math, emoji
/// codes) so that it renders as exactly the text typed. Only characters that
/// could start markup where they stand are escaped. Line breaks become
/// `<br>`, so the text stays in its paragraph, list item or table cell, and
/// block markers (`#`, `-`, `+`, `1.`) can only appear at its start.
/// Web addresses are left alone: a renderer may make them clickable, but
/// they still show as typed.
pub fn escape(text: &str) -> String {
    // Blank space around the text is dropped, as Markdown would drop it
    // (but four leading spaces would make a code block, and a lone `<br>` an
    // HTML block).
    let chars: Vec<char> = text.trim().chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    for (i, &ch) in chars.iter().enumerate() {
        let before = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
        let after = chars.get(i + 1).copied();
        let rest = chars.get(i + 1..).unwrap_or_default();
        let escaped = match ch {
            '<' => {
                out.push_str("&lt;");
                continue;
            }
            '>' => {
                out.push_str("&gt;");
                continue;
            }
            '&' if starts_entity(rest) => {
                out.push_str("&amp;");
                continue;
            }
            // Any line ending (`\n`, `\r\n`, `\r`) is one line break.
            '\r' if after == Some('\n') => continue,
            '\n' | '\r' => {
                out.push_str("<br>");
                continue;
            }
            // Escapes, code, emphasis, links, tables, strikethrough and math
            // can start anywhere in a line.
            '\\' | '`' | '*' | '[' | ']' | '|' | '~' | '$' => true,
            // An underscore between letters or digits (`db_primary`) can
            // neither open nor close emphasis.
            '_' => {
                !(before.is_some_and(char::is_alphanumeric)
                    && after.is_some_and(char::is_alphanumeric))
            }
            // A heading or a bullet list at the start; a trailing `#` would
            // be taken for a heading's closing sequence and cut.
            '#' => i == 0 || after.is_none(),
            '-' | '+' => i == 0,
            // `1.` or `1)` then a blank starts an ordered list; `2026.12.01`
            // does not.
            '.' | ')' => {
                (1..=9).contains(&i)
                    && chars.iter().take(i).all(char::is_ascii_digit)
                    && after.is_none_or(|c| c == ' ' || c == '\t')
            }
            // `:fire:` becomes 🔥 on GitHub; `09:26:30` stays.
            ':' => starts_emoji_code(rest),
            _ => false,
        };
        if escaped {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// Whether `&` followed by `rest` would be read as an entity (`&amp;`,
/// `&#35;`): only then does the ampersand need escaping.
fn starts_entity(rest: &[char]) -> bool {
    let body = rest.strip_prefix(&['#']).unwrap_or(rest);
    let name = body
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    name > 0 && body.get(name) == Some(&';')
}

/// Whether `:` followed by `rest` starts an emoji code like `:fire:` or
/// `:+1:`. A code needs a letter (or is `+1`/`-1`), so times (`09:26:30`,
/// `10:30-11:00`) are left alone; the two codes of digits only (`:100:`,
/// `:1234:`) are not worth escaping every time for.
fn starts_emoji_code(rest: &[char]) -> bool {
    let len = rest
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '-'))
        .count();
    let name = rest.get(..len).unwrap_or_default();
    rest.get(len) == Some(&':')
        && (name.iter().any(char::is_ascii_alphabetic) || name == ['+', '1'] || name == ['-', '1'])
}

fn opt(value: Option<&str>) -> String {
    value.map(escape).unwrap_or_else(|| "—".to_owned())
}

fn time(value: Option<crate::time::Timestamp>) -> String {
    value.map(date_time).unwrap_or_else(|| "—".to_owned())
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
    let _ = writeln!(md, "| Impact started | {} |", date_time(i.started_at));
    let _ = writeln!(md, "| Detected | {} |", date_time(i.detected_at));
    let _ = writeln!(md, "| Declared | {} |", date_time(i.declared_at));
    let _ = writeln!(md, "| Resolved | {} |", time(i.resolved_at));
    let _ = writeln!(md, "| Closed | {} |", time(i.closed_at));

    let _ = writeln!(md, "\n## Summary\n\n{}", summary(i));
    let _ = writeln!(md, "\n## Impact\n\n{}", text_block(&i.review.impact));
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
            date_time(a.assumed_at),
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
            date_time(e.occurred_at),
            escape(&e.author),
            e.kind.as_str(),
            text
        );
    }

    let r = &i.review;
    for (title, body) in [
        ("Root cause", &r.root_cause),
        ("Contributing factors", &r.contributing_factors),
        ("What went well", &r.went_well),
        ("What went badly", &r.went_badly),
        ("Where we got lucky", &r.lucky),
    ] {
        let _ = writeln!(md, "\n## {title}\n\n{}", text_block(body));
    }

    if !export.playbook.is_empty() {
        let _ = writeln!(
            md,
            "\n## Playbook checklist\n\n| Stage | Item | State | By |\n|---|---|---|---|"
        );
        for line in &export.playbook {
            let state = match line.state {
                crate::domain::CheckState::Open => "not done",
                other => other.as_str(),
            };
            let _ = writeln!(
                md,
                "| {} | {} | {state} | {} |",
                line.stage,
                escape(&line.text),
                opt(line.by.as_deref())
            );
        }
    }
    if !i.tasks.is_empty() {
        let _ = writeln!(
            md,
            "\n## Live tasks\n\n| Task | Owner | State |\n|---|---|---|"
        );
        for task in &i.tasks {
            let state = if task.action_item_id.is_some() {
                "became an action item".to_owned()
            } else {
                task.state.to_string()
            };
            let _ = writeln!(
                md,
                "| {} | {} | {state} |",
                escape(&task.title),
                opt(task.owner.as_deref())
            );
        }
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

/// The one summary of the report: the review's once written, else the
/// description given when the incident was declared, marked as such. The
/// PDF report chooses the same way.
fn summary(record: &IncidentRecord) -> String {
    if !record.review.summary.trim().is_empty() {
        escape(&record.review.summary)
    } else if !record.summary.trim().is_empty() {
        format!("{}\n\n_From the declaration._", escape(&record.summary))
    } else {
        text_block("")
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
    use super::{escape, render};
    use crate::desk::Declaration;
    use crate::domain::{IncidentKind, ReviewField, Role};
    use crate::{Desk, ManualClock, Timestamp};
    use proptest::prelude::*;
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    use std::sync::Arc;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    #[test]
    fn markup_in_user_text_is_escaped() {
        assert_eq!(escape("# not a heading"), "\\# not a heading");
        assert_eq!(
            escape("<img src=x onerror=alert(1)>"),
            "&lt;img src=x onerror=alert(1)&gt;"
        );
        assert_eq!(escape("a | b\nc"), "a \\| b<br>c");
        assert_eq!(escape("[link](http://x)"), "\\[link\\](http://x)");
        assert_eq!(
            escape("*bold* _emph_ `code`"),
            "\\*bold\\* \\_emph\\_ \\`code\\`"
        );
        assert_eq!(escape("1. first"), "1\\. first");
        assert_eq!(escape("- item"), "\\- item");
        assert_eq!(escape("Fix ##"), "Fix #\\#");
        assert_eq!(escape("&amp; &#35;"), "&amp;amp; &amp;#35;");
        assert_eq!(escape("~30% $5 :fire: :+1:"), "\\~30% \\$5 \\:fire: \\:+1:");
        assert_eq!(escape("    indented"), "indented");
    }

    #[test]
    fn dates_times_and_punctuation_stay_as_typed() {
        for text in [
            "2026.12.01 at 09:26:30, 10:30-11:00 (UTC)",
            "Deploy v1.2.3 rolled back - see https://grafana.example/d/x?a=1&b=2!",
            "db_primary lost 3 replicas; R&D paged @alice #incidents",
            "2026-12-04: 1.5x load = {not} ^ a problem",
            "東京 café 🔥 ✅",
        ] {
            assert_eq!(escape(text), text);
        }
    }

    /// Text parsed back from `markdown` by a CommonMark parser with GitHub's
    /// extensions, with `<br>` as `\n`; an error names anything that is
    /// not plain text (markup, HTML, code, links, math…).
    fn plain_text(markdown: &str) -> Result<String, String> {
        let options = Options::ENABLE_TABLES
            | Options::ENABLE_FOOTNOTES
            | Options::ENABLE_STRIKETHROUGH
            | Options::ENABLE_TASKLISTS
            | Options::ENABLE_MATH
            | Options::ENABLE_GFM
            | Options::ENABLE_WIKILINKS;
        let mut text = String::new();
        for event in Parser::new_ext(markdown, options) {
            match event {
                Event::Text(t) => text.push_str(&t),
                Event::InlineHtml(html) if &*html == "<br>" => text.push('\n'),
                Event::Start(
                    Tag::Paragraph
                    | Tag::Heading { .. }
                    | Tag::Table(_)
                    | Tag::TableHead
                    | Tag::TableRow
                    | Tag::TableCell
                    | Tag::List(None)
                    | Tag::Item,
                )
                | Event::End(
                    TagEnd::Paragraph
                    | TagEnd::Heading(_)
                    | TagEnd::Table
                    | TagEnd::TableHead
                    | TagEnd::TableRow
                    | TagEnd::TableCell
                    | TagEnd::List(false)
                    | TagEnd::Item,
                ) => {}
                other => return Err(format!("{other:?} in {markdown:?}")),
            }
        }
        Ok(text)
    }

    /// What the reader should see: the text as typed, line endings as `\n`,
    /// without the blank space around it.
    fn as_typed(text: &str) -> String {
        text.trim().replace("\r\n", "\n").replace('\r', "\n")
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Wherever the export puts user text (a paragraph of its own, a
        /// list item, a table cell, the title's heading), it reads back as
        /// exactly what was typed and as nothing else.
        #[test]
        fn escaped_text_reads_back_exactly(
            text in "[ a-z0-9#*_+.:()\\[\\]<>&;|~$`\\\\!=^{}@/'\"\t\r\n-]{0,24}\
                |[0-9]{1,3}[.)] ?[a-z]*|[- ]*|[a-z ]{0,3}&(#[0-9]{1,3}|lt|amp|x);[a-z ]{0,3}",
        ) {
            let typed = as_typed(&text);
            // After a label, as the heading and list item have it (a blank
            // at the end of a line is no text).
            let after = |label: &str| Ok(format!("{label}{typed}").trim_end().to_owned());
            let escaped = escape(&text);
            let paragraph = plain_text(&format!("## Impact\n\n{escaped}\n"));
            prop_assert_eq!(paragraph, after("Impact"));
            let item = plain_text(&format!("- Affected users: {escaped}\n"));
            prop_assert_eq!(item, after("Affected users: "));
            let cell = plain_text(&format!("| # | Entry |\n|---|---|\n| 1 | {escaped} |\n"));
            prop_assert_eq!(cell, after("#Entry1"));
            let heading = plain_text(&format!("# INC-1 — {escaped}\n"));
            prop_assert_eq!(heading, after("INC-1 — "));
        }
    }

    fn t(text: &str) -> Result<Timestamp, Box<dyn std::error::Error>> {
        Ok(Timestamp::parse(text)?)
    }

    fn declared(summary: &str) -> Result<(tempfile::TempDir, Desk), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let clock = ManualClock::new(t("2026-12-04T09:30:00Z")?);
        let desk = Desk::open_with_clock(dir.path().join("desk.db"), Arc::new(clock))?
            .with_author("Dana")?;
        let mut input = Declaration::new("Payments down", IncidentKind::Outage, "L1");
        input.summary = Some(summary.to_owned());
        input.started_at = Some(t("2026-12-04T08:51:12.345Z")?);
        input.detected_at = Some(t("2026-12-04T08:59:00Z")?);
        input.at = Some(t("2026-12-04T09:01:30Z")?);
        desk.declare(input)?;
        desk.assign("INC-1", Role::Commander, "Alice", None)?;
        Ok((dir, desk))
    }

    #[test]
    fn one_summary_the_reviews_else_the_declarations() -> TestResult {
        let (_dir, desk) = declared("")?;
        let md = render(&desk.export("INC-1")?);
        assert!(md.contains("## Summary\n\n_Not written yet._\n"), "{md}");

        let (_dir, desk) = declared("Card payments fail for EU customers.")?;
        let md = render(&desk.export("INC-1")?);
        assert!(
            md.contains(
                "## Summary\n\nCard payments fail for EU customers.\n\n_From the declaration._\n"
            ),
            "{md}"
        );

        desk.update_review("INC-1", ReviewField::Summary, "A bad certificate.", None)?;
        let md = render(&desk.export("INC-1")?);
        assert!(md.contains("## Summary\n\nA bad certificate.\n"), "{md}");
        assert!(!md.contains("Card payments fail"), "{md}");
        assert!(!md.contains("From the declaration"), "{md}");
        assert_eq!(md.matches("Summary").count(), 1, "{md}");
        Ok(())
    }

    #[test]
    fn times_print_as_people_read_them_in_utc() -> TestResult {
        let (_dir, desk) = declared("")?;
        let md = render(&desk.export("INC-1")?);
        assert!(
            md.contains("| Impact started | 2026-12-04 08:51 UTC |"),
            "{md}"
        );
        assert!(md.contains("| Detected | 2026-12-04 08:59 UTC |"), "{md}");
        assert!(md.contains("| Declared | 2026-12-04 09:01 UTC |"), "{md}");
        assert!(
            md.contains("| commander | Alice | 2026-12-04 09:30 UTC | — |"),
            "{md}"
        );
        assert!(md.contains("| 1 | 2026-12-04 09:01 UTC | Dana |"), "{md}");
        assert!(!md.contains("T09:"), "no ISO times: {md}");
        assert!(!md.contains(".000Z"), "no milliseconds: {md}");
        Ok(())
    }
}
