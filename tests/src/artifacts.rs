//! Where the built binaries and the test outputs are, and a guard against
//! testing a binary that is older than its sources.

use crate::{HarnessError, Result};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The directory of the running profile's binaries (`target/debug`), found
/// from this executable (`target/debug/deps/…` or `target/debug/…`), so
/// `CARGO_TARGET_DIR` and profiles just work.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    let mut dir = exe.parent().map(Path::to_path_buf).unwrap_or_default();
    if dir.file_name().is_some_and(|name| name == "deps") {
        dir.pop();
    }
    dir
}

/// `target/e2e`: screenshots and logs of end-to-end runs.
pub fn e2e_output_dir() -> PathBuf {
    let profile = profile_dir();
    let target = profile.parent().map(Path::to_path_buf).unwrap_or(profile);
    target.join("e2e")
}

pub fn idesk_binary() -> PathBuf {
    profile_dir().join("idesk")
}

/// The bare Tauri window the window benchmark compares the app with
/// (`tests/bare-window`, built beside the app by `make bench`).
pub fn bare_window_binary() -> PathBuf {
    profile_dir().join("bare-window")
}

/// The built app, checked to exist and to be newer than everything it is
/// built from: the files cargo lists in its dep-info (`incident-desk.d`:
/// Rust sources, migrations, the embedded UI), and the UI sources behind
/// the built UI.
pub fn app_binary() -> Result<PathBuf> {
    let binary = profile_dir().join("incident-desk");
    let built = modified(&binary).ok_or_else(|| HarnessError::MissingBinary {
        path: binary.clone(),
    })?;
    let dep_info =
        std::fs::read_to_string(profile_dir().join("incident-desk.d")).unwrap_or_default();
    for source in dependencies(&dep_info) {
        if modified(&source).is_some_and(|time| time > built) {
            return Err(HarnessError::StaleBinary {
                binary,
                source_file: source,
            });
        }
    }
    let root = workspace_root();
    let dist = root.join("ui/dist/index.html");
    let dist_time =
        modified(&dist).ok_or_else(|| HarnessError::MissingBinary { path: dist.clone() })?;
    if dist_time > built {
        return Err(HarnessError::StaleBinary {
            binary,
            source_file: dist,
        });
    }
    for source in [root.join("ui/src"), root.join("ui/index.html")] {
        if let Some((file, time)) = newest_file(&source)
            && time > dist_time
        {
            return Err(HarnessError::StaleBinary {
                binary: dist,
                source_file: file,
            });
        }
    }
    Ok(binary)
}

/// The files of a make-style dep-info line ("target: dep dep …"; spaces in
/// names are escaped with a backslash).
fn dependencies(dep_info: &str) -> Vec<PathBuf> {
    let Some((_, deps)) = dep_info
        .lines()
        .next()
        .and_then(|line| line.split_once(": "))
    else {
        return Vec::new();
    };
    let mut files = Vec::new();
    let mut current = String::new();
    let mut escaped = false;
    for ch in deps.chars() {
        match (escaped, ch) {
            (true, c) => {
                current.push(c);
                escaped = false;
            }
            (false, '\\') => escaped = true,
            (false, ' ') => {
                if !current.is_empty() {
                    files.push(PathBuf::from(std::mem::take(&mut current)));
                }
            }
            (false, c) => current.push(c),
        }
    }
    if !current.is_empty() {
        files.push(PathBuf::from(current));
    }
    files
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The most recently modified file under `path`.
fn newest_file(path: &Path) -> Option<(PathBuf, SystemTime)> {
    let metadata = std::fs::metadata(path).ok()?;
    if metadata.is_file() {
        return Some((path.to_path_buf(), metadata.modified().ok()?));
    }
    let mut newest: Option<(PathBuf, SystemTime)> = None;
    for entry in std::fs::read_dir(path).ok()?.flatten() {
        if let Some(candidate) = newest_file(&entry.path())
            && newest.as_ref().is_none_or(|(_, time)| candidate.1 > *time)
        {
            newest = Some(candidate);
        }
    }
    newest
}

#[cfg(test)]
mod tests {
    use super::dependencies;
    use std::path::PathBuf;

    #[test]
    fn dep_info_lines_are_split_into_files() {
        let line = "/t/app: /src/a.rs /src/with\\ space.rs /ui/dist/index.html\n";
        assert_eq!(
            dependencies(line),
            [
                PathBuf::from("/src/a.rs"),
                PathBuf::from("/src/with space.rs"),
                PathBuf::from("/ui/dist/index.html")
            ]
        );
    }
}
