//! Telling users: a status-page update drafted from a template, edited,
//! approved, copied to the clipboard, and marked sent — on the timeline,
//! with the next-update countdown restarted.

use e2e::Session;
use std::time::{Duration, Instant};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const WAIT: Duration = Duration::from_secs(10);

/// What the X clipboard holds on the session's display.
fn clipboard(session: &Session) -> Result<String, Box<dyn std::error::Error>> {
    let output = std::process::Command::new("xclip")
        .args(["-selection", "clipboard", "-o"])
        .env("DISPLAY", &session.display)
        .output()?;
    Ok(String::from_utf8(output.stdout)?)
}

async fn click(session: &Session, css: &str) -> TestResult {
    session.wait_for(css, WAIT).await?.click().await?;
    Ok(())
}

#[tokio::test(flavor = "current_thread")]
async fn a_status_page_update_goes_from_template_to_sent() -> TestResult {
    let session = Session::start("messages").await?;
    session.wait_for("[data-testid=board-empty]", WAIT).await?;
    session.idesk_ok(&[
        "declare",
        "--title",
        "Checkout fails",
        "--kind",
        "outage",
        "--level",
        "L1",
    ])?;
    session.idesk_ok(&[
        "classify",
        "INC-1",
        "--service",
        "checkout",
        "--segment",
        "EU customers",
    ])?;
    session.idesk_ok(&["status", "INC-1", "identified"])?;
    session
        .wait_for("[data-testid=incident-row]", WAIT)
        .await?
        .click()
        .await?;
    session
        .wait_for("[data-testid=incident-room]", WAIT)
        .await?;

    // M jumps to the messages; a status-page draft is filled from its template.
    session.keys("m").await?;
    assert_eq!(session.focused_testid().await?, "comms-channel");
    click(&session, "[data-testid=comms-new]").await?;
    let body = session
        .wait_for_value(
            "[data-testid=draft-body]",
            "We have identified the cause of the problems with checkout",
            WAIT,
        )
        .await?;
    assert!(body.contains("Affected: EU customers."), "{body}");
    assert!(body.contains("Next update by"), "{body}");

    // Edit it; the length is shown as the channel counts it.
    let textarea = session.wait_for("[data-testid=draft-body]", WAIT).await?;
    textarea.clear().await?;
    let edited = "We found the cause of the checkout failures for EU customers and are rolling back. Next update by 14:45 UTC.";
    textarea.send_keys(edited).await?;
    session
        .wait_for_text(
            "[data-testid=draft-length]",
            &format!("{} / 5000", edited.chars().count()),
            WAIT,
        )
        .await?;

    // L1 needs the commander's approval: marking it sent first is refused, nothing is lost.
    click(&session, "[data-testid=draft-send]").await?;
    session
        .wait_for_text(
            "[data-testid=draft] [data-testid=field-error]",
            "need the commander's approval",
            WAIT,
        )
        .await?;
    click(&session, "[data-testid=draft-approve]").await?;
    session
        .wait_for("[data-testid=draft][data-state=approved]", WAIT)
        .await?;

    // Copy puts the exact text on the clipboard.
    click(&session, "[data-testid=draft-copy]").await?;
    let deadline = Instant::now() + WAIT;
    let mut copied = String::new();
    while Instant::now() < deadline {
        copied = clipboard(&session)?;
        if copied == edited {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(copied, edited);

    // Before sending, the next update is due 15 min after detection.
    let before: serde_json::Value =
        serde_json::from_slice(&session.idesk(&["deadlines", "INC-1", "--json"])?.stdout)?;
    assert!(
        before[0]["deadlines"]
            .as_array()
            .ok_or("deadlines")?
            .iter()
            .all(|d| d["key"] != "next_update")
    );
    session.screenshot("messages-approved").await?;

    click(&session, "[data-testid=draft-send]").await?;
    session
        .wait_for("[data-testid=sent-message][data-channel=status_page]", WAIT)
        .await?;
    session
        .wait_for_text(
            "[data-testid=timeline-text]",
            "Sent status page message: We found the cause",
            WAIT,
        )
        .await?;
    // The countdown restarted: the next update is due 30 min (L1) after sending.
    session
        .wait_for("[data-testid=deadline][data-key=next_update]", WAIT)
        .await?;
    session
        .wait_for(
            "[data-testid=deadline][data-key=first_update][data-tone=met]",
            WAIT,
        )
        .await?;
    let after: serde_json::Value =
        serde_json::from_slice(&session.idesk(&["show", "INC-1", "--json"])?.stdout)?;
    let sent = &after["communications"][0];
    assert_eq!(sent["state"], "sent");
    assert_eq!(sent["body"], edited);
    assert!(sent["approved_by"].is_string());
    let next = after["deadlines"]
        .as_array()
        .ok_or("deadlines")?
        .iter()
        .find(|d| d["key"] == "next_update")
        .ok_or("next_update")?;
    assert_eq!(next["counted_from"], sent["sent_at"]);
    session.screenshot("messages-sent").await?;
    session.close().await?;
    Ok(())
}
