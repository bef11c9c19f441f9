//! `idesk sync` and `idesk team`: two laptops' databases kept in step by
//! files, as a commander would hand them over on a USB stick.

mod common;

use common::{Db, Outcome, TestResult};
use serde_json::Value;

struct Laptop {
    db: Db,
    author: &'static str,
}

impl Laptop {
    fn new(author: &'static str) -> Outcome<Laptop> {
        Ok(Laptop {
            db: Db::new()?,
            author,
        })
    }

    fn json(&self, args: &[&str]) -> Outcome<Value> {
        let mut all = vec!["--author", self.author];
        all.extend_from_slice(args);
        self.db.json(&all)
    }

    /// Writes this laptop's entries (after `since`) to a file in its folder.
    fn export(&self, since: Option<i64>) -> Outcome<(std::path::PathBuf, Value)> {
        let file = self
            .db
            .folder()
            .join(format!("to-send-{}.json", since.unwrap_or(0)));
        let path = file.to_str().ok_or("path")?;
        let since_text = since.map(|s| s.to_string());
        let mut args = vec!["sync", "export", "-o", path];
        if let Some(since) = &since_text {
            args.extend(["--since", since]);
        }
        let written = self.json(&args)?;
        Ok((file, written))
    }

    fn apply(&self, file: &std::path::Path) -> Outcome<Value> {
        self.json(&["sync", "apply", file.to_str().ok_or("path")?])
    }

    fn record(&self, reference: &str) -> Outcome<Value> {
        let mut detail = self.json(&["show", reference])?;
        // What depends on the moment `show` runs, not on the record.
        if let Some(map) = detail.as_object_mut() {
            map.remove("deadlines");
        }
        Ok(detail)
    }
}

fn hand_over(from: &Laptop, to: &Laptop) -> Outcome<Value> {
    let (file, _) = from.export(None)?;
    to.apply(&file)
}

#[test]
fn two_laptops_kept_in_step_by_files_agree_and_show_their_conflicts() -> TestResult {
    let alice = Laptop::new("Alice")?;
    let bob = Laptop::new("Bob")?;
    for laptop in [&alice, &bob] {
        laptop.json(&["team", "join", "--team", "Payments on-call"])?;
    }
    let tag = alice.json(&["team"])?["tag"]
        .as_str()
        .ok_or("tag")?
        .to_owned();
    let declared = alice.json(&[
        "declare",
        "--title",
        "Checkout errors",
        "--kind",
        "outage",
        "--level",
        "L1",
    ])?;
    let reference = declared["ref"].as_str().ok_or("ref")?.to_owned();
    assert_eq!(reference, format!("INC-1-{tag}"));
    alice.json(&["note", &reference, "Error rate 12% since 02:10"])?;

    let (file, written) = alice.export(None)?;
    assert_eq!(written["entries"], 2);
    let cursor = written["cursor"].as_i64().ok_or("cursor")?;
    let report = bob.apply(&file)?;
    assert_eq!(report["applied"], 2);
    assert_eq!(report["incidents"], serde_json::json!([reference]));
    // The same file again: nothing new.
    let again = bob.apply(&file)?;
    assert_eq!(
        (again["applied"].clone(), again["duplicates"].clone()),
        (0.into(), 2.into())
    );
    assert_eq!(alice.record(&reference)?, bob.record(&reference)?);

    // Both offline: each names a commander and retitles the incident.
    alice.json(&["assign", &reference, "commander", "Alice"])?;
    bob.json(&["assign", &reference, "commander", "Bob"])?;
    alice.json(&["edit", &reference, "--title", "Checkout 500s"])?;
    bob.json(&["edit", &reference, "--title", "Checkout errors in the EU"])?;

    // Only what is new travels the second time.
    let (from_alice, written) = alice.export(Some(cursor))?;
    assert_eq!(written["entries"], 2);
    let (from_bob, _) = bob.export(None)?;
    alice.apply(&from_bob)?;
    bob.apply(&from_alice)?;

    let on_alice = alice.record(&reference)?;
    assert_eq!(on_alice, bob.record(&reference)?, "the laptops disagree");
    let conflicts = on_alice["conflicts"].as_array().ok_or("conflicts")?;
    let subjects: Vec<&str> = conflicts
        .iter()
        .filter_map(|c| c["subject"].as_str())
        .collect();
    assert_eq!(subjects, ["role:commander", "title"], "{conflicts:?}");
    // Bob wrote after Alice, so his changes stand on both laptops.
    assert_eq!(on_alice["title"], "Checkout errors in the EU");

    // People see them in `idesk show`.
    let shown = bob.db.run(&["show", &reference])?;
    let text = String::from_utf8(shown.stdout)?;
    assert!(
        text.contains("Conflicts: laptops changed the same thing at once"),
        "{text}"
    );
    assert!(text.contains("concurrent assignment"), "{text}");

    // Someone who has seen both assigns again: settled on both laptops.
    alice.json(&["assign", &reference, "commander", "Alice"])?;
    hand_over(&alice, &bob)?;
    let settled = bob.record(&reference)?;
    let subjects: Vec<&str> = settled["conflicts"]
        .as_array()
        .ok_or("conflicts")?
        .iter()
        .filter_map(|c| c["subject"].as_str())
        .collect();
    assert_eq!(subjects, ["title"]);
    assert_eq!(settled, alice.record(&reference)?);
    Ok(())
}

