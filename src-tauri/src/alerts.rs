//! The alert inbox's commands: thin wrappers over the core's `Desk`.

use crate::state::AppState;
use incident_core::ErrorPayload;
use incident_core::desk::{Alert, Declaration};
use incident_core::domain::{AlertSuggestion, IncidentRecord, TimelineEntry};
use tauri::State;

type CommandResult<T> = Result<T, ErrorPayload>;

#[tauri::command]
pub(crate) async fn list_alerts(
    state: State<'_, AppState>,
    all: bool,
) -> CommandResult<Vec<Alert>> {
    state.desk()?.alerts(all).map_err(|e| e.payload())
}

#[tauri::command]
pub(crate) async fn alert_suggestion(
    state: State<'_, AppState>,
    id: String,
) -> CommandResult<AlertSuggestion> {
    state.desk()?.alert_suggestion(&id).map_err(|e| e.payload())
}

#[tauri::command]
pub(crate) async fn declare_from_alert(
    state: State<'_, AppState>,
    id: String,
    input: Declaration,
) -> CommandResult<IncidentRecord> {
    state
        .desk()?
        .declare_from_alert(&id, input)
        .map_err(|e| e.payload())
}

#[tauri::command]
pub(crate) async fn attach_alert(
    state: State<'_, AppState>,
    id: String,
    reference: String,
) -> CommandResult<TimelineEntry> {
    state
        .desk()?
        .attach_alert(&id, &reference)
        .map_err(|e| e.payload())
}

#[tauri::command]
pub(crate) async fn dismiss_alert(state: State<'_, AppState>, id: String) -> CommandResult<Alert> {
    state.desk()?.dismiss_alert(&id).map_err(|e| e.payload())
}

#[tauri::command]
pub(crate) async fn mute_source(
    state: State<'_, AppState>,
    source: String,
    muted: bool,
) -> CommandResult<Vec<String>> {
    state
        .desk()?
        .mute_source(&source, muted)
        .map_err(|e| e.payload())
}
