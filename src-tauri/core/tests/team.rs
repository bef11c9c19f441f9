//! Team mode without a network: laptops (desks on their own databases and
//! clocks) exchange entries through the replication seam, as the file
//! transport does. One test per conflict rule of docs/team.md, and the
//! properties they rest on: idempotence, parking, references, skew, and the
//! migration of a database written by release 0.1.0.

use incident_core::desk::{Classification, Declaration, RemoteEntry};
use incident_core::domain::*;
use incident_core::replay::replay;
use incident_core::{Desk, ManualClock, Timestamp};
use std::sync::Arc;

type TestResult = Result<(), Box<dyn std::error::Error>>;
type Outcome<T> = Result<T, Box<dyn std::error::Error>>;

struct Laptop {
    desk: Desk,
    clock: ManualClock,
    _dir: tempfile::TempDir,
}

fn t(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap_or(Timestamp::from_millis(0))
}

fn laptop(author: &str) -> Outcome<Laptop> {
    let dir = tempfile::tempdir()?;
    let clock = ManualClock::new(t("2026-12-01T09:00:00Z"));
    let desk = Desk::open_with_clock(dir.path().join("desk.db"), Arc::new(clock.clone()))?
        .with_author(author)?;
    Ok(Laptop {
        desk,
        clock,
        _dir: dir,
    })
}

/// Everything `from` holds, applied to `to`.
fn sync(from: &Laptop, to: &Laptop) -> Outcome<incident_core::desk::ApplyReport> {
    let (entries, _) = from.desk.entries_since(None)?;
    Ok(to.desk.apply_remote(entries)?)
}

fn both_ways(a: &Laptop, b: &Laptop) -> TestResult {
    sync(a, b)?;
    sync(b, a)?;
    Ok(())
}

fn record(laptop: &Laptop, reference: &str) -> Outcome<IncidentRecord> {
    Ok(laptop.desk.incident(reference)?.record)
}

/// The two laptops agree: same state, same timeline order, and the state is
/// the fold of the timeline.
fn agree(a: &Laptop, b: &Laptop, reference: &str) -> Outcome<IncidentRecord> {
    let (left, right) = (record(a, reference)?, record(b, reference)?);
    assert_eq!(left, right, "the laptops disagree on {reference}");
    let order = |l: &Laptop| -> Outcome<Vec<String>> {
        Ok(l.desk
            .recorded_timeline(reference)?
            .into_iter()
            .map(|e| e.id)
            .collect())
    };
    assert_eq!(
        order(a)?,
        order(b)?,
        "the timelines are in different orders"
    );
    assert_eq!(
        replay(reference, &a.desk.recorded_timeline(reference)?)?,
        left
    );
    Ok(left)
}

/// Alice and Bob, an incident declared on Alice's laptop and synced.
fn pair() -> Outcome<(Laptop, Laptop)> {
    let a = laptop("Alice")?;
    let b = laptop("Bob")?;
    a.desk.declare(Declaration::new(
        "Checkout errors",
        IncidentKind::Outage,
        "L1",
    ))?;
    sync(&a, &b)?;
    Ok((a, b))
}

fn notes_on(record: &IncidentRecord, subject: &str) -> Vec<ConflictNote> {
    record
        .conflicts
        .iter()
        .filter(|c| c.subject == subject)
        .cloned()
        .collect()
}