#[test]
fn an_incident_import_merges_with_the_one_already_here() -> TestResult {
    let alice = Laptop::new("Alice")?;
    let bob = Laptop::new("Bob")?;
    alice.json(&[
        "declare",
        "--title",
        "Login slow",
        "--kind",
        "degradation",
        "--level",
        "L2",
    ])?;
    hand_over(&alice, &bob)?;
    bob.json(&["note", "INC-1", "Bob: database CPU at 95%"])?;
    alice.json(&["note", "INC-1", "Alice: rolled back 4.2"])?;

    let export = bob.db.folder().join("incident.json");
    let text = bob.db.run(&["--json", "export", "INC-1"])?.stdout;
    std::fs::write(&export, text)?;
    let imported = alice.json(&["import", export.to_str().ok_or("path")?])?;
    assert_eq!(imported["ref"], "INC-1");
    let notes: Vec<String> = alice.json(&["show", "INC-1"])?["timeline"]
        .as_array()
        .ok_or("timeline")?
        .iter()
        .filter(|e| e["kind"] == "note")
        .filter_map(|e| e["text"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(
        notes,
        ["Bob: database CPU at 95%", "Alice: rolled back 4.2"]
    );
    assert_eq!(alice.json(&["list"])?.as_array().map(Vec::len), Some(1));
    Ok(())
}

#[test]
fn references_minted_alone_on_two_laptops_settle_the_same_way_on_both() -> TestResult {
    let alice = Laptop::new("Alice")?;
    let bob = Laptop::new("Bob")?;
    alice.json(&[
        "declare", "--title", "First", "--kind", "outage", "--level", "L1",
    ])?;
    std::thread::sleep(std::time::Duration::from_millis(5));
    bob.json(&[
        "declare", "--title", "Second", "--kind", "outage", "--level", "L2",
    ])?;
    let report = alice.apply(&bob.export(None)?.0)?;
    bob.apply(&alice.export(None)?.0)?;
    let renamed = report["renamed"][0][1]
        .as_str()
        .ok_or("renamed")?
        .to_owned();
    assert!(renamed.starts_with("INC-1-"), "{report}");

    let board = |laptop: &Laptop| -> Outcome<Vec<(String, String)>> {
        Ok(laptop
            .json(&["list"])?
            .as_array()
            .ok_or("list")?
            .iter()
            .map(|row| (row["ref"].to_string(), row["title"].to_string()))
            .collect())
    };
    let on_alice = board(&alice)?;
    assert_eq!(on_alice, board(&bob)?);
    // The earlier declaration keeps INC-1; the other is found by its new name.
    assert_eq!(alice.json(&["show", "INC-1"])?["title"], "First");
    assert_eq!(bob.json(&["show", &renamed])?["title"], "Second");
    Ok(())
}

#[test]
fn bad_entries_files_are_refused_with_a_reason_and_change_nothing() -> TestResult {
    let alice = Laptop::new("Alice")?;
    let bob = Laptop::new("Bob")?;
    alice.json(&[
        "declare", "--title", "Checkout", "--kind", "outage", "--level", "L1",
    ])?;
    alice.json(&["note", "INC-1", "first note"])?;
    bob.json(&["list"])?;
    let (file, _) = alice.export(None)?;
    let good = std::fs::read_to_string(&file)?;
    let incident_export = String::from_utf8(alice.db.run(&["--json", "export", "INC-1"])?.stdout)?;
    let bad = bob.db.folder().join("bad.json");
    let before = bob.json(&["list", "--all"])?;

    let cases: Vec<(String, &str)> = vec![
        (String::new(), "is empty"),
        ("[1, 2".into(), "not valid JSON"),
        (good[..good.len() / 2].to_owned(), "looks truncated"),
        (incident_export, "use `idesk import`"),
        (
            good.replacen("\"version\":1", "\"version\":9", 1),
            "newer Incident Desk",
        ),
        (
            good.replacen("incident-desk/entries", "something/else", 1),
            "not an Incident Desk entries file",
        ),
        (good.replacen("\"node\":\"", "\"node\":\"zz", 1), "\"node\""),
    ];
    for (content, expected) in cases {
        std::fs::write(&bad, &content)?;
        let stderr = bob
            .db
            .refused(&["sync", "apply", bad.to_str().ok_or("path")?])?;
        assert!(
            stderr.contains(expected),
            "{stderr} should contain {expected}"
        );
        assert_eq!(bob.json(&["list", "--all"])?, before);
    }
    std::fs::write(&bad, [0xff, 0xfe, 0x00])?;
    let stderr = bob
        .db
        .refused(&["sync", "apply", bad.to_str().ok_or("path")?])?;
    assert!(stderr.contains("not text"), "{stderr}");

    // One entry with a broken stamp: refused by name, the others applied, exit 1.
    let mut batch: Value = serde_json::from_str(&good)?;
    batch["entries"][1]["entry"]["hlc"] = "yesterday".into();
    std::fs::write(&bad, serde_json::to_string(&batch)?)?;
    let output = bob
        .db
        .run(&["sync", "apply", bad.to_str().ok_or("path")?])?;
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout)?;
    assert!(stdout.contains("Applied 1 new entry"), "{stdout}");
    assert!(stdout.contains("Refused: entry"), "{stdout}");
    assert!(String::from_utf8(output.stderr)?.contains("1 entries were refused"));

    // Its own database is not a place to write to.
    let own = bob.db.path.to_str().ok_or("path")?.to_owned();
    let stderr = bob.db.refused(&["sync", "export", "-o", &own])?;
    assert!(stderr.contains("database"), "{stderr}");
    Ok(())
}
