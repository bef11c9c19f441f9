//! `idesk alert`, `idesk alerts` and `idesk intake`, run as a cron job would.

use assert_cmd::Command;

type TestResult = Result<(), Box<dyn std::error::Error>>;

struct Db {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
}

impl Db {
    fn new() -> Result<Db, Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("alerts.db");
        Ok(Db { _dir: dir, path })
    }

    fn run(&self, args: &[&str]) -> Result<std::process::Output, Box<dyn std::error::Error>> {
        Ok(Command::cargo_bin("idesk")?
            .env("INCIDENT_DESK_DB", &self.path)
            .args(args)
            .output()?)
    }

    fn json(&self, args: &[&str]) -> Result<serde_json::Value, Box<dyn std::error::Error>> {
        let output = self.run(args)?;
        assert!(output.status.success(), "{args:?}: {output:?}");
        Ok(serde_json::from_slice(&output.stdout)?)
    }
}

const BACKUP: &[&str] = &[
    "alert",
    "--source",
    "backup-cron",
    "--service",
    "nightly-backup",
    "--severity",
    "critical",
    "--summary",
    "Nightly backup failed",
    "--fingerprint",
    "nightly",
];

#[test]
fn a_cron_job_raises_repeats_and_resolves_one_alert() -> TestResult {
    let db = Db::new()?;
    let first = db.json(&[BACKUP, &["--json"]].concat())?;
    assert_eq!(first["fired"], true);
    let again = db.json(&[BACKUP, &["--json"]].concat())?;
    assert_eq!(again["fired"], false);
    assert_eq!(again["alert"]["count"], 2);
    let resolved = db.run(&[BACKUP, &["--resolved"]].concat())?;
    assert!(resolved.status.success(), "{resolved:?}");
    assert!(String::from_utf8(resolved.stdout)?.starts_with("Resolved "));

    let inbox = db.json(&["alerts", "--json"])?;
    let inbox = inbox.as_array().ok_or("not a list")?;
    assert_eq!(inbox.len(), 1);
    assert!(inbox[0]["resolved_at"].is_string());
    let text = String::from_utf8(db.run(&["alerts"])?.stdout)?;
    assert!(
        text.contains("resolved") && text.contains("backup-cron/nightly-backup"),
        "{text}"
    );
    Ok(())
}

#[test]
fn bad_alerts_are_refused_with_the_field_named() -> TestResult {
    let db = Db::new()?;
    let loud: Vec<&str> = BACKUP
        .iter()
        .map(|arg| {
            if *arg == "critical" {
                "apocalyptic"
            } else {
                arg
            }
        })
        .collect();
    let output = db.run(&loud)?;
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr)?;
    assert!(stderr.contains("critical, warning, info"), "{stderr}");
    let output = db.run(&[BACKUP, &["--link", "javascript:alert(1)"]].concat())?;
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8(output.stderr)?.contains("http"));
    assert_eq!(db.json(&["alerts", "--json"])?, serde_json::json!([]));
    Ok(())
}

#[test]
fn an_incident_is_declared_from_an_alert_with_its_suggestions() -> TestResult {
    let db = Db::new()?;
    let id = db.json(&[BACKUP, &["--json"]].concat())?["alert"]["id"]
        .as_str()
        .ok_or("no id")?
        .to_owned();
    let record = db.json(&["alerts", "declare", &id, "--json"])?;
    assert_eq!(record["ref"], "INC-1");
    assert_eq!(record["level"], "L1");
    assert_eq!(record["source"], "monitoring");
    assert_eq!(record["title"], "nightly-backup: Nightly backup failed");
    let shown = db.json(&["show", "INC-1", "--json"])?;
    let timeline = shown["timeline"].as_array().ok_or("no timeline")?;
    assert!(
        timeline.iter().any(|e| e["kind"] == "alert"),
        "{timeline:?}"
    );
    let again = db.run(&["alerts", "declare", &id])?;
    assert_eq!(again.status.code(), Some(1), "declared twice");
    Ok(())
}

#[test]
fn the_receiver_is_switched_on_and_off_with_checked_settings() -> TestResult {
    let db = Db::new()?;
    let off = db.json(&["intake", "show", "--json"])?;
    assert_eq!(off["enabled"], false);
    assert_eq!(off["address"], "127.0.0.1");
    let on = db.json(&[
        "intake",
        "enable",
        "--port",
        "7900",
        "--token",
        "a-long-enough-secret-token",
        "--json",
    ])?;
    assert_eq!(on["enabled"], true);
    assert_eq!(on["port"], 7900);
    let refused = db.run(&["intake", "enable", "--port", "80"])?;
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8(refused.stderr)?.contains("1024"));
    let refused = db.run(&["intake", "enable", "--token", "short"])?;
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(
        db.json(&["intake", "show", "--json"])?,
        on,
        "a refused change changed something"
    );
    let text = String::from_utf8(
        db.run(&["intake", "enable", "--address", "0.0.0.0"])?
            .stdout,
    )?;
    assert!(text.contains("reachable from other machines"), "{text}");
    let off = db.json(&["intake", "disable", "--json"])?;
    assert_eq!(off["enabled"], false);
    Ok(())
}
