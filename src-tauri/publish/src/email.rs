//! Email over SMTP (lettre): STARTTLS or TLS from the first byte, a login
//! when the server wants one, plain text with a simple HTML part. The
//! recipients come from the channel's lists for the incident's kind and
//! level; they go in Bcc (customers never see each other's addresses),
//! with the sender in To (so the sending mailbox keeps a copy).
//!
//! SMTP has no idempotency: if the server took a message and its answer was
//! lost, a retry sends it again. Every attempt carries the same Message-ID
//! (the outbox entry's), so mail systems that deduplicate show it once.

use crate::Failure;
use incident_core::services::{EmailTarget, SmtpSecurity};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::SmtpTransport;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Message, Transport};
use std::time::Duration;

/// One message to send.
#[derive(Debug, Clone)]
pub struct Mail<'a> {
    pub subject: &'a str,
    pub text: &'a str,
    pub to: &'a [String],
    /// Makes the Message-ID (`<idesk-…@incident-desk>`).
    pub outbox_id: &'a str,
}

/// Sends `mail` through `settings`' server; the Message-ID on success.
pub fn send(
    settings: &EmailTarget,
    password: Option<&str>,
    mail: &Mail<'_>,
    timeout: Duration,
) -> Result<String, Failure> {
    settings
        .check()
        .map_err(|reason| Failure::Refused { reason })?;
    if mail.to.is_empty() {
        return Err(Failure::Refused {
            reason: "no recipient list matches this incident (Settings → Messages → Email)".into(),
        });
    }
    let message_id = format!("<idesk-{}@incident-desk>", mail.outbox_id);
    let message = build(settings, mail, &message_id)?;
    let transport = transport(settings, password, timeout)?;
    transport
        .send(&message)
        .map_err(|e| smtp_failure(settings, &e))?;
    Ok(message_id)
}

fn mailbox(address: &str) -> Result<Mailbox, Failure> {
    address.trim().parse().map_err(|_| Failure::Refused {
        reason: format!("{address:?} is not an email address"),
    })
}

fn build(settings: &EmailTarget, mail: &Mail<'_>, message_id: &str) -> Result<Message, Failure> {
    let from = mailbox(&settings.from)?;
    let mut builder = Message::builder()
        .from(from.clone())
        .to(from)
        .subject(mail.subject)
        .message_id(Some(message_id.to_owned()));
    for address in mail.to {
        builder = builder.bcc(mailbox(address)?);
    }
    builder
        .multipart(MultiPart::alternative_plain_html(
            mail.text.to_owned(),
            html(mail.subject, mail.text),
        ))
        .map_err(|e| Failure::Refused {
            reason: format!("the message cannot be written as email: {e}"),
        })
}

/// The HTML part: the text escaped (never markup), paragraphs kept.
pub fn html(subject: &str, text: &str) -> String {
    let paragraphs: String = text
        .split("\n\n")
        .map(|p| format!("<p>{}</p>\n", escape(p.trim()).replace('\n', "<br>\n")))
        .collect();
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{}</title></head>\n<body style=\"font-family: sans-serif; line-height: 1.5\">\n{paragraphs}</body></html>\n",
        escape(subject)
    )
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn transport(
    settings: &EmailTarget,
    password: Option<&str>,
    timeout: Duration,
) -> Result<SmtpTransport, Failure> {
    let smtp = &settings.smtp;
    let host = smtp.host.trim();
    let tls = match smtp.security {
        SmtpSecurity::None => Tls::None,
        SmtpSecurity::StartTls => Tls::Required(tls_parameters(host, smtp.ca_file.as_deref())?),
        SmtpSecurity::Tls => Tls::Wrapper(tls_parameters(host, smtp.ca_file.as_deref())?),
    };
    let mut builder = SmtpTransport::builder_dangerous(host)
        .port(smtp.port)
        .tls(tls)
        .timeout(Some(timeout));
    if let Some(user) = smtp.username.as_deref().filter(|u| !u.trim().is_empty()) {
        let password = password.ok_or_else(|| Failure::Refused {
            reason: format!(
                "no password for the mail login {user:?} on this laptop (Settings → Messages → Email)"
            ),
        })?;
        builder = builder.credentials(Credentials::new(
            user.trim().to_owned(),
            password.to_owned(),
        ));
    }
    Ok(builder.build())
}

fn tls_parameters(host: &str, ca_file: Option<&str>) -> Result<TlsParameters, Failure> {
    let mut builder = TlsParameters::builder(host.to_owned());
    if let Some(path) = ca_file.filter(|p| !p.trim().is_empty()) {
        let pem = std::fs::read(path.trim()).map_err(|e| Failure::Refused {
            reason: format!("the mail server's CA file {path}: {e}"),
        })?;
        let certificate = Certificate::from_pem(&pem).map_err(|e| Failure::Refused {
            reason: format!("the mail server's CA file {path} is not a PEM certificate: {e}"),
        })?;
        builder = builder.add_root_certificate(certificate);
    }
    builder.build_rustls().map_err(|e| Failure::Refused {
        reason: format!("TLS for the mail server cannot be set up: {e}"),
    })
}

/// What the server or the connection said, in the outbox's terms: a login
/// refused, a permanent refusal or a certificate that is not trusted stop;
/// an unreachable server or a 4xx is retried.
fn smtp_failure(settings: &EmailTarget, error: &lettre::transport::smtp::Error) -> Failure {
    let server = format!("{}:{}", settings.smtp.host.trim(), settings.smtp.port);
    let code = error.status().map(|c| c.to_string()).unwrap_or_default();
    if error.is_permanent() {
        let what = if matches!(code.as_str(), "530" | "534" | "535" | "538") {
            "the mail server refused the login"
        } else {
            "the mail server refused the message"
        };
        return Failure::Refused {
            reason: format!("{what} ({server}: {error})"),
        };
    }
    // A certificate refused during the handshake comes back as a network
    // error: it is not the network, and a retry would not change it.
    if error.is_tls() || error.to_string().contains("certificate") {
        return Failure::Refused {
            reason: format!("the mail server's TLS was not trusted ({server}: {error})"),
        };
    }
    if error.is_client() {
        return Failure::Refused {
            reason: format!("the mail server cannot be used as set up ({server}: {error})"),
        };
    }
    let what = if error.is_transient() {
        "the mail server asked to try later"
    } else if error.is_timeout() {
        "the mail server did not answer in time"
    } else {
        "the mail server could not be reached"
    };
    Failure::Retry {
        error: format!("{what} ({server}: {error})"),
        retry_after_ms: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_html_part_is_the_text_escaped() {
        let page = html(
            "<b>x</b>",
            "Payments <script>alert(1)</script> & co\nline two\n\nnext",
        );
        assert!(page.contains("<title>&lt;b&gt;x&lt;/b&gt;</title>"));
        assert!(page.contains(
            "<p>Payments &lt;script&gt;alert(1)&lt;/script&gt; &amp; co<br>\nline two</p>"
        ));
        assert!(page.contains("<p>next</p>"));
        assert!(!page.contains("<script>"));
    }
}
