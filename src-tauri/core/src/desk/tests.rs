//! The `Desk` against a real SQLite file, with an injected clock.

use super::*;
use crate::ErrorCode;
use crate::domain::*;
use crate::model::BoardView;
use crate::time::ManualClock;

type TestResult = std::result::Result<(), Box<dyn std::error::Error>>;

const T0: &str = "2026-11-30T09:00:00Z";

fn t(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap_or(Timestamp::from_millis(0))
}

struct Fixture {
    desk: Desk,
    clock: ManualClock,
    _dir: tempfile::TempDir,
    path: PathBuf,
}

fn fixture() -> std::result::Result<Fixture, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("desk.db");
    let clock = ManualClock::new(t(T0));
    let desk = Desk::open_with_clock(&path, Arc::new(clock.clone()))?.with_author("Ada")?;
    Ok(Fixture {
        desk,
        clock,
        _dir: dir,
        path,
    })
}

/// Every row of every table, as text: "the database is unchanged" means
/// this is identical before and after.
fn snapshot(path: &Path) -> std::result::Result<String, Box<dyn std::error::Error>> {
    let conn = Connection::open(path)?;
    let mut out = String::new();
    for table in [
        "levels",
        "people",
        "incidents",
        "stages",
        "role_assignments",
        "communications",
        "reviews",
        "action_items",
        "timeline",
    ] {
        let mut statement = conn.prepare(&format!("SELECT * FROM {table} ORDER BY 1, 2"))?;
        let columns = statement.column_count();
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            out.push_str(table);
            for i in 0..columns {
                let value: rusqlite::types::Value = row.get(i)?;
                out.push_str(&format!(" {value:?}"));
            }
            out.push('\n');
        }
    }
    Ok(out)
}

fn declare(desk: &Desk, title: &str) -> Result<IncidentRecord> {
    desk.declare(Declaration::new(title, IncidentKind::Outage, "L1"))
}

#[test]
fn declaring_gives_sequential_references_and_sensible_defaults() -> TestResult {
    let f = fixture()?;
    let first = declare(&f.desk, "Checkout fails")?;
    f.clock.advance_secs(60);
    let second = declare(&f.desk, "Search is slow")?;
    assert_eq!(first.reference, "INC-1");
    assert_eq!(second.reference, "INC-2");
    assert_eq!(first.status, PublicStatus::Investigating);
    assert_eq!(first.source, Source::Internal);
    assert_eq!(first.started_at, t(T0));
    assert_eq!(first.detected_at, t(T0));
    assert_eq!(first.declared_at, t(T0));
    assert_eq!(first.stages.identify.state, StageState::Done);
    assert_eq!(first.stages.classify.state, StageState::Active);
    assert_eq!(first.stages.review.state, StageState::Pending);
    let shown = f.desk.incident("inc-1")?;
    assert_eq!(shown.record, first);
    assert_eq!(shown.timeline.len(), 1);
    assert_eq!(shown.timeline[0].author, "Ada");
    assert_eq!(f.desk.incident(&first.id)?.record.reference, "INC-1");
    Ok(())
}

#[test]
fn bad_declarations_get_specific_errors_and_change_nothing() -> TestResult {
    let f = fixture()?;
    declare(&f.desk, "existing")?;
    let before = snapshot(&f.path)?;
    let cases: Vec<(Declaration, ErrorCode, &str)> = vec![
        (
            Declaration::new("", IncidentKind::Outage, "L1"),
            ErrorCode::InvalidInput,
            "title is empty",
        ),
        (
            Declaration::new(" \t\n", IncidentKind::Outage, "L1"),
            ErrorCode::InvalidInput,
            "title is empty",
        ),
        (
            Declaration::new("x", IncidentKind::Outage, "L9"),
            ErrorCode::InvalidInput,
            "unknown level \"L9\": expected one of L1, L2",
        ),
        (
            Declaration::new(&"x".repeat(201), IncidentKind::Outage, "L1"),
            ErrorCode::InvalidInput,
            "title is too long: 201 characters",
        ),
        (
            Declaration {
                at: Some(t("2026-11-30T09:05:00Z")),
                ..Declaration::new("x", IncidentKind::Outage, "L1")
            },
            ErrorCode::InvalidInput,
            "is in the future",
        ),
        (
            Declaration {
                started_at: Some(t("2026-11-30T08:50:00Z")),
                detected_at: Some(t("2026-11-30T08:40:00Z")),
                ..Declaration::new("x", IncidentKind::Outage, "L1")
            },
            ErrorCode::InvalidInput,
            "is after detection",
        ),
    ];
    for (input, code, message) in cases {
        let error = f.desk.declare(input).err().ok_or("must fail")?;
        assert_eq!(error.code(), code, "{error}");
        assert!(
            error.to_string().contains(message),
            "{error} should mention {message}"
        );
    }
    assert_eq!(snapshot(&f.path)?, before);
    Ok(())
}

#[test]
fn stages_move_in_any_order_and_the_rules_are_enforced() -> TestResult {
    let f = fixture()?;
    declare(&f.desk, "API down")?;
    // Remediate (a rollback) before diagnosing: allowed, and recorded as unusual.
    let entry = f
        .desk
        .set_stage("INC-1", Stage::Remediate, StageState::Done, None, None)?;
    assert!(
        entry.text.contains("out of the usual order"),
        "{}",
        entry.text
    );

    let before = snapshot(&f.path)?;
    let error = f
        .desk
        .set_stage("INC-1", Stage::Diagnose, StageState::Skipped, None, None)
        .err()
        .ok_or("needs reason")?;
    assert_eq!(error.field(), Some("reason"));
    let error = f
        .desk
        .set_stage("INC-1", Stage::Remediate, StageState::Done, None, None)
        .err()
        .ok_or("same state")?;
    assert_eq!(error.code(), ErrorCode::Conflict);
    assert_eq!(snapshot(&f.path)?, before);

    f.desk.set_stage(
        "INC-1",
        Stage::Diagnose,
        StageState::Skipped,
        Some("cause known".into()),
        None,
    )?;
    f.desk.set_stage(
        "INC-1",
        Stage::Repair,
        StageState::Deferred,
        Some("Fix the pool limit".into()),
        None,
    )?;
    let record = f.desk.incident("INC-1")?.record;
    assert_eq!(
        record.stages.diagnose.reason.as_deref(),
        Some("cause known")
    );
    assert_eq!(record.action_items.len(), 1);
    assert_eq!(record.action_items[0].title, "Fix the pool limit");
    assert_eq!(record.action_items[0].from_stage, Some(Stage::Repair));
    Ok(())
}

