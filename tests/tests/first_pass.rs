//! A first-time commander's pass through the real window: every keystroke
//! kept, letters that are never eaten by shortcuts, stages that follow the
//! record, views that tell the truth, errors in view, and commands and forms
//! that do what they say.

use e2e::Session;
use fantoccini::key::Key;
use std::time::{Duration, Instant};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const WAIT: Duration = Duration::from_secs(10);

fn k(key: Key) -> String {
    char::from(key).to_string()
}

/// A session with one incident declared (by `idesk`) and its room open.
async fn room_with(name: &str, level: &str) -> Result<Session, Box<dyn std::error::Error>> {
    let session = Session::start(name).await?;
    session.wait_for("[data-testid=board-empty]", WAIT).await?;
    session.idesk_ok(&[
        "declare",
        "--title",
        "Payments failing",
        "--kind",
        "outage",
        "--level",
        level,
        "--started-at",
        &impact_start(),
    ])?;
    session
        .wait_for("[data-testid=incident-row]", WAIT)
        .await?
        .click()
        .await?;
    session
        .wait_for("[data-testid=incident-room][data-ref='INC-1']", WAIT)
        .await?;
    Ok(session)
}

/// Ten minutes ago, RFC 3339.
fn impact_start() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let t = now.saturating_sub(600);
    // Days since the epoch to a civil date (Howard Hinnant's algorithm).
    let (days, secs) = ((t / 86_400) as i64, t % 86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        (secs % 3600) / 60,
        secs % 60
    )
}

fn show(session: &Session) -> Result<serde_json::Value, Box<dyn std::error::Error>> {
    Ok(serde_json::from_str(
        &session.idesk_ok(&["show", "INC-1", "--json"])?,
    )?)
}

