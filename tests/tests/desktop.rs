//! Desktop citizenship in the real window: a second launch hands its
//! incident to the running app; the About / Diagnostics screen; signed
//! updates from a local server (keys made here with `tauri signer`).

use e2e::signer::Signer;
use e2e::update_server::UpdateServer;
use e2e::{Session, SessionOptions, within};
use std::path::Path;
use std::time::Duration;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const WAIT: Duration = Duration::from_secs(15);

async fn wait_for_room(session: &Session, reference: &str) -> TestResult {
    session
        .wait_for(
            &format!("[data-testid=incident-room][data-ref=\"{reference}\"]"),
            WAIT,
        )
        .await?;
    Ok(())
}

fn declare(session: &Session, title: &str, level: &str) -> TestResult {
    let out = session.idesk(&[
        "declare", "--title", title, "--kind", "outage", "--level", level,
    ])?;
    assert!(out.status.success(), "{out:?}");
    Ok(())
}

#[tokio::test(flavor = "current_thread")]
async fn a_second_launch_hands_its_incident_to_the_running_window() -> TestResult {
    let session = Session::start("second-launch").await?;
    session.wait_for("[data-testid=board-empty]", WAIT).await?;
    declare(&session, "Checkout fails", "L1")?;
    declare(&session, "Search slow", "L2")?;

    // `--incident INC-1`: the second process hands over and exits at once;
    // the window that was already running opens the incident.
    let status = session.launch_again(&["--incident", "INC-1"])?;
    assert!(status.success(), "second launch: {status}");
    wait_for_room(&session, "INC-1").await?;

    // An incident-desk:// link (how a browser or chat client passes it on).
    let status = session.launch_again(&["incident-desk://INC-2"])?;
    assert!(status.success(), "second launch: {status}");
    wait_for_room(&session, "INC-2").await?;

    // Something that is not an incident is said plainly, and nothing moves.
    let status = session.launch_again(&["--incident", "tomorrow"])?;
    assert!(status.success(), "second launch: {status}");
    session
        .wait_for_text("[data-testid=launch-problem]", "tomorrow", WAIT)
        .await?;
    wait_for_room(&session, "INC-2").await?;

    // Still one app: every second launch handed over and exited (asserted
    // above), and the first window still answers.
    wait_for_room(&session, "INC-2").await?;
    session.close().await?;
    Ok(())
}

#[tokio::test(flavor = "current_thread")]
async fn about_shows_where_everything_lives_and_copies_it() -> TestResult {
    let session = Session::start("about").await?;
    session.wait_for("[data-testid=board-empty]", WAIT).await?;
    declare(&session, "Login errors", "L2")?;
    session.click("[data-testid=nav-about]").await?;
    session
        .wait_for_text(
            "[data-testid=diag-database]",
            &session.db_path.display().to_string(),
            WAIT,
        )
        .await?;
    let version = session.text("[data-testid=diag-version]").await?;
    assert_eq!(version, env!("CARGO_PKG_VERSION"));
    let logs = session.text("[data-testid=diag-logs]").await?;
    assert_eq!(logs, session.log_dir.display().to_string());
    let all = session.all_text("[data-testid=diagnostics]").await?;
    assert!(all.contains("schema"), "{all}");
    assert!(all.contains("Open incidents"), "{all}");

    session.click("[data-testid=copy-diagnostics]").await?;
    session
        .wait_for_text("[data-testid=copy-result]", "copied", WAIT)
        .await?;
    // What a bug report gets: read back from the X clipboard.
    let pasted = std::process::Command::new("timeout")
        .args(["10", "xclip", "-o", "-selection", "clipboard"])
        .env("DISPLAY", &session.display)
        .output()?;
    let pasted = String::from_utf8_lossy(&pasted.stdout);
    assert!(pasted.starts_with("Incident Desk "), "{pasted}");
    assert!(
        pasted.contains(&session.db_path.display().to_string()),
        "{pasted}"
    );
    assert!(pasted.contains("Open incidents: 1"), "{pasted}");
    session.screenshot("about").await?;
    session.close().await?;
    Ok(())
}

fn bytes_of(path: &Path) -> Result<Vec<u8>, std::io::Error> {
    // Byte-for-byte comparison is enough here; no hashing crate needed.
    std::fs::read(path)
}

