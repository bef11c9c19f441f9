//! The outbox: "Publish" queues a message for a service; whoever delivers it
//! (the app's publisher, which lives beside the core with the network code)
//! asks for what is due and reports each attempt. A message is marked sent
//! only when the service confirmed it; a network failure keeps it queued and
//! retried with backoff (also after a restart); a refusal a retry will not
//! fix stops and says why. The queue is this laptop's; the timeline says
//! queued, sent, failed or cancelled, so the team sees it.

use super::Desk;
use super::records;
use crate::domain::*;
use crate::error::{DeskError, Result};
use crate::services::{EmailTarget, SlackTarget, StatuspageTarget, mailto_link};
use crate::time::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The first retry waits this long; each next one twice as long…
const FIRST_RETRY_MS: i64 = 5_000;
/// …up to this.
const LONGEST_RETRY_MS: i64 = 5 * 60_000;

/// How long to wait before attempt `attempts + 1`, after `attempts` failed.
pub fn retry_delay_ms(attempts: i64) -> i64 {
    let doublings = attempts.clamp(1, 16) - 1;
    FIRST_RETRY_MS
        .saturating_mul(1 << doublings)
        .min(LONGEST_RETRY_MS)
}

/// One message waiting for one service, with what delivering it needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Publication {
    /// The outbox entry.
    pub id: String,
    pub incident_id: String,
    #[serde(rename = "ref")]
    #[ts(rename = "ref")]
    pub reference: String,
    pub title: String,
    pub level: String,
    pub kind: IncidentKind,
    /// The incident's public status now.
    pub status: PublicStatus,
    pub services: Vec<String>,
    pub target: PublishTarget,
    pub message: Communication,
    pub queued_at: Timestamp,
    pub attempts: i64,
    pub next_attempt_at: Timestamp,
    pub last_error: Option<String>,
    /// The incident's thread or page at the service, once there is one
    /// (the Statuspage incident, the Slack thread).
    pub link: Option<String>,
}

/// What one delivery attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// The service confirmed: `published_to` says where (masked), `external_ref`
    /// what the service calls it, `link` the incident's thread or page there.
    Confirmed {
        published_to: String,
        external_ref: Option<String>,
        link: Option<String>,
    },
    /// The network or the service failed for now: try again, not before
    /// `not_before` when the service said so (a 429's Retry-After).
    Retry {
        error: String,
        not_before: Option<Timestamp>,
    },
    /// Refused for a reason a retry will not fix (401, 403, a 400's reason).
    Refused { reason: String },
}

// The thread: what the newest message confirmed by the same service said.
const PUBLICATION_COLUMNS: &str = "o.id, o.incident_id, o.communication_id, o.target, o.queued_at,
     o.attempts, o.next_attempt_at, o.last_error,
     (SELECT c.service_thread FROM communications c
       WHERE c.incident_id = o.incident_id AND c.sent_via = o.target AND c.service_thread IS NOT NULL
       ORDER BY c.sent_at DESC LIMIT 1)";

/// The subject users read: the message's own, else the incident's title.
pub fn message_subject(reference: &str, title: &str, message: &Communication) -> String {
    match message.subject.as_deref().map(str::trim) {
        Some(subject) if !subject.is_empty() => subject.to_owned(),
        _ => format!("[{reference}] {title}"),
    }
}

impl Desk {
    /// "Publish": the message waits in the outbox for `target` until the
    /// service confirms it. Checked as sending is (state, length, approval).
    pub fn queue_publication(
        &self,
        reference: &str,
        id: &str,
        target: PublishTarget,
    ) -> Result<Communication> {
        let (_, record, id) = self.mutate(reference, None, |tx, record, at| {
            let comm = super::communications::find(record, id)?;
            super::communications::check_approval(tx, record, &comm)?;
            tx.prepare_cached(
                "INSERT INTO publish_queue (id, incident_id, communication_id, target, state, queued_at, next_attempt_at)
                 VALUES (?1, ?2, ?3, ?4, 'queued', ?5, ?5)",
            )?
            .execute(params![super::new_id(at), record.id, comm.id, target, at])?;
            Ok((
                Change::PublishQueued {
                    id: comm.id.clone(),
                    target,
                },
                comm.id,
            ))
        })?;
        super::communications::find(&record, &id)
    }

