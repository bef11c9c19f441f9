//! Updates of the app itself, through the signed Tauri updater, driven from
//! Rust (the web view has no updater permission). Check, download (the
//! signature is verified against our public key before anything is kept),
//! install — never while an L1 incident is open — and restart.
//!
//! `INCIDENT_DESK_UPDATE_ENDPOINT` and `INCIDENT_DESK_UPDATE_PUBKEY` replace
//! the endpoint and key of the configuration (a company mirror, or the tests'
//! local server; plain http is refused by release builds).

use incident_core::model::{UpdateInfo, UpdateProgress};
use incident_core::{Desk, ErrorCode, ErrorPayload};
use std::sync::Mutex;
use std::time::Duration;
use tauri::{AppHandle, Emitter, Runtime};
use tauri_plugin_updater::{Update, UpdaterExt};

pub const PROGRESS_EVENT: &str = "update-progress";
pub const AVAILABLE_EVENT: &str = "update-available";
const ENDPOINT_ENV: &str = "INCIDENT_DESK_UPDATE_ENDPOINT";
const PUBKEY_ENV: &str = "INCIDENT_DESK_UPDATE_PUBKEY";

/// The update found, and its verified bytes once downloaded.
#[derive(Default)]
pub struct Updates {
    found: Mutex<Option<Update>>,
    downloaded: Mutex<Option<Vec<u8>>>,
}

fn failure(message: String) -> ErrorPayload {
    ErrorPayload {
        code: ErrorCode::UpdateFailed,
        message,
        field: None,
    }
}

/// A clear sentence for each way an update goes wrong.
fn explain(error: tauri_plugin_updater::Error) -> ErrorPayload {
    use tauri_plugin_updater::Error as E;
    let keep = "this version keeps running";
    failure(match error {
        E::Minisign(_) | E::Base64(_) | E::SignatureUtf8(_) => format!(
            "the update's signature does not match Incident Desk's key, so it was refused; {keep}"
        ),
        E::Reqwest(e) => format!("could not reach the update server ({e}); {keep}"),
        E::Network(e) => format!("the update server failed: {e}; {keep}"),
        E::ReleaseNotFound => format!("the update server has no release information; {keep}"),
        E::SignedVersionMismatch { signed, announced } => format!(
            "the update server announced version {announced} but the download is signed for {signed}, so it was refused; {keep}"
        ),
        E::MissingSignedVersion => format!(
            "the update's signature does not say which version it is for, so it was refused; {keep}"
        ),
        E::TargetNotFound(t) => format!("the update has no download for this system ({t}); {keep}"),
        E::TargetsNotFound(t) => format!(
            "the update has no download for this system ({}); {keep}",
            t.join(", ")
        ),
        E::InsecureTransportProtocol => {
            format!("the update server must be reached over https; {keep}")
        }
        E::AuthenticationFailed => {
            format!(
                "installing the update needs an administrator's password, which was not given; {keep}"
            )
        }
        other => format!("the update failed: {other}; {keep}"),
    })
}

fn updater<R: Runtime>(app: &AppHandle<R>) -> Result<tauri_plugin_updater::Updater, ErrorPayload> {
    let mut builder = app.updater_builder().timeout(Duration::from_secs(30));
    if let Some(endpoint) = std::env::var(ENDPOINT_ENV).ok().filter(|e| !e.is_empty()) {
        let url = endpoint
            .parse()
            .map_err(|e| failure(format!("{ENDPOINT_ENV} is not a URL: {e}")))?;
        builder = builder.endpoints(vec![url]).map_err(explain)?;
    }
    if let Some(key) = std::env::var(PUBKEY_ENV).ok().filter(|k| !k.is_empty()) {
        builder = builder.pubkey(key);
    }
    builder.build().map_err(explain)
}

impl Updates {
    /// Asks the update server; remembers what it offers.
    pub async fn check<R: Runtime>(
        &self,
        app: &AppHandle<R>,
    ) -> Result<Option<UpdateInfo>, ErrorPayload> {
        let update = updater(app)?.check().await.map_err(explain)?;
        let info = update.as_ref().map(describe);
        *lock(&self.found) = update;
        *lock(&self.downloaded) = None;
        Ok(info)
    }

    /// What the last check found (the window asks at start: the startup
    /// check may answer before the window listens for its event).
    pub fn found(&self) -> Option<UpdateInfo> {
        lock(&self.found).as_ref().map(describe)
    }

    /// Downloads the update found by [`Updates::check`], reporting progress;
    /// only bytes whose signature verifies are kept.
    pub async fn download<R: Runtime>(&self, app: &AppHandle<R>) -> Result<(), ErrorPayload> {
        let update = lock(&self.found)
            .clone()
            .ok_or_else(|| failure("no update to download: check for updates first".into()))?;
        let mut downloaded: u64 = 0;
        let bytes = update
            .download(
                |chunk, total| {
                    downloaded += chunk as u64;
                    let _ = app.emit(PROGRESS_EVENT, UpdateProgress { downloaded, total });
                },
                || {},
            )
            .await
            .map_err(explain)?;
        tracing::info!(version = %update.version, bytes = bytes.len(), "update downloaded and verified");
        *lock(&self.downloaded) = Some(bytes);
        Ok(())
    }

