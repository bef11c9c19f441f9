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

/// Runs idesk on `db` and returns (exit code, stdout, stderr).
fn run(
    db: &std::path::Path,
    args: &[&str],
) -> Result<(i32, String, String), Box<dyn std::error::Error>> {
    let output = idesk()?.arg("--db").arg(db).args(args).output()?;
    Ok((
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout)?,
        String::from_utf8(output.stderr)?,
    ))
}

fn json(
    db: &std::path::Path,
    args: &[&str],
) -> Result<serde_json::Value, Box<dyn std::error::Error>> {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = run(db, &all)?;
    assert_eq!(code, 0, "idesk {args:?} failed: {stderr}");
    Ok(serde_json::from_str(&stdout)?)
}

/// A dump of every table, to prove a refused command changed nothing.
fn dump(db: &std::path::Path) -> Result<String, Box<dyn std::error::Error>> {
    let conn = rusqlite::Connection::open(db)?;
    let mut out = String::new();
    for table in [
        "incidents",
        "incident_aliases",
        "outbox",
        "parked_entries",
        "stages",
        "role_assignments",
        "people",
        "communications",
        "reviews",
        "action_items",
        "timeline",
        "levels",
    ] {
        let mut statement = conn.prepare(&format!("SELECT * FROM {table}"))?;
        let columns = statement.column_count();
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            for i in 0..columns {
                let value: rusqlite::types::Value = row.get(i)?;
                out.push_str(&format!("{value:?}|"));
            }
            out.push('\n');
        }
    }
    Ok(out)
}

#[test]
fn a_whole_incident_from_the_command_line() -> TestResult {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("desk.db");
    let declared = json(
        &db,
        &[
            "declare",
            "--title",
            "Checkout fails",
            "--kind",
            "outage",
            "--level",
            "L1",
            "--source",
            "monitoring",
            "--started-at",
            "2026-11-30T08:50:00Z",
            "--detected-at",
            "2026-11-30T08:55:00Z",
            "--at",
            "2026-11-30T09:00:00Z",
        ],
    )?;
    assert_eq!(declared["ref"], "INC-1");
    json(
        &db,
        &[
            "assign",
            "INC-1",
            "commander",
            "Alice",
            "--at",
            "2026-11-30T09:01:00Z",
        ],
    )?;
    json(
        &db,
        &[
            "assign",
            "INC-1",
            "commander",
            "Bob",
            "--at",
            "2026-11-30T09:10:00Z",
        ],
    )?;
    json(
        &db,
        &[
            "classify",
            "INC-1",
            "--level",
            "L2",
            "--service",
            "api",
            "--service",
            "web",
            "--segment",
            "EU",
            "--customer-facing",
        ],
    )?;
    json(
        &db,
        &[
            "stage",
            "INC-1",
            "remediate",
            "done",
            "--at",
            "2026-11-30T09:20:00Z",
        ],
    )?;
    json(
        &db,
        &[
            "stage",
            "INC-1",
            "diagnose",
            "skipped",
            "--reason",
            "known bug",
        ],
    )?;
    json(
        &db,
        &[
            "note",
            "INC-1",
            "rolled back",
            "--at",
            "2026-11-30T09:15:00Z",
        ],
    )?;
    let (code, id, _) = run(
        &db,
        &[
            "comms",
            "draft",
            "INC-1",
            "--channel",
            "status_page",
            "--body",
            "Investigating",
        ],
    )?;
    assert_eq!(code, 0);
    json(&db, &["comms", "approve", "INC-1", id.trim()])?;
    json(
        &db,
        &[
            "comms",
            "send",
            "INC-1",
            id.trim(),
            "--at",
            "2026-11-30T09:05:00Z",
        ],
    )?;
    json(
        &db,
        &[
            "status",
            "INC-1",
            "resolved",
            "--at",
            "2026-11-30T09:30:00Z",
        ],
    )?;
    json(
        &db,
        &[
            "review",
            "INC-1",
            "--field",
            "root_cause",
            "--text",
            "pool exhausted",
        ],
    )?;
    json(
        &db,
        &[
            "action",
            "add",
            "INC-1",
            "--title",
            "Alert on pool",
            "--owner",
            "Carol",
            "--due",
            "2026-12-15",
        ],
    )?;

    let show = json(&db, &["show", "INC-1"])?;
    for key in [
        "ref",
        "title",
        "kind",
        "level",
        "status",
        "stages",
        "roles",
        "timeline",
        "communications",
        "review",
        "action_items",
        "metrics",
    ] {
        assert!(show.get(key).is_some(), "show --json lacks {key}");
    }
    assert_eq!(show["level"], "L2");
    assert_eq!(show["stages"]["remediate"]["state"], "done");
    assert_eq!(show["stages"]["diagnose"]["reason"], "known bug");
    assert_eq!(show["roles"][0]["person"], "Alice");
    assert_eq!(show["roles"][0]["relieved_at"], "2026-11-30T09:10:00.000Z");
    assert_eq!(show["metrics"]["time_to_detect"], 300);
    assert_eq!(show["metrics"]["time_to_acknowledge"], 360);
    assert_eq!(show["metrics"]["time_to_first_update"], 900);
    assert_eq!(show["metrics"]["time_to_mitigate"], 1800);
    assert_eq!(show["metrics"]["time_to_resolve"], 2400);
    // The back-dated note sits where it happened, between 09:10 and 09:20.
    let texts: Vec<&str> = show["timeline"]
        .as_array()
        .ok_or("timeline")?
        .iter()
        .filter_map(|e| e["text"].as_str())
        .collect();
    let note = texts
        .iter()
        .position(|t| *t == "rolled back")
        .ok_or("note")?;
    assert!(texts[note - 1].contains("handed off"), "{texts:?}");

    // Closing with open stages is refused, naming them.
    let (code, _, stderr) = run(&db, &["close", "INC-1"])?;
    assert_eq!(code, 1);
    // (Classify completed itself when the classification was saved.)
    assert!(
        stderr.contains("communicate, repair, review are still open"),
        "{stderr}"
    );
    assert_eq!(show["stages"]["classify"]["state"], "done");
    for stage in ["communicate", "review"] {
        json(&db, &["stage", "INC-1", stage, "done"])?;
    }
    json(
        &db,
        &[
            "stage",
            "INC-1",
            "repair",
            "deferred",
            "--reason",
            "Raise the pool limit",
        ],
    )?;
    json(&db, &["close", "INC-1"])?;
    assert_eq!(json(&db, &["list"])?, serde_json::json!([]));
    assert_eq!(
        json(&db, &["list", "--all"])?.as_array().map(Vec::len),
        Some(1)
    );

    // Markdown and JSON exports; the JSON one imports elsewhere, exactly.
    let (code, md, _) = run(&db, &["export", "INC-1", "--md"])?;
    assert_eq!(code, 0);
    assert!(md.starts_with("# INC-1 — Checkout fails"), "{md}");
    let file = dir.path().join("inc1.json");
    let (code, _, stderr) = run(
        &db,
        &[
            "export",
            "INC-1",
            "--json",
            "-o",
            file.to_str().ok_or("path")?,
        ],
    )?;
    assert_eq!(code, 0, "{stderr}");
    let other = dir.path().join("other.db");
    let imported = json(&other, &["import", file.to_str().ok_or("path")?])?;
    assert_eq!(imported["ref"], "INC-1");
    let (_, again, _) = run(&other, &["export", "INC-1", "--json"])?;
    assert_eq!(again, std::fs::read_to_string(&file)?);
    Ok(())
}

