//! A real SMTP server (aiosmtpd, from target/pyenv) on 127.0.0.1: STARTTLS
//! with a login, TLS from the first byte with a login, and a plain relay;
//! a self-signed certificate the tests trust; every message taken kept as
//! a file to read back. See smtp_server.py.

use super::{Outcome, python};
use std::io::BufRead;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const USER: &str = "status-desk";
pub const PASSWORD: &str = "smtp-test-password";

pub struct MailServer {
    child: Child,
    dir: tempfile::TempDir,
    pub starttls: u16,
    pub tls: u16,
    pub plain: u16,
}

/// One message the server took.
#[derive(Debug)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub login: Option<String>,
    pub content: String,
}

impl MailServer {
    /// Starts the server and waits (at most 30 s) for its ports.
    pub fn start() -> Outcome<MailServer> {
        let dir = tempfile::tempdir()?;
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .ancestors()
            .find(|d| d.join("Cargo.lock").exists())
            .map(|root| root.join("src-tauri/publish/tests/support/smtp_server.py"))
            .ok_or("no workspace")?;
        let mut child = Command::new(python()?)
            .arg(&script)
            .arg(dir.path())
            .args([USER, PASSWORD])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = std::io::BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err("the SMTP server did not start within 30 s".into());
            }
        };
        let ports: serde_json::Value = match serde_json::from_str(&line) {
            Ok(ports) => ports,
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("the SMTP server said {line:?}: {e}").into());
            }
        };
        let port = |name: &str| ports[name].as_u64().map(|p| p as u16).unwrap_or(0);
        Ok(MailServer {
            starttls: port("starttls"),
            tls: port("tls"),
            plain: port("plain"),
            child,
            dir,
        })
    }

    /// The certificate authority that signed the server's certificate.
    pub fn ca(&self) -> String {
        self.dir.path().join("ca.pem").display().to_string()
    }

    /// Every message taken so far, in order.
    pub fn received(&self) -> Outcome<Vec<Received>> {
        let mut all = Vec::new();
        for n in 1.. {
            let path = self.dir.path().join(format!("mail-{n}.json"));
            if !path.exists() {
                break;
            }
            let mail: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path)?)?;
            let text = |key: &str| mail[key].as_str().map(str::to_owned);
            all.push(Received {
                from: text("from").unwrap_or_default(),
                to: mail["to"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|a| a.as_str().map(str::to_owned))
                    .collect(),
                login: text("login"),
                content: text("content").unwrap_or_default(),
            });
        }
        Ok(all)
    }

    /// Waits (at most 10 s) until `count` messages were taken.
    pub fn wait_for(&self, count: usize) -> Outcome<Vec<Received>> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let received = self.received()?;
            if received.len() >= count || Instant::now() > deadline {
                return Ok(received);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for MailServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
