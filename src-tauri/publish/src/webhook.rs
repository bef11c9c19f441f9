//! A webhook through the outbox: the message's JSON POSTed to the address
//! (a Slack-compatible incoming webhook or a generic endpoint). A webhook
//! has no idempotency key: an answer lost after the receiver took the
//! message can mean a second post (docs/publishing.md says so).

use crate::Failure;
use crate::http::{agent, read, refused_for_good, transport};
use incident_core::publish::mask_url;
use std::time::Duration;

/// POSTs `body` to `url`; refusals a retry will not fix (401, 403, 404,
/// 410, a 400's reason) stop, everything else is retried.
pub fn post(url: &str, body: &serde_json::Value, timeout: Duration) -> Result<(), Failure> {
    let masked = mask_url(url);
    let response = agent(timeout)
        .post(url)
        .header("Content-Type", "application/json")
        .send(body.to_string().as_bytes())
        .map_err(|error| match transport("the webhook", error) {
            // The address is a secret: never in an error that is shown.
            Failure::Retry {
                error,
                retry_after_ms,
            } => Failure::Retry {
                error: error.replace(url, &masked),
                retry_after_ms,
            },
            refused => refused,
        })?;
    let answer = read(response);
    if (200..300).contains(&answer.status) {
        return Ok(());
    }
    let said: String = answer.body.trim().chars().take(200).collect();
    let what = format!("{masked} answered HTTP {} {said}", answer.status);
    if answer.status == 429 {
        return Err(Failure::Retry {
            error: format!("{what} (slow down)"),
            retry_after_ms: answer.retry_after_ms,
        });
    }
    if refused_for_good(answer.status) {
        return Err(Failure::Refused {
            reason: format!("the webhook refused the message: {what}"),
        });
    }
    Err(Failure::Retry {
        error: what,
        retry_after_ms: None,
    })
}
