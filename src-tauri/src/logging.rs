//! Logging to a daily rolling file in the app's log directory, and a panic
//! hook that records the panic there before the process goes down.

use std::path::PathBuf;
use tauri::{AppHandle, Manager, Runtime};
use tracing_subscriber::EnvFilter;

/// Overrides the log directory (tests point it at a temporary folder).
pub const LOG_DIR_ENV: &str = "INCIDENT_DESK_LOG_DIR";

/// How many daily log files are kept.
const KEEP_LOG_FILES: usize = 7;

pub fn log_dir<R: Runtime>(app: &AppHandle<R>) -> Option<PathBuf> {
    match std::env::var_os(LOG_DIR_ENV) {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => app.path().app_log_dir().ok(),
    }
}

/// Starts file logging. A failure here is reported on stderr and the app
/// goes on without a log file: logging must never stop an incident.
pub fn init<R: Runtime>(app: &AppHandle<R>) {
    let Some(dir) = log_dir(app) else {
        eprintln!("Incident Desk: no log directory could be determined; logging to stderr");
        return;
    };
    if let Err(error) = std::fs::create_dir_all(&dir) {
        eprintln!(
            "Incident Desk: cannot create the log directory {}: {error}",
            dir.display()
        );
        return;
    }
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("incident-desk")
        .filename_suffix("log")
        .max_log_files(KEEP_LOG_FILES)
        .build(&dir);
    let appender = match appender {
        Ok(appender) => appender,
        Err(error) => {
            eprintln!("Incident Desk: cannot log to {}: {error}", dir.display());
            return;
        }
    };
    let filter = EnvFilter::try_from_env("INCIDENT_DESK_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,tao=warn,wry=warn"));
    let installed = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(appender)
        .with_ansi(false)
        .try_init();
    if installed.is_ok() {
        tracing::info!(version = incident_core::VERSION, log_dir = %dir.display(), "Incident Desk starting");
    }
}

/// Logs a panic (with where it happened) before the default hook runs.
pub fn install_panic_hook() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        tracing::error!(%location, panic = %info, "Incident Desk panicked");
        default_hook(info);
    }));
}
