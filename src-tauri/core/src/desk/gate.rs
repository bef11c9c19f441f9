//! One gate for incidents that enter from outside the keyboard: a JSON
//! export being imported, every incident of a backup being restored (and,
//! in team mode, what another laptop sends). It checks what the keyboard
//! path checks — lengths, times, references — and that the incident's state
//! is exactly the fold of its timeline, so a crafted file cannot plant a
//! state the rules would never have produced.

use super::MAX_FUTURE_SKEW_MS;
use crate::domain::*;
use crate::replay::replay;
use crate::time::Timestamp;

/// The highest incident number: `INC-999999999`. Far beyond any real use,
/// and far from where a crafted number (`INC-9223372036854775807`) would
/// make the next declaration overflow.
pub const MAX_REFERENCE_NUMBER: i64 = 999_999_999;

/// The longest reference (`INC-<n>-<tag>` and the longer forms of clashes).
const MAX_REFERENCE_LENGTH: usize = 48;

/// The number in `INC-<n>`, when it is a valid plain reference.
pub fn reference_number(reference: &str) -> Result<i64, String> {
    let number = reference
        .strip_prefix("INC-")
        .and_then(|n| n.parse::<i64>().ok())
        .ok_or_else(|| format!("\"{reference}\" is not a reference like INC-12"))?;
    if !(1..=MAX_REFERENCE_NUMBER).contains(&number) {
        return Err(format!(
            "reference {reference} is out of range (INC-1 to INC-{MAX_REFERENCE_NUMBER})"
        ));
    }
    Ok(number)
}

/// A reference as this version writes them: `INC-<n>` with `n` in range,
/// optionally followed by `-<letters and digits>` (minted in a team, or
/// settled after a clash).
pub fn check_reference_text(reference: &str) -> Result<(), String> {
    if reference.len() > MAX_REFERENCE_LENGTH {
        return Err(format!("the reference \"{reference}\" is too long"));
    }
    let mut parts = reference.splitn(3, '-');
    let (Some("INC"), Some(number)) = (parts.next(), parts.next()) else {
        return Err(format!("\"{reference}\" is not a reference like INC-12"));
    };
    reference_number(&format!("INC-{number}"))?;
    if let Some(rest) = parts.next()
        && (rest.is_empty()
            || !rest
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-'))
    {
        return Err(format!(
            "\"{reference}\" is not a reference like INC-12-K7Q"
        ));
    }
    Ok(())
}

/// Everything about one incident that came from a file, checked. `now`
/// bounds times from above (with the usual clock skew). The message says
/// what is wrong, for the caller to wrap (import, restore).
pub fn check_incident(
    record: &IncidentRecord,
    timeline: &[TimelineEntry],
    now: Timestamp,
) -> Result<(), String> {
    check_reference_text(&record.reference)?;
    if timeline.is_empty() {
        return Err("the timeline is empty".into());
    }
    let mut ids = std::collections::HashSet::new();
    for entry in timeline {
        if entry.id.is_empty() || !ids.insert(entry.id.as_str()) {
            return Err(format!(
                "timeline entry {} has a missing or repeated id",
                entry.n
            ));
        }
        check_entry(entry, Some(now))?;
    }
    let rebuilt = replay(&record.reference, timeline)
        .map_err(|e| format!("its timeline does not replay: {e}"))?;
    if rebuilt != *record {
        return Err(format!(
            "{}'s state does not match its timeline (was the file edited?)",
            record.reference
        ));
    }
    Ok(())
}

/// One entry, as the keyboard would have made it: a kind that matches its
/// change, texts within the limits, a plausible author and times (with
/// `now`, none ahead of it beyond the usual skew; entries from other
/// laptops may come from a clock ahead of ours, and are flagged instead).
pub fn check_entry(entry: &TimelineEntry, now: Option<Timestamp>) -> Result<(), String> {
    let label = || format!("timeline entry {}", entry.n);
    let kind_matches = match &entry.change {
        Some(change) => change.entry_kind() == entry.kind,
        None => matches!(
            entry.kind,
            EntryKind::Note | EntryKind::Correction | EntryKind::Nudge | EntryKind::Alert
        ),
    };
    if !kind_matches {
        return Err(format!(
            "{} is a {} entry with the wrong content",
            label(),
            entry.kind.as_str()
        ));
    }
    // What a person typed has the keyboard's limit; sentences the rules
    // wrote around typed text may be longer.
    let max = match entry.kind {
        EntryKind::Note | EntryKind::Correction => MAX_TEXT,
        _ => MAX_TEXT * 2,
    };
    required_text("text", &entry.text, max).map_err(|e| format!("{}: {e}", label()))?;
    required_text("author", &entry.author, MAX_NAME).map_err(|e| format!("{}: {e}", label()))?;
    for (what, at) in [
        ("happened", entry.occurred_at),
        ("was recorded", entry.recorded_at),
    ] {
        if at < EARLIEST_TIME {
            return Err(format!(
                "{} {what} at {at}, before {EARLIEST_TIME}",
                label()
            ));
        }
        if let Some(now) = now
            && at > now.plus_millis(MAX_FUTURE_SKEW_MS)
        {
            return Err(format!("{} {what} at {at}, in the future", label()));
        }
    }
    if now.is_some() && entry.recorded_at < entry.occurred_at.plus_millis(-MAX_FUTURE_SKEW_MS) {
        return Err(format!(
            "{} was recorded ({}) before it happened ({})",
            label(),
            entry.recorded_at,
            entry.occurred_at
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_in_range_only() {
        assert_eq!(reference_number("INC-12"), Ok(12));
        assert_eq!(reference_number("INC-999999999"), Ok(MAX_REFERENCE_NUMBER));
        for crafted in [
            "INC-9223372036854775807",
            "INC-1000000000",
            "INC-0",
            "INC--4",
            "INC-x",
            "12",
        ] {
            assert!(
                reference_number(crafted).is_err(),
                "{crafted} must be refused"
            );
        }
    }
}
