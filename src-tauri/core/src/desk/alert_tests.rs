//! The alert inbox against a real database, with an injected clock.

use super::*;
use crate::ErrorCode;
use crate::domain::*;
use crate::time::ManualClock;

type TestResult = std::result::Result<(), Box<dyn std::error::Error>>;

fn t(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap_or(Timestamp::from_millis(0))
}

fn desk() -> std::result::Result<(Desk, ManualClock, tempfile::TempDir), Box<dyn std::error::Error>>
{
    let dir = tempfile::tempdir()?;
    let clock = ManualClock::new(t("2026-11-30T09:00:00Z"));
    let desk = Desk::open_with_clock(dir.path().join("alerts.db"), Arc::new(clock.clone()))?
        .with_author("Ada")?;
    Ok((desk, clock, dir))
}

fn checkout(fingerprint: &str) -> AlertInput {
    let mut input = AlertInput::new(
        "alertmanager",
        "checkout",
        Severity::Critical,
        "5xx above 5%",
    );
    input.fingerprint = Some(fingerprint.into());
    input.link = Some("https://grafana.example/d/checkout".into());
    input.started_at = Some(t("2026-11-30T08:55:00Z"));
    input
}

#[test]
fn repeats_group_by_fingerprint_and_resolution_shows() -> TestResult {
    let (desk, clock, _dir) = desk()?;
    let first = desk.receive_alerts(vec![checkout("fp1")])?;
    assert!(first[0].fired);
    clock.advance_secs(60);
    let again = desk.receive_alerts(vec![checkout("fp1"), checkout("fp1")])?;
    assert!(!again[0].fired && !again[1].fired, "a repeat is not news");
    let inbox = desk.alerts(false)?;
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].count, 3);
    assert_eq!(inbox[0].first_seen, t("2026-11-30T09:00:00Z"));
    assert_eq!(inbox[0].last_seen, t("2026-11-30T09:01:00Z"));
    assert_eq!(inbox[0].started_at, t("2026-11-30T08:55:00Z"));

    clock.advance_secs(60);
    let mut resolved = checkout("fp1");
    resolved.resolved = true;
    desk.receive_alerts(vec![resolved])?;
    let inbox = desk.alerts(false)?;
    assert_eq!(inbox[0].resolved_at, Some(t("2026-11-30T09:02:00Z")));
    assert_eq!(inbox[0].count, 3);

    // Firing again after resolving is news again.
    clock.advance_secs(60);
    let refired = desk.receive_alerts(vec![checkout("fp1")])?;
    assert!(refired[0].fired);
    assert_eq!(refired[0].alert.resolved_at, None);
    Ok(())
}

#[test]
fn without_a_fingerprint_service_and_summary_group() -> TestResult {
    let (desk, _clock, _dir) = desk()?;
    let plain = || AlertInput::new("cron", "backup", Severity::Warning, "backup failed");
    desk.receive_alerts(vec![plain(), plain()])?;
    desk.receive_alerts(vec![AlertInput::new(
        "cron",
        "backup",
        Severity::Warning,
        "disk full",
    )])?;
    assert_eq!(desk.alerts(false)?.len(), 2);
    Ok(())
}

#[test]
fn a_bad_alert_refuses_the_whole_delivery() -> TestResult {
    let (desk, _clock, _dir) = desk()?;
    let mut bad = checkout("fp2");
    bad.link = Some("javascript:alert(1)".into());
    let error = desk
        .receive_alerts(vec![checkout("fp1"), bad])
        .err()
        .ok_or("accepted a javascript: link")?;
    assert_eq!(error.code(), ErrorCode::InvalidInput);
    assert!(desk.alerts(true)?.is_empty(), "half a delivery was stored");
    let too_many = vec![checkout("x"); MAX_ALERTS_PER_DELIVERY + 1];
    assert!(desk.receive_alerts(too_many).is_err());
    Ok(())
}