#[test]
fn two_commanders_assigned_at_once_the_later_holds_it_until_someone_assigns_again() -> TestResult {
    let (a, b) = pair()?;
    a.clock.advance_secs(60);
    b.clock.advance_secs(90); // Bob's assignment is the later one
    a.desk.assign("INC-1", Role::Commander, "Alice", None)?;
    b.desk.assign("INC-1", Role::Commander, "Bob", None)?;
    both_ways(&a, &b)?;
    let state = agree(&a, &b, "INC-1")?;
    assert_eq!(state.commander(), Some("Bob"));
    let notes = notes_on(&state, "role:commander");
    assert_eq!(notes.len(), 1, "{:?}", state.conflicts);
    assert!(
        notes[0].message.contains("concurrent assignment"),
        "{}",
        notes[0].message
    );
    // Someone who has seen both assigns again: the note goes, everywhere.
    a.clock.advance_secs(120);
    a.desk.assign("INC-1", Role::Commander, "Carol", None)?;
    both_ways(&a, &b)?;
    let state = agree(&a, &b, "INC-1")?;
    assert_eq!(state.commander(), Some("Carol"));
    assert!(notes_on(&state, "role:commander").is_empty());
    Ok(())
}

#[test]
fn a_stage_done_on_one_laptop_and_skipped_on_the_other() -> TestResult {
    let (a, b) = pair()?;
    a.clock.advance_secs(60);
    b.clock.advance_secs(30);
    b.desk.set_stage(
        "INC-1",
        Stage::Diagnose,
        StageState::Skipped,
        Some("known bug".into()),
        None,
    )?;
    a.desk
        .set_stage("INC-1", Stage::Diagnose, StageState::Done, None, None)?;
    both_ways(&a, &b)?;
    let state = agree(&a, &b, "INC-1")?;
    assert_eq!(
        state.stages.diagnose.state,
        StageState::Done,
        "the later (Alice's) stands"
    );
    let notes = notes_on(&state, "stage:diagnose");
    assert_eq!(notes.len(), 1);
    assert!(
        notes[0].message.contains("skipped and to done"),
        "{}",
        notes[0].message
    );
    // Both doing the same is no conflict at all.
    a.desk
        .set_stage("INC-1", Stage::Repair, StageState::Active, None, None)?;
    b.desk
        .set_stage("INC-1", Stage::Repair, StageState::Active, None, None)?;
    both_ways(&a, &b)?;
    assert!(notes_on(&agree(&a, &b, "INC-1")?, "stage:repair").is_empty());
    Ok(())
}

#[test]
fn a_title_and_the_classification_edited_on_both() -> TestResult {
    let (a, b) = pair()?;
    a.clock.advance_secs(10);
    b.clock.advance_secs(20);
    a.desk
        .edit("INC-1", Some("Checkout down in EU".into()), None, None)?;
    b.desk.edit(
        "INC-1",
        Some("Checkout errors (payments)".into()),
        None,
        None,
    )?;
    a.desk.classify(
        "INC-1",
        Classification {
            level: Some("L2".into()),
            ..Classification::default()
        },
        None,
    )?;
    b.desk.classify(
        "INC-1",
        Classification {
            services: Some(vec!["payments".into()]),
            ..Classification::default()
        },
        None,
    )?;
    both_ways(&a, &b)?;
    let state = agree(&a, &b, "INC-1")?;
    assert_eq!(state.title, "Checkout errors (payments)");
    assert_eq!(notes_on(&state, "title").len(), 1);
    // Different fields of the classification are no conflict: both apply.
    assert_eq!(state.level, "L2");
    assert_eq!(state.scope.services, ["payments"]);
    assert!(notes_on(&state, "level").is_empty() && notes_on(&state, "services").is_empty());
    Ok(())
}