    /// Sets (or with `None`, removes) the Matrix room a channel publishes to.
    pub fn set_matrix(
        &self,
        channel: Channel,
        room: Option<&crate::publish::MatrixRoom>,
    ) -> Result<()> {
        if let Some(room) = room {
            room.check()
                .map_err(|reason| DeskError::invalid("matrix", reason))?;
        }
        self.conn()
            .prepare_cached(
                "INSERT INTO channel_settings (channel, matrix_homeserver, matrix_room) VALUES (?1, ?2, ?3)
                 ON CONFLICT (channel) DO UPDATE SET matrix_homeserver = excluded.matrix_homeserver,
                     matrix_room = excluded.matrix_room",
            )?
            .execute(params![
                channel,
                room.map(|r| r.homeserver.trim().trim_end_matches('/').to_owned()),
                room.map(|r| r.room_id.trim().to_owned()),
            ])?;
        self.publish(crate::model::ChangeEvent::Directory);
        Ok(())
    }

    /// Sets (or with `None`, removes) the Slack channel a channel posts to.
    pub fn set_slack(&self, channel: Channel, slack: Option<&SlackTarget>) -> Result<()> {
        self.set_service(channel, "slack", slack, SlackTarget::check)
    }

    /// Sets (or with `None`, removes) the Statuspage page a channel updates.
    pub fn set_statuspage(&self, channel: Channel, page: Option<&StatuspageTarget>) -> Result<()> {
        self.set_service(channel, "statuspage", page, StatuspageTarget::check)
    }

    /// Sets (or with `None`, removes) the mail server and lists a channel
    /// sends to.
    pub fn set_email(&self, channel: Channel, email: Option<&EmailTarget>) -> Result<()> {
        self.set_service(channel, "email", email, EmailTarget::check)
    }

    fn set_service<T: Serialize>(
        &self,
        channel: Channel,
        column: &'static str,
        settings: Option<&T>,
        check: impl Fn(&T) -> std::result::Result<(), String>,
    ) -> Result<()> {
        let json =
            match settings {
                Some(settings) => {
                    check(settings).map_err(|reason| DeskError::invalid(column, reason))?;
                    Some(serde_json::to_string(settings).map_err(|e| {
                        DeskError::invalid(column, format!("cannot be stored: {e}"))
                    })?)
                }
                None => None,
            };
        // `column` is one of three names above, never input.
        self.conn()
            .prepare_cached(&format!(
                "INSERT INTO channel_settings (channel, {column}) VALUES (?1, ?2)
                 ON CONFLICT (channel) DO UPDATE SET {column} = excluded.{column}"
            ))?
            .execute(params![channel, json])?;
        tracing::info!(
            channel = channel.as_str(),
            service = column,
            set = json.is_some(),
            "publishing service set"
        );
        self.publish(crate::model::ChangeEvent::Directory);
        Ok(())
    }

    /// The services a channel publishes to, the default first (empty: none
    /// is set up).
    pub fn publish_targets(&self, channel: Channel) -> Result<Vec<PublishTarget>> {
        Ok(self
            .channel_settings()?
            .into_iter()
            .find(|s| s.channel == channel)
            .map(|s| s.services)
            .unwrap_or_default())
    }