fn texts(detail: &serde_json::Value, kind: &str) -> Vec<String> {
    detail["timeline"]
        .as_array()
        .map(|entries| {
            entries
                .iter()
                .filter(|e| e["kind"] == kind)
                .filter_map(|e| e["text"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "current_thread")]
async fn every_keystroke_is_kept_and_shortcuts_never_eat_typing() -> TestResult {
    let session = room_with("keystrokes", "L1").await?;

    // Twenty notes typed in one stream, each ending in Enter, no pause.
    session.keys("i").await?;
    assert_eq!(session.focused_testid().await?, "scribe-input");
    let typed: Vec<String> = (1..=20).map(|n| format!("fast note {n:02}")).collect();
    let stream: String = typed
        .iter()
        .map(|t| format!("{t}{}", k(Key::Enter)))
        .collect();
    session.keys(&stream).await?;
    let deadline = Instant::now() + WAIT;
    let notes = loop {
        let notes = texts(&show(&session)?, "note");
        if notes.len() >= typed.len() || Instant::now() > deadline {
            break notes;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(notes, typed, "every note whole, in the order typed");
    // The latest entries sit right under the input, in view.
    session
        .wait_for_text("[data-testid=scribe-latest]", "fast note 20", WAIT)
        .await?;
    assert!(session.in_view("[data-testid=scribe-latest-entry]").await?);

    // A word typed while a button has the focus switches no tab.
    session.keys(&k(Key::Escape)).await?;
    session.click("[data-testid=timeline-filter-all]").await?;
    session.keys("very good").await?;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        session
            .attr("[data-testid=tab-response]", "aria-selected")
            .await?
            .as_deref(),
        Some("true"),
        "typed words switched the tab"
    );
    // A letter on its own is still a shortcut.
    session.keys("v").await?;
    session
        .wait_for("[data-testid=tab-review][aria-selected=true]", WAIT)
        .await?;
    session.click("[data-testid=tab-response]").await?;

    // Typing that left its field for a button beside it goes back into it.
    session.click("[data-testid=assign-person]").await?;
    session.keys("Pri").await?;
    session.keys(&k(Key::Tab)).await?; // to the Assign button
    session.keys("ya Raman").await?;
    let value = session
        .script(
            "return document.querySelector('[data-testid=assign-person]').value === 'Priya Raman';",
        )
        .await?;
    assert_eq!(value, serde_json::json!(true), "the name lost letters");
    assert_eq!(
        session
            .attr("[data-testid=tab-response]", "aria-selected")
            .await?
            .as_deref(),
        Some("true")
    );
    session.keys(&k(Key::Enter)).await?;
    session
        .wait_for_text("[data-testid=role-commander]", "Priya Raman", WAIT)
        .await?;

    // Esc on a focused button lets go of it; only a second Esc leaves.
    session.click("[data-testid=timeline-filter-notes]").await?;
    session.keys(&k(Key::Escape)).await?;
    session.settle().await?;
    assert!(
        session.in_view("[data-testid=incident-room]").await?,
        "one Esc left the room"
    );
    session.keys(&k(Key::Escape)).await?;
    session.wait_for("[data-testid=board]", WAIT).await?;
    session.close().await?;
    Ok(())
}

#[tokio::test(flavor = "current_thread")]
async fn stages_follow_the_record_and_views_tell_the_truth() -> TestResult {
    let session = room_with("stages-follow", "L2").await?;

    // Saving the classification completes Classify.
    session.keys("c").await?;
    session.keys(&k(Key::Tab).repeat(2)).await?;
    session.keys("checkout").await?;
    session.keys(&k(Key::Enter)).await?;
    session.wait_stage("classify", "done", WAIT).await?;

    // The first message to users starts Communicate.
    session.idesk_ok(&[
        "comms",
        "send",
        "INC-1",
        "--channel",
        "status_page",
        "--body",
        "We are investigating",
    ])?;
    session.wait_stage("communicate", "active", WAIT).await?;

    // A stage button keeps the focus on its stage.
    session
        .click("[data-testid=stage-diagnose] [data-testid=stage-start]")
        .await?;
    session.wait_stage("diagnose", "active", WAIT).await?;
    session.settle().await?;
    let focus_on_stage = session
        .script(
            "return document.querySelector('[data-testid=stage-diagnose]').contains(document.activeElement);",
        )
        .await?;
    assert_eq!(
        focus_on_stage,
        serde_json::json!(true),
        "the focus was lost"
    );

    // Resolved: the header shows how long the impact lasted, stopped; the
    // fix is in, so Remediate is done.
    session.palette("status resolved").await?;
    session
        .wait_for_text("[data-testid=room-elapsed]", "Resolved after", WAIT)
        .await?;
    session.wait_stage("remediate", "done", WAIT).await?;
    let first = session.text("[data-testid=room-elapsed]").await?;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(
        session.text("[data-testid=room-elapsed]").await?,
        first,
        "the clock kept running"
    );
    assert!(first.contains("10m"), "{first}");

    // Resolved is not closed: the Closed view does not list it.
    session.keys(&k(Key::Escape)).await?;
    session.keys(&k(Key::Escape)).await?;
    session.wait_for("[data-testid=incident-row]", WAIT).await?;
    session.palette("show closed").await?;
    session
        .wait_for_text("[data-testid=board-none]", "No closed incidents", WAIT)
        .await?;
    session.screenshot("closed-view-empty").await?;
    session.close().await?;
    Ok(())
}

#[tokio::test(flavor = "current_thread")]
async fn errors_show_where_the_user_looks_and_an_l1_close_asks_first() -> TestResult {
    let session = room_with("errors-in-view", "L1").await?;

    // The palette ranks what the user means in the room first.
    session.chord(Key::Control, 'k').await?;
    session
        .wait_for("[data-testid=palette-input]", WAIT)
        .await?;
    for (words, first) in [
        ("close", "close"),
        ("action", "action-item"),
        ("pdf", "export-pdf"),
    ] {
        let js = "const i = document.querySelector('[data-testid=palette-input]'); \
                  i.value = ''; i.dispatchEvent(new Event('input', {bubbles: true})); return true;";
        session.script(js).await?;
        session.keys(words).await?;
        session.settle().await?;
        let got = session
            .attr("[data-testid=palette-action]", "data-action")
            .await?
            .unwrap_or_default();
        assert_eq!(got, first, "\"{words}\" ranked {got} first");
    }
    session.keys(&k(Key::Escape)).await?;

    // Closing an L1 asks first; the refusal then shows in view, naming the fix.
    session.palette("close").await?;
    session
        .wait_for("[data-testid=close-confirm]", WAIT)
        .await?;
    assert_eq!(session.focused_testid().await?, "close-confirm-yes");
    session.keys(&k(Key::Enter)).await?;
    session.wait_for("[data-testid=room-notice]", WAIT).await?;
    let notice = session.text("[data-testid=room-notice]").await?;
    assert!(notice.contains("still open"), "{notice}");
    assert!(notice.contains("done, skipped or deferred"), "{notice}");
    assert!(
        session.in_view("[data-testid=room-notice]").await?,
        "the refusal is out of sight"
    );
    session.screenshot("close-refused").await?;

    // Skipping without a reason: the reason field says so, in view.
    session.palette("skip stage diagnose").await?;
    session.wait_for("[data-testid=stage-reason]", WAIT).await?;
    session.keys(&k(Key::Enter)).await?;
    session
        .wait_for_text("[data-testid=stage-diagnose]", "needs a reason", WAIT)
        .await?;
    assert!(
        session
            .in_view("[data-testid=stage-diagnose] [data-testid=field-error]")
            .await?
    );
    session.close().await?;
    Ok(())
}

#[tokio::test(flavor = "current_thread")]
async fn forms_and_the_header_say_and_do_what_they_mean() -> TestResult {
    let session = Session::start("forms").await?;
    session.wait_for("[data-testid=board-empty]", WAIT).await?;

    // By hand, the source is what a person declaring means; the title counts.
    session.keys("n").await?;
    session
        .wait_for("[data-testid=declare-dialog]", WAIT)
        .await?;
    let source = session
        .script("return document.querySelector('[data-testid=declare-source]').value;")
        .await?;
    assert_eq!(source, serde_json::json!("internal"));
    session.keys("Login slow").await?;
    assert_eq!(
        session.text("[data-testid=declare-title-count]").await?,
        "10/200"
    );
    let inside = session
        .script(
            "const d = document.querySelector('[data-testid=declare-dialog]').getBoundingClientRect(); \
             const t = document.querySelector('[data-testid=declare-title]').getBoundingClientRect(); \
             return t.right <= d.right && t.left >= d.left;",
        )
        .await?;
    assert_eq!(
        inside,
        serde_json::json!(true),
        "the title field sticks out of the dialog"
    );
    session.script(
        "const s = document.querySelector('[data-testid=declare-source]'); s.value = 'user_report'; \
         s.dispatchEvent(new Event('change', {bubbles: true})); return true;",
    )
    .await?;
    session.keys(&k(Key::Enter)).await?;
    session
        .wait_for("[data-testid=incident-room]", WAIT)
        .await?;
    // Focus lands on the commander, with the header still in view.
    assert_eq!(session.focused_testid().await?, "assign-person");
    assert!(session.in_view("[data-testid=room-title]").await?);
    session.keys("Ada Lovelace").await?;
    session.keys(&k(Key::Enter)).await?;
    session
        .wait_for_text("[data-testid=room-commander]", "Ada Lovelace", WAIT)
        .await?;

    // The next declaration remembers the source.
    session.keys(&k(Key::Escape)).await?;
    session.keys("n").await?;
    session
        .wait_for("[data-testid=declare-dialog]", WAIT)
        .await?;
    let source = session
        .script("return document.querySelector('[data-testid=declare-source]').value;")
        .await?;
    assert_eq!(source, serde_json::json!("user_report"));
    session.keys(&k(Key::Escape)).await?;

    // Title and summary are edited in the window.
    session.keys("e").await?;
    session.wait_for("[data-testid=edit-title]", WAIT).await?;
    session.script(
        "const t = document.querySelector('[data-testid=edit-title]'); t.select(); return true;",
    )
    .await?;
    session.keys("Login slow for EU users").await?;
    session.click("[data-testid=edit-summary]").await?;
    session.keys("Logins take 20 s in eu-west-1").await?;
    session.click("[data-testid=edit-save]").await?;
    session
        .wait_for_text("[data-testid=room-title]", "Login slow for EU users", WAIT)
        .await?;
    session
        .wait_for_text("[data-testid=room-summary]", "Logins take 20 s", WAIT)
        .await?;
    let detail = show(&session)?;
    assert_eq!(detail["title"], "Login slow for EU users");
    assert_eq!(detail["summary"], "Logins take 20 s in eu-west-1");

    // Counts read right; the timeline separates people's notes.
    session.keys("i").await?;
    session
        .keys(&format!("Checked the login dashboards{}", k(Key::Enter)))
        .await?;
    session
        .wait_for_text(
            "[data-testid=timeline]",
            "Checked the login dashboards",
            WAIT,
        )
        .await?;
    session.click("[data-testid=timeline-filter-notes]").await?;
    session
        .wait_for_text("[data-testid=timeline-count]", "1 entry of", WAIT)
        .await?;
    let kinds = session
        .script(
            "return [...document.querySelectorAll('[data-testid=timeline-entry]')].every(e => e.dataset.kind === 'note');",
        )
        .await?;
    assert_eq!(kinds, serde_json::json!(true));
    session.screenshot("forms").await?;
    session.close().await?;
    Ok(())
}

/// Answers one HTTP request with 200 on 127.0.0.1; returns its address.
fn one_webhook() -> Result<String, Box<dyn std::error::Error>> {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}/hooks/T1/B1/secret", listener.local_addr()?);
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let mut buffer = [0u8; 8192];
            let _ = stream.read(&mut buffer);
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        }
    });
    Ok(url)
}

