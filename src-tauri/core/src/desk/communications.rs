//! Messages to users and stakeholders: drafts filled from templates,
//! editing, approval, marking sent, publishing to webhooks, and the
//! templates and webhook settings themselves.

use super::deadlines::deadlines_of;
use super::records;
use super::{Desk, new_id};
use crate::domain::*;
use crate::error::{DeskError, Result};
use crate::model::ChangeEvent;
use crate::publish::{self, WebhookFormat};
use crate::time::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use ts_rs::TS;

/// A new message: its body is given, or filled from a template.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DraftRequest {
    pub channel: Option<Channel>,
    /// Targeted subset of users (it also fills `{affected}`).
    #[serde(default)]
    #[ts(optional)]
    pub segment: Option<String>,
    /// The text; when absent, the template's filled text.
    #[serde(default)]
    #[ts(optional)]
    pub body: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub subject: Option<String>,
    /// A template by name; when absent, the channel's template for the
    /// incident's status (in the security wording for security incidents).
    #[serde(default)]
    #[ts(optional)]
    pub template: Option<String>,
}

/// One channel_settings row as stored.
#[derive(Default)]
struct SettingsRow {
    url: Option<String>,
    format: Option<String>,
    timeout: Option<i64>,
    homeserver: Option<String>,
    room: Option<String>,
    slack: Option<String>,
    statuspage: Option<String>,
    email: Option<String>,
}

/// A service's settings as the core wrote them (JSON); anything else in
/// the column is a damaged database, said so.
fn stored_json<T: serde::de::DeserializeOwned>(text: Option<String>) -> Result<Option<T>> {
    text.map(|text| {
        serde_json::from_str(&text)
            .map_err(|e| DeskError::Corrupt(format!("publishing settings: {e}")))
    })
    .transpose()
}

/// A template filled with an incident's facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FilledTemplate {
    pub template: Option<String>,
    pub subject: String,
    pub body: String,
    pub announces: Option<PublicStatus>,
}

/// A channel's publishing settings (the address only ever masked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ChannelSettings {
    pub channel: Channel,
    pub webhook: Option<String>,
    pub format: WebhookFormat,
    pub timeout_secs: i64,
    /// The channel's length limit, as its platform counts.
    pub limit: Option<i64>,
    /// The Matrix room it publishes to (the access token is in the
    /// desktop's secret store).
    pub matrix: Option<crate::publish::MatrixRoom>,
    /// The Slack channel it posts to (the bot token is in the secret store).
    pub slack: Option<crate::services::SlackTarget>,
    /// The Statuspage page it updates (the API key is in the secret store).
    pub statuspage: Option<crate::services::StatuspageTarget>,
    /// The mail server and lists it sends to (the password is in the
    /// secret store).
    pub email: Option<crate::services::EmailTarget>,
    /// The services set up, the default for "Publish" first.
    pub services: Vec<PublishTarget>,
}

fn kind_words(kind: IncidentKind) -> &'static str {
    match kind {
        IncidentKind::Outage => "outage",
        IncidentKind::Degradation => "degradation",
        IncidentKind::Security => "security issue",
        IncidentKind::UserIssue => "user issue",
    }
}

/// What is being done, in words, from the active stages and the status.
fn doing(record: &IncidentRecord) -> &'static str {
    let active = |stage: Stage| record.stages.get(stage).state == StageState::Active;
    if active(Stage::Remediate) {
        "working to restore service"
    } else if active(Stage::Repair) {
        "working on a permanent fix"
    } else if active(Stage::Diagnose) {
        "investigating the cause"
    } else {
        match record.status {
            PublicStatus::Investigating => "investigating",
            PublicStatus::Identified => "working on a fix",
            PublicStatus::Monitoring => "monitoring the fix",
            PublicStatus::Resolved => "reviewing what happened",
        }
    }
}