#[test]
fn a_message_approved_on_one_laptop_and_edited_on_the_other() -> TestResult {
    let (a, b) = pair()?;
    let draft = a.desk.draft_communication(
        "INC-1",
        Channel::StatusPage,
        "",
        "We are investigating",
        None,
    )?;
    both_ways(&a, &b)?;
    // Alice edits, and Bob (unaware) approves the old words a moment later.
    a.clock.advance_secs(10);
    b.clock.advance_secs(20);
    a.desk.edit_communication(
        "INC-1",
        &draft.id,
        "We are investigating checkout errors",
        None,
    )?;
    b.desk.approve_communication("INC-1", &draft.id, None)?;
    both_ways(&a, &b)?;
    let state = agree(&a, &b, "INC-1")?;
    let message = state
        .communications
        .iter()
        .find(|c| c.id == draft.id)
        .ok_or("the draft")?;
    assert_eq!(message.body, "We are investigating checkout errors");
    assert_eq!(
        message.state,
        CommunicationState::Draft,
        "an approval of other words does not count"
    );
    let notes = notes_on(&state, &format!("message:{}", draft.id));
    assert_eq!(notes.len(), 1);
    assert!(
        notes[0].message.contains("needs approving again"),
        "{}",
        notes[0].message
    );
    // The other order: approved first, edited later — the edit voids it, as today.
    b.clock.advance_secs(60);
    b.desk.approve_communication("INC-1", &draft.id, None)?;
    a.clock.advance_secs(120);
    a.desk.edit_communication(
        "INC-1",
        &draft.id,
        "Checkout errors for some EU customers",
        None,
    )?;
    both_ways(&a, &b)?;
    let state = agree(&a, &b, "INC-1")?;
    let message = state
        .communications
        .iter()
        .find(|c| c.id == draft.id)
        .ok_or("the draft")?;
    assert_eq!(message.state, CommunicationState::Draft);
    Ok(())
}

#[test]
fn closed_on_one_laptop_while_the_other_reopened_a_stage_and_added_an_action_item() -> TestResult {
    let (a, b) = pair()?;
    for stage in Stage::ALL {
        let _ = a.desk.set_stage(
            "INC-1",
            *stage,
            StageState::Skipped,
            Some("drill".into()),
            None,
        );
    }
    both_ways(&a, &b)?;
    a.clock.advance_secs(10);
    b.clock.advance_secs(20);
    a.desk.close("INC-1", None)?;
    b.desk
        .set_stage("INC-1", Stage::Diagnose, StageState::Active, None, None)?;
    b.desk
        .add_action_item("INC-1", "Find the root cause", Some("Bob"), None, None)?;
    both_ways(&a, &b)?;
    let state = agree(&a, &b, "INC-1")?;
    // The close came first: the stage change is kept on the timeline but
    // cannot apply to a closed incident; follow-ups still can.
    assert!(state.is_closed());
    assert_eq!(state.stages.diagnose.state, StageState::Skipped);
    let notes = notes_on(&state, "stage:diagnose");
    assert_eq!(notes.len(), 1);
    assert!(!notes[0].applied);
    assert!(
        notes[0].message.contains("is closed"),
        "{}",
        notes[0].message
    );
    assert!(
        state
            .action_items
            .iter()
            .any(|i| i.title == "Find the root cause")
    );
    let timeline = a.desk.recorded_timeline("INC-1")?;
    assert!(
        timeline.iter().any(|e| e.id == notes[0].entry_id),
        "nothing is dropped"
    );
    Ok(())
}

#[test]
fn a_correction_of_an_entry_the_other_laptop_has_not_seen_yet() -> TestResult {
    let (a, b) = pair()?;
    let wrong = a.desk.add_note("INC-1", "Error rate 50%", None, None)?;
    let fix = a
        .desk
        .add_note("INC-1", "Error rate was 5%, not 50%", None, Some(wrong.n))?;
    // Only the correction reaches Bob at first.
    let (everything, _) = a.desk.entries_since(None)?;
    let only_fix: Vec<RemoteEntry> = everything
        .iter()
        .filter(|e| e.entry.id == fix.id)
        .cloned()
        .collect();
    b.desk.apply_remote(only_fix)?;
    let seen = b.desk.incident("INC-1")?.timeline;
    let correction = seen
        .iter()
        .find(|e| e.id == fix.id)
        .ok_or("the correction")?;
    assert_eq!(correction.supersedes_id.as_deref(), Some(wrong.id.as_str()));
    assert_eq!(correction.supersedes, None, "its target has not arrived");
    // Then the rest: the correction finds what it corrects.
    b.desk.apply_remote(everything)?;
    let seen = b.desk.incident("INC-1")?.timeline;
    let original = seen
        .iter()
        .find(|e| e.id == wrong.id)
        .ok_or("the original")?;
    let correction = seen
        .iter()
        .find(|e| e.id == fix.id)
        .ok_or("the correction")?;
    assert_eq!(original.superseded_by, Some(correction.n));
    agree(&a, &b, "INC-1")?;
    Ok(())
}

