//! Native desktop notifications for nudges (XDG notifications over D-Bus):
//! app name, icon, urgency by level, and the actions "Open" and
//! "Snooze 15 min", answered on a worker thread per notification.

use incident_core::desk::PendingNudge;
use notify_rust::{Hint, Notification, Timeout, Urgency};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Which deadline occurrence a notification is about: (incident id, key, due at ms).
pub type NudgeKey = (String, String, i64);

pub fn nudge_key(nudge: &PendingNudge) -> NudgeKey {
    (
        nudge.incident_id.clone(),
        nudge.deadline.key.clone(),
        nudge.deadline.due_at.millis(),
    )
}

pub const APP_NAME: &str = "Incident Desk";
pub const ACTION_OPEN: &str = "open";
pub const ACTION_SNOOZE: &str = "snooze-15";
pub const SNOOZE_FROM_NOTIFICATION_SECS: i64 = 15 * 60;

/// What the user did with a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    Open,
    Snooze,
    Dismissed,
}

pub struct Notifier {
    icon: Option<PathBuf>,
    /// Set once the missing notification server has been logged.
    warned: AtomicBool,
    /// Notifications on screen, so they can be closed once moot.
    open: Arc<Mutex<HashMap<NudgeKey, u32>>>,
}

impl Notifier {
    pub fn new(icon: Option<PathBuf>) -> Notifier {
        Notifier {
            icon,
            warned: AtomicBool::new(false),
            open: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// Closes the notifications whose nudge is no longer wanted (met,
    /// snoozed, closed incident): nothing stale stays on screen.
    pub fn close_all_but(&self, wanted: &std::collections::HashSet<NudgeKey>) {
        let stale: Vec<u32> = match self.open.lock() {
            Ok(mut open) => {
                let keys: Vec<NudgeKey> = open
                    .keys()
                    .filter(|k| !wanted.contains(*k))
                    .cloned()
                    .collect();
                keys.iter().filter_map(|k| open.remove(k)).collect()
            }
            Err(_) => Vec::new(),
        };
        for id in stale {
            close_notification(id);
        }
    }

    /// Shows `nudge`; `on_response` runs on a worker thread when the user
    /// acts on it. Err when no notification server answered (logged once).
    pub fn show(
        &self,
        nudge: &PendingNudge,
        on_response: impl FnOnce(Response) + Send + 'static,
    ) -> Result<(), String> {
        let urgency = if nudge.level_rank <= 1 {
            Urgency::Critical
        } else {
            Urgency::Normal
        };
        let key = nudge_key(nudge);
        let (on_shown_open, on_done_open) = (self.open.clone(), self.open.clone());
        let shown_key = key.clone();
        let result = present(
            Spec {
                icon: self.icon.clone(),
                summary: nudge.summary.clone(),
                body: format!("{}: {}", nudge.reference, nudge.title),
                urgency,
                actions: vec![
                    ("default", "Open"),
                    (ACTION_OPEN, "Open"),
                    (ACTION_SNOOZE, "Snooze 15 min"),
                ],
                stays: true,
            },
            move |id| {
                if let Ok(mut open) = on_shown_open.lock() {
                    open.insert(shown_key, id);
                }
            },
            move |action, id| {
                let response = match action.as_str() {
                    ACTION_OPEN | "default" => Response::Open,
                    ACTION_SNOOZE => Response::Snooze,
                    _ => Response::Dismissed,
                };
                let still_open = on_done_open
                    .lock()
                    .map(|mut o| o.remove(&key).is_some())
                    .unwrap_or(false);
                if response != Response::Dismissed && still_open {
                    // Some servers keep a notification open after an action.
                    close_notification(id);
                }
                on_response(response);
            },
        );
        match &result {
            Err(error) => {
                if !self.warned.swap(true, Ordering::Relaxed) {
                    tracing::warn!(%error, "no notification server answered: nudges are shown in the window only");
                }
            }
            Ok(()) => self.warned.store(false, Ordering::Relaxed),
        }
        result
    }
}

/// Closes notification `id` (CloseNotification on the session bus).
fn close_notification(id: u32) {
    let result = dbus::blocking::Connection::new_session().and_then(|conn| {
        conn.with_proxy(
            "org.freedesktop.Notifications",
            "/org/freedesktop/Notifications",
            Duration::from_secs(2),
        )
        .method_call::<(), _, _, _>(
            "org.freedesktop.Notifications",
            "CloseNotification",
            (id,),
        )
    });
    if let Err(error) = result {
        tracing::debug!(%error, id, "could not close a notification");
    }
}

impl Notifier {
    /// Tells of a new alert; `on_open` runs when the user clicks it.
    /// Err when no notification server answered (the inbox shows it anyway).
    pub fn show_alert(
        &self,
        alert: &incident_core::desk::Alert,
        on_open: impl FnOnce() + Send + 'static,
    ) -> Result<(), String> {
        let urgency = match alert.severity {
            incident_core::domain::Severity::Critical => Urgency::Critical,
            _ => Urgency::Normal,
        };
        self.show_simple(
            format!("Alert: {}", alert.service),
            format!("{} · {}: {}", alert.source, alert.severity, alert.summary),
            urgency,
            "Open the inbox",
            on_open,
        )
    }

    /// One notification for alerts that were not announced one by one.
    pub fn show_alert_summary(
        &self,
        count: usize,
        on_open: impl FnOnce() + Send + 'static,
    ) -> Result<(), String> {
        self.show_simple(
            format!("{count} more new alerts"),
            "Too many to announce one by one: see the alert inbox.".to_owned(),
            Urgency::Normal,
            "Open the inbox",
            on_open,
        )
    }

    /// One notification for the nudges of a burst that were not notified
    /// one by one.
    pub fn show_nudge_summary(
        &self,
        deadlines: usize,
        incidents: usize,
        on_open: impl FnOnce() + Send + 'static,
    ) -> Result<(), String> {
        let across = if incidents == 1 {
            "in 1 incident".to_owned()
        } else {
            format!("across {incidents} incidents")
        };
        let more = if deadlines == 1 {
            "1 more deadline".to_owned()
        } else {
            format!("{deadlines} more deadlines")
        };
        self.show_simple(
            format!("{more} overdue {across}"),
            "Too many to announce one by one: see the command board.".to_owned(),
            Urgency::Critical,
            "Open the board",
            on_open,
        )
    }

    /// Tells this laptop's person they were made commander on another laptop.
    pub fn show_handoff(
        &self,
        reference: &str,
        title: &str,
        from: &str,
        on_open: impl FnOnce() + Send + 'static,
    ) -> Result<(), String> {
        present(
            Spec {
                icon: self.icon.clone(),
                summary: format!("You are now the commander of {reference}"),
                body: format!("{title} — handed over by {from}"),
                urgency: Urgency::Critical,
                actions: vec![("default", "Open"), (ACTION_OPEN, "Open")],
                stays: true,
            },
            |_| {},
            move |action, _| {
                if matches!(action.as_str(), ACTION_OPEN | "default") {
                    on_open();
                }
            },
        )
    }

    fn show_simple(
        &self,
        summary: String,
        body: String,
        urgency: Urgency,
        open_label: &'static str,
        on_open: impl FnOnce() + Send + 'static,
    ) -> Result<(), String> {
        present(
            Spec {
                icon: self.icon.clone(),
                summary,
                body,
                urgency,
                actions: vec![("default", open_label), (ACTION_OPEN, open_label)],
                stays: false,
            },
            |_| {},
            move |action, _| {
                if matches!(action.as_str(), ACTION_OPEN | "default") {
                    on_open();
                }
            },
        )
    }
}

/// Notification servers (dunst, GNOME, KDE) read the body as markup; what
/// people typed (a title) must show as typed, never as tags.
fn escape_markup(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// What a notification says and offers.
struct Spec {
    icon: Option<PathBuf>,
    summary: String,
    body: String,
    urgency: Urgency,
    /// (action key, label); "default" is what a click on the notification does.
    actions: Vec<(&'static str, &'static str)>,
    /// Stays until acted on (nudges) rather than the server's timeout.
    stays: bool,
}

/// Shows a notification from a worker thread (the D-Bus handle cannot move
/// between threads, so one thread shows it and then waits for its action):
/// `on_shown` gets its id, `on_action` the action taken (or the closing
/// reason) and the id. Waits at most 5 s for the server to take it.
fn present(
    spec: Spec,
    on_shown: impl FnOnce(u32) + Send + 'static,
    on_action: impl FnOnce(String, u32) + Send + 'static,
) -> Result<(), String> {
    let (shown_tx, shown_rx) = std::sync::mpsc::channel::<Result<(), String>>();
    std::thread::Builder::new()
        .name("notification".into())
        .spawn(move || {
            let mut notification = Notification::new();
            notification
                .appname(APP_NAME)
                .summary(&spec.summary)
                .body(&escape_markup(&spec.body))
                .urgency(spec.urgency)
                .hint(Hint::DesktopEntry("incident-desk".into()));
            for (key, label) in spec.actions {
                notification.action(key, label);
            }
            if spec.stays {
                notification.timeout(Timeout::Never);
            }
            if let Some(icon) = &spec.icon {
                notification.icon(&icon.to_string_lossy());
            }
            let handle = match notification.show() {
                Ok(handle) => {
                    let _ = shown_tx.send(Ok(()));
                    handle
                }
                Err(error) => {
                    let _ = shown_tx.send(Err(error.to_string()));
                    return;
                }
            };
            let id = handle.id();
            on_shown(id);
            let mut taken = String::new();
            handle.wait_for_action(|action| taken = action.to_owned());
            on_action(taken, id);
        })
        .map_err(|error| format!("cannot start a notification thread: {error}"))?;
    shown_rx
        .recv_timeout(Duration::from_secs(5))
        .unwrap_or_else(|_| Err("the notification server did not answer in 5 s".into()))
}
