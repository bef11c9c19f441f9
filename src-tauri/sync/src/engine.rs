//! The sync engine: one thread per desk with its own small tokio runtime,
//! so the app's and `idesk`'s threads never wait on the network.
//!
//! - connect (again and again, with a growing pause) and say what is true
//!   in the [`SyncStatus`]: connected, offline since when with how many
//!   entries waiting, or credentials refused;
//! - publish the outbox, each entry with its id as `Nats-Msg-Id`, and mark
//!   delivered only what the server acknowledged;
//! - pull from this laptop's durable consumer, apply through the core's
//!   gate, and acknowledge only after the local commit.

use crate::error::{Result, SyncError};
use crate::naming::Names;
use crate::options::{connect_error, connect_options};
use crate::presence::{self, Roster};
use crate::secrets::{SecretStore, team_key};
use async_nats::jetstream::{self, consumer::pull, stream};
use async_nats::{Event, HeaderMap, ServerError};
use futures_util::StreamExt as _;
use incident_core::Desk;
use incident_core::desk::{RemoteEntry, TeamConnection};
use incident_core::model::{Presence, SyncState, SyncStatus};
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::Duration;
use tokio::sync::{Notify, watch};

/// Entries published or applied in one go.
const BATCH: usize = 256;
/// A message larger than this is not an entry (the server's default limit is 1 MiB).
const MAX_MESSAGE: usize = 1024 * 1024;
/// How long the server's duplicate filter remembers an entry id. Older
/// resends are caught by `apply_remote` (the same entry twice is nothing).
const DUPLICATE_WINDOW: Duration = Duration::from_secs(24 * 3600);
/// Named cursors in the desk: what `idesk team status` reads.
pub const LAST_SENT: &str = "nats:last_sent";
pub const LAST_RECEIVED: &str = "nats:last_received";
const FENCED: &str = "nats:fenced:";
/// The outbox is read at every write; this often besides, in case a
/// change event was missed.
const OUTBOX_RECHECK: Duration = Duration::from_secs(15);

static REVISION: AtomicI64 = AtomicI64::new(0);

/// The next [`SyncStatus::revision`]: one counter for the whole process, so
/// reports of a restarted engine still come after those of the one before.
/// Take it *before* reading the state it stamps: a reading that raced a
/// change then loses to the change's own report.
pub fn next_revision() -> i64 {
    REVISION.fetch_add(1, Ordering::SeqCst) + 1
}

pub struct SyncEngine;

/// Called with the entries of each batch from the team once they are
/// stored here (own entries coming back included; the caller filters).
pub type OnArrival = Arc<dyn Fn(&[RemoteEntry]) + Send + Sync>;

/// A running engine. Dropping it stops it.
pub struct SyncHandle {
    status: watch::Receiver<SyncStatus>,
    viewing: Arc<watch::Sender<Option<String>>>,
    roster: Arc<Roster>,
    stop: Arc<Stop>,
    finished: Option<std::sync::mpsc::Receiver<()>>,
}

#[derive(Default)]
struct Stop {
    flag: AtomicBool,
    notify: Notify,
}

impl Stop {
    fn is_set(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }
    /// Returns once stopped. No polling: the waiter is registered before
    /// the flag is read, so a stop between the two is not missed.
    async fn wait(&self) {
        loop {
            let notified = self.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.is_set() {
                return;
            }
            notified.await;
        }
    }
}

impl SyncEngine {
    /// Starts syncing `desk` with the server it is joined to. Not joined:
    /// [`SyncError::NotJoined`]. The secret is read from `secrets` now.
    pub fn start(desk: Arc<Desk>, secrets: &SecretStore) -> Result<SyncHandle> {
        SyncEngine::start_with(desk, secrets, Arc::new(|_: &[RemoteEntry]| {}))
    }