/// The next update a message promises: the one the app will hold the
/// commander to once this message is sent. A message to users restarts the
/// update clock (and may set the status it announces), so the promise is
/// the next-update deadline of the incident as it will be right after
/// sending; other channels leave the clock where it is.
fn promised_update(
    conn: &Connection,
    record: &IncidentRecord,
    (channel, announces): (Channel, Option<PublicStatus>),
    now: Timestamp,
) -> Result<Option<Timestamp>> {
    let mut after = record.clone();
    if channel.is_public() {
        let sent = Change::CommunicationRecorded {
            id: "the message being drafted".into(),
            channel,
            segment: String::new(),
            body: "…".into(),
            subject: None,
        };
        if after.apply(&sent, now, "").is_err() {
            after = record.clone();
        }
        if let Some(status) = announces.filter(|status| *status != after.status) {
            let _ = after.apply(&Change::StatusChanged { status }, now, "");
        }
    }
    let deadlines = deadlines_of(conn, &after, now)?.deadlines;
    Ok(deadlines
        .iter()
        .filter(|d| {
            (d.key == "next_update" || d.key == "first_update") && d.state != DeadlineState::Met
        })
        .map(|d| d.due_at)
        .min())
}

fn clock(at: Timestamp) -> String {
    at.to_datetime().format("%H:%M UTC").to_string()
}

fn template_facts(
    conn: &Connection,
    record: &IncidentRecord,
    message: (Channel, Option<PublicStatus>),
    segment: &str,
    now: Timestamp,
) -> Result<TemplateFacts> {
    let next_update = promised_update(conn, record, message, now)?;
    let affected = if !segment.trim().is_empty() {
        segment.to_owned()
    } else if !record.scope.segment.trim().is_empty() {
        record.scope.segment.clone()
    } else {
        "some of our users".to_owned()
    };
    Ok(TemplateFacts {
        title: record.title.clone(),
        reference: record.reference.clone(),
        kind: kind_words(record.kind).to_owned(),
        level: record.level.clone(),
        status: record.status.as_str().to_owned(),
        services: if record.scope.services.is_empty() {
            "our services".to_owned()
        } else {
            record.scope.services.join(", ")
        },
        affected,
        doing: doing(record).to_owned(),
        next_update: next_update
            .map(clock)
            .unwrap_or_else(|| "as soon as we can".to_owned()),
        started: clock(record.started_at),
    })
}

fn read_template(row: &rusqlite::Row<'_>) -> rusqlite::Result<Template> {
    Ok(Template {
        name: row.get(0)?,
        channel: row.get(1)?,
        status: row.get(2)?,
        security: row.get(3)?,
        subject: row.get(4)?,
        body: row.get(5)?,
        builtin: row.get(6)?,
    })
}

fn load_templates(conn: &Connection) -> Result<Vec<Template>> {
    let mut statement = conn.prepare_cached(
        "SELECT name, channel, status, security, subject, body, builtin FROM templates
          ORDER BY channel, security, status, name",
    )?;
    let templates = statement
        .query_map([], read_template)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(templates)
}

/// Writes the default templates (migration 3).
pub(crate) fn seed_templates(conn: &Connection) -> Result<()> {
    for t in default_templates() {
        conn.prepare_cached(
            "INSERT OR IGNORE INTO templates (name, channel, status, security, subject, body, builtin)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1)",
        )?
        .execute(params![t.name, t.channel, t.status, t.security, t.subject, t.body])?;
    }
    Ok(())
}

fn approval_required(conn: &Connection, level: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT approval FROM policies WHERE level = ?1")?
        .query_row([level], |row| row.get(0))
        .optional()?
        .unwrap_or(false))
}

pub(super) fn find(record: &IncidentRecord, id: &str) -> Result<Communication> {
    record
        .communications
        .iter()
        .find(|c| c.id == id || (id.len() >= 6 && c.id.starts_with(id)))
        .cloned()
        .ok_or_else(|| DeskError::NotFound {
            what: "communication",
            key: format!("{id} on {}", record.reference),
        })
}

