//! Team mode in the real window: entries from another laptop, applied by
//! `idesk sync apply` while the app is open, reach the board at once, and a
//! conflict between the two laptops shows in the room until it is settled.

use e2e::Session;
use incident_core::Desk;
use incident_core::desk::{Declaration, EntryBatch};
use incident_core::domain::{IncidentKind, Role};
use std::path::Path;
use std::time::{Duration, Instant};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const WAIT: Duration = Duration::from_secs(10);

fn write_batch(batch: &EntryBatch, path: &Path) -> TestResult {
    std::fs::write(path, serde_json::to_string(batch)?)?;
    Ok(())
}

async fn wait_gone(session: &Session, css: &str) -> TestResult {
    let started = Instant::now();
    let query = format!(
        "return document.querySelector({}) === null;",
        serde_json::to_string(css)?
    );
    while started.elapsed() < WAIT {
        if session.script(&query).await? == serde_json::Value::Bool(true) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("{css} is still shown after {WAIT:?}").into())
}

#[tokio::test(flavor = "current_thread")]
async fn another_laptops_entries_reach_the_open_board_and_conflicts_show_in_the_room() -> TestResult
{
    let session = Session::start("team-sync").await?;
    session.wait_for("[data-testid=board-empty]", WAIT).await?;
    let dir = tempfile::tempdir()?;

    // Alice (this app) declares; Bob's laptop gets it from a file.
    session.idesk_ok(&[
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
    let to_bob = dir.path().join("to-bob.json");
    session.idesk_ok(&["sync", "export", "-o", to_bob.to_str().ok_or("path")?])?;
    let bob = Desk::open(dir.path().join("bob.db"))?.with_author("Bob")?;
    bob.apply_entries(Desk::read_entries_file(&to_bob)?)?;

    // Offline from each other, both name a commander; Bob declares another incident.
    session.idesk_ok(&["--author", "Alice", "assign", "INC-1", "commander", "Alice"])?;
    bob.assign("INC-1", Role::Commander, "Bob", None)?;
    bob.declare(Declaration::new("DNS failures", IncidentKind::Outage, "L2"))?;

    // Bob's file arrives: the open board shows his incident without a reload.
    let from_bob = dir.path().join("from-bob.json");
    write_batch(&bob.export_entries(None)?, &from_bob)?;
    let applied = session.idesk_ok(&["sync", "apply", from_bob.to_str().ok_or("path")?])?;
    assert!(applied.contains("Applied 2 new entries"), "{applied}");
    session
        .wait_for_text("[data-testid=board]", "DNS failures", WAIT)
        .await?;

    // The room of INC-1 says the two laptops disagreed, and who holds the role.
    session.click("[data-ref='INC-1'] button.row").await?;
    session
        .wait_for_text(
            "[data-testid=room-conflicts]",
            "concurrent assignment",
            WAIT,
        )
        .await?;
    let conflict = session.text("[data-testid=room-conflict]").await?;
    assert!(
        conflict.contains("Bob") && conflict.contains("Alice"),
        "{conflict}"
    );
    // Bob assigned after Alice (both on this machine's clock): his stands.
    assert!(conflict.contains("Bob (the later) holds it"), "{conflict}");
    session.screenshot("team-conflict").await?;

    // Alice, having seen it, assigns again: the conflict is settled.
    session.idesk_ok(&["--author", "Alice", "assign", "INC-1", "commander", "Alice"])?;
    wait_gone(&session, "[data-testid=room-conflicts]").await?;
    session.close().await?;
    Ok(())
}
