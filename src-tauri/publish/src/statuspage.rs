//! Atlassian Statuspage, REST v1 with `Authorization: OAuth <key>`: one page
//! incident per incident. The first public message creates it (name,
//! status, body, impact from the level, the affected components); each
//! later one is an update of that same incident; a message that announces
//! "resolved" resolves it and puts the components back to operational.
//!
//! Statuspage has no idempotency key. The incident carries the outbox entry
//! and the incident in its metadata, so before a retry the earlier attempt
//! is looked for: a page incident with our metadata (create), or an update
//! with the same text (update). Requests are paced to the documented limit
//! (about one a second per key); a 429 waits its Retry-After.

use crate::Failure;
use crate::http::{Answer, agent, path_segment, read, transport};
use serde::Deserialize;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The API's base address (a test points it at its own server).
pub const STATUSPAGE_API: &str = "https://api.statuspage.io/v1";

/// The documented limit: about 60 requests a minute per key.
const PACE: Duration = Duration::from_secs(1);

/// The metadata namespace Incident Desk writes (top-level values must be
/// objects).
const METADATA: &str = "incident_desk";

/// When this process last asked Statuspage anything.
static LAST_REQUEST: Mutex<Option<Instant>> = Mutex::new(None);

/// A page and the key that may write it.
#[derive(Debug, Clone)]
pub struct Page {
    pub api: String,
    pub page_id: String,
    pub key: String,
}

/// What one message says on the page.
#[derive(Debug, Clone)]
pub struct Notice<'a> {
    /// The page incident's name (the incident's title).
    pub name: &'a str,
    /// investigating, identified, monitoring or resolved.
    pub status: &'a str,
    pub body: &'a str,
    /// none, minor, major or critical.
    pub impact: &'a str,
    /// The affected components and the status each shows now.
    pub components: Vec<(String, &'static str)>,
    /// Our incident and outbox entry, kept in the page incident's metadata.
    pub incident_id: &'a str,
    pub outbox_id: &'a str,
}

#[derive(Deserialize)]
struct PageIncident {
    id: String,
    #[serde(default)]
    metadata: serde_json::Value,
    #[serde(default)]
    incident_updates: Vec<PageUpdate>,
}

#[derive(Deserialize)]
struct PageUpdate {
    #[serde(default)]
    id: String,
    #[serde(default)]
    body: String,
}

/// Statuspage's error body: `{"error": "…"}` or `{"error": ["…", …]}`.
#[derive(Deserialize, Default)]
struct PageError {
    #[serde(default)]
    error: serde_json::Value,
    #[serde(default)]
    message: String,
}

impl Page {
    fn url(&self, path: &str) -> String {
        format!(
            "{}/pages/{}/{path}",
            self.api.trim().trim_end_matches('/'),
            path_segment(self.page_id.trim())
        )
    }

    fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
        timeout: Duration,
    ) -> Result<Answer, Failure> {
        pace();
        let agent = agent(timeout);
        let url = self.url(path);
        let auth = format!("OAuth {}", self.key.trim());
        let response = match (method, body) {
            ("POST", Some(body)) => agent
                .post(&url)
                .header("Authorization", &auth)
                .send_json(&body),
            ("PATCH", Some(body)) => agent
                .patch(&url)
                .header("Authorization", &auth)
                .send_json(&body),
            _ => agent.get(&url).header("Authorization", &auth).call(),
        };
        let answer = read(response.map_err(|error| transport("Statuspage", error))?);
        if (200..300).contains(&answer.status) {
            Ok(answer)
        } else {
            Err(failure(&answer))
        }
    }

    /// Creates the page incident for a first message; its id.
    pub fn create(&self, notice: &Notice<'_>, timeout: Duration) -> Result<String, Failure> {
        let mut incident = fields(notice);
        incident["name"] = serde_json::json!(notice.name);
        incident["metadata"] = serde_json::json!({
            METADATA: { "incident": notice.incident_id, "outbox": notice.outbox_id }
        });
        let answer = self.call(
            "POST",
            "incidents",
            Some(serde_json::json!({ "incident": incident })),
            timeout,
        )?;
        parse::<PageIncident>(&answer).map(|created| created.id)
    }

    /// Posts a later message as an update of page incident `id`.
    pub fn update(&self, id: &str, notice: &Notice<'_>, timeout: Duration) -> Result<(), Failure> {
        let incident = fields(notice);
        self.call(
            "PATCH",
            &format!("incidents/{}", path_segment(id)),
            Some(serde_json::json!({ "incident": incident })),
            timeout,
        )
        .map(|_| ())
    }

    /// The page incident made for our incident, if there is one, and the
    /// outbox entry that made it: an earlier try whose answer was lost, or
    /// another laptop of the team whose record has not arrived yet.
    pub fn find_created(
        &self,
        incident_id: &str,
        timeout: Duration,
    ) -> Result<Option<(String, String)>, Failure> {
        let answer = self.call("GET", "incidents?limit=50", None, timeout)?;
        let incidents = parse::<Vec<PageIncident>>(&answer)?;
        Ok(incidents
            .into_iter()
            .find(|i| i.metadata[METADATA]["incident"].as_str() == Some(incident_id))
            .map(|i| {
                let outbox = i.metadata[METADATA]["outbox"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                (i.id, outbox)
            }))
    }

    /// Whether page incident `id` already has an update with `body`.
    pub fn has_update(&self, id: &str, body: &str, timeout: Duration) -> Result<bool, Failure> {
        let answer = self.call(
            "GET",
            &format!("incidents/{}", path_segment(id)),
            None,
            timeout,
        )?;
        let incident = parse::<PageIncident>(&answer)?;
        Ok(incident
            .incident_updates
            .iter()
            .any(|u| !u.id.is_empty() && u.body.trim() == body.trim()))
    }
}

