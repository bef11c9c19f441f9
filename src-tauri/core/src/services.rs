//! Where a channel's messages go besides a webhook or a Matrix room: a Slack
//! channel, a Statuspage page, mailing lists over SMTP. Each is checked here
//! before it is stored, whoever sets it (the window, `idesk`). Tokens, API
//! keys and passwords are never part of these: they live in the desktop's
//! secret store.

use crate::domain::IncidentKind;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Longest list of addresses one recipient list may hold.
const MAX_RECIPIENTS: usize = 200;

/// A service base address: https, or http on this machine only (tests, a
/// local relay). None means the service's own address.
fn check_api(api: Option<&str>, what: &str) -> Result<(), String> {
    let Some(api) = api.map(str::trim).filter(|a| !a.is_empty()) else {
        return Ok(());
    };
    if api.chars().any(char::is_whitespace) {
        return Err(format!("the {what} address {api:?} has spaces in it"));
    }
    if api.starts_with("https://") || is_loopback_http(api) {
        Ok(())
    } else {
        Err(format!(
            "the {what} address {api:?} must start with https:// (http:// only on this machine)"
        ))
    }
}

fn is_loopback_http(url: &str) -> bool {
    ["http://127.0.0.1", "http://localhost", "http://[::1]"]
        .iter()
        .any(|p| url.starts_with(p))
}

/// An id as the services spell them: letters, digits, `-` and `_`.
fn is_plain_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// A Slack channel that a bot posts to with `chat.postMessage`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SlackTarget {
    /// The channel's id (`C0123ABCD`: channel details → About), not its name.
    pub channel_id: String,
    /// Also show thread replies in the channel.
    #[serde(default)]
    pub broadcast: bool,
    /// The Web API's address when not Slack's own (a test, a proxy).
    #[serde(default)]
    pub api: Option<String>,
}

impl SlackTarget {
    pub fn check(&self) -> Result<(), String> {
        let id = self.channel_id.trim();
        let looks_right = is_plain_id(id)
            && id.starts_with(['C', 'G', 'D'])
            && id
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        if !looks_right {
            return Err(format!(
                "{id:?} is not a Slack channel id: it looks like C0123ABCD (channel details → About), not #name"
            ));
        }
        check_api(self.api.as_deref(), "Slack API")
    }
}

/// A service of the incident's scope shown as a component on the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ComponentMapping {
    /// The service name as incidents list it (compared without case).
    pub service: String,
    /// The Statuspage component id.
    pub component_id: String,
}

/// A Statuspage page (REST v1): one page incident per incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StatuspageTarget {
    pub page_id: String,
    /// Which of the incident's affected services are which components.
    #[serde(default)]
    pub components: Vec<ComponentMapping>,
    /// The API's address when not Statuspage's own (a test, a proxy).
    #[serde(default)]
    pub api: Option<String>,
}

impl StatuspageTarget {
    pub fn check(&self) -> Result<(), String> {
        if !is_plain_id(self.page_id.trim()) {
            return Err(format!(
                "{:?} is not a Statuspage page id (letters and digits, from the page's API info)",
                self.page_id
            ));
        }
        let mut seen = Vec::new();
        for mapping in &self.components {
            let service = mapping.service.trim().to_lowercase();
            if service.is_empty() {
                return Err("a component mapping needs the service's name".into());
            }
            if seen.contains(&service) {
                return Err(format!(
                    "the service {:?} is mapped twice: one component each",
                    mapping.service
                ));
            }
            if !is_plain_id(mapping.component_id.trim()) {
                return Err(format!(
                    "{:?} is not a Statuspage component id (letters and digits)",
                    mapping.component_id
                ));
            }
            seen.push(service);
        }
        check_api(self.api.as_deref(), "Statuspage API")
    }

    /// The components of the affected `services`, in mapping order.
    pub fn component_ids(&self, services: &[String]) -> Vec<String> {
        self.components
            .iter()
            .filter(|m| {
                services
                    .iter()
                    .any(|s| s.trim().eq_ignore_ascii_case(m.service.trim()))
            })
            .map(|m| m.component_id.trim().to_owned())
            .collect()
    }
}

/// How the connection to the mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (usually port 587); refused
    /// if the server does not offer it.
    StartTls,
    /// TLS from the first byte (usually port 465).
    Tls,
    /// No encryption: only for a relay on this machine.
    None,
}

