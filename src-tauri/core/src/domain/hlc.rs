//! Hybrid logical clock stamps: the order in which entries were *recorded*,
//! across laptops. A stamp is (physical milliseconds, a counter, the node
//! that wrote it); a node's next stamp is later than every stamp it has seen,
//! so an entry written after reading another always sorts after it, and two
//! laptops that hold the same entries sort them the same way. `occurred_at`
//! stays what the scribe said happened; this is only the order of writing.
//!
//! Why our own ~100 lines rather than the `uhlc` crate: the desk's clock is
//! injected (tests move time by hand) and `uhlc` takes a function pointer;
//! and a stamp from a clock far in the future must be *accepted* (the entry
//! is valid) but must not drag our clock along — `uhlc` either refuses it
//! or follows it.

use crate::time::Timestamp;
use std::fmt;

/// How far ahead of our clock a stamp may be before it is flagged as
/// skewed (and not followed).
pub const MAX_SKEW_MS: i64 = 60_000;

/// A node: one database, on one laptop. 32 lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(String);

impl NodeId {
    /// The node of entries that existed before team mode (migrated, or
    /// imported from an old export): the same on every laptop, so every
    /// laptop derives the same stamps for them.
    pub fn legacy() -> NodeId {
        NodeId("0".repeat(32))
    }

