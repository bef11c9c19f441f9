//! Email against a real SMTP server (aiosmtpd on 127.0.0.1): through the
//! outbox, a message reaches the recipients its lists choose for the
//! incident's kind and level, with the subject, the text and an escaped
//! HTML part, over STARTTLS and over TLS with a login; a refused login and
//! an unreachable server are reported, not swallowed.

use crate::common::{Incident, attempt_due};
use crate::support::Outcome;
use crate::support::smtp::{MailServer, PASSWORD, USER};
use incident_core::desk::Attempt;
use incident_core::domain::{Channel, CommunicationState, IncidentKind, PublishTarget};
use incident_core::services::{EmailTarget, RecipientList, SmtpSecurity, SmtpServer};
use incident_publish::Access;

fn settings(port: u16, security: SmtpSecurity, ca: Option<String>) -> EmailTarget {
    EmailTarget {
        smtp: SmtpServer {
            host: "127.0.0.1".into(),
            port,
            security,
            username: (security != SmtpSecurity::None).then(|| USER.to_owned()),
            ca_file: ca,
        },
        from: "status@example.com".into(),
        lists: vec![
            RecipientList {
                name: "Security stakeholders".into(),
                kinds: vec![IncidentKind::Security],
                levels: vec!["L1".into()],
                to: vec!["ciso@example.com".into(), "legal@example.com".into()],
            },
            RecipientList {
                name: "Customers".into(),
                kinds: vec![],
                levels: vec![],
                to: vec!["customers@example.org".into()],
            },
        ],
    }
}

fn email(settings: EmailTarget, password: &str) -> Access {
    Access::Email {
        settings,
        password: Some(password.to_owned()),
    }
}

#[test]
fn a_message_reaches_the_lists_for_its_kind_and_level_over_starttls_with_a_login() -> Outcome<()> {
    let server = MailServer::start()?;
    let access = email(
        settings(server.starttls, SmtpSecurity::StartTls, Some(server.ca())),
        PASSWORD,
    );
    let incident = Incident::declare(IncidentKind::Security, "L1", &["Accounts"])?;
    let desk = &incident.desk;
    let message = incident.message(
        Channel::Email,
        "We are investigating <b>unusual</b> sign-ins & will update within the hour.",
    )?;
    desk.queue_publication(&incident.reference, &message.id, PublishTarget::Email)?;
    let attempts = attempt_due(desk, &access)?;
    assert!(
        matches!(attempts.as_slice(), [Attempt::Confirmed { .. }]),
        "{attempts:?}"
    );
    let sent = incident.message_now(&message.id)?;
    assert_eq!(sent.state, CommunicationState::Sent);
    assert_eq!(sent.sent_via, Some(PublishTarget::Email));

    let received = server.wait_for(1)?;
    assert_eq!(received.len(), 1);
    let mail = &received[0];
    assert_eq!(mail.from, "status@example.com");
    assert_eq!(
        mail.to,
        vec![
            "status@example.com",
            "ciso@example.com",
            "legal@example.com",
            "customers@example.org"
        ],
        "security L1: the sender's copy, the stakeholders and the customers, each once"
    );
    assert_eq!(mail.login.as_deref(), Some(USER));
    let content = mail.content.replace("=\r\n", "");
    let subject = format!("Subject: [{}] Checkout errors", incident.reference);
    assert!(content.contains(&subject), "{content}");
    assert!(content.contains("Message-ID: <idesk-"), "{content}");
    assert!(!content.contains("Bcc:"), "recipients never see each other");
    assert!(content.contains("To: status@example.com"));
    assert!(content.contains("text/plain") && content.contains("text/html"));
    assert!(content.contains("We are investigating <b>unusual</b> sign-ins & will update"));
    assert!(
        content.contains("&lt;b&gt;unusual&lt;/b&gt; sign-ins &amp; will"),
        "the HTML part escapes what was typed: {content}"
    );
    Ok(())
}

#[test]
fn tls_from_the_first_byte_works_and_lists_follow_the_level() -> Outcome<()> {
    let server = MailServer::start()?;
    let access = email(
        settings(server.tls, SmtpSecurity::Tls, Some(server.ca())),
        PASSWORD,
    );
    let incident = Incident::declare(IncidentKind::Security, "L2", &[])?;
    let message = incident.message(Channel::Email, "A minor security issue, contained.")?;
    incident
        .desk
        .queue_publication(&incident.reference, &message.id, PublishTarget::Email)?;
    let attempts = attempt_due(&incident.desk, &access)?;
    assert!(
        matches!(attempts.as_slice(), [Attempt::Confirmed { .. }]),
        "{attempts:?}"
    );
    let received = server.wait_for(1)?;
    assert_eq!(
        received[0].to,
        vec!["status@example.com", "customers@example.org"],
        "L2: not the L1 list"
    );
    Ok(())
}

#[test]
fn a_refused_login_stops_and_an_unreachable_server_is_retried_both_said() -> Outcome<()> {
    let server = MailServer::start()?;
    let incident = Incident::declare(IncidentKind::Outage, "L2", &[])?;
    let desk = &incident.desk;

    let wrong = email(
        settings(server.starttls, SmtpSecurity::StartTls, Some(server.ca())),
        "not-the-password",
    );
    let refused = incident.message(Channel::Email, "First.")?;
    desk.queue_publication(&incident.reference, &refused.id, PublishTarget::Email)?;
    let attempts = attempt_due(desk, &wrong)?;
    assert!(
        matches!(attempts.as_slice(), [Attempt::Refused { .. }]),
        "{attempts:?}"
    );
    let error = incident
        .message_now(&refused.id)?
        .publish_error
        .unwrap_or_default();
    assert!(error.contains("refused the login"), "{error}");

    // Nothing listens on this port any more.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let gone = email(
        settings(closed, SmtpSecurity::StartTls, Some(server.ca())),
        PASSWORD,
    );
    let waiting = incident.message(Channel::Email, "Second.")?;
    desk.queue_publication(&incident.reference, &waiting.id, PublishTarget::Email)?;
    let attempts = attempt_due(desk, &gone)?;
    assert!(
        matches!(attempts.as_slice(), [Attempt::Retry { .. }]),
        "{attempts:?}"
    );
    let queued = desk.queued_publications()?;
    assert!(
        queued[0]
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("could not be reached")),
        "{:?}",
        queued[0].last_error
    );

    // A certificate nobody said to trust is refused, not used.
    let untrusted = email(
        settings(server.starttls, SmtpSecurity::StartTls, None),
        PASSWORD,
    );
    let third = incident.message(Channel::Email, "Third.")?;
    desk.queue_publication(&incident.reference, &third.id, PublishTarget::Email)?;
    let attempts: Vec<Attempt> = attempt_due(desk, &untrusted)?;
    assert!(
        attempts
            .iter()
            .all(|a| !matches!(a, Attempt::Confirmed { .. })),
        "{attempts:?}"
    );
    assert!(server.received()?.is_empty(), "nothing was taken");
    Ok(())
}
