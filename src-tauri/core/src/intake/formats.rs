//! The payloads monitoring tools send, translated into [`AlertInput`]s:
//! Prometheus Alertmanager (webhook version 4), Grafana alerting, Checkly
//! alert webhooks, and our own generic JSON (docs/alerts.md). Every parser
//! works on untrusted bytes: it returns a reason, never panics.

use crate::domain::{AlertInput, Severity};
use crate::time::Timestamp;
use serde_json::{Map, Value};

/// The payload formats the receiver understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Alertmanager,
    Grafana,
    Checkly,
    Generic,
}

impl Format {
    /// The format named by the last part of the receiver's path (`/alerts/grafana`).
    pub fn from_path_segment(segment: &str) -> Option<Format> {
        match segment {
            "alertmanager" | "prometheus" => Some(Format::Alertmanager),
            "grafana" => Some(Format::Grafana),
            "checkly" => Some(Format::Checkly),
            "generic" => Some(Format::Generic),
            _ => None,
        }
    }
}

/// Why a payload was refused (the receiver answers 400 with it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PayloadError(pub String);

fn refuse<T>(reason: impl Into<String>) -> Result<T, PayloadError> {
    Err(PayloadError(reason.into()))
}

/// Parses a payload, in the given format or (without one) the format its
/// shape shows.
pub fn parse(body: &[u8], format: Option<Format>) -> Result<Vec<AlertInput>, PayloadError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|error| PayloadError(format!("the body is not valid JSON: {error}")))?;
    let Value::Object(object) = value else {
        return refuse("the body must be a JSON object");
    };
    let format = match format {
        Some(format) => format,
        None => detect(&object)?,
    };
    let alerts = match format {
        Format::Alertmanager => alertmanager(&object, "alertmanager")?,
        Format::Grafana => alertmanager(&object, "grafana")?,
        Format::Checkly => checkly(&object)?,
        Format::Generic => generic(&object)?,
    };
    if alerts.is_empty() {
        return refuse("the payload has no alerts");
    }
    Ok(alerts)
}

/// Tells the formats apart by the fields only each one has.
fn detect(object: &Map<String, Value>) -> Result<Format, PayloadError> {
    let grafana_alert = object
        .get("alerts")
        .and_then(Value::as_array)
        .and_then(|alerts| alerts.first())
        .and_then(Value::as_object)
        .is_some_and(|alert| {
            alert.contains_key("dashboardURL")
                || alert.contains_key("panelURL")
                || alert.contains_key("silenceURL")
                || alert.contains_key("valueString")
        });
    if object.contains_key("orgId") || grafana_alert {
        return Ok(Format::Grafana);
    }
    if object.contains_key("groupKey") && object.contains_key("alerts") {
        return Ok(Format::Alertmanager);
    }
    if ["alertType", "ALERT_TYPE", "checkId", "checkName"]
        .iter()
        .any(|key| object.contains_key(*key))
    {
        return Ok(Format::Checkly);
    }
    if object.contains_key("summary") || object.contains_key("alerts") {
        return Ok(Format::Generic);
    }
    refuse(
        "unknown payload shape: expected Alertmanager (version 4), Grafana alerting, Checkly, \
         or the generic format (see docs/alerts.md)",
    )
}

fn text<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    object
        .get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|text| !text.is_empty())
}

fn first_text<'a>(object: &'a Map<String, Value>, keys: &[&str]) -> Option<&'a str> {
    keys.iter().find_map(|key| text(object, key))
}

fn empty() -> Map<String, Value> {
    Map::new()
}

/// Severity words of the common labelling conventions.
fn severity_of(word: Option<&str>) -> Severity {
    match word.map(str::to_ascii_lowercase).as_deref() {
        Some(
            "critical" | "crit" | "page" | "error" | "high" | "p1" | "sev1" | "fatal" | "emergency",
        ) => Severity::Critical,
        Some("info" | "informational" | "none" | "low" | "p4" | "p5" | "debug" | "notice") => {
            Severity::Info
        }
        _ => Severity::Warning,
    }
}

