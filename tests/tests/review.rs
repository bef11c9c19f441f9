//! The review in the real window: write it, add an action item, look at the
//! resolution timeline, and export the PDF (through the save dialog's test
//! hook, `INCIDENT_DESK_SAVE_TO`); the file is read back with poppler.

use e2e::{Session, SessionOptions};
use fantoccini::key::Key;
use std::time::{Duration, Instant};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const WAIT: Duration = Duration::from_secs(15);

#[tokio::test(flavor = "current_thread")]
async fn the_review_is_written_and_exported_from_the_window() -> TestResult {
    let exports = tempfile::tempdir()?;
    let options = SessionOptions {
        env: vec![(
            "INCIDENT_DESK_SAVE_TO".into(),
            exports.path().display().to_string(),
        )],
        ..SessionOptions::default()
    };
    let session = Session::start_with("review", options).await?;
    session.wait_for("[data-testid=board-empty]", WAIT).await?;
    // The incident happened earlier today: no nudges should cover the window.
    for key in [
        "classify",
        "first_update",
        "update_every",
        "remediate",
        "review",
        "stalled",
    ] {
        session.idesk_ok(&["policy", "set", "L2", key, "off"])?;
    }
    for args in [
        vec![
            "declare",
            "--title",
            "Payments — 東京 ✓ <b>down</b>",
            "--kind",
            "outage",
            "--level",
            "L2",
            "--started-at",
            "2026-11-30T08:50:00Z",
            "--detected-at",
            "2026-11-30T08:55:00Z",
            "--at",
            "2026-11-30T09:00:00Z",
        ],
        vec![
            "assign",
            "INC-1",
            "commander",
            "Alice",
            "--at",
            "2026-11-30T09:01:00Z",
        ],
        vec![
            "stage",
            "INC-1",
            "remediate",
            "active",
            "--at",
            "2026-11-30T09:05:00Z",
        ],
        vec![
            "stage",
            "INC-1",
            "remediate",
            "done",
            "--at",
            "2026-11-30T09:20:00Z",
        ],
        vec![
            "stage",
            "INC-1",
            "repair",
            "deferred",
            "--reason",
            "Raise the pool limit",
        ],
        vec![
            "status",
            "INC-1",
            "resolved",
            "--at",
            "2026-11-30T09:40:00Z",
        ],
    ] {
        session.idesk_ok(&args)?;
    }
    session
        .wait_for("[data-testid=incident-row]", WAIT)
        .await?
        .click()
        .await?;
    session
        .wait_for("[data-testid=incident-room]", WAIT)
        .await?;

    // V opens the review; the deferred repair is already an action item, flagged.
    session.keys("v").await?;
    session.wait_for("[data-testid=review]", WAIT).await?;
    session
        .wait_for_text(
            "[data-testid=review-checklist]",
            "Action item “Raise the pool limit” has no owner and no due date",
            WAIT,
        )
        .await?;
    assert_eq!(
        session
            .text_content("[data-testid=metric-time_to_mitigate] dd")
            .await?,
        "30m 00s"
    );

    let root_cause = session
        .wait_for("[data-testid=review-root_cause]", WAIT)
        .await?;
    root_cause.click().await?;
    root_cause
        .send_keys("The connection pool was exhausted by retries")
        .await?;
    session.keys(&char::from(Key::Tab).to_string()).await?; // leaving the field saves it
    let title = session.wait_for("[data-testid=action-title]", WAIT).await?;
    title.send_keys("Alert on pool saturation").await?;
    session
        .wait_for("[data-testid=action-add]", WAIT)
        .await?
        .click()
        .await?;
    session
        .wait_for_text(
            "[data-testid=review-checklist]",
            "“Alert on pool saturation” has no owner",
            WAIT,
        )
        .await?;
    session.screenshot("review-tab").await?;

    // The resolution timeline draws the stages over time.
    session.keys("g").await?;
    session
        .wait_for("[data-testid=span-remediate]", WAIT)
        .await?;
    session
        .wait_for("[data-testid=moment-mitigated]", WAIT)
        .await?;
    session.screenshot("review-strip").await?;

    // Export the PDF.
    session.keys("v").await?;
    session
        .wait_for("[data-testid=export-pdf]", WAIT)
        .await?
        .click()
        .await?;
    session
        .wait_for("[data-testid=export-done]", Duration::from_secs(30))
        .await?;
    let text = e2e::pdf_text(&exports.path().join("INC-1-review.pdf"), WAIT)?;
    assert!(text.contains("Payments — 東京 ✓ <b>down</b>"), "{text}");
    assert!(
        text.contains("The connection pool was exhausted by retries"),
        "{text}"
    );
    assert!(text.contains("Alert on pool saturation"), "{text}");
    assert!(text.contains("Raise the pool limit"), "{text}");

    // And Markdown.
    session
        .wait_for("[data-testid=export-md]", WAIT)
        .await?
        .click()
        .await?;
    let md = exports.path().join("INC-1-review.md");
    let deadline = Instant::now() + WAIT;
    while !md.exists() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let markdown = std::fs::read_to_string(&md)?;
    assert!(markdown.contains("## Root cause"), "{markdown}");
    assert!(
        markdown.contains("&lt;b&gt;down&lt;/b&gt;"),
        "user text must be escaped: {markdown}"
    );
    session.close().await?;
    Ok(())
}
