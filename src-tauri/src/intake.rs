//! The alert receiver's life in the app: started, stopped or moved when its
//! settings change (in Settings, or by `idesk intake` from a terminal), and
//! a notification for each new alert unless its source is muted.

use crate::notifier::Notifier;
use crate::state::AppState;
use incident_core::desk::AlertReceipt;
use incident_core::intake::{IntakeSettings, IntakeStatus};
use incident_core::model::ChangeEvent;
use incident_core::{Desk, ErrorPayload};
use incident_intake::{IntakeLimits, Receiver};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tauri::{AppHandle, Emitter, Manager, Runtime, State};

/// The event asking the window to show the alert inbox (a notification's click).
pub const SHOW_ALERTS_EVENT: &str = "desk-show-alerts";

/// The receiver, the settings it runs with, and why it is not running.
#[derive(Default)]
pub struct Intake {
    inner: Mutex<Running>,
}

#[derive(Default)]
struct Running {
    settings: Option<IntakeSettings>,
    receiver: Option<Receiver>,
    error: Option<String>,
}

impl Intake {
    /// Brings the receiver in line with the stored settings.
    pub fn sync<R: Runtime>(&self, app: &AppHandle<R>, desk: &Arc<Desk>, notifier: &Arc<Notifier>) {
        let settings = match desk.intake_settings() {
            Ok(settings) => settings,
            Err(error) => {
                tracing::warn!(%error, "could not read the receiver's settings");
                return;
            }
        };
        let mut running = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if running.settings.as_ref() == Some(&settings) {
            return;
        }
        // Stop first: a restart on the same port needs it free.
        running.receiver = None;
        running.error = None;
        if settings.enabled {
            match start(app, desk, notifier, &settings) {
                Ok(receiver) => running.receiver = Some(receiver),
                Err(error) => {
                    tracing::warn!(%error, port = settings.port, "the alert receiver could not start");
                    running.error = Some(error);
                }
            }
        }
        running.settings = Some(settings);
    }

    fn status(&self, desk: &Desk) -> Result<IntakeStatus, ErrorPayload> {
        let settings = desk.intake_settings().map_err(|e| e.payload())?;
        let running = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        Ok(IntakeStatus {
            exposed: settings.is_exposed(),
            listening: running
                .receiver
                .as_ref()
                .map(|r| r.local_addr().to_string()),
            error: running.error.clone(),
            stats: running
                .receiver
                .as_ref()
                .map(Receiver::stats)
                .unwrap_or_default(),
            muted: desk.muted_sources().map_err(|e| e.payload())?,
            settings,
        })
    }
}

fn start<R: Runtime>(
    app: &AppHandle<R>,
    desk: &Arc<Desk>,
    notifier: &Arc<Notifier>,
    settings: &IntakeSettings,
) -> Result<Receiver, String> {
    let ip: IpAddr = settings
        .address
        .parse()
        .map_err(|_| format!("{:?} is not an IP address", settings.address))?;
    if settings.is_exposed() {
        tracing::warn!(address = %settings.address, "the alert receiver listens beyond this machine");
    }
    let limits = IntakeLimits::new(settings.max_body_bytes as usize, settings.rate_per_second);
    let sink_desk = Arc::clone(desk);
    let sink_app = app.clone();
    let sink_notifier = Arc::clone(notifier);
    Receiver::start(
        ip,
        settings.port,
        &settings.token,
        limits,
        Arc::new(move |deliveries| {
            let results = sink_desk.receive_alert_deliveries(deliveries);
            let receipts: Vec<AlertReceipt> = results
                .iter()
                .filter_map(|result| result.as_ref().ok())
                .flatten()
                .cloned()
                .collect();
            announce(&sink_app, &sink_notifier, &receipts);
            results
        }),
    )
    .map_err(|error| {
        format!(
            "could not listen on {}:{}: {error}",
            settings.address, settings.port
        )
    })
}

/// At most this many alerts are announced one by one per window; the rest
/// are counted and announced in one notification (a flood must not bury
/// the desktop under notifications).
const ANNOUNCE_BUDGET: usize = 5;
const ANNOUNCE_WINDOW: Duration = Duration::from_secs(10);

/// How many notifications the current window has used, and how many alerts it held back.
struct Pace {
    window_start: Instant,
    shown: usize,
    held: usize,
}

static PACE: Mutex<Option<Pace>> = Mutex::new(None);

