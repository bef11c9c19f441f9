//! Slack with a bot token: `chat.postMessage`. An incident's first message
//! starts a thread; later ones reply in it (`thread_ts`), optionally also
//! shown in the channel (`reply_broadcast`). Slack does not deduplicate
//! posts: each carries the outbox entry in its metadata, so a post can be
//! recognised later (looking it up before a retry is still to come).

use crate::Failure;
use crate::http::{agent, refused_for_good, transport};
use serde::Deserialize;
use std::time::Duration;

/// The Web API's base address (a test points it at its own server).
pub const SLACK_API: &str = "https://slack.com/api";

/// Where messages go: a channel id (`C0123…`), through `api`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlackChannel {
    pub api: String,
    pub channel: String,
    /// Also show thread replies in the channel.
    pub broadcast: bool,
}

/// What Slack answered to a post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posted {
    /// The message's timestamp: its id in the channel.
    pub ts: String,
    /// The thread it belongs to (its own `ts` for the first message).
    pub thread_ts: String,
}

#[derive(Deserialize)]
struct Answer {
    ok: bool,
    #[serde(default)]
    error: String,
    #[serde(default)]
    ts: String,
}

/// Posts `text` (in the thread `thread_ts` when given), tagged with
/// `outbox_id` in the message metadata.
pub fn post_message(
    to: &SlackChannel,
    token: &str,
    text: &str,
    thread_ts: Option<&str>,
    outbox_id: &str,
    timeout: Duration,
) -> Result<Posted, Failure> {
    let mut body = serde_json::json!({
        "channel": to.channel,
        "text": text,
        // Plain text: what people typed is never Slack markup.
        "mrkdwn": false,
        "metadata": {
            "event_type": "incident_desk_message",
            "event_payload": { "outbox_id": outbox_id },
        },
    });
    if let Some(thread) = thread_ts {
        body["thread_ts"] = serde_json::json!(thread);
        if to.broadcast {
            body["reply_broadcast"] = serde_json::json!(true);
        }
    }
    let url = format!("{}/chat.postMessage", to.api.trim_end_matches('/'));
    let mut response = agent(timeout)
        .post(&url)
        .header("Authorization", &format!("Bearer {token}"))
        .header("Content-Type", "application/json; charset=utf-8")
        .send(body.to_string().as_bytes())
        .map_err(|error| transport("Slack", error))?;
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("Retry-After")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let text = response.body_mut().read_to_string().unwrap_or_default();
    if status == 429 {
        return Err(Failure::Retry {
            error: "Slack asks to slow down (HTTP 429)".into(),
            retry_after_ms: retry_after.map(|s| s.saturating_mul(1000)),
        });
    }
    if status != 200 {
        let failure = format!("Slack answered HTTP {status}");
        return Err(if refused_for_good(status) {
            Failure::Refused { reason: failure }
        } else {
            Failure::Retry {
                error: failure,
                retry_after_ms: None,
            }
        });
    }
    let answer: Answer = serde_json::from_str(&text).map_err(|_| Failure::Retry {
        error: "Slack answered with something that is not its JSON".into(),
        retry_after_ms: None,
    })?;
    if answer.ok && !answer.ts.is_empty() {
        return Ok(Posted {
            thread_ts: thread_ts.map_or_else(|| answer.ts.clone(), str::to_owned),
            ts: answer.ts,
        });
    }
    Err(slack_error(&answer.error))
}

/// Slack's `error` in the outbox's terms: what a retry cannot fix stops.
fn slack_error(error: &str) -> Failure {
    let for_good = [
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "no_permission",
        "missing_scope",
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "msg_too_long",
        "no_text",
        "invalid_metadata_format",
    ];
    if for_good.contains(&error) {
        let what = match error {
            "invalid_auth" | "not_authed" | "account_inactive" | "token_revoked" => {
                "Slack refused the bot token"
            }
            "channel_not_found" | "not_in_channel" | "is_archived" => {
                "Slack cannot post in that channel (invite the app to it)"
            }
            _ => "Slack refused the message",
        };
        return Failure::Refused {
            reason: format!("{what}: {error}"),
        };
    }
    Failure::Retry {
        error: format!(
            "Slack failed: {}",
            if error.is_empty() {
                "no reason given"
            } else {
                error
            }
        ),
        retry_after_ms: None,
    }
}
