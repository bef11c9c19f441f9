//! The alert inbox: deliveries grouped by source and fingerprint, resolved
//! when the tool says so, and turned into an incident (or attached to one)
//! by the commander. What reaches an incident goes on its timeline.

use super::records;
use super::timeline::{self, NewEntry};
use super::{Declaration, Desk, new_id};
use crate::domain::*;
use crate::error::{DeskError, Result};
use crate::model::ChangeEvent;
use crate::time::Timestamp;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Most alerts one delivery may carry.
pub const MAX_ALERTS_PER_DELIVERY: usize = 1_000;

/// One line of the inbox: an alert and everything its deliveries said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Alert {
    pub id: String,
    pub source: String,
    pub fingerprint: String,
    pub service: String,
    pub severity: Severity,
    pub summary: String,
    pub link: Option<String>,
    pub synthetic: bool,
    /// It reports a deploy or change (see `AlertInput::change`).
    pub change: bool,
    pub started_at: Timestamp,
    pub first_seen: Timestamp,
    pub last_seen: Timestamp,
    /// Firing deliveries received.
    pub count: i64,
    pub resolved_at: Option<Timestamp>,
    /// The incident it belongs to, once declared from it or attached.
    pub incident_ref: Option<String>,
    /// Whether its source is muted (no desktop notification).
    pub muted: bool,
}

/// What one delivered alert did to the inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AlertReceipt {
    pub alert: Alert,
    /// A new alert, or one firing again after it had resolved: worth a notification.
    pub fired: bool,
}

const ALERT_COLUMNS: &str = "a.id, a.source, a.fingerprint, a.service, a.severity, a.summary,
     a.link, a.synthetic, a.started_at, a.first_seen, a.last_seen, a.count, a.resolved_at,
     i.reference, EXISTS (SELECT 1 FROM alert_mutes m WHERE m.source = a.source), a.change";

fn alert_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Alert> {
    Ok(Alert {
        id: row.get(0)?,
        source: row.get(1)?,
        fingerprint: row.get(2)?,
        service: row.get(3)?,
        severity: row.get(4)?,
        summary: row.get(5)?,
        link: row.get(6)?,
        synthetic: row.get(7)?,
        started_at: row.get(8)?,
        first_seen: row.get(9)?,
        last_seen: row.get(10)?,
        count: row.get(11)?,
        resolved_at: row.get(12)?,
        incident_ref: row.get(13)?,
        muted: row.get(14)?,
        change: row.get(15)?,
    })
}

fn load_alert(conn: &Connection, id: &str) -> Result<Alert> {
    conn.prepare_cached(&format!(
        "SELECT {ALERT_COLUMNS} FROM alerts a LEFT JOIN incidents i ON i.id = a.incident_id
         WHERE a.id = ?1"
    ))?
    .query_row([id], alert_from_row)
    .optional()?
    .ok_or_else(|| DeskError::NotFound {
        what: "alert",
        key: id.to_owned(),
    })
}

/// The timeline line an alert leaves on its incident.
/// A delivery's size and every alert in it, checked as the keyboard would.
fn check_delivery(inputs: Vec<AlertInput>) -> Result<Vec<AlertInput>> {
    if inputs.len() > MAX_ALERTS_PER_DELIVERY {
        return Err(DeskError::invalid(
            "alerts",
            format!(
                "{} alerts in one delivery; at most {MAX_ALERTS_PER_DELIVERY}",
                inputs.len()
            ),
        ));
    }
    inputs.into_iter().map(AlertInput::validated).collect()
}

fn alert_line(alert: &Alert) -> String {
    // "Change from" marks a deploy or change for the rollback prompt
    // (domain::marked_change).
    let mut line = if alert.change {
        format!(
            "{} {} ({}): {}",
            crate::domain::CHANGE_ALERT_PREFIX,
            alert.source,
            alert.service,
            alert.summary
        )
    } else {
        format!(
            "Alert from {} ({}, {}): {}",
            alert.source, alert.service, alert.severity, alert.summary
        )
    };
    if let Some(link) = &alert.link {
        line.push_str(" — ");
        line.push_str(link);
    }
    line
}