#[tokio::test(flavor = "current_thread")]
async fn settings_and_the_board_read_right() -> TestResult {
    let session = Session::start("read-right").await?;
    session.wait_for("[data-testid=board-empty]", WAIT).await?;
    session.idesk_ok(&[
        "declare",
        "--title",
        "Search slow",
        "--kind",
        "degradation",
        "--level",
        "L2",
    ])?;
    session.idesk_ok(&[
        "declare", "--title", "Old one", "--kind", "outage", "--level", "L2",
    ])?;
    for stage in [
        "classify",
        "communicate",
        "remediate",
        "diagnose",
        "repair",
        "review",
    ] {
        session.idesk_ok(&["stage", "INC-2", stage, "skipped", "--reason", "test"])?;
    }
    session.idesk_ok(&["close", "INC-2"])?;

    // J selects a row with an outline that is seen at a glance.
    session.wait_for("[data-testid=incident-row]", WAIT).await?;
    session.keys("j").await?;
    let outline = session
        .script("return parseFloat(getComputedStyle(document.activeElement).outlineWidth);")
        .await?;
    assert!(outline.as_f64().unwrap_or(0.0) >= 3.0, "outline {outline}");

    // The closed view lists the closed incident with a date read the same everywhere.
    session.palette("show closed").await?;
    session
        .wait_for_text("[data-testid=incident-row]", "Old one", WAIT)
        .await?;
    let elapsed = session.text("[data-testid=incident-elapsed]").await?;
    let date = elapsed.trim_start_matches("closed ").trim();
    assert!(
        date.len() == 10 && date.as_bytes()[4] == b'-' && date.as_bytes()[7] == b'-',
        "{elapsed}"
    );
    assert!(
        !session
            .all_text("[data-testid=incident-row]")
            .await?
            .contains("Search slow")
    );

    // Settings: the tools' set-up is in the window; a webhook can be tried.
    let url = one_webhook()?;
    session.idesk_ok(&["comms", "webhook", "internal", &url, "--format", "slack"])?;
    session.click("[data-testid=nav-settings]").await?;
    session
        .wait_for_text("[data-testid=intake-guide]", "Alertmanager", WAIT)
        .await?;
    // A saved policy says so in words.
    session
        .script(
            "const i = document.querySelector('[data-testid=policy-L1-first_update]'); \
             i.focus(); i.select(); return true;",
        )
        .await?;
    session.keys(&format!("10m{}", k(Key::Enter))).await?;
    session
        .wait_for_text(
            "[data-testid=policy-saved]",
            "Saved: L1 first user update within 10m",
            WAIT,
        )
        .await?;
    session.click("[data-testid=webhook-test-internal]").await?;
    session
        .wait_for_text(
            "[data-testid=webhook-message-internal]",
            "The test message reached",
            WAIT,
        )
        .await?;
    let message = session
        .text("[data-testid=webhook-message-internal]")
        .await?;
    assert!(
        !message.contains("secret"),
        "the address must be masked: {message}"
    );
    // Templates by their names, not their ids.
    let names = session.all_text("[data-testid=template-list]").await?;
    assert!(names.contains("Status page — Monitoring"), "{names}");
    assert!(!names.contains("status_page/"), "{names}");
    session.screenshot("settings").await?;
    session.close().await?;
    Ok(())
}
