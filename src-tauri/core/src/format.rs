//! Human formatting shared by the command line and the exports.

use crate::time::Timestamp;

/// A calendar date: `2026-12-04`. Reports are read by people in other time
/// zones, so every date and time in them is UTC.
pub fn date(at: Timestamp) -> String {
    at.to_datetime().format("%Y-%m-%d").to_string()
}

/// A time of day, 24-hour, to the minute: `08:59` (UTC; seconds are cut, not
/// rounded, so a moment never shows a minute that had not begun yet).
pub fn time_of_day(at: Timestamp) -> String {
    at.to_datetime().format("%H:%M").to_string()
}

/// A moment in a report: `2026-12-04 08:59 UTC`. The one format both the PDF
/// and the Markdown export print, so they agree to the character.
pub fn date_time(at: Timestamp) -> String {
    format!("{} {} UTC", date(at), time_of_day(at))
}

/// `45s`, `12m 05s`, `3h 07m`, `2d 04h`; negative durations get a minus sign.
pub fn duration(seconds: i64) -> String {
    let sign = if seconds < 0 { "-" } else { "" };
    let s = seconds.unsigned_abs();
    let text = match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m {:02}s", s / 60, s % 60),
        3600..86_400 => format!("{}h {:02}m", s / 3600, (s % 3600) / 60),
        _ => format!("{}d {:02}h", s / 86_400, (s % 86_400) / 3600),
    };
    format!("{sign}{text}")
}

/// A metric for display: the duration, or "—" when it cannot be computed yet.
pub fn metric(value: Option<i64>) -> String {
    value.map(duration).unwrap_or_else(|| "—".to_owned())
}

/// A size in bytes as people read it: `812 B`, `4.2 KB`, `13.0 MB` (1 KB = 1000 B).
pub fn bytes(n: u64) -> String {
    match n {
        0..1000 => format!("{n} B"),
        1000..1_000_000 => format!("{:.1} KB", n as f64 / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} MB", n as f64 / 1e6),
        _ => format!("{:.2} GB", n as f64 / 1e9),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_read_as_utc_dates_and_24_hour_times() -> Result<(), crate::error::DeskError> {
        let at = Timestamp::parse;
        let t = at("2026-12-04T08:59:59.999Z")?;
        assert_eq!(date(t), "2026-12-04");
        assert_eq!(time_of_day(t), "08:59");
        assert_eq!(date_time(t), "2026-12-04 08:59 UTC");
        // Any offset is shown in UTC, the afternoon in 24-hour time.
        assert_eq!(
            date_time(at("2026-12-04T23:05:00+01:00")?),
            "2026-12-04 22:05 UTC"
        );
        assert_eq!(
            date_time(at("2026-12-31T23:30:00-01:00")?),
            "2027-01-01 00:30 UTC"
        );
        assert_eq!(time_of_day(at("2026-12-04T14:07:00Z")?), "14:07");
        Ok(())
    }

    #[test]
    fn sizes_use_decimal_units() {
        assert_eq!(bytes(812), "812 B");
        assert_eq!(bytes(4_200), "4.2 KB");
        assert_eq!(bytes(13_049_000), "13.0 MB");
        assert_eq!(bytes(2_500_000_000), "2.50 GB");
    }

    #[test]
    fn durations_read_like_a_person_would_say_them() {
        assert_eq!(duration(0), "0s");
        assert_eq!(duration(59), "59s");
        assert_eq!(duration(65), "1m 05s");
        assert_eq!(duration(3 * 3600 + 7 * 60 + 9), "3h 07m");
        assert_eq!(duration(2 * 86_400 + 4 * 3600), "2d 04h");
        assert_eq!(duration(-90), "-1m 30s");
        assert_eq!(metric(None), "—");
    }
}
