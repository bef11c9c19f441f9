//! A real notification daemon for tests: dunst on the session's private bus
//! and display. A rule runs a script for every notification, which appends
//! its urgency and summary to a log, so tests see exactly what arrived and
//! how often (dunst's own history holds only closed notifications).

use crate::bus::SessionBus;
use crate::process::ProcessGuard;
use crate::{HarnessError, Result};
use std::os::unix::fs::PermissionsExt as _;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

pub struct NotificationDaemon {
    pub log: PathBuf,
    _dunst: ProcessGuard,
}

/// One notification as dunst received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// Milliseconds since the Unix epoch, when the rule's script ran.
    pub at_ms: u64,
    pub urgency: String,
    pub appname: String,
    pub summary: String,
    pub body: String,
}

impl NotificationDaemon {
    pub fn start(home: &Path, display: &str, bus: &SessionBus) -> Result<NotificationDaemon> {
        let log = home.join("notifications.log");
        let script = home.join("log-notification.sh");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\nprintf '%s\\t%s\\t%s\\t%s\\t%s\\n' \"$(date +%s%3N)\" \"$DUNST_URGENCY\" \"$DUNST_APP_NAME\" \"$DUNST_SUMMARY\" \"$DUNST_BODY\" >> '{}'\n",
                log.display()
            ),
        )?;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))?;
        let config = home.join("dunstrc");
        std::fs::write(
            &config,
            format!(
                "[global]\n    monitor = 0\n    follow = none\n    # Every Notify call is a notification of its own: the tests count them.\n    stack_duplicates = false\n\n[log_everything]\n    summary = \"*\"\n    script = {}\n",
                script.display()
            ),
        )?;
        let child = Command::new("dunst")
            .arg("-config")
            .arg(&config)
            .env("DISPLAY", display)
            .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(|source| match source.kind() {
                std::io::ErrorKind::NotFound => HarnessError::MissingTool {
                    what: "dunst",
                    hint: "apt-get install dunst, or run `make test`",
                },
                _ => HarnessError::Spawn {
                    what: "dunst",
                    source,
                },
            })?;
        let dunst = ProcessGuard::new("dunst", child, true);
        bus.wait_for_owner("org.freedesktop.Notifications", Duration::from_secs(10))?;
        Ok(NotificationDaemon { log, _dunst: dunst })
    }

    /// Everything received so far, in order.
    pub fn received(&self) -> Vec<Received> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        text.lines()
            .filter_map(|line| {
                let mut parts = line.splitn(5, '\t');
                Some(Received {
                    at_ms: parts.next()?.parse().ok()?,
                    urgency: parts.next()?.to_owned(),
                    appname: parts.next()?.to_owned(),
                    summary: parts.next()?.to_owned(),
                    body: parts.next().unwrap_or_default().to_owned(),
                })
            })
            .collect()
    }
}
