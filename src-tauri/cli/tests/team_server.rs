//! `idesk team join/status/leave` against a real `nats-server` on
//! 127.0.0.1, and a script's write reaching the team through the outbox.

mod common;
#[path = "../../sync/tests/support/mod.rs"]
mod support;

use common::{Db, Outcome, TestResult};
use incident_core::Desk;
use incident_sync::{SecretStore, SyncEngine};
use serde_json::Value;
use std::os::unix::fs::PermissionsExt as _;
use std::time::Duration;
use support::{Laptop, NatsServer, wait_for};

const USERS: &str = r#"
accounts {
  TEAM: {
    jetstream: enabled
    users: [ { user: alice, password: "pw-alice" }, { user: bob, password: "pw-bob" } ]
  }
}
"#;

fn idesk(db: &Db, args: &[&str], stdin: &str) -> Outcome<std::process::Output> {
    Ok(db
        .command()?
        .env(
            "INCIDENT_DESK_SECRETS",
            format!("file:{}", db.folder().join("secrets").display()),
        )
        .args(args)
        .write_stdin(stdin)
        .output()?)
}

fn status(db: &Db) -> Outcome<Value> {
    let output = idesk(db, &["--json", "team", "status"], "")?;
    assert!(output.status.success(), "{output:?}");
    Ok(serde_json::from_slice(&output.stdout)?)
}

#[test]
fn join_status_and_leave_keep_the_secret_out_of_the_database() -> TestResult {
    let server = NatsServer::start(USERS)?;
    let db = Db::new()?;
    let url = server.url();

    // The server is asked first: a wrong password is refused and nothing is saved.
    let refused = idesk(
        &db,
        &[
            "team",
            "join",
            &url,
            "--team",
            "Payments",
            "--user",
            "alice",
            "--password-stdin",
        ],
        "wrong\n",
    )?;
    assert!(!refused.status.success());
    let stderr = String::from_utf8(refused.stderr)?;
    assert!(stderr.contains("refused these credentials"), "{stderr}");
    assert!(status(&db)?["connection"].is_null());

    let joined = idesk(
        &db,
        &[
            "team",
            "join",
            &url,
            "--team",
            "Payments",
            "--user",
            "alice",
            "--password-stdin",
        ],
        "pw-alice\n",
    )?;
    assert!(joined.status.success(), "{joined:?}");
    let said = String::from_utf8(joined.stdout)?;
    assert!(
        said.contains("Joined Payments on") && said.contains("the server answered"),
        "{said}"
    );

    let now = status(&db)?;
    assert_eq!(now["team"], "Payments");
    assert_eq!(now["connection"]["server"], url.as_str());
    assert_eq!(now["connection"]["credential"], "password");
    assert_eq!(now["status"]["state"], "connected");

    // The password is in the secret file (0600), nowhere in the database.
    let secrets: Vec<_> =
        std::fs::read_dir(db.folder().join("secrets"))?.collect::<Result<_, _>>()?;
    assert_eq!(secrets.len(), 1);
    let secret_file = secrets[0].path();
    assert_eq!(std::fs::read_to_string(&secret_file)?, "pw-alice");
    assert_eq!(
        std::fs::metadata(&secret_file)?.permissions().mode() & 0o777,
        0o600
    );
    for file in std::fs::read_dir(db.folder())? {
        let path = file?.path();
        if path.is_file() {
            let bytes = std::fs::read(&path)?;
            assert!(
                !bytes.windows(8).any(|w| w == b"pw-alice"),
                "{} holds the password",
                path.display()
            );
        }
    }

    // Down: status says offline, in words.
    drop(server);
    let offline = idesk(&db, &["team", "status"], "")?;
    let text = String::from_utf8(offline.stdout)?;
    assert!(
        text.contains("Now: offline") && text.contains("cannot reach"),
        "{text}"
    );

    let left = idesk(&db, &["team", "leave"], "")?;
    assert!(left.status.success(), "{left:?}");
    assert!(!secret_file.exists(), "the secret is forgotten");
    let after = status(&db)?;
    assert!(after["connection"].is_null());
    assert_eq!(after["status"]["state"], "off");
    Ok(())
}

#[test]
fn a_script_write_goes_through_the_outbox_to_the_team() -> TestResult {
    let server = NatsServer::start(USERS)?;
    let db = Db::new()?;
    let url = server.url();
    let joined = idesk(
        &db,
        &[
            "team",
            "join",
            &url,
            "--team",
            "Payments",
            "--user",
            "alice",
            "--password-stdin",
        ],
        "pw-alice\n",
    )?;
    assert!(joined.status.success(), "{joined:?}");
    let declared = idesk(
        &db,
        &[
            "--json",
            "declare",
            "--title",
            "Disk full on db-3",
            "--kind",
            "outage",
            "--level",
            "L2",
        ],
        "",
    )?;
    assert!(declared.status.success(), "{declared:?}");
    let said: Value = serde_json::from_slice(&declared.stdout)?;
    let reference = said["ref"]
        .as_str()
        .ok_or("declare --json names the reference")?
        .to_string();

    // The laptop's app (its engine) sends what the script wrote.
    let desk = std::sync::Arc::new(Desk::open(&db.path)?);
    assert!(desk.team_info()?.undelivered >= 1);
    let engine = SyncEngine::start(
        desk.clone(),
        &SecretStore::file(db.folder().join("secrets")),
    )?;
    let bob = Laptop::join("Bob", &server, Some("pw-bob"))?;
    wait_for(
        "Bob to hold the script's incident",
        Duration::from_secs(30),
        || Ok(bob.desk.incident(&reference).is_ok()),
    )?;

    wait_for("the outbox to drain", Duration::from_secs(30), || {
        Ok(desk.team_info()?.undelivered == 0)
    })?;
    assert!(
        engine.stop(Duration::from_secs(5)),
        "the engine stops promptly"
    );
    Ok(())
}

