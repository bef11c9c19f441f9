//! Where a team secret (password, token, nkey seed, `.creds` content) is
//! kept: the desktop's secret store (Secret Service over D-Bus) when one
//! answers, else a file only its owner can read (0600, in a 0700 folder)
//! under the user's config directory. Never the database, an export or a log.
//!
//! `INCIDENT_DESK_SECRETS=file:DIR` chooses the file store in `DIR` (tests,
//! and desktops whose Secret Service must not be used).

use crate::error::{Result, SyncError};
use keyring_core::{CredentialStore, Entry};
use std::io::Write as _;
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;

const SERVICE: &str = "incident-desk";

pub enum SecretStore {
    /// The Secret Service; the folder is where a process without it (an
    /// `idesk` over SSH, say) would have put a secret, read when the
    /// service has none.
    Service(Arc<CredentialStore>, PathBuf),
    File(PathBuf),
}

impl std::fmt::Debug for SecretStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl SecretStore {
    /// The store of this desktop, by the rule in the module docs.
    pub fn for_this_desktop() -> SecretStore {
        if let Ok(choice) = std::env::var("INCIDENT_DESK_SECRETS")
            && let Some(dir) = choice.strip_prefix("file:")
        {
            return SecretStore::File(PathBuf::from(dir));
        }
        match service_store() {
            Some(store) => SecretStore::Service(store, default_file_dir()),
            None => SecretStore::File(default_file_dir()),
        }
    }

    pub fn file(dir: impl Into<PathBuf>) -> SecretStore {
        SecretStore::File(dir.into())
    }

    /// Where secrets go, in words for `idesk team status` and the window.
    pub fn describe(&self) -> String {
        match self {
            SecretStore::Service(..) => "the desktop's secret store (Secret Service)".into(),
            SecretStore::File(dir) => format!("{} (readable by you only)", dir.display()),
        }
    }

    /// Saves the secret; says where it went. A Secret Service that cannot
    /// take it (locked, no default keyring) is no reason to fail a join:
    /// the file store takes it, and the reason is logged.
    pub fn save(&self, key: &str, secret: &str) -> Result<String> {
        match self {
            SecretStore::Service(store, dir) => {
                match Entry::new_in_store(store, SERVICE, key).and_then(|e| e.set_password(secret))
                {
                    Ok(()) => Ok(self.describe()),
                    Err(error) => {
                        tracing::warn!(
                            "the Secret Service did not take the team secret ({error}); kept in a file instead"
                        );
                        let file = SecretStore::File(dir.clone());
                        file.save(key, secret)
                    }
                }
            }
            SecretStore::File(dir) => {
                save_file(dir, key, secret)?;
                Ok(self.describe())
            }
        }
    }

    pub fn load(&self, key: &str) -> Result<Option<String>> {
        match self {
            SecretStore::Service(store, dir) => {
                match Entry::new_in_store(store, SERVICE, key).and_then(|e| e.get_password()) {
                    Ok(secret) => Ok(Some(secret)),
                    Err(keyring_core::Error::NoEntry) => SecretStore::File(dir.clone()).load(key),
                    Err(e) => Err(SyncError::Secrets(format!(
                        "reading from the Secret Service: {e}"
                    ))),
                }
            }
            SecretStore::File(dir) => match std::fs::read_to_string(file_path(dir, key)) {
                Ok(text) => Ok(Some(text)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(SyncError::Secrets(format!(
                    "reading {}: {e}",
                    file_path(dir, key).display()
                ))),
            },
        }
    }

    pub fn forget(&self, key: &str) -> Result<()> {
        match self {
            SecretStore::Service(store, dir) => {
                SecretStore::File(dir.clone()).forget(key)?;
                match Entry::new_in_store(store, SERVICE, key).and_then(|e| e.delete_credential()) {
                    Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
                    Err(e) => Err(SyncError::Secrets(format!(
                        "removing from the Secret Service: {e}"
                    ))),
                }
            }
            SecretStore::File(dir) => match std::fs::remove_file(file_path(dir, key)) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(SyncError::Secrets(format!("removing the secret file: {e}"))),
            },
        }
    }
}

/// The key of a laptop's team secret: one per database (node) and team.
pub fn team_key(node_id: &str, team: &str) -> String {
    format!("team:{}:{node_id}", crate::Names::for_team(team).slug())
}

/// The Secret Service, if a session bus and a service answer: a round trip
/// (looking up a name that is not there) tells, before anything is saved.
fn service_store() -> Option<Arc<CredentialStore>> {
    std::env::var_os("DBUS_SESSION_BUS_ADDRESS")?;
    let store: Arc<CredentialStore> = dbus_secret_service_keyring_store::Store::new().ok()?;
    match Entry::new_in_store(&store, SERVICE, "probe").and_then(|e| e.get_password()) {
        Ok(_) | Err(keyring_core::Error::NoEntry) => Some(store),
        Err(_) => None,
    }
}

fn default_file_dir() -> PathBuf {
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".config")))
        .unwrap_or_else(|| PathBuf::from("."));
    config.join("incident-desk").join("secrets")
}

fn file_path(dir: &Path, key: &str) -> PathBuf {
    let name: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    dir.join(format!("{name}.secret"))
}

/// Written 0600 from its first byte (never a moment readable by others),
/// synced, then renamed into place.
fn save_file(dir: &Path, key: &str, secret: &str) -> Result<()> {
    let fail = |what: &str, e: std::io::Error| {
        SyncError::Secrets(format!("{what} {}: {e}", dir.display()))
    };
    std::fs::create_dir_all(dir).map_err(|e| fail("creating", e))?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
        .map_err(|e| fail("restricting", e))?;
    let target = file_path(dir, key);
    let temporary = target.with_extension("secret.tmp");
    let _ = std::fs::remove_file(&temporary);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&temporary)
        .map_err(|e| fail("writing into", e))?;
    file.write_all(secret.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| fail("writing into", e))?;
    std::fs::rename(&temporary, &target).map_err(|e| fail("writing into", e))?;
    if let Ok(folder) = std::fs::File::open(dir) {
        let _ = folder.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_store_keeps_secrets_readable_by_their_owner_only() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| SyncError::Secrets(e.to_string()))?;
        let store = SecretStore::file(dir.path().join("secrets"));
        let key = team_key("0190abcd", "Payments");
        assert_eq!(store.load(&key)?, None);
        store.save(&key, "s3cret")?;
        let place = store.save(&key, "s3cret-2")?;
        assert!(place.contains("readable by you only"), "{place}");
        assert_eq!(store.load(&key)?.as_deref(), Some("s3cret-2"));
        let path = file_path(&dir.path().join("secrets"), &key);
        let mode = std::fs::metadata(&path)
            .map_err(|e| SyncError::Secrets(e.to_string()))?
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let folder_mode = std::fs::metadata(dir.path().join("secrets"))
            .map_err(|e| SyncError::Secrets(e.to_string()))?
            .permissions()
            .mode();
        assert_eq!(folder_mode & 0o777, 0o700);
        store.forget(&key)?;
        assert_eq!(store.load(&key)?, None);
        store.forget(&key)?;
        Ok(())
    }
}
