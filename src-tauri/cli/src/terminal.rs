//! What reaches a terminal. User text is data: a title holding an escape
//! sequence must not recolour, move the cursor, retitle the window or hide
//! what follows. Human output passes through [`neutralize`]; JSON stays exact
//! (its encoder already escapes control characters).
//!
//! Writing also copes with a reader that goes away (`idesk list | head`):
//! a broken pipe ends the program quietly instead of panicking.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};

/// Shows control characters as visible escapes: C0 controls except newline
/// and tab (`\e` for ESC, `\a` for BEL, `\r`, `\b`, else `\x1f`), DEL, C1
/// controls, and the invisible bidirectional controls that reorder text
/// (`\u{202e}`). Everything else is left as it is.
pub fn neutralize(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if !needs_escape(c) {
            out.push(c);
            continue;
        }
        match c {
            '\u{1b}' => out.push_str("\\e"),
            '\u{07}' => out.push_str("\\a"),
            '\u{08}' => out.push_str("\\b"),
            '\r' => out.push_str("\\r"),
            c if u32::from(c) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    match c {
        '\n' | '\t' => false,
        c if c.is_control() => true, // C0, DEL and C1
        // Bidirectional embeddings, overrides, isolates and marks.
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' => true,
        '\u{061c}' => true,
        _ => false,
    }
}

/// How a write to stdout or stderr ended.
#[derive(Debug)]
pub enum WriteError {
    /// The reader went away (a pipe closed early): stop quietly.
    Closed,
    Failed(io::Error),
}

impl From<io::Error> for WriteError {
    fn from(error: io::Error) -> Self {
        if error.kind() == io::ErrorKind::BrokenPipe {
            WriteError::Closed
        } else {
            WriteError::Failed(error)
        }
    }
}

/// Writes `bytes` to stdout and flushes.
pub fn write_stdout(bytes: &[u8]) -> Result<(), WriteError> {
    let mut out = io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()?;
    Ok(())
}

/// Writes one line of human text to stderr, neutralized. A closed stderr is
/// ignored: there is nobody left to tell.
pub fn warn(line: &str) {
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "{}", neutralize(line));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_newlines_and_tabs_are_untouched() {
        let text = "INC-4  L1 outage\tcafé — 東京 ✓\nnext line";
        assert!(matches!(neutralize(text), Cow::Borrowed(_)));
    }

    #[test]
    fn escape_sequences_bells_and_carriage_returns_become_visible() {
        assert_eq!(
            neutralize("a\u{1b}]0;owned\u{07}b\u{1b}[2J\rc\u{8}\u{7f}\u{0}"),
            "a\\e]0;owned\\ab\\e[2J\\rc\\b\\x7f\\x00"
        );
    }

    #[test]
    fn c1_controls_and_bidirectional_overrides_become_visible() {
        assert_eq!(neutralize("x\u{9b}31m"), "x\\u{9b}31m");
        assert_eq!(
            neutralize("abc\u{202e}fed\u{202c}\u{2066}g\u{2069}\u{200f}"),
            "abc\\u{202e}fed\\u{202c}\\u{2066}g\\u{2069}\\u{200f}"
        );
    }
}
