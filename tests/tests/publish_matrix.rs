//! Publishing to Matrix in the real window, with a real homeserver (Synapse
//! on 127.0.0.1): set up in Settings (the token to the secret store),
//! "Publish to Matrix" queues the message, it shows queued and retrying
//! while the server is down (and on the board), then sent once it is back —
//! once in the room. Settings for Slack and email are checked as typed, and
//! an email draft can be handed to the mail program.

#[path = "../../src-tauri/publish/tests/support/mod.rs"]
mod support;

use e2e::{Session, SessionOptions};
use std::time::Duration;
use support::Homeserver;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const WAIT: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "current_thread")]
async fn a_message_published_to_matrix_waits_out_an_outage_and_arrives_once() -> TestResult {
    let mut server = Homeserver::start()?;
    let token = server.register("desk")?;
    let room = server.create_room(&token)?;
    let secrets = tempfile::tempdir()?;
    let session = Session::start_with(
        "publish-matrix",
        SessionOptions {
            env: vec![(
                "INCIDENT_DESK_SECRETS".into(),
                format!("file:{}", secrets.path().display()),
            )],
            ..SessionOptions::default()
        },
    )
    .await?;
    session.wait_for("[data-testid=board-empty]", WAIT).await?;

    // Settings → Matrix: the internal channel goes to the room.
    session.click("[data-testid=nav-settings]").await?;
    session
        .wait_for("[data-testid=matrix-settings]", WAIT)
        .await?;
    session.click("[data-testid=matrix-homeserver]").await?;
    session.keys(&server.url).await?;
    session.click("[data-testid=matrix-room]").await?;
    session.keys(&room).await?;
    session.click("[data-testid=matrix-token]").await?;
    session.keys(&token).await?;
    session.click("[data-testid=matrix-save]").await?;
    session
        .wait_for_text(
            "[data-testid=matrix-message]",
            "Internal stakeholders messages go to",
            WAIT,
        )
        .await?;

    for key in [
        "classify",
        "first_update",
        "update_every",
        "remediate",
        "stalled",
    ] {
        session.idesk_ok(&["policy", "set", "L2", key, "off"])?;
    }
    session.idesk_ok(&[
        "declare",
        "--title",
        "Checkout errors",
        "--kind",
        "outage",
        "--level",
        "L2",
    ])?;
    session.idesk_ok(&[
        "comms",
        "draft",
        "INC-1",
        "--channel",
        "internal",
        "--body",
        "Rolled back checkout 4.2 <b>now</b>.",
    ])?;
    session
        .click("nav[aria-label=Views] button:first-child")
        .await?;
    session.click("[data-ref='INC-1'] button.row").await?;
    session.wait_for("[data-testid=draft-queue]", WAIT).await?;

    // The homeserver is down: the message waits, visibly, and is retried.
    server.stop();
    session.click("[data-testid=draft-queue]").await?;
    session
        .wait_for_text("[data-testid=draft-queued]", "Queued for Matrix", WAIT)
        .await?;
    session
        .wait_for_text("[data-testid=draft-queued]", "last error", WAIT)
        .await?;
    session.screenshot("publish-matrix-queued").await?;
    // The board says a message waits.
    session
        .click("nav[aria-label=Views] button:first-child")
        .await?;
    session
        .wait_for_text("[data-testid=incident-queued]", "1 message queued", WAIT)
        .await?;
    session.click("[data-ref='INC-1'] button.row").await?;

    // Back: it goes out at the next try and shows as sent.
    server.restart()?;
    session
        .wait_for_text(
            "[data-testid=sent-message]",
            "published to Matrix room",
            Duration::from_secs(40),
        )
        .await?;
    session.screenshot("publish-matrix-sent").await?;
    let bodies = server.messages(&token, &room)?;
    assert_eq!(
        bodies
            .iter()
            .filter(|b| b.ends_with("Rolled back checkout 4.2 <b>now</b>."))
            .count(),
        1,
        "{bodies:?}"
    );
    session.close().await?;
    Ok(())
}

/// Types `text` into the field `css` holds, replacing what is there.
async fn fill(session: &Session, css: &str, text: &str) -> TestResult {
    session
        .script(&format!(
            "const i = document.querySelector({css:?}); i.value = ''; \
             i.dispatchEvent(new Event('input', {{bubbles: true}})); return true;"
        ))
        .await?;
    session.click(css).await?;
    session.keys(text).await?;
    Ok(())
}

