//! The outbox against a real database: a message is sent only when the
//! service confirmed it, retried with backoff (also after a restart),
//! stopped with the reason when a retry would not help, and cancellable.

use incident_core::desk::{Attempt, Declaration};
use incident_core::domain::{
    Channel, CommunicationState, DeadlineState, EntryKind, IncidentKind, PublishTarget,
};
use incident_core::replay::replay;
use incident_core::{Desk, ManualClock, Timestamp};
use std::sync::Arc;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn open(path: &std::path::Path, clock: &ManualClock) -> Result<Desk, Box<dyn std::error::Error>> {
    Ok(Desk::open_with_clock(path, Arc::new(clock.clone()))?.with_author("Ada")?)
}

#[test]
fn a_message_is_sent_only_when_the_service_confirms_and_retries_survive_a_restart() -> TestResult {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("desk.db");
    let clock = ManualClock::new(Timestamp::parse("2026-12-01T14:00:00Z")?);
    let desk = open(&db, &clock)?;
    let reference = desk
        .declare(Declaration::new(
            "Checkout errors",
            IncidentKind::Outage,
            "L2",
        ))?
        .reference;
    let draft = desk.draft_communication(
        &reference,
        Channel::StatusPage,
        "",
        "We are investigating checkout errors.",
        None,
    )?;
    let queued = desk.queue_publication(&reference, &draft.id, PublishTarget::Matrix)?;
    assert_eq!(queued.queued_to, Some(PublishTarget::Matrix));
    assert_eq!(queued.state, CommunicationState::Draft, "not sent yet");
    assert_eq!(desk.list_incidents(false)?[0].messages_queued, 1);
    assert!(
        desk.queue_publication(&reference, &draft.id, PublishTarget::Matrix)
            .is_err(),
        "queued once"
    );
    assert!(
        desk.edit_communication(&reference, &draft.id, "other words", None)
            .is_err(),
        "not edited under the service's feet"
    );
    let due = desk.due_publications()?;
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].message.body, "We are investigating checkout errors.");

    // The network fails: retried after 5 s, with the error kept.
    desk.publication_attempted(
        &due[0].id,
        Attempt::Retry {
            error: "connection refused".into(),
            not_before: None,
        },
    )?;
    assert!(desk.due_publications()?.is_empty());
    let waiting = desk.queued_publications()?;
    assert_eq!(waiting[0].last_error.as_deref(), Some("connection refused"));
    assert_eq!(
        waiting[0].next_attempt_at,
        Timestamp::parse("2026-12-01T14:00:05Z")?
    );

    // The app restarts: the queue is still there, due again after the wait.
    drop(desk);
    clock.advance_secs(6);
    let desk = open(&db, &clock)?;
    let due = desk.due_publications()?;
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].attempts, 1);
    // A 429's Retry-After is honoured over the backoff.
    desk.publication_attempted(
        &due[0].id,
        Attempt::Retry {
            error: "HTTP 429".into(),
            not_before: Some(Timestamp::parse("2026-12-01T14:01:00Z")?),
        },
    )?;
    assert_eq!(
        desk.next_publication_at()?,
        Some(Timestamp::parse("2026-12-01T14:01:00Z")?)
    );

    // Out at last: sent when confirmed, and the next-update clock starts then.
    clock.set(Timestamp::parse("2026-12-01T14:01:00Z")?);
    let due = desk.due_publications()?;
    desk.publication_attempted(
        &due[0].id,
        Attempt::Confirmed {
            published_to: "matrix #incidents".into(),
            external_ref: Some("$event1".into()),
            link: None,
        },
    )?;
    let detail = desk.incident(&reference)?;
    let message = &detail.record.communications[0];
    assert_eq!(message.state, CommunicationState::Sent);
    assert_eq!(
        message.sent_at,
        Some(Timestamp::parse("2026-12-01T14:01:00Z")?)
    );
    assert_eq!(message.queued_to, None);
    assert!(desk.queued_publications()?.is_empty());
    assert_eq!(desk.list_incidents(false)?[0].messages_queued, 0);
    let next = detail.deadlines.iter().find(|d| d.key == "next_update");
    if let Some(next) = next {
        assert_eq!(next.counted_from, Timestamp::parse("2026-12-01T14:01:00Z")?);
        assert_ne!(next.state, DeadlineState::Met);
    }
    // The timeline says both: queued, then sent.
    let texts: Vec<&str> = detail
        .timeline
        .iter()
        .filter(|e| e.kind == EntryKind::Communication)
        .map(|e| e.text.as_str())
        .collect();
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("Queued the status page message for matrix")),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("Sent status page message")),
        "{texts:?}"
    );
    let timeline = desk.recorded_timeline(&reference)?;
    assert_eq!(replay(&reference, &timeline)?, detail.record);
    Ok(())
}

