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
