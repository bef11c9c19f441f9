//! One attempt at one queued message, in the outbox's terms: what the core's
//! `Desk::publication_attempted` takes.

use crate::Failure;
use crate::email::{self, Mail};
use crate::matrix::send_text;
use crate::slack::{self, SLACK_API, SlackChannel};
use crate::statuspage::{self, Notice, Page, STATUSPAGE_API};
use incident_core::desk::{Attempt, Publication, message_subject};
use incident_core::domain::{PublicStatus, PublishTarget};
use incident_core::publish::MatrixRoom;
use incident_core::publish::{WebhookFormat, mask_url, payload};
use incident_core::services::{EmailTarget, StatuspageTarget};
use incident_core::{Desk, Timestamp};
use std::time::Duration;

/// How to reach the service a publication goes to, secrets included (read
/// from the desktop's secret store by the caller, never from the database).
#[derive(Debug, Clone)]
pub enum Access {
    Matrix {
        room: MatrixRoom,
        token: String,
    },
    Slack {
        to: SlackChannel,
        token: String,
    },
    Statuspage {
        page: Page,
        settings: StatuspageTarget,
    },
    Email {
        settings: EmailTarget,
        /// None when the server takes no login (or it is not stored: said
        /// when sending).
        password: Option<String>,
    },
    Webhook {
        url: String,
        format: WebhookFormat,
        timeout: Duration,
    },
}

/// How to reach `publication`'s service from its channel's settings, with
/// `secret(key)` reading the desktop's secret store; None when it is not
/// set up here (the attempt then says so).
pub fn access_for(
    desk: &Desk,
    publication: &Publication,
    secret: impl Fn(&str) -> Option<String>,
) -> Option<Access> {
    let channel = publication.message.channel;
    let target = publication.target;
    let settings = || {
        desk.channel_settings()
            .ok()?
            .into_iter()
            .find(|s| s.channel == channel)
    };
    let secret = || secret(&crate::secret_key(target, channel));
    match target {
        PublishTarget::Matrix => {
            let room = settings()?.matrix?;
            Some(Access::Matrix {
                room,
                token: secret()?,
            })
        }
        PublishTarget::Slack => {
            let slack = settings()?.slack?;
            Some(Access::Slack {
                to: SlackChannel {
                    api: slack.api.clone().unwrap_or_else(|| SLACK_API.to_owned()),
                    channel: slack.channel_id.clone(),
                    broadcast: slack.broadcast,
                },
                token: secret()?,
            })
        }
        PublishTarget::Statuspage => {
            let settings = settings()?.statuspage?;
            Some(Access::Statuspage {
                page: Page {
                    api: settings
                        .api
                        .clone()
                        .unwrap_or_else(|| STATUSPAGE_API.to_owned()),
                    page_id: settings.page_id.clone(),
                    key: secret()?,
                },
                settings,
            })
        }
        PublishTarget::Email => Some(Access::Email {
            settings: settings()?.email?,
            password: secret(),
        }),
        PublishTarget::Webhook => {
            let (url, format, timeout) = desk.webhook_for_delivery(channel).ok()??;
            Some(Access::Webhook {
                url,
                format,
                timeout,
            })
        }
    }
}

/// One round of publishing: every message due now delivered once, with
/// `secret(key)` reading the desktop's secret store, and each attempt
/// recorded. What the app's publisher and `idesk comms deliver` both do.
pub fn deliver_due(
    desk: &Desk,
    secret: impl Fn(&str) -> Option<String>,
    timeout: Duration,
) -> incident_core::error::Result<Vec<(Publication, Attempt)>> {
    let mut done = Vec::new();
    for publication in desk.due_publications()? {
        let access = access_for(desk, &publication, &secret);
        let attempt = deliver(&publication, access.as_ref(), timeout, desk.now());
        desk.publication_attempted(&publication.id, attempt.clone())?;
        done.push((publication, attempt));
    }
    Ok(done)
}

/// The text users read: the incident, then the message (subject first).
pub fn message_text(publication: &Publication) -> String {
    let message = &publication.message;
    let mut text = format!("{} {}\n", publication.reference, publication.title);
    if let Some(subject) = message.subject.as_deref().filter(|s| !s.trim().is_empty()) {
        text.push_str(subject.trim());
        text.push('\n');
    }
    text.push_str(&message.body);
    text
}

/// Slack: the first message starts the incident's thread, the next reply
/// in it. A retry first reads back whether the earlier try went through.
fn to_slack(
    publication: &Publication,
    to: &SlackChannel,
    token: &str,
    timeout: Duration,
) -> Result<Attempt, Failure> {
    let thread = publication.link.as_deref();
    let earlier = if publication.attempts > 0 {
        slack::find_posted(to, token, thread, &publication.id, timeout)?
    } else {
        None
    };
    let posted = match earlier {
        Some(posted) => posted,
        None => slack::post_message(
            to,
            token,
            &message_text(publication),
            thread,
            &publication.id,
            timeout,
        )?,
    };
    Ok(Attempt::Confirmed {
        published_to: format!("Slack channel {}", to.channel),
        external_ref: Some(posted.ts),
        link: Some(posted.thread_ts),
    })
}