/// A template's fields, from the editor or from a file: lengths, and no
/// placeholder the filler does not know.
pub(crate) fn check_template_fields(template: &Template) -> Result<()> {
    required_text("name", &template.name, MAX_NAME)?;
    required_text("body", &template.body, MAX_TEXT)?;
    optional_text("subject", &template.subject, MAX_TITLE)?;
    check_template(&template.body).map_err(|e| DeskError::invalid("body", e.to_string()))?;
    check_template(&template.subject).map_err(|e| DeskError::invalid("subject", e.to_string()))
}

impl Desk {
    pub fn templates(&self) -> Result<Vec<Template>> {
        load_templates(&self.conn())
    }

    /// Adds or replaces a template; unknown placeholders are refused.
    pub fn save_template(&self, template: &Template) -> Result<Template> {
        check_template_fields(template)?;
        self.conn()
            .prepare_cached(
                "INSERT INTO templates (name, channel, status, security, subject, body, builtin)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0)
                 ON CONFLICT (name) DO UPDATE SET channel = excluded.channel, status = excluded.status,
                     security = excluded.security, subject = excluded.subject, body = excluded.body",
            )?
            .execute(params![
                template.name,
                template.channel,
                template.status,
                template.security,
                template.subject,
                template.body
            ])?;
        self.publish(ChangeEvent::Directory);
        Ok(Template {
            builtin: false,
            ..template.clone()
        })
    }

    pub fn delete_template(&self, name: &str) -> Result<()> {
        let deleted = self
            .conn()
            .prepare_cached("DELETE FROM templates WHERE name = ?1")?
            .execute([name])?;
        if deleted == 0 {
            return Err(DeskError::NotFound {
                what: "template",
                key: name.to_owned(),
            });
        }
        self.publish(ChangeEvent::Directory);
        Ok(())
    }

    /// A template filled with the incident's current facts (nothing saved).
    pub fn fill_template(
        &self,
        reference: &str,
        channel: Channel,
        segment: &str,
        template: Option<&str>,
    ) -> Result<FilledTemplate> {
        let now = self.clock.now();
        let conn = self.conn();
        let (id, _) = records::resolve(&conn, reference)?;
        let record = records::load_record(&conn, &id)?;
        let templates = load_templates(&conn)?;
        let chosen = match template {
            Some(name) => Some(templates.iter().find(|t| t.name == name).ok_or_else(|| {
                DeskError::NotFound {
                    what: "template",
                    key: name.to_owned(),
                }
            })?),
            None => pick_template(
                &templates,
                channel,
                record.status,
                record.kind == IncidentKind::Security,
            ),
        };
        let Some(chosen) = chosen else {
            return Ok(FilledTemplate {
                template: None,
                subject: String::new(),
                body: String::new(),
                announces: None,
            });
        };
        let facts = template_facts(&conn, &record, (channel, chosen.status), segment, now)?;
        Ok(FilledTemplate {
            template: Some(chosen.name.clone()),
            subject: fill(&chosen.subject, &facts)?,
            body: fill(&chosen.body, &facts)?,
            announces: chosen.status,
        })
    }

    /// Saves a new draft; without a body it is filled from a template.
    pub fn draft_message(&self, reference: &str, request: DraftRequest) -> Result<Communication> {
        let segment = request.segment.clone().unwrap_or_default();
        let channel = request
            .channel
            .ok_or_else(|| DeskError::invalid("channel", "choose a channel"))?;
        let (body, subject, announces) = match request.body {
            Some(body) => (body, request.subject, None),
            None => {
                let filled =
                    self.fill_template(reference, channel, &segment, request.template.as_deref())?;
                let subject = request
                    .subject
                    .or((!filled.subject.is_empty()).then_some(filled.subject));
                (filled.body, subject, filled.announces)
            }
        };
        let (_, record, id) = self.mutate(reference, None, |_, _, at| {
            let id = new_id(at);
            Ok((
                Change::CommunicationDrafted {
                    id: id.clone(),
                    channel,
                    segment: segment.clone(),
                    body,
                    subject,
                    announces,
                },
                id,
            ))
        })?;
        find(&record, &id)
    }