#[test]
fn a_refusal_stops_with_the_reason_and_a_cancelled_message_is_not_sent() -> TestResult {
    let dir = tempfile::tempdir()?;
    let clock = ManualClock::new(Timestamp::parse("2026-12-01T14:00:00Z")?);
    let desk = open(&dir.path().join("desk.db"), &clock)?;
    let reference = desk
        .declare(Declaration::new(
            "Checkout errors",
            IncidentKind::Outage,
            "L2",
        ))?
        .reference;
    let one = desk.draft_communication(&reference, Channel::Internal, "", "first", None)?;
    let two = desk.draft_communication(&reference, Channel::Internal, "", "second", None)?;
    desk.queue_publication(&reference, &one.id, PublishTarget::Slack)?;
    desk.queue_publication(&reference, &two.id, PublishTarget::Slack)?;
    let due = desk.due_publications()?;
    assert_eq!(due.len(), 2);
    // Queued in the same millisecond: which is first is not the point.
    let first = due
        .iter()
        .find(|p| p.message.id == one.id)
        .ok_or("the first message is due")?;
    desk.publication_attempted(
        &first.id,
        Attempt::Refused {
            reason: "Slack refused the token (invalid_auth)".into(),
        },
    )?;
    let detail = desk.incident(&reference)?;
    let refused = &detail.record.communications[0];
    assert_eq!(refused.state, CommunicationState::Draft, "not sent");
    assert_eq!(refused.queued_to, None, "no longer retried");
    assert_eq!(
        refused.publish_error.as_deref(),
        Some("Slack refused the token (invalid_auth)")
    );
    assert!(
        detail
            .timeline
            .iter()
            .any(|e| e.text.contains("failed: Slack refused the token"))
    );

    // Cancelled before it went out: not sent, not queued.
    let cancelled = desk.cancel_publication(&reference, &two.id)?;
    assert_eq!(cancelled.queued_to, None);
    assert!(desk.due_publications()?.is_empty());
    assert!(
        desk.cancel_publication(&reference, &two.id).is_err(),
        "once"
    );
    // Queued again after fixing the token, it can go out.
    desk.queue_publication(&reference, &one.id, PublishTarget::Slack)?;
    assert_eq!(desk.due_publications()?.len(), 1);
    Ok(())
}

#[test]
fn a_link_to_the_services_thread_is_kept_for_the_next_message() -> TestResult {
    let dir = tempfile::tempdir()?;
    let clock = ManualClock::new(Timestamp::parse("2026-12-01T14:00:00Z")?);
    let desk = open(&dir.path().join("desk.db"), &clock)?;
    let reference = desk
        .declare(Declaration::new(
            "Checkout errors",
            IncidentKind::Outage,
            "L2",
        ))?
        .reference;
    let first = desk.draft_communication(&reference, Channel::StatusPage, "", "first", None)?;
    desk.queue_publication(&reference, &first.id, PublishTarget::Statuspage)?;
    let due = desk.due_publications()?;
    assert_eq!(due[0].link, None, "no Statuspage incident yet");
    desk.publication_attempted(
        &due[0].id,
        Attempt::Confirmed {
            published_to: "statuspage".into(),
            external_ref: Some("upd1".into()),
            link: Some("sp-incident-1".into()),
        },
    )?;
    clock.advance_secs(60);
    let second = desk.draft_communication(&reference, Channel::StatusPage, "", "second", None)?;
    desk.queue_publication(&reference, &second.id, PublishTarget::Statuspage)?;
    let due = desk.due_publications()?;
    assert_eq!(
        due[0].link.as_deref(),
        Some("sp-incident-1"),
        "the same incident there"
    );
    Ok(())
}