impl Desk {
    /// Takes in the alerts of one delivery, all or nothing: new ones join
    /// the inbox, repeats update their group, resolutions resolve it (and
    /// are noted on the incident it belongs to).
    pub fn receive_alerts(&self, inputs: Vec<AlertInput>) -> Result<Vec<AlertReceipt>> {
        self.receive_alert_deliveries(vec![inputs])
            .pop()
            .unwrap_or_else(|| Ok(Vec::new()))
    }

    /// Takes in several deliveries in one transaction — one sync to disk for
    /// all of them, which is what keeps a flood fast with `synchronous=FULL` —
    /// each still all or nothing on its own (a savepoint each): one bad
    /// delivery is refused without taking the others with it. Returns one
    /// result per delivery, in order.
    pub fn receive_alert_deliveries(
        &self,
        deliveries: Vec<Vec<AlertInput>>,
    ) -> Vec<Result<Vec<AlertReceipt>>> {
        let checked: Vec<Result<Vec<AlertInput>>> =
            deliveries.iter().cloned().map(check_delivery).collect();
        match self.store_deliveries(checked) {
            Ok(results) => results,
            // The shared commit failed (disk full, database busy): each
            // delivery on its own, so each gets its own answer.
            Err(_) if deliveries.len() > 1 => deliveries
                .into_iter()
                .map(|delivery| self.receive_alerts(delivery))
                .collect(),
            Err(error) => vec![Err(error)],
        }
    }

    fn store_deliveries(
        &self,
        checked: Vec<Result<Vec<AlertInput>>>,
    ) -> Result<Vec<Result<Vec<AlertReceipt>>>> {
        let now = self.clock.now();
        let mut conn = self.conn();
        let mut tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut results = Vec::with_capacity(checked.len());
        let mut touched_incidents = Vec::new();
        for delivery in checked {
            let inputs = match delivery {
                Ok(inputs) => inputs,
                Err(error) => {
                    results.push(Err(error));
                    continue;
                }
            };
            let savepoint = tx.savepoint()?;
            let stored = (|| {
                let mut receipts = Vec::with_capacity(inputs.len());
                let mut touched = Vec::new();
                for input in inputs {
                    let (receipt, incident) = self.receive_one(&savepoint, input, now)?;
                    touched.extend(incident);
                    receipts.push(receipt);
                }
                Ok::<_, DeskError>((receipts, touched))
            })();
            match stored {
                Ok((receipts, touched)) => {
                    savepoint.commit()?;
                    touched_incidents.extend(touched);
                    results.push(Ok(receipts));
                }
                // Dropping the savepoint rolls this delivery back.
                Err(error) => results.push(Err(error)),
            }
        }
        tx.commit()?;
        drop(conn);
        if results.iter().any(Result::is_ok) {
            self.publish(ChangeEvent::Alerts);
        }
        for (id, reference) in touched_incidents {
            self.publish(ChangeEvent::Incident { id, reference });
        }
        Ok(results)
    }