    /// Saves a draft with the given text (no template).
    pub fn draft_communication(
        &self,
        reference: &str,
        channel: Channel,
        segment: &str,
        body: &str,
        _at: Option<Timestamp>,
    ) -> Result<Communication> {
        self.draft_message(
            reference,
            DraftRequest {
                channel: Some(channel),
                segment: Some(segment.to_owned()),
                body: Some(body.to_owned()),
                ..DraftRequest::default()
            },
        )
    }

    /// Records a message that was already sent (outside the app).
    pub fn record_sent_communication(
        &self,
        reference: &str,
        channel: Channel,
        segment: &str,
        body: &str,
        at: Option<Timestamp>,
    ) -> Result<Communication> {
        let (_, record, id) = self.mutate(reference, at, |_, _, at| {
            let id = new_id(at);
            Ok((
                Change::CommunicationRecorded {
                    id: id.clone(),
                    channel,
                    segment: segment.to_owned(),
                    body: body.to_owned(),
                    subject: None,
                },
                id,
            ))
        })?;
        find(&record, &id)
    }

    pub fn edit_communication(
        &self,
        reference: &str,
        id: &str,
        body: &str,
        subject: Option<String>,
    ) -> Result<Communication> {
        let (_, record, id) = self.mutate(reference, None, |_, record, _| {
            let comm = find(record, id)?;
            Ok((
                Change::CommunicationEdited {
                    id: comm.id.clone(),
                    body: body.to_owned(),
                    subject,
                },
                comm.id,
            ))
        })?;
        find(&record, &id)
    }

    pub fn approve_communication(
        &self,
        reference: &str,
        id: &str,
        at: Option<Timestamp>,
    ) -> Result<Communication> {
        let (_, record, id) = self.mutate(reference, at, |_, record, _| {
            let comm = find(record, id)?;
            Ok((
                Change::CommunicationApproved {
                    id: comm.id.clone(),
                },
                comm.id,
            ))
        })?;
        find(&record, &id)
    }

    /// Marks a draft sent: on the timeline, the public status it announces,
    /// and the next-update clock restarts. Needs approval when the level's
    /// policy says so.
    pub fn send_communication(
        &self,
        reference: &str,
        id: &str,
        at: Option<Timestamp>,
    ) -> Result<Communication> {
        self.send(reference, id, at, None)
    }

    fn send(
        &self,
        reference: &str,
        id: &str,
        at: Option<Timestamp>,
        published_to: Option<String>,
    ) -> Result<Communication> {
        let (_, record, id) = self.mutate(reference, at, |conn, record, _| {
            let comm = find(record, id)?;
            check_approval(conn, record, &comm)?;
            Ok((
                Change::CommunicationSent {
                    id: comm.id.clone(),
                    published_to,
                    via: None,
                    thread: None,
                },
                comm.id,
            ))
        })?;
        find(&record, &id)
    }

    pub fn discard_communication(
        &self,
        reference: &str,
        id: &str,
        at: Option<Timestamp>,
    ) -> Result<Communication> {
        let (_, record, id) = self.mutate(reference, at, |_, record, _| {
            let comm = find(record, id)?;
            Ok((
                Change::CommunicationDiscarded {
                    id: comm.id.clone(),
                },
                comm.id,
            ))
        })?;
        find(&record, &id)
    }

    /// The text to copy: the body, with the subject line first for email.
    pub fn communication_text(&self, reference: &str, id: &str) -> Result<String> {
        let conn = self.conn();
        let (incident, _) = records::resolve(&conn, reference)?;
        let record = records::load_record(&conn, &incident)?;
        let comm = find(&record, id)?;
        Ok(match (&comm.channel, &comm.subject) {
            (Channel::Email, Some(subject)) if !subject.is_empty() => {
                format!("Subject: {subject}\n\n{}", comm.body)
            }
            _ => comm.body,
        })
    }

