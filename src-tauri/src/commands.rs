//! Tauri commands: each one a thin call into the core's `Desk`. Errors cross
//! the boundary as `{ code, message, field? }` (`ErrorPayload`). Commands are
//! async so SQLite work never runs on the window's main thread.

use crate::state::AppState;
use incident_core::desk::{Classification, Declaration};
use incident_core::domain::*;
use incident_core::model::{AppInfo, BoardRow, IncidentDetail, Level, Person};
use incident_core::{Desk, DeskError, ErrorPayload, Timestamp};
use tauri::State;

type CommandResult<T> = Result<T, ErrorPayload>;

/// Runs `f` against the desk, turning core errors into payloads.
fn with_desk<T>(
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
    include_closed: Option<bool>,
) -> CommandResult<Vec<BoardRow>> {
    with_desk(&state, |desk| {
        desk.list_incidents(include_closed.unwrap_or(false))
    })
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
