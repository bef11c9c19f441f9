//! Alerts from monitoring: what one delivery says, how it is checked, and
//! what an incident declared from it starts with (a guess the commander
//! confirms, never a decision made for them).

use super::{IncidentKind, Severity, Source};
use crate::error::{DeskError, Result};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub const MAX_ALERT_SOURCE: usize = 60;
pub const MAX_ALERT_SERVICE: usize = 120;
pub const MAX_ALERT_SUMMARY: usize = 500;
pub const MAX_FINGERPRINT: usize = 200;
pub const MAX_LINK: usize = 2_000;

/// One alert as a tool delivered it (already translated from its format).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AlertInput {
    /// Who raised it: `alertmanager`, `grafana`, `checkly`, or a name a script chose.
    pub source: String,
    pub service: String,
    pub severity: Severity,
    pub summary: String,
    /// Where to look (a graph, a check result), http(s) only.
    pub link: Option<String>,
    /// Deliveries with the same source and fingerprint are one alert.
    /// Without one, the service and summary make it.
    pub fingerprint: Option<String>,
    pub resolved: bool,
    /// When the problem started, by the tool's clock.
    pub started_at: Option<Timestamp>,
    /// From a synthetic check rather than monitoring of the system itself.
    pub synthetic: bool,
    /// It reports a deploy or change rather than a problem.
    #[serde(default)]
    pub change: bool,
}

impl AlertInput {
    /// A firing alert with the given text and nothing else.
    pub fn new(source: &str, service: &str, severity: Severity, summary: &str) -> AlertInput {
        AlertInput {
            source: source.to_owned(),
            service: service.to_owned(),
            severity,
            summary: summary.to_owned(),
            link: None,
            fingerprint: None,
            resolved: false,
            started_at: None,
            synthetic: false,
            change: false,
        }
    }

    /// Trims and checks every field; a link that is not http(s) is refused
    /// (it would be a click away from running something).
    pub fn validated(mut self) -> Result<AlertInput> {
        self.source = field("source", &self.source, MAX_ALERT_SOURCE)?.to_ascii_lowercase();
        self.service = field("service", &self.service, MAX_ALERT_SERVICE)?;
        self.summary = field("summary", &self.summary, MAX_ALERT_SUMMARY)?;
        self.fingerprint = match self.fingerprint.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(field("fingerprint", text, MAX_FINGERPRINT)?),
        };
        self.link = match self.link.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(link) => Some(checked_link(link)?),
        };
        Ok(self)
    }

    /// The grouping key within the source.
    pub fn group_key(&self) -> String {
        match &self.fingerprint {
            Some(fingerprint) => fingerprint.clone(),
            None => format!("{}\u{1f}{}", self.service, self.summary),
        }
    }
}

fn field(name: &'static str, text: &str, max: usize) -> Result<String> {
    // Control characters (other than line breaks) have no business in an alert.
    let cleaned: String = text
        .chars()
        .map(|c| if c.is_control() && c != '\n' { ' ' } else { c })
        .collect();
    let trimmed = cleaned.trim();
    if trimmed.is_empty() {
        return Err(DeskError::invalid(
            name,
            format!("the alert's {name} is empty"),
        ));
    }
    let length = trimmed.chars().count();
    if length > max {
        return Err(DeskError::invalid(
            name,
            format!("the alert's {name} has {length} characters; at most {max}"),
        ));
    }
    Ok(trimmed.to_owned())
}

fn checked_link(link: &str) -> Result<String> {
    let lower = link.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) {
        return Err(DeskError::invalid(
            "link",
            "the alert's link must start with http:// or https://",
        ));
    }
    if link.chars().count() > MAX_LINK || link.chars().any(char::is_whitespace) {
        return Err(DeskError::invalid(
            "link",
            format!("the alert's link is not a single URL of at most {MAX_LINK} characters"),
        ));
    }
    Ok(link.to_owned())
}

/// What the declare form starts with when the commander declares from an alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AlertSuggestion {
    pub title: String,
    pub kind: IncidentKind,
    pub level: String,
    pub source: Source,
    pub started_at: Timestamp,
    /// Affected services: the alert's.
    pub services: Vec<String>,
}

