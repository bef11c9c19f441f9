//! Message templates: one set of facts, every audience. A template is text
//! with placeholders like `{services}`; filling it uses the incident's
//! current facts. An unknown placeholder is an error, never a silent blank.
//! `{{` and `}}` write literal braces.

use super::vocabulary::{Channel, PublicStatus};
use crate::error::{DeskError, Result};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The placeholders a template may use, with what they stand for.
pub const PLACEHOLDERS: &[(&str, &str)] = &[
    ("title", "the incident's title"),
    ("ref", "its reference, e.g. INC-12"),
    ("kind", "outage, degradation, security issue or user issue"),
    ("level", "its level, e.g. L1"),
    (
        "status",
        "the public status: investigating, identified, monitoring, resolved",
    ),
    ("services", "the affected services (or \"our services\")"),
    (
        "affected",
        "the affected users, segment or region (or \"some of our users\")",
    ),
    ("doing", "what is being done, from the active stages"),
    ("next_update", "when the next update is due, e.g. 14:45 UTC"),
    ("started", "when the impact started, e.g. 13:02 UTC"),
];

/// A stored template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Template {
    pub name: String,
    pub channel: Channel,
    /// The public status it is written for; `None`: any.
    pub status: Option<PublicStatus>,
    /// The careful wording for security incidents.
    pub security: bool,
    /// Email subject (other channels ignore it).
    pub subject: String,
    pub body: String,
    pub builtin: bool,
}

/// The facts a template is filled from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TemplateFacts {
    pub title: String,
    pub reference: String,
    pub kind: String,
    pub level: String,
    pub status: String,
    pub services: String,
    pub affected: String,
    pub doing: String,
    pub next_update: String,
    pub started: String,
}

impl TemplateFacts {
    fn get(&self, name: &str) -> Option<&str> {
        Some(match name {
            "title" => &self.title,
            "ref" => &self.reference,
            "kind" => &self.kind,
            "level" => &self.level,
            "status" => &self.status,
            "services" => &self.services,
            "affected" => &self.affected,
            "doing" => &self.doing,
            "next_update" => &self.next_update,
            "started" => &self.started,
            _ => return None,
        })
    }
}

enum Part<'a> {
    Text(&'a str),
    Placeholder(&'a str),
}

/// Splits template text into literal text and placeholder names.
fn parse(text: &str) -> Result<Vec<Part<'_>>> {
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find(['{', '}']) {
        let (before, after) = rest.split_at(open);
        if !before.is_empty() {
            parts.push(Part::Text(before));
        }
        if let Some(tail) = after.strip_prefix("{{") {
            parts.push(Part::Text("{"));
            rest = tail;
        } else if let Some(tail) = after.strip_prefix("}}") {
            parts.push(Part::Text("}"));
            rest = tail;
        } else if after.starts_with('}') {
            return Err(DeskError::invalid(
                "template",
                "a \"}\" without its \"{\" (write }} for a literal brace)",
            ));
        } else {
            let close = after.find('}').ok_or_else(|| {
                DeskError::invalid(
                    "template",
                    "a \"{\" is never closed (write {{ for a literal brace)",
                )
            })?;
            parts.push(Part::Placeholder(after[1..close].trim()));
            rest = &after[close + 1..];
        }
    }
    if !rest.is_empty() {
        parts.push(Part::Text(rest));
    }
    Ok(parts)
}

