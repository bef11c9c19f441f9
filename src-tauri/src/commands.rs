//! Tauri commands: each one a thin call into the core's `Desk`. Errors cross
//! the boundary as `{ code, message, field? }` (`ErrorPayload`). Commands are
//! async so SQLite work never runs on the window's main thread.

use crate::state::AppState;
use incident_core::desk::{
    ChannelSettings, Classification, Declaration, DraftRequest, FilledTemplate,
};
use incident_core::domain::*;
use incident_core::model::MessageLength;
use incident_core::model::{AppInfo, BoardRow, BoardView, IncidentDetail, Level, Person};
use incident_core::publish::WebhookFormat;
use incident_core::{Desk, DeskError, ErrorPayload, Timestamp};
use tauri::State;

pub(crate) type CommandResult<T> = Result<T, ErrorPayload>;

/// Runs `f` against the desk, turning core errors into payloads.
pub(crate) fn with_desk<T>(
    state: &AppState,
    f: impl FnOnce(&Desk) -> Result<T, DeskError>,
) -> CommandResult<T> {
    let desk = state.desk()?;
    f(desk).map_err(|error| error.payload())
}

#[tauri::command]
pub(crate) async fn app_info(state: State<'_, AppState>) -> CommandResult<AppInfo> {
    with_desk(&state, |desk| {
        Ok(AppInfo {
            version: incident_core::VERSION.to_owned(),
            database_path: desk.path().display().to_string(),
        })
    })
}

#[tauri::command]
pub(crate) async fn list_incidents(
    state: State<'_, AppState>,
    view: Option<BoardView>,
) -> CommandResult<Vec<BoardRow>> {
    with_desk(&state, |desk| desk.board(view.unwrap_or(BoardView::Open)))
}

#[tauri::command]
pub(crate) async fn get_incident(
    state: State<'_, AppState>,
    reference: String,
) -> CommandResult<IncidentDetail> {
    with_desk(&state, |desk| desk.incident(&reference))
}

#[tauri::command]
pub(crate) async fn declare_incident(
    state: State<'_, AppState>,
    input: Declaration,
) -> CommandResult<IncidentRecord> {
    with_desk(&state, |desk| desk.declare(input))
}

#[tauri::command]
pub(crate) async fn classify_incident(
    state: State<'_, AppState>,
    reference: String,
    input: Classification,
) -> CommandResult<TimelineEntry> {
    with_desk(&state, |desk| desk.classify(&reference, input, None))
}

#[tauri::command]
pub(crate) async fn edit_incident(
    state: State<'_, AppState>,
    reference: String,
    title: Option<String>,
    summary: Option<String>,
) -> CommandResult<TimelineEntry> {
    with_desk(&state, |desk| desk.edit(&reference, title, summary, None))
}

#[tauri::command]
pub(crate) async fn set_stage(
    state: State<'_, AppState>,
    reference: String,
    stage: Stage,
    stage_state: StageState,
    reason: Option<String>,
) -> CommandResult<TimelineEntry> {
    with_desk(&state, |desk| {
        desk.set_stage(&reference, stage, stage_state, reason, None)
    })
}

#[tauri::command]
pub(crate) async fn set_status(
    state: State<'_, AppState>,
    reference: String,
    status: PublicStatus,
) -> CommandResult<TimelineEntry> {
    with_desk(&state, |desk| desk.set_status(&reference, status, None))
}

#[tauri::command]
pub(crate) async fn assign_role(
    state: State<'_, AppState>,
    reference: String,
    role: Role,
    person: String,
) -> CommandResult<TimelineEntry> {
    with_desk(&state, |desk| desk.assign(&reference, role, &person, None))
}

#[tauri::command]
pub(crate) async fn relieve_role(
    state: State<'_, AppState>,
    reference: String,
    role: Role,
    person: Option<String>,
) -> CommandResult<TimelineEntry> {
    with_desk(&state, |desk| {
        desk.relieve(&reference, role, person.as_deref(), None)
    })
}

