//! A private D-Bus session bus, so the app (and the notification daemon)
//! never touch the user's real session. Its configuration lists no service
//! directories: nothing is auto-started on it (a notification server exists
//! only when a test starts one).

use crate::process::{ProcessGuard, read_first_line};
use crate::{HarnessError, Result};
use std::os::unix::process::CommandExt as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub struct SessionBus {
    pub address: String,
    pub daemon: ProcessGuard,
}

const CONFIG: &str = r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#;

impl SessionBus {
    pub fn start(home: &Path) -> Result<SessionBus> {
        let config = home.join("session-bus.conf");
        std::fs::write(&config, CONFIG)?;
        let child = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--nopidfile", "--print-address=1"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(|source| match source.kind() {
                std::io::ErrorKind::NotFound => HarnessError::MissingTool {
                    what: "dbus-daemon",
                    hint: "apt-get install dbus, or run `make test`",
                },
                _ => HarnessError::Spawn {
                    what: "dbus-daemon",
                    source,
                },
            })?;
        let mut daemon = ProcessGuard::new("dbus-daemon", child, true);
        let stdout = daemon.take_stdout().ok_or(HarnessError::ExitedEarly {
            what: "dbus-daemon",
            detail: "no stdout".into(),
        })?;
        let address = read_first_line("dbus-daemon", stdout, Duration::from_secs(10))?;
        Ok(SessionBus { address, daemon })
    }

    /// Whether some process owns `name` on this bus.
    pub fn has_owner(&self, name: &str) -> bool {
        Command::new("dbus-send")
            .arg(format!("--bus={}", self.address))
            .args([
                "--print-reply",
                "--reply-timeout=2000",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
            ])
            .arg(format!("string:{name}"))
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).contains("boolean true"))
            .unwrap_or(false)
    }

    /// Waits until no process owns `name`.
    pub fn wait_until_released(&self, name: &str, limit: Duration) -> Result<()> {
        let deadline = Instant::now() + limit;
        while self.has_owner(name) {
            if Instant::now() > deadline {
                return Err(HarnessError::Timeout {
                    what: format!("{name} to be released on the session bus"),
                    seconds: limit.as_secs_f64(),
                });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(())
    }

    /// Waits until `name` has an owner.
    pub fn wait_for_owner(&self, name: &str, limit: Duration) -> Result<()> {
        let deadline = Instant::now() + limit;
        while !self.has_owner(name) {
            if Instant::now() > deadline {
                return Err(HarnessError::Timeout {
                    what: format!("{name} on the session bus"),
                    seconds: limit.as_secs_f64(),
                });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(())
    }
}
