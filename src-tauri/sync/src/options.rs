//! From a team connection and its secret to the client's options, and from
//! the client's errors to sentences a person can act on.

use crate::error::{Result, SyncError};
use crate::naming::Names;
use async_nats::{ConnectErrorKind, ConnectOptions};
use incident_core::desk::{CredentialKind, TeamConnection};
use std::path::PathBuf;
use std::time::Duration;

/// How long one attempt to reach the server may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Options for `connection`, proved by `secret` (`None` only for
/// [`CredentialKind::None`]). `name` tells the server's monitoring who this is.
pub fn connect_options(
    connection: &TeamConnection,
    secret: Option<&str>,
    name: &str,
) -> Result<ConnectOptions> {
    let needs = |secret: Option<&str>| {
        secret
            .map(str::to_string)
            .ok_or_else(|| SyncError::MissingSecret(format!("{:?}", connection.credential)))
    };
    let options = match connection.credential {
        CredentialKind::None => ConnectOptions::new(),
        CredentialKind::Password => {
            ConnectOptions::with_user_and_password(connection.user.clone(), needs(secret)?)
        }
        CredentialKind::Token => ConnectOptions::with_token(needs(secret)?),
        CredentialKind::Nkey => ConnectOptions::with_nkey(needs(secret)?.trim().to_string()),
        CredentialKind::Creds => {
            ConnectOptions::with_credentials(&needs(secret)?).map_err(|e| SyncError::CredsFile {
                path: "(stored)".into(),
                reason: e.to_string(),
            })?
        }
    };
    let mut options = options
        .name(name)
        .connection_timeout(CONNECT_TIMEOUT)
        .custom_inbox_prefix(Names::inbox_prefix(&connection.user))
        .max_reconnects(None)
        // Fast enough to notice a pulled cable within a few seconds.
        .ping_interval(Duration::from_secs(10))
        .reconnect_delay_callback(|attempt| {
            Duration::from_millis((250u64 << attempt.min(5)).min(5_000))
        });
    if connection.server.starts_with("tls://") {
        options = options.require_tls(true);
    }
    if let Some(ca) = &connection.ca_file {
        let path = PathBuf::from(ca);
        if !path.is_file() {
            return Err(SyncError::CaFile {
                path: ca.clone(),
                reason: "no such file".into(),
            });
        }
        options = options.add_root_certificates(path).require_tls(true);
    }
    Ok(options)
}

/// Checks a `.creds` file before its content is stored as the secret.
pub fn read_creds_file(path: &std::path::Path) -> Result<String> {
    let fail = |reason: String| SyncError::CredsFile {
        path: path.display().to_string(),
        reason,
    };
    let meta = std::fs::metadata(path).map_err(|e| fail(e.to_string()))?;
    if meta.len() > 64 * 1024 {
        return Err(fail("larger than 64 KiB: not a .creds file".into()));
    }
    let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
    if !text.contains("BEGIN NATS USER JWT") || !text.contains("BEGIN USER NKEY SEED") {
        return Err(fail(
            "not a NATS .creds file (it needs a user JWT and an nkey seed)".into(),
        ));
    }
    ConnectOptions::with_credentials(&text).map_err(|e| fail(e.to_string()))?;
    Ok(text)
}

/// A connect error as a [`SyncError`]: refused credentials apart from a
/// server that cannot be reached.
pub fn connect_error(server: &str, error: &async_nats::ConnectError) -> SyncError {
    match error.kind() {
        ConnectErrorKind::AuthorizationViolation | ConnectErrorKind::Authentication => {
            SyncError::Refused(error.to_string())
        }
        ConnectErrorKind::Tls => SyncError::Unreachable {
            server: server.to_string(),
            reason: format!("TLS failed ({error}): check the server's certificate and the CA file"),
        },
        _ => SyncError::Unreachable {
            server: server.to_string(),
            reason: error.to_string(),
        },
    }
}
