//! What the app was asked to open when launched: `--incident INC-12`,
//! `--incident=INC-12`, or a link `incident-desk://INC-12` (as the desktop
//! entry passes it). The second launch of a running app hands its arguments
//! to the first, which opens the incident they name.

/// The URL scheme the desktop entry registers.
pub const SCHEME: &str = "incident-desk";

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What a launch asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum LaunchRequest {
    /// Nothing in particular: just show the window.
    Focus,
    /// Open this incident (a reference as the user gave it, trimmed).
    Open(String),
    /// The arguments named something we cannot open; the message says why.
    Invalid(String),
}

/// Reads the program's arguments (without the program name).
pub fn parse_launch_args<I, S>(args: I) -> LaunchRequest
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let arg = arg.as_ref();
        if arg == "--incident" {
            return match args.next() {
                Some(reference) => reference_request(reference.as_ref()),
                None => LaunchRequest::Invalid(
                    "--incident needs a reference, e.g. --incident INC-12".into(),
                ),
            };
        }
        if let Some(reference) = arg.strip_prefix("--incident=") {
            return reference_request(reference);
        }
        if let Some(rest) = strip_scheme(arg) {
            // incident-desk://INC-12, incident-desk://incident/INC-12, incident-desk:INC-12
            let rest = rest.trim_start_matches('/');
            let rest = rest.strip_prefix("incident/").unwrap_or(rest);
            return reference_request(rest.trim_end_matches('/'));
        }
    }
    LaunchRequest::Focus
}

fn strip_scheme(arg: &str) -> Option<&str> {
    let (scheme, rest) = arg.split_once(':')?;
    scheme.eq_ignore_ascii_case(SCHEME).then_some(rest)
}

fn reference_request(reference: &str) -> LaunchRequest {
    let reference = reference.trim();
    let valid = reference
        .get(..4)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("INC-"))
        && reference.len() > 4
        && reference[4..].chars().all(|c| c.is_ascii_digit());
    if valid {
        LaunchRequest::Open(format!("INC-{}", &reference[4..]))
    } else {
        let shown: String = reference.chars().take(60).collect();
        LaunchRequest::Invalid(format!(
            "\"{shown}\" is not an incident reference; links look like incident-desk://INC-12"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> LaunchRequest {
        parse_launch_args(args.iter().copied())
    }

    #[test]
    fn every_form_of_asking_for_an_incident_opens_it() {
        let open = LaunchRequest::Open("INC-12".into());
        assert_eq!(parse(&["--incident", "INC-12"]), open);
        assert_eq!(parse(&["--incident=inc-12"]), open);
        assert_eq!(parse(&["incident-desk://INC-12"]), open);
        assert_eq!(parse(&["incident-desk://INC-12/"]), open);
        assert_eq!(parse(&["incident-desk://incident/INC-12"]), open);
        assert_eq!(parse(&["INCIDENT-DESK:inc-12"]), open);
        assert_eq!(parse(&["--verbose", "incident-desk://INC-12"]), open);
    }

    #[test]
    fn a_plain_launch_only_focuses() {
        assert_eq!(parse(&[]), LaunchRequest::Focus);
        assert_eq!(parse(&["--something-else"]), LaunchRequest::Focus);
        assert_eq!(parse(&["https://example.com/INC-1"]), LaunchRequest::Focus);
    }

    #[test]
    fn a_bad_reference_is_explained_not_opened() {
        for args in [
            &["--incident"][..],
            &["--incident", "12"],
            &["--incident", "INC-"],
            &["--incident", "INC-12; rm -rf"],
            &["incident-desk://<script>"],
        ] {
            assert!(matches!(parse(args), LaunchRequest::Invalid(_)), "{args:?}");
        }
    }
}