#[tauri::command]
pub(crate) async fn add_note(
    state: State<'_, AppState>,
    reference: String,
    text: String,
    at: Option<Timestamp>,
    corrects: Option<i64>,
) -> CommandResult<TimelineEntry> {
    with_desk(&state, |desk| {
        desk.add_note(&reference, &text, at, corrects)
    })
}

#[tauri::command]
pub(crate) async fn close_incident(
    state: State<'_, AppState>,
    reference: String,
) -> CommandResult<TimelineEntry> {
    with_desk(&state, |desk| desk.close(&reference, None))
}

#[tauri::command]
pub(crate) async fn list_people(state: State<'_, AppState>) -> CommandResult<Vec<Person>> {
    with_desk(&state, |desk| desk.people())
}

#[tauri::command]
pub(crate) async fn save_person(
    state: State<'_, AppState>,
    person: Person,
) -> CommandResult<Person> {
    with_desk(&state, |desk| desk.save_person(&person))
}

#[tauri::command]
pub(crate) async fn list_levels(state: State<'_, AppState>) -> CommandResult<Vec<Level>> {
    with_desk(&state, |desk| desk.levels())
}

#[tauri::command]
pub(crate) async fn list_policies(state: State<'_, AppState>) -> CommandResult<Vec<Policy>> {
    with_desk(&state, |desk| desk.policies())
}

/// Sets one value of a level's policy; `value` is a span (`15m`, `5wd`) or `off`.
#[tauri::command]
pub(crate) async fn set_policy(
    state: State<'_, AppState>,
    level: String,
    key: PolicyKey,
    value: String,
) -> CommandResult<Policy> {
    with_desk(&state, |desk| {
        desk.set_policy(&level, key, parse_policy_value(&value)?)
    })
}

#[tauri::command]
pub(crate) async fn set_approval(
    state: State<'_, AppState>,
    level: String,
    required: bool,
) -> CommandResult<Policy> {
    with_desk(&state, |desk| desk.set_approval(&level, required))
}

#[tauri::command]
pub(crate) async fn fill_template(
    state: State<'_, AppState>,
    reference: String,
    channel: Channel,
    segment: String,
    template: Option<String>,
) -> CommandResult<FilledTemplate> {
    with_desk(&state, |desk| {
        desk.fill_template(&reference, channel, &segment, template.as_deref())
    })
}

#[tauri::command]
pub(crate) async fn draft_message(
    state: State<'_, AppState>,
    reference: String,
    request: DraftRequest,
) -> CommandResult<Communication> {
    with_desk(&state, |desk| desk.draft_message(&reference, request))
}

#[tauri::command]
pub(crate) async fn edit_message(
    state: State<'_, AppState>,
    reference: String,
    id: String,
    body: String,
    subject: Option<String>,
) -> CommandResult<Communication> {
    with_desk(&state, |desk| {
        desk.edit_communication(&reference, &id, &body, subject)
    })
}

#[tauri::command]
pub(crate) async fn approve_message(
    state: State<'_, AppState>,
    reference: String,
    id: String,
) -> CommandResult<Communication> {
    with_desk(&state, |desk| {
        desk.approve_communication(&reference, &id, None)
    })
}

#[tauri::command]
pub(crate) async fn send_message(
    state: State<'_, AppState>,
    reference: String,
    id: String,
) -> CommandResult<Communication> {
    with_desk(&state, |desk| {
        desk.send_communication(&reference, &id, None)
    })
}

#[tauri::command]
pub(crate) async fn discard_message(
    state: State<'_, AppState>,
    reference: String,
    id: String,
) -> CommandResult<Communication> {
    with_desk(&state, |desk| {
        desk.discard_communication(&reference, &id, None)
    })
}

/// Posts to the channel's webhook, off the async runtime (it may take seconds).
#[tauri::command]
pub(crate) async fn publish_message(
    state: State<'_, AppState>,
    reference: String,
    id: String,
) -> CommandResult<Communication> {
    let desk = state
        .shared_desk()
        .ok_or_else(|| state.desk().err().unwrap_or_else(unavailable))?;
    tauri::async_runtime::spawn_blocking(move || desk.publish_communication(&reference, &id))
        .await
        .map_err(|error| unavailable_because(&error.to_string()))?
        .map_err(|error| error.payload())
}

