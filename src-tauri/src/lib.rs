//! The desktop shell: opens the window, wires Tauri commands to the core's
//! `Desk`, and does the desktop chores (logging, later notifications, tray).
//! No business rules live here.

mod background;
mod commands;
mod logging;
mod state;

pub use state::AppState;

use std::process::ExitCode;

/// Registers the state and the commands; shared by the real app and the tests.
pub fn with_commands<R: tauri::Runtime>(
    builder: tauri::Builder<R>,
    state: AppState,
) -> tauri::Builder<R> {
    builder
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::list_incidents,
            commands::get_incident,
            commands::declare_incident,
            commands::classify_incident,
            commands::edit_incident,
            commands::set_stage,
            commands::set_status,
            commands::assign_role,
            commands::relieve_role,
            commands::add_note,
            commands::close_incident,
            commands::list_people,
            commands::save_person,
            commands::list_levels,
        ])
}

/// Runs the application until its last window closes.
pub fn run() -> ExitCode {
    logging::install_panic_hook();
    let state = AppState::open_default();
    let app = with_commands(tauri::Builder::default(), state)
        .setup(|app| {
            logging::init(app.handle());
            let state = tauri::Manager::state::<AppState>(app);
            state.log_startup();
            if let Some(desk) = state.shared_desk() {
                background::forward_changes(app.handle().clone(), desk.clone());
                let watcher = background::DatabaseWatcher::default();
                background::watch_database(desk.clone(), &watcher);
                tauri::Manager::manage(app, watcher);
                background::keep_backups(desk);
            }
            Ok(())
        })
        .run(tauri::generate_context!());
    match app {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "Incident Desk could not start");
            eprintln!("Incident Desk could not start: {error}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use incident_core::APP_IDENTIFIER;

    #[test]
    fn the_core_and_the_tauri_config_agree_on_the_identifier() -> Result<(), serde_json::Error> {
        let config: serde_json::Value = serde_json::from_str(include_str!("../tauri.conf.json"))?;
        assert_eq!(config["identifier"], APP_IDENTIFIER);
        Ok(())
    }
}
