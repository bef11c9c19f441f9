//! The outbox with a real homeserver: the network dies mid-publish (the
//! server is stopped), the app restarts, the server comes back, and the
//! message goes out exactly once — also when an answer was lost after the
//! homeserver had taken the message.

use crate::support::{Homeserver, Outcome};
use incident_core::desk::{Attempt, Declaration};
use incident_core::domain::{Channel, CommunicationState, IncidentKind, PublishTarget};
use incident_core::{Clock, Desk, SystemClock};
use incident_publish::{Access, MatrixRoom, deliver};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(10);

fn attempt_due(desk: &Desk, access: &Access) -> Outcome<Vec<Attempt>> {
    let mut attempts = Vec::new();
    for publication in desk.due_publications()? {
        let attempt = deliver(&publication, Some(access), TIMEOUT, SystemClock.now());
        desk.publication_attempted(&publication.id, attempt.clone())?;
        attempts.push(attempt);
    }
    Ok(attempts)
}

#[test]
fn a_queued_message_survives_a_dead_network_and_a_restart_and_goes_out_once() -> Outcome<()> {
    let mut server = Homeserver::start()?;
    let token = server.register("desk")?;
    let room = MatrixRoom {
        homeserver: server.url.clone(),
        room_id: server.create_room(&token)?,
    };
    let services = Access::Matrix {
        room: room.clone(),
        token: token.clone(),
    };
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("desk.db");
    let desk = Desk::open(&db)?.with_author("Ada")?;
    let reference = desk
        .declare(Declaration::new(
            "Checkout errors",
            IncidentKind::Outage,
            "L2",
        ))?
        .reference;
    let message = desk.draft_communication(
        &reference,
        Channel::Internal,
        "",
        "We rolled back checkout 4.2; errors are down.",
        None,
    )?;
    desk.queue_publication(&reference, &message.id, PublishTarget::Matrix)?;

    // The network is gone: the attempt is kept for a retry, with the error.
    server.stop();
    let attempts = attempt_due(&desk, &services)?;
    assert!(
        matches!(attempts.as_slice(), [Attempt::Retry { .. }]),
        "{attempts:?}"
    );
    let waiting = desk.queued_publications()?;
    assert!(
        waiting[0]
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("could not be reached"))
    );

    // The app restarts; the server comes back; the retry is due after its wait.
    drop(desk);
    server.restart()?;
    let desk = Desk::open(&db)?.with_author("Ada")?;
    let wait = desk
        .next_publication_at()?
        .ok_or("still queued after the restart")?;
    let pause = wait.millis() - SystemClock.now().millis();
    std::thread::sleep(Duration::from_millis(pause.clamp(0, 10_000) as u64 + 50));
    let attempts = attempt_due(&desk, &services)?;
    assert!(
        matches!(attempts.as_slice(), [Attempt::Confirmed { .. }]),
        "{attempts:?}"
    );
    let sent = &desk.incident(&reference)?.record.communications[0];
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
    let server = Homeserver::start()?;
    let token = server.register("desk")?;
    let room = MatrixRoom {
        homeserver: server.url.clone(),
        room_id: server.create_room(&token)?,
    };
    let services = Access::Matrix {
        room: room.clone(),
        token: token.clone(),
    };
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("desk.db");
    let desk = Desk::open(&db)?.with_author("Ada")?;
    let reference = desk
        .declare(Declaration::new(
            "Checkout errors",
            IncidentKind::Outage,
            "L2",
        ))?
        .reference;
    let message =
        desk.draft_communication(&reference, Channel::Internal, "", "Once only.", None)?;
    desk.queue_publication(&reference, &message.id, PublishTarget::Matrix)?;
    // Delivered, but the app died before it recorded the answer.
    let due = desk.due_publications()?;
    let _lost = deliver(&due[0], Some(&services), TIMEOUT, SystemClock.now());
    drop(desk);
    let desk = Desk::open(&db)?.with_author("Ada")?;
    let attempts = attempt_due(&desk, &services)?;
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
