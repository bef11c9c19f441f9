//! The catch-up brief: what someone joining needs, read from the record.

use incident_core::desk::{Classification, Declaration};
use incident_core::domain::{IncidentKind, Role, Source};
use incident_core::{Desk, ManualClock, Timestamp};
use std::sync::Arc;

type TestResult = Result<(), Box<dyn std::error::Error>>;

#[test]
fn the_brief_says_status_scope_what_was_tried_roles_users_and_deadlines() -> TestResult {
    let dir = tempfile::tempdir()?;
    let clock = ManualClock::new(Timestamp::parse("2026-12-01T14:00:00Z")?);
    let desk = Desk::open_with_clock(dir.path().join("desk.db"), Arc::new(clock.clone()))?
        .with_author("Ada")?;
    let mut declaration = Declaration::new("Checkout *errors*", IncidentKind::Outage, "L1");
    declaration.source = Some(Source::UserReport);
    let record = desk.declare(declaration)?;
    let reference = record.reference.as_str();
    clock.advance_millis(60_000);
    desk.classify(
        reference,
        Classification {
            services: Some(vec!["checkout".into()]),
            segment: Some("EU customers on plan X".into()),
            ..Classification::default()
        },
        None,
    )?;
    desk.assign(reference, Role::Commander, "Ada", None)?;
    desk.assign(reference, Role::Scribe, "Bo", None)?;
    for n in 1..=7 {
        desk.add_note(reference, &format!("tried thing {n}"), None, None)?;
    }
    desk.add_note(reference, "rolled back <b>4.2</b>", None, None)?;
    clock.advance_millis(10 * 60_000);

    let brief = desk.brief(reference)?;
    let text = &brief.text;
    assert!(
        text.starts_with("INC-1 Checkout *errors* (times UTC)\n"),
        "{text}"
    );
    assert!(
        text.contains("Now: L1 outage incident, investigating, impact since 14:00 (11 min)"),
        "{text}"
    );
    assert!(
        text.contains("Known: services checkout; affects EU customers on plan X"),
        "{text}"
    );
    assert!(
        text.contains("classify done") || text.contains("classify active"),
        "{text}"
    );
    // The newest five notes, oldest first.
    assert!(
        text.contains("tried thing 4") && !text.contains("tried thing 3"),
        "{text}"
    );
    assert!(
        text.contains("14:01 rolled back <b>4.2</b> (Ada)"),
        "{text}"
    );
    assert!(text.contains("Roles: commander Ada; scribe Bo"), "{text}");
    assert!(
        text.contains("Users: not told anything yet; next update due"),
        "{text}"
    );
    assert!(text.contains("Next deadlines: "), "{text}");
    // Read aloud: a few lines, not the timeline.
    assert!(text.lines().count() <= 10, "{text}");
    // In Markdown, what people typed is data.
    assert!(
        brief.markdown.contains("Checkout \\*errors\\*"),
        "{}",
        brief.markdown
    );
    assert!(
        brief.markdown.contains("&lt;b&gt;4.2&lt;/b&gt;"),
        "{}",
        brief.markdown
    );
    Ok(())
}
