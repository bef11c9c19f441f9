//! The deadline scheduler. It sleeps until the next moment a deadline
//! changes state — or until anything changes in the database — then shows
//! the nudges the core asks for. The core records each nudge, so a restart
//! never repeats one and never loses one. After the laptop sleeps or the
//! clock jumps, what became overdue is shown once on waking.

use crate::notifier::{Notifier, NudgeKey, Response, SNOOZE_FROM_NOTIFICATION_SECS};
use crate::pacing::Budget;
use crate::tray;
use incident_core::desk::{IncidentDeadlines, PendingNudge};
use incident_core::{Desk, Timestamp};
use std::collections::HashSet;
use std::sync::mpsc::RecvTimeoutError;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};
use tauri::{AppHandle, Emitter, Manager, Runtime};

/// The event telling the window to show new nudges (a list).
pub const NUDGE_EVENT: &str = "desk-nudge";
/// The event telling the window to open an incident (from a notification).
pub const OPEN_EVENT: &str = "desk-open-incident";
/// Asks the window to show the command board (a summary notification).
pub const SHOW_BOARD_EVENT: &str = "desk-show-board";

/// Upper bound of one sleep. Waking costs two clock reads unless a deadline
/// is due or the wall clock jumped (suspend, NTP), so this is not polling
/// the database: it bounds how late a nudge can be after a suspend.
const MAX_SLEEP: Duration = Duration::from_secs(5);

/// The nudges announced since the app started, for a window that was not
/// yet listening when they were: at startup, every deadline already
/// overdue is announced before the page has loaded.
#[derive(Default)]
pub struct AnnouncedNudges(Mutex<Vec<PendingNudge>>);

impl AnnouncedNudges {
    fn add(&self, nudge: &PendingNudge) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(nudge.clone());
    }

    fn all(&self) -> Vec<PendingNudge> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// The nudges announced so far (the window asks once it listens; the ones
/// no longer true it drops itself, as it does for live ones).
#[tauri::command]
pub(crate) fn announced_nudges(announced: tauri::State<'_, AnnouncedNudges>) -> Vec<PendingNudge> {
    announced.all()
}

pub fn start<R: Runtime>(app: AppHandle<R>, desk: Arc<Desk>, notifier: Arc<Notifier>) {
    app.manage(AnnouncedNudges::default());
    let spawned = std::thread::Builder::new()
        .name("deadline-scheduler".into())
        .spawn(move || run(app, desk, notifier));
    if let Err(error) = spawned {
        tracing::error!(%error, "could not start the deadline scheduler; no nudges will be shown");
    }
}

/// At most this many nudges are notified one by one per window; the rest
/// go into one summary notification (each still counts as shown, so it is
/// never notified again, also after a restart).
const NUDGES_ONE_BY_ONE: usize = 3;
const NUDGE_WINDOW: Duration = Duration::from_secs(60);

/// The first round waits this long: at start-up it may record hundreds of
/// nudges (deadlines that passed while the app was closed), which is not to
/// compete with the window's first paint.
const STARTUP_GRACE: Duration = Duration::from_secs(2);

fn run<R: Runtime>(app: AppHandle<R>, desk: Arc<Desk>, notifier: Arc<Notifier>) {
    let events = desk.subscribe();
    std::thread::sleep(STARTUP_GRACE);
    let mut announced: HashSet<(String, String, i64)> = HashSet::new();
    let mut budget = Budget::new(NUDGES_ONE_BY_ONE, NUDGE_WINDOW);
    loop {
        // One read of the board per round: the deadlines and the tray come
        // from it. A failed read skips the round: an empty list would close
        // every notification shown.
        let rows = desk
            .list_incidents(false)
            .inspect_err(|error| tracing::error!(%error, "could not read the deadlines"))
            .ok();
        let open: Option<Vec<IncidentDeadlines>> = rows
            .as_deref()
            .map(|rows| rows.iter().map(IncidentDeadlines::of_board_row).collect());
        if let Some(open) = &open {
            deliver_due(&app, &desk, open, &notifier, &mut announced, &mut budget);
            close_moot(open, &notifier);
        }
        if let Some(rows) = &rows {
            tray::refresh(&app, rows);
        }
        let next_change = open
            .as_deref()
            .and_then(|open| desk.next_deadline_change_in(open));
        // Sleep until the next change, an event, or (cheaply) MAX_SLEEP.
        loop {
            let wall_before = SystemTime::now();
            let mono_before = Instant::now();
            let wait = next_change
                .map(|due| {
                    let left = due.millis() - desk.now().millis();
                    Duration::from_millis(left.clamp(0, MAX_SLEEP.as_millis() as i64) as u64 + 5)
                })
                .unwrap_or(MAX_SLEEP);
            // Nudges held back by the notification budget go at its window's end.
            let held = budget.held_until();
            let wait = held.map_or(wait, |at| {
                wait.min(at.saturating_duration_since(Instant::now()))
            });
            match events.recv_timeout(wait) {
                Ok(_) => {
                    while events.try_recv().is_ok() {}
                    break;
                }
                Err(RecvTimeoutError::Disconnected) => return,
                Err(RecvTimeoutError::Timeout) => {
                    let wall = SystemTime::now()
                        .duration_since(wall_before)
                        .unwrap_or_default();
                    let mono = mono_before.elapsed();
                    if clock_jumped(wall, mono) {
                        tracing::info!(
                            ?wall,
                            ?mono,
                            "the clock jumped (suspend?): checking deadlines"
                        );
                    }
                    if should_recompute(desk.now(), next_change, wall, mono)
                        || held.is_some_and(|at| Instant::now() >= at)
                    {
                        break;
                    }
                }
            }
        }
    }
}

