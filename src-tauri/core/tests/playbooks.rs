//! Playbook data: the roles each level expects, and the gaps on the board.

use incident_core::desk::Declaration;
use incident_core::domain::{
    CheckState, DeadlineState, EntryKind, HypothesisState, IncidentKind, PlaybookItem, Progress,
    Role, Source, Stage, TaskState, progress,
};
use incident_core::replay::replay;
use incident_core::{Desk, ManualClock, Timestamp};
use std::sync::Arc;

type TestResult = Result<(), Box<dyn std::error::Error>>;

#[test]
fn an_unfilled_expected_role_shows_on_the_board_until_someone_holds_it() -> TestResult {
    let dir = tempfile::tempdir()?;
    let desk = Desk::open(dir.path().join("desk.db"))?.with_author("Ada")?;
    assert_eq!(
        desk.expected_roles("L1")?,
        vec![Role::Commander, Role::Scribe, Role::Communications]
    );
    assert_eq!(
        desk.expected_roles("L2")?,
        vec![Role::Commander, Role::Support]
    );
    let record = desk.declare(Declaration::new(
        "Checkout errors",
        IncidentKind::Outage,
        "L1",
    ))?;
    let missing = |desk: &Desk| -> Result<Vec<Role>, Box<dyn std::error::Error>> {
        Ok(desk.list_incidents(false)?[0].missing_roles.clone())
    };
    assert_eq!(
        missing(&desk)?,
        vec![Role::Commander, Role::Scribe, Role::Communications]
    );
    desk.assign(&record.reference, Role::Scribe, "Bo", None)?;
    desk.assign(&record.reference, Role::Commander, "Ada", None)?;
    assert_eq!(missing(&desk)?, vec![Role::Communications]);
    desk.relieve(&record.reference, Role::Scribe, Some("Bo"), None)?;
    assert_eq!(missing(&desk)?, vec![Role::Scribe, Role::Communications]);
    // The data is the team's to change.
    desk.set_expected_roles("L1", &[Role::Commander])?;
    assert!(missing(&desk)?.is_empty());
    assert!(desk.set_expected_roles("L9", &[Role::Commander]).is_err());
    Ok(())
}

fn desk_at(
    dir: &std::path::Path,
    start: &str,
) -> Result<(Desk, ManualClock), Box<dyn std::error::Error>> {
    let clock = ManualClock::new(Timestamp::parse(start)?);
    let desk =
        Desk::open_with_clock(dir.join("desk.db"), Arc::new(clock.clone()))?.with_author("Ada")?;
    Ok((desk, clock))
}

fn security_l1(desk: &Desk) -> Result<String, Box<dyn std::error::Error>> {
    let mut declaration = Declaration::new("Keys leaked", IncidentKind::Security, "L1");
    declaration.source = Some(Source::UserReport);
    Ok(desk.declare(declaration)?.reference)
}

#[test]
fn the_checklist_is_replayed_from_ticks_on_the_timeline_and_a_later_entry_undoes_one() -> TestResult
{
    let dir = tempfile::tempdir()?;
    let (desk, clock) = desk_at(dir.path(), "2026-12-01T14:00:00Z")?;
    let reference = security_l1(&desk)?;
    let lines = desk.checklist(&reference)?;
    assert_eq!(lines.len(), 10, "the security L1 playbook ships ten items");
    assert!(lines.iter().all(|l| l.state == CheckState::Open));
    assert!(lines[0].text.starts_with("Preserve evidence"));
    assert_eq!(lines[0].stage, Stage::Identify);

    desk.mark_check(&reference, "1", CheckState::Done, None)?;
    clock.advance_secs(30);
    desk.mark_check(&reference, "7", CheckState::Done, None)?;
    desk.mark_check(&reference, "2", CheckState::Skipped, None)?;
    // Undone by a later entry, which says who and when.
    clock.advance_secs(30);
    let undo = desk.mark_check(&reference, &lines[6].key, CheckState::Open, None)?;
    assert_eq!(undo.kind, EntryKind::Checklist);
    assert!(undo.text.contains("reopened"), "{}", undo.text);
    // The same mark twice is refused, and changes nothing.
    assert!(
        desk.mark_check(&reference, "1", CheckState::Done, None)
            .is_err()
    );
    assert!(
        desk.mark_check(&reference, "99", CheckState::Done, None)
            .is_err()
    );

    let lines = desk.checklist(&reference)?;
    assert_eq!(lines[0].state, CheckState::Done);
    assert_eq!(lines[0].by.as_deref(), Some("Ada"));
    assert_eq!(lines[1].state, CheckState::Skipped);
    assert_eq!(lines[6].state, CheckState::Open);
    let detail = desk.incident(&reference)?;
    assert_eq!(
        progress(&detail.playbook),
        Progress {
            settled: 2,
            total: 10
        }
    );
    // Per stage, as the room shows it.
    let identify = progress(
        detail
            .playbook
            .iter()
            .filter(|l| l.stage == Stage::Identify),
    );
    assert_eq!(
        identify,
        Progress {
            settled: 1,
            total: 1
        }
    );
    // The board shows the incident's progress.
    let row = &desk.list_incidents(false)?[0];
    assert_eq!(
        row.checklist,
        Progress {
            settled: 2,
            total: 10
        }
    );
    // The state is exactly what the timeline replays to.
    let timeline = desk.recorded_timeline(&reference)?;
    assert_eq!(replay(&reference, &timeline)?, detail.record);
    Ok(())
}

