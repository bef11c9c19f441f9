//! A private D-Bus session bus, so the app (and later the notification
//! daemon) never touch the user's real session.

use crate::process::{ProcessGuard, read_first_line};
use crate::{HarnessError, Result};
use std::os::unix::process::CommandExt as _;
use std::process::{Command, Stdio};
use std::time::Duration;

pub struct SessionBus {
    pub address: String,
    pub daemon: ProcessGuard,
}

impl SessionBus {
    pub fn start() -> Result<SessionBus> {
        let child = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--nopidfile", "--print-address=1"])
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
}
