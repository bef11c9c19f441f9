//! The alert receiver's life in the app: started, stopped or moved when its
//! settings change (in Settings, or by `idesk intake` from a terminal), and
//! a notification for each new alert unless its source is muted.

use crate::notifier::Notifier;
use crate::state::AppState;
use incident_core::desk::AlertReceipt;
use incident_core::intake::{IntakeLimits, IntakeSettings, IntakeStatus, Receiver};
use incident_core::model::ChangeEvent;
use incident_core::{Desk, ErrorPayload};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
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
    let limits = IntakeLimits {
        max_body_bytes: settings.max_body_bytes as usize,
        rate_per_second: settings.rate_per_second,
    };
    let sink_desk = Arc::clone(desk);
    let sink_app = app.clone();
    let sink_notifier = Arc::clone(notifier);
    Receiver::start(
        ip,
        settings.port,
        &settings.token,
        limits,
        Arc::new(move |alerts| {
            let receipts = sink_desk.receive_alerts(alerts)?;
            announce(&sink_app, &sink_notifier, &receipts);
            Ok(receipts)
        }),
    )
    .map_err(|error| {
        format!(
            "could not listen on {}:{}: {error}",
            settings.address, settings.port
        )
    })
}

/// A notification per alert that is new (or firing again), unless muted.
fn announce<R: Runtime>(app: &AppHandle<R>, notifier: &Arc<Notifier>, receipts: &[AlertReceipt]) {
    for receipt in receipts.iter().filter(|r| r.fired && !r.alert.muted) {
        let app = app.clone();
        let shown = notifier.show_alert(&receipt.alert, move || {
            crate::launch::focus_main_window(&app);
            let _ = app.emit(SHOW_ALERTS_EVENT, ());
        });
        if let Err(error) = shown {
            tracing::debug!(%error, "alert shown in the inbox only");
        }
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