#[test]
fn the_breach_notification_clock_is_a_real_deadline_that_nudges_until_settled() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (desk, clock) = desk_at(dir.path(), "2026-12-01T14:00:00Z")?;
    let reference = security_l1(&desk)?;
    let clock_key = |desk: &Desk| -> Result<
        Option<incident_core::domain::Deadline>,
        Box<dyn std::error::Error>,
    > {
        Ok(desk
            .deadlines(&reference)?
            .deadlines
            .into_iter()
            .find(|d| d.key.starts_with("check:notify-the-supervisory-authority")))
    };
    let breach = clock_key(&desk)?.ok_or("a security L1 has the breach clock")?;
    assert_eq!(breach.due_at, Timestamp::parse("2026-12-04T14:00:00Z")?);
    assert_eq!(breach.label, "Notify the supervisory authority");
    assert_eq!(breach.state, DeadlineState::Pending);
    // An outage has no such clock.
    let outage = desk.declare(Declaration::new("Slow", IncidentKind::Outage, "L1"))?;
    assert!(
        desk.deadlines(&outage.reference)?
            .deadlines
            .iter()
            .all(|d| !d.key.starts_with("check:"))
    );

    clock.advance_secs(72 * 3600 + 60);
    let overdue = clock_key(&desk)?.ok_or("still there")?;
    assert_eq!(overdue.state, DeadlineState::Overdue);
    let nudges = desk.nudges_to_show()?;
    let nudge = nudges
        .iter()
        .find(|n| n.deadline.key == overdue.key)
        .ok_or("the clock nudges like any deadline")?;
    assert!(
        nudge
            .summary
            .contains("Notify the supervisory authority is 1 min overdue"),
        "{}",
        nudge.summary
    );
    // Recording the notification (or why it does not apply) settles it.
    desk.mark_check(&reference, "5", CheckState::Done, None)?;
    assert_eq!(clock_key(&desk)?.ok_or("kept")?.state, DeadlineState::Met);
    Ok(())
}

