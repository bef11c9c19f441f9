//! Human formatting shared by the command line and the exports.

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