/// A time, if the tool sent one we can read (Alertmanager's "zero time" is none).
fn time_of(text: Option<&str>) -> Option<Timestamp> {
    let time = Timestamp::parse(text?).ok()?;
    (time.millis() > 0).then_some(time)
}

/// Alertmanager's webhook (version 4), and Grafana's, which extends it.
fn alertmanager(
    object: &Map<String, Value>,
    source: &str,
) -> Result<Vec<AlertInput>, PayloadError> {
    if source == "alertmanager"
        && let Some(version) = object.get("version").and_then(Value::as_str)
        && version != "4"
    {
        return refuse(format!(
            "Alertmanager webhook version {version:?} is not supported (version \"4\" is)"
        ));
    }
    let Some(alerts) = object.get("alerts").and_then(Value::as_array) else {
        return refuse("the payload has no \"alerts\" list");
    };
    let common_labels = object.get("commonLabels").and_then(Value::as_object);
    let group_status = text(object, "status");
    let mut inputs = Vec::with_capacity(alerts.len());
    for (index, alert) in alerts.iter().enumerate() {
        let Some(alert) = alert.as_object() else {
            return refuse(format!("alert {} is not an object", index + 1));
        };
        let fallback = empty();
        let labels = alert
            .get("labels")
            .and_then(Value::as_object)
            .or(common_labels)
            .unwrap_or(&fallback);
        let annotations = alert
            .get("annotations")
            .and_then(Value::as_object)
            .unwrap_or(&fallback);
        let alertname = text(labels, "alertname");
        let summary = first_text(annotations, &["summary", "description", "message"])
            .or(alertname)
            .or_else(|| text(object, "title"));
        let Some(summary) = summary else {
            return refuse(format!(
                "alert {} has neither a summary annotation nor an alertname label",
                index + 1
            ));
        };
        let service = first_text(labels, &["service", "job", "app", "namespace", "instance"])
            .or(alertname)
            .unwrap_or(source);
        let link = first_text(alert, &["panelURL", "dashboardURL", "generatorURL"])
            .or_else(|| first_text(annotations, &["runbook_url", "dashboard"]))
            .filter(|link| link.starts_with("http://") || link.starts_with("https://"));
        let status = text(alert, "status").or(group_status);
        let fingerprint = text(alert, "fingerprint")
            .map(str::to_owned)
            .or_else(|| label_fingerprint(labels));
        inputs.push(AlertInput {
            source: source.to_owned(),
            service: service.to_owned(),
            severity: severity_of(first_text(labels, &["severity", "priority", "level"])),
            summary: summary.to_owned(),
            link: link.map(str::to_owned),
            fingerprint,
            resolved: status == Some("resolved"),
            started_at: time_of(text(alert, "startsAt")),
            synthetic: false,
            change: reports_change(labels),
        });
    }
    Ok(inputs)
}

/// A stable key from an alert's labels (sorted), when the tool sent no fingerprint.
fn label_fingerprint(labels: &Map<String, Value>) -> Option<String> {
    if labels.is_empty() {
        return None;
    }
    let mut pairs: Vec<String> = labels
        .iter()
        .map(|(key, value)| format!("{key}={}", value.as_str().unwrap_or_default()))
        .collect();
    pairs.sort();
    Some(pairs.join(",").chars().take(200).collect())
}

