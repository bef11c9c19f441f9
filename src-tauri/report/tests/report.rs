//! The PDF report read back with poppler: every word an incident holds must
//! come out of `pdftotext` exactly, user text must print literally, and
//! `pdftoppm` must render every page.

use incident_core::desk::{Declaration, IncidentExport};
use incident_core::domain::{
    ActionState, Channel, IncidentKind, PublicStatus, ReviewField, Role, Stage, StageState,
};
use incident_core::{Desk, ManualClock, Timestamp};
use std::process::Command;
use std::sync::Arc;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn t(text: &str) -> Result<Timestamp, Box<dyn std::error::Error>> {
    Ok(Timestamp::parse(text)?)
}

fn pdftotext(pdf: &[u8]) -> Result<String, Box<dyn std::error::Error>> {
    extract(pdf, &[])
}

/// Text in reading order (`-layout` keeps table rows on one line).
fn extract(pdf: &[u8], flags: &[&str]) -> Result<String, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, pdf)?;
    let output = Command::new("pdftotext")
        .args(flags)
        .arg(&path)
        .arg("-")
        .output()?;
    assert!(output.status.success(), "pdftotext failed: {output:?}");
    Ok(String::from_utf8(output.stdout)?)
}

/// Text with line breaks flattened, for "contains".
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn incident(
    title: &str,
    note: &str,
    entries: usize,
) -> Result<(tempfile::TempDir, Desk), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let clock = ManualClock::new(t("2026-11-30T09:30:00Z")?);
    let desk = Desk::open_with_clock(dir.path().join("desk.db"), Arc::new(clock.clone()))?
        .with_author("Dana")?;
    let mut input = Declaration::new(title, IncidentKind::Outage, "L2");
    input.started_at = Some(t("2026-11-30T09:00:00Z")?);
    input.detected_at = Some(t("2026-11-30T09:04:00Z")?);
    input.at = Some(t("2026-11-30T09:06:00Z")?);
    desk.declare(input)?;
    desk.assign(
        "INC-1",
        Role::Commander,
        "Alice",
        Some(t("2026-11-30T09:07:00Z")?),
    )?;
    desk.set_stage(
        "INC-1",
        Stage::Remediate,
        StageState::Done,
        None,
        Some(t("2026-11-30T09:20:00Z")?),
    )?;
    desk.record_sent_communication(
        "INC-1",
        Channel::StatusPage,
        "",
        "We are investigating.",
        Some(t("2026-11-30T09:15:00Z")?),
    )?;
    desk.add_note("INC-1", note, Some(t("2026-11-30T09:12:00Z")?), None)?;
    for i in 0..entries {
        clock.advance_secs(1);
        desk.add_note("INC-1", &format!("Checked dashboard {i}"), None, None)?;
    }
    desk.set_status("INC-1", PublicStatus::Resolved, None)?;
    desk.update_review(
        "INC-1",
        ReviewField::RootCause,
        "Connection pool exhausted",
        None,
    )?;
    desk.add_action_item(
        "INC-1",
        "Alert on pool saturation",
        Some("Bob"),
        Some("2026-12-15"),
        None,
    )?;
    desk.add_action_item("INC-1", "Document the rollback", None, None, None)?;
    Ok((dir, desk))
}

#[test]
fn every_entry_action_item_and_metric_comes_out_exactly() -> TestResult {
    let title = "café — 東京 — ✓ Checkout down";
    let (_dir, desk) = incident(title, "Rolled back deploy 4411 — 東京 region first ✓", 12)?;
    let export: IncidentExport = desk.export("INC-1")?;
    let pdf = incident_report::render_pdf(&export)?;
    assert!(pdf.starts_with(b"%PDF-"));
    let text = flat(&pdftotext(&pdf)?);
    assert!(text.contains(title), "title missing");
    for entry in &export.timeline {
        assert!(
            text.contains(&flat(&entry.text)),
            "timeline entry missing: {}",
            entry.text
        );
    }
    for item in &export.incident.action_items {
        assert!(
            text.contains(&item.title),
            "action item missing: {}",
            item.title
        );
    }
    // The metrics are the ones idesk shows, in the same words, row by row.
    let rows = flat(&extract(&pdf, &["-layout"])?);
    let m = &export.metrics;
    for (name, value) in [
        ("Time to detect", m.time_to_detect),
        ("Time to acknowledge", m.time_to_acknowledge),
        ("Time to first update", m.time_to_first_update),
        ("Time to mitigate", m.time_to_mitigate),
        ("Time to resolve", m.time_to_resolve),
    ] {
        let shown = format!("{name} {}", incident_core::format::metric(value));
        assert!(rows.contains(&shown), "{shown} missing");
    }
    assert!(text.contains("Action item “Document the rollback” has no owner and no due date"));
    Ok(())
}