    /// [`SyncEngine::start`], telling `on_arrival` what came from the team.
    pub fn start_with(
        desk: Arc<Desk>,
        secrets: &SecretStore,
        on_arrival: OnArrival,
    ) -> Result<SyncHandle> {
        let info = desk.team_info()?;
        let (Some(team), Some(connection)) = (info.team.clone(), desk.team_connection()?) else {
            return Err(SyncError::NotJoined);
        };
        let secret = secrets.load(&team_key(&info.node_id, &team))?;
        // Fail now, with the reason, rather than in the background.
        connect_options(&connection, secret.as_deref(), "check")?;
        let initial = SyncStatus {
            state: SyncState::Connecting,
            since: Some(desk.now()),
            waiting: info.undelivered,
            message: None,
            team: Some(team.clone()),
            server: Some(connection.server.clone()),
            revision: next_revision(),
        };
        let (status_tx, status) = watch::channel(initial);
        let stop = Arc::new(Stop::default());
        let (done_tx, finished) = std::sync::mpsc::channel();
        let viewing = Arc::new(watch::channel(None).0);
        let roster = Arc::new(Roster::default());
        let context = Context {
            person: desk.author().to_string(),
            viewing: viewing.clone(),
            roster: roster.clone(),
            desk,
            names: Names::for_team(&team),
            node: info.node_id,
            connection,
            secret,
            status: Arc::new(status_tx),
            stop: stop.clone(),
            wake: Arc::new(Notify::new()),
            on_arrival,
        };
        std::thread::Builder::new()
            .name("team-sync".into())
            .spawn(move || {
                match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime.block_on(context.run()),
                    Err(e) => tracing::error!("team sync could not start its runtime: {e}"),
                }
                let _ = done_tx.send(());
            })
            .map_err(|e| SyncError::Start(e.to_string()))?;
        Ok(SyncHandle {
            status,
            viewing,
            roster,
            stop,
            finished: Some(finished),
        })
    }
}

impl SyncHandle {
    pub fn status(&self) -> SyncStatus {
        self.status.borrow().clone()
    }

    /// A receiver that sees every change of the status (for the window).
    pub fn watch(&self) -> watch::Receiver<SyncStatus> {
        self.status.clone()
    }

    /// Stops the engine and waits (at most `within`) for its thread to end.
    /// Entries not yet acknowledged stay in the outbox for next time.
    pub fn stop(mut self, within: Duration) -> bool {
        self.signal_stop();
        self.finished
            .take()
            .is_some_and(|done| done.recv_timeout(within).is_ok())
    }

    /// The incident open in this laptop's window (its id), or none: told to
    /// the team at once.
    pub fn set_viewing(&self, incident_id: Option<String>) {
        self.viewing.send_if_modified(|now| {
            let changed = *now != incident_id;
            *now = incident_id;
            changed
        });
    }

    /// The other laptops heard from lately, and what they have open.
    pub fn presence(&self) -> Vec<Presence> {
        self.roster.present(std::time::Instant::now())
    }

    /// Runs `on_change` with every new status, on a thread of its own,
    /// until the engine stops.
    pub fn on_change(&self, on_change: impl Fn(SyncStatus) + Send + 'static) {
        let mut status = self.status.clone();
        let spawned = std::thread::Builder::new()
            .name("team-sync-status".into())
            .spawn(move || {
                let Ok(runtime) = tokio::runtime::Builder::new_current_thread().build() else {
                    return;
                };
                runtime.block_on(async move {
                    while status.changed().await.is_ok() {
                        let now = status.borrow_and_update().clone();
                        on_change(now);
                    }
                });
            });
        if let Err(error) = spawned {
            tracing::warn!("team sync: no status updates for the window: {error}");
        }
    }

    fn signal_stop(&self) {
        self.stop.flag.store(true, Ordering::SeqCst);
        self.stop.notify.notify_waiters();
    }
}

impl Drop for SyncHandle {
    fn drop(&mut self) {
        self.signal_stop();
    }
}

#[derive(Clone)]
struct Context {
    desk: Arc<Desk>,
    names: Names,
    node: String,
    connection: TeamConnection,
    secret: Option<String>,
    status: Arc<watch::Sender<SyncStatus>>,
    stop: Arc<Stop>,
    wake: Arc<Notify>,
    on_arrival: OnArrival,
    person: String,
    viewing: Arc<watch::Sender<Option<String>>>,
    roster: Arc<Roster>,
}

impl Context {
    async fn run(self) {
        self.spawn_waker();
        tokio::select! {
            () = self.stop.wait() => {}
            () = self.connected_loop() => {}
        }
    }

