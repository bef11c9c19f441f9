//! Deadline policies: per level, how long each step may take. Spans are
//! written the way people say them: `90s`, `15m`, `2h`, `3d`, or `5wd`
//! (working days, Monday to Friday, counted in UTC); `off` means no deadline.

use crate::error::{DeskError, Result};
use crate::time::Timestamp;
use chrono::{Datelike, Duration as ChronoDuration, Weekday};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use ts_rs::TS;

/// A length of time for a deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, TS)]
#[ts(type = "string")]
pub enum Span {
    Seconds(i64),
    WorkingDays(i64),
}

impl Span {
    pub fn parse(text: &str) -> Result<Span> {
        let t = text.trim().to_ascii_lowercase();
        let invalid = || {
            DeskError::invalid(
                "duration",
                format!("\"{text}\" is not a duration: use 90s, 15m, 2h, 3d or 5wd (working days)"),
            )
        };
        let (number, unit) = match t.strip_suffix("wd") {
            Some(n) => (n, "wd"),
            None => t.split_at(t.len().saturating_sub(1)),
        };
        let amount: i64 = number.trim().parse().map_err(|_| invalid())?;
        if amount <= 0 || amount > 100_000 {
            return Err(DeskError::invalid(
                "duration",
                format!("\"{text}\" must be a positive duration (or off)"),
            ));
        }
        Ok(match unit {
            "s" => Span::Seconds(amount),
            "m" => Span::Seconds(amount * 60),
            "h" => Span::Seconds(amount * 3600),
            "d" => Span::Seconds(amount * 86_400),
            "wd" => Span::WorkingDays(amount),
            _ => return Err(invalid()),
        })
    }

    /// The moment this span after `start` ends.
    pub fn after(self, start: Timestamp) -> Timestamp {
        match self {
            Span::Seconds(s) => start.plus_millis(s * 1000),
            Span::WorkingDays(days) => {
                let mut at = start.to_datetime();
                let mut left = days;
                while left > 0 {
                    at += ChronoDuration::days(1);
                    if !matches!(at.weekday(), Weekday::Sat | Weekday::Sun) {
                        left -= 1;
                    }
                }
                Timestamp::from_datetime(at)
            }
        }
    }
}

impl std::fmt::Display for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Span::WorkingDays(d) => write!(f, "{d}wd"),
            Span::Seconds(s) if s % 86_400 == 0 => write!(f, "{}d", s / 86_400),
            Span::Seconds(s) if s % 3600 == 0 => write!(f, "{}h", s / 3600),
            Span::Seconds(s) if s % 60 == 0 => write!(f, "{}m", s / 60),
            Span::Seconds(s) => write!(f, "{s}s"),
        }
    }
}

impl Serialize for Span {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Span {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Span, D::Error> {
        let text = String::deserialize(deserializer)?;
        Span::parse(&text).map_err(serde::de::Error::custom)
    }
}

macro_rules! policy_keys {
    ($($variant:ident => $name:literal, $label:literal;)+) => {
        /// What a policy can set.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
        #[serde(rename_all = "snake_case")]
        pub enum PolicyKey { $($variant),+ }

        impl PolicyKey {
            pub const ALL: &'static [PolicyKey] = &[$(PolicyKey::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $(PolicyKey::$variant => $name),+ }
            }

            /// What it means, for `idesk policy show` and Settings.
            pub fn meaning(self) -> &'static str {
                match self { $(PolicyKey::$variant => $label),+ }
            }
        }

        impl std::str::FromStr for PolicyKey {
            type Err = DeskError;
            fn from_str(text: &str) -> Result<PolicyKey> {
                let wanted = text.trim().to_ascii_lowercase().replace('-', "_");
                PolicyKey::ALL.iter().copied().find(|k| k.as_str() == wanted).ok_or_else(|| {
                    DeskError::UnknownName {
                        what: "policy key",
                        given: text.to_owned(),
                        valid: PolicyKey::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", "),
                    }
                })
            }
        }
    };
}

