use thiserror::Error;

#[derive(Debug, Error)]
pub enum SyncError {
    #[error(transparent)]
    Desk(#[from] incident_core::error::DeskError),

    #[error(
        "this laptop is not in a team with a server: run `idesk team join URL --team NAME` first"
    )]
    NotJoined,

    #[error(
        "no secret for the team is stored on this laptop ({0}): join again with the credentials"
    )]
    MissingSecret(String),

    #[error("the secret store: {0}")]
    Secrets(String),

    #[error("the CA file {path}: {reason}")]
    CaFile { path: String, reason: String },

    #[error("the credentials file {path}: {reason}")]
    CredsFile { path: String, reason: String },

    #[error(
        "the server refused these credentials ({0}): check the user and secret, or ask the server's admin"
    )]
    Refused(String),

    #[error("cannot reach the team's server {server}: {reason}")]
    Unreachable { server: String, reason: String },

    #[error("the team's server said no: {0}")]
    Server(String),

    #[error("the sync engine could not start: {0}")]
    Start(String),
}

pub type Result<T> = std::result::Result<T, SyncError>;
