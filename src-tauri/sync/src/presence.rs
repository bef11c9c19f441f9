//! Presence: who has which incident open. Not part of the record, so it
//! travels on plain NATS subjects (nothing stored): each laptop says where
//! it is every few seconds and at once when that changes; a laptop that
//! stops saying it (closed, asleep, offline) is forgotten after [`TTL`].

use incident_core::model::Presence;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How often a laptop says where it is.
pub const EVERY: Duration = Duration::from_secs(5);
/// How long a laptop stays present without saying so again.
pub const TTL: Duration = Duration::from_secs(15);
/// A presence message larger than this is not one.
pub const MAX_MESSAGE: usize = 4096;

/// What this laptop knows of the others.
#[derive(Default)]
pub struct Roster {
    seen: Mutex<HashMap<String, (Presence, Instant)>>,
}

impl Roster {
    /// Takes one message from another laptop; false when it is refused
    /// (too large, not a presence, failing its checks) or is our own.
    pub fn take(&self, payload: &[u8], own_node: &str, now: Instant) -> bool {
        if payload.len() > MAX_MESSAGE {
            return false;
        }
        let Ok(presence) = serde_json::from_slice::<Presence>(payload) else {
            return false;
        };
        if presence.check().is_err() || presence.node == own_node {
            return false;
        }
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.insert(presence.node.clone(), (presence, now));
        true
    }

    /// The laptops heard from within [`TTL`], by person.
    pub fn present(&self, now: Instant) -> Vec<Presence> {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.retain(|_, (_, at)| now.duration_since(*at) < TTL);
        let mut out: Vec<Presence> = seen.values().map(|(p, _)| p.clone()).collect();
        out.sort_by(|a, b| a.person.cmp(&b.person).then(a.node.cmp(&b.node)));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(node: &str, person: &str, viewing: Option<&str>) -> Vec<u8> {
        serde_json::to_vec(&Presence {
            node: node.into(),
            person: person.into(),
            viewing: viewing.map(Into::into),
        })
        .unwrap_or_default()
    }

    #[test]
    fn laptops_that_stop_saying_where_they_are_are_forgotten() {
        let roster = Roster::default();
        let start = Instant::now();
        assert!(roster.take(&message("n2", "Bob", Some("i1")), "n1", start));
        assert!(roster.take(
            &message("n3", "Cy", None),
            "n1",
            start + Duration::from_secs(10)
        ));
        let later = start + TTL + Duration::from_secs(1);
        let present = roster.present(later);
        assert_eq!(present.len(), 1);
        assert_eq!(present[0].person, "Cy");
    }

    #[test]
    fn own_bad_and_oversized_messages_are_refused() {
        let roster = Roster::default();
        let now = Instant::now();
        assert!(!roster.take(&message("n1", "Me", None), "n1", now));
        assert!(!roster.take(b"not json", "n1", now));
        assert!(!roster.take(&message("n2", "Bob\u{1b}[31m", None), "n1", now));
        assert!(!roster.take(&message("n2", "   ", None), "n1", now));
        assert!(!roster.take(&vec![b' '; MAX_MESSAGE + 1], "n1", now));
        assert!(roster.present(now).is_empty());
    }
}
