//! The `Desk`: the one way in. Every change validates, writes the new state
//! and its timeline entry in one IMMEDIATE transaction, and then publishes a
//! [`ChangeEvent`]. Time comes from an injected [`Clock`].

mod alerts;
mod backup;
mod communications;
mod deadlines;
mod directory;
mod entry_files;
mod exchange;
pub mod gate;
mod inputs;
mod operations;
mod outbox;
mod playbooks;
mod queries;
pub(crate) mod records;
mod references;
mod replication;
mod settings;
mod team_connection;
pub(crate) mod timeline;

pub use alerts::{Alert, AlertReceipt, MAX_ALERTS_PER_DELIVERY};
pub use backup::{BackupInfo, KEEP_BACKUPS};
pub(crate) use communications::seed_templates as seed_default_templates;
pub use communications::{ChannelSettings, DraftRequest, FilledTemplate};
pub use deadlines::{IncidentDeadlines, PendingNudge};
pub use entry_files::{
    ENTRIES_FORMAT, ENTRIES_VERSION, EntryBatch, MAX_ENTRIES_BYTES, parse_entries,
};
pub use exchange::{EXPORT_FORMAT, EXPORT_VERSION, IncidentExport};
pub use inputs::*;
pub use outbox::{Attempt, Publication, message_subject, retry_delay_ms};
pub(crate) use playbooks::seed_default_playbooks;
pub use playbooks::{
    MAX_PLAYBOOK_ITEMS, PLAYBOOKS_FORMAT, PLAYBOOKS_VERSION, PlaybooksFile, check_playbook,
    default_playbooks, role_named,
};
pub use references::TEAM;
pub use replication::{ApplyReport, Cursor, RemoteEntry, TeamInfo};
pub use team_connection::{CredentialKind, TeamConnection};

use crate::domain::{
    Change, IncidentRecord, MAX_NAME, TimelineEntry, plausible_time, required_text,
};
use crate::error::{DeskError, Result};
use crate::model::ChangeEvent;
use crate::store;
use crate::time::{Clock, SystemClock, Timestamp};
use rusqlite::{Connection, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, MutexGuard};

/// How far in the future a user-given time may be (clock skew between machines).
pub const MAX_FUTURE_SKEW_MS: i64 = 60_000;

pub struct Desk {
    conn: Mutex<Connection>,
    path: PathBuf,
    clock: Arc<dyn Clock>,
    author: String,
    subscribers: Mutex<Vec<Sender<ChangeEvent>>>,
    /// Last `PRAGMA data_version` seen; it moves when another connection commits.
    data_version: Mutex<i64>,
}

