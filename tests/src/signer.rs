//! Update signing keys made by the test, with the npm Tauri CLI's
//! `tauri signer` (the same tool a release uses; see docs/releasing.md).

use crate::artifacts::workspace_root;
use crate::{HarnessError, Result};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

pub struct Signer {
    key: PathBuf,
    /// The public key as the updater configuration takes it (base64 text).
    pub public_key: String,
}

fn tauri_cli() -> PathBuf {
    workspace_root().join("ui/node_modules/.bin/tauri")
}

/// Runs a short command, ended by its own id if it takes over a minute.
fn run(what: &'static str, command: &mut Command) -> Result<()> {
    let mut child = command
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|source| HarnessError::Spawn { what, source })?;
    let limit = Duration::from_secs(60);
    let deadline = std::time::Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait()? {
            if status.success() {
                return Ok(());
            }
            let mut stderr = String::new();
            if let Some(mut pipe) = child.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
            }
            return Err(HarnessError::ExitedEarly {
                what,
                detail: format!("{status}: {stderr}"),
            });
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(HarnessError::Timeout {
                what: what.to_owned(),
                seconds: limit.as_secs_f64(),
            });
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

impl Signer {
    /// A fresh key pair without a password, in `dir`.
    pub fn generate(dir: &Path) -> Result<Signer> {
        let key = dir.join("update.key");
        run(
            "tauri signer generate",
            Command::new(tauri_cli())
                .args([
                    "signer",
                    "generate",
                    "--ci",
                    "--password",
                    "",
                    "--write-keys",
                ])
                .arg(&key),
        )?;
        let public_key = std::fs::read_to_string(dir.join("update.key.pub"))?;
        Ok(Signer {
            key,
            public_key: public_key.trim().to_owned(),
        })
    }

    /// Signs `file` for `version`; returns the signature (the `.sig` file's text).
    pub fn sign(&self, file: &Path, version: &str) -> Result<String> {
        run(
            "tauri signer sign",
            Command::new(tauri_cli())
                .args(["signer", "sign", "--password", "", "--app-version", version])
                .arg("--private-key-path")
                .arg(&self.key)
                .arg(file),
        )?;
        let mut sig = file.as_os_str().to_owned();
        sig.push(".sig");
        Ok(std::fs::read_to_string(PathBuf::from(sig))?
            .trim()
            .to_owned())
    }
}