#[test]
fn closing_needs_every_stage_settled_and_says_which_are_not() -> TestResult {
    let f = fixture()?;
    declare(&f.desk, "DB failover")?;
    let before = snapshot(&f.path)?;
    let error = f.desk.close("INC-1", None).err().ok_or("must refuse")?;
    assert_eq!(error.code(), ErrorCode::OpenStages);
    assert!(
        error
            .to_string()
            .contains("classify, communicate, remediate, diagnose, repair, review are still open"),
        "{error}"
    );
    assert_eq!(snapshot(&f.path)?, before);

    for stage in [
        Stage::Classify,
        Stage::Communicate,
        Stage::Remediate,
        Stage::Diagnose,
        Stage::Review,
    ] {
        f.desk
            .set_stage("INC-1", stage, StageState::Done, None, None)?;
    }
    f.desk
        .set_stage("INC-1", Stage::Repair, StageState::Deferred, None, None)?;
    f.clock.advance_secs(10);
    f.desk.close("INC-1", None)?;
    assert!(f.desk.list_incidents(false)?.is_empty());
    assert_eq!(f.desk.list_incidents(true)?.len(), 1);
    let error = f.desk.close("INC-1", None).err().ok_or("closed twice")?;
    assert_eq!(error.code(), ErrorCode::Conflict);
    let error = f
        .desk
        .set_status("INC-1", PublicStatus::Resolved, None)
        .err()
        .ok_or("closed")?;
    assert!(error.to_string().contains("is closed"), "{error}");
    // The review can still be written after closing.
    f.desk
        .update_review("INC-1", ReviewField::RootCause, "pool exhausted", None)?;
    Ok(())
}

#[test]
fn roles_hand_off_and_keep_their_history() -> TestResult {
    let f = fixture()?;
    declare(&f.desk, "Login broken")?;
    f.desk.assign("INC-1", Role::Commander, "Alice", None)?;
    f.clock.advance_secs(300);
    let entry = f.desk.assign("INC-1", Role::Commander, "Bob", None)?;
    assert_eq!(entry.text, "Commander handed off from Alice to Bob");
    f.desk.assign("INC-1", Role::Expert, "Carol", None)?;
    f.desk.assign("INC-1", Role::Expert, "dave", None)?;
    // Names match case-insensitively and keep the directory's spelling.
    let error = f
        .desk
        .assign("INC-1", Role::Commander, "bob", None)
        .err()
        .ok_or("already")?;
    assert_eq!(error.to_string(), "Bob is already commander");

    let record = f.desk.incident("INC-1")?.record;
    assert_eq!(record.commander(), Some("Bob"));
    assert_eq!(record.roles.len(), 4);
    assert_eq!(record.roles[0].relieved_at, Some(t("2026-11-30T09:05:00Z")));
    assert_eq!(record.roles[1].assumed_at, t("2026-11-30T09:05:00Z"));

    let before = snapshot(&f.path)?;
    let error = f
        .desk
        .relieve("INC-1", Role::Scribe, None, None)
        .err()
        .ok_or("nobody")?;
    assert_eq!(error.to_string(), "nobody holds the scribe role on INC-1");
    let error = f
        .desk
        .relieve("INC-1", Role::Expert, None, None)
        .err()
        .ok_or("several")?;
    assert!(
        error
            .to_string()
            .contains("several people hold expert (Carol, dave)"),
        "{error}"
    );
    let error = f
        .desk
        .relieve("INC-1", Role::Expert, Some("Zed"), None)
        .err()
        .ok_or("not holder")?;
    assert_eq!(error.code(), ErrorCode::Conflict);
    assert_eq!(snapshot(&f.path)?, before);
    f.desk.relieve("INC-1", Role::Expert, Some("CAROL"), None)?;
    assert_eq!(f.desk.people()?.len(), 4);
    Ok(())
}

#[test]
fn notes_can_be_back_dated_and_corrected_but_never_edited() -> TestResult {
    let f = fixture()?;
    declare(&f.desk, "Latency spike")?;
    f.clock.advance_secs(600);
    f.desk.add_note(
        "INC-1",
        "Rolled back deploy 4411",
        Some(t("2026-11-30T08:58:00Z")),
        None,
    )?;
    let wrong = f.desk.add_note("INC-1", "Error rate 50%", None, None)?;
    let fix = f
        .desk
        .add_note("INC-1", "Error rate was 5%, not 50%", None, Some(wrong.n))?;
    assert_eq!(fix.kind, EntryKind::Correction);

    let timeline = f.desk.incident("INC-1")?.timeline;
    // In order of when it happened: the back-dated note comes first.
    assert_eq!(timeline[0].text, "Rolled back deploy 4411");
    assert_eq!(timeline[0].recorded_at, t("2026-11-30T09:10:00Z"));
    let corrected = timeline.iter().find(|e| e.n == wrong.n).ok_or("entry")?;
    assert_eq!(corrected.text, "Error rate 50%");
    assert_eq!(corrected.superseded_by, Some(fix.n));

    let error = f
        .desk
        .add_note("INC-1", "x", None, Some(99))
        .err()
        .ok_or("no entry 99")?;
    assert_eq!(error.code(), ErrorCode::NotFound);
    let error = f
        .desk
        .add_note("INC-1", "   ", None, None)
        .err()
        .ok_or("blank")?;
    assert_eq!(error.field(), Some("text"));

    // The schema itself refuses edits and deletions.
    let conn = Connection::open(&f.path)?;
    let update = conn.execute("UPDATE timeline SET text = 'tampered' WHERE n = 1", []);
    let delete = conn.execute("DELETE FROM timeline", []);
    for result in [update, delete] {
        let message = result.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(message.contains("append-only"), "{message}");
    }
    Ok(())
}

#[test]
fn any_unicode_and_long_text_is_stored_exactly() -> TestResult {
    let f = fixture()?;
    let title = "café — 東京 — ✓ e\u{0301} 🚒 <b>&amp;</b> \u{202e}rtl";
    declare(&f.desk, title)?;
    let long_note = "Ж".repeat(MAX_TEXT);
    let tricky = "  leading and trailing spaces, \ttabs,\r\nCRLF and a NUL \0 byte  ";
    f.desk.add_note("INC-1", &long_note, None, None)?;
    f.desk.add_note("INC-1", tricky, None, None)?;
    let detail = f.desk.incident("INC-1")?;
    assert_eq!(detail.record.title, title);
    assert_eq!(detail.timeline[1].text, long_note);
    assert_eq!(detail.timeline[2].text, tricky);
    let error = f
        .desk
        .add_note("INC-1", &"Ж".repeat(MAX_TEXT + 1), None, None)
        .err()
        .ok_or("too long")?;
    assert_eq!(error.code(), ErrorCode::InvalidInput);
    Ok(())
}

