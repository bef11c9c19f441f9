//! How this laptop reaches its team's server. Only what is not secret lives
//! here (the database travels in backups and exports): the password, token,
//! nkey seed or `.creds` file is kept by the sync crate in the desktop's
//! secret store. The core knows nothing of the transport beyond these words.

use super::{Desk, references};
use crate::domain::{MAX_NAME, required_text};
use crate::error::{DeskError, Result};
use crate::model::ChangeEvent;
use rusqlite::params;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use ts_rs::TS;

const CONNECTION: &str = "team.connection";

/// Which kind of secret proves who this laptop's person is to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    /// The server lets anyone in (a test server, a private network).
    None,
    Password,
    Token,
    /// An nkey seed (`SU…`).
    Nkey,
    /// The content of a `.creds` file (a user JWT and its nkey seed).
    Creds,
}

/// The server, and who this laptop's person is on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TeamConnection {
    /// `nats://host:4222` or `tls://host:4222`.
    pub server: String,
    /// The person's name on the server; also names their private inbox
    /// (`_INBOX_<user>`), which the server's permissions fence.
    pub user: String,
    pub credential: CredentialKind,
    /// A CA certificate (PEM file) to pin: the server's certificate must chain to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub ca_file: Option<String>,
}

const MAX_SERVER: usize = 500;

impl TeamConnection {
    /// The same checks for the window, `idesk` and anything read back.
    pub fn check(&self) -> Result<()> {
        let server = self.server.trim();
        if server.is_empty() || server.len() > MAX_SERVER {
            return Err(DeskError::invalid(
                "server",
                format!(
                    "the server address must be 1 to {MAX_SERVER} characters, like nats://nats.example.com:4222"
                ),
            ));
        }
        if server.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(DeskError::invalid(
                "server",
                "the server address cannot contain spaces",
            ));
        }
        let scheme_ok = match server.split_once("://") {
            Some((scheme, rest)) => {
                matches!(scheme, "nats" | "tls") && !rest.is_empty() && !rest.starts_with('/')
            }
            None => true,
        };
        if !scheme_ok {
            return Err(DeskError::invalid(
                "server",
                format!(
                    "{server:?} is not a NATS server address: use nats://host:port or tls://host:port"
                ),
            ));
        }
        required_text("user", &self.user, MAX_NAME)?;
        if !self
            .user
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(DeskError::invalid(
                "user",
                format!(
                    "the user name {:?} may only hold letters, digits, - and _ (it names a subject on the server)",
                    self.user
                ),
            ));
        }
        if let Some(ca) = &self.ca_file
            && ca.trim().is_empty()
        {
            return Err(DeskError::invalid("ca_file", "the CA file path is empty"));
        }
        Ok(())
    }
}

impl Desk {
    /// The server this laptop syncs with, if any.
    pub fn team_connection(&self) -> Result<Option<TeamConnection>> {
        let Some(text) = self.setting(CONNECTION)? else {
            return Ok(None);
        };
        let connection: TeamConnection = serde_json::from_str(&text)
            .map_err(|e| DeskError::Corrupt(format!("the team connection setting: {e}")))?;
        connection.check()?;
        Ok(Some(connection))
    }

    /// Joins `team` through `connection`: references minted here carry this
    /// laptop's tag from now on, and the sync engine reads the connection.
    pub fn connect_team(&self, team: &str, connection: &TeamConnection) -> Result<()> {
        required_text("team", team, MAX_NAME)?;
        connection.check()?;
        let text = serde_json::to_string(connection)
            .map_err(|e| DeskError::invalid("team", format!("the team connection: {e}")))?;
        {
            let mut conn = self.conn();
            let tx = conn.transaction()?;
            for (key, value) in [(references::TEAM, team.trim()), (CONNECTION, text.as_str())] {
                tx.prepare_cached(
                    "INSERT INTO settings (key, value) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                )?
                .execute(params![key, value])?;
            }
            tx.commit()?;
        }
        self.publish(ChangeEvent::Directory);
        Ok(())
    }

    /// Stops syncing. The entries stay, and so does the team's name: the
    /// references minted while in the team keep their tags and new ones keep
    /// minting that way, so they cannot clash with what was shared.
    pub fn disconnect_team(&self) -> Result<()> {
        self.conn()
            .prepare_cached("DELETE FROM settings WHERE key = ?1")?
            .execute([CONNECTION])?;
        self.publish(ChangeEvent::Directory);
        Ok(())
    }

    /// Incidents of the security kind: a transport keeps their entries
    /// behind the team's security fence (docs/team.md).
    pub fn security_incident_ids(&self) -> Result<BTreeSet<String>> {
        let conn = self.conn();
        let mut statement =
            conn.prepare_cached("SELECT id FROM incidents WHERE kind = 'security'")?;
        let ids = statement
            .query_map([], |row| row.get::<_, String>(0))?
            .collect::<rusqlite::Result<BTreeSet<_>>>()?;
        Ok(ids)
    }
}