    /// Installs the downloaded update, unless an L1 incident is open: then
    /// the app only says the update is ready (an incident is never interrupted).
    pub fn install(&self, desk: &Desk) -> Result<(), ErrorPayload> {
        desk.check_update_may_install().map_err(|e| e.payload())?;
        let update = lock(&self.found)
            .clone()
            .ok_or_else(|| failure("no update to install".into()))?;
        let bytes = lock(&self.downloaded)
            .clone()
            .ok_or_else(|| failure("the update is not downloaded yet".into()))?;
        update.install(bytes).map_err(explain)
    }
}

fn describe(update: &Update) -> UpdateInfo {
    UpdateInfo {
        current_version: update.current_version.clone(),
        version: update.version.clone(),
        notes: update.body.clone(),
        date: update.date.map(|d| d.to_string()),
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// At startup (when the setting allows): look for an update and tell the window.
pub fn check_at_startup<R: Runtime>(app: AppHandle<R>, desk: &Desk) {
    if !desk
        .settings()
        .map(|s| s.check_updates_at_startup)
        .unwrap_or(true)
    {
        return;
    }
    tauri::async_runtime::spawn(async move {
        let updates = tauri::Manager::state::<Updates>(&app);
        match updates.check(&app).await {
            Ok(Some(info)) => {
                tracing::info!(version = %info.version, "an update is available");
                let _ = app.emit(AVAILABLE_EVENT, info);
            }
            Ok(None) => tracing::info!("Incident Desk is up to date"),
            Err(error) => tracing::info!(message = %error.message, "no update check"),
        }
    });
}

type CommandResult<T> = Result<T, ErrorPayload>;

#[tauri::command]
pub(crate) async fn check_for_update<R: Runtime>(
    app: AppHandle<R>,
    updates: tauri::State<'_, Updates>,
) -> CommandResult<Option<UpdateInfo>> {
    updates.check(&app).await
}

/// The update found by the last check, if any.
#[tauri::command]
pub(crate) async fn found_update(
    updates: tauri::State<'_, Updates>,
) -> CommandResult<Option<UpdateInfo>> {
    Ok(updates.found())
}

#[tauri::command]
pub(crate) async fn download_update<R: Runtime>(
    app: AppHandle<R>,
    updates: tauri::State<'_, Updates>,
) -> CommandResult<()> {
    updates.download(&app).await
}

#[tauri::command]
pub(crate) async fn install_update(
    state: tauri::State<'_, crate::AppState>,
    updates: tauri::State<'_, Updates>,
) -> CommandResult<()> {
    updates.install(state.desk()?)
}

/// Restarts into the installed version (the window asks first).
#[tauri::command]
pub(crate) fn restart_app<R: Runtime>(app: AppHandle<R>) {
    tracing::info!("restarting after an update");
    app.restart();
}

#[cfg(test)]
mod tests {
    use super::*;
    use incident_core::desk::Declaration;
    use incident_core::domain::IncidentKind;
    use tauri_plugin_updater::Error as E;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn desk_with(
        level: Option<&str>,
    ) -> Result<(tempfile::TempDir, Desk), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let desk = Desk::open(dir.path().join("updates.db"))?;
        if let Some(level) = level {
            desk.declare(Declaration::new(
                "Payments down",
                IncidentKind::Outage,
                level,
            ))?;
        }
        Ok((dir, desk))
    }

    #[test]
    fn an_open_l1_incident_holds_every_install_back() -> TestResult {
        let (_dir, desk) = desk_with(Some("L1"))?;
        let error = Updates::default()
            .install(&desk)
            .err()
            .ok_or("installed during an L1 incident")?;
        assert_eq!(error.code, ErrorCode::Conflict);
        assert!(error.message.contains("ready"), "{}", error.message);
        Ok(())
    }

    #[test]
    fn without_an_l1_incident_an_install_needs_a_verified_download() -> TestResult {
        let (_dir, desk) = desk_with(Some("L2"))?;
        let error = Updates::default()
            .install(&desk)
            .err()
            .ok_or("installed without a download")?;
        assert_eq!(error.code, ErrorCode::UpdateFailed);
        assert!(error.message.contains("no update"), "{}", error.message);
        Ok(())
    }

    #[test]
    fn every_failure_is_a_sentence_that_says_this_version_keeps_running() {
        let cases = [
            (
                E::SignedVersionMismatch {
                    signed: "0.1.9".into(),
                    announced: "0.2.0".into(),
                },
                "signed for 0.1.9",
            ),
            (E::MissingSignedVersion, "does not say which version"),
            (E::InsecureTransportProtocol, "https"),
            (E::ReleaseNotFound, "no release information"),
            (E::Network("status 500".into()), "status 500"),
            (
                E::TargetsNotFound(vec!["linux-x86_64-deb".into(), "linux-x86_64".into()]),
                "linux-x86_64-deb, linux-x86_64",
            ),
        ];
        for (error, expected) in cases {
            let payload = explain(error);
            assert_eq!(payload.code, ErrorCode::UpdateFailed);
            assert!(payload.message.contains(expected), "{}", payload.message);
            assert!(
                payload.message.ends_with("this version keeps running"),
                "{}",
                payload.message
            );
        }
    }
}
