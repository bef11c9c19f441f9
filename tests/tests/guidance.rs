//! Each stage's best practice in the real window, and the prompts the
//! record calls for: a user report asks for the monitor that should have
//! caught it (and adds the follow-up), a deploy just before the impact is
//! offered as the first rollback, and once remediation worked diagnosis
//! can be deferred to the next working morning.

use e2e::Session;
use incident_core::{Clock, SystemClock};
use std::time::Duration;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const WAIT: Duration = Duration::from_secs(10);

fn minutes_before(now: incident_core::Timestamp, minutes: i64) -> String {
    now.plus_millis(-minutes * 60_000).to_string()
}

async fn wait_brief_closed(session: &Session) -> TestResult {
    let started = std::time::Instant::now();
    while started.elapsed() < WAIT {
        let gone = session
            .script("return document.querySelector('[data-testid=room-brief]') === null;")
            .await?;
        if gone == serde_json::Value::Bool(true) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err("the brief did not close".into())
}

#[tokio::test(flavor = "current_thread")]
async fn the_stages_prompt_what_the_record_calls_for() -> TestResult {
    let session = Session::start("guidance").await?;
    session.wait_for("[data-testid=board-empty]", WAIT).await?;
    let now = SystemClock.now();
    let minutes_ago = |minutes| minutes_before(now, minutes);
    session.idesk_ok(&[
        "declare",
        "--title",
        "Checkout errors",
        "--kind",
        "outage",
        "--level",
        "L1",
        "--source",
        "user_report",
        "--started-at",
        &minutes_ago(10),
        "--detected-at",
        &minutes_ago(5),
    ])?;
    session.idesk_ok(&[
        "note",
        "INC-1",
        "deploy: checkout 4.2",
        "--at",
        &minutes_ago(25),
    ])?;
    // Its level expects a scribe and a communications lead: the board says so.
    session
        .wait_for_text(
            "[data-ref='INC-1'] [data-testid=incident-missing-roles]",
            "needs scribe, communications lead",
            WAIT,
        )
        .await?;
    session.click("[data-ref='INC-1'] button.row").await?;

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
    let shown = session.idesk_ok(&["show", "INC-1", "--json"])?;
    assert!(
        shown.contains("Add a monitor or synthetic check that would have caught: Checkout errors"),
        "the follow-up is an action item"
    );

    session
        .wait_for_text(
            "[data-testid=stage-remediate] [data-testid=stage-prompt]",
            "“deploy: checkout 4.2” was recorded 15 min before the impact started",
            WAIT,
        )
        .await?;
    session
        .wait_for_text(
            "[data-testid=stage-classify] [data-testid=stage-prompt]",
            "pretty much everybody",
            WAIT,
        )
        .await?;
    session
        .wait_for_text(
            "[data-testid=prompt-missing-roles]",
            "Not filled yet: commander, scribe, communications lead",
            WAIT,
        )
        .await?;
    session.screenshot("guidance").await?;

    session.idesk_ok(&["stage", "INC-1", "remediate", "done"])?;
    session
        .wait_for_text(
            "[data-testid=stage-diagnose] [data-testid=stage-prompt]",
            "Remediation worked",
            WAIT,
        )
        .await?;
    session
        .click("[data-testid=stage-diagnose] [data-testid=prompt-defer-diagnosis]")
        .await?;
    session.wait_stage("diagnose", "deferred", WAIT).await?;

    // A commander named in the Roles panel is offered the brief to hand over.
    session.click("[data-testid=assign-person]").await?;
    session.keys("Priya Raman").await?;
    session.click("[data-testid=assign-submit]").await?;
    session
        .wait_for_text(
            "[data-testid=roles-handover]",
            "Priya Raman is commander now",
            WAIT,
        )
        .await?;
    session.click("[data-testid=roles-brief]").await?;
    session
        .wait_for_text(
            "[data-testid=brief-text]",
            "Roles: commander Priya Raman",
            WAIT,
        )
        .await?;
    session
        .click("[data-testid=room-brief] .actions button:last-of-type")
        .await?;
    wait_brief_closed(&session).await?;

    // B: the catch-up brief, in a few lines, with what was tried.
    session
        .script("document.activeElement?.blur(); return true;")
        .await?;
    session.keys("b").await?;
    session
        .wait_for_text("[data-testid=brief-text]", "Tried and seen", WAIT)
        .await?;
    let brief = session.text("[data-testid=brief-text]").await?;
    assert!(brief.contains("deploy: checkout 4.2"), "{brief}");
    assert!(
        brief.contains("remediate done") && brief.contains("diagnose deferred"),
        "{brief}"
    );
    assert!(brief.contains("Next deadlines:"), "{brief}");
    session.screenshot("brief").await?;
    session.close().await?;
    Ok(())
}