#[tokio::test(flavor = "current_thread")]
async fn slack_and_email_settings_are_checked_and_an_email_goes_to_the_mail_program() -> TestResult
{
    let folder = tempfile::tempdir()?;
    let opened = folder.path().join("opened.txt");
    let opener = folder.path().join("open-mail.sh");
    std::fs::write(
        &opener,
        format!("#!/bin/sh\nprintf '%s' \"$1\" > '{}'\n", opened.display()),
    )?;
    std::fs::set_permissions(&opener, std::os::unix::fs::PermissionsExt::from_mode(0o755))?;
    let session = Session::start_with(
        "publish-settings",
        SessionOptions {
            env: vec![
                (
                    "INCIDENT_DESK_SECRETS".into(),
                    format!("file:{}", folder.path().join("secrets").display()),
                ),
                ("INCIDENT_DESK_OPEN".into(), opener.display().to_string()),
            ],
            ..SessionOptions::default()
        },
    )
    .await?;
    session.wait_for("[data-testid=board-empty]", WAIT).await?;
    session.click("[data-testid=nav-settings]").await?;
    session
        .wait_for("[data-testid=slack-settings]", WAIT)
        .await?;

    // A channel name instead of its id is refused, saying what to use.
    fill(&session, "[data-testid=slack-channel-id]", "#incidents").await?;
    session.click("[data-testid=slack-save]").await?;
    session
        .wait_for_text("[data-testid=slack-error]", "not a Slack channel id", WAIT)
        .await?;
    fill(&session, "[data-testid=slack-channel-id]", "C0INC42").await?;
    fill(&session, "[data-testid=slack-token]", "xoxb-e2e-token").await?;
    session.click("[data-testid=slack-save]").await?;
    session
        .wait_for_text(
            "[data-testid=slack-message]",
            "post to Slack channel C0INC42",
            WAIT,
        )
        .await?;

    // Email for the customer-email channel, one list for everyone.
    session
        .script(
            "const s = document.querySelector('[data-testid=email-channel]'); s.value = 'email'; \
             s.dispatchEvent(new Event('change', {bubbles: true})); return true;",
        )
        .await?;
    fill(&session, "[data-testid=email-host]", "smtp.example.com").await?;
    fill(&session, "[data-testid=email-from]", "status@example.com").await?;
    fill(
        &session,
        "[data-testid=email-list-to]",
        "customers@example.org, ops@example.org",
    )
    .await?;
    session.click("[data-testid=email-save]").await?;
    session
        .wait_for_text(
            "[data-testid=email-message]",
            "mailed through smtp.example.com",
            WAIT,
        )
        .await?;
    session.screenshot("publish-settings").await?;
    // Kept as typed; the token is in the secret store, not in the settings.
    let channels = session.idesk_ok(&["--json", "comms", "channels"])?;
    assert!(channels.contains("C0INC42") && channels.contains("customers@example.org"));
    assert!(!channels.contains("xoxb-e2e-token"), "{channels}");

    session.idesk_ok(&[
        "declare",
        "--title",
        "Checkout errors",
        "--kind",
        "outage",
        "--level",
        "L2",
    ])?;
    session.idesk_ok(&[
        "comms",
        "draft",
        "INC-1",
        "--channel",
        "email",
        "--body",
        "Checkout works again.",
    ])?;
    session
        .click("nav[aria-label=Views] button:first-child")
        .await?;
    session.click("[data-ref='INC-1'] button.row").await?;
    session
        .wait_for_text("[data-testid=draft-queue]", "Publish to email", WAIT)
        .await?;
    session.click("[data-testid=draft-mailto]").await?;
    let deadline = std::time::Instant::now() + WAIT;
    while !opened.exists() && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let link = std::fs::read_to_string(&opened)?;
    assert!(
        link.starts_with("mailto:customers@example.org,ops@example.org?subject=%5BINC-1%5D"),
        "{link}"
    );
    assert!(link.ends_with("&body=Checkout%20works%20again."), "{link}");
    session.close().await?;
    Ok(())
}
