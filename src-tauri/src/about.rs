//! Settings and the About/Diagnostics screen.

use crate::logging;
use crate::state::AppState;
use incident_core::ErrorPayload;
use incident_core::model::{AppSettings, Diagnostics};
use tauri::{AppHandle, Runtime, State};

type CommandResult<T> = Result<T, ErrorPayload>;

#[tauri::command]
pub(crate) async fn get_settings(state: State<'_, AppState>) -> CommandResult<AppSettings> {
    state.desk()?.settings().map_err(|e| e.payload())
}

#[tauri::command]
pub(crate) async fn save_settings(
    state: State<'_, AppState>,
    settings: AppSettings,
) -> CommandResult<AppSettings> {
    state
        .desk()?
        .save_settings(&settings)
        .map_err(|e| e.payload())
}

fn collect<R: Runtime>(app: &AppHandle<R>, state: &AppState) -> CommandResult<Diagnostics> {
    let log_dir = logging::log_dir(app)
        .map(|dir| dir.display().to_string())
        .unwrap_or_else(|| "(none: logging to the terminal)".to_owned());
    state.desk()?.diagnostics(&log_dir).map_err(|e| e.payload())
}

#[tauri::command]
pub(crate) async fn diagnostics<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> CommandResult<Diagnostics> {
    collect(&app, &state)
}

/// Copies the diagnostics as text (from Rust: the web view has no clipboard
/// permission); returns the text copied.
#[tauri::command]
pub(crate) async fn copy_diagnostics<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> CommandResult<String> {
    use tauri_plugin_clipboard_manager::ClipboardExt;
    let text = collect(&app, &state)?.as_text();
    app.clipboard()
        .write_text(text.clone())
        .map_err(|error| ErrorPayload {
            code: incident_core::ErrorCode::Io,
            message: format!("could not copy to the clipboard: {error}"),
            field: None,
        })?;
    Ok(text)
}
