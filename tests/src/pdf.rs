//! Reading back a PDF the app wrote: waits for the file, then poppler's
//! `pdftotext`, with runs of whitespace made one space (lines break anywhere).

use crate::{HarnessError, Result};
use std::path::Path;
use std::time::{Duration, Instant};

/// The text of the PDF at `path`, once it exists (at most `limit`).
pub fn pdf_text(path: &Path, limit: Duration) -> Result<String> {
    let deadline = Instant::now() + limit;
    while !path.exists() {
        if Instant::now() > deadline {
            return Err(HarnessError::Timeout {
                what: format!("the PDF {}", path.display()),
                seconds: limit.as_secs_f64(),
            });
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = std::process::Command::new("pdftotext")
        .arg(path)
        .arg("-")
        .output()
        .map_err(|source| HarnessError::Spawn {
            what: "pdftotext",
            source,
        })?;
    if !output.status.success() {
        return Err(HarnessError::CommandFailed {
            what: "pdftotext",
            detail: String::from_utf8_lossy(&output.stderr).into_owned(),
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" "))
}
