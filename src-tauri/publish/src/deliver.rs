//! One attempt at one queued message, in the outbox's terms: what the core's
//! `Desk::publication_attempted` takes.

use crate::Failure;
use crate::matrix::send_text;
use incident_core::desk::{Attempt, Publication};
use incident_core::domain::PublishTarget;
use incident_core::publish::MatrixRoom;
use incident_core::publish::{WebhookFormat, mask_url, payload, post};
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
    match publication.target {
        PublishTarget::Matrix => {
            let room = desk
                .channel_settings()
                .ok()?
                .into_iter()
                .find(|s| s.channel == channel)?
                .matrix?;
            let token = secret(&crate::matrix_token_key(channel))?;
            Some(Access::Matrix { room, token })
        }
        PublishTarget::Webhook => {
            let (url, format, timeout) = desk.webhook_for_delivery(channel).ok()??;
            Some(Access::Webhook {
                url,
                format,
                timeout,
            })
        }
        _ => None,
    }
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
            // A webhook has no idempotency key: an answer lost after the
            // receiver took it can mean a second post (said in docs).
            post(url, &body, *timeout, publication.message.channel)
                .map(|()| Attempt::Confirmed {
                    published_to: mask_url(url),
                    external_ref: None,
                    link: None,
                })
                .map_err(|error| Failure::Retry {
                    error: error.to_string(),
                    retry_after_ms: None,
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
