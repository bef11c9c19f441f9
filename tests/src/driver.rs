//! `tauri-driver` (which runs `WebKitWebDriver`, which runs the app) in its
//! own process group, on free ports, retried when a port was taken meanwhile.

use crate::process::ProcessGuard;
use crate::{HarnessError, Result};
use std::net::TcpStream;
use std::os::unix::process::CommandExt as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub struct Driver {
    pub port: u16,
    pub process: ProcessGuard,
}

fn tauri_driver_path() -> PathBuf {
    if let Some(path) = std::env::var_os("TAURI_DRIVER") {
        return PathBuf::from(path);
    }
    // `cargo install` puts it here; PATH may not include it in CI shells.
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")));
    match cargo_home.map(|home| home.join("bin/tauri-driver")) {
        Some(path) if path.exists() => path,
        _ => PathBuf::from("tauri-driver"),
    }
}

impl Driver {
    /// Starts tauri-driver with the given environment for the app.
    pub fn start(env: &[(String, String)], log: std::fs::File) -> Result<Driver> {
        let mut last_error = None;
        for _attempt in 0..3 {
            match Driver::try_start(env, log.try_clone()?) {
                Ok(driver) => return Ok(driver),
                Err(error @ HarnessError::MissingTool { .. }) => return Err(error),
                Err(error) => last_error = Some(error),
            }
        }
        Err(last_error.unwrap_or(HarnessError::ExitedEarly {
            what: "tauri-driver",
            detail: "no attempt made".into(),
        }))
    }

    fn try_start(env: &[(String, String)], log: std::fs::File) -> Result<Driver> {
        let port = crate::http::free_port()?;
        let native_port = crate::http::free_port()?;
        let child = Command::new(tauri_driver_path())
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            // Its own group: WebKitWebDriver and the app are ended with it.
            .process_group(0)
            .spawn()
            .map_err(|source| match source.kind() {
                std::io::ErrorKind::NotFound => HarnessError::MissingTool {
                    what: "tauri-driver",
                    hint: "cargo install tauri-driver --locked, or run `make test`",
                },
                _ => HarnessError::Spawn {
                    what: "tauri-driver",
                    source,
                },
            })?;
        let mut process = ProcessGuard::new("tauri-driver", child, true);
        let limit = Duration::from_secs(10);
        let deadline = Instant::now() + limit;
        loop {
            if let Some(detail) = process.exited() {
                return Err(HarnessError::ExitedEarly {
                    what: "tauri-driver",
                    detail,
                });
            }
            // tauri-driver forwards to WebKitWebDriver: both must be listening.
            let listening = |p: u16| TcpStream::connect(("127.0.0.1", p)).is_ok();
            if listening(port) && listening(native_port) {
                return Ok(Driver { port, process });
            }
            if Instant::now() > deadline {
                return Err(HarnessError::Timeout {
                    what: format!("tauri-driver to listen on ports {port} and {native_port}"),
                    seconds: limit.as_secs_f64(),
                });
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }
}
