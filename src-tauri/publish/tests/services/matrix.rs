//! Matrix against a real homeserver (Synapse on 127.0.0.1): a message
//! reaches the room, a retry with the same transaction id posts once, a
//! wrong token is refused for good, a server that is down is retried.

use crate::support::{Homeserver, Outcome};
use incident_publish::matrix::send_text;
use incident_publish::{Failure, MatrixRoom};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(10);

#[test]
fn a_message_reaches_the_room_once_even_when_its_delivery_is_retried() -> Outcome<()> {
    let server = Homeserver::start()?;
    let token = server.register("desk")?;
    let room = MatrixRoom {
        homeserver: server.url.clone(),
        room_id: server.create_room(&token)?,
    };
    let text = "INC-7 Checkout errors: we are investigating <b>5xx</b> on checkout.";
    let first = send_text(&room, &token, "idesk-outbox-1", text, TIMEOUT)?;
    // The answer was lost, say: the same transaction again is the same event.
    let again = send_text(&room, &token, "idesk-outbox-1", text, TIMEOUT)?;
    assert_eq!(first, again);
    let next = send_text(&room, &token, "idesk-outbox-2", "INC-7 resolved.", TIMEOUT)?;
    assert_ne!(next, first);
    let bodies = server.messages(&token, &room.room_id)?;
    assert_eq!(bodies, vec![text.to_owned(), "INC-7 resolved.".to_owned()]);
    Ok(())
}

#[test]
fn a_wrong_token_is_refused_for_good_and_a_stopped_server_is_retried() -> Outcome<()> {
    let mut server = Homeserver::start()?;
    let token = server.register("desk")?;
    let room = MatrixRoom {
        homeserver: server.url.clone(),
        room_id: server.create_room(&token)?,
    };
    match send_text(&room, "syt_not_a_token", "idesk-x", "hello", TIMEOUT) {
        Err(Failure::Refused { reason }) => {
            assert!(
                reason.starts_with("Matrix refused the access token: M_UNKNOWN_TOKEN"),
                "{reason}"
            )
        }
        other => panic!("a wrong token is refused for good: {other:?}"),
    }
    // Another user's token: not in the room.
    let stranger = server.register("stranger")?;
    match send_text(&room, &stranger, "idesk-y", "hello", TIMEOUT) {
        Err(Failure::Refused { reason }) => {
            assert!(reason.contains("M_FORBIDDEN"), "{reason}")
        }
        other => panic!("a user outside the room is refused: {other:?}"),
    }
    server.stop();
    match send_text(&room, &token, "idesk-z", "hello", TIMEOUT) {
        Err(Failure::Retry { error, .. }) => {
            assert!(error.contains("could not be reached"), "{error}")
        }
        other => panic!("a stopped server is retried later: {other:?}"),
    }
    Ok(())
}