#[test]
fn metrics_follow_their_definitions() -> TestResult {
    let f = fixture()?;
    let mut input = Declaration::new("Payments down", IncidentKind::Outage, "L1");
    input.started_at = Some(t("2026-11-30T08:50:00Z"));
    input.detected_at = Some(t("2026-11-30T08:55:00Z"));
    // Declared (back-dated) when the responder took it on.
    input.at = Some(t("2026-11-30T08:57:00Z"));
    f.desk.declare(input)?;
    let m = f.desk.incident("INC-1")?.metrics;
    assert_eq!(m.time_to_detect, Some(300));
    assert_eq!(m.time_to_acknowledge, None);
    assert_eq!(m.time_to_first_update, None);

    f.desk.assign(
        "INC-1",
        Role::Commander,
        "Alice",
        Some(t("2026-11-30T08:58:00Z")),
    )?;
    // Internal messages do not count as an update to users.
    f.desk
        .record_sent_communication("INC-1", Channel::Internal, "", "heads up", None)?;
    assert_eq!(f.desk.incident("INC-1")?.metrics.time_to_first_update, None);
    f.clock.advance_secs(120);
    let draft =
        f.desk
            .draft_communication("INC-1", Channel::StatusPage, "", "Investigating", None)?;
    f.desk.approve_communication("INC-1", &draft.id, None)?;
    f.desk.send_communication("INC-1", &draft.id, None)?;
    f.desk.set_stage(
        "INC-1",
        Stage::Remediate,
        StageState::Done,
        None,
        Some(t("2026-11-30T09:01:30Z")),
    )?;
    f.clock.advance_secs(600);
    f.desk.set_status("INC-1", PublicStatus::Resolved, None)?;
    let m = f.desk.incident("INC-1")?.metrics;
    assert_eq!(m.time_to_detect, Some(300));
    assert_eq!(m.time_to_acknowledge, Some(180));
    assert_eq!(m.time_to_first_update, Some(12 * 60));
    assert_eq!(m.time_to_mitigate, Some(11 * 60 + 30));
    assert_eq!(m.time_to_resolve, Some(22 * 60));
    Ok(())
}

#[test]
fn communications_follow_draft_approve_send() -> TestResult {
    let f = fixture()?;
    declare(&f.desk, "Email delays")?;
    let draft = f.desk.draft_communication(
        "INC-1",
        Channel::Email,
        "EU customers",
        "We are on it",
        None,
    )?;
    assert_eq!(draft.state, CommunicationState::Draft);
    let approved = f.desk.approve_communication("INC-1", &draft.id, None)?;
    assert_eq!(approved.approved_by.as_deref(), Some("Ada"));
    let sent = f.desk.send_communication("INC-1", &draft.id, None)?;
    assert_eq!(sent.state, CommunicationState::Sent);
    let before = snapshot(&f.path)?;
    let error = f
        .desk
        .send_communication("INC-1", &draft.id, None)
        .err()
        .ok_or("twice")?;
    assert_eq!(error.code(), ErrorCode::Conflict);
    let error = f
        .desk
        .draft_communication("INC-1", Channel::Social, "", "", None)
        .err()
        .ok_or("empty")?;
    assert_eq!(error.field(), Some("body"));
    let error = f
        .desk
        .send_communication("INC-1", "nope", None)
        .err()
        .ok_or("unknown")?;
    assert_eq!(error.code(), ErrorCode::NotFound);
    assert_eq!(snapshot(&f.path)?, before);
    Ok(())
}

#[test]
fn every_change_is_published_after_commit_and_failures_publish_nothing() -> TestResult {
    let f = fixture()?;
    let events = f.desk.subscribe();
    let record = declare(&f.desk, "Queue backlog")?;
    assert_eq!(
        events.try_recv()?,
        crate::model::ChangeEvent::Incident {
            id: record.id.clone(),
            reference: "INC-1".into()
        }
    );
    let _ = f.desk.close("INC-1", None);
    assert!(
        events.try_recv().is_err(),
        "a refused change must not publish"
    );
    f.desk.add_note("INC-1", "hello", None, None)?;
    assert!(events.try_recv().is_ok());
    Ok(())
}

#[test]
fn writes_by_another_process_are_noticed() -> TestResult {
    let f = fixture()?;
    let events = f.desk.subscribe();
    assert!(!f.desk.poll_external_changes()?);
    // Our own writes are not "external".
    declare(&f.desk, "Ours")?;
    let _ = events.try_recv();
    assert!(!f.desk.poll_external_changes()?);
    // Another connection (as idesk would be) writes.
    let other = Desk::open(&f.path)?;
    declare(&other, "Theirs")?;
    assert!(f.desk.poll_external_changes()?);
    assert_eq!(events.try_recv()?, crate::model::ChangeEvent::External);
    assert!(!f.desk.poll_external_changes()?);
    Ok(())
}

#[test]
fn the_board_is_sorted_by_level_then_age() -> TestResult {
    let f = fixture()?;
    f.desk.declare(Declaration::new(
        "minor old",
        IncidentKind::Degradation,
        "L2",
    ))?;
    f.clock.advance_secs(60);
    f.desk
        .declare(Declaration::new("major new", IncidentKind::Outage, "L1"))?;
    f.clock.advance_secs(60);
    let mut older = Declaration::new("major old", IncidentKind::Security, "L1");
    older.started_at = Some(t("2026-11-30T08:00:00Z"));
    f.desk.declare(older)?;
    f.desk.assign("INC-2", Role::Commander, "Alice", None)?;
    let board = f.desk.list_incidents(false)?;
    let titles: Vec<&str> = board.iter().map(|r| r.title.as_str()).collect();
    assert_eq!(titles, ["major old", "major new", "minor old"]);
    assert_eq!(board[1].commander.as_deref(), Some("Alice"));
    assert_eq!(board[0].stages.len(), 7);
    assert_eq!(board[0].stages[1].state, StageState::Active);
    Ok(())
}

