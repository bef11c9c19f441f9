//! The desktop shell: opens the window, wires Tauri commands to the core's
//! `Desk`, and does the desktop chores (logging, later notifications, tray).
//! No business rules live here.

mod about;
mod alerts;
mod background;
mod backups;
mod commands;
mod intake;
mod launch;
mod logging;
mod notifier;
mod pacing;
mod playbooks;
mod publisher;
mod scheduler;
mod state;
mod team_sync;
mod tray;
mod updates;
mod window_memory;

pub use state::AppState;

use std::process::ExitCode;

/// Registers the state and the commands; shared by the real app and the tests.
pub fn with_commands<R: tauri::Runtime>(
    builder: tauri::Builder<R>,
    state: AppState,
) -> tauri::Builder<R> {
    builder
        .manage(state)
        .manage(updates::Updates::default())
        .manage(launch::FirstLaunch::from_args())
        .manage(intake::Intake::default())
        .manage(team_sync::TeamSync::default())
        .manage(backups::BackupHealth::default())
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
            commands::list_policies,
            commands::set_policy,
            commands::snooze,
            publisher::set_matrix,
            publisher::set_slack,
            publisher::set_statuspage,
            publisher::set_email,
            publisher::queue_message,
            publisher::open_in_mail_client,
            publisher::cancel_publication,
            publisher::outbox,
            playbooks::mark_check,
            playbooks::add_task,
            playbooks::set_task_state,
            playbooks::promote_task,
            playbooks::mark_hypothesis,
            playbooks::list_playbooks,
            playbooks::save_playbook,
            playbooks::export_playbooks,
            playbooks::import_playbooks,
            commands::set_approval,
            commands::fill_template,
            commands::draft_message,
            commands::edit_message,
            commands::approve_message,
            commands::send_message,
            commands::discard_message,
            commands::publish_message,
            commands::copy_message,
            commands::incident_brief,
            commands::copy_brief,
            commands::measure_message,
            commands::list_templates,
            commands::save_template,
            commands::delete_template,
            commands::channel_settings,
            commands::set_webhook,
            commands::test_webhook,
            commands::update_review,
            commands::add_action_item,
            commands::edit_action_item,
            commands::set_action_item_state,
            commands::export_review,
            about::get_settings,
            about::save_settings,
            about::diagnostics,
            about::copy_diagnostics,
            updates::check_for_update,
            updates::download_update,
            updates::install_update,
            updates::restart_app,
            updates::found_update,
            launch::launch_request,
            alerts::list_alerts,
            alerts::alert_suggestion,
            alerts::declare_from_alert,
            alerts::attach_alert,
            alerts::dismiss_alert,
            alerts::mute_source,
            intake::intake_status,
            team_sync::sync_status,
            team_sync::set_viewing,
            team_sync::presence,
            team_sync::team_settings,
            team_sync::join_team_server,
            team_sync::leave_team_server,
            intake::save_intake_settings,
            intake::new_intake_token,
            backups::backup_problem,
            scheduler::announced_nudges,
        ])
}

/// Our icon as a file, for notification servers (they take a path).
fn notification_icon<R: tauri::Runtime>(app: &tauri::AppHandle<R>) -> Option<std::path::PathBuf> {
    let dir = tauri::Manager::path(app).app_cache_dir().ok()?;
    let path = dir.join("incident-desk.png");
    if !path.exists() {
        std::fs::create_dir_all(&dir).ok()?;
        std::fs::write(&path, include_bytes!("../../icons/128x128.png")).ok()?;
    }
    Some(path)
}

/// Runs the application until its last window closes.
pub fn run() -> ExitCode {
    logging::install_panic_hook();
    let state = AppState::open_default();
    // Single instance first: a second launch must hand over its arguments
    // before it opens anything of its own.
    let builder =
        tauri::Builder::default().plugin(tauri_plugin_single_instance::init(|app, argv, _cwd| {
            launch::on_second_launch(app, argv)
        }));
    let app = with_commands(builder, state)
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_updater::Builder::new().build())
        .plugin(tauri_plugin_clipboard_manager::init())
        .plugin(tauri_plugin_dialog::init())
        .on_window_event(window_memory::on_window_event)
        .setup(|app| {
            logging::init(app.handle());
            let state = tauri::Manager::state::<AppState>(app);
            state.log_startup();
            if let Some(desk) = state.shared_desk() {
                background::forward_changes(app.handle().clone(), desk.clone());
                let watcher = background::DatabaseWatcher::default();
                background::watch_database(desk.clone(), &watcher);
                tauri::Manager::manage(app, watcher);
                backups::keep_backups(app.handle().clone(), desk.clone());
                if let Err(error) = tray::create(app.handle()) {
                    tracing::warn!(%error, "no tray icon");
                }
                let notifier =
                    std::sync::Arc::new(notifier::Notifier::new(notification_icon(app.handle())));
                updates::check_at_startup(app.handle().clone(), &desk);
                intake::watch(app.handle().clone(), desk.clone(), notifier.clone());
                team_sync::watch(app.handle().clone(), desk.clone(), notifier.clone());
                publisher::start(desk.clone());
                scheduler::start(app.handle().clone(), desk, notifier);
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