/// Copies a message (email with its subject line) to the clipboard.
#[tauri::command]
pub(crate) async fn copy_message<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    reference: String,
    id: String,
) -> CommandResult<String> {
    use tauri_plugin_clipboard_manager::ClipboardExt;
    let text = with_desk(&state, |desk| desk.communication_text(&reference, &id))?;
    app.clipboard().write_text(text.clone()).map_err(|error| {
        unavailable_because(&format!("could not copy to the clipboard: {error}"))
    })?;
    Ok(text)
}

/// The catch-up brief, shown in the room.
#[tauri::command]
pub(crate) async fn incident_brief(
    state: State<'_, AppState>,
    reference: String,
) -> CommandResult<Brief> {
    with_desk(&state, |desk| desk.brief(&reference))
}

/// Copies the brief (plain text, or Markdown for a chat); returns what was copied.
#[tauri::command]
pub(crate) async fn copy_brief<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    reference: String,
    markdown: bool,
) -> CommandResult<String> {
    use tauri_plugin_clipboard_manager::ClipboardExt;
    let brief = with_desk(&state, |desk| desk.brief(&reference))?;
    let text = if markdown { brief.markdown } else { brief.text };
    app.clipboard().write_text(text.clone()).map_err(|error| {
        unavailable_because(&format!("could not copy to the clipboard: {error}"))
    })?;
    Ok(text)
}

/// A message's length as its channel counts it, and the channel's limit.
#[tauri::command]
pub(crate) async fn measure_message(
    channel: Channel,
    text: String,
) -> CommandResult<MessageLength> {
    Ok(MessageLength {
        length: channel_length(channel, &text) as i64,
        limit: channel_limit(channel).map(|l| l as i64),
    })
}

#[tauri::command]
pub(crate) async fn list_templates(state: State<'_, AppState>) -> CommandResult<Vec<Template>> {
    with_desk(&state, |desk| desk.templates())
}

#[tauri::command]
pub(crate) async fn save_template(
    state: State<'_, AppState>,
    template: Template,
) -> CommandResult<Template> {
    with_desk(&state, |desk| desk.save_template(&template))
}

#[tauri::command]
pub(crate) async fn delete_template(state: State<'_, AppState>, name: String) -> CommandResult<()> {
    with_desk(&state, |desk| desk.delete_template(&name))
}

#[tauri::command]
pub(crate) async fn channel_settings(
    state: State<'_, AppState>,
) -> CommandResult<Vec<ChannelSettings>> {
    with_desk(&state, |desk| desk.channel_settings())
}

/// Sets a channel's webhook; an empty `url` removes it.
#[tauri::command]
pub(crate) async fn set_webhook(
    state: State<'_, AppState>,
    channel: Channel,
    url: String,
    format: WebhookFormat,
    timeout_secs: i64,
) -> CommandResult<ChannelSettings> {
    let url = url.trim();
    with_desk(&state, |desk| {
        desk.set_webhook(
            channel,
            (!url.is_empty()).then_some(url),
            format,
            timeout_secs,
        )
    })
}

pub(crate) fn unavailable() -> ErrorPayload {
    unavailable_because("the database is not open")
}

pub(crate) fn unavailable_because(message: &str) -> ErrorPayload {
    ErrorPayload {
        code: incident_core::ErrorCode::Io,
        message: message.to_owned(),
        field: None,
    }
}

#[tauri::command]
pub(crate) async fn update_review(
    state: State<'_, AppState>,
    reference: String,
    field: ReviewField,
    text: String,
) -> CommandResult<TimelineEntry> {
    with_desk(&state, |desk| {
        desk.update_review(&reference, field, &text, None)
    })
}

#[tauri::command]
pub(crate) async fn add_action_item(
    state: State<'_, AppState>,
    reference: String,
    title: String,
    owner: Option<String>,
    due: Option<String>,
) -> CommandResult<ActionItem> {
    let blank = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let (owner, due) = (blank(owner), blank(due));
    with_desk(&state, |desk| {
        desk.add_action_item(&reference, &title, owner.as_deref(), due.as_deref(), None)
    })
}