#[test]
fn the_timeline_replays_to_the_stored_state() -> TestResult {
    let f = fixture()?;
    declare(&f.desk, "Full scenario")?;
    f.desk.classify(
        "INC-1",
        Classification {
            level: Some("L2".into()),
            services: Some(vec!["api".into(), "web".into()]),
            customer_facing: Some(true),
            ..Classification::default()
        },
        None,
    )?;
    f.desk.assign("INC-1", Role::Commander, "Alice", None)?;
    f.desk.assign("INC-1", Role::Commander, "Bob", None)?;
    f.desk
        .set_stage("INC-1", Stage::Remediate, StageState::Active, None, None)?;
    f.desk
        .set_stage("INC-1", Stage::Repair, StageState::Deferred, None, None)?;
    let draft =
        f.desk
            .draft_communication("INC-1", Channel::StatusPage, "", "Investigating", None)?;
    f.desk.send_communication("INC-1", &draft.id, None)?;
    f.desk
        .add_note("INC-1", "a note", Some(t("2026-11-30T08:59:00Z")), None)?;
    f.desk
        .update_review("INC-1", ReviewField::Impact, "12% of checkouts", None)?;
    f.desk.add_action_item(
        "INC-1",
        "Add an alert",
        Some("carol"),
        Some("2026-12-15"),
        None,
    )?;
    f.desk
        .set_action_item_state("INC-1", "1", ActionState::Done, None)?;
    f.desk.set_status("INC-1", PublicStatus::Resolved, None)?;
    let stored = f.desk.incident("INC-1")?.record;
    let rebuilt = crate::replay::replay("INC-1", &f.desk.recorded_timeline("INC-1")?)?;
    assert_eq!(rebuilt, stored);
    Ok(())
}

#[test]
fn export_then_import_round_trips_exactly() -> TestResult {
    let a = fixture()?;
    declare(&a.desk, "Round trip ✓ 東京")?;
    a.desk.assign("INC-1", Role::Commander, "Alice", None)?;
    a.desk.save_person(&crate::model::Person {
        name: "Alice".into(),
        handle: "@alice".into(),
        contact: "alice@example.com".into(),
        team: "SRE".into(),
    })?;
    a.desk.add_note("INC-1", "first", None, None)?;
    a.desk.add_note("INC-1", "fixed", None, Some(3))?;
    a.desk
        .add_action_item("INC-1", "Follow up", Some("Bob"), None, None)?;
    let exported = a.desk.export("INC-1")?;
    let text = serde_json::to_string_pretty(&exported)?;

    let b = fixture()?;
    let imported = b.desk.import(Desk::parse_export(&text)?)?;
    assert_eq!(imported.reference, "INC-1");
    let again = serde_json::to_string_pretty(&b.desk.export("INC-1")?)?;
    assert_eq!(again, text);
    assert!(b.desk.people()?.iter().any(|p| p.handle == "@alice"));

    // Importing it again merges nothing new: every entry is already here.
    let before = snapshot(&b.path)?;
    let again = b.desk.import(Desk::parse_export(&text)?)?;
    assert_eq!(again.reference, "INC-1");
    assert_eq!(snapshot(&b.path)?, before);
    Ok(())
}

#[test]
fn broken_imports_are_refused_with_the_reason_and_change_nothing() -> TestResult {
    let a = fixture()?;
    declare(&a.desk, "Source incident")?;
    let good = serde_json::to_string_pretty(&a.desk.export("INC-1")?)?;
    let b = fixture()?;
    declare(&b.desk, "Already here")?;
    let before = snapshot(&b.path)?;

    let truncated = &good[..good.len() / 2];
    let newer = good.replacen("\"version\": 2", "\"version\": 99", 1);
    let other = good.replacen("incident-desk/incident", "something/else", 1);
    let tampered = good.replacen("\"title\": \"Source incident\"", "\"title\": \"Edited\"", 1);
    let cases = [
        (truncated.to_owned(), "looks truncated"),
        ("{ not json".to_owned(), "not valid JSON"),
        (newer, "exported by a newer Incident Desk"),
        (other, "not an Incident Desk export"),
        (tampered, "does not match its timeline"),
        (
            good.replacen("\"kind\": \"outage\"", "\"kind\": 7", 1),
            "malformed",
        ),
    ];
    for (text, expected) in cases {
        let result = Desk::parse_export(&text).and_then(|export| b.desk.import(export));
        let error = result.err().ok_or("must fail")?;
        assert!(
            error.to_string().contains(expected),
            "{error} should say {expected}"
        );
    }
    assert_eq!(snapshot(&b.path)?, before);
    Ok(())
}

#[test]
fn backups_are_consistent_pruned_and_restorable() -> TestResult {
    let f = fixture()?;
    declare(&f.desk, "Before backup")?;
    let backup = f.desk.backup_now()?;
    declare(&f.desk, "After backup")?;
    for _ in 0..KEEP_BACKUPS + 2 {
        f.clock.advance_secs(1);
        f.desk.backup_now()?;
    }
    assert_eq!(f.desk.backups()?.len(), KEEP_BACKUPS);
    // The first backup was pruned; restore from a copy taken at the same point.
    let kept = f._dir.path().join("kept.db");
    assert!(!backup.path.exists());
    let g = fixture()?;
    declare(&g.desk, "Only one")?;
    g.desk.backup_to(&kept)?;
    let safety = f.desk.restore_from(&kept)?;
    assert!(safety.path.exists());
    let titles: Vec<String> = f
        .desk
        .list_incidents(true)?
        .into_iter()
        .map(|r| r.title)
        .collect();
    assert_eq!(titles, ["Only one"]);
    let integrity: String =
        Connection::open(&f.path)?.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    assert_eq!(integrity, "ok");

    let text = f._dir.path().join("notes.txt");
    std::fs::write(&text, "not a database")?;
    let error = f.desk.restore_from(&text).err().ok_or("must refuse")?;
    assert_eq!(error.code(), ErrorCode::NotOurDatabase);
    assert_eq!(f.desk.list_incidents(true)?.len(), 1);
    Ok(())
}

#[test]
fn several_processes_can_create_and_migrate_one_database_at_once() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("shared.db");
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let path = path.clone();
            std::thread::spawn(move || -> Result<()> {
                let desk = Desk::open(&path)?;
                desk.declare(Declaration::new(
                    &format!("from thread {i}"),
                    IncidentKind::Outage,
                    "L2",
                ))?;
                Ok(())
            })
        })
        .collect();
    for handle in handles {
        handle.join().map_err(|_| "thread panicked")??;
    }
    let desk = Desk::open(&path)?;
    let mut refs: Vec<String> = desk
        .list_incidents(false)?
        .into_iter()
        .map(|r| r.reference)
        .collect();
    refs.sort();
    assert_eq!(refs.len(), 8);
    Ok(())
}