/// Checkly's alert webhook: the fields of its template variables (see
/// docs/alerts.md for the body to paste into Checkly).
fn checkly(object: &Map<String, Value>) -> Result<Vec<AlertInput>, PayloadError> {
    let alert_type = first_text(object, &["alertType", "ALERT_TYPE", "message"]).unwrap_or("");
    let (severity, resolved) = match alert_type.to_ascii_uppercase().as_str() {
        "ALERT_FAILURE" | "ALERT_FAIL" | "ALERT_FAILURE_REMAIN" => (Severity::Critical, false),
        "ALERT_DEGRADED" | "ALERT_DEGRADED_REMAIN" | "ALERT_DEGRADED_FAILURE" => {
            (Severity::Warning, false)
        }
        "ALERT_RECOVERY" | "ALERT_DEGRADED_RECOVERY" => (Severity::Warning, true),
        "ALERT_SSL" => (Severity::Info, false),
        "" => return refuse("the Checkly payload has no alertType (e.g. \"ALERT_FAILURE\")"),
        other => return refuse(format!("unknown Checkly alert type {other:?}")),
    };
    let check_name = first_text(object, &["checkName", "CHECK_NAME"]);
    let title = first_text(object, &["alertTitle", "ALERT_TITLE", "event", "title"]);
    let Some(summary) = title.or(check_name) else {
        return refuse("the Checkly payload has neither an alertTitle nor a checkName");
    };
    let summary = match first_text(
        object,
        &["checkErrorMessage", "errorMessage", "CHECK_ERROR_MESSAGE"],
    ) {
        Some(error) if !resolved => format!("{summary}: {error}"),
        _ => summary.to_owned(),
    };
    let service = first_text(object, &["groupName", "GROUP_NAME"])
        .or(check_name)
        .unwrap_or("checkly");
    let fingerprint = first_text(object, &["checkId", "CHECK_ID"])
        .or(check_name)
        .map(str::to_owned);
    let link = first_text(object, &["resultLink", "RESULT_LINK", "results"])
        .filter(|link| link.starts_with("http://") || link.starts_with("https://"));
    Ok(vec![AlertInput {
        source: "checkly".into(),
        service: service.to_owned(),
        severity,
        summary,
        link: link.map(str::to_owned),
        fingerprint,
        resolved,
        started_at: time_of(first_text(object, &["startedAt", "STARTED_AT"])),
        synthetic: true,
        change: false,
    }])
}

/// Our generic format: one alert object, or `{"alerts": [ … ]}`.
fn generic(object: &Map<String, Value>) -> Result<Vec<AlertInput>, PayloadError> {
    if let Some(alerts) = object.get("alerts") {
        let Some(alerts) = alerts.as_array() else {
            return refuse("\"alerts\" must be a list");
        };
        return alerts
            .iter()
            .enumerate()
            .map(|(index, alert)| match alert.as_object() {
                Some(alert) => generic_one(alert).map_err(|PayloadError(reason)| {
                    PayloadError(format!("alert {}: {reason}", index + 1))
                }),
                None => refuse(format!("alert {} is not an object", index + 1)),
            })
            .collect();
    }
    Ok(vec![generic_one(object)?])
}

fn generic_one(object: &Map<String, Value>) -> Result<AlertInput, PayloadError> {
    let required = |key: &str| -> Result<&str, PayloadError> {
        text(object, key).ok_or_else(|| PayloadError(format!("\"{key}\" is missing or empty")))
    };
    let severity = match text(object, "severity") {
        None => Severity::Warning,
        Some(word) => word
            .parse::<Severity>()
            .map_err(|error| PayloadError(error.to_string()))?,
    };
    let resolved = match text(object, "status") {
        None | Some("firing") => false,
        Some("resolved") => true,
        Some(other) => {
            return refuse(format!(
                "\"status\" is {other:?}; it must be \"firing\" or \"resolved\""
            ));
        }
    };
    let started_at = match text(object, "started_at") {
        None => None,
        Some(time) => {
            Some(Timestamp::parse(time).map_err(|error| PayloadError(error.to_string()))?)
        }
    };
    Ok(AlertInput {
        source: required("source")?.to_owned(),
        service: required("service")?.to_owned(),
        severity,
        summary: required("summary")?.to_owned(),
        link: text(object, "link").map(str::to_owned),
        fingerprint: text(object, "fingerprint").map(str::to_owned),
        resolved,
        started_at,
        synthetic: object
            .get("synthetic")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        change: object
            .get("change")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    })
}

/// Labels that say an alert reports a deploy or change: `kind` or `type`
/// set to `deploy`, `deployment`, `change` or `rollout`, or `change="true"`.
fn reports_change(labels: &Map<String, Value>) -> bool {
    let says = |key: &str| {
        text(labels, key).is_some_and(|value| {
            ["deploy", "deployment", "change", "rollout"]
                .iter()
                .any(|word| value.eq_ignore_ascii_case(word))
        })
    };
    says("kind") || says("type") || text(labels, "change").is_some_and(|v| v == "true")
}