/// Refuses unknown placeholders and unbalanced braces, naming them.
pub fn check_template(text: &str) -> Result<()> {
    let known: Vec<&str> = PLACEHOLDERS.iter().map(|(name, _)| *name).collect();
    let mut unknown: Vec<String> = Vec::new();
    for part in parse(text)? {
        if let Part::Placeholder(name) = part
            && !known.contains(&name)
            && !unknown.iter().any(|u| u == name)
        {
            unknown.push(name.to_owned());
        }
    }
    if unknown.is_empty() {
        return Ok(());
    }
    let list = unknown
        .iter()
        .map(|u| format!("{{{u}}}"))
        .collect::<Vec<_>>()
        .join(", ");
    let noun = if unknown.len() == 1 {
        "placeholder"
    } else {
        "placeholders"
    };
    Err(DeskError::invalid(
        "template",
        format!(
            "unknown {noun} {list}; the placeholders are {}",
            known
                .iter()
                .map(|k| format!("{{{k}}}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    ))
}

/// Fills `text` with `facts`.
pub fn fill(text: &str, facts: &TemplateFacts) -> Result<String> {
    check_template(text)?;
    let mut out = String::with_capacity(text.len() + 64);
    for part in parse(text)? {
        match part {
            Part::Text(t) => out.push_str(t),
            Part::Placeholder(name) => out.push_str(facts.get(name).unwrap_or_default()),
        }
    }
    Ok(out)
}

fn builtin(
    name: &str,
    channel: Channel,
    status: PublicStatus,
    security: bool,
    subject: &str,
    body: &str,
) -> Template {
    Template {
        name: name.to_owned(),
        channel,
        status: Some(status),
        security,
        subject: subject.to_owned(),
        body: body.to_owned(),
        builtin: true,
    }
}

/// The templates a new database starts with: every channel and public
/// status, and for public channels a careful wording for security incidents
/// (no speculation, nothing that would help an attacker).
pub fn default_templates() -> Vec<Template> {
    use Channel::*;
    use PublicStatus::*;
    vec![
        // Status page
        builtin(
            "status_page/investigating",
            StatusPage,
            Investigating,
            false,
            "",
            "We are investigating problems with {services}. Affected: {affected}. We will post an update by {next_update}.",
        ),
        builtin(
            "status_page/identified",
            StatusPage,
            Identified,
            false,
            "",
            "We have identified the cause of the problems with {services} and are {doing}. Affected: {affected}. Next update by {next_update}.",
        ),
        builtin(
            "status_page/monitoring",
            StatusPage,
            Monitoring,
            false,
            "",
            "A fix for the problems with {services} is in place and we are monitoring the results. Next update by {next_update}.",
        ),
        builtin(
            "status_page/resolved",
            StatusPage,
            Resolved,
            false,
            "",
            "The problems with {services} have been resolved. Thank you for your patience.",
        ),
        // Social (short: 280 characters as the platform counts them)
        builtin(
            "social/investigating",
            Social,
            Investigating,
            false,
            "",
            "We're investigating problems with {services}. Next update by {next_update}.",
        ),
        builtin(
            "social/identified",
            Social,
            Identified,
            false,
            "",
            "We've found the cause of the problems with {services} and are {doing}. Next update by {next_update}.",
        ),
        builtin(
            "social/monitoring",
            Social,
            Monitoring,
            false,
            "",
            "A fix for {services} is in place; we're monitoring it. Next update by {next_update}.",
        ),
        builtin(
            "social/resolved",
            Social,
            Resolved,
            false,
            "",
            "The problems with {services} are resolved. Thanks for your patience.",
        ),
        // Email to customers
        builtin(
            "email/investigating",
            Email,
            Investigating,
            false,
            "[Investigating] Problems with {services}",
            "Hello,\n\nWe are investigating problems with {services} that started at {started}. Affected: {affected}.\n\nWe will send an update by {next_update}.\n\nWe apologize for the disruption.",
        ),
        builtin(
            "email/identified",
            Email,
            Identified,
            false,
            "[Identified] Problems with {services}",
            "Hello,\n\nWe have identified the cause of the problems with {services} and are {doing}. Affected: {affected}.\n\nWe will send an update by {next_update}.",
        ),
        builtin(
            "email/monitoring",
            Email,
            Monitoring,
            false,
            "[Monitoring] Problems with {services}",
            "Hello,\n\nA fix for the problems with {services} is in place and we are monitoring the results.\n\nWe will send an update by {next_update}.",
        ),
        builtin(
            "email/resolved",
            Email,
            Resolved,
            false,
            "[Resolved] Problems with {services}",
            "Hello,\n\nThe problems with {services} have been resolved. Thank you for your patience, and we apologize for the disruption.",
        ),
        // Internal stakeholders
        builtin(
            "internal/investigating",
            Internal,
            Investigating,
            false,
            "",
            "[{ref} {level} {kind}] {title}: investigating. Affected: {affected}; services: {services}. Impact since {started}. Next customer update due {next_update}.",
        ),
        builtin(
            "internal/identified",
            Internal,
            Identified,
            false,
            "",
            "[{ref} {level} {kind}] {title}: cause identified; we are {doing}. Affected: {affected}; services: {services}. Next customer update due {next_update}.",
        ),
        builtin(
            "internal/monitoring",
            Internal,
            Monitoring,
            false,
            "",
            "[{ref} {level} {kind}] {title}: fix in place, monitoring. Next customer update due {next_update}.",
        ),
        builtin(
            "internal/resolved",
            Internal,
            Resolved,
            false,
            "",
            "[{ref} {level} {kind}] {title}: resolved. A review will follow.",
        ),
        // Replies from support
        builtin(
            "support/investigating",
            Support,
            Investigating,
            false,
            "",
            "Thanks for reaching out. We're aware of problems with {services} and are investigating. You can follow our status page; the next update is due by {next_update}.",
        ),
        builtin(
            "support/identified",
            Support,
            Identified,
            false,
            "",
            "Thanks for reaching out. We've identified the cause of the problems with {services} and are {doing}. The next update is due by {next_update}.",
        ),
        builtin(
            "support/monitoring",
            Support,
            Monitoring,
            false,
            "",
            "Thanks for reaching out. A fix for {services} is in place and we're monitoring it. If you still see problems, please reply to this message.",
        ),
        builtin(
            "support/resolved",
            Support,
            Resolved,
            false,
            "",
            "Thanks for reaching out. The problems with {services} have been resolved. If you still see anything wrong, please reply and we'll look into it.",
        ),
        // Security incidents: facts only, nothing that helps an attacker.
        builtin(
            "status_page/investigating/security",
            StatusPage,
            Investigating,
            true,
            "",
            "We are investigating a potential security issue. We will share more information as soon as we can, and by {next_update} at the latest.",
        ),
        builtin(
            "status_page/identified/security",
            StatusPage,
            Identified,
            true,
            "",
            "We have identified a security issue and are taking steps to address it. We will share more information by {next_update}.",
        ),
        builtin(
            "status_page/monitoring/security",
            StatusPage,
            Monitoring,
            true,
            "",
            "We have taken steps to address a security issue and are monitoring closely. We will share more information by {next_update}.",
        ),
        builtin(
            "status_page/resolved/security",
            StatusPage,
            Resolved,
            true,
            "",
            "The security issue has been resolved. If we find that your data was affected, we will contact you directly.",
        ),
        builtin(
            "social/investigating/security",
            Social,
            Investigating,
            true,
            "",
            "We're investigating a potential security issue. More information by {next_update}.",
        ),
        builtin(
            "social/identified/security",
            Social,
            Identified,
            true,
            "",
            "We've identified a security issue and are addressing it. More information by {next_update}.",
        ),
        builtin(
            "social/monitoring/security",
            Social,
            Monitoring,
            true,
            "",
            "We've taken steps to address a security issue and are monitoring closely.",
        ),
        builtin(
            "social/resolved/security",
            Social,
            Resolved,
            true,
            "",
            "The security issue has been resolved. If your data was affected, we will contact you directly.",
        ),
        builtin(
            "email/investigating/security",
            Email,
            Investigating,
            true,
            "Security notice",
            "Hello,\n\nWe are investigating a potential security issue. We will share more information as soon as we can, and by {next_update} at the latest.\n\nWe will never ask you for your password by email.",
        ),
        builtin(
            "email/identified/security",
            Email,
            Identified,
            true,
            "Security notice: update",
            "Hello,\n\nWe have identified a security issue and are taking steps to address it. We will share more information by {next_update}.",
        ),
        builtin(
            "email/monitoring/security",
            Email,
            Monitoring,
            true,
            "Security notice: update",
            "Hello,\n\nWe have taken steps to address a security issue and are monitoring closely. We will share more information by {next_update}.",
        ),
        builtin(
            "email/resolved/security",
            Email,
            Resolved,
            true,
            "Security notice: resolved",
            "Hello,\n\nThe security issue has been resolved. If we find that your data was affected, we will contact you directly with what it means for you and what to do.",
        ),
    ]
}

/// The best template for a message: the channel's, for the incident's
/// status, in the security wording when it is a security incident. Public
/// channels never fall back from the security wording to the ordinary one;
/// internal and support messages may.
pub fn pick_template(
    templates: &[Template],
    channel: Channel,
    status: PublicStatus,
    security: bool,
) -> Option<&Template> {
    let candidates = || templates.iter().filter(|t| t.channel == channel);
    let ordinary_allowed = !security || !channel.is_public();
    candidates()
        .find(|t| t.status == Some(status) && t.security == security)
        .or_else(|| {
            candidates().find(|t| t.status == Some(status) && !t.security && ordinary_allowed)
        })
        .or_else(|| candidates().find(|t| t.status.is_none() && t.security == security))
        .or_else(|| candidates().find(|t| t.status.is_none() && !t.security && ordinary_allowed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> TemplateFacts {
        TemplateFacts {
            title: "Checkout fails".into(),
            reference: "INC-7".into(),
            kind: "outage".into(),
            level: "L1".into(),
            status: "identified".into(),
            services: "checkout, payments".into(),
            affected: "EU customers".into(),
            doing: "working to restore service".into(),
            next_update: "14:45 UTC".into(),
            started: "13:02 UTC".into(),
        }
    }

    #[test]
    fn every_placeholder_is_filled() -> Result<()> {
        let all = PLACEHOLDERS
            .iter()
            .map(|(n, _)| format!("{{{n}}}"))
            .collect::<Vec<_>>()
            .join("|");
        assert_eq!(
            fill(&all, &facts())?,
            "Checkout fails|INC-7|outage|L1|identified|checkout, payments|EU customers|working to restore service|14:45 UTC|13:02 UTC"
        );
        assert_eq!(
            fill("{{literal}} and { title }", &facts())?,
            "{literal} and Checkout fails"
        );
        Ok(())
    }

    #[test]
    fn unknown_placeholders_and_stray_braces_are_errors_not_blanks() {
        let error = fill("Hi {customer_name}, see {eta} and {title}", &facts())
            .err()
            .map(|e| e.to_string());
        assert!(
            error
                .as_deref()
                .is_some_and(|e| e.starts_with("unknown placeholders {customer_name}, {eta};")),
            "{error:?}"
        );
        assert!(check_template("open { never closed").is_err());
        assert!(check_template("closed } never opened").is_err());
        assert!(check_template("fine {title}").is_ok());
    }

    #[test]
    fn every_default_template_is_valid_and_social_ones_fit()
    -> std::result::Result<(), Box<dyn std::error::Error>> {
        let templates = default_templates();
        for template in &templates {
            check_template(&template.body)?;
            check_template(&template.subject)?;
            if template.channel == Channel::Social {
                super::super::length::check_length(
                    Channel::Social,
                    &fill(&template.body, &facts())?,
                )?;
            }
        }
        // Every channel has a template for every status.
        for channel in Channel::ALL {
            for status in PublicStatus::ALL {
                assert!(
                    pick_template(&templates, *channel, *status, false).is_some(),
                    "{channel} {status}"
                );
            }
        }
        Ok(())
    }

    #[test]
    fn security_incidents_get_the_careful_wording_without_details()
    -> std::result::Result<(), Box<dyn std::error::Error>> {
        let templates = default_templates();
        let t = pick_template(
            &templates,
            Channel::StatusPage,
            PublicStatus::Investigating,
            true,
        )
        .ok_or("none")?;
        assert!(t.security);
        let text = fill(&t.body, &facts())?;
        assert!(text.contains("potential security issue"), "{text}");
        for detail in ["checkout", "EU customers", "Checkout fails", "INC-7"] {
            assert!(
                !text.contains(detail),
                "a security message must not name {detail}: {text}"
            );
        }
        // Internal and support messages have no separate security wording: they use the usual one.
        let internal = pick_template(
            &templates,
            Channel::Internal,
            PublicStatus::Identified,
            true,
        )
        .ok_or("internal")?;
        assert_eq!(internal.name, "internal/identified");
        Ok(())
    }
}
