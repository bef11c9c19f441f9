//! Tauri commands: each one a thin call into the core's `Desk`. Errors cross
//! the boundary as `{ code, message }` (`ErrorPayload`).

use crate::state::AppState;
use incident_core::ErrorPayload;
use incident_core::model::{AppInfo, BoardRow};
use tauri::State;

type CommandResult<T> = Result<T, ErrorPayload>;

#[tauri::command]
pub(crate) async fn list_incidents(
    state: State<'_, AppState>,
    include_closed: Option<bool>,
) -> CommandResult<Vec<BoardRow>> {
    let desk = state.desk()?;
    desk.list_incidents(include_closed.unwrap_or(false))
        .map_err(|error| error.payload())
}

#[tauri::command]
pub(crate) async fn app_info(state: State<'_, AppState>) -> CommandResult<AppInfo> {
    let desk = state.desk()?;
    Ok(AppInfo {
        version: incident_core::VERSION.to_owned(),
        database_path: desk.path().display().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use crate::{AppState, with_commands};
    use incident_core::{Desk, ErrorCode, ErrorPayload};
    use tauri::ipc::{CallbackFn, InvokeBody};
    use tauri::test::{INVOKE_KEY, get_ipc_response, mock_builder, mock_context, noop_assets};
    use tauri::webview::InvokeRequest;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn invoke(state: AppState, cmd: &str) -> Result<serde_json::Value, serde_json::Value> {
        let app = with_commands(mock_builder(), state)
            .build(mock_context(noop_assets()))
            .map_err(|e| serde_json::Value::String(e.to_string()))?;
        let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .map_err(|e| serde_json::Value::String(e.to_string()))?;
        get_ipc_response(
            &webview,
            InvokeRequest {
                cmd: cmd.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: "tauri://localhost"
                    .parse()
                    .map_err(|_| serde_json::Value::Null)?,
                body: InvokeBody::default(),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .map(|body| body.deserialize::<serde_json::Value>().unwrap_or_default())
    }

    #[test]
    fn list_incidents_returns_an_empty_list_on_a_new_database() -> TestResult {
        let dir = tempfile::tempdir()?;
        let desk = Desk::open(dir.path().join("desk.db"))?;
        let response = invoke(AppState::new(Ok(desk)), "list_incidents");
        assert_eq!(response, Ok(serde_json::json!([])));
        Ok(())
    }

    #[test]
    fn a_startup_error_reaches_the_ui_as_code_and_message() {
        let error = ErrorPayload {
            code: ErrorCode::NewerDatabase,
            message: "written by a newer version".into(),
            field: None,
        };
        let response = invoke(AppState::new(Err(error)), "list_incidents");
        assert_eq!(
            response,
            Err(serde_json::json!({
                "code": "newer_database",
                "message": "written by a newer version"
            }))
        );
    }
}