/// The default author of entries: `$INCIDENT_DESK_AUTHOR`, else the login
/// name (from the environment, else the home directory's name).
pub fn default_author() -> String {
    ["INCIDENT_DESK_AUTHOR", "USER", "LOGNAME", "USERNAME"]
        .iter()
        .filter_map(|var| std::env::var(var).ok())
        .find(|name| !name.trim().is_empty())
        .or_else(|| {
            dirs::home_dir()
                .and_then(|home| home.file_name().map(|n| n.to_string_lossy().into_owned()))
        })
        .filter(|name| !name.trim().is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
}

impl Desk {
    /// Opens (or creates) the database at `path`, with the system clock.
    pub fn open(path: impl AsRef<Path>) -> Result<Desk> {
        Desk::open_with_clock(path, Arc::new(SystemClock))
    }

    pub fn open_with_clock(path: impl AsRef<Path>, clock: Arc<dyn Clock>) -> Result<Desk> {
        let path = path.as_ref().to_path_buf();
        let conn = store::open(&path)?;
        let version = data_version(&conn)?;
        Ok(Desk {
            conn: Mutex::new(conn),
            path,
            clock,
            author: default_author(),
            subscribers: Mutex::new(Vec::new()),
            data_version: Mutex::new(version),
        })
    }

    /// Opens the database the app and `idesk` share (see [`crate::paths`]).
    pub fn open_default() -> Result<Desk> {
        Desk::open(crate::paths::database_path()?)
    }

    /// Sets who is recorded as the author of this desk's entries.
    pub fn with_author(mut self, author: &str) -> Result<Desk> {
        required_text("author", author, MAX_NAME)?;
        self.author = author.to_owned();
        Ok(self)
    }

    pub fn author(&self) -> &str {
        &self.author
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written
        // (transactions roll back on drop), so a poisoned lock is safe to reuse.
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Receives a [`ChangeEvent`] after every committed change.
    pub fn subscribe(&self) -> Receiver<ChangeEvent> {
        let (sender, receiver) = channel();
        lock(&self.subscribers).push(sender);
        receiver
    }

    fn publish(&self, event: ChangeEvent) {
        lock(&self.subscribers).retain(|subscriber| subscriber.send(event.clone()).is_ok());
    }

    /// Checks (cheaply: one pragma, no table read) whether another process
    /// committed since the last check; if so, publishes `External` and
    /// returns true.
    pub fn poll_external_changes(&self) -> Result<bool> {
        let current = data_version(&self.conn())?;
        let mut seen = lock(&self.data_version);
        if *seen == current {
            return Ok(false);
        }
        *seen = current;
        drop(seen);
        self.publish(ChangeEvent::External);
        Ok(true)
    }

    /// The time a change happens: `at` when given (back-dating), else now.
    /// Refuses times in the future beyond a small clock skew.
    fn check_at(
        &self,
        field: &'static str,
        at: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<Timestamp> {
        let Some(at) = at else { return Ok(now) };
        plausible_time(field, at)?;
        if at.millis() > now.millis() + MAX_FUTURE_SKEW_MS {
            return Err(DeskError::invalid(
                field,
                format!("{at} is in the future (it is now {now})"),
            ));
        }
        Ok(at)
    }

    /// Runs one change to an incident: resolve, load, build the change, apply
    /// the rules, write state and timeline entry, commit, publish.
    fn mutate<T>(
        &self,
        reference: &str,
        at: Option<Timestamp>,
        build: impl FnOnce(&Connection, &IncidentRecord, Timestamp) -> Result<(Change, T)>,
    ) -> Result<(TimelineEntry, IncidentRecord, T)> {
        let now = self.clock.now();
        let given = at.is_some();
        let at = self.check_at("at", at, now)?;
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (id, _) = records::resolve(&tx, reference)?;
        let old = records::load_record(&tx, &id)?;
        // "Now" is never before a declaration that another machine's clock
        // (within the allowed skew) dated slightly ahead; a time the user
        // gave is checked as given.
        let at = if given { at } else { at.max(old.declared_at) };
        let (change, extra) = build(&tx, &old, at)?;
        let mut new = old.clone();
        let text = new.apply(&change, at, &self.author)?;
        let append = |change: &Change, text: &str| {
            timeline::append(
                &tx,
                timeline::NewEntry {
                    incident_id: &id,
                    occurred_at: at,
                    recorded_at: now,
                    author: &self.author,
                    kind: change.entry_kind(),
                    text,
                    change: Some(change),
                    supersedes: None,
                },
            )
        };
        // A change made here has seen everything: it settles the notes on
        // what it changes (see domain/fold.rs).
        new.settle_conflicts(&change.subjects(), crate::domain::SEEN_EVERYTHING);
        records::persist_changes(&tx, &old, &new)?;
        let entry = append(&change, &text)?;
        // The stages follow what the record shows (see domain/follow.rs):
        // each as an entry of its own, so the replay rebuilds it.
        for implied in new.implied_stage_changes(&old, &change) {
            let before = new.clone();
            let text = new.apply(&implied.change, at, &self.author)?;
            new.settle_conflicts(&implied.change.subjects(), crate::domain::SEEN_EVERYTHING);
            records::persist_changes(&tx, &before, &new)?;
            append(&implied.change, &format!("{text} — {}", implied.because))?;
        }
        tx.commit()?;
        drop(conn);
        self.publish(ChangeEvent::Incident {
            id,
            reference: new.reference.clone(),
        });
        Ok((entry, new, extra))
    }
}

fn data_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA data_version", [], |row| row.get(0))?)
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A new sortable id (UUIDv7) for the moment `at`.
fn new_id(at: Timestamp) -> String {
    let millis = u64::try_from(at.millis()).unwrap_or(0);
    let ts = uuid::Timestamp::from_unix(
        uuid::NoContext,
        millis / 1000,
        u32::try_from((millis % 1000) * 1_000_000).unwrap_or(0),
    );
    uuid::Uuid::new_v7(ts).to_string()
}

#[cfg(test)]
mod alert_tests;
#[cfg(test)]
mod tests;
