//! Publishing a message to a webhook: a Slack-compatible incoming webhook
//! (`{"text": …}`) or a generic JSON endpoint. Webhook addresses are
//! secrets: they are only ever shown or logged masked.

use crate::domain::{Channel, Communication};
use crate::error::{DeskError, Result};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum WebhookFormat {
    /// `{"text": "…"}`, as Slack-compatible incoming webhooks take.
    Slack,
    /// The whole message as JSON (see [`payload`]).
    Json,
}

impl WebhookFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookFormat::Slack => "slack",
            WebhookFormat::Json => "json",
        }
    }

    pub fn parse(text: &str) -> Result<WebhookFormat> {
        match text.trim().to_ascii_lowercase().as_str() {
            "slack" => Ok(WebhookFormat::Slack),
            "json" => Ok(WebhookFormat::Json),
            _ => Err(DeskError::UnknownName {
                what: "webhook format",
                given: text.to_owned(),
                valid: "slack, json".into(),
            }),
        }
    }
}

/// Where messages go: a homeserver and a room on it (its id, `!…:server`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MatrixRoom {
    /// `https://matrix.example.org` (http only for a homeserver on this machine).
    pub homeserver: String,
    pub room_id: String,
}

impl MatrixRoom {
    /// Refuses an address or room id that cannot be right, saying why.
    pub fn check(&self) -> Result<(), String> {
        let base = self.homeserver.trim();
        let local = base.starts_with("http://127.0.0.1")
            || base.starts_with("http://localhost")
            || base.starts_with("http://[::1]");
        if !(base.starts_with("https://") || local) {
            return Err(format!(
                "the homeserver address {base:?} must start with https:// (http:// only on this machine)"
            ));
        }
        let room = self.room_id.trim();
        // Room ids start with "!"; older room versions add ":server".
        if !room.starts_with('!') || room.len() < 2 || room.chars().any(char::is_whitespace) {
            return Err(format!(
                "{room:?} is not a room id: it starts with ! (Room settings → Advanced), not # (an alias)"
            ));
        }
        Ok(())
    }
}

/// Checks that a webhook address is a plain http(s) URL with a host.
pub fn check_url(url: &str) -> Result<()> {
    let trimmed = url.trim();
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"))
        .ok_or_else(|| {
            DeskError::invalid(
                "webhook",
                "a webhook address must start with https:// or http://",
            )
        })?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || trimmed.chars().any(char::is_whitespace) {
        return Err(DeskError::invalid(
            "webhook",
            "a webhook address needs a host and no spaces",
        ));
    }
    Ok(())
}

/// The address with its secret parts hidden: scheme, host, and the last
/// four characters — enough to tell two webhooks apart.
pub fn mask_url(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = &rest[..host_end];
    let host = host.rsplit('@').next().unwrap_or(host);
    let tail: String = rest[host_end..]
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if rest.len() > host_end {
        format!("{scheme}://{host}/…{tail}")
    } else {
        format!("{scheme}://{host}")
    }
}

/// The JSON sent for `message` of incident `reference`.
pub fn payload(
    format: WebhookFormat,
    reference: &str,
    title: &str,
    message: &Communication,
) -> serde_json::Value {
    match format {
        WebhookFormat::Slack => {
            let text = match &message.subject {
                Some(subject) if !subject.is_empty() => format!("*{subject}*\n{}", message.body),
                _ => message.body.clone(),
            };
            serde_json::json!({ "text": text })
        }
        WebhookFormat::Json => serde_json::json!({
            "incident": reference,
            "title": title,
            "channel": message.channel,
            "segment": message.segment,
            "subject": message.subject,
            "body": message.body,
            "announces": message.announces,
            "message_id": message.id,
        }),
    }
}

/// Posts `body` to `url`; Ok only when the server accepted it (2xx).
pub fn post(
    url: &str,
    body: &serde_json::Value,
    timeout: Duration,
    channel: Channel,
) -> Result<()> {
    let masked = mask_url(url);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .build()
        .into();
    let text = body.to_string();
    let response = agent
        .post(url)
        .header("Content-Type", "application/json")
        .send(text.as_bytes());
    let mut response = match response {
        Ok(response) => response,
        Err(error) => {
            let reason = match error {
                ureq::Error::Timeout(_) => format!("no answer within {} s", timeout.as_secs()),
                other => other.to_string().replace(url, &masked),
            };
            return Err(DeskError::Publish(format!(
                "publishing the {} message to {masked} failed: {reason}; it was not marked sent",
                channel.as_str().replace('_', " ")
            )));
        }
    };
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let answer: String = response
        .body_mut()
        .read_to_string()
        .unwrap_or_default()
        .chars()
        .take(300)
        .collect();
    Err(DeskError::Publish(format!(
        "{masked} refused the {} message: HTTP {} {}; it was not marked sent",
        channel.as_str().replace('_', " "),
        status.as_u16(),
        answer.trim()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_addresses_are_checked_and_masked() {
        assert!(check_url("https://hooks.slack.com/services/T0/B0/XXXX").is_ok());
        assert!(check_url("http://127.0.0.1:9000/hook").is_ok());
        for bad in [
            "ftp://x/y",
            "hooks.slack.com/x",
            "https://",
            "https://a b/c",
            "javascript:alert(1)",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
        assert_eq!(
            mask_url("https://hooks.slack.com/services/T0001/B0001/abcdEFGH1234"),
            "https://hooks.slack.com/…1234"
        );
        assert_eq!(
            mask_url("https://user:secret@example.com/x?token=abcd"),
            "https://example.com/…abcd"
        );
    }
}
