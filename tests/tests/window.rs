//! The real application window, driven through tauri-driver.

use e2e::{Session, SessionOptions};
use std::time::{Duration, Instant};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const LOAD: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "current_thread")]
async fn the_empty_board_renders_in_the_real_window() -> TestResult {
    let session = Session::start("empty-board").await?;
    let pids = session.pids();

    let empty = session.wait_for("[data-testid=board-empty]", LOAD).await?;
    let text = empty.text().await?;
    assert!(text.contains("No open incidents"), "{text}");
    assert!(text.contains("Press N to declare one"), "{text}");
    assert_eq!(session.title().await?, "Incident Desk");
    assert_eq!(session.text("[data-testid=open-count]").await?, "0 open");

    // The app opened the database we gave it, and idesk sees the same file.
    let footer = session.text_content(".statusbar .db").await?;
    assert_eq!(footer, session.db_path.display().to_string());
    let listed = session.idesk(&["list", "--json"])?;
    assert!(listed.status.success(), "{listed:?}");
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&listed.stdout)?,
        serde_json::json!([])
    );

    let shot = session.screenshot("empty-board").await?;
    assert!(
        std::fs::metadata(&shot)?.len() > 1_000,
        "screenshot too small"
    );

    // The app logged its start to a file in its log directory.
    let logs: String = std::fs::read_dir(&session.log_dir)?
        .flatten()
        .filter_map(|entry| std::fs::read_to_string(entry.path()).ok())
        .collect();
    assert!(logs.contains("Incident Desk starting"), "log was: {logs}");
    assert!(logs.contains("database opened"), "log was: {logs}");

    session.close().await?;

    // Nothing we started outlives the session.
    let deadline = Instant::now() + Duration::from_secs(5);
    while pids.any_alive() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!pids.any_alive(), "processes left behind: {pids:?}");
    Ok(())
}

#[tokio::test(flavor = "current_thread")]
async fn a_database_from_a_newer_version_is_explained_and_left_untouched() -> TestResult {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("future.db");
    {
        let conn = rusqlite::Connection::open(&db)?;
        conn.execute_batch(
            "PRAGMA application_id = 1229214539;
             CREATE TABLE later_feature (x INTEGER);
             PRAGMA user_version = 999;",
        )?;
    }
    let before = std::fs::read(&db)?;

    let options = SessionOptions {
        db: Some(db.clone()),
        ..SessionOptions::default()
    };
    let session = Session::start_with("newer-database", options).await?;
    let panel = session
        .wait_for("[data-testid=startup-error]", LOAD)
        .await?;
    assert_eq!(
        panel.attr("data-code").await?.as_deref(),
        Some("newer_database")
    );
    let text = panel.text().await?;
    assert!(text.contains("needs a newer Incident Desk"), "{text}");
    assert!(text.contains("schema version 999"), "{text}");
    session.screenshot("newer-database").await?;
    session.close().await?;

    assert_eq!(
        std::fs::read(&db)?,
        before,
        "the newer database must not change"
    );
    Ok(())
}

/// Reads the page's background colour as `rgb(r, g, b)`.
async fn background(session: &Session) -> Result<String, Box<dyn std::error::Error>> {
    session.wait_for("[data-testid=board]", LOAD).await?;
    let value = session
        .client
        .execute(
            "return getComputedStyle(document.body).backgroundColor;",
            vec![],
        )
        .await?;
    Ok(value.as_str().unwrap_or_default().to_owned())
}

fn brightness(rgb: &str) -> u32 {
    rgb.trim_start_matches("rgb(")
        .trim_end_matches(')')
        .split(',')
        .filter_map(|part| part.trim().parse::<u32>().ok())
        .sum()
}

#[tokio::test(flavor = "current_thread")]
async fn the_theme_follows_the_systems_light_or_dark_preference() -> TestResult {
    let light = Session::start("theme-light").await?;
    let light_bg = background(&light).await?;
    light.close().await?;

    let dark_options = SessionOptions {
        env: vec![("GTK_THEME".into(), "Adwaita:dark".into())],
        ..SessionOptions::default()
    };
    let dark = Session::start_with("theme-dark", dark_options).await?;
    let dark_bg = background(&dark).await?;
    dark.screenshot("empty-board-dark").await?;
    dark.close().await?;

    assert!(brightness(&light_bg) > 600, "light background: {light_bg}");
    assert!(brightness(&dark_bg) < 150, "dark background: {dark_bg}");
    Ok(())
}

#[tokio::test(flavor = "current_thread")]
async fn an_incident_declared_with_idesk_appears_within_a_second() -> TestResult {
    let session = Session::start("idesk-live").await?;
    session.wait_for("[data-testid=board-empty]", LOAD).await?;

    let declared = session.idesk(&[
        "declare",
        "--title",
        "Declared from a terminal",
        "--kind",
        "outage",
        "--level",
        "L1",
    ])?;
    assert!(declared.status.success(), "{declared:?}");
    let written = Instant::now();
    let row = session
        .wait_for("[data-testid=incident-row]", Duration::from_secs(1))
        .await?;
    let seen_after = written.elapsed();
    drop(row);
    let text = session.all_text("[data-testid=incident-row]").await?;
    assert!(text.contains("Declared from a terminal"), "{text}");
    assert!(text.contains("INC-1"), "{text}");
    assert!(seen_after <= Duration::from_secs(1), "took {seen_after:?}");
    eprintln!("idesk write visible in the window after {seen_after:?}");
    session.screenshot("idesk-live").await?;
    session.close().await?;
    Ok(())
}
