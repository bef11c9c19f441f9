//! The real `idesk` binary, run as a user or script would.

use assert_cmd::Command;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn idesk() -> Result<Command, Box<dyn std::error::Error>> {
    let mut cmd = Command::cargo_bin("idesk")?;
    cmd.env_remove("INCIDENT_DESK_DB");
    Ok(cmd)
}

#[test]
fn version_prints_the_package_version() -> TestResult {
    let output = idesk()?.arg("--version").output()?;
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout)?;
    assert_eq!(text.trim(), format!("idesk {}", env!("CARGO_PKG_VERSION")));
    Ok(())
}

#[test]
fn list_json_on_an_empty_database_prints_an_empty_array() -> TestResult {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("desk.db");
    let output = idesk()?
        .args(["list", "--json", "--db"])
        .arg(&db)
        .output()?;
    assert!(output.status.success(), "{output:?}");
    let value: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    assert_eq!(value, serde_json::json!([]));
    assert!(db.exists());
    Ok(())
}

#[test]
fn the_database_can_come_from_the_environment() -> TestResult {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("from-env.db");
    let output = idesk()?
        .env("INCIDENT_DESK_DB", &db)
        .args(["list", "--json"])
        .output()?;
    assert!(output.status.success(), "{output:?}");
    assert!(db.exists(), "idesk must use $INCIDENT_DESK_DB");
    Ok(())
}

#[test]
fn a_newer_database_is_an_error_on_stderr_with_exit_code_1() -> TestResult {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("future.db");
    {
        let conn = rusqlite::Connection::open(&db)?;
        conn.execute_batch("PRAGMA application_id = 1229214539; PRAGMA user_version = 999;")?;
    }
    let output = idesk()?
        .args(["list", "--json", "--db"])
        .arg(&db)
        .output()?;
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr)?;
    assert!(
        stderr.contains("newer version of Incident Desk"),
        "{stderr}"
    );
    Ok(())
}

#[test]
fn an_unknown_command_is_a_usage_error_with_exit_code_2() -> TestResult {
    let output = idesk()?.arg("frobnicate").output()?;
    assert_eq!(output.status.code(), Some(2));
    Ok(())
}