#[test]
fn markup_in_user_text_prints_literally() -> TestResult {
    let nasty = r#"#set page(fill: red) $x^2$ *bold* _emph_ [link](x) <label> @ref \ backslash"#;
    let heading = "= Not a heading\n== nor this";
    let (_dir, desk) = incident(nasty, heading, 0)?;
    desk.update_review(
        "INC-1",
        ReviewField::WentWell,
        "#import \"x\": * and #let a = 1",
        None,
    )?;
    desk.add_action_item(
        "INC-1",
        "] ) } #panic(\"boom\")",
        Some("@owner"),
        None,
        None,
    )?;
    let detail = desk.incident("INC-1")?;
    let export = desk.export("INC-1")?;
    let text = flat(&pdftotext(&incident_report::render_pdf(&export)?)?);
    assert!(
        text.contains(&flat(nasty)),
        "title must print literally:\n{text}"
    );
    assert!(
        text.contains("= Not a heading == nor this"),
        "note must print literally"
    );
    assert!(text.contains("#import \"x\": * and #let a = 1"));
    assert!(text.contains("] ) } #panic(\"boom\")"));
    assert_eq!(
        detail
            .record
            .action_items
            .iter()
            .filter(|a| a.state == ActionState::Open)
            .count(),
        3
    );
    Ok(())
}

#[test]
fn every_page_renders_and_long_timelines_break_across_pages() -> TestResult {
    let (_dir, desk) = incident("A long incident", "first note", 150)?;
    let export = desk.export("INC-1")?;
    let pdf = incident_report::render_pdf(&export)?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("long.pdf");
    std::fs::write(&path, &pdf)?;
    let output = Command::new("pdftoppm")
        .args(["-r", "30", "-png"])
        .arg(&path)
        .arg(dir.path().join("page"))
        .output()?;
    assert!(output.status.success(), "pdftoppm failed: {output:?}");
    let pages = std::fs::read_dir(dir.path())?
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".png"))
        .count();
    assert!(
        pages >= 4,
        "150 entries should take several pages, got {pages}"
    );
    // The timeline's header repeats on every page it spans.
    let text = pdftotext(&pdf)?;
    assert!(
        text.matches("Entry").count() >= 3,
        "the table header should repeat"
    );
    Ok(())
}

/// Every kind of timeline entry, each with its own text: the label in the
/// "What" column must stay in its column, whatever the kind.
const ENTRY_KINDS: &[&str] = &[
    "declared",
    "edited",
    "classified",
    "stage",
    "status",
    "role",
    "note",
    "correction",
    "communication",
    "review",
    "action_item",
    "closed",
    "nudge",
    "alert",
];

#[test]
fn kind_labels_stay_in_their_column() -> TestResult {
    let (_dir, desk) = incident("Checkout down", "first note", 0)?;
    let mut export = desk.export("INC-1")?;
    let template = export.timeline.first().cloned().ok_or("no entry")?;
    let mut n = export.timeline.iter().map(|e| e.n).max().unwrap_or(0);
    for name in ENTRY_KINDS {
        let kind = incident_core::domain::EntryKind::parse(name).ok_or("unknown kind")?;
        n += 1;
        export.timeline.push(incident_core::domain::TimelineEntry {
            n,
            kind,
            text: format!("Zebra{n} crossed the road"),
            change: None,
            supersedes: None,
            superseded_by: None,
            ..template.clone()
        });
    }
    let pdf = incident_report::render_pdf(&export)?;
    let rows = extract(&pdf, &["-layout"])?;
    for entry in export
        .timeline
        .iter()
        .filter(|e| e.text.starts_with("Zebra"))
    {
        let label: Vec<String> = entry.kind.as_str().split('_').map(str::to_owned).collect();
        let first = entry.text.split_whitespace().next().ok_or("empty")?;
        // On the entry's row, the label's words come whole, then the text's
        // first word: nothing printed over or into the other.
        let row_ok = rows.lines().any(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            words.windows(label.len() + 1).any(|w| {
                w[..label.len()].iter().zip(&label).all(|(a, b)| a == b) && w[label.len()] == first
            })
        });
        assert!(
            row_ok,
            "label {:?} and text {first:?} are not apart on one row:\n{rows}",
            entry.kind.as_str()
        );
    }
    Ok(())
}

/// The first page as RGB pixels (pdftoppm's PPM).
fn first_page_pixels(pdf: &[u8]) -> Result<Vec<[u8; 3]>, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, pdf)?;
    let output = Command::new("pdftoppm")
        .args(["-r", "50", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&path)
        .arg(dir.path().join("page"))
        .output()?;
    assert!(output.status.success(), "pdftoppm failed: {output:?}");
    let ppm = std::fs::read(dir.path().join("page.ppm"))?;
    // "P6 <width> <height> 255" and one whitespace, then the pixels.
    let mut header = ppm.splitn(5, |b| b.is_ascii_whitespace());
    let magic = header.next().ok_or("no PPM header")?;
    assert_eq!(magic, b"P6");
    let pixels = header.nth(3).ok_or("no pixels")?;
    Ok(pixels.chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect())
}