/// Sets title, owner and due date (empty owner or due clears it).
#[tauri::command]
pub(crate) async fn edit_action_item(
    state: State<'_, AppState>,
    reference: String,
    id: String,
    title: String,
    owner: String,
    due: String,
) -> CommandResult<TimelineEntry> {
    fn optional(v: &str) -> Option<&str> {
        (!v.trim().is_empty()).then_some(v)
    }
    with_desk(&state, |desk| {
        desk.edit_action_item(
            &reference,
            &id,
            Some(&title),
            Some(optional(&owner)),
            Some(optional(&due)),
            None,
        )
    })
}

#[tauri::command]
pub(crate) async fn set_action_item_state(
    state: State<'_, AppState>,
    reference: String,
    id: String,
    item_state: ActionState,
) -> CommandResult<TimelineEntry> {
    with_desk(&state, |desk| {
        desk.set_action_item_state(&reference, &id, item_state, None)
    })
}

/// Where an export should go: `$INCIDENT_DESK_SAVE_TO` (a folder; tests and
/// scripted use) or the native save dialog. `None`: the user cancelled.
pub(crate) fn export_target<R: tauri::Runtime>(
    app: &tauri::AppHandle<R>,
    file_name: &str,
    extension: &str,
) -> Option<std::path::PathBuf> {
    if let Some(dir) = std::env::var_os("INCIDENT_DESK_SAVE_TO").filter(|d| !d.is_empty()) {
        return Some(std::path::PathBuf::from(dir).join(file_name));
    }
    use tauri_plugin_dialog::DialogExt;
    let (title, label) = match extension {
        "pdf" => ("Export review", "PDF document"),
        "json" => ("Export playbooks", "Playbooks (JSON)"),
        _ => ("Export review", "Markdown"),
    };
    app.dialog()
        .file()
        .set_title(title)
        .set_file_name(file_name)
        .add_filter(label, &[extension])
        .blocking_save_file()
        .and_then(|path| path.into_path().ok())
}

/// Exports the review as PDF or Markdown through the save dialog; returns
/// the file written, or null when the user cancelled.
#[tauri::command]
pub(crate) async fn export_review<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    reference: String,
    format: String,
) -> CommandResult<Option<String>> {
    let desk = state
        .shared_desk()
        .ok_or_else(|| state.desk().err().unwrap_or_else(unavailable))?;
    let pdf = match format.as_str() {
        "pdf" => true,
        "md" => false,
        other => {
            return Err(ErrorPayload {
                code: incident_core::ErrorCode::InvalidInput,
                message: format!("unknown export format {other:?}: pdf or md"),
                field: Some("format".into()),
            });
        }
    };
    tauri::async_runtime::spawn_blocking(move || {
        let export = desk.export(&reference).map_err(|e| e.payload())?;
        let extension = if pdf { "pdf" } else { "md" };
        let name = format!("{}-review.{extension}", export.incident.reference);
        let Some(path) = export_target(&app, &name, extension) else {
            return Ok(None);
        };
        desk.refuse_own_files(&path).map_err(|e| e.payload())?;
        let bytes = if pdf {
            incident_report::render_pdf(&export).map_err(|e| unavailable_because(&e.to_string()))?
        } else {
            incident_core::markdown::render(&export).into_bytes()
        };
        incident_core::files::write_atomically(&path, &bytes).map_err(|e| e.payload())?;
        tracing::info!(path = %path.display(), "review exported");
        Ok(Some(path.display().to_string()))
    })
    .await
    .map_err(|error| unavailable_because(&error.to_string()))?
}

/// Posts a test message to a channel's webhook (nothing is recorded).
#[tauri::command]
pub(crate) async fn test_webhook(
    state: State<'_, AppState>,
    channel: Channel,
) -> CommandResult<String> {
    let desk = state
        .shared_desk()
        .ok_or_else(|| state.desk().err().unwrap_or_else(unavailable))?;
    tauri::async_runtime::spawn_blocking(move || {
        desk.test_webhook(channel).map_err(|e| e.payload())
    })
    .await
    .map_err(|error| unavailable_because(&error.to_string()))?
}