mod deadlines {
    use super::*;

    fn state_of(
        f: &Fixture,
        key: &str,
    ) -> std::result::Result<DeadlineState, Box<dyn std::error::Error>> {
        let all = f.desk.deadlines("INC-1")?.deadlines;
        Ok(all
            .iter()
            .find(|d| d.key == key)
            .ok_or(format!("no {key} deadline in {all:?}"))?
            .state)
    }

    #[test]
    fn classify_is_pending_then_due_then_overdue_then_met() -> TestResult {
        let f = fixture()?;
        declare(&f.desk, "API down")?; // L1: classify within 5 min
        assert_eq!(state_of(&f, "classify")?, DeadlineState::Pending);
        f.clock.advance_secs(4 * 60);
        assert_eq!(state_of(&f, "classify")?, DeadlineState::Due);
        f.clock.advance_secs(60);
        assert_eq!(state_of(&f, "classify")?, DeadlineState::Overdue);
        f.desk
            .set_stage("INC-1", Stage::Classify, StageState::Done, None, None)?;
        assert_eq!(state_of(&f, "classify")?, DeadlineState::Met);
        Ok(())
    }

    #[test]
    fn updates_to_users_are_counted_from_the_last_public_message() -> TestResult {
        let f = fixture()?;
        declare(&f.desk, "Checkout slow")?;
        f.clock.advance_secs(12 * 60);
        // An internal message is not an update to users.
        f.desk
            .record_sent_communication("INC-1", Channel::Internal, "", "fyi", None)?;
        assert_eq!(state_of(&f, "first_update")?, DeadlineState::Due);
        f.desk.record_sent_communication(
            "INC-1",
            Channel::StatusPage,
            "",
            "Investigating",
            None,
        )?;
        assert_eq!(state_of(&f, "first_update")?, DeadlineState::Met);
        let next = f
            .desk
            .deadlines("INC-1")?
            .deadlines
            .into_iter()
            .find(|d| d.key == "next_update")
            .ok_or("next")?;
        assert_eq!(next.due_at, t("2026-11-30T09:42:00Z"));
        let board = f.desk.list_incidents(false)?;
        assert_eq!(board[0].next_update_due, Some(t("2026-11-30T09:42:00Z")));
        // Sending again restarts the clock; resolving stops it.
        f.clock.advance_secs(20 * 60);
        f.desk
            .record_sent_communication("INC-1", Channel::Email, "", "Still on it", None)?;
        assert_eq!(
            f.desk.list_incidents(false)?[0].next_update_due,
            Some(t("2026-11-30T10:02:00Z"))
        );
        f.desk.set_status("INC-1", PublicStatus::Resolved, None)?;
        assert!(
            f.desk
                .deadlines("INC-1")?
                .deadlines
                .iter()
                .all(|d| d.key != "next_update")
        );
        Ok(())
    }

    #[test]
    fn an_active_stage_without_activity_stalls_and_activity_revives_it() -> TestResult {
        let f = fixture()?;
        declare(&f.desk, "Queue stuck")?; // L1: stalled after 20 min
        f.desk
            .set_stage("INC-1", Stage::Classify, StageState::Done, None, None)?;
        f.desk
            .set_stage("INC-1", Stage::Diagnose, StageState::Active, None, None)?;
        f.clock.advance_secs(21 * 60);
        assert_eq!(state_of(&f, "stalled:diagnose")?, DeadlineState::Stalled);
        f.desk
            .add_note("INC-1", "looking at the consumer lag", None, None)?;
        assert_eq!(state_of(&f, "stalled:diagnose")?, DeadlineState::Pending);
        Ok(())
    }

    #[test]
    fn the_schedulers_one_query_reads_the_same_deadlines_as_one_read_per_incident() -> TestResult {
        let f = fixture()?;
        declare(&f.desk, "API down")?;
        f.desk.declare(Declaration::new(
            "Search slow",
            IncidentKind::Degradation,
            "L2",
        ))?;
        declare(&f.desk, "Queue stuck")?;
        declare(&f.desk, "Resolved one")?;
        f.desk
            .set_stage("INC-1", Stage::Classify, StageState::Done, None, None)?;
        f.desk
            .set_stage("INC-3", Stage::Classify, StageState::Done, None, None)?;
        f.desk
            .set_stage("INC-3", Stage::Diagnose, StageState::Active, None, None)?;
        f.desk.set_status("INC-4", PublicStatus::Resolved, None)?;
        f.clock.advance_secs(25 * 60);
        f.desk.snooze("INC-2", "classify", 600)?;
        f.desk.record_sent_communication(
            "INC-1",
            Channel::StatusPage,
            "",
            "Investigating",
            None,
        )?;
        let unmet = f.desk.open_unmet_deadlines()?;
        let expected: Vec<IncidentDeadlines> = f
            .desk
            .open_deadlines()?
            .into_iter()
            .map(|mut incident| {
                incident.deadlines.retain(|d| d.state != DeadlineState::Met);
                incident
                    .deadlines
                    .sort_by_key(|d| (!d.wants_nudge(), d.due_at));
                incident
            })
            .collect();
        assert_eq!(unmet, expected);
        let states: Vec<DeadlineState> = unmet
            .iter()
            .flat_map(|i| i.deadlines.iter().map(|d| d.state))
            .collect();
        for state in [
            DeadlineState::Overdue,
            DeadlineState::Stalled,
            DeadlineState::Snoozed,
        ] {
            assert!(states.contains(&state), "{state:?} in {states:?}");
        }
        assert_eq!(unmet.len(), 4);
        Ok(())
    }

    #[test]
    fn a_nudge_fires_once_is_recorded_and_survives_a_restart() -> TestResult {
        let f = fixture()?;
        declare(&f.desk, "Login broken")?;
        assert!(f.desk.nudges_to_show()?.is_empty(), "nothing is due yet");
        f.clock.advance_secs(5 * 60 + 30);
        let nudges = f.desk.nudges_to_show()?;
        let classify = nudges
            .iter()
            .find(|n| n.deadline.key == "classify")
            .ok_or("classify nudge")?;
        assert_eq!(classify.summary, "INC-1 L1: classification is now overdue");
        // Listed again until shown, but recorded on the timeline only once.
        assert_eq!(f.desk.nudges_to_show()?.len(), nudges.len());
        let nudge_entries = |desk: &Desk| -> Result<usize> {
            Ok(desk
                .incident("INC-1")?
                .timeline
                .iter()
                .filter(|e| e.kind == EntryKind::Nudge)
                .count())
        };
        assert_eq!(nudge_entries(&f.desk)?, nudges.len());
        f.desk
            .mark_nudge_shown(&classify.incident_id, "classify", classify.deadline.due_at)?;

        // A restart: the shown nudge is not repeated; the others still are.
        let reopened = Desk::open_with_clock(&f.path, Arc::new(f.clock.clone()))?;
        let again = reopened.nudges_to_show()?;
        assert!(again.iter().all(|n| n.deadline.key != "classify"));
        assert_eq!(again.len(), nudges.len() - 1);
        // The nudge is not activity: nothing stalls or un-stalls because of it.
        assert_eq!(nudge_entries(&reopened)?, nudges.len());
        Ok(())
    }