/// Statuspage: the first message creates the page incident, the next
/// update it; resolved resolves it. A retry first looks for what the
/// earlier try may have done.
fn to_statuspage(
    publication: &Publication,
    page: &Page,
    settings: &StatuspageTarget,
    timeout: Duration,
) -> Result<Attempt, Failure> {
    let status = publication.message.announces.unwrap_or(publication.status);
    let resolved = status == PublicStatus::Resolved;
    let component_status = statuspage::component_status(&publication.level, resolved);
    let notice = Notice {
        name: &publication.title,
        status: status.as_str(),
        body: &publication.message.body,
        impact: statuspage::impact_for_level(&publication.level),
        components: settings
            .component_ids(&publication.services)
            .into_iter()
            .map(|id| (id, component_status))
            .collect(),
        incident_id: &publication.incident_id,
        outbox_id: &publication.id,
    };
    let retry = publication.attempts > 0;
    let page_incident = match publication.link.clone() {
        Some(id) => {
            if !(retry && page.has_update(&id, notice.body, timeout)?) {
                page.update(&id, &notice, timeout)?;
            }
            id
        }
        // No page incident on the record yet: one may exist all the same,
        // from an earlier try of this message whose answer was lost, or
        // from another laptop of the team.
        None => match page.find_created(&publication.incident_id, timeout)? {
            Some((id, made_by)) if made_by == publication.id => id,
            Some((id, _)) => {
                if !page.has_update(&id, notice.body, timeout)? {
                    page.update(&id, &notice, timeout)?;
                }
                id
            }
            None => page.create(&notice, timeout)?,
        },
    };
    Ok(Attempt::Confirmed {
        published_to: format!("Statuspage page {}", page.page_id),
        external_ref: Some(page_incident.clone()),
        link: Some(page_incident),
    })
}

/// The key that makes a second attempt of this entry the same post.
pub fn idempotency_key(publication: &Publication) -> String {
    format!("idesk-{}", publication.id)
}

/// Delivers `publication` once through `access` (None: the service is not
/// set up here); `now` dates a Retry-After.
pub fn deliver(
    publication: &Publication,
    access: Option<&Access>,
    timeout: Duration,
    now: Timestamp,
) -> Attempt {
    let outcome = match (publication.target, access) {
        (PublishTarget::Matrix, Some(Access::Matrix { room, token })) => send_text(
            room,
            token,
            &idempotency_key(publication),
            &message_text(publication),
            timeout,
        )
        .map(|event_id| Attempt::Confirmed {
            published_to: format!("Matrix room {}", room.room_id),
            external_ref: Some(event_id),
            link: None,
        }),
        (PublishTarget::Slack, Some(Access::Slack { to, token })) => {
            to_slack(publication, to, token, timeout)
        }
        (PublishTarget::Statuspage, Some(Access::Statuspage { page, settings })) => {
            to_statuspage(publication, page, settings, timeout)
        }
        (PublishTarget::Email, Some(Access::Email { settings, password })) => {
            let to = settings.recipients(publication.kind, &publication.level);
            let subject = message_subject(
                &publication.reference,
                &publication.title,
                &publication.message,
            );
            let mail = Mail {
                subject: &subject,
                text: &publication.message.body,
                to: &to,
                outbox_id: &publication.id,
            };
            email::send(settings, password.as_deref(), &mail, timeout).map(|message_id| {
                Attempt::Confirmed {
                    published_to: format!(
                        "email to {} recipient(s) via {}",
                        to.len(),
                        settings.smtp.host.trim()
                    ),
                    external_ref: Some(message_id),
                    link: None,
                }
            })
        }
        (
            PublishTarget::Webhook,
            Some(Access::Webhook {
                url,
                format,
                timeout,
            }),
        ) => {
            let body = payload(
                *format,
                &publication.reference,
                &publication.title,
                &publication.message,
            );
            // No idempotency key: see webhook.rs.
            crate::webhook::post(url, &body, *timeout).map(|()| Attempt::Confirmed {
                published_to: mask_url(url),
                external_ref: None,
                link: None,
            })
        }
        (target, _) => Err(Failure::Refused {
            reason: format!(
                "{target} is not set up on this laptop for {} messages (Settings → Messages)",
                publication.message.channel.as_str().replace('_', " ")
            ),
        }),
    };
    match outcome {
        Ok(attempt) => attempt,
        Err(Failure::Retry {
            error,
            retry_after_ms,
        }) => Attempt::Retry {
            error,
            not_before: retry_after_ms
                .map(|ms| now.plus_millis(i64::try_from(ms).unwrap_or(i64::MAX))),
        },
        Err(Failure::Refused { reason }) => Attempt::Refused { reason },
    }
}
