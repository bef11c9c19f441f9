//! The window's commands for playbooks: checklist marks, live tasks and
//! hypotheses on an incident, and the playbooks in Settings (edit, export
//! to a file, import one). Thin: every rule is in the core.

use crate::commands::{CommandResult, export_target, unavailable, unavailable_because, with_desk};
use crate::state::AppState;
use incident_core::Timestamp;
use incident_core::domain::{
    ActionItem, CheckState, HypothesisState, Playbook, Task, TaskState, TimelineEntry,
};
use tauri::State;

#[tauri::command]
pub(crate) async fn mark_check(
    state: State<'_, AppState>,
    reference: String,
    item: String,
    check_state: CheckState,
) -> CommandResult<TimelineEntry> {
    with_desk(&state, |desk| {
        desk.mark_check(&reference, &item, check_state, None)
    })
}

/// Hands out a task; `due_minutes` from now, when given.
#[tauri::command]
pub(crate) async fn add_task(
    state: State<'_, AppState>,
    reference: String,
    title: String,
    owner: Option<String>,
    due_minutes: Option<i64>,
) -> CommandResult<Task> {
    with_desk(&state, |desk| {
        let due_at = match due_minutes {
            Some(minutes) if !(1..=7 * 24 * 60).contains(&minutes) => {
                return Err(incident_core::DeskError::invalid(
                    "due",
                    "a task is due between 1 minute and 7 days from now",
                ));
            }
            Some(minutes) => Some(desk.now().plus_millis(minutes * 60_000)),
            None => None::<Timestamp>,
        };
        let owner = owner.filter(|o| !o.trim().is_empty());
        desk.add_task(&reference, &title, owner.as_deref(), due_at, None)
    })
}

#[tauri::command]
pub(crate) async fn set_task_state(
    state: State<'_, AppState>,
    reference: String,
    task: String,
    task_state: TaskState,
) -> CommandResult<TimelineEntry> {
    with_desk(&state, |desk| {
        desk.set_task_state(&reference, &task, task_state, None)
    })
}

#[tauri::command]
pub(crate) async fn promote_task(
    state: State<'_, AppState>,
    reference: String,
    task: String,
) -> CommandResult<ActionItem> {
    with_desk(&state, |desk| desk.promote_task(&reference, &task, None))
}

#[tauri::command]
pub(crate) async fn mark_hypothesis(
    state: State<'_, AppState>,
    reference: String,
    entry: String,
    hypothesis_state: HypothesisState,
) -> CommandResult<TimelineEntry> {
    with_desk(&state, |desk| {
        desk.mark_hypothesis(&reference, &entry, hypothesis_state, None)
    })
}

#[tauri::command]
pub(crate) async fn list_playbooks(state: State<'_, AppState>) -> CommandResult<Vec<Playbook>> {
    with_desk(&state, |desk| desk.playbooks())
}

#[tauri::command]
pub(crate) async fn save_playbook(
    state: State<'_, AppState>,
    playbook: Playbook,
) -> CommandResult<Playbook> {
    with_desk(&state, |desk| desk.set_playbook(&playbook))
}

/// Writes every playbook to a file chosen in the save dialog; the path
/// written, or null when the user cancelled.
#[tauri::command]
pub(crate) async fn export_playbooks<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
) -> CommandResult<Option<String>> {
    let desk = state
        .shared_desk()
        .ok_or_else(|| state.desk().err().unwrap_or_else(unavailable))?;
    tauri::async_runtime::spawn_blocking(move || {
        let Some(path) = export_target(&app, "incident-desk-playbooks.json", "json") else {
            return Ok(None);
        };
        desk.export_playbooks(&path).map_err(|e| e.payload())?;
        Ok(Some(path.display().to_string()))
    })
    .await
    .map_err(|error| unavailable_because(&error.to_string()))?
}

/// Replaces the playbooks a file holds (chosen in the open dialog); the
/// playbooks imported, or null when the user cancelled.
#[tauri::command]
pub(crate) async fn import_playbooks<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
) -> CommandResult<Option<Vec<Playbook>>> {
    let desk = state
        .shared_desk()
        .ok_or_else(|| state.desk().err().unwrap_or_else(unavailable))?;
    tauri::async_runtime::spawn_blocking(move || {
        use tauri_plugin_dialog::DialogExt;
        let Some(path) = app
            .dialog()
            .file()
            .set_title("Import playbooks")
            .add_filter("Playbooks (JSON)", &["json"])
            .blocking_pick_file()
            .and_then(|path| path.into_path().ok())
        else {
            return Ok(None);
        };
        desk.import_playbooks(&path)
            .map(Some)
            .map_err(|e| e.payload())
    })
    .await
    .map_err(|error| unavailable_because(&error.to_string()))?
}
