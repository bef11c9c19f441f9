//! What the outbox tests share: a desk with one incident, and one round of
//! the publisher (deliver what is due, record each attempt).

use crate::support::Outcome;
use incident_core::desk::{Attempt, Declaration};
use incident_core::domain::{Channel, Communication, IncidentKind};
use incident_core::{Clock, Desk, SystemClock};
use incident_publish::{Access, deliver};
use std::time::Duration;

pub const TIMEOUT: Duration = Duration::from_secs(10);

pub struct Incident {
    pub dir: tempfile::TempDir,
    pub desk: Desk,
    pub reference: String,
}

impl Incident {
    /// An open incident of `kind` and `level` affecting `services`.
    pub fn declare(kind: IncidentKind, level: &str, services: &[&str]) -> Outcome<Incident> {
        let dir = tempfile::tempdir()?;
        let desk = Desk::open(dir.path().join("desk.db"))?.with_author("Ada")?;
        let mut declaration = Declaration::new("Checkout errors", kind, level);
        declaration.services = Some(services.iter().map(|s| (*s).to_owned()).collect());
        let reference = desk.declare(declaration)?.reference;
        Ok(Incident {
            dir,
            desk,
            reference,
        })
    }

    /// The app restarting: the database closed and opened again.
    pub fn reopen(self) -> Outcome<Incident> {
        let Incident {
            dir,
            desk,
            reference,
        } = self;
        drop(desk);
        let desk = Desk::open(dir.path().join("desk.db"))?.with_author("Ada")?;
        Ok(Incident {
            dir,
            desk,
            reference,
        })
    }

    /// A message on `channel`, approved, ready to publish.
    pub fn message(&self, channel: Channel, body: &str) -> Outcome<Communication> {
        let draft = self
            .desk
            .draft_communication(&self.reference, channel, "", body, None)?;
        Ok(self
            .desk
            .approve_communication(&self.reference, &draft.id, None)?)
    }

    /// The message `id` as the record has it now.
    pub fn message_now(&self, id: &str) -> Outcome<Communication> {
        self.desk
            .incident(&self.reference)?
            .record
            .communications
            .into_iter()
            .find(|c| c.id == id)
            .ok_or_else(|| format!("no message {id}").into())
    }
}

/// One round of the publisher: every due message delivered through
/// `access` and the attempt recorded.
pub fn attempt_due(desk: &Desk, access: &Access) -> Outcome<Vec<Attempt>> {
    let mut attempts = Vec::new();
    for publication in desk.due_publications()? {
        let attempt = deliver(&publication, Some(access), TIMEOUT, SystemClock.now());
        desk.publication_attempted(&publication.id, attempt.clone())?;
        attempts.push(attempt);
    }
    Ok(attempts)
}

/// Makes every queued message due now (a test does not wait out backoff).
pub fn due_now(incident: &Incident) -> Outcome<()> {
    let conn = rusqlite::Connection::open(incident.dir.path().join("desk.db"))?;
    conn.execute(
        "UPDATE publish_queue SET next_attempt_at = 0 WHERE state = 'queued'",
        [],
    )?;
    Ok(())
}