#[test]
fn services_are_checked_before_they_are_kept_and_publish_goes_where_it_is_set_up() -> TestResult {
    use incident_core::services::{
        ComponentMapping, EmailTarget, RecipientList, SlackTarget, SmtpSecurity, SmtpServer,
        StatuspageTarget,
    };
    let dir = tempfile::tempdir()?;
    let clock = ManualClock::new(Timestamp::parse("2026-12-01T14:00:00Z")?);
    let desk = open(&dir.path().join("desk.db"), &clock)?;
    let mut declaration = Declaration::new("Sign-in abuse", IncidentKind::Security, "L1");
    declaration.services = Some(vec!["Accounts".into()]);
    let reference = desk.declare(declaration)?.reference;
    let message = desk.draft_communication(&reference, Channel::Email, "", "Body & more", None)?;

    // Nothing set up: "Publish" says where to set it up.
    let refused = desk.queue_for_channel(&reference, &message.id, None);
    assert!(refused.is_err_and(|e| e.to_string().contains("Settings → Messages")));

    // Bad settings are refused and change nothing.
    let bad_slack = SlackTarget {
        channel_id: "#incidents".into(),
        broadcast: false,
        api: None,
    };
    assert!(desk.set_slack(Channel::Email, Some(&bad_slack)).is_err());
    let bad_page = StatuspageTarget {
        page_id: "page 1".into(),
        components: vec![],
        api: None,
    };
    assert!(
        desk.set_statuspage(Channel::StatusPage, Some(&bad_page))
            .is_err()
    );
    assert!(desk.publish_targets(Channel::Email)?.is_empty());

    let email = EmailTarget {
        smtp: SmtpServer {
            host: "smtp.example.com".into(),
            port: 587,
            security: SmtpSecurity::StartTls,
            username: Some("status".into()),
            ca_file: None,
        },
        from: "status@example.com".into(),
        lists: vec![RecipientList {
            name: "Security stakeholders".into(),
            kinds: vec![IncidentKind::Security],
            levels: vec!["L1".into()],
            to: vec!["ciso@example.com".into()],
        }],
    };
    desk.set_email(Channel::Email, Some(&email))?;
    let slack = SlackTarget {
        channel_id: "C0INC".into(),
        broadcast: true,
        api: None,
    };
    desk.set_slack(Channel::Email, Some(&slack))?;
    let page = StatuspageTarget {
        page_id: "kctbh9vrtdwd".into(),
        components: vec![ComponentMapping {
            service: "Accounts".into(),
            component_id: "cmp1".into(),
        }],
        api: None,
    };
    desk.set_statuspage(Channel::StatusPage, Some(&page))?;

    // Kept as given, and listed with the default first.
    let settings = desk.channel_settings()?;
    let email_channel = settings
        .iter()
        .find(|s| s.channel == Channel::Email)
        .ok_or("no email channel")?;
    assert_eq!(email_channel.email.as_ref(), Some(&email));
    assert_eq!(email_channel.slack.as_ref(), Some(&slack));
    assert_eq!(
        email_channel.services,
        vec![PublishTarget::Slack, PublishTarget::Email]
    );
    assert_eq!(
        desk.publish_targets(Channel::StatusPage)?,
        vec![PublishTarget::Statuspage]
    );

    // A service the channel does not have is refused; one it has is used.
    let wrong = desk.queue_for_channel(&reference, &message.id, Some(PublishTarget::Matrix));
    assert!(wrong.is_err_and(|e| e.to_string().contains("not set up")));
    desk.approve_communication(&reference, &message.id, None)?;
    let queued = desk.queue_for_channel(&reference, &message.id, Some(PublishTarget::Email))?;
    assert_eq!(queued.queued_to, Some(PublishTarget::Email));

    // The mail-client hand-off: the lists' recipients, the subject, the body.
    let link = desk.mailto(&reference, &message.id)?;
    assert_eq!(
        link,
        format!(
            "mailto:ciso@example.com?subject=%5B{reference}%5D%20Sign-in%20abuse&body=Body%20%26%20more"
        )
    );

    // Removing a service removes only it.
    desk.set_slack(Channel::Email, None)?;
    assert_eq!(
        desk.publish_targets(Channel::Email)?,
        vec![PublishTarget::Email]
    );
    Ok(())
}
