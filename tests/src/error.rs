use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    #[error("{what} is not installed or not on PATH ({hint})")]
    MissingTool {
        what: &'static str,
        hint: &'static str,
    },
    #[error("the app binary {path} does not exist: run `make build` first")]
    MissingBinary { path: PathBuf },
    #[error("the app binary {binary} is older than {source_file}: run `make build` first")]
    StaleBinary {
        binary: PathBuf,
        source_file: PathBuf,
    },
    #[error("could not start {what}: {source}")]
    Spawn {
        what: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("timed out after {seconds:.1}s waiting for {what}")]
    Timeout { what: String, seconds: f64 },
    #[error("{what} failed: {detail}")]
    CommandFailed { what: &'static str, detail: String },
    #[error("{what} exited early: {detail}")]
    ExitedEarly { what: &'static str, detail: String },
    #[error("webdriver: {0}")]
    WebDriver(String),
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
}

impl From<fantoccini::error::CmdError> for HarnessError {
    fn from(error: fantoccini::error::CmdError) -> Self {
        HarnessError::WebDriver(error.to_string())
    }
}

impl From<fantoccini::error::NewSessionError> for HarnessError {
    fn from(error: fantoccini::error::NewSessionError) -> Self {
        HarnessError::WebDriver(error.to_string())
    }
}