    /// Desk changes (a note typed, an `idesk` write noticed) wake the
    /// publisher. The thread sleeps in `recv` (no polling while idle) and
    /// ends at the first change after the engine stopped.
    fn spawn_waker(&self) {
        let events = self.desk.subscribe();
        let wake = self.wake.clone();
        let stop = self.stop.clone();
        let spawned = std::thread::Builder::new()
            .name("team-sync-wake".into())
            .spawn(move || {
                while events.recv().is_ok() && !stop.is_set() {
                    wake.notify_one();
                }
            });
        if let Err(error) = spawned {
            tracing::warn!("team sync: writes are sent every 15 s instead of at once ({error})");
        }
    }

    fn set_status(&self, state: SyncState, message: Option<String>) {
        let now = self.desk.now();
        self.status.send_modify(|status| {
            if status.state != state {
                status.since = Some(now);
            }
            status.state = state;
            status.message = message;
            status.revision = next_revision();
        });
    }

    fn refresh_waiting(&self) {
        if let Ok(info) = self.desk.team_info() {
            self.status.send_if_modified(|status| {
                let changed = status.waiting != info.undelivered;
                if changed {
                    status.waiting = info.undelivered;
                    status.revision = next_revision();
                }
                changed
            });
        }
    }

    async fn connect(&self) -> async_nats::Client {
        let mut attempt: u32 = 0;
        loop {
            let events = self.clone();
            let options = connect_options(
                &self.connection,
                self.secret.as_deref(),
                &format!("incident-desk {}", self.node),
            );
            let result = match options {
                Ok(options) => options
                    .event_callback(move |event| {
                        let events = events.clone();
                        async move { events.on_event(event) }
                    })
                    .connect(self.connection.server.as_str())
                    .await
                    .map_err(|e| connect_error(&self.connection.server, &e)),
                Err(e) => Err(e),
            };
            match result {
                Ok(client) => {
                    self.set_status(SyncState::Connected, None);
                    return client;
                }
                Err(error) => {
                    let refused = matches!(error, SyncError::Refused(_));
                    tracing::warn!("team sync: {error}");
                    self.set_status(
                        if refused {
                            SyncState::Refused
                        } else {
                            SyncState::Offline
                        },
                        Some(error.to_string()),
                    );
                    self.refresh_waiting();
                    attempt = attempt.saturating_add(1);
                    let pause = if refused {
                        Duration::from_secs(30)
                    } else {
                        Duration::from_millis((250u64 << attempt.min(5)).min(5_000))
                    };
                    tokio::time::sleep(pause).await;
                }
            }
        }
    }

    fn on_event(&self, event: Event) {
        match event {
            Event::Connected => self.set_status(SyncState::Connected, None),
            Event::Disconnected => self.set_status(
                SyncState::Offline,
                Some(format!(
                    "lost the connection to {}; writes wait here until it is back",
                    self.connection.server
                )),
            ),
            Event::ServerError(ServerError::AuthorizationViolation) => self.set_status(
                SyncState::Refused,
                Some("the server refused these credentials".into()),
            ),
            Event::ServerError(error) => tracing::warn!("team sync: the server said: {error}"),
            other => tracing::debug!("team sync: {other}"),
        }
        self.refresh_waiting();
    }

    async fn connected_loop(&self) {
        let client = self.connect().await;
        let js = jetstream::new(client.clone());
        let open = self.stream_loop(js.clone(), false);
        let fenced = self.stream_loop(js.clone(), true);
        let publish = self.publish_loop(js);
        let presence = self.presence_loop(client);
        tokio::join!(open, fenced, publish, presence);
    }

