//! Automatic backups in the real app: one that fails (here, a damaged
//! database) is shown in the window and logged, never passed over in silence.

use e2e::{Session, SessionOptions};
use incident_core::Desk;
use incident_core::desk::Declaration;
use incident_core::domain::IncidentKind;
use incident_core::model::Person;
use std::time::Duration;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const LOAD: Duration = Duration::from_secs(20);

/// A database whose `people` table has a damaged page: it opens and the
/// board works, but SQLite's integrity check (and so a backup) fails.
fn damaged_database(path: &std::path::Path) -> TestResult {
    {
        let desk = Desk::open(path)?;
        desk.declare(Declaration::new(
            "Payments down",
            IncidentKind::Outage,
            "L1",
        ))?;
        for n in 0..300 {
            desk.save_person(&Person {
                name: format!("Person {n}"),
                handle: format!("@person{n}"),
                contact: "x".repeat(200),
                team: "payments".into(),
            })?;
        }
    }
    let conn = rusqlite::Connection::open(path)?;
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")?;
    let page: i64 = conn.query_row(
        "SELECT pageno FROM dbstat WHERE name = 'people' AND pagetype = 'leaf' ORDER BY pageno DESC LIMIT 1",
        [],
        |row| row.get(0),
    )?;
    let size: i64 = conn.query_row("PRAGMA page_size", [], |row| row.get(0))?;
    drop(conn);
    let mut bytes = std::fs::read(path)?;
    let start = usize::try_from((page - 1) * size)?;
    bytes[start..start + usize::try_from(size)?].fill(0x5a);
    std::fs::write(path, bytes)?;
    Ok(())
}

#[tokio::test(flavor = "current_thread")]
async fn a_failing_backup_is_shown_in_the_window_and_logged() -> TestResult {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("damaged.db");
    damaged_database(&db)?;
    let session = Session::start_with(
        "backup-failure",
        SessionOptions {
            db: Some(db.clone()),
            ..SessionOptions::default()
        },
    )
    .await?;
    let banner = session
        .wait_for("[data-testid=backup-problem]", LOAD)
        .await?;
    let text = banner.text().await?;
    assert!(text.contains("Backups are failing"), "{text}");
    assert!(text.contains("is damaged"), "{text}");
    // The board still works beside it.
    session
        .wait_for_text("[data-testid=board]", "Payments down", LOAD)
        .await?;
    session.screenshot("backup-failure").await?;

    // No backup was kept, and the log says why.
    let backups = dir.path().join("backups");
    let kept = std::fs::read_dir(&backups).map(|d| d.count()).unwrap_or(0);
    assert_eq!(kept, 0, "a damaged database must not leave a backup");
    let logs: String = std::fs::read_dir(&session.log_dir)?
        .flatten()
        .filter_map(|entry| std::fs::read_to_string(entry.path()).ok())
        .collect();
    assert!(logs.contains("backup failed"), "log was: {logs}");

    session.click("[data-testid=backup-problem] button").await?;
    session.settle().await?;
    assert!(
        session
            .client
            .find(fantoccini::Locator::Css("[data-testid=backup-problem]"))
            .await
            .is_err(),
        "dismissed"
    );
    session.close().await?;
    Ok(())
}
