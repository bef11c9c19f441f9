//! Files the app and `idesk` write beside the database (exports, backups):
//! written whole or not at all, and errors that name the real cause.
//!
//! A file is written to a temporary name in the same folder, synced,
//! renamed over the target and the folder synced: a crash, a power cut or a
//! full disk at any moment leaves either the previous file or the new one,
//! never half of either.

use crate::error::{DeskError, Result};
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Writes `bytes` to `target` atomically (see the module docs).
pub fn write_atomically(target: &Path, bytes: &[u8]) -> Result<()> {
    write_atomically_with(target, |file| file.write_all(bytes))
}

/// Like [`write_atomically`], with the content written by `fill` into the
/// temporary file.
pub fn write_atomically_with(
    target: &Path,
    fill: impl FnOnce(&mut File) -> io::Result<()>,
) -> Result<()> {
    let temporary = temporary_beside(target);
    let written = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temporary)?;
        fill(&mut file)?;
        file.sync_all()
    })();
    if let Err(error) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(io_error(&temporary, error));
    }
    move_into_place(&temporary, target)
}

/// Renames a finished, synced file over `target` and syncs the folder, so
/// the rename itself survives a power cut. The temporary file is removed if
/// the rename fails.
pub fn move_into_place(temporary: &Path, target: &Path) -> Result<()> {
    if let Err(error) = std::fs::rename(temporary, target) {
        let _ = std::fs::remove_file(temporary);
        return Err(io_error(target, error));
    }
    sync_folder(&folder_of(target)).map_err(|error| io_error(target, error))
}

/// Makes a folder's entries (files created, renamed, removed) durable.
pub fn sync_folder(folder: &Path) -> io::Result<()> {
    File::open(folder)?.sync_all()
}

/// The folder a path is in (`.` for a bare file name).
pub fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A name beside `target` that no other writer uses: `.name.tmp-<pid>-<n>`.
pub fn temporary_beside(target: &Path) -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".to_owned());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    folder_of(target).join(format!(".{name}.tmp-{}-{n}", std::process::id()))
}

/// An I/O error as a sentence about its cause: a full disk, a read-only or
/// missing folder, or else the system's own words.
pub fn io_error(path: &Path, error: io::Error) -> DeskError {
    let folder = folder_of(path);
    match error.kind() {
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => {
            DeskError::DiskFull { path: folder }
        }
        io::ErrorKind::ReadOnlyFilesystem => DeskError::ReadOnly { path: folder },
        io::ErrorKind::PermissionDenied if !writable(&folder) => {
            DeskError::ReadOnly { path: folder }
        }
        io::ErrorKind::NotFound if !folder.exists() => DeskError::NoFolder { path: folder },
        _ => DeskError::Io {
            path: path.to_path_buf(),
            source: error,
        },
    }
}

/// Whether the disk holding `folder` has (next to) no room left for this
/// process: SQLite reports some writes that fail for lack of space (its
/// shared-memory index) only as "disk I/O error".
pub fn disk_is_full(folder: &Path) -> bool {
    let Ok(stats) = rustix::fs::statvfs(folder) else {
        return false;
    };
    // root may use the blocks reserved for it; others may not.
    let blocks = if rustix::process::geteuid().is_root() {
        stats.f_bfree
    } else {
        stats.f_bavail
    };
    blocks.saturating_mul(stats.f_frsize) < 64 * 1024
}

/// Whether this process may create files in `folder` (access(2), which
/// knows about root, ACLs and read-only mounts).
pub fn writable(folder: &Path) -> bool {
    let probe = folder.join(format!(".incident-desk-probe-{}", std::process::id()));
    match OpenOptions::new().write(true).create_new(true).open(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            true
        }
        Err(error) => error.kind() == io::ErrorKind::AlreadyExists,
    }
}

/// A file that comes in (an import, an entries file), read whole as text:
/// a missing, empty, oversized or non-UTF-8 file is refused with a sentence
/// that says which, before more than `max_bytes` is read. `limit` ends the
/// oversized sentence ("an export is at most 64 MiB").
pub fn read_incoming_text(path: &Path, max_bytes: u64, limit: &str) -> Result<String> {
    let size = std::fs::metadata(path)
        .map_err(|error| io_error(path, error))?
        .len();
    if size == 0 {
        return Err(DeskError::Import(format!(
            "the file {} is empty (0 bytes)",
            path.display()
        )));
    }
    if size > max_bytes {
        return Err(DeskError::Import(format!(
            "the file {} has {} MiB; {limit}",
            path.display(),
            size >> 20
        )));
    }
    let bytes = std::fs::read(path).map_err(|error| io_error(path, error))?;
    String::from_utf8(bytes)
        .map_err(|_| DeskError::Import(format!("the file {} is not text (UTF-8)", path.display())))
}

/// The text of a file that came in, as JSON: refused with a sentence that
/// says how (not JSON, or truncated) before any format is looked at.
pub fn incoming_json(text: &str) -> Result<serde_json::Value> {
    serde_json::from_str(text).map_err(|e| {
        let hint = if e.is_eof() {
            " (the file looks truncated)"
        } else {
            ""
        };
        DeskError::Import(format!("the file is not valid JSON{hint}: {e}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = std::result::Result<(), Box<dyn std::error::Error>>;

    #[test]
    fn a_file_is_replaced_whole_and_no_temporary_file_is_left() -> TestResult {
        let dir = tempfile::tempdir()?;
        let target = dir.path().join("report.md");
        std::fs::write(&target, "old")?;
        write_atomically(&target, b"new contents")?;
        assert_eq!(std::fs::read_to_string(&target)?, "new contents");
        let names: Vec<_> = std::fs::read_dir(dir.path())?
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
        Ok(())
    }

    #[test]
    fn a_failed_write_leaves_the_previous_file_whole() -> TestResult {
        let dir = tempfile::tempdir()?;
        let target = dir.path().join("report.md");
        std::fs::write(&target, "the previous report")?;
        let error = write_atomically_with(&target, |file| {
            file.write_all(b"half of the new")?;
            Err(io::Error::from(io::ErrorKind::StorageFull))
        })
        .err()
        .ok_or("the write must fail")?;
        assert_eq!(std::fs::read_to_string(&target)?, "the previous report");
        assert!(error.to_string().contains("is full"), "{error}");
        let names: Vec<_> = std::fs::read_dir(dir.path())?
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names.len(), 1, "the temporary file is removed: {names:?}");
        Ok(())
    }

    #[test]
    fn causes_are_named() {
        let dir = Path::new("/no/such/folder");
        let missing = io_error(&dir.join("x.pdf"), io::Error::from(io::ErrorKind::NotFound));
        assert_eq!(
            missing.to_string(),
            "the folder /no/such/folder does not exist"
        );
        let full = io_error(
            Path::new("/tmp/x.pdf"),
            io::Error::from(io::ErrorKind::StorageFull),
        );
        assert!(
            full.to_string()
                .starts_with("the disk holding /tmp is full"),
            "{full}"
        );
        let read_only = io_error(
            Path::new("/tmp/x.pdf"),
            io::Error::from(io::ErrorKind::ReadOnlyFilesystem),
        );
        assert!(
            read_only
                .to_string()
                .starts_with("the folder /tmp is read-only"),
            "{read_only}"
        );
    }
}