    /// "Publish" a message to `target`, or without one to its channel's
    /// default service; refused when that service is not set up.
    pub fn queue_for_channel(
        &self,
        reference: &str,
        id: &str,
        target: Option<PublishTarget>,
    ) -> Result<Communication> {
        let channel = {
            let conn = self.conn();
            let (incident, _) = records::resolve(&conn, reference)?;
            let record = records::load_record(&conn, &incident)?;
            super::communications::find(&record, id)?.channel
        };
        let set_up = self.publish_targets(channel)?;
        let channel_name = channel.as_str().replace('_', " ");
        let target = match target {
            Some(target) if set_up.contains(&target) => target,
            Some(target) => {
                return Err(DeskError::invalid(
                    "service",
                    format!(
                        "{target} is not set up for {channel_name} messages: Settings → Messages"
                    ),
                ));
            }
            None => set_up.first().copied().ok_or_else(|| {
                DeskError::invalid(
                    "channel",
                    format!(
                        "no service is set up for {channel_name} messages: Settings → Messages (Statuspage, Slack, Matrix, email or a webhook)"
                    ),
                )
            })?,
        };
        self.queue_publication(reference, id, target)
    }

    /// The `mailto:` hand-off for a message: the email lists' recipients
    /// for this incident (none when no lists are set up), the subject and
    /// the body, for the commander's own mail client.
    pub fn mailto(&self, reference: &str, id: &str) -> Result<String> {
        let record = {
            let conn = self.conn();
            let (incident, _) = records::resolve(&conn, reference)?;
            records::load_record(&conn, &incident)?
        };
        let message = super::communications::find(&record, id)?;
        let to = self
            .channel_settings()?
            .into_iter()
            .find(|s| s.channel == message.channel)
            .and_then(|s| s.email)
            .map(|email| email.recipients(record.kind, &record.level))
            .unwrap_or_default();
        Ok(mailto_link(
            &to,
            &message_subject(&record.reference, &record.title, &message),
            &message.body,
        ))
    }

    /// Takes a message out of the outbox before it is out. (If a delivery
    /// was already under way and the service confirms it, it is recorded
    /// as sent: the record says what users saw.)
    pub fn cancel_publication(&self, reference: &str, id: &str) -> Result<Communication> {
        let (_, record, id) = self.mutate(reference, None, |tx, record, at| {
            let comm = super::communications::find(record, id)?;
            tx.prepare_cached(
                "UPDATE publish_queue SET state = 'cancelled', done_at = ?2
                  WHERE communication_id = ?1 AND state = 'queued'",
            )?
            .execute(params![comm.id, at])?;
            Ok((
                Change::PublishCancelled {
                    id: comm.id.clone(),
                },
                comm.id,
            ))
        })?;
        super::communications::find(&record, &id)
    }

    /// What is waiting now, in the order it was queued (due or not).
    pub fn queued_publications(&self) -> Result<Vec<Publication>> {
        self.publications("o.state = 'queued'", None)
    }

    /// What is due for an attempt now.
    pub fn due_publications(&self) -> Result<Vec<Publication>> {
        self.publications(
            "o.state = 'queued' AND o.next_attempt_at <= ?1",
            Some(self.clock.now()),
        )
    }

