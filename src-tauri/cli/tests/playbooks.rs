//! `idesk task`, `checklist`, `check`, `hypothesis` and `playbook`, run as a
//! commander or a script would.

use assert_cmd::Command;

type TestResult = Result<(), Box<dyn std::error::Error>>;

struct Desk {
    _dir: tempfile::TempDir,
    db: std::path::PathBuf,
}

impl Desk {
    fn new() -> Result<Desk, Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let db = dir.path().join("desk.db");
        Ok(Desk { _dir: dir, db })
    }

    fn run(&self, args: &[&str]) -> Result<std::process::Output, Box<dyn std::error::Error>> {
        let mut cmd = Command::cargo_bin("idesk")?;
        cmd.env_remove("INCIDENT_DESK_DB")
            .args(["--db"])
            .arg(&self.db)
            .args(["--author", "Ada"])
            .args(args);
        Ok(cmd.output()?)
    }

    fn ok(&self, args: &[&str]) -> Result<String, Box<dyn std::error::Error>> {
        let output = self.run(args)?;
        assert!(output.status.success(), "idesk {args:?}: {output:?}");
        Ok(String::from_utf8(output.stdout)?)
    }
}

#[test]
fn a_commander_runs_the_checklist_tasks_and_hypotheses_from_the_terminal() -> TestResult {
    let desk = Desk::new()?;
    desk.ok(&[
        "declare",
        "--title",
        "Keys leaked",
        "--kind",
        "security",
        "--level",
        "L1",
    ])?;
    let list = desk.ok(&["checklist", "INC-1"])?;
    assert!(list.starts_with("0 of 10 settled"), "{list}");
    assert!(
        list.contains("  1. [ ] identify    Preserve evidence"),
        "{list}"
    );
    assert!(
        list.contains("due "),
        "the breach clock shows its due time: {list}"
    );
    desk.ok(&["check", "INC-1", "1"])?;
    desk.ok(&["check", "INC-1", "3", "--skip"])?;
    let list = desk.ok(&["checklist", "INC-1"])?;
    assert!(list.starts_with("2 of 10 settled"), "{list}");
    assert!(list.contains("[x] identify"), "{list}");
    assert!(list.contains("[-] classify"), "{list}");
    let again = desk.run(&["check", "INC-1", "1"])?;
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8(again.stderr)?.contains("already done"));

    desk.ok(&["assign", "INC-1", "operations", "Dana"])?;
    let added = desk.ok(&[
        "task",
        "add",
        "INC-1",
        "Rotate the API keys",
        "--owner",
        "ops lead",
        "--due",
        "30m",
    ])?;
    assert!(added.contains("for Dana (operations lead), due"), "{added}");
    let bad_due = desk.run(&["task", "add", "INC-1", "Later", "--due", "tomorrow-ish"])?;
    assert_eq!(bad_due.status.code(), Some(1));
    assert!(String::from_utf8(bad_due.stderr)?.contains("give a span (30m, 2h) or a time"));
    let tasks = desk.ok(&["task", "list", "INC-1"])?;
    assert!(tasks.contains("1. [open] Rotate the API keys"), "{tasks}");
    desk.ok(&["task", "done", "INC-1", "1"])?;
    let json: serde_json::Value =
        serde_json::from_str(&desk.ok(&["--json", "task", "list", "INC-1"])?)?;
    assert_eq!(json[0]["state"], "done");
    desk.ok(&["task", "add", "INC-1", "Review the repo access list"])?;
    let promoted = desk.ok(&["task", "promote", "INC-1", "2"])?;
    assert!(promoted.contains("is now action item"), "{promoted}");

    desk.ok(&["note", "INC-1", "hypothesis: a leaked CI token"])?;
    let show: serde_json::Value = serde_json::from_str(&desk.ok(&["--json", "show", "INC-1"])?)?;
    let n = show["hypotheses"][0]["n"].as_i64().ok_or("a hypothesis")?;
    desk.ok(&["hypothesis", "INC-1", &n.to_string(), "confirmed"])?;
    let brief = desk.ok(&["brief", "INC-1"])?;
    assert!(
        brief.contains("Hypotheses: confirmed: a leaked CI token"),
        "{brief}"
    );
    assert!(brief.contains("Checklist: 2 of 10 settled"), "{brief}");
    let bad_state = desk.run(&["hypothesis", "INC-1", &n.to_string(), "maybe"])?;
    assert!(String::from_utf8(bad_state.stderr)?.contains("open, ruled_out, confirmed"));
    Ok(())
}

#[test]
fn playbooks_go_out_to_a_file_and_come_back_and_a_bad_file_changes_nothing() -> TestResult {
    let (one, two) = (Desk::new()?, Desk::new()?);
    let shown = one.ok(&["playbook", "show", "security", "L1"])?;
    assert!(
        shown.contains("Notify the supervisory authority"),
        "{shown}"
    );
    assert!(shown.contains("clock 72 h"), "{shown}");
    let file = one._dir.path().join("playbooks.json");
    let file_arg = file.display().to_string();
    let wrote = one.ok(&["playbook", "export", "-o", &file_arg])?;
    assert!(wrote.contains("Wrote 8 playbooks"), "{wrote}");
    let over_db = one.run(&["playbook", "export", "-o", &one.db.display().to_string()])?;
    assert_eq!(over_db.status.code(), Some(1), "never over the database");

    // Edited by hand (an item added), then imported on another laptop.
    let mut data: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file)?)?;
    let items = data["playbooks"][0]["items"]
        .as_array_mut()
        .ok_or("items")?;
    items.push(serde_json::json!({"key": "", "stage": "repair", "text": "Page the vendor"}));
    std::fs::write(&file, serde_json::to_vec(&data)?)?;
    let imported = two.ok(&["playbook", "import", &file_arg])?;
    assert!(imported.starts_with("Imported 8 playbooks"), "{imported}");
    assert!(
        two.ok(&["playbook", "show", "outage", "L1"])?
            .contains("Page the vendor")
    );

    let before = two.ok(&["--json", "playbook", "show"])?;
    let broken = two._dir.path().join("broken.json");
    std::fs::write(
        &broken,
        "{\"format\": \"incident-desk-playbooks\", \"version\": 1",
    )?;
    let refused = two.run(&["playbook", "import", &broken.display().to_string()])?;
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8(refused.stderr)?.contains("truncated"));
    assert_eq!(two.ok(&["--json", "playbook", "show"])?, before);
    Ok(())
}