    #[test]
    fn a_snoozed_nudge_comes_back_only_after_its_snooze() -> TestResult {
        let f = fixture()?;
        declare(&f.desk, "Payments down")?;
        f.clock.advance_secs(6 * 60);
        let nudge = f
            .desk
            .nudges_to_show()?
            .into_iter()
            .find(|n| n.deadline.key == "classify")
            .ok_or("nudge")?;
        f.desk
            .mark_nudge_shown(&nudge.incident_id, "classify", nudge.deadline.due_at)?;
        f.desk.snooze("INC-1", "classify", 15 * 60)?;
        assert_eq!(state_of(&f, "classify")?, DeadlineState::Snoozed);
        f.clock.advance_secs(14 * 60);
        assert!(
            f.desk
                .nudges_to_show()?
                .iter()
                .all(|n| n.deadline.key != "classify")
        );
        f.clock.advance_secs(61);
        assert!(
            f.desk
                .nudges_to_show()?
                .iter()
                .any(|n| n.deadline.key == "classify")
        );

        let before = snapshot(&f.path)?;
        let error = f
            .desk
            .snooze("INC-1", "review", 300)
            .err()
            .ok_or("no review deadline")?;
        assert_eq!(error.code(), ErrorCode::NotFound);
        assert_eq!(snapshot(&f.path)?, before);
        Ok(())
    }

    #[test]
    fn policies_are_data_and_changes_apply_at_once() -> TestResult {
        let f = fixture()?;
        let l1 = f.desk.policy("L1")?;
        assert_eq!(l1.classify, Some(Span::Seconds(300)));
        assert_eq!(f.desk.policy("L2")?.review, Some(Span::WorkingDays(5)));
        declare(&f.desk, "Disk full")?;
        f.desk
            .set_policy("L1", PolicyKey::Classify, Some(Span::Seconds(90)))?;
        let classify = f
            .desk
            .deadlines("INC-1")?
            .deadlines
            .into_iter()
            .find(|d| d.key == "classify")
            .ok_or("c")?;
        assert_eq!(classify.due_at, t("2026-11-30T09:01:30Z"));
        f.desk.set_policy("L1", PolicyKey::Classify, None)?;
        assert!(
            f.desk
                .deadlines("INC-1")?
                .deadlines
                .iter()
                .all(|d| d.key != "classify")
        );
        assert!(f.desk.policy("L9").is_err());
        Ok(())
    }
}

mod communications {
    use super::*;
    use crate::desk::DraftRequest;

    fn draft(f: &Fixture, channel: Channel) -> Result<Communication> {
        f.desk.draft_message(
            "INC-1",
            DraftRequest {
                channel: Some(channel),
                ..DraftRequest::default()
            },
        )
    }

    /// The time a message promises is the one the app holds the commander to
    /// once it is sent — not the deadline it is answering, nor one past.
    #[test]
    fn a_message_promises_the_next_update_the_app_will_expect() -> TestResult {
        let f = fixture()?;
        f.desk.declare(Declaration::new(
            "Checkout down",
            IncidentKind::Outage,
            "L1",
        ))?;
        // 09:00 declared; L1: first update within 15 min, then every 30 min.
        f.clock.advance_secs(4 * 60);
        let first = draft(&f, Channel::StatusPage)?;
        assert!(first.body.contains("09:34 UTC"), "{}", first.body);
        f.desk.approve_communication("INC-1", &first.id, None)?;
        f.desk.send_communication("INC-1", &first.id, None)?;
        let due = f.desk.list_incidents(false)?[0].next_update_due;
        assert_eq!(due, Some(t("2026-11-30T09:34:00Z")));

        // Late for the next update (09:40): the promise is still ahead.
        f.clock.advance_secs(36 * 60);
        f.desk.set_status("INC-1", PublicStatus::Monitoring, None)?;
        let monitoring = draft(&f, Channel::StatusPage)?;
        assert!(monitoring.body.contains("10:10 UTC"), "{}", monitoring.body);
        // An internal note promises nothing new: the users' clock stands.
        let internal = f.desk.fill_template("INC-1", Channel::Internal, "", None)?;
        if internal.body.contains("UTC") {
            assert!(internal.body.contains("09:34 UTC"), "{}", internal.body);
        }
        f.desk
            .approve_communication("INC-1", &monitoring.id, None)?;
        f.desk.send_communication("INC-1", &monitoring.id, None)?;
        let due = f.desk.list_incidents(false)?[0].next_update_due;
        assert_eq!(due, Some(t("2026-11-30T10:10:00Z")));
        Ok(())
    }

    #[test]
    fn drafts_are_filled_from_the_incidents_facts() -> TestResult {
        let f = fixture()?;
        declare(&f.desk, "Checkout fails")?;
        f.desk.classify(
            "INC-1",
            Classification {
                services: Some(vec!["checkout".into(), "payments".into()]),
                segment: Some("EU customers".into()),
                ..Classification::default()
            },
            None,
        )?;
        let status = draft(&f, Channel::StatusPage)?;
        assert_eq!(
            status.body,
            "We are investigating problems with checkout, payments. Affected: EU customers. We will post an update by 09:30 UTC."
        );
        assert_eq!(status.announces, Some(PublicStatus::Investigating));
        let email = f.desk.draft_message(
            "INC-1",
            DraftRequest {
                channel: Some(Channel::Email),
                segment: Some("customers on plan X".into()),
                ..DraftRequest::default()
            },
        )?;
        assert_eq!(
            email.subject.as_deref(),
            Some("[Investigating] Problems with checkout, payments")
        );
        assert!(
            email.body.contains("Affected: customers on plan X."),
            "{}",
            email.body
        );
        assert_eq!(
            f.desk.communication_text("INC-1", &email.id)?,
            format!(
                "Subject: [Investigating] Problems with checkout, payments\n\n{}",
                email.body
            )
        );
        Ok(())
    }

