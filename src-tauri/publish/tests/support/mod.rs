//! Servers for the publishing tests, all on 127.0.0.1 and ended by their
//! process id: a real Matrix homeserver (Synapse, installed by
//! scripts/setup.sh into target/pyenv) with its own folder, config and port
//! and open registration for test users; a real SMTP server (`smtp`); and a
//! scripted HTTP service for the contract tests of SaaS APIs (`fake_api`).

#![allow(dead_code)]

pub mod fake_api;
pub mod smtp;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub type Outcome<T> = Result<T, Box<dyn std::error::Error>>;

/// The workspace root: the nearest folder up with a Cargo.lock (this file
/// is also used by the CLI's and the window's tests).
pub fn workspace() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .find(|dir| dir.join("Cargo.lock").exists())
        .map_or(here.clone(), PathBuf::from)
}

pub fn python() -> Outcome<PathBuf> {
    let python = workspace().join("target/pyenv/bin/python");
    if !python.exists() {
        return Err(format!(
            "{} is missing: run scripts/setup.sh (it installs Synapse for these tests)",
            python.display()
        )
        .into());
    }
    Ok(python)
}

fn free_port() -> Outcome<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(10)))
        .http_status_as_error(false)
        .build()
        .into()
}

pub struct Homeserver {
    pub url: String,
    child: Option<Child>,
    config: PathBuf,
    dir: tempfile::TempDir,
}

impl Homeserver {
    /// Starts Synapse and waits (at most 90 s) until it answers.
    pub fn start() -> Outcome<Homeserver> {
        let python = python()?;
        let dir = tempfile::tempdir()?;
        let port = free_port()?;
        let path = |name: &str| dir.path().join(name).display().to_string();
        let config = format!(
            r#"server_name: "localhost"
pid_file: {pid}
listeners:
  - port: {port}
    bind_addresses: ['127.0.0.1']
    type: http
    tls: false
    x_forwarded: false
    resources:
      - names: [client]
        compress: false
database:
  name: sqlite3
  args:
    database: {db}
media_store_path: {media}
signing_key_path: {key}
report_stats: false
enable_registration: true
enable_registration_without_verification: true
macaroon_secret_key: "tests-only-macaroon"
form_secret: "tests-only-form"
trusted_key_servers: []
suppress_key_server_warning: true
rc_message: {{per_second: 1000, burst_count: 1000}}
rc_registration: {{per_second: 1000, burst_count: 1000}}
rc_login:
  address: {{per_second: 1000, burst_count: 1000}}
  account: {{per_second: 1000, burst_count: 1000}}
  failed_attempts: {{per_second: 1000, burst_count: 1000}}
"#,
            pid = path("homeserver.pid"),
            db = path("homeserver.db"),
            media = path("media"),
            key = path("signing.key"),
        );
        let config_path = dir.path().join("homeserver.yaml");
        std::fs::write(&config_path, config)?;
        let keys = Command::new(&python)
            .args(["-m", "synapse.app.homeserver", "--config-path"])
            .arg(&config_path)
            .arg("--generate-keys")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()?;
        if !keys.success() {
            return Err("synapse could not generate its signing key".into());
        }
        let mut server = Homeserver {
            url: format!("http://127.0.0.1:{port}"),
            child: None,
            config: config_path,
            dir,
        };
        server.run()?;
        Ok(server)
    }

    /// Starts it again after [`Homeserver::stop`]: same port, same rooms.
    pub fn restart(&mut self) -> Outcome<()> {
        self.stop();
        self.run()
    }

    fn run(&mut self) -> Outcome<()> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("synapse.log"))?;
        let child = Command::new(python()?)
            .args(["-m", "synapse.app.homeserver", "--config-path"])
            .arg(&self.config)
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()?;
        self.child = Some(child);
        let server = self;
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            let up = agent()
                .get(&format!("{}/_matrix/client/versions", server.url))
                .call()
                .map(|r| r.status().as_u16() == 200)
                .unwrap_or(false);
            if up {
                return Ok(());
            }
            if let Some(child) = server.child.as_mut()
                && let Some(status) = child.try_wait()?
            {
                return Err(format!("synapse exited at start: {status}").into());
            }
            if Instant::now() > deadline {
                return Err("synapse did not answer within 90 s".into());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// A new user; its access token.
    pub fn register(&self, user: &str) -> Outcome<String> {
        let mut response = agent()
            .post(&format!("{}/_matrix/client/v3/register", self.url))
            .send_json(serde_json::json!({
                "username": user,
                "password": format!("pw-{user}-tests"),
                "auth": {"type": "m.login.dummy"},
            }))?;
        let answer: serde_json::Value =
            serde_json::from_str(&response.body_mut().read_to_string()?)?;
        Ok(answer["access_token"]
            .as_str()
            .ok_or_else(|| format!("no access token: {answer}"))?
            .to_owned())
    }

    /// A new room of `token`'s user; its id.
    pub fn create_room(&self, token: &str) -> Outcome<String> {
        let mut response = agent()
            .post(&format!("{}/_matrix/client/v3/createRoom", self.url))
            .header("Authorization", &format!("Bearer {token}"))
            .send_json(serde_json::json!({"name": "incidents", "preset": "private_chat"}))?;
        let answer: serde_json::Value =
            serde_json::from_str(&response.body_mut().read_to_string()?)?;
        Ok(answer["room_id"]
            .as_str()
            .ok_or_else(|| format!("no room id: {answer}"))?
            .to_owned())
    }

    /// The bodies of the room's text messages, oldest first.
    pub fn messages(&self, token: &str, room_id: &str) -> Outcome<Vec<String>> {
        let room = incident_publish::http::path_segment(room_id);
        let mut response = agent()
            .get(&format!(
                "{}/_matrix/client/v3/rooms/{room}/messages?dir=b&limit=100",
                self.url
            ))
            .header("Authorization", &format!("Bearer {token}"))
            .call()?;
        let answer: serde_json::Value =
            serde_json::from_str(&response.body_mut().read_to_string()?)?;
        let mut bodies: Vec<String> = answer["chunk"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|event| event["type"] == "m.room.message")
            .filter_map(|event| event["content"]["body"].as_str().map(str::to_owned))
            .collect();
        bodies.reverse();
        Ok(bodies)
    }

    /// Ends the server (by its process id) and waits for it.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Homeserver {
    fn drop(&mut self) {
        self.stop();
    }
}