#[test]
fn the_same_entry_twice_is_nothing_and_early_entries_wait_for_their_declaration() -> TestResult {
    let a = laptop("Alice")?;
    let b = laptop("Bob")?;
    a.desk.declare(Declaration::new(
        "Search slow",
        IncidentKind::Degradation,
        "L2",
    ))?;
    a.desk
        .add_note("INC-1", "Looking at the indexers", None, None)?;
    let (entries, _) = a.desk.entries_since(None)?;
    let (declaration, rest): (Vec<RemoteEntry>, Vec<RemoteEntry>) = entries
        .into_iter()
        .partition(|e| e.entry.kind == EntryKind::Declared);
    let early = b.desk.apply_remote(rest.clone())?;
    assert_eq!((early.applied, early.parked), (0, rest.len()));
    assert!(
        b.desk.incident("INC-1").is_err(),
        "no incident before its declaration"
    );
    let arrived = b.desk.apply_remote(declaration.clone())?;
    assert_eq!(arrived.applied, 1);
    let total = declaration.len() + rest.len();
    let again = b.desk.apply_remote([declaration, rest].concat())?;
    assert_eq!((again.applied, again.duplicates), (0, total));
    agree(&a, &b, "INC-1")?;
    // A crafted entry is refused by the gate, and nothing else with it changes.
    let (mut bad, _) = a.desk.entries_since(None)?;
    if let Some(first) = bad.first_mut() {
        first.entry.id = "not-an-id".into();
        first.entry.text = "x".repeat(50_000);
    }
    let report = b.desk.apply_remote(bad)?;
    assert_eq!(report.refused.len(), 1, "{report:?}");
    Ok(())
}

#[test]
fn references_never_collide_across_a_team_and_clashes_settle_the_same_everywhere() -> TestResult {
    // Two laptops on their own both mint INC-1; merged, the earlier keeps it.
    let a = laptop("Alice")?;
    let b = laptop("Bob")?;
    a.clock.advance_secs(5);
    b.clock.advance_secs(10);
    a.desk
        .declare(Declaration::new("Earlier", IncidentKind::Outage, "L1"))?;
    b.desk
        .declare(Declaration::new("Later", IncidentKind::Outage, "L2"))?;
    sync(&b, &a)?; // arrival orders differ: the result does not
    sync(&a, &b)?;
    for laptop in [&a, &b] {
        let rows = laptop.desk.list_incidents(true)?;
        let of = |title: &str| {
            rows.iter()
                .find(|r| r.title == title)
                .map(|r| r.reference.clone())
        };
        assert_eq!(of("Earlier").as_deref(), Some("INC-1"));
        let later = of("Later").ok_or("the later incident")?;
        let tag = b.desk.team_info()?.tag;
        assert_eq!(later, format!("INC-1-{tag}"));
    }
    // In a team, references carry their node's tag: no clash to begin with.
    let c = laptop("Carol")?;
    c.desk.join_team("payments-sre")?;
    let minted = c.desk.declare(Declaration::new(
        "Team incident",
        IncidentKind::Outage,
        "L1",
    ))?;
    assert_eq!(
        minted.reference,
        format!("INC-1-{}", c.desk.team_info()?.tag)
    );
    sync(&c, &a)?;
    assert_eq!(
        a.desk.incident(&minted.reference)?.record.title,
        "Team incident"
    );
    // References are still found in any case.
    assert!(a.desk.incident(&minted.reference.to_lowercase()).is_ok());
    Ok(())
}

