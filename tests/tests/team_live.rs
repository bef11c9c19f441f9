//! Two laptops live: two real app windows (two app processes, two
//! databases) and one real `nats-server` on 127.0.0.1. Bob's laptop reaches
//! the server through a proxy the test can cut, as a pulled cable would.

#[path = "../../src-tauri/sync/tests/support/mod.rs"]
mod support;

use e2e::{Session, SessionOptions};
use incident_core::Desk;
use incident_core::desk::{CredentialKind, TeamConnection};
use std::path::Path;
use std::time::Duration;
use support::{NatsServer, Proxy};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const WAIT: Duration = Duration::from_secs(30);

/// A laptop's database, joined to the team before its app starts.
fn laptop(
    dir: &Path,
    person: &str,
    server: &str,
) -> Result<SessionOptions, Box<dyn std::error::Error>> {
    let db = dir.join(format!("{person}.db"));
    let desk = Desk::open(&db)?.with_author(person)?;
    desk.connect_team(
        "Payments",
        &TeamConnection {
            server: server.to_string(),
            user: person.to_lowercase(),
            credential: CredentialKind::None,
            ca_file: None,
        },
    )?;
    Ok(SessionOptions {
        db: Some(db),
        env: vec![
            ("INCIDENT_DESK_AUTHOR".into(), person.into()),
            (
                "INCIDENT_DESK_SECRETS".into(),
                format!("file:{}", dir.join(format!("{person}-secrets")).display()),
            ),
            (
                "INCIDENT_DESK_LOG".into(),
                "info,incident_sync=debug".into(),
            ),
        ],
        ..SessionOptions::default()
    })
}

#[tokio::test(flavor = "current_thread")]
async fn two_windows_share_notes_a_hand_off_made_while_offline_and_a_conflict() -> TestResult {
    let server = NatsServer::start("")?;
    let bobs_network = Proxy::start(server.port)?;
    let dir = tempfile::tempdir()?;
    let alice = Session::start_with(
        "team-live-alice",
        laptop(dir.path(), "Alice", &server.url())?,
    )
    .await?;
    let bob = Session::start_alongside(
        &alice,
        "team-live-bob",
        laptop(dir.path(), "Bob", &bobs_network.url())?,
    )
    .await?;
    let outcome = share_hand_off_and_conflict(&alice, &bob, &bobs_network).await;
    if outcome.is_err() || std::env::var_os("TEAM_LIVE_LOGS").is_some() {
        // What each app logged (team sync at debug level), for the failure
        // report; TEAM_LIVE_LOGS=1 prints it after a pass too.
        eprintln!("Alice's app:\n{}", alice.app_log_tail(120));
        eprintln!("Bob's app:\n{}", bob.app_log_tail(120));
    }
    bob.close().await?;
    alice.close().await?;
    outcome
}

async fn share_hand_off_and_conflict(
    alice: &Session,
    bob: &Session,
    bobs_network: &Proxy,
) -> TestResult {
    for window in [alice, bob] {
        window
            .wait_for_text("[data-testid=sync-status]", "Payments: connected", WAIT)
            .await?;
    }

    // Alice declares; Bob's board shows it.
    let declared = alice.idesk_ok(&[
        "--json",
        "--author",
        "Alice",
        "declare",
        "--title",
        "Checkout errors",
        "--kind",
        "outage",
        "--level",
        "L1",
    ])?;
    let reference = serde_json::from_str::<serde_json::Value>(&declared)?["ref"]
        .as_str()
        .ok_or("declare names the reference")?
        .to_string();
    let row = format!("[data-ref='{reference}'] button.row");
    alice.wait_for(&row, WAIT).await?;
    bob.wait_for(&row, WAIT).await?;

    // A note typed in Alice's window appears in Bob's, with her name.
    alice.click(&row).await?;
    bob.click(&row).await?;
    alice.wait_for("[data-testid=scribe-input]", WAIT).await?;
    alice.click("[data-testid=scribe-input]").await?;
    let enter: char = fantoccini::key::Key::Enter.into();
    alice
        .keys(&format!("rolled back checkout 4.2{enter}"))
        .await?;
    alice
        .wait_for_text("[data-testid=timeline]", "rolled back checkout 4.2", WAIT)
        .await?;
    bob.wait_for_text("[data-testid=timeline]", "rolled back checkout 4.2", WAIT)
        .await?;
    let timeline = bob.text("[data-testid=timeline]").await?;
    assert!(timeline.contains("Alice"), "the author shows: {timeline}");
    // Each room says who else has it open.
    bob.wait_for_text("[data-testid=room-presence]", "Alice", WAIT)
        .await?;
    alice
        .wait_for_text("[data-testid=room-presence]", "Bob", WAIT)
        .await?;

    // Bob's cable is pulled; Alice hands him the commander role meanwhile.
    bobs_network.cut(true);
    bob.wait_for_text("[data-testid=sync-status]", "Offline since", WAIT)
        .await?;
    alice.idesk_ok(&[
        "--author",
        "Alice",
        "assign",
        &reference,
        "commander",
        "Bob",
    ])?;
    alice
        .wait_for_text(
            "[data-testid=incident-commander], [data-testid=room-header]",
            "Bob",
            WAIT,
        )
        .await
        .ok();
    bob.screenshot("team-live-offline").await?;
    bobs_network.cut(false);
    bob.wait_for_text(
        "[data-testid=handoff-banner]",
        &format!("You are now the commander of {reference}"),
        WAIT,
    )
    .await?;
    let banner = bob.text("[data-testid=handoff-banner]").await?;
    assert!(banner.contains("handed over by Alice"), "{banner}");
    bob.wait_for_text("[data-testid=sync-status]", "Payments: connected", WAIT)
        .await?;
    bob.screenshot("team-live-handoff").await?;
    // The new commander is offered the catch-up brief.
    bob.click("[data-testid=handoff-brief]").await?;
    bob.wait_for_text("[data-testid=brief-text]", "Roles: commander Bob", WAIT)
        .await?;
    let brief = bob.text("[data-testid=brief-text]").await?;
    assert!(
        brief.contains("rolled back checkout 4.2 (Alice)"),
        "{brief}"
    );

    // Apart again, both name a commander: both rooms show the conflict.
    bobs_network.cut(true);
    bob.wait_for_text("[data-testid=sync-status]", "Offline since", WAIT)
        .await?;
    alice.idesk_ok(&[
        "--author",
        "Alice",
        "assign",
        &reference,
        "commander",
        "Alice",
    ])?;
    bob.idesk_ok(&["--author", "Bob", "assign", &reference, "commander", "Cy"])?;
    bobs_network.cut(false);
    for window in [alice, bob] {
        window
            .wait_for_text(
                "[data-testid=room-conflicts]",
                "concurrent assignment",
                WAIT,
            )
            .await?;
    }
    alice.screenshot("team-live-conflict-alice").await?;
    bob.screenshot("team-live-conflict-bob").await?;
    Ok(())
}