    #[test]
    fn security_incidents_get_careful_wording() -> TestResult {
        let f = fixture()?;
        f.desk.declare(Declaration::new(
            "Token leak in api-gateway logs",
            IncidentKind::Security,
            "L1",
        ))?;
        f.desk.classify(
            "INC-1",
            Classification {
                services: Some(vec!["api-gateway".into()]),
                ..Classification::default()
            },
            None,
        )?;
        let message = draft(&f, Channel::StatusPage)?;
        assert!(
            message.body.contains("potential security issue"),
            "{}",
            message.body
        );
        assert!(
            !message.body.contains("api-gateway") && !message.body.contains("Token"),
            "{}",
            message.body
        );
        Ok(())
    }

    #[test]
    fn approval_is_required_by_policy_and_voided_by_edits() -> TestResult {
        let f = fixture()?; // L1 requires approval by default
        declare(&f.desk, "Queue stuck")?;
        let message = draft(&f, Channel::StatusPage)?;
        let before = snapshot(&f.path)?;
        let error = f
            .desk
            .send_communication("INC-1", &message.id, None)
            .err()
            .ok_or("needs approval")?;
        assert!(
            error.to_string().contains("need the commander's approval"),
            "{error}"
        );
        assert_eq!(snapshot(&f.path)?, before);
        f.desk.approve_communication("INC-1", &message.id, None)?;
        // An edit after approval sends it back for approval.
        let edited =
            f.desk
                .edit_communication("INC-1", &message.id, "We are looking into it.", None)?;
        assert_eq!(edited.state, CommunicationState::Draft);
        assert!(
            f.desk
                .send_communication("INC-1", &message.id, None)
                .is_err()
        );
        let approved = f.desk.approve_communication("INC-1", &message.id, None)?;
        assert_eq!(approved.approved_by.as_deref(), Some("Ada"));
        assert_eq!(approved.approved_at, Some(t(T0)));
        f.desk.send_communication("INC-1", &message.id, None)?;
        // L2 needs none.
        f.desk
            .declare(Declaration::new("Minor", IncidentKind::Degradation, "L2"))?;
        let quick = f.desk.draft_message(
            "INC-2",
            DraftRequest {
                channel: Some(Channel::Internal),
                ..DraftRequest::default()
            },
        )?;
        f.desk.send_communication("INC-2", &quick.id, None)?;
        Ok(())
    }

    #[test]
    fn marking_sent_restarts_the_update_clock_and_sets_the_announced_status() -> TestResult {
        let f = fixture()?;
        f.desk.declare(Declaration::new(
            "Search slow",
            IncidentKind::Degradation,
            "L2",
        ))?;
        f.desk.set_status("INC-1", PublicStatus::Identified, None)?;
        f.clock.advance_secs(30 * 60);
        let message = draft(&f, Channel::StatusPage)?;
        assert_eq!(message.announces, Some(PublicStatus::Identified));
        f.desk.send_communication("INC-1", &message.id, None)?;
        let board = f.desk.list_incidents(false)?;
        assert_eq!(board[0].next_update_due, Some(t("2026-11-30T11:30:00Z"))); // L2: every 2 h
        // A "resolved" template message resolves the incident when sent.
        let resolved = f.desk.draft_message(
            "INC-1",
            DraftRequest {
                channel: Some(Channel::Social),
                template: Some("social/resolved".into()),
                ..DraftRequest::default()
            },
        )?;
        let entry_count = f.desk.incident("INC-1")?.timeline.len();
        f.desk.send_communication("INC-1", &resolved.id, None)?;
        let detail = f.desk.incident("INC-1")?;
        assert_eq!(detail.record.status, PublicStatus::Resolved);
        assert_eq!(
            detail.timeline.len(),
            entry_count + 2,
            "one entry for the message and its status, one for the remediation it implies"
        );
        let n = detail.timeline.len();
        assert!(
            detail.timeline[n - 2]
                .text
                .contains("public status identified → resolved")
        );
        assert!(
            detail.timeline[n - 1]
                .text
                .starts_with("Stage remediate: pending → done"),
            "{}",
            detail.timeline[n - 1].text
        );
        assert_eq!(
            crate::replay::replay("INC-1", &f.desk.recorded_timeline("INC-1")?)?,
            detail.record
        );
        Ok(())
    }

    #[test]
    fn bad_messages_are_refused_and_nothing_is_lost_or_marked_sent() -> TestResult {
        let f = fixture()?;
        f.desk
            .declare(Declaration::new("Login broken", IncidentKind::Outage, "L2"))?;
        let long =
            f.desk
                .draft_communication("INC-1", Channel::Social, "", &"x".repeat(281), None)?;
        let before = snapshot(&f.path)?;
        let error = f
            .desk
            .send_communication("INC-1", &long.id, None)
            .err()
            .ok_or("too long")?;
        assert!(error.to_string().contains("281 characters"), "{error}");
        assert!(
            f.desk
                .draft_communication("INC-1", Channel::Email, "", "   ", None)
                .is_err()
        );
        let error = f
            .desk
            .publish_communication("INC-1", &long.id)
            .err()
            .ok_or("no webhook")?;
        assert!(
            error.to_string().contains("281 characters") || error.to_string().contains("webhook"),
            "{error}"
        );
        let bad = Template {
            name: "mine".into(),
            channel: Channel::Email,
            status: None,
            security: false,
            subject: "{title}".into(),
            body: "Dear {customer},".into(),
            builtin: false,
        };
        let error = f
            .desk
            .save_template(&bad)
            .err()
            .ok_or("unknown placeholder")?;
        assert_eq!(error.field(), Some("body"));
        assert!(
            f.desk
                .set_webhook(
                    Channel::Social,
                    Some("ftp://example.com"),
                    crate::publish::WebhookFormat::Json,
                    10
                )
                .is_err()
        );
        assert_eq!(snapshot(&f.path)?, before);
        // The draft is still there, unchanged.
        let kept = f.desk.incident("INC-1")?.record.communications;
        assert_eq!(kept[0].body.len(), 281);
        assert_eq!(kept[0].state, CommunicationState::Draft);
        Ok(())
    }
}

#[test]
fn updates_wait_while_a_most_severe_incident_is_open() -> TestResult {
    let f = fixture()?;
    f.desk.check_update_may_install()?;
    f.desk.declare(Declaration::new(
        "Search slow",
        IncidentKind::Degradation,
        "L2",
    ))?;
    f.desk.check_update_may_install()?;
    f.desk.declare(Declaration::new(
        "Checkout down",
        IncidentKind::Outage,
        "L1",
    ))?;
    let error = f
        .desk
        .check_update_may_install()
        .err()
        .ok_or("installed during an L1")?;
    assert_eq!(error.code(), ErrorCode::Conflict);
    assert!(error.to_string().contains("INC-2"), "{error}");
    Ok(())
}

