//! The tray icon: how many incidents are open and whether anything is
//! overdue (a red dot on the icon, and the text beside it), with a menu.

use incident_core::Desk;
use tauri::image::Image;
use tauri::menu::{Menu, MenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Manager, Runtime};

const TRAY_ID: &str = "main";

/// The app icon with a red dot in its top-right corner.
fn alert_icon(base: &Image<'_>) -> Image<'static> {
    let (width, height) = (base.width(), base.height());
    let mut rgba = base.rgba().to_vec();
    let radius = width as f32 * 0.22;
    let (cx, cy) = (width as f32 - radius - 1.0, radius + 1.0);
    for y in 0..height {
        for x in 0..width {
            let (dx, dy) = (x as f32 + 0.5 - cx, y as f32 + 0.5 - cy);
            if dx * dx + dy * dy <= radius * radius {
                let i = ((y * width + x) * 4) as usize;
                if let Some(px) = rgba.get_mut(i..i + 4) {
                    px.copy_from_slice(&[220, 38, 38, 255]);
                }
            }
        }
    }
    Image::new_owned(rgba, width, height)
}

pub fn create<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<TrayIcon<R>> {
    let open = MenuItem::with_id(app, "open", "Open Incident Desk", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&open, &quit])?;
    let mut builder = TrayIconBuilder::with_id(TRAY_ID)
        .tooltip("Incident Desk")
        .menu(&menu)
        .on_menu_event(|app, event| match event.id.as_ref() {
            "open" => {
                if let Some(window) = app.get_webview_window("main") {
                    let _ = window.show();
                    let _ = window.unminimize();
                    let _ = window.set_focus();
                }
            }
            "quit" => app.exit(0),
            _ => {}
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)
}

/// Updates the count and the overdue mark.
pub fn refresh<R: Runtime>(app: &AppHandle<R>, desk: &Desk) {
    let Some(tray) = app.tray_by_id(TRAY_ID) else {
        return;
    };
    let Ok(rows) = desk.list_incidents(false) else {
        return;
    };
    let open = rows.len();
    let overdue: i64 = rows.iter().map(|r| r.overdue).sum();
    let text = match (open, overdue) {
        (0, _) => "No open incidents".to_owned(),
        (n, 0) => format!("{n} open"),
        (n, o) => format!("{n} open · {o} overdue"),
    };
    let _ = tray.set_tooltip(Some(format!("Incident Desk — {text}")));
    let _ = tray.set_title(Some(if open == 0 { String::new() } else { text }));
    if let Some(icon) = app.default_window_icon() {
        let icon = if overdue > 0 {
            alert_icon(icon)
        } else {
            icon.clone().to_owned()
        };
        let _ = tray.set_icon(Some(icon));
    }
}