const ALICE_ONLY: &str = r#"
accounts {
  TEAM: { jetstream: enabled, users: [ { user: alice, password: "pw-alice" } ] }
}
"#;

async fn fill(session: &Session, css: &str, text: &str) -> TestResult {
    session.click(css).await?;
    session
        .script(&format!(
            "const e = document.querySelector({}); e.select?.(); return true;",
            serde_json::to_string(css)?
        ))
        .await?;
    session.keys(text).await?;
    Ok(())
}

#[tokio::test(flavor = "current_thread")]
async fn joining_in_settings_refuses_wrong_credentials_and_keeps_the_secret_out_of_the_database()
-> TestResult {
    let server = NatsServer::start(ALICE_ONLY)?;
    let dir = tempfile::tempdir()?;
    let secrets = dir.path().join("secrets");
    let session = Session::start_with(
        "team-settings",
        SessionOptions {
            env: vec![
                ("INCIDENT_DESK_AUTHOR".into(), "Alice".into()),
                (
                    "INCIDENT_DESK_SECRETS".into(),
                    format!("file:{}", secrets.display()),
                ),
            ],
            ..SessionOptions::default()
        },
    )
    .await?;
    session.wait_for("[data-testid=board-empty]", WAIT).await?;
    assert_eq!(
        session
            .script("return document.querySelector('[data-testid=sync-status]') === null;")
            .await?,
        serde_json::Value::Bool(true),
        "not in a team: the top bar says nothing of sync"
    );
    session.click("[data-testid=nav-settings]").await?;
    session
        .wait_for("[data-testid=team-settings]", WAIT)
        .await?;
    fill(&session, "[data-testid=team-name]", "Payments").await?;
    fill(&session, "[data-testid=team-server]", &server.url()).await?;
    fill(&session, "[data-testid=team-user]", "alice").await?;
    fill(&session, "[data-testid=team-secret]", "not-her-password").await?;
    session.click("[data-testid=team-join]").await?;
    let refused = session
        .wait_for_text(
            "[data-testid=team-error]",
            "refused these credentials",
            WAIT,
        )
        .await;
    if refused.is_err() {
        session.screenshot("team-settings-refused").await?;
    }
    refused?;
    fill(&session, "[data-testid=team-secret]", "pw-alice").await?;
    session.click("[data-testid=team-join]").await?;
    session
        .wait_for_text("[data-testid=sync-status]", "Payments: connected", WAIT)
        .await?;
    session
        .wait_for_text("[data-testid=team-now]", "connected", WAIT)
        .await?;
    session.screenshot("team-settings").await?;

    // The password is in the secret store (here, the 0600 file), not in the database.
    let stored: Vec<_> = std::fs::read_dir(&secrets)?.collect::<Result<_, _>>()?;
    assert_eq!(stored.len(), 1);
    assert_eq!(std::fs::read_to_string(stored[0].path())?, "pw-alice");
    for suffix in ["", "-wal"] {
        let path = format!("{}{suffix}", session.db_path.display());
        if let Ok(bytes) = std::fs::read(&path) {
            assert!(
                !bytes.windows(8).any(|w| w == b"pw-alice"),
                "{path} holds the password"
            );
        }
    }
    session.close().await?;
    Ok(())
}
