//! How long a message is, as each channel counts it, and each channel's limit.
//!
//! Social posts count the way the big platforms do (the weighted count of
//! twitter-text): the text is NFC-normalized (so "e" + combining accent is
//! one character); every URL counts as 23; every emoji — a whole sequence,
//! flags and ZWJ families included — counts as 2; characters from Latin,
//! Greek, Cyrillic and the like count 1; others (CJK, for example) count 2.

use super::vocabulary::Channel;
use crate::error::{DeskError, Result};
use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

pub const SOCIAL_LIMIT: usize = 280;
const URL_WEIGHT: usize = 23;

/// The limit of a channel, if it has one.
pub fn channel_limit(channel: Channel) -> Option<usize> {
    match channel {
        Channel::Social => Some(SOCIAL_LIMIT),
        Channel::StatusPage => Some(5_000),
        Channel::Email | Channel::Internal | Channel::Support => None,
    }
}

/// The length of `text` as `channel` counts it.
pub fn channel_length(channel: Channel, text: &str) -> usize {
    match channel {
        Channel::Social => social_length(text),
        _ => text.nfc().count(),
    }
}

/// Refuses a message longer than its channel allows.
pub fn check_length(channel: Channel, text: &str) -> Result<()> {
    if let Some(limit) = channel_limit(channel) {
        let length = channel_length(channel, text);
        if length > limit {
            return Err(DeskError::invalid(
                "body",
                format!(
                    "the {} message is {length} characters long (as the platform counts them); at most {limit} fit",
                    channel.as_str().replace('_', " ")
                ),
            ));
        }
    }
    Ok(())
}

/// The weighted length of a social post.
pub fn social_length(text: &str) -> usize {
    let normalized: String = text.nfc().collect();
    let mut total = 0;
    for piece in split_keeping_urls(&normalized) {
        match piece {
            Piece::Url => total += URL_WEIGHT,
            Piece::Text(t) => {
                for grapheme in t.graphemes(true) {
                    total += if is_emoji(grapheme) {
                        2
                    } else {
                        grapheme.chars().map(char_weight).sum()
                    };
                }
            }
        }
    }
    total
}

enum Piece<'a> {
    Url,
    Text(&'a str),
}

/// Splits text into URLs and the text between them. A URL starts with
/// `http://`, `https://` or `www.` and runs to the next whitespace.
fn split_keeping_urls(text: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let start = ["https://", "http://", "www."]
            .iter()
            .filter_map(|prefix| find_at_word_start(rest, prefix))
            .min();
        match start {
            Some(at) => {
                if at > 0 {
                    pieces.push(Piece::Text(&rest[..at]));
                }
                let end = rest[at..]
                    .find(char::is_whitespace)
                    .map_or(rest.len(), |e| at + e);
                pieces.push(Piece::Url);
                rest = &rest[end..];
            }
            None => {
                pieces.push(Piece::Text(rest));
                break;
            }
        }
    }
    pieces
}

fn find_at_word_start(text: &str, prefix: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find(prefix) {
        let at = from + found;
        let at_start = at == 0
            || text[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_whitespace() || c == '(');
        // "www." alone is not a URL: it needs a domain after it.
        let has_more = text[at + prefix.len()..]
            .chars()
            .next()
            .is_some_and(|c| !c.is_whitespace());
        if at_start && has_more {
            return Some(at);
        }
        from = at + prefix.len();
    }
    None
}

/// twitter-text's weights: these ranges count 1, everything else 2.
fn char_weight(c: char) -> usize {
    match c as u32 {
        0..=4351 | 8192..=8205 | 8208..=8223 | 8242..=8247 => 1,
        _ => 2,
    }
}

/// Whether a grapheme cluster is an emoji (pictograph, flag or keycap).
fn is_emoji(grapheme: &str) -> bool {
    let mut chars = grapheme.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let code = first as u32;
    let pictographic = matches!(code,
        0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2300..=0x23FF | 0x2B00..=0x2BFF
        | 0x3030 | 0x303D | 0x3297 | 0x3299 | 0x00A9 | 0x00AE
        | 0x203C | 0x2049 | 0x2122 | 0x2139 | 0x2194..=0x21AA | 0x24C2 | 0x25AA..=0x25FE);
    let keycap = grapheme.contains('\u{20E3}');
    let presentation = grapheme.contains('\u{FE0F}');
    pictographic
        && (code >= 0x1F000 || presentation || grapheme.chars().count() > 1 || code >= 0x2600)
        || keycap
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_counts_characters() {
        assert_eq!(social_length("hello"), 5);
        assert_eq!(social_length(""), 0);
        assert_eq!(social_length("Grüße, Ωμέγα, Привет"), 20);
    }

    #[test]
    fn combining_characters_count_once_after_normalization() {
        assert_eq!(social_length("e\u{0301}"), 1);
        assert_eq!(social_length("café"), 4);
        assert_eq!(social_length("cafe\u{0301}"), 4);
    }

    #[test]
    fn every_url_counts_23_whatever_its_length() {
        assert_eq!(
            social_length("https://status.example.com/incidents/abc123?utm=x"),
            23
        );
        assert_eq!(social_length("see https://x.io now"), 4 + 23 + 4);
        assert_eq!(social_length("www.example.org"), 23);
        assert_eq!(social_length("http://a.b http://c.d"), 23 + 1 + 23);
        // Not URLs: a bare prefix, or one glued to a word.
        assert_eq!(social_length("www. is not a url"), 17);
    }

    #[test]
    fn emoji_count_two_even_as_sequences() {
        assert_eq!(social_length("🔥"), 2);
        assert_eq!(social_length("👍🏽"), 2); // with a skin tone
        assert_eq!(social_length("👨‍👩‍👧‍👦"), 2); // a ZWJ family
        assert_eq!(social_length("🇪🇺"), 2); // a flag
        assert_eq!(social_length("1️⃣"), 2); // a keycap
        assert_eq!(social_length("fixed ✅"), 8);
    }

    #[test]
    fn cjk_counts_two() {
        assert_eq!(social_length("東京"), 4);
        assert_eq!(social_length("a東"), 3);
    }

    #[test]
    fn over_length_social_posts_are_refused_with_the_count() {
        let ok = "x".repeat(280);
        assert!(check_length(Channel::Social, &ok).is_ok());
        let long = format!("{ok}!");
        let error = check_length(Channel::Social, &long)
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            error.as_deref(),
            Some(
                "the social message is 281 characters long (as the platform counts them); at most 280 fit"
            )
        );
        // 140 CJK characters fill a post; emails have no limit.
        assert!(check_length(Channel::Social, &"東".repeat(140)).is_ok());
        assert!(check_length(Channel::Social, &"東".repeat(141)).is_err());
        assert!(check_length(Channel::Email, &"x".repeat(10_000)).is_ok());
    }
}
