//! Child processes that are always ended: a `ProcessGuard` sends SIGTERM to
//! its process (and, when it leads a process group, to the whole group),
//! waits a moment, then SIGKILLs what is left.

use crate::{HarnessError, Result};
use nix::sys::signal::{Signal, kill, killpg};
use nix::unistd::Pid;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, ChildStdout};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub struct ProcessGuard {
    name: &'static str,
    child: Child,
    /// True when the child leads its own process group (its descendants die with it).
    group: bool,
    grace: Duration,
    /// Set once the child has been reaped: its id may then belong to another process.
    stopped: bool,
}

impl ProcessGuard {
    pub fn new(name: &'static str, child: Child, group: bool) -> ProcessGuard {
        ProcessGuard {
            name,
            child,
            group,
            grace: Duration::from_secs(3),
            stopped: false,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `Some(detail)` when the process has already exited.
    pub fn exited(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(status)) => Some(status.to_string()),
            Ok(None) => None,
            Err(error) => Some(error.to_string()),
        }
    }

    pub fn take_stdout(&mut self) -> Option<ChildStdout> {
        self.child.stdout.take()
    }

    fn signal(&self, signal: Signal) {
        let Ok(raw) = i32::try_from(self.child.id()) else {
            return;
        };
        let pid = Pid::from_raw(raw);
        // Errors mean the process (group) is already gone, which is the goal.
        let _ = kill(pid, signal);
        if self.group {
            let _ = killpg(pid, signal);
        }
    }

    /// Ends the process (group): SIGTERM, up to `grace` to exit, then SIGKILL.
    pub fn stop(&mut self) {
        if self.stopped {
            return;
        }
        self.signal(Signal::SIGTERM);
        let deadline = Instant::now() + self.grace;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        if matches!(self.child.try_wait(), Ok(None)) {
            eprintln!("e2e: {} did not stop on SIGTERM; killing it", self.name);
        }
        self.signal(Signal::SIGKILL);
        let _ = self.child.wait();
        self.stopped = true;
        if self.group {
            wait_for_group_to_vanish(self.child.id(), Duration::from_secs(3));
        }
    }
}

impl Drop for ProcessGuard {
    fn drop(&mut self) {
        self.stop();
    }
}

fn wait_for_group_to_vanish(pgid: u32, limit: Duration) {
    let Ok(raw) = i32::try_from(pgid) else { return };
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if killpg(Pid::from_raw(raw), None).is_err() {
            return;
        }
        let _ = killpg(Pid::from_raw(raw), Signal::SIGKILL);
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// True while a process with this id exists (zombies included).
pub fn pid_is_alive(pid: u32) -> bool {
    i32::try_from(pid).is_ok_and(|raw| kill(Pid::from_raw(raw), None).is_ok())
}

/// True while any process of this process group exists.
pub fn group_is_alive(pgid: u32) -> bool {
    i32::try_from(pgid).is_ok_and(|raw| killpg(Pid::from_raw(raw), None).is_ok())
}

/// Reads the first line a child prints, giving up after `limit`.
pub fn read_first_line(what: &'static str, stdout: ChildStdout, limit: Duration) -> Result<String> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        let result = reader.read_line(&mut line).map(|_| line);
        let _ = sender.send(result);
        // Keep draining so the child never blocks on a full pipe.
        let mut sink = Vec::new();
        let _ = reader.read_to_end(&mut sink);
    });
    match receiver.recv_timeout(limit) {
        Ok(Ok(line)) if !line.trim().is_empty() => Ok(line.trim().to_owned()),
        Ok(Ok(_)) => Err(HarnessError::ExitedEarly {
            what,
            detail: "printed nothing".into(),
        }),
        Ok(Err(error)) => Err(HarnessError::Io(error)),
        Err(_) => Err(HarnessError::Timeout {
            what: format!("{what} to start"),
            seconds: limit.as_secs_f64(),
        }),
    }
}