/// What create and update both send.
fn fields(notice: &Notice<'_>) -> serde_json::Value {
    let components: serde_json::Map<String, serde_json::Value> = notice
        .components
        .iter()
        .map(|(id, status)| (id.clone(), serde_json::json!(status)))
        .collect();
    serde_json::json!({
        "status": notice.status,
        "body": notice.body,
        "impact_override": notice.impact,
        "component_ids": notice.components.iter().map(|(id, _)| id).collect::<Vec<_>>(),
        "components": components,
        "deliver_notifications": true,
    })
}

fn parse<T: serde::de::DeserializeOwned>(answer: &Answer) -> Result<T, Failure> {
    serde_json::from_str(&answer.body).map_err(|_| Failure::Retry {
        error: format!(
            "Statuspage answered HTTP {} with something that is not its JSON",
            answer.status
        ),
        retry_after_ms: None,
    })
}

/// A non-2xx answer in the outbox's terms.
fn failure(answer: &Answer) -> Failure {
    let error: PageError = serde_json::from_str(&answer.body).unwrap_or_default();
    let reason = match &error.error {
        serde_json::Value::String(text) => text.clone(),
        serde_json::Value::Array(list) => list
            .iter()
            .filter_map(|v| v.as_str())
            .collect::<Vec<_>>()
            .join("; "),
        _ => error.message.clone(),
    };
    let said = if reason.trim().is_empty() {
        format!("HTTP {}", answer.status)
    } else {
        format!("HTTP {}: {}", answer.status, reason.trim())
    };
    match answer.status {
        // 420 is what Statuspage sent for "too many requests" before 429.
        420 | 429 => Failure::Retry {
            error: format!("Statuspage asks to slow down ({said})"),
            retry_after_ms: answer.retry_after_ms.or(Some(60_000)),
        },
        401 => Failure::Refused {
            reason: format!("Statuspage refused the API key ({said})"),
        },
        403 => Failure::Refused {
            reason: format!("the API key may not write this page ({said})"),
        },
        404 => Failure::Refused {
            reason: format!("Statuspage does not know that page or incident ({said})"),
        },
        400 | 422 => Failure::Refused {
            reason: format!("Statuspage refused the message ({said})"),
        },
        _ => Failure::Retry {
            error: format!("Statuspage failed ({said})"),
            retry_after_ms: None,
        },
    }
}

/// Waits until a second has passed since this process's last request.
fn pace() {
    let Ok(mut last) = LAST_REQUEST.lock() else {
        return;
    };
    if let Some(at) = *last {
        let since = at.elapsed();
        if since < PACE {
            std::thread::sleep(PACE - since);
        }
    }
    *last = Some(Instant::now());
}

/// The impact a level shows on the page.
pub fn impact_for_level(level: &str) -> &'static str {
    match level.trim().to_ascii_uppercase().as_str() {
        "L1" => "major",
        "L2" => "minor",
        _ => "none",
    }
}

/// The status the affected components show for a level, or operational
/// once the incident is resolved.
pub fn component_status(level: &str, resolved: bool) -> &'static str {
    if resolved {
        return "operational";
    }
    match level.trim().to_ascii_uppercase().as_str() {
        "L1" => "major_outage",
        "L2" => "partial_outage",
        _ => "degraded_performance",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_read_as_impact_and_component_status() {
        assert_eq!(impact_for_level("L1"), "major");
        assert_eq!(impact_for_level("l2"), "minor");
        assert_eq!(impact_for_level("L9"), "none");
        assert_eq!(component_status("L1", false), "major_outage");
        assert_eq!(component_status("L1", true), "operational");
    }

    #[test]
    fn errors_read_as_refusals_or_retries() {
        let answer = |status, body: &str| Answer {
            status,
            retry_after_ms: None,
            body: body.into(),
        };
        assert!(matches!(
            failure(&answer(401, r#"{"error":"Couldn't authenticate you"}"#)),
            Failure::Refused { reason } if reason.contains("Couldn't authenticate you")
        ));
        assert!(matches!(
            failure(&answer(422, r#"{"error":["Name can't be blank","Body too long"]}"#)),
            Failure::Refused { reason } if reason.contains("Name can't be blank; Body too long")
        ));
        assert!(matches!(
            failure(&answer(429, "")),
            Failure::Retry {
                retry_after_ms: Some(60_000),
                ..
            }
        ));
        assert!(matches!(failure(&answer(503, "")), Failure::Retry { .. }));
    }
}
