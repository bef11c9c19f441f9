//! What every integration shares: an HTTP agent with a timeout that returns
//! statuses instead of erroring on them, and the reading of an answer into
//! confirmed / retry / refused.

use crate::Failure;
use std::time::Duration;

/// A blocking agent: the whole request within `timeout`; 4xx and 5xx come
/// back as responses, to be read.
pub fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .build()
        .into()
}

/// A service's answer, read whole: status, the Retry-After it asked for,
/// and the body.
pub struct Answer {
    pub status: u16,
    pub retry_after_ms: Option<u64>,
    pub body: String,
}

/// Answers above this are not read further (no service here sends more).
const LONGEST_ANSWER: u64 = 4 * 1024 * 1024;

/// Reads `response` into an [`Answer`]; an unreadable body is empty.
pub fn read(mut response: ureq::http::Response<ureq::Body>) -> Answer {
    let status = response.status().as_u16();
    // Retry-After in seconds (an HTTP date is rare and read as absent).
    let retry_after_ms = response
        .headers()
        .get("Retry-After")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(|s| s.saturating_mul(1000));
    let body = response
        .body_mut()
        .with_config()
        .limit(LONGEST_ANSWER)
        .read_to_string()
        .unwrap_or_default();
    Answer {
        status,
        retry_after_ms,
        body,
    }
}

/// A transport error (no connection, no answer in time) is worth a retry.
pub fn transport(service: &str, error: ureq::Error) -> Failure {
    let error = match error {
        ureq::Error::Timeout(_) => format!("{service} did not answer in time"),
        ureq::Error::Io(io) => format!("{service} could not be reached: {io}"),
        other => format!("{service} could not be reached: {other}"),
    };
    Failure::Retry {
        error,
        retry_after_ms: None,
    }
}

/// Whether a refusal with this status is for good: authentication,
/// permission, or a request the service says is wrong. Everything else
/// (408, 409, 429, 5xx) may pass on a later try.
pub fn refused_for_good(status: u16) -> bool {
    matches!(status, 400 | 401 | 403 | 404 | 405 | 410 | 413 | 422)
}

/// A path segment with everything but the unreserved characters escaped
/// (room ids hold `!` and `:`, aliases `#`).
pub fn path_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_escape_what_a_room_id_holds() {
        assert_eq!(path_segment("!abc:example.org"), "%21abc%3Aexample.org");
        assert_eq!(path_segment("idesk-01a2~x"), "idesk-01a2~x");
        assert_eq!(path_segment("a/b c"), "a%2Fb%20c");
    }

    #[test]
    fn only_refusals_a_retry_cannot_fix_stop_the_retries() {
        for status in [400, 401, 403, 404] {
            assert!(refused_for_good(status), "{status}");
        }
        for status in [408, 429, 500, 502, 503] {
            assert!(!refused_for_good(status), "{status}");
        }
    }
}