    /// One alert; returns the incident whose timeline it wrote to, if any.
    fn receive_one(
        &self,
        tx: &Connection,
        input: AlertInput,
        now: Timestamp,
    ) -> Result<(AlertReceipt, Option<(String, String)>)> {
        let key = input.group_key();
        // A tool's clock in the future is taken as now (it cannot have started later).
        let started_at = input.started_at.map_or(now, |t| t.min(now));
        let existing: Option<(String, Option<Timestamp>, Option<String>)> = tx
            .prepare_cached(
                "SELECT id, resolved_at, incident_id FROM alerts WHERE source = ?1 AND fingerprint = ?2",
            )?
            .query_row(params![input.source, key], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })
            .optional()?;
        let resolved_at = input.resolved.then_some(now);
        let (id, fired, incident) = match existing {
            None => {
                let id = new_id(now);
                tx.prepare_cached(
                    "INSERT INTO alerts (id, source, fingerprint, service, severity, summary, link,
                         synthetic, started_at, first_seen, last_seen, count, resolved_at, change)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11, ?12, ?13)",
                )?
                .execute(params![
                    id,
                    input.source,
                    key,
                    input.service,
                    input.severity,
                    input.summary,
                    input.link,
                    input.synthetic,
                    started_at,
                    now,
                    i64::from(!input.resolved),
                    resolved_at,
                    input.change,
                ])?;
                (id, !input.resolved, None)
            }
            Some((id, was_resolved, incident)) => {
                // A resolution keeps the firing text; a firing delivery brings the latest.
                if input.resolved {
                    tx.prepare_cached(
                        "UPDATE alerts SET last_seen = ?2, resolved_at = coalesce(resolved_at, ?2)
                         WHERE id = ?1",
                    )?
                    .execute(params![id, now])?;
                } else {
                    tx.prepare_cached(
                        "UPDATE alerts SET service = ?2, severity = ?3, summary = ?4,
                             link = coalesce(?5, link), last_seen = ?6, count = count + 1,
                             resolved_at = NULL, dismissed_at = NULL,
                             started_at = CASE WHEN resolved_at IS NULL THEN started_at ELSE ?7 END
                         WHERE id = ?1",
                    )?
                    .execute(params![
                        id,
                        input.service,
                        input.severity,
                        input.summary,
                        input.link,
                        now,
                        started_at,
                    ])?;
                }
                let changed = was_resolved.is_some() != input.resolved;
                let fired = !input.resolved && was_resolved.is_some();
                let incident = if changed { incident } else { None };
                (id, fired, incident)
            }
        };
        let alert = load_alert(tx, &id)?;
        let touched = match incident {
            Some(incident_id) => {
                let text = if input.resolved {
                    format!("Alert resolved: {} ({})", alert.summary, alert.service)
                } else {
                    format!("Alert firing again: {}", alert_line(&alert))
                };
                Some(self.note_alert(tx, &incident_id, &alert.source, &text, now)?)
            }
            None => None,
        };
        Ok((AlertReceipt { alert, fired }, touched))
    }

    /// Appends an alert line to an incident's timeline; returns (id, reference).
    /// The entry's author is the alert's source (the tool said it, not
    /// whoever runs this process).
    fn note_alert(
        &self,
        tx: &Connection,
        incident_id: &str,
        source: &str,
        text: &str,
        now: Timestamp,
    ) -> Result<(String, String)> {
        let (id, reference) = records::resolve(tx, incident_id)?;
        timeline::append(
            tx,
            NewEntry {
                incident_id: &id,
                occurred_at: now,
                recorded_at: now,
                author: source,
                kind: EntryKind::Alert,
                text,
                change: None,
                supersedes: None,
            },
        )?;
        Ok((id, reference.clone()))
    }

    /// The inbox: firing alerts first, the loudest first, then the newest;
    /// resolved ones after them (marked); with `all`, the dismissed too.
    pub fn alerts(&self, all: bool) -> Result<Vec<Alert>> {
        let conn = self.conn();
        let mut statement = conn.prepare_cached(&format!(
            "SELECT {ALERT_COLUMNS} FROM alerts a LEFT JOIN incidents i ON i.id = a.incident_id
             WHERE ?1 OR a.dismissed_at IS NULL
             ORDER BY a.resolved_at IS NOT NULL,
                      CASE a.severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END,
                      a.last_seen DESC, a.id DESC"
        ))?;
        let alerts = statement
            .query_map([all], alert_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(alerts)
    }

    pub fn alert(&self, id: &str) -> Result<Alert> {
        load_alert(&self.conn(), id)
    }

    /// What the declare form starts with for this alert.
    pub fn alert_suggestion(&self, id: &str) -> Result<AlertSuggestion> {
        let alert = self.alert(id)?;
        let levels: Vec<String> = self.levels()?.into_iter().map(|l| l.name).collect();
        Ok(AlertSuggestion {
            title: format!("{}: {}", alert.service, alert.summary)
                .chars()
                .take(MAX_TITLE)
                .collect(),
            kind: guess_kind(&alert.service, &alert.summary, alert.severity),
            level: suggest_level(alert.severity, &levels),
            source: if alert.synthetic {
                Source::Synthetic
            } else {
                Source::Monitoring
            },
            started_at: alert.started_at,
            services: vec![alert.service.clone()],
        })
    }

    /// Declares an incident from an alert and attaches the alert to it, in
    /// one transaction: the incident's timeline carries the alert and its link.
    pub fn declare_from_alert(&self, alert_id: &str, input: Declaration) -> Result<IncidentRecord> {
        let now = self.clock.now();
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let alert = load_alert(&tx, alert_id)?;
        refuse_attached(&alert)?;
        // The alert's service is affected, unless the commander said otherwise.
        let input = Declaration {
            services: input.services.or_else(|| Some(vec![alert.service.clone()])),
            ..input
        };
        let record = self.declare_in(&tx, input, now)?;
        self.attach_in(&tx, &alert, &record.id, now)?;
        tx.commit()?;
        drop(conn);
        self.publish(ChangeEvent::Alerts);
        self.publish(ChangeEvent::Incident {
            id: record.id.clone(),
            reference: record.reference.clone(),
        });
        Ok(record)
    }

    /// Attaches an alert to an open incident (its timeline gets the alert).
    pub fn attach_alert(&self, alert_id: &str, reference: &str) -> Result<TimelineEntry> {
        let now = self.clock.now();
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let alert = load_alert(&tx, alert_id)?;
        refuse_attached(&alert)?;
        let (incident_id, reference) = records::resolve(&tx, reference)?;
        let record = records::load_record(&tx, &incident_id)?;
        if record.closed_at.is_some() {
            return Err(DeskError::Conflict(format!(
                "{} is closed: alerts can only be attached to open incidents",
                record.reference
            )));
        }
        let entry = self.attach_in(&tx, &alert, &incident_id, now)?;
        tx.commit()?;
        drop(conn);
        self.publish(ChangeEvent::Alerts);
        self.publish(ChangeEvent::Incident {
            id: incident_id,
            reference: reference.clone(),
        });
        Ok(entry)
    }

    fn attach_in(
        &self,
        tx: &Connection,
        alert: &Alert,
        incident_id: &str,
        now: Timestamp,
    ) -> Result<TimelineEntry> {
        tx.prepare_cached("UPDATE alerts SET incident_id = ?2 WHERE id = ?1")?
            .execute(params![alert.id, incident_id])?;
        // The entry is dated when the alert started: that is when it
        // happened (within the limit notes have before the impact).
        let started_at = super::records::impact_started(tx, incident_id)?;
        let earliest = started_at.plus_millis(-crate::domain::MAX_NOTE_BEFORE_IMPACT_MS);
        let occurred_at = alert.started_at.min(now).max(earliest);
        timeline::append(
            tx,
            NewEntry {
                incident_id,
                occurred_at,
                recorded_at: now,
                author: &alert.source,
                kind: EntryKind::Alert,
                text: &alert_line(alert),
                change: None,
                supersedes: None,
            },
        )
    }

    /// Takes an alert off the inbox (it comes back if it fires again).
    pub fn dismiss_alert(&self, alert_id: &str) -> Result<Alert> {
        let now = self.clock.now();
        let conn = self.conn();
        let changed = conn
            .prepare_cached("UPDATE alerts SET dismissed_at = ?2 WHERE id = ?1")?
            .execute(params![alert_id, now])?;
        if changed == 0 {
            return Err(DeskError::NotFound {
                what: "alert",
                key: alert_id.to_owned(),
            });
        }
        let alert = load_alert(&conn, alert_id)?;
        drop(conn);
        self.publish(ChangeEvent::Alerts);
        Ok(alert)
    }

    /// Mutes or unmutes the notifications of a source.
    pub fn mute_source(&self, source: &str, muted: bool) -> Result<Vec<String>> {
        required_text("source", source, MAX_ALERT_SOURCE)?;
        let source = source.trim().to_ascii_lowercase();
        let conn = self.conn();
        if muted {
            conn.prepare_cached("INSERT OR IGNORE INTO alert_mutes (source) VALUES (?1)")?
                .execute([&source])?;
        } else {
            conn.prepare_cached("DELETE FROM alert_mutes WHERE source = ?1")?
                .execute([&source])?;
        }
        drop(conn);
        self.publish(ChangeEvent::Alerts);
        self.muted_sources()
    }

    pub fn muted_sources(&self) -> Result<Vec<String>> {
        let conn = self.conn();
        let mut statement =
            conn.prepare_cached("SELECT source FROM alert_mutes ORDER BY source")?;
        let sources = statement
            .query_map([], |row| row.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(sources)
    }
}

fn refuse_attached(alert: &Alert) -> Result<()> {
    match &alert.incident_ref {
        Some(reference) => Err(DeskError::Conflict(format!(
            "this alert already belongs to {reference}"
        ))),
        None => Ok(()),
    }
}
