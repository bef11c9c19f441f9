//! Settings → Playbooks in the real window: an item added to the security L1
//! checklist is saved (idesk sees it), an empty one is refused with the
//! reason and changes nothing, and Export writes the file (through the save
//! dialog's test hook, `INCIDENT_DESK_SAVE_TO`).

use e2e::{Session, SessionOptions};
use std::time::{Duration, Instant};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const WAIT: Duration = Duration::from_secs(15);

async fn choose(session: &Session, testid: &str, value: &str) -> TestResult {
    session
        .script(&format!(
            "const s = document.querySelector('[data-testid={testid}]'); s.value = '{value}'; \
             s.dispatchEvent(new Event('change', {{ bubbles: true }})); return true;"
        ))
        .await?;
    Ok(())
}

#[tokio::test(flavor = "current_thread")]
async fn a_playbook_is_edited_saved_and_exported_in_settings() -> TestResult {
    let exports = tempfile::tempdir()?;
    let session = Session::start_with(
        "playbook-settings",
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
    session.click("[data-testid=nav-settings]").await?;
    session
        .wait_for(
            "[data-testid=playbooks-settings] [data-testid=playbook-item]",
            WAIT,
        )
        .await?;
    choose(&session, "playbook-kind", "security").await?;
    session
        .wait_for_value(
            "[data-testid=playbook-item]:first-child [data-testid=playbook-item-text]",
            "Preserve evidence",
            WAIT,
        )
        .await?;

    // An empty item is refused, with the reason; nothing is saved.
    session.click("[data-testid=playbook-add]").await?;
    session.click("[data-testid=playbook-save]").await?;
    session
        .wait_for_text("[data-testid=playbooks-error]", "item 11", WAIT)
        .await?;
    let shown = session.idesk_ok(&["--json", "playbook", "show", "security", "L1"])?;
    let items = |text: &str| -> Result<usize, Box<dyn std::error::Error>> {
        let value: serde_json::Value = serde_json::from_str(text)?;
        Ok(value[0]["items"].as_array().map_or(0, Vec::len))
    };
    assert_eq!(items(&shown)?, 10, "the refused save changed nothing");

    // Filled in, it is saved and idesk sees it.
    session
        .click("[data-testid=playbook-item]:last-child [data-testid=playbook-item-text]")
        .await?;
    session.keys("Revoke the leaked OAuth grants").await?;
    session.click("[data-testid=playbook-save]").await?;
    session
        .wait_for_text(
            "[data-testid=playbooks-saved]",
            "Saved the security L1 playbook (11 items)",
            WAIT,
        )
        .await?;
    let shown = session.idesk_ok(&["playbook", "show", "security", "L1"])?;
    assert!(shown.contains("Revoke the leaked OAuth grants"), "{shown}");
    session.screenshot("playbook-settings").await?;

    // Export writes every playbook to a file.
    session.click("[data-testid=playbooks-export]").await?;
    session
        .wait_for_text(
            "[data-testid=playbooks-saved]",
            "Wrote the playbooks to",
            WAIT,
        )
        .await?;
    let file = exports.path().join("incident-desk-playbooks.json");
    let deadline = Instant::now() + WAIT;
    while !file.exists() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let text = std::fs::read_to_string(&file)?;
    assert!(
        text.contains("\"format\": \"incident-desk-playbooks\""),
        "{text}"
    );
    assert!(text.contains("Revoke the leaked OAuth grants"), "{text}");
    session.close().await?;
    Ok(())
}