    /// Says where this laptop is, every few seconds and at each change, and
    /// hears where the others are.
    async fn presence_loop(&self, client: async_nats::Client) {
        let mut viewing = self.viewing.subscribe();
        let mut heard = match client.subscribe(self.names.all_presence()).await {
            Ok(subscription) => Some(subscription),
            Err(error) => {
                tracing::warn!("team sync: no presence from others ({error})");
                None
            }
        };
        let subject = self.names.presence(&self.node);
        let mut tick = tokio::time::interval(presence::EVERY);
        loop {
            let say = tokio::select! {
                _ = tick.tick() => true,
                changed = viewing.changed() => changed.is_ok(),
                message = async {
                    match heard.as_mut() {
                        Some(subscription) => subscription.next().await,
                        None => std::future::pending().await,
                    }
                } => {
                    if let Some(message) = message {
                        let taken =
                            self.roster.take(&message.payload, &self.node, std::time::Instant::now());
                        tracing::trace!(taken, bytes = message.payload.len(), "team sync: presence heard");
                    }
                    false
                }
            };
            if say {
                let here = Presence {
                    node: self.node.clone(),
                    person: self.person.clone(),
                    viewing: viewing.borrow_and_update().clone(),
                };
                if let Ok(payload) = serde_json::to_vec(&here) {
                    let sent = client.publish(subject.clone(), payload.into()).await;
                    tracing::debug!(viewing = ?here.viewing, ok = sent.is_ok(), "team sync: presence said");
                }
            }
        }
    }

