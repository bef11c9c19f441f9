//! Automatic backups while the app runs: one shortly after startup, then
//! every hour.
//! A backup that fails (a damaged database, a full disk) is logged and
//! shown in the window until one succeeds again: a silent failure would
//! leave the commander without a copy exactly when one is needed.

use incident_core::Desk;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tauri::{AppHandle, Emitter, Manager, Runtime};

/// How often a backup is taken while the app runs (plus one at startup).
const BACKUP_EVERY: Duration = Duration::from_secs(60 * 60);

/// The start-up backup waits this long after the app starts.
const START_DELAY: Duration = Duration::from_secs(5);
/// The thread looks at the clock this often (a suspend may pass the hour).
const CHECK_EVERY: Duration = Duration::from_secs(60);

/// The event the window listens to: the problem's sentence, or null once
/// backups work again.
pub const PROBLEM_EVENT: &str = "backup-problem";

/// Why the last automatic backup failed, while it is so.
#[derive(Default)]
pub struct BackupHealth(Mutex<Option<String>>);

impl BackupHealth {
    pub fn problem(&self) -> Option<String> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Records the outcome; true when it differs from the last one.
    fn record(&self, problem: Option<String>) -> bool {
        let mut current = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let changed = *current != problem;
        *current = problem;
        changed
    }
}

/// Backs the database up now and every hour (see `Desk::backup_now` for
/// the checks and the rotation).
pub fn keep_backups<R: Runtime>(app: AppHandle<R>, desk: Arc<Desk>) {
    let spawned = std::thread::Builder::new()
        .name("backups".into())
        .spawn(move || {
            // The start-up backup copies the whole file: not while the window
            // is opening (it took CPU and disk from the first paint).
            let mut next = Instant::now() + START_DELAY;
            loop {
                if Instant::now() >= next {
                    back_up_once(&app, &desk);
                    next = Instant::now() + BACKUP_EVERY;
                }
                std::thread::sleep(
                    next.saturating_duration_since(Instant::now())
                        .min(CHECK_EVERY),
                );
            }
        });
    if let Err(error) = spawned {
        tracing::error!(%error, "could not start automatic backups");
    }
}

fn back_up_once<R: Runtime>(app: &AppHandle<R>, desk: &Desk) {
    let problem = match desk.backup_now() {
        Ok(info) => {
            tracing::info!(path = %info.path.display(), bytes = info.bytes, "backup written");
            None
        }
        Err(error) => {
            tracing::error!(%error, "backup failed");
            Some(error.to_string())
        }
    };
    if app.state::<BackupHealth>().record(problem.clone())
        && let Err(error) = app.emit(PROBLEM_EVENT, problem)
    {
        tracing::warn!(%error, "could not tell the window about backups");
    }
}

/// Why automatic backups are failing, if they are (the window asks at
/// startup, so a failure before it listened is not missed).
#[tauri::command]
pub(crate) fn backup_problem(health: tauri::State<'_, BackupHealth>) -> Option<String> {
    health.problem()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_change_of_outcome_is_announced() {
        let health = BackupHealth::default();
        assert!(!health.record(None));
        assert!(health.record(Some("the disk is full".into())));
        assert!(!health.record(Some("the disk is full".into())));
        assert_eq!(health.problem().as_deref(), Some("the disk is full"));
        assert!(health.record(None));
        assert_eq!(health.problem(), None);
    }
}