/// Words in an alert that point to a kind of incident, most specific first.
const KIND_WORDS: &[(IncidentKind, &[&str])] = &[
    (
        IncidentKind::Security,
        &[
            "security",
            "intrusion",
            "breach",
            "unauthori",
            "malware",
            "cve-",
            "brute",
            "suspicious",
            "exfiltrat",
        ],
    ),
    (
        IncidentKind::Degradation,
        &[
            "latency",
            "slow",
            "degrad",
            "p95",
            "p99",
            "error rate",
            "elevated",
            "saturat",
            "high cpu",
            "high memory",
            "queue",
            "lag",
            "timeout",
        ],
    ),
    (
        IncidentKind::Outage,
        &[
            "down",
            "outage",
            "unreachable",
            "unavailable",
            "fail",
            "5xx",
            "503",
            "502",
            "crash",
            "not responding",
            "no data",
        ],
    ),
];

/// Guesses the kind from the words of the alert, else from its severity.
pub fn guess_kind(service: &str, summary: &str, severity: Severity) -> IncidentKind {
    let text = format!("{service} {summary}").to_lowercase();
    KIND_WORDS
        .iter()
        .find(|(_, words)| words.iter().any(|word| text.contains(word)))
        .map(|(kind, _)| *kind)
        .unwrap_or(match severity {
            Severity::Critical => IncidentKind::Outage,
            Severity::Warning | Severity::Info => IncidentKind::Degradation,
        })
}

/// Critical alerts suggest the most severe level, others the next one.
/// `levels` are the level names from most to least severe.
pub fn suggest_level(severity: Severity, levels: &[String]) -> String {
    let index = match severity {
        Severity::Critical => 0,
        Severity::Warning | Severity::Info => 1,
    };
    levels
        .get(index)
        .or_else(|| levels.last())
        .cloned()
        .unwrap_or_else(|| "L2".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_trimmed_and_checked_with_the_field_named() {
        let mut input = AlertInput::new(" Prometheus ", " api ", Severity::Critical, " down\u{7} ");
        input.link = Some(" https://grafana.example/d/1 ".into());
        let checked = input.clone().validated().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(checked.source, "prometheus");
        assert_eq!(checked.service, "api");
        assert_eq!(checked.summary, "down");
        assert_eq!(checked.link.as_deref(), Some("https://grafana.example/d/1"));

        input.summary = "  ".into();
        let error = input.clone().validated().err();
        assert_eq!(
            error.and_then(|e| e.field().map(str::to_owned)).as_deref(),
            Some("summary")
        );
        input.summary = "x".repeat(MAX_ALERT_SUMMARY + 1);
        assert!(input.validated().is_err());
    }

    #[test]
    fn only_web_links_are_kept() {
        for link in ["javascript:alert(1)", "file:///etc/passwd", "https://a b"] {
            let mut input = AlertInput::new("s", "svc", Severity::Info, "x");
            input.link = Some(link.into());
            assert!(input.validated().is_err(), "{link} was accepted");
        }
    }

    #[test]
    fn kinds_are_guessed_from_the_words_then_the_severity() {
        assert_eq!(
            guess_kind("checkout", "p99 latency above 2s", Severity::Critical),
            IncidentKind::Degradation
        );
        assert_eq!(
            guess_kind("api", "Instance down", Severity::Warning),
            IncidentKind::Outage
        );
        assert_eq!(
            guess_kind("auth", "Brute force login attempts", Severity::Warning),
            IncidentKind::Security
        );
        assert_eq!(
            guess_kind("db", "disk 91%", Severity::Critical),
            IncidentKind::Outage
        );
        assert_eq!(
            guess_kind("db", "disk 91%", Severity::Info),
            IncidentKind::Degradation
        );
    }

    #[test]
    fn levels_follow_severity() {
        let levels = vec!["L1".to_owned(), "L2".to_owned(), "L3".to_owned()];
        assert_eq!(suggest_level(Severity::Critical, &levels), "L1");
        assert_eq!(suggest_level(Severity::Warning, &levels), "L2");
        assert_eq!(suggest_level(Severity::Info, &["L1".to_owned()]), "L1");
    }
}