#[test]
fn a_stamp_from_a_clock_far_ahead_is_kept_flagged_and_does_not_drag_ours() -> TestResult {
    let (a, b) = pair()?;
    a.desk
        .declare(Declaration::new("Another one", IncidentKind::Outage, "L2"))?;
    b.clock.advance_secs(24 * 3600); // Bob's clock is a day ahead
    b.desk.add_note("INC-1", "From the future", None, None)?;
    let report = sync(&b, &a)?;
    assert_eq!(report.skewed, 1);
    let tomorrow = t("2026-12-01T10:00:00Z").millis();

    // Elsewhere, our stamps stay on our clock.
    let elsewhere = a.desk.add_note("INC-2", "Another incident", None, None)?;
    let stamp = Hlc::parse(&elsewhere.hlc)?;
    assert!(
        stamp.ms < tomorrow,
        "our clock followed the skewed stamp: {}",
        elsewhere.hlc
    );

    // In its incident, an answer still sorts after what it answers.
    let answer = a.desk.add_note("INC-1", "Written here after", None, None)?;
    assert!(answer.hlc > answer.seen.clone().unwrap_or_default());
    let timeline = a.desk.recorded_timeline("INC-1")?;
    let texts: Vec<&str> = timeline.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(
        texts[texts.len() - 2..],
        ["From the future", "Written here after"]
    );

    // ...and does not drag the rest along either.
    let later = a.desk.add_note("INC-2", "Still our clock", None, None)?;
    assert!(Hlc::parse(&later.hlc)?.ms < tomorrow, "{}", later.hlc);
    assert!(later.hlc > elsewhere.hlc);
    Ok(())
}

#[test]
fn a_database_written_by_release_0_1_0_migrates_with_derived_ids_and_stamps() -> TestResult {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/release-0.1.0");
    let mut ids = Vec::new();
    for _ in 0..2 {
        let dir = tempfile::tempdir()?;
        let db = dir.path().join("desk.db");
        std::fs::copy(format!("{fixtures}/desk.db"), &db)?;
        let desk = Desk::open(&db)?;
        let mut all_ids = Vec::new();
        for reference in ["INC-1", "INC-2"] {
            let before: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(
                format!("{fixtures}/{reference}.json"),
            )?)?;
            let detail = desk.incident(reference)?;
            let mut after = serde_json::to_value(&detail)?;
            // What the migration adds, and what depends on the hour it runs.
            for value in [&mut after] {
                if let Some(map) = value.as_object_mut() {
                    map.remove("conflicts");
                    map.remove("deadlines");
                }
                for entry in value["timeline"].as_array_mut().into_iter().flatten() {
                    if let Some(map) = entry.as_object_mut() {
                        for key in ["id", "hlc", "seen", "supersedes_id"] {
                            map.remove(key);
                        }
                    }
                }
            }
            let mut before = before;
            if let Some(map) = before.as_object_mut() {
                map.remove("deadlines");
            }
            // Guidance and the playbook's checklist are derived for the
            // reader now, not stored: not part of what a migration keeps.
            // The playbook's marks, tasks and hypotheses start empty.
            for detail in [&mut after, &mut before] {
                if let Some(map) = detail.as_object_mut() {
                    for key in ["guidance", "playbook", "hypotheses"] {
                        map.remove(key);
                    }
                }
            }
            // Messages gained their outbox fields, empty.
            for message in after["communications"].as_array_mut().into_iter().flatten() {
                if let Some(map) = message.as_object_mut() {
                    for key in ["queued_to", "publish_error", "sent_via", "service_thread"] {
                        assert_eq!(map.remove(key), Some(serde_json::Value::Null), "{key}");
                    }
                }
            }
            for key in ["checks", "tasks", "hypothesis_marks"] {
                assert_eq!(after[key], serde_json::json!([]), "{reference}: {key}");
                if let Some(map) = after.as_object_mut() {
                    map.remove(key);
                }
            }
            assert_eq!(after, before, "{reference} changed in the migration");
            assert!(detail.record.conflicts.is_empty());
            let timeline = desk.recorded_timeline(reference)?;
            assert_eq!(replay(reference, &timeline)?, detail.record);
            for entry in &timeline {
                assert!(Hlc::parse(&entry.hlc).is_ok(), "{}", entry.hlc);
            }
            // The correction keeps pointing at what it corrects, by id now.
            if let Some(fix) = timeline.iter().find(|e| e.kind == EntryKind::Correction) {
                assert!(fix.supersedes_id.is_some() && fix.supersedes.is_some());
            }
            all_ids.extend(timeline.into_iter().map(|e| e.id));
        }
        // Everything here is waiting to be sent, once.
        assert_eq!(desk.outbox(1000)?.len(), all_ids.len());
        ids.push(all_ids);
    }
    assert_eq!(
        ids[0], ids[1],
        "every laptop derives the same ids for old entries"
    );
    Ok(())
}