/// The mail server messages are sent through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SmtpServer {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    /// The login, when the server wants one (the password is in the
    /// desktop's secret store).
    #[serde(default)]
    pub username: Option<String>,
    /// A PEM file of the certificate authority to trust for this server
    /// (a company CA), besides the usual ones.
    #[serde(default)]
    pub ca_file: Option<String>,
}

/// Who receives a message: everyone on the lists whose kinds and levels
/// match the incident's (an empty kinds or levels list matches all).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RecipientList {
    pub name: String,
    #[serde(default)]
    pub kinds: Vec<IncidentKind>,
    #[serde(default)]
    pub levels: Vec<String>,
    pub to: Vec<String>,
}

impl RecipientList {
    pub fn matches(&self, kind: IncidentKind, level: &str) -> bool {
        (self.kinds.is_empty() || self.kinds.contains(&kind))
            && (self.levels.is_empty() || self.levels.iter().any(|l| l.eq_ignore_ascii_case(level)))
    }
}

/// Email over SMTP: the server, the sender, and the recipient lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EmailTarget {
    pub smtp: SmtpServer,
    /// The From address (`status@example.com`).
    pub from: String,
    pub lists: Vec<RecipientList>,
}

impl EmailTarget {
    pub fn check(&self) -> Result<(), String> {
        let host = self.smtp.host.trim();
        if host.is_empty() || host.contains(|c: char| c.is_whitespace() || c == '/') {
            return Err(format!("{host:?} is not a mail server's host name"));
        }
        if self.smtp.port == 0 {
            return Err("the mail server's port is 1–65535 (587 for STARTTLS, 465 for TLS)".into());
        }
        let local = matches!(host, "127.0.0.1" | "localhost" | "::1");
        if self.smtp.security == SmtpSecurity::None && !local {
            return Err(format!(
                "mail to {host} must be encrypted (STARTTLS or TLS): without is only for a relay on this machine"
            ));
        }
        if self
            .smtp
            .username
            .as_deref()
            .is_some_and(|u| u.contains(['\r', '\n']))
        {
            return Err("the mail login cannot hold a line break".into());
        }
        check_address(&self.from).map_err(|e| format!("From: {e}"))?;
        if self.lists.is_empty() {
            return Err("add at least one recipient list".into());
        }
        let mut names = Vec::new();
        for list in &self.lists {
            let name = list.name.trim().to_lowercase();
            if name.is_empty() {
                return Err("each recipient list needs a name".into());
            }
            if names.contains(&name) {
                return Err(format!("two recipient lists are called {:?}", list.name));
            }
            if list.to.is_empty() {
                return Err(format!("the list {:?} has no addresses", list.name));
            }
            if list.to.len() > MAX_RECIPIENTS {
                return Err(format!(
                    "the list {:?} has {} addresses; at most {MAX_RECIPIENTS}",
                    list.name,
                    list.to.len()
                ));
            }
            for address in &list.to {
                check_address(address).map_err(|e| format!("{}: {e}", list.name))?;
            }
            names.push(name);
        }
        Ok(())
    }

    /// Everyone who receives a message of a `kind` × `level` incident,
    /// each once, in list order.
    pub fn recipients(&self, kind: IncidentKind, level: &str) -> Vec<String> {
        let mut all: Vec<String> = Vec::new();
        for list in self.lists.iter().filter(|l| l.matches(kind, level)) {
            for address in &list.to {
                let address = address.trim();
                if !all.iter().any(|a| a.eq_ignore_ascii_case(address)) {
                    all.push(address.to_owned());
                }
            }
        }
        all
    }
}

/// A bare address (`name@example.com`): what a header can carry safely.
pub fn check_address(address: &str) -> Result<(), String> {
    let address = address.trim();
    let Some((local, domain)) = address.rsplit_once('@') else {
        return Err(format!("{address:?} is not an email address"));
    };
    let bad = |c: char| c.is_whitespace() || c.is_control() || "<>,;:\"()[]\\".contains(c);
    if local.is_empty()
        || domain.is_empty()
        || !domain.contains('.') && domain != "localhost"
        || address.contains(bad)
        || domain.contains('@')
        || local.contains('@')
        || address.len() > 254
    {
        return Err(format!("{address:?} is not an email address"));
    }
    Ok(())
}