#[test]
fn tasks_go_to_a_role_holder_fall_due_nudge_and_can_become_action_items() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (desk, clock) = desk_at(dir.path(), "2026-12-01T14:00:00Z")?;
    let reference = security_l1(&desk)?;
    desk.assign(&reference, Role::Operations, "Dana", None)?;
    let due = Timestamp::parse("2026-12-01T14:30:00Z")?;
    let task = desk.add_task(
        &reference,
        "Rotate the API keys",
        Some("ops lead"),
        Some(due),
        None,
    )?;
    assert_eq!(task.owner.as_deref(), Some("Dana"));
    assert_eq!(task.owner_role, Some(Role::Operations));
    let other = desk.add_task(&reference, "Pull the CDN logs", Some("Bo"), None, None)?;
    assert_eq!(other.owner.as_deref(), Some("Bo"));
    assert!(desk.add_task(&reference, " ", None, None, None).is_err());
    assert!(
        desk.add_task(
            &reference,
            "Late",
            None,
            Some(Timestamp::parse("2026-12-01T13:00:00Z")?),
            None
        )
        .is_err(),
        "a task is not due in the past"
    );
    assert_eq!(desk.list_incidents(false)?[0].tasks_open, 2);

    clock.advance_secs(31 * 60);
    let key = format!("task:{}", task.id);
    let nudges = desk.nudges_to_show()?;
    let nudge = nudges
        .iter()
        .find(|n| n.deadline.key == key)
        .ok_or("an overdue task nudges")?;
    assert!(
        nudge
            .summary
            .contains("task \"Rotate the API keys\" is 1 min overdue"),
        "{}",
        nudge.summary
    );
    desk.set_task_state(&reference, "1", TaskState::Done, None)?;
    let met = desk
        .deadlines(&reference)?
        .deadlines
        .into_iter()
        .find(|d| d.key == key);
    assert_eq!(met.map(|d| d.state), Some(DeadlineState::Met));

    let item = desk.promote_task(&reference, "2", None)?;
    assert_eq!(item.title, "Pull the CDN logs");
    assert_eq!(item.owner.as_deref(), Some("Bo"));
    assert!(
        desk.promote_task(&reference, "2", None).is_err(),
        "promoted once"
    );
    let detail = desk.incident(&reference)?;
    assert!(detail.record.action_items.iter().any(|a| a.id == item.id));
    assert!(detail.record.tasks.iter().all(|t| !t.is_open()));
    assert_eq!(desk.list_incidents(false)?[0].tasks_open, 0);
    let timeline = desk.recorded_timeline(&reference)?;
    assert_eq!(replay(&reference, &timeline)?, detail.record);
    Ok(())
}

#[test]
fn hypotheses_are_tagged_notes_ruled_out_or_confirmed_and_the_brief_holds_them() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (desk, _clock) = desk_at(dir.path(), "2026-12-01T14:00:00Z")?;
    let reference = security_l1(&desk)?;
    let token = desk.add_note(&reference, "hypothesis: a leaked CI token", None, None)?;
    let laptop = desk.add_note(&reference, "Hyp: a stolen laptop", None, None)?;
    let plain = desk.add_note(&reference, "looked at the VPN logs", None, None)?;
    desk.mark_hypothesis(
        &reference,
        &laptop.n.to_string(),
        HypothesisState::RuledOut,
        None,
    )?;
    assert!(
        desk.mark_hypothesis(
            &reference,
            &plain.n.to_string(),
            HypothesisState::Confirmed,
            None
        )
        .is_err(),
        "only a tagged note is a hypothesis"
    );
    let detail = desk.incident(&reference)?;
    let states: Vec<(&str, HypothesisState)> = detail
        .hypotheses
        .iter()
        .map(|h| (h.text.as_str(), h.state))
        .collect();
    assert_eq!(
        states,
        vec![
            ("a leaked CI token", HypothesisState::Open),
            ("a stolen laptop", HypothesisState::RuledOut)
        ]
    );
    desk.add_task(&reference, "Rotate the API keys", None, None, None)?;
    desk.mark_check(&reference, "1", CheckState::Done, None)?;
    let brief = desk.brief(&reference)?.text;
    assert!(
        brief.contains("Hypotheses: open: a leaked CI token; ruled out: a stolen laptop"),
        "{brief}"
    );
    assert!(brief.contains("Tasks: Rotate the API keys"), "{brief}");
    assert!(
        brief.contains(
            "Checklist: 1 of 10 settled; open: classify: Bring in the security lead; \
             classify: If personal data may be involved, bring in legal or privacy; \
             communicate: No speculation in public messages…; and 6 more"
        ),
        "{brief}"
    );
    assert!(brief.contains("Tried and seen: "), "{brief}");
    assert!(
        !brief.contains("Tried and seen: 14:00 hypothesis"),
        "hypotheses are not recounted as tried: {brief}"
    );
    assert!(
        brief.contains("; Notify the supervisory authority Fri 04 Dec 14:00"),
        "the clock is among the next deadlines, however far: {brief}"
    );
    let _ = token;
    Ok(())
}