/// The wall clock moved differently from the monotonic one: the machine
/// slept, or the time was set.
fn clock_jumped(wall: Duration, mono: Duration) -> bool {
    wall.abs_diff(mono) > Duration::from_secs(2)
}

/// After a timed wake: look at the deadlines again only when one is due or
/// the clock jumped; otherwise the wake cost two clock reads.
fn should_recompute(
    now: Timestamp,
    next_change: Option<Timestamp>,
    wall: Duration,
    mono: Duration,
) -> bool {
    next_change.is_some_and(|t| now >= t) || clock_jumped(wall, mono)
}

fn deliver_due<R: Runtime>(
    app: &AppHandle<R>,
    desk: &Arc<Desk>,
    open: &[IncidentDeadlines],
    notifier: &Notifier,
    announced: &mut HashSet<(String, String, i64)>,
    budget: &mut Budget,
) {
    let mut nudges = match desk.nudges_to_show_in(open) {
        Ok(nudges) => nudges,
        Err(error) => {
            tracing::error!(%error, "could not compute the nudges");
            return;
        }
    };
    let mut fresh = Vec::new();
    for nudge in &nudges {
        let key = (
            nudge.incident_id.clone(),
            nudge.deadline.key.clone(),
            nudge.deadline.due_at.millis(),
        );
        if announced.insert(key) {
            if let Some(list) = app.try_state::<AnnouncedNudges>() {
                list.add(nudge);
            }
            tracing::info!(summary = %nudge.summary, "nudge");
            fresh.push(nudge);
        }
    }
    // The window shows every nudge, whether or not a notification can: the
    // round's new ones in one event (each event is a script run in the page).
    if !fresh.is_empty()
        && let Err(error) = app.emit(NUDGE_EVENT, &fresh)
    {
        tracing::warn!(%error, "could not show the nudges in the window");
    }
    // The most severe and the longest overdue go out one by one.
    nudges.sort_by_key(|n| (n.level_rank, n.deadline.due_at.millis()));
    let allowance = budget.allow(nudges.len(), Instant::now());
    let rest = nudges.split_off(allowance.one_by_one);
    for nudge in nudges {
        let responder = respond(app.clone(), desk.clone(), nudge.clone());
        if notifier.show(&nudge, responder).is_ok() {
            mark_shown(desk, &nudge);
        }
    }
    // Without a summary the rest waits for the next window (not marked
    // shown, so the next round takes it).
    if rest.is_empty() || !allowance.summary {
        return;
    }
    let incidents: HashSet<&str> = rest.iter().map(|n| n.incident_id.as_str()).collect();
    let board = app.clone();
    let shown = notifier.show_nudge_summary(rest.len(), incidents.len(), move || {
        crate::launch::focus_main_window(&board);
        let _ = board.emit(SHOW_BOARD_EVENT, ());
    });
    if shown.is_ok() {
        let all = rest.iter().map(|n| {
            (
                n.incident_id.as_str(),
                n.deadline.key.as_str(),
                n.deadline.due_at,
            )
        });
        if let Err(error) = desk.mark_nudges_shown(all) {
            tracing::error!(%error, "could not record the summarised nudges as shown");
        }
    }
}

fn mark_shown(desk: &Desk, nudge: &PendingNudge) {
    if let Err(error) = desk.mark_nudge_shown(
        &nudge.incident_id,
        &nudge.deadline.key,
        nudge.deadline.due_at,
    ) {
        tracing::error!(%error, "could not record a shown nudge");
    }
}

/// Closes notifications of nudges that are met, snoozed or gone.
fn close_moot(open: &[IncidentDeadlines], notifier: &Notifier) {
    let wanted: HashSet<NudgeKey> = open
        .iter()
        .flat_map(|incident| {
            incident
                .deadlines
                .iter()
                .filter(|d| d.wants_nudge())
                .map(|d| (incident.id.clone(), d.key.clone(), d.due_at.millis()))
        })
        .collect();
    notifier.close_all_but(&wanted);
}

fn respond<R: Runtime>(
    app: AppHandle<R>,
    desk: Arc<Desk>,
    nudge: PendingNudge,
) -> impl FnOnce(Response) + Send + 'static {
    move |response| match response {
        Response::Open => open_incident(&app, &nudge.reference),
        Response::Snooze => {
            if let Err(error) = desk.snooze(
                &nudge.reference,
                &nudge.deadline.key,
                SNOOZE_FROM_NOTIFICATION_SECS,
            ) {
                tracing::warn!(%error, "could not snooze from the notification");
            }
        }
        Response::Dismissed => {}
    }
}

/// Brings the window forward and opens `reference` in it.
pub fn open_incident<R: Runtime>(app: &AppHandle<R>, reference: &str) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
    if let Err(error) = app.emit(OPEN_EVENT, reference) {
        tracing::warn!(%error, "could not open the incident in the window");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    #[test]
    fn a_timed_wake_recomputes_only_when_something_is_due_or_the_clock_jumped() {
        let now = Timestamp::from_millis(1_000_000);
        let later = Some(now.plus_millis(60_000));
        let passed = Some(now.plus_millis(-1));
        // An ordinary wake in the middle of a long wait: nothing to do.
        assert!(!should_recompute(now, later, 5 * SECOND, 5 * SECOND));
        assert!(!should_recompute(now, None, 5 * SECOND, 5 * SECOND));
        // The next deadline has come.
        assert!(should_recompute(now, passed, 5 * SECOND, 5 * SECOND));
        // The laptop slept for an hour during a five-second wait.
        assert!(should_recompute(now, later, 3600 * SECOND, 5 * SECOND));
        // Someone set the clock back.
        assert!(should_recompute(now, later, Duration::ZERO, 5 * SECOND));
    }
}