#[test]
fn bad_input_is_a_specific_error_and_changes_nothing() -> TestResult {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("desk.db");
    json(
        &db,
        &[
            "declare", "--title", "Base", "--kind", "outage", "--level", "L1",
        ],
    )?;
    let before = dump(&db)?;
    let long_title = "x".repeat(201);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "declare", "--title", "   ", "--kind", "outage", "--level", "L1",
            ],
            "title is empty",
        ),
        (
            vec![
                "declare", "--title", "x", "--kind", "meltdown", "--level", "L1",
            ],
            "unknown incident kind \"meltdown\"",
        ),
        (
            vec![
                "declare", "--title", "x", "--kind", "outage", "--level", "L7",
            ],
            "unknown level \"L7\": expected one of L1, L2",
        ),
        (
            vec![
                "declare",
                "--title",
                &long_title,
                "--kind",
                "outage",
                "--level",
                "L1",
            ],
            "title is too long",
        ),
        (
            vec![
                "declare",
                "--title",
                "x",
                "--kind",
                "outage",
                "--level",
                "L1",
                "--at",
                "yesterday",
            ],
            "not an RFC 3339 time",
        ),
        (
            vec![
                "declare",
                "--title",
                "x",
                "--kind",
                "outage",
                "--level",
                "L1",
                "--at",
                "2999-01-01T00:00:00Z",
            ],
            "is in the future",
        ),
        (
            vec!["stage", "INC-1", "lunch", "done"],
            "unknown stage \"lunch\"",
        ),
        (
            vec!["stage", "INC-1", "diagnose", "finished"],
            "unknown stage state \"finished\"",
        ),
        (
            vec!["stage", "INC-1", "diagnose", "skipped"],
            "skipping diagnose needs a reason",
        ),
        (
            vec!["assign", "INC-1", "boss", "Alice"],
            "unknown role \"boss\"",
        ),
        (
            vec!["status", "INC-1", "fixed"],
            "unknown public status \"fixed\"",
        ),
        (
            vec![
                "comms",
                "draft",
                "INC-1",
                "--channel",
                "pigeon",
                "--body",
                "hi",
            ],
            "unknown channel \"pigeon\"",
        ),
        (vec!["note", "INC-42", "hello"], "no incident INC-42"),
        (vec!["close", "INC-1"], "cannot be closed"),
        (
            vec!["relieve", "INC-1", "commander"],
            "nobody holds the commander role on INC-1",
        ),
        (
            vec!["review", "INC-1", "--field", "mood", "--text", "x"],
            "unknown review field \"mood\"",
        ),
        (
            vec![
                "action",
                "add",
                "INC-1",
                "--title",
                "x",
                "--due",
                "next week",
            ],
            "not a date like",
        ),
    ];
    for (args, expected) in cases {
        let (code, stdout, stderr) = run(&db, &args)?;
        assert_eq!(code, 1, "idesk {args:?} should fail: {stdout}");
        assert!(stdout.is_empty(), "errors go to stderr only: {stdout}");
        assert!(
            stderr.contains(expected),
            "idesk {args:?}: {stderr} should contain {expected}"
        );
    }
    assert_eq!(dump(&db)?, before);

    // Imports: truncated, malformed, newer.
    let file = dir.path().join("export.json");
    let (_, text, _) = run(&db, &["--json", "export", "INC-1"])?;
    let cases = [
        (text[..text.len() / 3].to_owned(), "looks truncated"),
        ("[1, 2".to_owned(), "not valid JSON"),
        (
            text.replacen("\"version\": 2", "\"version\": 3", 1),
            "newer Incident Desk",
        ),
    ];
    let other = dir.path().join("other.db");
    json(&other, &["list"])?;
    let other_before = dump(&other)?;
    for (content, expected) in cases {
        std::fs::write(&file, content)?;
        let (code, _, stderr) = run(&other, &["import", file.to_str().ok_or("path")?])?;
        assert_eq!(code, 1);
        assert!(
            stderr.contains(expected),
            "{stderr} should contain {expected}"
        );
    }
    assert_eq!(dump(&other)?, other_before);
    Ok(())
}

