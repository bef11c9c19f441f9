//! A real `nats-server` on 127.0.0.1 (ended by its process id), a TCP proxy
//! per laptop to cut, stall and restore its network, and laptops (a desk
//! with its sync engine) joined to the team.

#![allow(dead_code)]

use incident_core::Desk;
use incident_core::desk::{CredentialKind, TeamConnection};
use incident_core::model::{SyncState, SyncStatus};
use incident_sync::{SecretStore, SyncEngine, SyncHandle, secrets::team_key};
use std::io::{Read as _, Write as _};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub type TestResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

pub const TEAM: &str = "Payments";

fn nats_binary() -> TestResult<PathBuf> {
    if let Some(path) = std::env::var_os("NATS_SERVER") {
        return Ok(PathBuf::from(path));
    }
    // The workspace root: the first folder up with the lock file (this
    // module is also used by the idesk and window tests).
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = manifest
        .ancestors()
        .find(|dir| dir.join("Cargo.lock").is_file())
        .unwrap_or(manifest);
    let path = root.join("target/tools/nats-server-2.15.1/bin/nats-server");
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "{} is missing: run scripts/setup.sh (make test does)",
            path.display()
        )
        .into())
    }
}

fn free_port() -> TestResult<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Waits for `what` at most `timeout`, checking every 50 ms.
pub fn wait_for(
    what: &str,
    timeout: Duration,
    mut done: impl FnMut() -> TestResult<bool>,
) -> TestResult {
    let start = Instant::now();
    loop {
        if done()? {
            return Ok(());
        }
        if start.elapsed() > timeout {
            return Err(format!("timed out after {timeout:?} waiting for {what}").into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub struct NatsServer {
    child: Option<Child>,
    pub port: u16,
    config: PathBuf,
    _dir: tempfile::TempDir,
}

impl NatsServer {
    /// A server with JetStream; `accounts` is the config's account and user
    /// block (empty: anyone may connect).
    pub fn start(accounts: &str) -> TestResult<NatsServer> {
        let dir = tempfile::tempdir()?;
        let port = free_port()?;
        let config = dir.path().join("server.conf");
        let store = dir.path().join("store");
        std::fs::write(
            &config,
            format!(
                "listen: 127.0.0.1:{port}\nserver_name: test\njetstream {{ store_dir: {store:?} }}\n{accounts}\n"
            ),
        )?;
        let mut server = NatsServer {
            child: None,
            port,
            config,
            _dir: dir,
        };
        server.restart()?;
        Ok(server)
    }

    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// Ends the server at once (SIGKILL, by its own process id).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again with the same store and port.
    pub fn restart(&mut self) -> TestResult {
        self.kill();
        let log = self.config.with_extension("log");
        let child = Command::new(nats_binary()?)
            .arg("-c")
            .arg(&self.config)
            .arg("-l")
            .arg(&log)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        self.child = Some(child);
        let port = self.port;
        wait_for("nats-server to listen", Duration::from_secs(15), || {
            Ok(TcpStream::connect(("127.0.0.1", port)).is_ok())
        })
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The network of one laptop: open, cut (connections dropped, new ones
/// refused) or stalled (connections kept, nothing passes: a client blocked).
pub struct Proxy {
    pub port: u16,
    state: Arc<ProxyState>,
    accept: Option<std::thread::JoinHandle<()>>,
}

#[derive(Default)]
struct ProxyState {
    stop: AtomicBool,
    cut: AtomicBool,
    stalled: AtomicBool,
    streams: Mutex<Vec<TcpStream>>,
}

impl Proxy {
    pub fn start(target: u16) -> TestResult<Proxy> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let port = listener.local_addr()?.port();
        let state = Arc::new(ProxyState::default());
        let shared = state.clone();
        let accept = std::thread::spawn(move || {
            while !shared.stop.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((client, _)) => {
                        if shared.cut.load(Ordering::SeqCst) {
                            drop(client);
                            continue;
                        }
                        let _ = client.set_nonblocking(false);
                        if let Ok(server) = TcpStream::connect(("127.0.0.1", target)) {
                            pipe(&shared, client, server);
                        }
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        Ok(Proxy {
            port,
            state,
            accept: Some(accept),
        })
    }

    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// Cuts the network (true) or restores it (false).
    pub fn cut(&self, cut: bool) {
        self.state.cut.store(cut, Ordering::SeqCst);
        if cut {
            self.drop_connections();
        }
    }

    /// Stalls every byte (true) or lets them through again (false).
    pub fn stall(&self, stalled: bool) {
        self.state.stalled.store(stalled, Ordering::SeqCst);
    }

    fn drop_connections(&self) {
        let mut streams = self.state.streams.lock().unwrap_or_else(|e| e.into_inner());
        for stream in streams.drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.state.stop.store(true, Ordering::SeqCst);
        self.drop_connections();
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

fn pipe(state: &Arc<ProxyState>, client: TcpStream, server: TcpStream) {
    let clones = (
        client.try_clone(),
        server.try_clone(),
        client.try_clone(),
        server.try_clone(),
    );
    let (Ok(client_read), Ok(server_read), Ok(client_keep), Ok(server_keep)) = clones else {
        return;
    };
    {
        let mut streams = state.streams.lock().unwrap_or_else(|e| e.into_inner());
        streams.push(client_keep);
        streams.push(server_keep);
    }
    let upstream = state.clone();
    std::thread::spawn(move || copy(&upstream, client_read, server));
    let downstream = state.clone();
    std::thread::spawn(move || copy(&downstream, server_read, client));
}

fn copy(state: &ProxyState, mut from: TcpStream, mut to: TcpStream) {
    let mut buffer = [0u8; 16 * 1024];
    loop {
        let read = match from.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        while state.stalled.load(Ordering::SeqCst) && !state.stop.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(20));
        }
        if state.cut.load(Ordering::SeqCst) || to.write_all(&buffer[..read]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(Shutdown::Both);
    let _ = from.shutdown(Shutdown::Both);
}

/// One responder's laptop: a desk on its own database, joined to the team
/// through its own proxy, with its sync engine running.
pub struct Laptop {
    pub name: String,
    pub desk: Arc<Desk>,
    pub proxy: Proxy,
    pub engine: Option<SyncHandle>,
    secrets: SecretStore,
    _dir: tempfile::TempDir,
}

/// This machine's clock, set `offset_ms` ahead (or behind): a laptop whose
/// clock is off.
pub struct OffsetClock(pub i64);

impl incident_core::Clock for OffsetClock {
    fn now(&self) -> incident_core::Timestamp {
        incident_core::Clock::now(&incident_core::SystemClock).plus_millis(self.0)
    }
}

impl Laptop {
    /// `password`: `None` for a server without users.
    pub fn join(name: &str, server: &NatsServer, password: Option<&str>) -> TestResult<Laptop> {
        Laptop::join_with_clock(name, server, password, 0)
    }

    /// A laptop proved by `credential` and `secret`, optionally pinning `ca_file`,
    /// at `url` (the proxy is bypassed: TLS is checked against the server's name).
    pub fn join_as(
        name: &str,
        url: &str,
        credential: CredentialKind,
        secret: &str,
        ca_file: Option<&Path>,
        server: &NatsServer,
    ) -> TestResult<Laptop> {
        let dir = tempfile::tempdir()?;
        let desk = Desk::open(dir.path().join("desk.db"))?.with_author(name)?;
        let connection = TeamConnection {
            server: url.to_string(),
            user: name.to_lowercase(),
            credential,
            ca_file: ca_file.map(|p| p.display().to_string()),
        };
        desk.connect_team(TEAM, &connection)?;
        let secrets = SecretStore::file(dir.path().join("secrets"));
        secrets.save(&team_key(&desk.team_info()?.node_id, TEAM), secret)?;
        let mut laptop = Laptop {
            name: name.to_string(),
            desk: Arc::new(desk),
            proxy: Proxy::start(server.port)?,
            engine: None,
            secrets,
            _dir: dir,
        };
        laptop.start()?;
        Ok(laptop)
    }

    /// A laptop whose clock is `offset_ms` off.
    pub fn join_with_clock(
        name: &str,
        server: &NatsServer,
        password: Option<&str>,
        offset_ms: i64,
    ) -> TestResult<Laptop> {
        let dir = tempfile::tempdir()?;
        let desk =
            Desk::open_with_clock(dir.path().join("desk.db"), Arc::new(OffsetClock(offset_ms)))?
                .with_author(name)?;
        let proxy = Proxy::start(server.port)?;
        let connection = TeamConnection {
            server: proxy.url(),
            user: name.to_lowercase(),
            credential: if password.is_some() {
                CredentialKind::Password
            } else {
                CredentialKind::None
            },
            ca_file: None,
        };
        desk.connect_team(TEAM, &connection)?;
        let secrets = SecretStore::file(dir.path().join("secrets"));
        if let Some(password) = password {
            secrets.save(&team_key(&desk.team_info()?.node_id, TEAM), password)?;
        }
        let mut laptop = Laptop {
            name: name.to_string(),
            desk: Arc::new(desk),
            proxy,
            engine: None,
            secrets,
            _dir: dir,
        };
        laptop.start()?;
        Ok(laptop)
    }

    pub fn start(&mut self) -> TestResult {
        self.engine = Some(SyncEngine::start(self.desk.clone(), &self.secrets)?);
        Ok(())
    }

    pub fn status(&self) -> SyncStatus {
        self.engine
            .as_ref()
            .map(SyncHandle::status)
            .unwrap_or_else(SyncStatus::off)
    }

    pub fn wait_state(&self, state: SyncState, timeout: Duration) -> TestResult {
        wait_for(&format!("{} to be {state:?}", self.name), timeout, || {
            Ok(self.status().state == state)
        })
    }

    pub fn undelivered(&self) -> TestResult<i64> {
        Ok(self.desk.team_info()?.undelivered)
    }

    pub fn entry_ids(&self) -> TestResult<Vec<String>> {
        let mut all = Vec::new();
        for row in self.desk.list_incidents(true)? {
            all.extend(
                self.desk
                    .recorded_timeline(&row.id)?
                    .into_iter()
                    .map(|e| e.id),
            );
        }
        Ok(all)
    }
}

impl Drop for Laptop {
    fn drop(&mut self) {
        if let Some(engine) = self.engine.take() {
            engine.stop(Duration::from_secs(5));
        }
    }
}