#[test]
fn declaring_from_an_alert_carries_it_onto_the_timeline() -> TestResult {
    let (desk, clock, _dir) = desk()?;
    let id = desk.receive_alerts(vec![checkout("fp1")])?[0]
        .alert
        .id
        .clone();
    let suggestion = desk.alert_suggestion(&id)?;
    assert_eq!(suggestion.title, "checkout: 5xx above 5%");
    assert_eq!(suggestion.kind, IncidentKind::Outage);
    assert_eq!(suggestion.level, "L1");
    assert_eq!(suggestion.source, Source::Monitoring);
    assert_eq!(suggestion.started_at, t("2026-11-30T08:55:00Z"));

    clock.advance_secs(120);
    let mut input = Declaration::new(&suggestion.title, suggestion.kind, &suggestion.level);
    input.source = Some(suggestion.source);
    input.started_at = Some(suggestion.started_at);
    let record = desk.declare_from_alert(&id, input.clone())?;
    assert_eq!(record.started_at, t("2026-11-30T08:55:00Z"));
    assert_eq!(record.source, Source::Monitoring);
    let detail = desk.incident(&record.reference)?;
    let alert_entry = detail
        .timeline
        .iter()
        .find(|e| e.kind == EntryKind::Alert)
        .ok_or("no alert on the timeline")?;
    assert!(
        alert_entry
            .text
            .contains("https://grafana.example/d/checkout"),
        "{}",
        alert_entry.text
    );
    assert_eq!(alert_entry.occurred_at, t("2026-11-30T08:55:00Z"));
    assert_eq!(desk.alert(&id)?.incident_ref.as_deref(), Some("INC-1"));

    // Once it belongs to an incident, it cannot be declared or attached again.
    let error = desk
        .declare_from_alert(&id, input)
        .err()
        .ok_or("declared twice")?;
    assert_eq!(error.code(), ErrorCode::Conflict);
    assert_eq!(
        desk.list_incidents(true)?.len(),
        1,
        "a refused declaration left an incident"
    );

    let row = &desk.list_incidents(false)?[0];
    assert_eq!((row.alerts, row.alerts_firing), (1, 1));

    // Its resolution is noted on the incident, and the board shows all resolved.
    let mut resolved = checkout("fp1");
    resolved.resolved = true;
    desk.receive_alerts(vec![resolved])?;
    let detail = desk.incident("INC-1")?;
    assert!(
        detail
            .timeline
            .iter()
            .any(|e| e.text.starts_with("Alert resolved:"))
    );
    let row = &desk.list_incidents(false)?[0];
    assert_eq!((row.alerts, row.alerts_firing), (1, 0));
    Ok(())
}

#[test]
fn alerts_attach_to_open_incidents_only() -> TestResult {
    let (desk, _clock, _dir) = desk()?;
    desk.declare(Declaration::new(
        "Checkout down",
        IncidentKind::Outage,
        "L1",
    ))?;
    let id = desk.receive_alerts(vec![checkout("fp1")])?[0]
        .alert
        .id
        .clone();
    desk.attach_alert(&id, "INC-1")?;
    assert_eq!(desk.alert(&id)?.incident_ref.as_deref(), Some("INC-1"));
    let error = desk
        .attach_alert("no-such-alert", "INC-1")
        .err()
        .ok_or("attached a ghost")?;
    assert_eq!(error.code(), ErrorCode::NotFound);
    Ok(())
}

#[test]
fn mutes_and_dismissals() -> TestResult {
    let (desk, _clock, _dir) = desk()?;
    assert_eq!(
        desk.mute_source(" Checkly ", true)?,
        vec!["checkly".to_owned()]
    );
    let mut synthetic = AlertInput::new("checkly", "web", Severity::Critical, "login failed");
    synthetic.synthetic = true;
    let receipt = desk.receive_alerts(vec![synthetic.clone()])?;
    assert!(receipt[0].alert.muted);
    desk.dismiss_alert(&receipt[0].alert.id)?;
    assert!(desk.alerts(false)?.is_empty());
    assert_eq!(desk.alerts(true)?.len(), 1);
    // It comes back when it fires again.
    desk.receive_alerts(vec![synthetic])?;
    assert_eq!(desk.alerts(false)?.len(), 1);
    assert!(desk.mute_source("checkly", false)?.is_empty());
    Ok(())
}

#[test]
fn intake_settings_have_safe_defaults_and_are_checked() -> TestResult {
    let (desk, _clock, _dir) = desk()?;
    let settings = desk.intake_settings()?;
    assert!(!settings.enabled);
    assert_eq!(settings.address, "127.0.0.1");
    assert!(!settings.is_exposed());
    assert_eq!(settings.token.len(), 32);
    assert_eq!(
        desk.intake_settings()?.token,
        settings.token,
        "the token is kept"
    );
    let bad = [
        crate::intake::IntakeSettings {
            port: 80,
            ..settings.clone()
        },
        crate::intake::IntakeSettings {
            token: "short".into(),
            ..settings.clone()
        },
        crate::intake::IntakeSettings {
            address: "localhost:80".into(),
            ..settings.clone()
        },
        crate::intake::IntakeSettings {
            rate_per_second: 0,
            ..settings.clone()
        },
    ];
    for candidate in bad {
        assert_eq!(
            desk.save_intake_settings(candidate).err().map(|e| e.code()),
            Some(ErrorCode::InvalidInput)
        );
    }
    assert_eq!(
        desk.intake_settings()?,
        settings,
        "a refused change changed something"
    );
    let exposed = desk.save_intake_settings(crate::intake::IntakeSettings {
        address: "0.0.0.0".into(),
        enabled: true,
        ..settings
    })?;
    assert!(exposed.is_exposed());
    Ok(())
}

