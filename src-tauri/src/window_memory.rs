//! Remembers the window's size and position as soon as they settle, not
//! only at a clean exit: a laptop that dies or an app that is killed mid-
//! incident reopens where it was.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tauri::{Manager, Runtime, Window, WindowEvent};
use tauri_plugin_window_state::{AppHandleExt, StateFlags};

/// How long the geometry must stay still before it is written (dragging
/// fires many events).
const SETTLE: Duration = Duration::from_millis(400);

static GENERATION: AtomicU64 = AtomicU64::new(0);

pub fn on_window_event<R: Runtime>(window: &Window<R>, event: &WindowEvent) {
    if !matches!(event, WindowEvent::Resized(_) | WindowEvent::Moved(_)) {
        return;
    }
    let mine = GENERATION.fetch_add(1, Ordering::SeqCst) + 1;
    let app = window.app_handle().clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(SETTLE).await;
        if GENERATION.load(Ordering::SeqCst) != mine {
            return;
        }
        // On the main thread: saving holds the plugin's lock while it asks
        // the window for its geometry, and the window's own events take the
        // same lock on the main thread — from another thread that deadlocks.
        let handle = app.clone();
        let scheduled = app.run_on_main_thread(move || {
            if let Err(error) = handle.save_window_state(StateFlags::all()) {
                tracing::warn!(%error, "could not remember the window's geometry");
            }
        });
        if let Err(error) = scheduled {
            tracing::warn!(%error, "could not remember the window's geometry");
        }
    });
}