    /// Finds (or, where allowed, creates) a stream, then reads it forever.
    /// For the fenced stream, a server that says no means this person is not
    /// a security responder: nothing to read, and that is not an error.
    async fn stream_loop(&self, js: jetstream::Context, fenced: bool) {
        let (name, subjects) = if fenced {
            (self.names.fenced_stream(), self.names.all_fenced())
        } else {
            (self.names.stream(), self.names.all_incidents())
        };
        loop {
            let config = stream::Config {
                name: name.clone(),
                subjects: vec![subjects.clone()],
                storage: stream::StorageType::File,
                retention: stream::RetentionPolicy::Limits,
                duplicate_window: DUPLICATE_WINDOW,
                deny_delete: true,
                deny_purge: true,
                ..Default::default()
            };
            match js.get_or_create_stream(config).await {
                Ok(stream) => self.read(stream, &subjects).await,
                Err(error) if fenced => {
                    tracing::info!(
                        "team sync: no access to the security stream {name} ({error}); security incidents of the team stay out of reach"
                    );
                    tokio::time::sleep(Duration::from_secs(60)).await;
                    continue;
                }
                Err(error) => {
                    tracing::warn!("team sync: the stream {name}: {error}");
                    self.set_status(
                        SyncState::Offline,
                        Some(format!(
                            "the team's stream {name} is not available: {error}"
                        )),
                    );
                }
            }
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
    }

    async fn read(&self, stream: stream::Stream, filter: &str) {
        let durable = Names::durable(&self.node);
        let config = pull::Config {
            durable_name: Some(durable.clone()),
            filter_subject: filter.to_string(),
            deliver_policy: jetstream::consumer::DeliverPolicy::All,
            ack_policy: jetstream::consumer::AckPolicy::Explicit,
            ack_wait: Duration::from_secs(30),
            max_ack_pending: 10_000,
            ..Default::default()
        };
        let consumer = match stream.get_or_create_consumer(&durable, config).await {
            Ok(consumer) => consumer,
            Err(error) => {
                tracing::warn!("team sync: this laptop's consumer {durable}: {error}");
                return;
            }
        };
        let messages = consumer
            .stream()
            .max_messages_per_batch(BATCH)
            .heartbeat(Duration::from_secs(5))
            .expires(Duration::from_secs(30))
            .messages()
            .await;
        let mut messages = match messages {
            Ok(messages) => messages,
            Err(error) => {
                tracing::warn!("team sync: reading {durable}: {error}");
                return;
            }
        };
        loop {
            let mut batch = match messages.next().await {
                None => return,
                Some(Err(error)) => {
                    tracing::debug!("team sync: reading: {error}");
                    continue;
                }
                Some(Ok(message)) => vec![message],
            };
            while batch.len() < BATCH {
                match tokio::time::timeout(Duration::from_millis(5), messages.next()).await {
                    Ok(Some(Ok(message))) => batch.push(message),
                    _ => break,
                }
            }
            if !self.apply(&batch) {
                // Not acknowledged: the server delivers them again later.
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
            for message in &batch {
                if let Err(error) = message.ack().await {
                    tracing::debug!("team sync: acknowledging: {error}");
                }
            }
        }
    }

    /// Applies a batch through the core's gate; false when it could not be
    /// stored here (then nothing is acknowledged).
    fn apply(&self, batch: &[jetstream::Message]) -> bool {
        let mut entries = Vec::with_capacity(batch.len());
        for message in batch {
            match parse(&message.payload) {
                Ok(entry) => entries.push(entry),
                Err(reason) => tracing::warn!(
                    "team sync: refused a message on {}: {reason}",
                    message.subject
                ),
            }
        }
        let arrived = entries.clone();
        match self.desk.apply_remote(entries) {
            Ok(report) => {
                if report.applied > 0 {
                    (self.on_arrival)(&arrived);
                }
                for reason in &report.refused {
                    tracing::warn!("team sync: refused an entry: {reason}");
                }
                let _ = self
                    .desk
                    .set_sync_cursor(LAST_RECEIVED, &self.desk.now().to_string());
                true
            }
            Err(error) => {
                tracing::error!("team sync: could not store entries from the team: {error}");
                false
            }
        }
    }

    async fn publish_loop(&self, js: jetstream::Context) {
        let mut fenced_memo: HashSet<String> = HashSet::new();
        loop {
            self.refresh_waiting();
            let batch = match self.desk.outbox(BATCH) {
                Ok(batch) => batch,
                Err(error) => {
                    tracing::error!("team sync: reading the outbox: {error}");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            if batch.is_empty() {
                // Woken by every write; the timeout is only a safety net.
                let _ = tokio::time::timeout(OUTBOX_RECHECK, self.wake.notified()).await;
                continue;
            }
            let fenced = self.fenced(&batch, &mut fenced_memo);
            let mut pending = Vec::with_capacity(batch.len());
            for entry in &batch {
                let subject = self
                    .names
                    .incident(&entry.incident_id, fenced.contains(&entry.incident_id));
                let mut headers = HeaderMap::new();
                headers.insert(async_nats::header::NATS_MESSAGE_ID, entry.entry.id.as_str());
                let payload = match serde_json::to_vec(entry) {
                    Ok(payload) => payload,
                    Err(error) => {
                        tracing::error!("team sync: entry {}: {error}", entry.entry.id);
                        continue;
                    }
                };
                match js
                    .publish_with_headers(subject, headers, payload.into())
                    .await
                {
                    Ok(ack) => pending.push((entry.entry.id.clone(), ack)),
                    Err(error) => {
                        tracing::debug!("team sync: publishing: {error}");
                        break;
                    }
                }
            }
            let mut acknowledged = Vec::with_capacity(pending.len());
            let mut failed = false;
            for (id, ack) in pending {
                match ack.await {
                    Ok(_) => acknowledged.push(id),
                    Err(error) => {
                        failed = true;
                        tracing::debug!("team sync: not acknowledged: {error}");
                    }
                }
            }
            if !acknowledged.is_empty() {
                if let Err(error) = self.desk.delivered(&acknowledged) {
                    tracing::error!("team sync: marking delivered: {error}");
                }
                let _ = self
                    .desk
                    .set_sync_cursor(LAST_SENT, &self.desk.now().to_string());
            }
            if failed || acknowledged.is_empty() {
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }

    /// Incidents whose entries go behind the fence: security incidents, and
    /// any incident that ever was one (a reclassification never reopens it).
    fn fenced(&self, batch: &[RemoteEntry], memo: &mut HashSet<String>) -> HashSet<String> {
        let security = self.desk.security_incident_ids().unwrap_or_default();
        let mut out = HashSet::new();
        for entry in batch {
            let id = &entry.incident_id;
            let key = format!("{FENCED}{id}");
            let known = memo.contains(id) || self.desk.sync_cursor(&key).ok().flatten().is_some();
            if security.contains(id) || known {
                if !known {
                    let _ = self.desk.set_sync_cursor(&key, "1");
                }
                memo.insert(id.clone());
                out.insert(id.clone());
            }
        }
        out
    }
}

/// One message's payload as an entry, with the size checked first.
fn parse(payload: &[u8]) -> std::result::Result<RemoteEntry, String> {
    if payload.len() > MAX_MESSAGE {
        return Err(format!(
            "{} bytes, more than an entry can be",
            payload.len()
        ));
    }
    serde_json::from_slice(payload).map_err(|e| format!("not an entry: {e}"))
}
