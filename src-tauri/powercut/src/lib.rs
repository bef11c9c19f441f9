//! Test support only: a SQLite VFS that simulates a power cut (see
//! `powercut.c`). Installed as the process's default VFS, it records every
//! write since each file's last sync; [`arm`] picks the operation at which
//! the power goes, and [`power_back`] leaves the files as a disk with a
//! volatile cache could have: what was synced, plus a random part of what was
//! not (lost, kept or torn by sector).
//!
//! One process at a time: keep its tests in their own test binary.

// Links the bundled SQLite that the C side registers into.
use libsqlite3_sys as _;
use std::os::raw::{c_int, c_longlong, c_ulonglong};

unsafe extern "C" {
    fn powercut_install() -> c_int;
    fn powercut_arm(ops: c_longlong, seed: c_ulonglong);
    fn powercut_is_cut() -> c_int;
    fn powercut_unsynced_ops_seen() -> c_longlong;
    fn powercut_power_back(kept: *mut c_longlong, lost: *mut c_longlong) -> c_int;
}

/// Makes the power-cut VFS the default for every connection opened from now
/// on. Idempotent.
pub fn install() -> Result<(), String> {
    // SAFETY: registers a statically allocated VFS; SQLite serializes
    // registration itself, and the function checks it ran before.
    let rc = unsafe { powercut_install() };
    if rc == 0 {
        Ok(())
    } else {
        Err(format!(
            "the power-cut VFS could not be registered (SQLite code {rc})"
        ))
    }
}

/// The power goes at the `ops`-th write, truncate or sync of a database,
/// WAL or journal file from now (0: never). `seed` decides what survives.
pub fn arm(ops: u64, seed: u64) {
    // SAFETY: plain values into a mutex-protected global state.
    unsafe { powercut_arm(i64::try_from(ops).unwrap_or(i64::MAX), seed) }
}

/// Whether the power is off.
pub fn is_cut() -> bool {
    // SAFETY: reads an int.
    unsafe { powercut_is_cut() != 0 }
}

/// Writes and truncates recorded as not yet synced since the last power-back.
pub fn unsynced_ops_seen() -> u64 {
    // SAFETY: reads a counter.
    u64::try_from(unsafe { powercut_unsynced_ops_seen() }).unwrap_or(0)
}

/// What the power cut did to the unsynced sectors.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Aftermath {
    pub sectors_kept: u64,
    pub sectors_lost: u64,
}

/// The power comes back. Call only when every connection is closed: the
/// files are rewritten beneath SQLite's feet.
pub fn power_back() -> Result<Aftermath, std::io::Error> {
    let (mut kept, mut lost) = (0, 0);
    // SAFETY: two valid out-pointers; the C side only touches files by path.
    let errno = unsafe { powercut_power_back(&mut kept, &mut lost) };
    if errno != 0 {
        return Err(std::io::Error::from_raw_os_error(errno));
    }
    Ok(Aftermath {
        sectors_kept: u64::try_from(kept).unwrap_or(0),
        sectors_lost: u64::try_from(lost).unwrap_or(0),
    })
}
