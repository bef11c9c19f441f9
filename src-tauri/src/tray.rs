//! The tray icon: how many incidents are open and whether anything is
//! overdue (a red dot on the icon, and the text beside it), with a menu:
//! open the window, each open incident with its level, check for updates, quit.

use crate::{launch, scheduler};
use incident_core::model::BoardRow;
use std::sync::Mutex;
use tauri::image::Image;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Emitter, Manager, Runtime};

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

/// The event asking the window to check for updates (from the tray menu).
pub const CHECK_UPDATES_EVENT: &str = "desk-check-updates";

/// The open incidents the menu lists, so it is rebuilt only when they change.
#[derive(Default)]
struct ListedIncidents(Mutex<Vec<String>>);

/// The count and overdue mark the tray shows: set again only when they
/// change (each set is D-Bus traffic, and the icon a new image), since the
/// scheduler refreshes the tray at every deadline change.
#[derive(Default)]
struct ShownStatus(Mutex<Option<(String, bool)>>);

/// Longest incident title shown in the menu.
const MENU_TITLE_CHARS: usize = 48;

/// A menu label for an incident. Menus read `&` as a mnemonic marker, so a
/// title's own ampersands are doubled: the user's text stays text.
fn incident_label(row: &BoardRow) -> String {
    let mut title: String = row.title.chars().take(MENU_TITLE_CHARS).collect();
    if row.title.chars().count() > MENU_TITLE_CHARS {
        title.push('…');
    }
    format!("{} · {} · {}", row.reference, row.level, title).replace('&', "&&")
}

fn build_menu<R: Runtime>(app: &AppHandle<R>, rows: &[BoardRow]) -> tauri::Result<Menu<R>> {
    let menu = Menu::new(app)?;
    menu.append(&MenuItem::with_id(
        app,
        "open",
        "Open Incident Desk",
        true,
        None::<&str>,
    )?)?;
    menu.append(&PredefinedMenuItem::separator(app)?)?;
    if rows.is_empty() {
        menu.append(&MenuItem::with_id(
            app,
            "none",
            "No open incidents",
            false,
            None::<&str>,
        )?)?;
    }
    for row in rows {
        let id = format!("{INCIDENT_PREFIX}{}", row.reference);
        menu.append(&MenuItem::with_id(
            app,
            id,
            incident_label(row),
            true,
            None::<&str>,
        )?)?;
    }
    menu.append(&PredefinedMenuItem::separator(app)?)?;
    menu.append(&MenuItem::with_id(
        app,
        "check-updates",
        "Check for updates…",
        true,
        None::<&str>,
    )?)?;
    menu.append(&MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?)?;
    Ok(menu)
}

const INCIDENT_PREFIX: &str = "incident:";

pub fn create<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<TrayIcon<R>> {
    app.manage(ListedIncidents::default());
    app.manage(ShownStatus::default());
    let menu = build_menu(app, &[])?;
    let mut builder = TrayIconBuilder::with_id(TRAY_ID)
        .tooltip("Incident Desk")
        .menu(&menu)
        .on_menu_event(|app, event| match event.id.as_ref() {
            "open" => launch::focus_main_window(app),
            "check-updates" => {
                launch::focus_main_window(app);
                let _ = app.emit(CHECK_UPDATES_EVENT, ());
            }
            "quit" => app.exit(0),
            id => {
                if let Some(reference) = id.strip_prefix(INCIDENT_PREFIX) {
                    scheduler::open_incident(app, reference);
                }
            }
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)
}

/// Rebuilds the menu when the open incidents (or their levels or titles) changed.
fn refresh_menu<R: Runtime>(app: &AppHandle<R>, tray: &TrayIcon<R>, rows: &[BoardRow]) {
    let Some(listed) = app.try_state::<ListedIncidents>() else {
        return;
    };
    let labels: Vec<String> = rows.iter().map(incident_label).collect();
    let mut current = listed.0.lock().unwrap_or_else(|p| p.into_inner());
    if *current == labels {
        return;
    }
    match build_menu(app, rows) {
        Ok(menu) => {
            if tray.set_menu(Some(menu)).is_ok() {
                *current = labels;
            }
        }
        Err(error) => tracing::warn!(%error, "could not rebuild the tray menu"),
    }
}

/// Updates the count and the overdue mark from the open incidents' rows.
pub fn refresh<R: Runtime>(app: &AppHandle<R>, rows: &[BoardRow]) {
    let Some(tray) = app.tray_by_id(TRAY_ID) else {
        return;
    };
    refresh_menu(app, &tray, rows);
    let open = rows.len();
    let overdue: i64 = rows.iter().map(|r| r.overdue).sum();
    let text = match (open, overdue) {
        (0, _) => "No open incidents".to_owned(),
        (n, 0) => format!("{n} open"),
        (n, o) => format!("{n} open · {o} overdue"),
    };
    if let Some(shown) = app.try_state::<ShownStatus>() {
        let mut shown = shown.0.lock().unwrap_or_else(|p| p.into_inner());
        let now = Some((text.clone(), overdue > 0));
        if *shown == now {
            return;
        }
        *shown = now;
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use incident_core::Desk;
    use incident_core::desk::Declaration;
    use incident_core::domain::IncidentKind;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn rows(titles: &[(&str, &str)]) -> Result<Vec<BoardRow>, Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let desk = Desk::open(dir.path().join("tray.db"))?;
        for (title, level) in titles {
            desk.declare(Declaration::new(title, IncidentKind::Outage, level))?;
        }
        Ok(desk.list_incidents(false)?)
    }

    #[test]
    fn incidents_are_listed_with_their_level_and_titles_stay_text() -> TestResult {
        let rows = rows(&[("Search & browse slow", "L2"), ("Checkout down", "L1")])?;
        let labels: Vec<String> = rows.iter().map(incident_label).collect();
        assert_eq!(
            labels,
            [
                "INC-2 · L1 · Checkout down",
                "INC-1 · L2 · Search && browse slow"
            ]
        );
        Ok(())
    }

    #[test]
    fn long_titles_are_cut_with_an_ellipsis() -> TestResult {
        let title = "x".repeat(80);
        let rows = rows(&[(&title, "L2")])?;
        let label = incident_label(&rows[0]);
        assert!(
            label.ends_with(&format!("{}…", "x".repeat(MENU_TITLE_CHARS))),
            "{label}"
        );
        Ok(())
    }
}