policy_keys! {
    Classify => "classify", "classify within, from the declaration";
    FirstUpdate => "first_update", "first update to users within, from detection";
    UpdateEvery => "update_every", "further updates to users every, until resolved";
    Remediate => "remediate", "remediate within, from the declaration";
    Review => "review", "review within, from resolution";
    Stalled => "stalled", "an active stage is stalled after this long without timeline activity";
}

/// One level's deadlines; `None` means no deadline for that step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Policy {
    pub level: String,
    pub classify: Option<Span>,
    pub first_update: Option<Span>,
    pub update_every: Option<Span>,
    pub remediate: Option<Span>,
    pub review: Option<Span>,
    pub stalled: Option<Span>,
    /// Drafts need the commander's approval before they are sent.
    pub approval: bool,
}

impl Policy {
    pub fn get(&self, key: PolicyKey) -> Option<Span> {
        match key {
            PolicyKey::Classify => self.classify,
            PolicyKey::FirstUpdate => self.first_update,
            PolicyKey::UpdateEvery => self.update_every,
            PolicyKey::Remediate => self.remediate,
            PolicyKey::Review => self.review,
            PolicyKey::Stalled => self.stalled,
        }
    }

    pub fn set(&mut self, key: PolicyKey, span: Option<Span>) {
        let slot = match key {
            PolicyKey::Classify => &mut self.classify,
            PolicyKey::FirstUpdate => &mut self.first_update,
            PolicyKey::UpdateEvery => &mut self.update_every,
            PolicyKey::Remediate => &mut self.remediate,
            PolicyKey::Review => &mut self.review,
            PolicyKey::Stalled => &mut self.stalled,
        };
        *slot = span;
    }

    /// No deadlines at all (a level nobody set a policy for).
    pub fn none(level: &str) -> Policy {
        Policy {
            level: level.to_owned(),
            classify: None,
            first_update: None,
            update_every: None,
            remediate: None,
            review: None,
            stalled: None,
            approval: false,
        }
    }
}

/// Parses a policy value: a span, or `off`.
pub fn parse_policy_value(text: &str) -> Result<Option<Span>> {
    if matches!(
        text.trim().to_ascii_lowercase().as_str(),
        "off" | "none" | "-"
    ) {
        return Ok(None);
    }
    Span::parse(text).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_and_print_the_way_people_write_them() -> Result<()> {
        for (text, span, shown) in [
            ("90s", Span::Seconds(90), "90s"),
            ("15m", Span::Seconds(900), "15m"),
            ("2h", Span::Seconds(7200), "2h"),
            ("3d", Span::Seconds(259_200), "3d"),
            ("5wd", Span::WorkingDays(5), "5wd"),
            ("120m", Span::Seconds(7200), "2h"),
        ] {
            assert_eq!(Span::parse(text)?, span);
            assert_eq!(span.to_string(), shown);
        }
        for bad in ["", "5", "m", "-5m", "0s", "5y", "1.5h", "fifteen minutes"] {
            assert!(Span::parse(bad).is_err(), "{bad} must be refused");
        }
        assert_eq!(parse_policy_value("off")?, None);
        Ok(())
    }

    #[test]
    fn working_days_skip_weekends() -> Result<()> {
        // Friday 2026-11-27 17:00 UTC + 5 working days = Friday 2026-12-04 17:00.
        let friday = Timestamp::parse("2026-11-27T17:00:00Z")?;
        assert_eq!(
            Span::WorkingDays(5).after(friday),
            Timestamp::parse("2026-12-04T17:00:00Z")?
        );
        // Saturday + 1 working day = Monday.
        let saturday = Timestamp::parse("2026-11-28T10:00:00Z")?;
        assert_eq!(
            Span::WorkingDays(1).after(saturday),
            Timestamp::parse("2026-11-30T10:00:00Z")?
        );
        Ok(())
    }
}
