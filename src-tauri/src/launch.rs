//! Launch requests: the incident named on the command line or in an
//! `incident-desk://` link. The first launch keeps its request until the
//! window asks for it; a second launch (single instance) hands its
//! arguments to the running app, which focuses its window and tells it.

use incident_core::launch::{LaunchRequest, parse_launch_args};
use std::sync::Mutex;
use tauri::{AppHandle, Emitter, Manager, Runtime, State};

/// The event carrying a second launch's request to the window.
pub const LAUNCH_EVENT: &str = "desk-launch";

/// The first launch's request, until the window takes it.
pub struct FirstLaunch(Mutex<Option<LaunchRequest>>);

impl FirstLaunch {
    pub fn from_args() -> FirstLaunch {
        FirstLaunch(Mutex::new(Some(parse_launch_args(
            std::env::args().skip(1),
        ))))
    }
}

/// Shows the main window and brings it to the front.
pub fn focus_main_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}

/// Called in the running app when the app is launched again.
pub fn on_second_launch<R: Runtime>(app: &AppHandle<R>, argv: Vec<String>) {
    let request = parse_launch_args(argv.iter().skip(1));
    tracing::info!(?request, "launched again: focusing the running window");
    focus_main_window(app);
    if request != LaunchRequest::Focus
        && let Err(error) = app.emit(LAUNCH_EVENT, request)
    {
        tracing::warn!(%error, "could not pass the launch request to the window");
    }
}

/// What this launch asked for; later calls get `Focus` (a reload of the
/// window must not open the incident again).
#[tauri::command]
pub(crate) async fn launch_request(first: State<'_, FirstLaunch>) -> Result<LaunchRequest, ()> {
    let mut slot = first.0.lock().unwrap_or_else(|p| p.into_inner());
    Ok(slot.take().unwrap_or(LaunchRequest::Focus))
}