/// A private session bus with gnome-keyring's Secret Service on it,
/// unlocked; both ended by their process ids.
struct SecretService {
    processes: Vec<std::process::Child>,
    address: String,
    home: tempfile::TempDir,
}

impl SecretService {
    fn start() -> Outcome<SecretService> {
        use std::io::{BufRead as _, Write as _};
        use std::process::{Command, Stdio};
        let home = tempfile::tempdir()?;
        let run = home.path().join("run");
        std::fs::create_dir(&run)?;
        std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o700))?;
        let mut bus = Command::new("dbus-daemon")
            .args(["--session", "--print-address=1", "--nofork", "--nopidfile"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let mut address = String::new();
        let stdout = bus.stdout.take().ok_or("dbus-daemon's stdout")?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = std::io::BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        if let Ok(line) = rx.recv_timeout(Duration::from_secs(10)) {
            address = line.trim().to_string();
        }
        let mut processes = vec![bus];
        if address.is_empty() {
            for p in &mut processes {
                let _ = p.kill();
                let _ = p.wait();
            }
            return Err("dbus-daemon printed no address".into());
        }
        let keyring = Command::new("gnome-keyring-daemon")
            .args(["--unlock", "--components=secrets", "--foreground"])
            .env("HOME", home.path())
            .env("XDG_RUNTIME_DIR", &run)
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("DBUS_SESSION_BUS_ADDRESS", &address)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let mut keyring = match keyring {
            Ok(child) => child,
            Err(e) => {
                for p in &mut processes {
                    let _ = p.kill();
                    let _ = p.wait();
                }
                return Err(format!("gnome-keyring-daemon ({e}): run scripts/setup.sh").into());
            }
        };
        if let Some(mut stdin) = keyring.stdin.take() {
            stdin.write_all(b"keyring-password")?;
        }
        processes.push(keyring);
        let service = SecretService {
            processes,
            address,
            home,
        };
        wait_for(
            "the Secret Service on the bus",
            Duration::from_secs(15),
            || {
                let output = Command::new("dbus-send")
                    .args([
                        "--session",
                        "--print-reply",
                        "--dest=org.freedesktop.DBus",
                        "/org/freedesktop/DBus",
                        "org.freedesktop.DBus.NameHasOwner",
                        "string:org.freedesktop.secrets",
                    ])
                    .env("DBUS_SESSION_BUS_ADDRESS", &service.address)
                    .output()?;
                Ok(String::from_utf8_lossy(&output.stdout).contains("boolean true"))
            },
        )?;
        Ok(service)
    }
}

impl Drop for SecretService {
    fn drop(&mut self) {
        for process in self.processes.iter_mut().rev() {
            let _ = process.kill();
            let _ = process.wait();
        }
    }
}

#[test]
fn with_a_secret_service_the_secret_goes_there_and_sync_reads_it_back() -> TestResult {
    let server = NatsServer::start(USERS)?;
    let service = SecretService::start()?;
    let db = Db::new()?;
    let config = service.home.path().join("config");
    let run = |args: &[&str], stdin: &str| -> Outcome<std::process::Output> {
        Ok(db
            .command()?
            .env_remove("INCIDENT_DESK_SECRETS")
            .env("DBUS_SESSION_BUS_ADDRESS", &service.address)
            .env("HOME", service.home.path())
            .env("XDG_CONFIG_HOME", &config)
            .args(args)
            .write_stdin(stdin)
            .output()?)
    };
    let url = server.url();
    let joined = run(
        &[
            "team",
            "join",
            &url,
            "--team",
            "Payments",
            "--user",
            "alice",
            "--password-stdin",
        ],
        "pw-alice\n",
    )?;
    assert!(joined.status.success(), "{joined:?}");
    let said = String::from_utf8(joined.stdout)?;
    assert!(
        said.contains("Secret kept in the desktop's secret store (Secret Service)"),
        "{said}"
    );
    assert!(
        !config.join("incident-desk/secrets").exists(),
        "no secret file when the Secret Service took it"
    );
    // Read back from the service: the server accepts it.
    let status = run(&["--json", "team", "status"], "")?;
    let status: Value = serde_json::from_slice(&status.stdout)?;
    assert_eq!(status["status"]["state"], "connected", "{status}");
    assert_eq!(
        status["secrets"],
        "the desktop's secret store (Secret Service)"
    );
    let left = run(&["team", "leave"], "")?;
    assert!(left.status.success(), "{left:?}");
    Ok(())
}