#[tokio::test(flavor = "current_thread")]
async fn updates_are_verified_and_never_interrupt_an_l1_incident() -> TestResult {
    let dir = tempfile::tempdir()?;
    // The updater replaces the binary it runs from: run a copy.
    let installed = dir.path().join("incident-desk");
    std::fs::copy(e2e::app_binary()?, &installed)?;
    let original = bytes_of(&installed)?;

    // The "new version": any executable will do (an update is an ELF image
    // for a binary that was not installed from a package).
    let artifact = dir.path().join("incident-desk-0.2.0");
    std::fs::copy("/usr/bin/true", &artifact)?;
    let signer = Signer::generate(dir.path())?;
    let signature = signer.sign(&artifact, "0.2.0")?;
    let good = std::fs::read(&artifact)?;
    let mut tampered = good.clone();
    let middle = tampered.len() / 2;
    tampered[middle] ^= 0xff;

    let server = UpdateServer::start()?;
    let manifest = serde_json::json!({
        "version": "0.2.0",
        "notes": "Faster board. <b>not bold</b>",
        "pub_date": "2026-11-30T12:00:00Z",
        "platforms": {
            "linux-x86_64": { "url": server.url("/incident-desk-0.2.0"), "signature": signature }
        }
    });
    server.serve(
        "/latest.json",
        "application/json",
        serde_json::to_vec(&manifest)?,
    );
    server.serve("/incident-desk-0.2.0", "application/octet-stream", tampered);

    let options = SessionOptions {
        binary: Some(installed.clone()),
        env: vec![
            (
                "INCIDENT_DESK_UPDATE_ENDPOINT".into(),
                server.url("/latest.json"),
            ),
            (
                "INCIDENT_DESK_UPDATE_PUBKEY".into(),
                signer.public_key.clone(),
            ),
        ],
        ..SessionOptions::default()
    };
    let session = Session::start_with("updates", options).await?;

    // The startup check found it.
    session
        .wait_for_text("[data-testid=update-banner]", "0.2.0 is available", WAIT)
        .await?;
    session.click("[data-testid=nav-about]").await?;
    session
        .wait_for_text("[data-testid=update-version]", "0.2.0", WAIT)
        .await?;
    // Release notes are text, never markup.
    session
        .wait_for_text("[data-testid=update-notes]", "<b>not bold</b>", WAIT)
        .await?;

    // A tampered download is refused with the signature error.
    click(&session, "update-download").await?;
    session
        .wait_for_text("[data-testid=update-error]", "signature", WAIT)
        .await?;
    let error = session.text("[data-testid=update-error]").await?;
    assert!(error.contains("this version keeps running"), "{error}");
    assert!(
        bytes_of(&installed)? == original,
        "a refused update changed the app"
    );

    // The genuine one downloads, verifies, and waits while an L1 is open.
    server.serve(
        "/incident-desk-0.2.0",
        "application/octet-stream",
        good.clone(),
    );
    declare(&session, "Payments down", "L1")?;
    click(&session, "update-download").await?;
    session.wait_for("[data-testid=update-ready]", WAIT).await?;
    click(&session, "update-install").await?;
    session
        .wait_for_text("[data-testid=update-waiting]", "L1 incident is open", WAIT)
        .await?;
    assert!(
        bytes_of(&installed)? == original,
        "installed during an L1 incident"
    );
    session.screenshot("update-waiting").await?;

    // Once the incident is no longer L1, the update installs.
    let out = session.idesk(&["classify", "INC-1", "--level", "L2"])?;
    assert!(out.status.success(), "{out:?}");
    click(&session, "update-install").await?;
    session
        .wait_for("[data-testid=update-installed]", WAIT)
        .await?;
    session
        .wait_for("[data-testid=update-restart]", WAIT)
        .await?;
    assert!(
        bytes_of(&installed)? == good,
        "the update was not installed"
    );

    // A server error and no server at all: clear messages, the app works on.
    server.fail("/latest.json", 500);
    click(&session, "update-check").await?;
    session
        .wait_for_text("[data-testid=update-error]", "keeps running", WAIT)
        .await?;
    drop(server);
    click(&session, "update-check").await?;
    session
        .wait_for_text(
            "[data-testid=update-error]",
            "could not reach the update server",
            WAIT,
        )
        .await?;
    session.keys("\u{e00c}").await?; // Escape: back to the board
    session
        .wait_for_text("[data-testid=open-count]", "1 open", WAIT)
        .await?;
    session.close().await?;
    Ok(())
}

async fn click(session: &Session, testid: &str) -> TestResult {
    session.click(&format!("[data-testid={testid}]")).await?;
    Ok(())
}

#[tokio::test(flavor = "current_thread")]
async fn the_window_reopens_at_the_size_it_was_left_even_after_a_kill() -> TestResult {
    let mut session = Session::start("window-state").await?;
    session.wait_for("[data-testid=board-empty]", WAIT).await?;
    let config = session
        .env
        .iter()
        .find(|(key, _)| key == "XDG_CONFIG_HOME")
        .map(|(_, value)| std::path::PathBuf::from(value))
        .ok_or("the session has no XDG_CONFIG_HOME")?;
    let saved = config
        .join(incident_core::APP_IDENTIFIER)
        .join(".window-state.json");

    within(
        "resizing the window",
        WAIT,
        session.client.set_window_rect(60, 40, 1000, 640),
    )
    .await??;
    // Written once the geometry settles, not only at a clean exit.
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let text = std::fs::read_to_string(&saved).unwrap_or_default();
        if text.contains("1000") && text.contains("640") {
            break;
        }
        if std::time::Instant::now() > deadline {
            return Err(format!("{} never recorded 1000×640: {text:?}", saved.display()).into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The WebDriver session ends the app by killing it: nothing runs at exit.
    session.restart_app().await?;
    session.wait_for("[data-testid=board-empty]", WAIT).await?;
    let (_, _, width, height) =
        within("the window's size", WAIT, session.client.get_window_rect()).await??;
    assert_eq!((width, height), (1000, 640));
    session.close().await?;
    Ok(())
}
