//! A private X display: Xvfb, which picks a free display number itself
//! (`-displayfd`), so parallel runs on one machine never collide.

use crate::process::{ProcessGuard, read_first_line};
use crate::{HarnessError, Result};
use std::process::{Command, Stdio};
use std::time::Duration;

pub struct Display {
    pub name: String,
    /// `None` when we borrowed `$DISPLAY` instead of starting Xvfb.
    pub server: Option<ProcessGuard>,
}

impl Display {
    /// Uses `$DISPLAY` when set, else starts Xvfb.
    pub fn acquire() -> Result<Display> {
        match std::env::var("DISPLAY") {
            Ok(name) if !name.is_empty() && std::env::var_os("E2E_OWN_XVFB").is_none() => {
                Ok(Display { name, server: None })
            }
            _ => Display::start_xvfb(),
        }
    }

    pub fn start_xvfb() -> Result<Display> {
        let child = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(|source| match source.kind() {
                std::io::ErrorKind::NotFound => HarnessError::MissingTool {
                    what: "Xvfb",
                    hint: "apt-get install xvfb, or run `make test`",
                },
                _ => HarnessError::Spawn {
                    what: "Xvfb",
                    source,
                },
            })?;
        let mut server = ProcessGuard::new("Xvfb", child, true);
        let stdout = server.take_stdout().ok_or(HarnessError::ExitedEarly {
            what: "Xvfb",
            detail: "no stdout".into(),
        })?;
        let number = read_first_line("Xvfb", stdout, Duration::from_secs(10))?;
        Ok(Display {
            name: format!(":{number}"),
            server: Some(server),
        })
    }
}

use std::os::unix::process::CommandExt as _;