    /// A fresh random node id.
    pub fn random() -> Result<NodeId, String> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|e| format!("no randomness for a node id: {e}"))?;
        Ok(NodeId(bytes.iter().map(|b| format!("{b:02x}")).collect()))
    }

    pub fn parse(text: &str) -> Result<NodeId, String> {
        let valid = text.len() == 32
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if valid {
            Ok(NodeId(text.to_owned()))
        } else {
            Err(format!("\"{text}\" is not a node id (32 hex digits)"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A short, sayable tag for references minted offline: three letters or
    /// digits of Crockford's base32 (no I, L, O, U) from the id.
    pub fn tag(&self) -> String {
        const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        let bits = u32::from_str_radix(&self.0[..4], 16).unwrap_or(0);
        [10, 5, 0]
            .iter()
            .map(|shift| ALPHABET[((bits >> shift) & 31) as usize] as char)
            .collect()
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One stamp. The derived order (milliseconds, then counter, then node) is
/// the order of the encoded strings, which is what the store sorts by.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hlc {
    pub ms: i64,
    pub counter: u32,
    pub node: NodeId,
}

/// The largest counter the encoding holds; past it the milliseconds move on.
const MAX_COUNTER: u32 = 999_999;

impl Hlc {
    /// The next stamp `node` issues at physical time `now`, after `last`
    /// (the newest stamp it has seen, skewed ones excepted).
    pub fn next(last: Option<&Hlc>, now: Timestamp, node: &NodeId) -> Hlc {
        let now = now.millis().max(0);
        match last {
            Some(last) if last.ms >= now => {
                if last.counter >= MAX_COUNTER {
                    Hlc {
                        ms: last.ms + 1,
                        counter: 0,
                        node: node.clone(),
                    }
                } else {
                    Hlc {
                        ms: last.ms,
                        counter: last.counter + 1,
                        node: node.clone(),
                    }
                }
            }
            _ => Hlc {
                ms: now,
                counter: 0,
                node: node.clone(),
            },
        }
    }

    /// Whether a stamp is further ahead of `now` than clocks drift apart.
    pub fn is_skewed(&self, now: Timestamp) -> bool {
        self.ms > now.millis() + MAX_SKEW_MS
    }

    /// `0001764577032123-000004-<node>`: fixed widths, so text order is time order.
    pub fn encode(&self) -> String {
        format!("{:016}-{:06}-{}", self.ms, self.counter, self.node)
    }

    pub fn parse(text: &str) -> Result<Hlc, String> {
        let bad = || format!("\"{text}\" is not a clock stamp");
        let mut parts = text.split('-');
        let (Some(ms), Some(counter), Some(node), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        if ms.len() != 16 || counter.len() != 6 {
            return Err(bad());
        }
        Ok(Hlc {
            ms: ms.parse().map_err(|_| bad())?,
            counter: counter.parse().map_err(|_| bad())?,
            node: NodeId::parse(node).map_err(|_| bad())?,
        })
    }
}

impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.encode())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(c: char) -> NodeId {
        NodeId(c.to_string().repeat(32))
    }

    #[test]
    fn stamps_only_move_forward_and_sort_as_their_text() {
        let a = node('a');
        let first = Hlc::next(None, Timestamp::from_millis(1_000), &a);
        let same_ms = Hlc::next(Some(&first), Timestamp::from_millis(1_000), &a);
        // The clock went back: the stamp still moves forward.
        let backwards = Hlc::next(Some(&same_ms), Timestamp::from_millis(500), &a);
        let later = Hlc::next(Some(&backwards), Timestamp::from_millis(2_000), &a);
        let stamps = [&first, &same_ms, &backwards, &later];
        for pair in stamps.windows(2) {
            assert!(pair[0] < pair[1], "{} !< {}", pair[0], pair[1]);
            assert!(pair[0].encode() < pair[1].encode());
        }
        assert_eq!((backwards.ms, backwards.counter), (1_000, 2));
        for stamp in stamps {
            assert_eq!(&Hlc::parse(&stamp.encode()).as_ref(), &Ok(stamp));
        }
    }

    #[test]
    fn a_stamp_after_a_remote_one_sorts_after_it() {
        let remote = Hlc {
            ms: 5_000,
            counter: 7,
            node: node('b'),
        };
        let mine = Hlc::next(Some(&remote), Timestamp::from_millis(4_000), &node('a'));
        assert!(remote < mine);
        assert!(remote.encode() < mine.encode());
    }

    #[test]
    fn far_future_stamps_are_flagged_and_garbage_is_refused() {
        let now = Timestamp::from_millis(1_000_000);
        assert!(
            !Hlc {
                ms: 1_000_000 + MAX_SKEW_MS,
                counter: 0,
                node: node('c')
            }
            .is_skewed(now)
        );
        assert!(
            Hlc {
                ms: 1_000_001 + MAX_SKEW_MS,
                counter: 0,
                node: node('c')
            }
            .is_skewed(now)
        );
        for garbage in [
            "",
            "1-2-3",
            "0000000000001000-000000-xyz",
            "0000000000001000-00000-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        ] {
            assert!(Hlc::parse(garbage).is_err(), "{garbage}");
        }
    }

    #[test]
    fn tags_are_three_sayable_characters() {
        let tag = NodeId::parse("ffff0000000000000000000000000000").map(|n| n.tag());
        assert_eq!(tag.as_deref(), Ok("ZZZ"));
        assert_eq!(NodeId::legacy().tag(), "000");
    }
}

/// Ids and stamps for entries written before team mode (a database of an
/// earlier version, an old export), derived from what they already hold:
/// every laptop derives the same, so the same entry has the same id and
/// stamp everywhere. `entries` are one incident's, in their recorded
/// order; returns (id, stamp, seen) for each.
pub fn legacy_stamps(
    incident_id: &str,
    entries: &[(i64, Timestamp)],
) -> Vec<(String, Hlc, Option<Hlc>)> {
    let node = NodeId::legacy();
    let mut previous: Option<Hlc> = None;
    entries
        .iter()
        .map(|(n, recorded_at)| {
            let stamp = Hlc::next(previous.as_ref(), *recorded_at, &node);
            let seen = previous.replace(stamp.clone());
            (legacy_entry_id(incident_id, *n, *recorded_at), stamp, seen)
        })
        .collect()
}

/// A UUIDv7 for entry `n` of an incident: its time, and "random" bits that
/// are a hash of the incident and the number (FNV-1a, stable everywhere).
fn legacy_entry_id(incident_id: &str, n: i64, recorded_at: Timestamp) -> String {
    let fnv = |seed: u64| {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
        for byte in incident_id.bytes().chain(n.to_le_bytes()) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        hash
    };
    let mut bits = [0u8; 10];
    bits[..8].copy_from_slice(&fnv(1).to_le_bytes());
    bits[8..].copy_from_slice(&fnv(2).to_le_bytes()[..2]);
    let millis = u64::try_from(recorded_at.millis()).unwrap_or(0);
    uuid::Builder::from_unix_timestamp_millis(millis, &bits)
        .into_uuid()
        .to_string()
}

#[cfg(test)]
mod legacy_tests {
    use super::*;

    #[test]
    fn old_entries_get_the_same_ids_and_stamps_everywhere_in_order() {
        let entries = [
            (1, Timestamp::from_millis(5_000)),
            (2, Timestamp::from_millis(5_000)),
            (3, Timestamp::from_millis(4_000)), // a clock that went back
        ];
        let once = legacy_stamps("incident-a", &entries);
        assert_eq!(once, legacy_stamps("incident-a", &entries));
        assert_ne!(once[0].0, legacy_stamps("incident-b", &entries)[0].0);
        assert!(once[0].1 < once[1].1 && once[1].1 < once[2].1);
        assert_eq!(once[0].2, None);
        assert_eq!(once[2].2.as_ref(), Some(&once[1].1));
        for (id, _, _) in &once {
            assert_eq!(
                uuid::Uuid::parse_str(id).map(|u| u.get_version_num()),
                Ok(7)
            );
        }
    }
}