#[test]
fn times_that_cannot_have_happened_are_refused_and_change_nothing() -> TestResult {
    let f = fixture()?;
    let mut input = Declaration::new("Checkout down", IncidentKind::Outage, "L1");
    input.started_at = Some(t("2026-11-30T08:50:00Z"));
    f.desk.declare(input)?;
    f.clock.advance_secs(600);
    let before = snapshot(&f.path)?;
    let epoch = Some(t("1970-01-01T00:00:00Z"));
    let before_declared = Some(t("2026-11-30T08:59:00Z"));
    let attempts: Vec<(&str, Result<TimelineEntry>)> = vec![
        ("a note in 1970", f.desk.add_note("INC-1", "x", epoch, None)),
        (
            "a note eight days before the impact",
            f.desk
                .add_note("INC-1", "x", Some(t("2026-11-22T08:49:00Z")), None),
        ),
        (
            "a stage change before the declaration",
            f.desk.set_stage(
                "INC-1",
                Stage::Remediate,
                StageState::Done,
                None,
                before_declared,
            ),
        ),
        (
            "a commander before the declaration",
            f.desk
                .assign("INC-1", Role::Commander, "Alice", before_declared),
        ),
        (
            "resolved in 1970",
            f.desk.set_status("INC-1", PublicStatus::Resolved, epoch),
        ),
    ];
    for (what, attempt) in attempts {
        let error = attempt.err().ok_or(format!("{what} must be refused"))?;
        assert_eq!(error.code(), ErrorCode::InvalidInput, "{what}: {error}");
        assert_eq!(error.field(), Some("at"), "{what}: {error}");
    }
    assert_eq!(snapshot(&f.path)?, before, "refusals change nothing");

    // Closing before the declaration is refused too (the stages settled first).
    for stage in Stage::ALL {
        let _ = f
            .desk
            .set_stage("INC-1", *stage, StageState::Done, None, None);
    }
    let error = f
        .desk
        .close("INC-1", before_declared)
        .err()
        .ok_or("closing before the declaration must be refused")?;
    assert!(error.to_string().contains("was declared at"), "{error}");

    // Context a little before the impact is a note like any other.
    f.desk.add_note(
        "INC-1",
        "deploy 4411 went out",
        Some(t("2026-11-30T08:30:00Z")),
        None,
    )?;
    let error = Desk::open(&f.path)?
        .declare({
            let mut d = Declaration::new("Old", IncidentKind::Outage, "L2");
            d.started_at = epoch;
            d
        })
        .err()
        .ok_or("an impact start in 1970 must be refused")?;
    assert!(
        error.to_string().contains("not a plausible time"),
        "{error}"
    );
    Ok(())
}

#[test]
fn stages_follow_what_the_record_shows_and_the_commander_can_override() -> TestResult {
    let f = fixture()?;
    declare(&f.desk, "Checkout errors")?;
    f.clock.advance_secs(60);
    f.desk.classify(
        "INC-1",
        Classification {
            services: Some(vec!["checkout".into()]),
            ..Classification::default()
        },
        None,
    )?;
    let record = f.desk.incident("INC-1")?.record;
    assert_eq!(record.stages.classify.state, StageState::Done);
    let deadlines = f.desk.deadlines("INC-1")?;
    let classify = deadlines
        .deadlines
        .iter()
        .find(|d| d.key == "classify")
        .ok_or("no classify deadline")?;
    assert_eq!(classify.state, crate::domain::DeadlineState::Met);

    // An internal message is not a message to users; a status page one is.
    f.desk
        .record_sent_communication("INC-1", Channel::Internal, "", "heads up", None)?;
    assert_eq!(
        f.desk.incident("INC-1")?.record.stages.communicate.state,
        StageState::Pending
    );
    f.desk.record_sent_communication(
        "INC-1",
        Channel::StatusPage,
        "",
        "We are investigating",
        None,
    )?;
    assert_eq!(
        f.desk.incident("INC-1")?.record.stages.communicate.state,
        StageState::Active
    );

    // The fix is in: remediate done. The commander may say otherwise.
    f.desk.set_status("INC-1", PublicStatus::Monitoring, None)?;
    assert_eq!(
        f.desk.incident("INC-1")?.record.stages.remediate.state,
        StageState::Done
    );
    f.desk
        .set_stage("INC-1", Stage::Remediate, StageState::Active, None, None)?;
    f.desk.set_status("INC-1", PublicStatus::Identified, None)?;
    f.desk.set_status("INC-1", PublicStatus::Monitoring, None)?;
    let detail = f.desk.incident("INC-1")?;
    assert_eq!(detail.record.stages.remediate.state, StageState::Done);
    // Each automatic move is an entry of its own, and the replay agrees.
    let automatic = detail
        .timeline
        .iter()
        .filter(|e| e.kind == EntryKind::Stage && e.text.contains(" — the "))
        .count();
    assert_eq!(automatic, 4, "classify, communicate, remediate twice");
    let rebuilt = crate::replay::replay("INC-1", &f.desk.recorded_timeline("INC-1")?)?;
    assert_eq!(rebuilt, detail.record);
    Ok(())
}

#[test]
fn resolved_is_not_closed_on_the_board() -> TestResult {
    let f = fixture()?;
    declare(&f.desk, "Resolved but open")?;
    declare(&f.desk, "Still going")?;
    f.desk.set_status("INC-1", PublicStatus::Resolved, None)?;
    let titles = |view| -> std::result::Result<Vec<String>, DeskError> {
        Ok(f.desk.board(view)?.into_iter().map(|r| r.title).collect())
    };
    assert_eq!(
        titles(BoardView::Open)?,
        ["Resolved but open", "Still going"]
    );
    assert!(
        titles(BoardView::Closed)?.is_empty(),
        "resolved is not closed"
    );
    for stage in Stage::ALL {
        let _ = f
            .desk
            .set_stage("INC-1", *stage, StageState::Done, None, None);
    }
    f.desk.close("INC-1", None)?;
    assert_eq!(titles(BoardView::Closed)?, ["Resolved but open"]);
    assert_eq!(titles(BoardView::Open)?, ["Still going"]);
    assert_eq!(titles(BoardView::All)?.len(), 2);
    Ok(())
}