#[test]
fn backup_and_restore_from_the_command_line() -> TestResult {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("desk.db");
    json(
        &db,
        &[
            "declare", "--title", "Keep me", "--kind", "outage", "--level", "L1",
        ],
    )?;
    let backup = json(&db, &["backup"])?;
    let path = backup["path"].as_str().ok_or("path")?.to_owned();
    json(
        &db,
        &[
            "declare", "--title", "Lose me", "--kind", "outage", "--level", "L2",
        ],
    )?;
    assert_eq!(json(&db, &["backups"])?.as_array().map(Vec::len), Some(1));
    json(&db, &["restore", &path])?;
    let titles: Vec<String> = json(&db, &["list"])?
        .as_array()
        .ok_or("list")?
        .iter()
        .filter_map(|r| r["title"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(titles, ["Keep me"]);
    Ok(())
}

#[test]
fn the_pdf_report_carries_the_same_metrics_as_show_json() -> TestResult {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("desk.db");
    json(
        &db,
        &[
            "declare",
            "--title",
            "Payments — 東京 ✓",
            "--kind",
            "outage",
            "--level",
            "L2",
            "--started-at",
            "2026-11-30T08:50:00Z",
            "--detected-at",
            "2026-11-30T08:55:00Z",
            "--at",
            "2026-11-30T09:00:00Z",
        ],
    )?;
    json(
        &db,
        &[
            "assign",
            "INC-1",
            "commander",
            "Alice",
            "--at",
            "2026-11-30T09:01:00Z",
        ],
    )?;
    json(
        &db,
        &[
            "stage",
            "INC-1",
            "remediate",
            "done",
            "--at",
            "2026-11-30T09:20:00Z",
        ],
    )?;
    json(
        &db,
        &[
            "status",
            "INC-1",
            "resolved",
            "--at",
            "2026-11-30T09:45:00Z",
        ],
    )?;
    let pdf = dir.path().join("review.pdf");
    let (code, _, stderr) = run(
        &db,
        &[
            "export",
            "INC-1",
            "--pdf",
            "-o",
            pdf.to_str().ok_or("path")?,
        ],
    )?;
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("note: The root cause is not written yet"),
        "{stderr}"
    );
    let output = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(&pdf)
        .arg("-")
        .output()?;
    let text = String::from_utf8(output.stdout)?
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(text.contains("Payments — 東京 ✓"), "{text}");
    let show = json(&db, &["show", "INC-1"])?;
    for (key, name) in [
        ("time_to_detect", "Time to detect"),
        ("time_to_acknowledge", "Time to acknowledge"),
        ("time_to_first_update", "Time to first update"),
        ("time_to_mitigate", "Time to mitigate"),
        ("time_to_resolve", "Time to resolve"),
    ] {
        let seconds = show["metrics"][key].as_i64();
        let shown = format!("{name} {}", incident_core::format::metric(seconds));
        assert!(text.contains(&shown), "{shown} missing from the PDF");
    }
    // --pdf needs a file; nothing else is written.
    let (code, stdout, stderr) = run(&db, &["export", "INC-1", "--pdf"])?;
    assert_eq!(code, 1);
    assert!(
        stdout.is_empty() && stderr.contains("--pdf needs -o FILE"),
        "{stderr}"
    );
    Ok(())
}