#[test]
fn emoji_print_as_emoji_not_boxes() -> TestResult {
    let title = "Payments 🔥 down ✅";
    let (_dir, desk) = incident(title, "Rolled back 🚀", 0)?;
    let pdf = incident_report::render_pdf(&desk.export("INC-1")?)?;

    // The emoji font is embedded: typst puts its colour glyphs in a Type 3
    // font of bitmaps, with the characters they stand for.
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, &pdf)?;
    let fonts = Command::new("pdffonts").arg(&path).output()?;
    assert!(fonts.status.success(), "pdffonts failed: {fonts:?}");
    let fonts = String::from_utf8(fonts.stdout)?;
    assert!(
        fonts
            .lines()
            .any(|l| l.contains("Type 3")
                && l.split_whitespace().filter(|w| *w == "yes").count() >= 2),
        "no embedded emoji font (with its characters):\n{fonts}"
    );
    // Copying text gives the emoji back (poppler reads such glyphs in raw order only).
    let raw = extract(&pdf, &["-raw"])?;
    for emoji in ["🔥", "✅", "🚀"] {
        assert!(raw.contains(emoji), "{emoji} missing:\n{raw}");
    }
    // And they are drawn: a box is a black outline, an emoji is in colour,
    // which nothing else on the title page is (grey text, a pale yellow box).
    let coloured = first_page_pixels(&pdf)?
        .iter()
        .filter(|[r, g, b]| r.max(g).max(b) - r.min(g).min(b) > 100)
        .count();
    assert!(
        coloured > 20,
        "the title's emoji are not drawn in colour ({coloured} pixels)"
    );

    // An emoji does not push its line down: the note's text sits on the
    // same baseline as its kind label in the cell beside it.
    let boxes = extract(&pdf, &["-bbox"])?;
    let bottoms: Vec<(&str, f64)> = boxes
        .lines()
        .filter_map(|line| {
            let word = line.split('>').nth(1)?.strip_suffix("</word")?;
            let y_max = line
                .split("yMax=\"")
                .nth(1)?
                .split('"')
                .next()?
                .parse()
                .ok()?;
            Some((word, y_max))
        })
        .collect();
    let bottom = |wanted: &str| {
        let found: Vec<f64> = bottoms
            .iter()
            .filter(|(word, _)| *word == wanted)
            .map(|(_, y)| *y)
            .collect();
        assert_eq!(found.len(), 1, "{wanted:?} should print once");
        found[0]
    };
    let (label_bottom, text_bottom) = (bottom("note"), bottom("Rolled"));
    assert!(
        (label_bottom - text_bottom).abs() < 0.1,
        "the note's text sits {:.1}pt below its label",
        text_bottom - label_bottom
    );
    Ok(())
}

#[test]
fn one_summary_the_reviews_else_the_declarations() -> TestResult {
    let (_dir, desk) = incident("Checkout down", "first note", 0)?;
    let mut export = desk.export("INC-1")?;
    let summary = |export: &IncidentExport| -> Result<String, Box<dyn std::error::Error>> {
        let text = flat(&pdftotext(&incident_report::render_pdf(export)?)?);
        assert_eq!(text.matches("Summary").count(), 1, "one summary: {text}");
        let start = text.find("Summary").ok_or("no summary")?;
        let end = text.find("Impact Not written yet").ok_or("no impact")?;
        Ok(text[start..end].trim().to_owned())
    };
    assert_eq!(summary(&export)?, "Summary Not written yet.");

    export.incident.summary = "Card payments fail for EU customers.".into();
    assert_eq!(
        summary(&export)?,
        "Summary Card payments fail for EU customers. From the declaration."
    );

    export.incident.review.summary = "A certificate expired.".into();
    assert_eq!(summary(&export)?, "Summary A certificate expired.");
    Ok(())
}

#[test]
fn the_pdf_and_the_markdown_print_the_same_times() -> TestResult {
    let (_dir, desk) = incident("Checkout down", "first note", 3)?;
    let export = desk.export("INC-1")?;
    let pdf = flat(&pdftotext(&incident_report::render_pdf(&export)?)?);
    let markdown = incident_core::markdown::render(&export);
    let record = &export.incident;
    let moments = [record.started_at, record.detected_at, record.declared_at]
        .into_iter()
        .chain(record.resolved_at)
        .chain(export.timeline.iter().map(|e| e.occurred_at));
    for at in moments {
        let shown = incident_core::format::date_time(at);
        assert!(pdf.contains(&shown), "{shown} missing from the PDF");
        assert!(
            markdown.contains(&shown),
            "{shown} missing from the Markdown"
        );
    }
    for report in [&pdf, &markdown] {
        assert!(!report.contains("T09:"), "an ISO time: {report}");
    }
    Ok(())
}
