//! Publishing to Matrix in the real window, with a real homeserver (Synapse
//! on 127.0.0.1): set up in Settings (the token to the secret store),
//! "Publish to Matrix" queues the message, it shows queued and retrying
//! while the server is down, then sent once it is back — once in the room.

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
        .wait_for_text("[data-testid=draft-queued]", "Queued for matrix", WAIT)
        .await?;
    session
        .wait_for_text("[data-testid=draft-queued]", "last error", WAIT)
        .await?;
    session.screenshot("publish-matrix-queued").await?;

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
