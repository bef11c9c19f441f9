//! `make screenshot`: runs the app under Xvfb and saves the window as
//! `docs/screenshot.png`.

use e2e::{Session, workspace_root};
use std::process::ExitCode;
use std::time::Duration;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(path) => {
            println!("saved {}", path.display());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("screenshot: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> e2e::Result<std::path::PathBuf> {
    let session = Session::start("screenshot").await?;
    session
        .wait_for("[data-testid=board]", Duration::from_secs(20))
        .await?;
    // Let the footer's app info and fonts settle before the picture.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let shot = session.screenshot("screenshot").await?;
    let target = workspace_root().join("docs/screenshot.png");
    std::fs::copy(&shot, &target)?;
    session.close().await?;
    Ok(target)
}
