//! `make screenshot`: runs the app under Xvfb on a demo database and saves
//! the command board as `docs/screenshot.png` and an incident room as
//! `docs/incident-room.png`.

use e2e::demo::seed_demo;
use e2e::{Session, SessionOptions, workspace_root};
use fantoccini::Locator;
use std::process::ExitCode;
use std::time::Duration;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("screenshot: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> e2e::Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("demo.db");
    seed_demo(&db)?;
    let session = Session::start_with(
        "screenshot",
        SessionOptions {
            db: Some(db.clone()),
            ..SessionOptions::default()
        },
    )
    .await?;
    session
        .wait_for("[data-testid=incident-row]", Duration::from_secs(20))
        .await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    save(&session, "screenshot", "docs/screenshot.png").await?;

    session
        .client
        .find(Locator::Css("[data-ref='INC-1'] button.row"))
        .await?
        .click()
        .await?;
    session
        .wait_for("[data-testid=incident-room]", Duration::from_secs(10))
        .await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    save(&session, "incident-room", "docs/incident-room.png").await?;
    session.close().await?;
    review_sample(&db)
}

/// `docs/review-sample.png`: the second page of the demo incident's PDF review.
fn review_sample(db: &std::path::Path) -> e2e::Result<()> {
    let dir = tempfile::tempdir()?;
    let pdf = dir.path().join("review.pdf");
    let pdf_arg = pdf.display().to_string();
    e2e::demo::idesk(db, &["export", "INC-1", "--pdf", "-o", &pdf_arg])?;
    let prefix = dir.path().join("page");
    let status = std::process::Command::new("pdftoppm")
        .args(["-f", "2", "-l", "2", "-r", "80", "-png", "-singlefile"])
        .arg(&pdf)
        .arg(&prefix)
        .status()?;
    if !status.success() {
        return Err(e2e::HarnessError::ExitedEarly {
            what: "pdftoppm",
            detail: status.to_string(),
        });
    }
    let target = workspace_root().join("docs/review-sample.png");
    std::fs::copy(prefix.with_extension("png"), &target)?;
    println!("saved {}", target.display());
    Ok(())
}

async fn save(session: &Session, name: &str, target: &str) -> e2e::Result<()> {
    let shot = session.screenshot(name).await?;
    let target = workspace_root().join(target);
    std::fs::copy(&shot, &target)?;
    println!("saved {}", target.display());
    Ok(())
}
