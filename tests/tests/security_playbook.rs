//! A security L1 reported by a user, run from its playbook in the real
//! window: the identify prompt adds the monitoring follow-up, the checklist
//! is ticked partway, a task goes to the operations lead, the breach
//! notification clock is a deadline, a hypothesis is ruled out, the brief
//! holds all of it, the board shows the progress, and the PDF lists the
//! checklist (done, skipped, not done).

use e2e::{Session, SessionOptions};
use incident_core::{Clock, SystemClock};
use std::time::Duration;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const WAIT: Duration = Duration::from_secs(15);

/// The key of the checklist item whose text starts with `start`.
fn item_key(lines: &serde_json::Value, start: &str) -> Result<String, Box<dyn std::error::Error>> {
    lines
        .as_array()
        .into_iter()
        .flatten()
        .find(|line| line["text"].as_str().is_some_and(|t| t.starts_with(start)))
        .and_then(|line| line["key"].as_str())
        .map(str::to_owned)
        .ok_or_else(|| format!("no checklist item starts with {start:?}").into())
}

#[tokio::test(flavor = "current_thread")]
async fn a_security_incident_is_run_from_its_playbook() -> TestResult {
    let exports = tempfile::tempdir()?;
    let session = Session::start_with(
        "security-playbook",
        SessionOptions {
            env: vec![(
                "INCIDENT_DESK_SAVE_TO".into(),
                exports.path().display().to_string(),
            )],
            ..SessionOptions::default()
        },
    )
    .await?;
    session.wait_for("[data-testid=board-empty]", WAIT).await?;
    let detected = SystemClock.now().plus_millis(-5 * 60_000);
    session.idesk_ok(&[
        "declare",
        "--title",
        "API keys <i>leaked</i> in a public repo",
        "--kind",
        "security",
        "--level",
        "L1",
        "--source",
        "user_report",
        "--started-at",
        &detected.to_string(),
        "--detected-at",
        &detected.to_string(),
    ])?;
    session.idesk_ok(&["assign", "INC-1", "commander", "Ada"])?;
    session.idesk_ok(&["assign", "INC-1", "operations", "Dana"])?;
    let lines: serde_json::Value =
        serde_json::from_str(&session.idesk_ok(&["--json", "checklist", "INC-1"])?)?;
    let evidence = item_key(&lines, "Preserve evidence")?;
    let security_lead = item_key(&lines, "Bring in the security lead")?;
    let legal = item_key(&lines, "If personal data may be involved")?;

    session.click("[data-ref='INC-1'] button.row").await?;

    // Identify: users should not be the ones reporting; add the follow-up.
    let identify = "[data-testid=stage-identify] [data-testid=stage-prompt]";
    session
        .wait_for_text(
            identify,
            "which monitor or synthetic check should have caught it",
            WAIT,
        )
        .await?;
    session
        .click("[data-testid=stage-identify] [data-testid=prompt-follow-up]")
        .await?;
    session
        .wait_for_text(identify, "Follow-up on the action items", WAIT)
        .await?;

    // The checklist, ticked partway: two done, one skipped.
    session
        .wait_for_text("[data-testid=checklist-progress]", "0 of 10 settled", WAIT)
        .await?;
    for key in [&evidence, &security_lead] {
        session
            .click(&format!("[data-testid=check-item][data-key='{key}'] input"))
            .await?;
        session
            .wait_for(
                &format!("[data-testid=check-item][data-key='{key}'][data-state=done]"),
                WAIT,
            )
            .await?;
    }
    session
        .click(&format!(
            "[data-testid=check-item][data-key='{legal}'] button.link"
        ))
        .await?;
    session
        .wait_for_text("[data-testid=checklist-progress]", "3 of 10 settled", WAIT)
        .await?;
    session
        .wait_for_text("[data-testid=checklist-stage-classify]", "2/2", WAIT)
        .await?;

    // A task for the operations lead, due in 30 minutes.
    session.keys("t").await?;
    let focused = session.focused_testid().await?;
    assert_eq!(focused, "task-title", "T goes to the task field");
    session.keys("Rotate the API keys").await?;
    session.click("[data-testid=task-owner-input]").await?;
    session.keys("ops lead").await?;
    session
        .script(
            "const s = document.querySelector('[data-testid=task-due]'); s.value = '30'; \
             s.dispatchEvent(new Event('change', { bubbles: true })); return true;",
        )
        .await?;
    session.click("[data-testid=task-add]").await?;
    session
        .wait_for_text(
            "[data-testid=task] [data-testid=task-owner]",
            "Dana (Operations lead)",
            WAIT,
        )
        .await?;

    // The breach-notification clock is a deadline, 72 h after detection.
    session
        .wait_for_text(
            "[data-testid=deadlines-panel]",
            "Notify the supervisory authority",
            WAIT,
        )
        .await?;

    // A hypothesis, noted by the scribe, then ruled out.
    session.click("[data-testid=scribe-input]").await?;
    let enter: char = fantoccini::key::Key::Enter.into();
    session
        .keys(&format!(
            "hypothesis: a contractor's laptop was stolen{enter}"
        ))
        .await?;
    session
        .wait_for_text(
            "[data-testid=hypothesis]",
            "a contractor's laptop was stolen",
            WAIT,
        )
        .await?;
    session.click("[data-testid=hypothesis-rule-out]").await?;
    session
        .wait_for("[data-testid=hypothesis][data-state=ruled_out]", WAIT)
        .await?;
    session.screenshot("security-playbook-room").await?;

    // The brief holds all of it.
    session
        .script("document.activeElement?.blur(); return true;")
        .await?;
    session.keys("b").await?;
    session
        .wait_for_text(
            "[data-testid=brief-text]",
            "Checklist: 3 of 10 settled",
            WAIT,
        )
        .await?;
    let brief = session.text("[data-testid=brief-text]").await?;
    for expected in [
        "L1 security incident",
        "Tasks: Rotate the API keys (Dana) due",
        "Hypotheses: ruled out: a contractor's laptop was stolen",
        "Add a monitor or synthetic check that would have caught",
        "Roles: commander Ada",
        "Notify the supervisory authority",
    ] {
        assert!(
            brief.contains(expected),
            "{expected:?} in the brief: {brief}"
        );
    }
    session.screenshot("security-playbook-brief").await?;
    session
        .click("[data-testid=room-brief] .actions button:last-of-type")
        .await?;

    // The board shows the progress and the open task.
    session
        .keys(&char::from(fantoccini::key::Key::Escape).to_string())
        .await?;
    session
        .keys(&char::from(fantoccini::key::Key::Escape).to_string())
        .await?;
    session
        .wait_for_text(
            "[data-ref='INC-1'] [data-testid=incident-checklist]",
            "3/10",
            WAIT,
        )
        .await?;
    session
        .wait_for_text(
            "[data-ref='INC-1'] [data-testid=incident-tasks]",
            "1 task open",
            WAIT,
        )
        .await?;
    session.screenshot("security-playbook-board").await?;

    // The review lists what was done and skipped, and so does the PDF.
    session.click("[data-ref='INC-1'] button.row").await?;
    session
        .wait_for("[data-testid=incident-room]", WAIT)
        .await?;
    session
        .script("document.activeElement?.blur(); return true;")
        .await?;
    session.keys("v").await?;
    session
        .wait_for_text(
            "[data-testid=review-playbook]",
            "2 done · 1 skipped · 7 not done",
            WAIT,
        )
        .await?;
    session
        .wait_for("[data-testid=export-pdf]", WAIT)
        .await?
        .click()
        .await?;
    session
        .wait_for("[data-testid=export-done]", Duration::from_secs(30))
        .await?;
    let text = e2e::pdf_text(&exports.path().join("INC-1-review.pdf"), WAIT)?;
    for expected in [
        "Playbook checklist",
        "2 done, 1 skipped, 7 not done, of 10 items.",
        "Preserve evidence before remediating",
        "Rotate exposed credentials, keys and tokens",
        "Live tasks",
        "Rotate the API keys",
        "API keys <i>leaked</i> in a public repo",
    ] {
        assert!(text.contains(expected), "{expected:?} in the PDF: {text}");
    }
    session.close().await?;
    Ok(())
}
