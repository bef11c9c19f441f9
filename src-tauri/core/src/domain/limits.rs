//! Sane maximum lengths for text users type, and the checks every input
//! goes through. Text is stored exactly as given (no trimming); only empty
//! or whitespace-only values are refused where a value is required.

use crate::error::{DeskError, Result};
use crate::time::Timestamp;

pub const MAX_TITLE: usize = 200;
pub const MAX_NAME: usize = 100;
pub const MAX_SHORT_TEXT: usize = 500;
pub const MAX_TEXT: usize = 20_000;
pub const MAX_SERVICES: usize = 50;

/// The earliest moment anything may be dated (2000-01-01T00:00:00Z). An
/// older time is a typo or a zeroed clock, and would make every duration
/// that starts from it meaningless.
pub const EARLIEST_TIME: Timestamp = Timestamp::from_millis(946_684_800_000);

/// Refuses a time before [`EARLIEST_TIME`].
pub fn plausible_time(field: &'static str, at: Timestamp) -> Result<()> {
    if at < EARLIEST_TIME {
        return Err(DeskError::invalid(
            field,
            format!("{at} is not a plausible time: nothing can be dated before {EARLIEST_TIME}"),
        ));
    }
    Ok(())
}

/// A required text: not blank, at most `max` characters.
pub fn required_text(field: &'static str, text: &str, max: usize) -> Result<()> {
    if text.trim().is_empty() {
        return Err(DeskError::invalid(field, format!("the {field} is empty")));
    }
    optional_text(field, text, max)
}

/// An optional text: may be empty, at most `max` characters.
pub fn optional_text(field: &'static str, text: &str, max: usize) -> Result<()> {
    let actual = text.chars().count();
    if actual > max {
        return Err(DeskError::TooLong { field, max, actual });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_and_overlong_text_are_refused_with_the_field_named() {
        assert!(required_text("title", "  \t\n", MAX_TITLE).is_err());
        let long = "é".repeat(MAX_TITLE + 1);
        let error = required_text("title", &long, MAX_TITLE)
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            error.as_deref(),
            Some("title is too long: 201 characters, at most 200 allowed")
        );
        assert!(required_text("title", &"é".repeat(MAX_TITLE), MAX_TITLE).is_ok());
    }
}