#[test]
fn entry_numbers_are_the_same_on_every_laptop_once_in_sync() -> TestResult {
    let (a, b) = pair()?;
    a.desk.add_note("INC-1", "Alice offline", None, None)?;
    b.clock.advance_secs(1);
    b.desk.add_note("INC-1", "Bob offline", None, None)?;
    a.clock.advance_secs(2);
    a.desk.add_note("INC-1", "Alice again", None, None)?;
    both_ways(&a, &b)?;
    let numbered = |laptop: &Laptop| -> Outcome<Vec<(i64, String)>> {
        Ok(laptop
            .desk
            .incident("INC-1")?
            .timeline
            .into_iter()
            .map(|e| (e.n, e.text))
            .collect())
    };
    let on_a = numbered(&a)?;
    assert_eq!(on_a, numbered(&b)?);
    // A correction by number names the same entry everywhere.
    let bobs = on_a
        .iter()
        .find(|(_, text)| text == "Bob offline")
        .map(|(n, _)| *n);
    let correction = b.desk.add_note("INC-1", "Bob, corrected", None, bobs)?;
    sync(&b, &a)?;
    let corrected = a
        .desk
        .incident("INC-1")?
        .timeline
        .into_iter()
        .find(|e| e.text == "Bob offline")
        .and_then(|e| e.superseded_by);
    assert_eq!(corrected, Some(correction.n));
    Ok(())
}

#[test]
fn checklist_ticks_tasks_and_hypotheses_travel_and_a_forged_tick_folds_into_nothing() -> TestResult
{
    let (a, b) = (laptop("Ana")?, laptop("Ben")?);
    let mut declaration = Declaration::new("Keys leaked", IncidentKind::Security, "L1");
    declaration.source = Some(Source::UserReport);
    let reference = a.desk.declare(declaration)?.reference;
    a.clock.advance_secs(10);
    a.desk.mark_check(&reference, "1", CheckState::Done, None)?;
    a.desk
        .add_task(&reference, "Rotate the API keys", Some("Dana"), None, None)?;
    let note = a
        .desk
        .add_note(&reference, "hypothesis: a leaked CI token", None, None)?;
    sync(&a, &b)?;
    // Apart, both act on the same item: the later stamp wins, the other is noted.
    a.clock.advance_secs(10);
    b.clock.advance_secs(40);
    a.desk.mark_check(&reference, "2", CheckState::Done, None)?;
    b.desk
        .mark_check(&reference, "2", CheckState::Skipped, None)?;
    b.desk
        .mark_hypothesis(&reference, &note.id, HypothesisState::RuledOut, None)?;
    both_ways(&a, &b)?;
    let agreed = agree(&a, &b, &reference)?;
    assert_eq!(agreed.tasks.len(), 1);
    assert_eq!(agreed.hypothesis_marks.len(), 1);
    let lines = b.desk.checklist(&reference)?;
    assert_eq!(lines[0].state, CheckState::Done);
    assert_eq!(lines[1].state, CheckState::Skipped, "Ben's later mark wins");
    assert!(
        agreed
            .conflicts
            .iter()
            .any(|c| c.subject == format!("check:{}", lines[1].key)),
        "the concurrent marks show as a conflict: {:?}",
        agreed.conflicts
    );

    // A forged entry with a key no keyboard could make: stored or refused,
    // it never becomes part of the checklist.
    let (mut entries, _) = a.desk.entries_since(None)?;
    let mut forged = entries.pop().ok_or("entries")?;
    forged.entry.id = "01a2ffff-0000-7000-8000-000000000001".into();
    forged.entry.hlc = "9999999999999-0000-ffffffffffffffff".into();
    forged.entry.kind = EntryKind::Checklist;
    forged.entry.text = "Checklist: done".into();
    forged.entry.change = Some(Change::ChecklistMarked {
        item: "<script>alert(1)</script>".into(),
        text: "x".into(),
        stage: Stage::Identify,
        state: CheckState::Done,
    });
    let _ = b.desk.apply_remote(vec![forged]);
    let lines = b.desk.checklist(&reference)?;
    assert!(lines.iter().all(|l| !l.key.contains('<')), "{lines:?}");
    assert_eq!(lines.len(), 10);
    Ok(())
}