    pub fn channel_settings(&self) -> Result<Vec<ChannelSettings>> {
        let conn = self.conn();
        Channel::ALL
            .iter()
            .map(|channel| {
                let row: Option<SettingsRow> = conn
                    .prepare_cached(
                        "SELECT webhook_url, format, timeout_secs, matrix_homeserver, matrix_room,
                                slack, statuspage, email
                           FROM channel_settings WHERE channel = ?1",
                    )?
                    .query_row([channel], |r| {
                        Ok(SettingsRow {
                            url: r.get(0)?,
                            format: r.get(1)?,
                            timeout: r.get(2)?,
                            homeserver: r.get(3)?,
                            room: r.get(4)?,
                            slack: r.get(5)?,
                            statuspage: r.get(6)?,
                            email: r.get(7)?,
                        })
                    })
                    .optional()?;
                let row = row.unwrap_or_default();
                let matrix = row.homeserver.zip(row.room).map(|(homeserver, room_id)| {
                    crate::publish::MatrixRoom {
                        homeserver,
                        room_id,
                    }
                });
                let slack: Option<crate::services::SlackTarget> = stored_json(row.slack)?;
                let statuspage: Option<crate::services::StatuspageTarget> =
                    stored_json(row.statuspage)?;
                let email: Option<crate::services::EmailTarget> = stored_json(row.email)?;
                // The default first: a page for the public, then chat, then mail.
                let services = [
                    (statuspage.is_some(), PublishTarget::Statuspage),
                    (slack.is_some(), PublishTarget::Slack),
                    (matrix.is_some(), PublishTarget::Matrix),
                    (email.is_some(), PublishTarget::Email),
                    (row.url.is_some(), PublishTarget::Webhook),
                ]
                .into_iter()
                .filter_map(|(set, target)| set.then_some(target))
                .collect();
                Ok(ChannelSettings {
                    channel: *channel,
                    webhook: row.url.as_deref().map(publish::mask_url),
                    format: WebhookFormat::parse(row.format.as_deref().unwrap_or("json"))
                        .unwrap_or(WebhookFormat::Json),
                    timeout_secs: row.timeout.unwrap_or(10),
                    limit: channel_limit(*channel).map(|l| l as i64),
                    matrix,
                    slack,
                    statuspage,
                    email,
                    services,
                })
            })
            .collect()
    }