#[test]
fn playbooks_are_data_exported_and_imported_and_a_bad_file_changes_nothing() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (desk, _clock) = desk_at(dir.path(), "2026-12-01T14:00:00Z")?;
    let all = desk.playbooks()?;
    assert_eq!(all.len(), IncidentKind::ALL.len() * 2, "every kind × level");
    assert!(
        all.iter().all(|p| !p.items.is_empty()),
        "defaults for every kind × level"
    );
    let security = all
        .iter()
        .find(|p| p.kind == IncidentKind::Security && p.level == "L1")
        .ok_or("security L1")?;
    for needed in [
        "Preserve evidence",
        "security lead",
        "legal or privacy",
        "Rotate exposed credentials",
        "No speculation",
    ] {
        assert!(
            security.items.iter().any(|i| i.text.contains(needed)),
            "{needed}"
        );
    }

    // Edited in Settings: a new item gets a key from its text.
    let mut edited = security.clone();
    edited.items.push(PlaybookItem {
        key: String::new(),
        stage: Stage::Remediate,
        text: "Revoke the leaked OAuth grants".into(),
        owner_role: Some(Role::Operations),
        due_hours: None,
    });
    let saved = desk.set_playbook(&edited)?;
    assert_eq!(
        saved.items.last().map(|i| i.key.as_str()),
        Some("revoke-the-leaked-oauth-grants")
    );
    let mut twice = saved.clone();
    twice.items.push(saved.items[0].clone());
    assert!(
        desk.set_playbook(&twice).is_err(),
        "a key used twice is refused"
    );

    let file = dir.path().join("playbooks.json");
    assert_eq!(desk.export_playbooks(&file)?, 8);
    assert!(
        desk.export_playbooks(&dir.path().join("desk.db")).is_err(),
        "never over the database"
    );

    let other_dir = tempfile::tempdir()?;
    let (other, _) = desk_at(other_dir.path(), "2026-12-01T14:00:00Z")?;
    let imported = other.import_playbooks(&file)?;
    assert_eq!(imported.len(), 8);
    assert_eq!(other.playbooks()?, desk.playbooks()?);

    let before = other.playbooks()?;
    let bad = |name: &str, text: &str| -> Result<String, Box<dyn std::error::Error>> {
        let path = other_dir.path().join(name);
        std::fs::write(&path, text)?;
        let error = other.import_playbooks(&path).err().ok_or("refused")?;
        Ok(error.to_string())
    };
    assert!(
        bad(
            "a.json",
            "{\"format\": \"incident-desk-playbooks\", \"version\": 1, \"playbooks\": ["
        )?
        .contains("truncated")
    );
    assert!(
        bad("b.json", "{\"format\": \"something-else\"}")?
            .contains("not an Incident Desk playbooks file")
    );
    assert!(
        bad(
            "c.json",
            "{\"format\": \"incident-desk-playbooks\", \"version\": 9, \"playbooks\": []}"
        )?
        .contains("version 9")
    );
    let bad_key = r#"{"format":"incident-desk-playbooks","version":1,"playbooks":[
        {"kind":"outage","level":"L1","items":[{"key":"Not A Key","stage":"identify","text":"x"}]}]}"#;
    assert!(bad("d.json", bad_key)?.contains("is not a key"));
    let unknown_level = r#"{"format":"incident-desk-playbooks","version":1,"playbooks":[
        {"kind":"outage","level":"L7","items":[{"key":"a","stage":"identify","text":"x"}]}]}"#;
    assert!(bad("e.json", unknown_level)?.contains("level L7"));
    let long_clock = r#"{"format":"incident-desk-playbooks","version":1,"playbooks":[
        {"kind":"outage","level":"L1","items":[{"key":"a","stage":"identify","text":"x","due_hours":0}]}]}"#;
    assert!(bad("f.json", long_clock)?.contains("a clock runs between 1"));
    assert!(bad("g.json", "")?.contains("empty"));
    assert_eq!(other.playbooks()?, before, "nothing changed");
    Ok(())
}

#[test]
fn a_tick_from_a_laptop_with_another_playbook_still_shows_with_its_text() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (desk, _clock) = desk_at(dir.path(), "2026-12-01T14:00:00Z")?;
    let reference = security_l1(&desk)?;
    desk.mark_check(&reference, "1", CheckState::Done, None)?;
    // This laptop's playbook changes afterwards: the tick keeps its text.
    let mut security = desk
        .playbooks()?
        .into_iter()
        .find(|p| p.kind == IncidentKind::Security && p.level == "L1")
        .ok_or("security L1")?;
    security.items.remove(0);
    desk.set_playbook(&security)?;
    let lines = desk.checklist(&reference)?;
    assert_eq!(lines.len(), 10);
    let kept = lines
        .iter()
        .find(|l| l.text.starts_with("Preserve evidence"))
        .ok_or("the ticked item stays listed")?;
    assert_eq!(kept.state, CheckState::Done);
    Ok(())
}