    /// When the next queued message is due (None: nothing waits).
    pub fn next_publication_at(&self) -> Result<Option<Timestamp>> {
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT min(next_attempt_at) FROM publish_queue WHERE state = 'queued'",
            )?
            .query_row([], |row| row.get(0))?)
    }

    fn publications(&self, filter: &str, now: Option<Timestamp>) -> Result<Vec<Publication>> {
        let conn = self.conn();
        let sql = format!(
            "SELECT {PUBLICATION_COLUMNS} FROM publish_queue o WHERE {filter} ORDER BY o.queued_at, o.id"
        );
        let mut statement = conn.prepare_cached(&sql)?;
        let read = |row: &rusqlite::Row<'_>| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, PublishTarget>(3)?,
                row.get::<_, Timestamp>(4)?,
                row.get::<_, i64>(5)?,
                row.get::<_, Timestamp>(6)?,
                row.get::<_, Option<String>>(7)?,
                row.get::<_, Option<String>>(8)?,
            ))
        };
        let rows = match now {
            Some(now) => statement
                .query_map([now], read)?
                .collect::<rusqlite::Result<Vec<_>>>()?,
            None => statement
                .query_map([], read)?
                .collect::<rusqlite::Result<Vec<_>>>()?,
        };
        let mut all = Vec::with_capacity(rows.len());
        for (id, incident_id, message_id, target, queued_at, attempts, next, last_error, link) in
            rows
        {
            let record = records::load_record(&conn, &incident_id)?;
            let message = super::communications::find(&record, &message_id)?;
            all.push(Publication {
                id,
                incident_id,
                reference: record.reference.clone(),
                title: record.title.clone(),
                level: record.level.clone(),
                kind: record.kind,
                status: record.status,
                services: record.scope.services.clone(),
                target,
                message,
                queued_at,
                attempts,
                next_attempt_at: next,
                last_error,
                link,
            });
        }
        Ok(all)
    }

    /// Records what an attempt to deliver outbox entry `id` came to.
    pub fn publication_attempted(&self, id: &str, attempt: Attempt) -> Result<()> {
        let now = self.clock.now();
        let (incident_id, message_id, target, attempts) = {
            let conn = self.conn();
            outbox_entry(&conn, id)?
        };
        let reference = {
            let conn = self.conn();
            records::resolve(&conn, &incident_id)?.1
        };
        match attempt {
            Attempt::Confirmed {
                published_to,
                external_ref,
                link,
            } => {
                self.mutate(&reference, None, |tx, _, at| {
                    tx.prepare_cached(
                        "UPDATE publish_queue SET state = 'sent', done_at = ?2, external_ref = ?3,
                                attempts = attempts + 1, last_error = NULL
                          WHERE id = ?1",
                    )?
                    .execute(params![id, at, external_ref])?;
                    Ok((
                        Change::CommunicationSent {
                            id: message_id.clone(),
                            published_to: Some(published_to),
                            via: Some(target),
                            thread: link,
                        },
                        (),
                    ))
                })?;
            }
            Attempt::Retry { error, not_before } => {
                let backoff = now.plus_millis(retry_delay_ms(attempts + 1));
                let next = not_before.map_or(backoff, |t| t.max(backoff));
                self.conn()
                    .prepare_cached(
                        "UPDATE publish_queue SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3
                          WHERE id = ?1 AND state = 'queued'",
                    )?
                    .execute(params![id, next, error])?;
                // The board and the room show "retrying, last error …".
                self.publish(crate::model::ChangeEvent::Incident {
                    id: incident_id,
                    reference,
                });
            }
            Attempt::Refused { reason } => {
                self.mutate(&reference, None, |tx, _, at| {
                    tx.prepare_cached(
                        "UPDATE publish_queue SET state = 'failed', done_at = ?2, last_error = ?3,
                                attempts = attempts + 1
                          WHERE id = ?1",
                    )?
                    .execute(params![id, at, reason])?;
                    Ok((
                        Change::PublishFailed {
                            id: message_id.clone(),
                            reason: reason.clone(),
                        },
                        (),
                    ))
                })?;
            }
        }
        Ok(())
    }
}

/// An outbox entry's incident, message, service and attempts so far.
fn outbox_entry(conn: &Connection, id: &str) -> Result<(String, String, PublishTarget, i64)> {
    conn.prepare_cached(
        "SELECT incident_id, communication_id, target, attempts FROM publish_queue WHERE id = ?1",
    )?
    .query_row([id], |row| {
        Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
    })
    .optional()?
    .ok_or_else(|| DeskError::NotFound {
        what: "outbox entry",
        key: id.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::retry_delay_ms;

    #[test]
    fn retries_back_off_to_five_minutes() {
        let waits: Vec<i64> = (1..=8).map(retry_delay_ms).collect();
        assert_eq!(
            waits,
            vec![
                5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000
            ]
        );
    }
}
