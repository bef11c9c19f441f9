//! The outbox with a real homeserver: the network dies mid-publish (the
//! server is stopped), the app restarts, the server comes back, and the
//! message goes out exactly once — also when an answer was lost after the
//! homeserver had taken the message.

use crate::common::{Incident, TIMEOUT, attempt_due};
use crate::support::{Homeserver, Outcome};
use incident_core::desk::Attempt;
use incident_core::domain::{Channel, CommunicationState, IncidentKind, PublishTarget};
use incident_core::{Clock, SystemClock};
use incident_publish::{Access, MatrixRoom, deliver};
use std::time::Duration;

/// A homeserver with a user and a room, and the access to post there.
fn matrix() -> Outcome<(Homeserver, String, MatrixRoom, Access)> {
    let server = Homeserver::start()?;
    let token = server.register("desk")?;
    let room = MatrixRoom {
        homeserver: server.url.clone(),
        room_id: server.create_room(&token)?,
    };
    let access = Access::Matrix {
        room: room.clone(),
        token: token.clone(),
    };
    Ok((server, token, room, access))
}

#[test]
fn a_queued_message_survives_a_dead_network_and_a_restart_and_goes_out_once() -> Outcome<()> {
    let (mut server, token, room, services) = matrix()?;
    let incident = Incident::declare(IncidentKind::Outage, "L2", &[])?;
    let message = incident.message(
        Channel::Internal,
        "We rolled back checkout 4.2; errors are down.",
    )?;
    incident
        .desk
        .queue_publication(&incident.reference, &message.id, PublishTarget::Matrix)?;

    // The network is gone: the attempt is kept for a retry, with the error.
    server.stop();
    let attempts = attempt_due(&incident.desk, &services)?;
    assert!(
        matches!(attempts.as_slice(), [Attempt::Retry { .. }]),
        "{attempts:?}"
    );
    let waiting = incident.desk.queued_publications()?;
    assert!(
        waiting[0]
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("could not be reached"))
    );

    // The app restarts; the server comes back; the retry is due after its wait.
    let incident = incident.reopen()?;
    server.restart()?;
    let wait = incident
        .desk
        .next_publication_at()?
        .ok_or("still queued after the restart")?;
    let pause = wait.millis() - SystemClock.now().millis();
    std::thread::sleep(Duration::from_millis(pause.clamp(0, 10_000) as u64 + 50));
    let attempts = attempt_due(&incident.desk, &services)?;
    assert!(
        matches!(attempts.as_slice(), [Attempt::Confirmed { .. }]),
        "{attempts:?}"
    );
    let sent = incident.message_now(&message.id)?;
    assert_eq!(sent.state, CommunicationState::Sent);
    assert!(
        sent.published_to
            .as_deref()
            .is_some_and(|p| p.starts_with("Matrix room !"))
    );

    // Exactly once in the room.
    let bodies = server.messages(&token, &room.room_id)?;
    let ours: Vec<&String> = bodies
        .iter()
        .filter(|b| b.contains("rolled back checkout 4.2"))
        .collect();
    assert_eq!(ours.len(), 1, "{bodies:?}");
    Ok(())
}

#[test]
fn an_answer_lost_after_the_homeserver_took_the_message_does_not_post_it_twice() -> Outcome<()> {
    let (server, token, room, services) = matrix()?;
    let incident = Incident::declare(IncidentKind::Outage, "L2", &[])?;
    let message = incident.message(Channel::Internal, "Once only.")?;
    incident
        .desk
        .queue_publication(&incident.reference, &message.id, PublishTarget::Matrix)?;
    // Delivered, but the app died before it recorded the answer.
    let due = incident.desk.due_publications()?;
    let _lost = deliver(&due[0], Some(&services), TIMEOUT, SystemClock.now());
    let incident = incident.reopen()?;
    let attempts = attempt_due(&incident.desk, &services)?;
    assert!(
        matches!(attempts.as_slice(), [Attempt::Confirmed { .. }]),
        "{attempts:?}"
    );
    let bodies = server.messages(&token, &room.room_id)?;
    assert_eq!(
        bodies.iter().filter(|b| b.ends_with("Once only.")).count(),
        1,
        "{bodies:?}"
    );
    Ok(())
}
