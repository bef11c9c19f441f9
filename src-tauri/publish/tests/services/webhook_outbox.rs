//! A webhook through the outbox, against a local receiver: a 5xx is
//! retried, a 2xx confirms, a 401 stops with the reason, and the address
//! (a secret) never shows in what the commander reads.

use crate::common::{Incident, attempt_due, due_now};
use crate::support::Outcome;
use crate::support::fake_api::FakeApi;
use incident_core::desk::Attempt;
use incident_core::domain::{Channel, CommunicationState, IncidentKind, PublishTarget};
use incident_core::publish::WebhookFormat;
use incident_publish::Access;
use std::time::Duration;

#[test]
fn a_webhook_is_retried_on_5xx_confirmed_on_2xx_and_stopped_on_401() -> Outcome<()> {
    let statuses = std::sync::Mutex::new(vec![500u16, 200, 401].into_iter());
    let receiver = FakeApi::start(move |_| {
        let status = statuses.lock().ok()?.next().unwrap_or(500);
        Some((status, vec![], "{}".into()))
    })?;
    let url = format!("{}/hooks/T000/B000/secret-part-xyz", receiver.base);
    let access = Access::Webhook {
        url: url.clone(),
        format: WebhookFormat::Slack,
        timeout: Duration::from_secs(10),
    };
    let incident = Incident::declare(IncidentKind::Outage, "L2", &[])?;
    let desk = &incident.desk;
    let first = incident.message(Channel::Internal, "Investigating.")?;
    desk.queue_publication(&incident.reference, &first.id, PublishTarget::Webhook)?;
    let attempts = attempt_due(desk, &access)?;
    assert!(
        matches!(attempts.as_slice(), [Attempt::Retry { .. }]),
        "{attempts:?}"
    );
    let error = desk.queued_publications()?[0]
        .last_error
        .clone()
        .unwrap_or_default();
    assert!(error.contains("HTTP 500"), "{error}");
    assert!(
        !error.contains("secret-part"),
        "the address is masked: {error}"
    );

    due_now(&incident)?;
    let attempts = attempt_due(desk, &access)?;
    assert!(
        matches!(attempts.as_slice(), [Attempt::Confirmed { .. }]),
        "{attempts:?}"
    );
    let sent = incident.message_now(&first.id)?;
    assert_eq!(sent.state, CommunicationState::Sent);
    assert!(
        !sent
            .published_to
            .unwrap_or_default()
            .contains("secret-part")
    );
    assert_eq!(receiver.requests()[1].body["text"], "Investigating.");

    let second = incident.message(Channel::Internal, "Fixed.")?;
    desk.queue_publication(&incident.reference, &second.id, PublishTarget::Webhook)?;
    let attempts = attempt_due(desk, &access)?;
    assert!(
        matches!(attempts.as_slice(), [Attempt::Refused { .. }]),
        "{attempts:?}"
    );
    let reason = incident
        .message_now(&second.id)?
        .publish_error
        .unwrap_or_default();
    assert!(
        reason.contains("refused") && reason.contains("401"),
        "{reason}"
    );
    assert!(!reason.contains("secret-part"), "{reason}");
    Ok(())
}
