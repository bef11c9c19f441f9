//! Matrix, for teams that run their own chat: the client-server API's
//! `PUT /_matrix/client/v3/rooms/{room}/send/m.room.message/{txnId}`. The
//! transaction id is the outbox entry's, so a retry after a lost answer is
//! the same event, never a second one (the homeserver remembers it for the
//! access token). The text goes as a plain `m.text` body: what people typed
//! is data, never markup.

use crate::Failure;
use crate::http::{agent, path_segment, refused_for_good, transport};
use incident_core::publish::MatrixRoom;
use serde::Deserialize;
use std::time::Duration;

/// The address of `room`'s send endpoint for transaction `txn_id`.
fn send_url(room: &MatrixRoom, txn_id: &str) -> String {
    format!(
        "{}/_matrix/client/v3/rooms/{}/send/m.room.message/{}",
        room.homeserver.trim().trim_end_matches('/'),
        path_segment(room.room_id.trim()),
        path_segment(txn_id)
    )
}

#[derive(Deserialize)]
struct Sent {
    event_id: String,
}

/// The error body of the Matrix spec.
#[derive(Deserialize, Default)]
struct MatrixError {
    #[serde(default)]
    errcode: String,
    #[serde(default)]
    error: String,
    #[serde(default)]
    retry_after_ms: Option<u64>,
}

/// Sends `text` to `room` as transaction `txn_id`; the event id on success.
pub fn send_text(
    room: &MatrixRoom,
    access_token: &str,
    txn_id: &str,
    text: &str,
    timeout: Duration,
) -> Result<String, Failure> {
    room.check().map_err(|reason| Failure::Refused { reason })?;
    let body = serde_json::json!({ "msgtype": "m.text", "body": text });
    let response = agent(timeout)
        .put(&send_url(room, txn_id))
        .header("Authorization", &format!("Bearer {access_token}"))
        .send_json(&body);
    let mut response = response.map_err(|error| transport("the Matrix homeserver", error))?;
    let status = response.status().as_u16();
    let answer = response.body_mut().read_to_string().unwrap_or_default();
    if status == 200 {
        return serde_json::from_str::<Sent>(&answer)
            .map(|sent| sent.event_id)
            .map_err(|_| Failure::Retry {
                error: "the Matrix homeserver answered 200 without an event id".into(),
                retry_after_ms: None,
            });
    }
    let error: MatrixError = serde_json::from_str(&answer).unwrap_or_default();
    let said = if error.errcode.is_empty() {
        format!("HTTP {status}")
    } else {
        format!("{} ({})", error.errcode, error.error.trim())
    };
    if status == 429 || error.errcode == "M_LIMIT_EXCEEDED" {
        return Err(Failure::Retry {
            error: format!("the Matrix homeserver asks to slow down: {said}"),
            retry_after_ms: error.retry_after_ms,
        });
    }
    if refused_for_good(status) {
        let what = if status == 401 || error.errcode == "M_UNKNOWN_TOKEN" {
            "Matrix refused the access token"
        } else {
            "Matrix refused the message"
        };
        return Err(Failure::Refused {
            reason: format!("{what}: {said}"),
        });
    }
    Err(Failure::Retry {
        error: format!("the Matrix homeserver failed: {said}"),
        retry_after_ms: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rooms_and_homeservers_are_checked() {
        let room = |homeserver: &str, room_id: &str| MatrixRoom {
            homeserver: homeserver.into(),
            room_id: room_id.into(),
        };
        assert!(
            room("https://matrix.example.org", "!abc:example.org")
                .check()
                .is_ok()
        );
        assert!(
            room("http://127.0.0.1:8008", "!abc:localhost")
                .check()
                .is_ok()
        );
        assert!(
            room("http://matrix.example.org", "!abc:example.org")
                .check()
                .is_err()
        );
        assert!(
            room("https://matrix.example.org", "#ops:example.org")
                .check()
                .is_err()
        );
        assert_eq!(
            send_url(&room("https://m.example.org/", "!a:b"), "idesk-1"),
            "https://m.example.org/_matrix/client/v3/rooms/%21a%3Ab/send/m.room.message/idesk-1"
        );
    }
}
