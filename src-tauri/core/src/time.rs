//! Time: a millisecond UTC `Timestamp` (what the store keeps), the injected
//! `Clock`, and parsing of the times and durations users type.

use crate::error::DeskError;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use ts_rs::TS;

/// A moment in UTC with millisecond precision. On the wire it is an
/// RFC 3339 string (`2026-11-30T09:24:02.123Z`); in SQLite an INTEGER.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, TS)]
#[ts(type = "string")]
pub struct Timestamp(i64);

impl Timestamp {
    pub const fn from_millis(millis: i64) -> Timestamp {
        Timestamp(millis)
    }

    pub const fn millis(self) -> i64 {
        self.0
    }

    pub fn from_datetime(time: DateTime<Utc>) -> Timestamp {
        Timestamp(time.timestamp_millis())
    }

    pub fn to_datetime(self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.0).unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    /// Parses RFC 3339 (any offset), e.g. `2026-11-30T14:32:00+01:00`.
    pub fn parse(text: &str) -> Result<Timestamp, DeskError> {
        DateTime::parse_from_rfc3339(text.trim())
            .map(|time| Timestamp::from_datetime(time.with_timezone(&Utc)))
            .map_err(|error| DeskError::Invalid {
                field: "time",
                message: format!(
                    "\"{text}\" is not an RFC 3339 time like 2026-11-30T14:32:00Z ({error})"
                ),
            })
    }

    /// Whole seconds from `earlier` to `self` (negative when `self` is earlier).
    pub fn seconds_since(self, earlier: Timestamp) -> i64 {
        (self.0 - earlier.0).div_euclid(1000)
    }

    pub fn plus_millis(self, millis: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(millis))
    }
}

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(
            &self
                .to_datetime()
                .to_rfc3339_opts(SecondsFormat::Millis, true),
        )
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Timestamp, D::Error> {
        let text = String::deserialize(deserializer)?;
        Timestamp::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Where "now" comes from. Injected so rules and deadlines are tested
/// without sleeping.
pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_datetime(Utc::now())
    }
}

/// A clock that only moves when told to (tests, benchmarks, replays).
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    pub fn new(start: Timestamp) -> ManualClock {
        ManualClock(Arc::new(AtomicI64::new(start.millis())))
    }

    pub fn set(&self, time: Timestamp) {
        self.0.store(time.millis(), Ordering::SeqCst);
    }

    pub fn advance_secs(&self, seconds: i64) {
        self.0.fetch_add(seconds * 1000, Ordering::SeqCst);
    }

    pub fn advance_millis(&self, millis: i64) {
        self.0.fetch_add(millis, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.load(Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip_through_text_with_millisecond_precision() -> Result<(), DeskError> {
        let time = Timestamp::parse("2026-11-30T14:32:05.250+01:00")?;
        assert_eq!(time.to_string(), "2026-11-30T13:32:05.250Z");
        assert_eq!(Timestamp::parse(&time.to_string())?, time);
        Ok(())
    }

    #[test]
    fn garbage_is_a_clear_error() {
        let error = Timestamp::parse("yesterday-ish")
            .err()
            .map(|e| e.to_string());
        assert!(error.is_some_and(|e| e.contains("not an RFC 3339 time")));
    }

    #[test]
    fn seconds_round_down_to_whole_seconds() -> Result<(), DeskError> {
        let a = Timestamp::parse("2026-01-01T00:00:00Z")?;
        assert_eq!(a.plus_millis(90_999).seconds_since(a), 90);
        assert_eq!(a.seconds_since(a.plus_millis(1_500)), -2);
        Ok(())
    }
}