    /// A channel's webhook in full (address, format, timeout), for the
    /// publisher only: everything shown or logged uses the masked form.
    pub fn webhook_for_delivery(
        &self,
        channel: Channel,
    ) -> Result<Option<(String, WebhookFormat, std::time::Duration)>> {
        let row: Option<(Option<String>, String, i64)> = self
            .conn()
            .prepare_cached(
                "SELECT webhook_url, format, timeout_secs FROM channel_settings WHERE channel = ?1",
            )?
            .query_row([channel], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        Ok(match row {
            Some((Some(url), format, timeout)) => Some((
                url,
                WebhookFormat::parse(&format)?,
                std::time::Duration::from_secs(timeout.max(1) as u64),
            )),
            _ => None,
        })
    }

    /// Sets (or with `None`, removes) a channel's webhook.
    pub fn set_webhook(
        &self,
        channel: Channel,
        url: Option<&str>,
        format: WebhookFormat,
        timeout_secs: i64,
    ) -> Result<ChannelSettings> {
        if let Some(url) = url {
            publish::check_url(url)?;
        }
        if !(1..=120).contains(&timeout_secs) {
            return Err(DeskError::invalid(
                "timeout",
                "the timeout is between 1 and 120 seconds",
            ));
        }
        self.conn()
            .prepare_cached(
                "INSERT INTO channel_settings (channel, webhook_url, format, timeout_secs) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (channel) DO UPDATE SET webhook_url = excluded.webhook_url,
                     format = excluded.format, timeout_secs = excluded.timeout_secs",
            )?
            .execute(params![channel, url.map(str::trim), format.as_str(), timeout_secs])?;
        tracing::info!(channel = channel.as_str(), webhook = ?url.map(publish::mask_url), "webhook set");
        self.publish(ChangeEvent::Directory);
        self.channel_settings()?
            .into_iter()
            .find(|s| s.channel == channel)
            .ok_or_else(|| DeskError::Corrupt("channel settings vanished".into()))
    }

    /// Posts a test message to a channel's webhook, so a new address is
    /// known to work before an incident needs it. Nothing is recorded.
    pub fn test_webhook(&self, channel: Channel) -> Result<String> {
        let row: Option<(Option<String>, String, i64)> = self
            .conn()
            .prepare_cached(
                "SELECT webhook_url, format, timeout_secs FROM channel_settings WHERE channel = ?1",
            )?
            .query_row([channel], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let Some((Some(url), format, timeout)) = row else {
            return Err(DeskError::invalid(
                "webhook",
                format!(
                    "no webhook is set for {} messages: save an address first",
                    channel.as_str().replace('_', " ")
                ),
            ));
        };
        let now = self.now();
        let message = Communication {
            id: "test".into(),
            channel,
            segment: String::new(),
            subject: Some("Incident Desk test message".into()),
            body: format!(
                "This is a test from Incident Desk ({now}): {} messages will be posted here.",
                channel.as_str().replace('_', " ")
            ),
            announces: None,
            state: CommunicationState::Draft,
            created_at: now,
            approved_by: None,
            approved_at: None,
            sent_at: None,
            published_to: None,
            queued_to: None,
            publish_error: None,
            sent_via: None,
            service_thread: None,
        };
        let body = publish::payload(
            WebhookFormat::parse(&format)?,
            "TEST",
            "Incident Desk test message",
            &message,
        );
        publish::post(
            &url,
            &body,
            Duration::from_secs(timeout.max(1) as u64),
            channel,
        )?;
        Ok(format!(
            "The test message reached {}",
            publish::mask_url(&url)
        ))
    }

    /// Posts a draft to its channel's webhook; marks it sent only when the
    /// server accepted it. On failure nothing changes and the error carries
    /// the server's answer.
    pub fn publish_communication(&self, reference: &str, id: &str) -> Result<Communication> {
        let (url, format, timeout, comm, title) = {
            let conn = self.conn();
            let (incident, _) = records::resolve(&conn, reference)?;
            let record = records::load_record(&conn, &incident)?;
            let comm = find(&record, id)?;
            ready_to_go(&comm, "published")?;
            check_approval(&conn, &record, &comm)?;
            let row: Option<(Option<String>, String, i64)> = conn
                .prepare_cached("SELECT webhook_url, format, timeout_secs FROM channel_settings WHERE channel = ?1")?
                .query_row([comm.channel], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?;
            let Some((Some(url), format, timeout)) = row else {
                return Err(DeskError::invalid(
                    "webhook",
                    format!(
                        "no webhook is set for {} messages (Settings)",
                        comm.channel.as_str().replace('_', " ")
                    ),
                ));
            };
            (
                url,
                WebhookFormat::parse(&format)?,
                timeout,
                comm,
                record.title.clone(),
            )
        };
        // The network call happens outside any lock or transaction.
        let body = publish::payload(format, reference, &title, &comm);
        publish::post(
            &url,
            &body,
            Duration::from_secs(timeout.max(1) as u64),
            comm.channel,
        )?;
        self.send(reference, &comm.id, None, Some(publish::mask_url(&url)))
    }
}

pub(super) fn check_approval(
    conn: &Connection,
    record: &IncidentRecord,
    comm: &Communication,
) -> Result<()> {
    if comm.state == CommunicationState::Draft && approval_required(conn, &record.level)? {
        return Err(DeskError::Conflict(format!(
            "{} messages need the commander's approval before they are sent: approve this draft first",
            record.level
        )));
    }
    Ok(())
}