#[test]
fn a_services_thread_travels_with_the_sent_message_and_a_forged_one_is_refused() -> TestResult {
    use incident_core::desk::Attempt;
    use incident_core::domain::{Channel, PublishTarget};
    let (a, b) = (laptop("Ana")?, laptop("Ben")?);
    let reference = a
        .desk
        .declare(Declaration::new(
            "Checkout errors",
            IncidentKind::Outage,
            "L2",
        ))?
        .reference;
    let forged_target =
        a.desk
            .draft_communication(&reference, Channel::Internal, "", "forged", None)?;
    let real = a
        .desk
        .draft_communication(&reference, Channel::Internal, "", "real", None)?;
    sync(&a, &b)?;

    // Another laptop says the first went out with a "thread" no service
    // would give: over-long, with spaces and a line break.
    let (mut entries, _) = a.desk.entries_since(None)?;
    let mut forged = entries.pop().ok_or("entries")?;
    forged.entry.id = "01a2ffff-0000-7000-8000-000000000002".into();
    forged.entry.hlc = "9999999999999-0000-ffffffffffffffff".into();
    forged.entry.kind = EntryKind::Communication;
    forged.entry.text = "Sent".into();
    forged.entry.change = Some(Change::CommunicationSent {
        id: forged_target.id.clone(),
        published_to: None,
        via: Some(PublishTarget::Slack),
        thread: Some(format!("1764590000.000001 \n{}", "x".repeat(300))),
    });
    let _ = b.desk.apply_remote(vec![forged]);
    let on_b = b.desk.incident(&reference)?.record;
    let message = on_b
        .communications
        .iter()
        .find(|c| c.id == forged_target.id)
        .ok_or("message")?;
    assert_eq!(
        message.service_thread, None,
        "a forged thread is never kept"
    );

    // A real one, confirmed by the service on Ana's laptop, reaches Ben.
    a.desk
        .queue_publication(&reference, &real.id, PublishTarget::Slack)?;
    let due = a.desk.due_publications()?;
    a.desk.publication_attempted(
        &due[0].id,
        Attempt::Confirmed {
            published_to: "Slack channel C0INC".into(),
            external_ref: Some("1764590000.000001".into()),
            link: Some("1764590000.000001".into()),
        },
    )?;
    sync(&a, &b)?;
    let on_b = b.desk.incident(&reference)?.record;
    let message = on_b
        .communications
        .iter()
        .find(|c| c.id == real.id)
        .ok_or("message")?;
    assert_eq!(message.sent_via, Some(PublishTarget::Slack));
    assert_eq!(message.service_thread.as_deref(), Some("1764590000.000001"));
    Ok(())
}