/// Splits `news` into what to show now and how many held-back alerts (of an
/// earlier window) to announce in one summary first; the third value is
/// true when this call started holding back (a summary is then due at the
/// window's end even if nothing else arrives).
fn pace(news: usize, now: Instant) -> (usize, usize, bool) {
    let mut guard = PACE.lock().unwrap_or_else(|p| p.into_inner());
    let pace = guard.get_or_insert(Pace {
        window_start: now,
        shown: 0,
        held: 0,
    });
    let mut summary = 0;
    if now.duration_since(pace.window_start) >= ANNOUNCE_WINDOW {
        summary = pace.held;
        *pace = Pace {
            window_start: now,
            shown: 0,
            held: 0,
        };
    }
    let show = news.min(ANNOUNCE_BUDGET.saturating_sub(pace.shown));
    let started_holding = pace.held == 0 && news > show;
    pace.shown += show;
    pace.held += news - show;
    (show, summary, started_holding)
}

/// The alerts held back so far (they are announced now, by the caller).
fn take_held() -> usize {
    let mut guard = PACE.lock().unwrap_or_else(|p| p.into_inner());
    guard
        .as_mut()
        .map_or(0, |pace| std::mem::take(&mut pace.held))
}

/// A notification per alert that is new (or firing again), unless muted,
/// paced; shown from another thread, so a slow notification server never
/// delays the answer to the monitoring tool.
fn announce<R: Runtime>(app: &AppHandle<R>, notifier: &Arc<Notifier>, receipts: &[AlertReceipt]) {
    let news: Vec<_> = receipts
        .iter()
        .filter(|r| r.fired && !r.alert.muted)
        .map(|r| r.alert.clone())
        .collect();
    if news.is_empty() {
        return;
    }
    let (show, summary, started_holding) = pace(news.len(), Instant::now());
    let (app, notifier) = (app.clone(), Arc::clone(notifier));
    let open = move |app: AppHandle<R>| {
        move || {
            crate::launch::focus_main_window(&app);
            let _ = app.emit(SHOW_ALERTS_EVENT, ());
        }
    };
    let spawned = std::thread::Builder::new()
        .name("alert-announce".into())
        .spawn(move || {
            if summary > 0
                && let Err(error) = notifier.show_alert_summary(summary, open(app.clone()))
            {
                tracing::debug!(%error, "held-back alerts shown in the inbox only");
            }
            for alert in news.iter().take(show) {
                if let Err(error) = notifier.show_alert(alert, open(app.clone())) {
                    tracing::debug!(%error, "alert shown in the inbox only");
                }
            }
            if started_holding {
                std::thread::sleep(ANNOUNCE_WINDOW);
                let held = take_held();
                if held > 0
                    && let Err(error) = notifier.show_alert_summary(held, open(app.clone()))
                {
                    tracing::debug!(%error, "held-back alerts shown in the inbox only");
                }
            }
        });
    if let Err(error) = spawned {
        tracing::warn!(%error, "could not announce new alerts");
    }
}

/// Follows the settings: now, and after every change of settings in this
/// process or another (idesk).
pub fn watch<R: Runtime>(app: AppHandle<R>, desk: Arc<Desk>, notifier: Arc<Notifier>) {
    let events = desk.subscribe();
    app.state::<Intake>().sync(&app, &desk, &notifier);
    let spawned = std::thread::Builder::new()
        .name("intake-settings".into())
        .spawn(move || {
            while let Ok(event) = events.recv() {
                if matches!(event, ChangeEvent::Directory | ChangeEvent::External) {
                    app.state::<Intake>().sync(&app, &desk, &notifier);
                }
            }
        });
    if let Err(error) = spawned {
        tracing::error!(%error, "could not follow the receiver's settings");
    }
}

type CommandResult<T> = Result<T, ErrorPayload>;

#[tauri::command]
pub(crate) async fn intake_status(
    state: State<'_, AppState>,
    intake: State<'_, Intake>,
) -> CommandResult<IntakeStatus> {
    intake.status(state.desk()?)
}

/// A fresh random token for the Settings form (the core makes tokens).
#[tauri::command]
pub(crate) async fn new_intake_token() -> CommandResult<String> {
    incident_core::intake::new_token().map_err(|e| e.payload())
}

#[tauri::command]
pub(crate) async fn save_intake_settings(
    state: State<'_, AppState>,
    settings: IntakeSettings,
) -> CommandResult<IntakeSettings> {
    state
        .desk()?
        .save_intake_settings(settings)
        .map_err(|e| e.payload())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_is_announced_by_five_then_one_summary() {
        let start = Instant::now();
        assert_eq!(pace(3, start), (3, 0, false));
        // Holding back starts: a summary is due at the window's end.
        assert_eq!(pace(40, start + Duration::from_secs(1)), (2, 0, true));
        assert_eq!(pace(1, start + Duration::from_secs(2)), (0, 0, false));
        // Whatever the timer has not taken opens the next window's summary.
        let later = start + ANNOUNCE_WINDOW + Duration::from_secs(1);
        assert_eq!(pace(1, later), (1, 39, false));
        assert_eq!(pace(9, later + Duration::from_secs(1)), (4, 0, true));
        assert_eq!(take_held(), 5);
        assert_eq!(take_held(), 0);
    }
}
