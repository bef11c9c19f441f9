//! Slack with a bot token: `chat.postMessage`. An incident's first message
//! starts a thread; later ones reply in it (`thread_ts`), optionally also
//! shown in the channel (`reply_broadcast`). Slack does not deduplicate
//! posts: each carries the outbox entry in its metadata, and before a retry
//! the channel (or the thread) is read for it (`conversations.history`,
//! `conversations.replies`, which need the `channels:history` scope).

use crate::Failure;
use crate::http::{agent, read, refused_for_good, transport};
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

/// What `metadata.event_type` says on Incident Desk's posts.
const EVENT_TYPE: &str = "incident_desk_message";

#[derive(Deserialize)]
struct Answer {
    ok: bool,
    #[serde(default)]
    error: String,
    #[serde(default)]
    ts: String,
    #[serde(default)]
    messages: Vec<Message>,
}

#[derive(Deserialize)]
struct Message {
    #[serde(default)]
    ts: String,
    #[serde(default)]
    metadata: serde_json::Value,
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
            "event_type": EVENT_TYPE,
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
    let response = agent(timeout)
        .post(&url)
        .header("Authorization", &format!("Bearer {token}"))
        .header("Content-Type", "application/json; charset=utf-8")
        .send(body.to_string().as_bytes())
        .map_err(|error| transport("Slack", error))?;
    let answer = answer_of(read(response))?;
    if answer.ts.is_empty() {
        return Err(Failure::Retry {
            error: "Slack answered ok without the message's ts".into(),
            retry_after_ms: None,
        });
    }
    Ok(Posted {
        thread_ts: thread_ts.map_or_else(|| answer.ts.clone(), str::to_owned),
        ts: answer.ts,
    })
}

/// The post an earlier attempt of `outbox_id` made, if it went through
/// (its answer may have been lost): read back from the channel, or from
/// the thread `thread_ts`.
pub fn find_posted(
    to: &SlackChannel,
    token: &str,
    thread_ts: Option<&str>,
    outbox_id: &str,
    timeout: Duration,
) -> Result<Option<Posted>, Failure> {
    let api = to.api.trim_end_matches('/');
    let url = match thread_ts {
        Some(_) => format!("{api}/conversations.replies"),
        None => format!("{api}/conversations.history"),
    };
    let mut request = agent(timeout)
        .get(&url)
        .header("Authorization", &format!("Bearer {token}"))
        .query("channel", &to.channel)
        .query("include_all_metadata", "true")
        .query("limit", "200");
    if let Some(thread) = thread_ts {
        request = request.query("ts", thread);
    }
    let response = request.call().map_err(|error| transport("Slack", error))?;
    let answer = answer_of(read(response)).map_err(|failure| match failure {
        Failure::Refused { reason } => Failure::Refused {
            reason: format!(
                "{reason} — before a retry Incident Desk reads the channel to make sure the message is not posted twice (the app needs channels:history)"
            ),
        },
        retry => retry,
    })?;
    Ok(answer
        .messages
        .into_iter()
        .find(|m| {
            m.metadata["event_type"].as_str() == Some(EVENT_TYPE)
                && m.metadata["event_payload"]["outbox_id"].as_str() == Some(outbox_id)
        })
        .map(|m| Posted {
            thread_ts: thread_ts.map_or_else(|| m.ts.clone(), str::to_owned),
            ts: m.ts,
        }))
}

/// An HTTP answer from the Web API, read into its JSON or a failure.
fn answer_of(answer: crate::http::Answer) -> Result<Answer, Failure> {
    if answer.status == 429 {
        return Err(Failure::Retry {
            error: "Slack asks to slow down (HTTP 429)".into(),
            retry_after_ms: answer.retry_after_ms,
        });
    }
    if answer.status != 200 {
        let failure = format!("Slack answered HTTP {}", answer.status);
        return Err(if refused_for_good(answer.status) {
            Failure::Refused { reason: failure }
        } else {
            Failure::Retry {
                error: failure,
                retry_after_ms: None,
            }
        });
    }
    let parsed: Answer = serde_json::from_str(&answer.body).map_err(|_| Failure::Retry {
        error: "Slack answered with something that is not its JSON".into(),
        retry_after_ms: None,
    })?;
    if parsed.ok {
        Ok(parsed)
    } else {
        Err(slack_error(&parsed.error))
    }
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
        "thread_not_found",
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