#[tauri::command]
pub(crate) async fn snooze(
    state: State<'_, AppState>,
    reference: String,
    key: String,
    minutes: i64,
) -> CommandResult<TimelineEntry> {
    with_desk(&state, |desk| desk.snooze(&reference, &key, minutes * 60))
}

#[cfg(test)]
mod tests {
    use crate::{AppState, with_commands};
    use incident_core::{Desk, ErrorCode, ErrorPayload};
    use tauri::ipc::{CallbackFn, InvokeBody};
    use tauri::test::{INVOKE_KEY, get_ipc_response, mock_builder, mock_context, noop_assets};
    use tauri::webview::InvokeRequest;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn invoke(
        state: AppState,
        calls: &[(&str, serde_json::Value)],
    ) -> Vec<Result<serde_json::Value, serde_json::Value>> {
        let app = match with_commands(mock_builder(), state).build(mock_context(noop_assets())) {
            Ok(app) => app,
            Err(e) => return vec![Err(serde_json::Value::String(e.to_string()))],
        };
        let webview =
            match tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build() {
                Ok(webview) => webview,
                Err(e) => return vec![Err(serde_json::Value::String(e.to_string()))],
            };
        calls
            .iter()
            .map(|(cmd, args)| {
                let url = "tauri://localhost"
                    .parse()
                    .map_err(|_| serde_json::Value::Null)?;
                get_ipc_response(
                    &webview,
                    InvokeRequest {
                        cmd: (*cmd).into(),
                        callback: CallbackFn(0),
                        error: CallbackFn(1),
                        url,
                        body: InvokeBody::Json(args.clone()),
                        headers: Default::default(),
                        invoke_key: INVOKE_KEY.to_string(),
                    },
                )
                .map(|body| body.deserialize::<serde_json::Value>().unwrap_or_default())
            })
            .collect()
    }

    #[test]
    fn commands_reach_the_desk_and_errors_carry_code_and_field() -> TestResult {
        let dir = tempfile::tempdir()?;
        let desk = Desk::open(dir.path().join("desk.db"))?;
        let results = invoke(
            AppState::new(Ok(desk)),
            &[
                ("list_incidents", serde_json::json!({})),
                (
                    "declare_incident",
                    serde_json::json!({"input": {"title": "API down", "kind": "outage", "level": "L1"}}),
                ),
                (
                    "declare_incident",
                    serde_json::json!({"input": {"title": "  ", "kind": "outage", "level": "L1"}}),
                ),
                (
                    "set_stage",
                    serde_json::json!({"reference": "INC-1", "stage": "diagnose", "stageState": "skipped"}),
                ),
                (
                    "assign_role",
                    serde_json::json!({"reference": "INC-1", "role": "commander", "person": "Alice"}),
                ),
                ("list_incidents", serde_json::json!({})),
            ],
        );
        assert_eq!(results[0], Ok(serde_json::json!([])));
        assert_eq!(
            results[1].as_ref().map(|r| r["ref"].clone()),
            Ok(serde_json::json!("INC-1"))
        );
        let blank = results[2].as_ref().err().ok_or("blank title must fail")?;
        assert_eq!(blank["code"], "invalid_input");
        assert_eq!(blank["field"], "title");
        let skip = results[3]
            .as_ref()
            .err()
            .ok_or("skip without reason must fail")?;
        assert_eq!(skip["field"], "reason");
        assert!(results[4].is_ok());
        let board = results[5].as_ref().map_err(|e| e.to_string())?;
        assert_eq!(board[0]["commander"], "Alice");
        Ok(())
    }

    #[test]
    fn a_startup_error_reaches_the_ui_as_code_and_message() {
        let error = ErrorPayload {
            code: ErrorCode::NewerDatabase,
            message: "written by a newer version".into(),
            field: None,
        };
        let results = invoke(
            AppState::new(Err(error)),
            &[("list_incidents", serde_json::json!({}))],
        );
        assert_eq!(
            results[0],
            Err(serde_json::json!({
                "code": "newer_database",
                "message": "written by a newer version"
            }))
        );
    }
}
