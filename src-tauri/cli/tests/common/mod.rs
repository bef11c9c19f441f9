//! What the `idesk` test files share: a database in a temporary folder and
//! the real binary run against it.
#![allow(dead_code)] // each test file uses its own part

use assert_cmd::Command;
use std::path::{Path, PathBuf};

pub type TestResult = Result<(), Box<dyn std::error::Error>>;
pub type Outcome<T> = Result<T, Box<dyn std::error::Error>>;

pub struct Db {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl Db {
    pub fn new() -> Outcome<Db> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("desk.db");
        Ok(Db { dir, path })
    }

    pub fn folder(&self) -> &Path {
        self.dir.path()
    }

    /// `idesk` on this database, not yet run.
    pub fn command(&self) -> Outcome<Command> {
        let mut command = Command::cargo_bin("idesk")?;
        command
            .env_remove("INCIDENT_DESK_DB")
            .arg("--db")
            .arg(&self.path);
        Ok(command)
    }

    pub fn run(&self, args: &[&str]) -> Outcome<std::process::Output> {
        Ok(self.command()?.args(args).output()?)
    }

    /// Runs with `--json`, asserts success, parses stdout.
    pub fn json(&self, args: &[&str]) -> Outcome<serde_json::Value> {
        let output = self.command()?.arg("--json").args(args).output()?;
        assert!(output.status.success(), "{args:?}: {output:?}");
        Ok(serde_json::from_slice(&output.stdout)?)
    }

    /// Runs, asserts exit code 1, returns stderr.
    pub fn refused(&self, args: &[&str]) -> Outcome<String> {
        let output = self.run(args)?;
        assert_eq!(
            output.status.code(),
            Some(1),
            "{args:?} must fail: {output:?}"
        );
        Ok(String::from_utf8(output.stderr)?)
    }
}
