//! Joining and leaving a team's server, and a one-off check of the
//! connection: what `idesk team` and Settings → Team do.

use crate::error::{Result, SyncError};
use crate::options::{connect_error, connect_options};
use crate::secrets::{SecretStore, team_key};
use incident_core::Desk;
use incident_core::desk::{CredentialKind, TeamConnection};
use incident_core::model::{SyncState, SyncStatus};

/// Joins `team` on the server of `connection`, proved by `secret`. The
/// server is asked first: credentials it refuses are not saved. A server
/// that cannot be reached is no reason not to join (offline is normal):
/// sync starts when it answers. Also says where the secret was kept.
pub fn join(
    desk: &Desk,
    secrets: &SecretStore,
    team: &str,
    connection: &TeamConnection,
    secret: Option<&str>,
) -> Result<(SyncStatus, Option<String>)> {
    connection.check()?;
    if connection.credential != CredentialKind::None && secret.is_none_or(str::is_empty) {
        return Err(SyncError::MissingSecret(format!(
            "{:?} chosen, but none given",
            connection.credential
        )));
    }
    let status = match attempt(connection, secret) {
        Err(refused @ SyncError::Refused(_)) => return Err(refused),
        outcome => status_of(outcome, desk),
    };
    let node = desk.team_info()?.node_id;
    let key = team_key(&node, team);
    let kept_in = match secret {
        Some(secret) => Some(secrets.save(&key, secret)?),
        None => {
            secrets.forget(&key)?;
            None
        }
    };
    desk.connect_team(team, connection)?;
    let status = SyncStatus {
        team: Some(team.trim().to_string()),
        server: Some(connection.server.clone()),
        waiting: desk.team_info()?.undelivered,
        ..status
    };
    Ok((status, kept_in))
}

/// Stops syncing and forgets the secret (the entries stay).
pub fn leave(desk: &Desk, secrets: &SecretStore) -> Result<()> {
    let info = desk.team_info()?;
    if let Some(team) = &info.team {
        secrets.forget(&team_key(&info.node_id, team))?;
    }
    desk.disconnect_team()?;
    Ok(())
}

/// Where this laptop stands with its team's server, asked now (one
/// connection attempt, at most a few seconds).
pub fn probe(desk: &Desk, secrets: &SecretStore) -> Result<SyncStatus> {
    let info = desk.team_info()?;
    let (Some(team), Some(connection)) = (info.team.clone(), desk.team_connection()?) else {
        return Ok(SyncStatus {
            team: info.team,
            waiting: info.undelivered,
            ..SyncStatus::off()
        });
    };
    let secret = secrets.load(&team_key(&info.node_id, &team))?;
    let status = status_of(attempt(&connection, secret.as_deref()), desk);
    Ok(SyncStatus {
        team: Some(team),
        server: Some(connection.server),
        waiting: info.undelivered,
        ..status
    })
}

/// One connection attempt.
fn attempt(connection: &TeamConnection, secret: Option<&str>) -> Result<()> {
    let options = connect_options(connection, secret, "incident-desk check")?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| SyncError::Start(e.to_string()))?;
    runtime.block_on(async {
        let client = options
            .connect(connection.server.as_str())
            .await
            .map_err(|e| connect_error(&connection.server, &e))?;
        let _ = client.flush().await;
        Ok(())
    })
}

fn status_of(outcome: Result<()>, desk: &Desk) -> SyncStatus {
    let (state, message) = match outcome {
        Ok(()) => (SyncState::Connected, None),
        Err(error @ SyncError::Refused(_)) => (SyncState::Refused, Some(error.to_string())),
        Err(error) => (SyncState::Offline, Some(error.to_string())),
    };
    SyncStatus {
        state,
        since: Some(desk.now()),
        message,
        ..SyncStatus::off()
    }
}