/// A `mailto:` link with the recipients, subject and body, for teams that
/// send from their own mail client.
pub fn mailto_link(to: &[String], subject: &str, body: &str) -> String {
    let to: Vec<String> = to.iter().map(|a| percent_encode(a.trim())).collect();
    format!(
        "mailto:{}?subject={}&body={}",
        to.join(","),
        percent_encode(subject),
        // Mail clients take CRLF line ends in a mailto body.
        percent_encode(&body.replace("\r\n", "\n").replace('\n', "\r\n"))
    )
}

/// Everything but the unreserved characters (RFC 3986) escaped; `@` too is
/// kept, as addresses read better with it.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'@') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lists() -> EmailTarget {
        EmailTarget {
            smtp: SmtpServer {
                host: "smtp.example.com".into(),
                port: 587,
                security: SmtpSecurity::StartTls,
                username: Some("status".into()),
                ca_file: None,
            },
            from: "status@example.com".into(),
            lists: vec![
                RecipientList {
                    name: "Security stakeholders".into(),
                    kinds: vec![IncidentKind::Security],
                    levels: vec!["L1".into()],
                    to: vec!["ciso@example.com".into(), "legal@example.com".into()],
                },
                RecipientList {
                    name: "Customers".into(),
                    kinds: vec![],
                    levels: vec![],
                    to: vec!["customers@example.com".into(), "Legal@example.com".into()],
                },
            ],
        }
    }

    #[test]
    fn recipients_follow_kind_and_level_each_once() {
        let email = lists();
        assert_eq!(email.check(), Ok(()));
        assert_eq!(
            email.recipients(IncidentKind::Security, "L1"),
            vec![
                "ciso@example.com",
                "legal@example.com",
                "customers@example.com"
            ]
        );
        assert_eq!(
            email.recipients(IncidentKind::Security, "L2"),
            vec!["customers@example.com", "Legal@example.com"]
        );
        assert_eq!(
            email.recipients(IncidentKind::Outage, "l1"),
            vec!["customers@example.com", "Legal@example.com"]
        );
    }

    #[test]
    fn addresses_that_could_carry_headers_are_refused() {
        for bad in [
            "no-at-sign",
            "a@b",
            "x@example.com\r\nBcc: all@example.com",
            "<x@example.com>",
            "a b@example.com",
            "a@example.com,b@example.com",
            "a@example.orgb@example.org",
        ] {
            assert!(check_address(bad).is_err(), "{bad:?}");
        }
        assert_eq!(check_address("ops+status@mail.example.com"), Ok(()));
    }

    #[test]
    fn unencrypted_mail_only_to_this_machine() {
        let mut email = lists();
        email.smtp.security = SmtpSecurity::None;
        assert!(email.check().is_err_and(|e| e.contains("encrypted")));
        email.smtp.host = "127.0.0.1".into();
        assert_eq!(email.check(), Ok(()));
    }

    #[test]
    fn slack_wants_an_id_and_statuspage_unique_mappings() {
        let slack = |id: &str| SlackTarget {
            channel_id: id.into(),
            broadcast: false,
            api: None,
        };
        assert_eq!(slack("C0123ABCD").check(), Ok(()));
        assert!(slack("#incidents").check().is_err());
        let mut page = StatuspageTarget {
            page_id: "kctbh9vrtdwd".into(),
            components: vec![ComponentMapping {
                service: "Payments".into(),
                component_id: "8kbf7d35c070".into(),
            }],
            api: Some("http://evil.example.com".into()),
        };
        assert!(page.check().is_err_and(|e| e.contains("https://")));
        page.api = None;
        assert_eq!(page.check(), Ok(()));
        assert_eq!(
            page.component_ids(&["payments".into(), "Search".into()]),
            vec!["8kbf7d35c070"]
        );
        page.components.push(page.components[0].clone());
        assert!(page.check().is_err_and(|e| e.contains("twice")));
    }

    #[test]
    fn mailto_escapes_everything_a_link_could_misread() {
        let link = mailto_link(
            &["a@example.com".into(), "b@example.com".into()],
            "Payments & refunds?",
            "Line 1\nLine 2 #5",
        );
        assert_eq!(
            link,
            "mailto:a@example.com,b@example.com?subject=Payments%20%26%20refunds%3F&body=Line%201%0D%0ALine%202%20%235"
        );
    }
}