#[test]
fn the_inbox_puts_firing_then_loudest_then_newest_first() -> TestResult {
    let (desk, clock, _dir) = desk()?;
    desk.receive_alerts(vec![AlertInput::new(
        "a",
        "old-critical",
        Severity::Critical,
        "x",
    )])?;
    clock.advance_secs(10);
    let mut over = AlertInput::new("a", "resolved", Severity::Critical, "y");
    over.resolved = true;
    desk.receive_alerts(vec![over])?;
    clock.advance_secs(10);
    desk.receive_alerts(vec![AlertInput::new(
        "a",
        "new-warning",
        Severity::Warning,
        "z",
    )])?;
    clock.advance_secs(10);
    desk.receive_alerts(vec![AlertInput::new(
        "a",
        "new-critical",
        Severity::Critical,
        "w",
    )])?;
    let order: Vec<String> = desk.alerts(false)?.into_iter().map(|a| a.service).collect();
    assert_eq!(
        order,
        ["new-critical", "old-critical", "new-warning", "resolved"]
    );
    Ok(())
}

#[test]
fn an_incident_from_an_alert_carries_its_service_and_the_tool_is_the_author() -> TestResult {
    let (desk, clock, _dir) = desk()?;
    let receipt = desk.receive_alerts(vec![checkout("fp-author")])?;
    let alert = &receipt[0].alert;
    let suggestion = desk.alert_suggestion(&alert.id)?;
    assert_eq!(suggestion.services, ["checkout"]);
    let record = desk.declare_from_alert(
        &alert.id,
        Declaration::new(&suggestion.title, suggestion.kind, &suggestion.level),
    )?;
    assert_eq!(record.scope.services, ["checkout"]);
    clock.advance_secs(120);
    let mut resolved = checkout("fp-author");
    resolved.resolved = true;
    desk.receive_alerts(vec![resolved])?;
    let timeline = desk.incident(&record.reference)?.timeline;
    let alert_entries: Vec<&TimelineEntry> = timeline
        .iter()
        .filter(|e| e.kind == EntryKind::Alert)
        .collect();
    assert_eq!(alert_entries.len(), 2, "{timeline:?}");
    for entry in alert_entries {
        assert_eq!(entry.author, "alertmanager", "{}", entry.text);
    }
    // The declaration (and the replay) keep the service.
    let rebuilt = crate::replay::replay(
        &record.reference,
        &desk.recorded_timeline(&record.reference)?,
    )?;
    assert_eq!(rebuilt.scope.services, ["checkout"]);
    Ok(())
}

#[test]
fn an_attached_change_alert_is_offered_as_the_first_rollback() -> TestResult {
    let (desk, clock, _dir) = desk()?;
    // CI reports the deploy as a change (the generic format's "change": true).
    let mut deploy = AlertInput::new("ci", "checkout", Severity::Info, "checkout 4.2 deployed");
    deploy.change = true;
    deploy.started_at = Some(t("2026-11-30T08:48:00Z"));
    let plain = checkout("fp1");
    let received = desk.receive_alerts(vec![deploy, plain])?;
    assert!(received[0].alert.change && !received[1].alert.change);
    clock.set(t("2026-11-30T09:01:00Z"));
    let record = desk.declare_from_alert(
        &received[1].alert.id,
        crate::desk::Declaration::new("Checkout 5xx", IncidentKind::Outage, "L2"),
    )?;
    // Not yet attached: nothing to roll back.
    let remediate =
        |desk: &Desk| -> std::result::Result<Option<Prompt>, Box<dyn std::error::Error>> {
            Ok(desk
                .incident(&record.reference)?
                .guidance
                .into_iter()
                .find(|g| g.stage == Stage::Remediate)
                .and_then(|g| g.prompt))
        };
    assert_eq!(remediate(&desk)?, None);
    let entry = desk.attach_alert(&received[0].alert.id, &record.reference)?;
    assert!(
        entry.text.starts_with("Change from ci (checkout)"),
        "{}",
        entry.text
    );
    match remediate(&desk)? {
        Some(Prompt::Rollback {
            text,
            minutes_before,
            ..
        }) => {
            assert!(text.contains("checkout 4.2 deployed"), "{text}");
            let impact = record.started_at.seconds_since(t("2026-11-30T08:48:00Z")) / 60;
            assert_eq!(minutes_before, impact);
        }
        other => panic!("the change alert is the first rollback: {other:?}"),
    }
    Ok(())
}
