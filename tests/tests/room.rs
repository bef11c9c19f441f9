//! Running an incident from the window, with the keyboard: the board, the
//! declare form, the incident room and the command palette — checked against
//! what `idesk show --json` says.

use e2e::Session;
use fantoccini::key::Key;
use std::time::Duration;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const WAIT: Duration = Duration::from_secs(10);

fn k(key: Key) -> String {
    char::from(key).to_string()
}

async fn palette(session: &Session, words: &str) -> TestResult {
    Ok(session.palette(words).await?)
}

async fn wait_stage(session: &Session, stage: &str, state: &str) -> TestResult {
    Ok(session.wait_stage(stage, state, WAIT).await?)
}

#[tokio::test(flavor = "current_thread")]
async fn an_incident_is_run_from_declaration_to_close_with_the_keyboard() -> TestResult {
    let session = Session::start("room-keyboard").await?;
    session.wait_for("[data-testid=board-empty]", WAIT).await?;

    // N opens the declare form with the title focused; an empty title is
    // refused next to the field and the form stays open.
    session.keys("n").await?;
    session
        .wait_for("[data-testid=declare-dialog]", WAIT)
        .await?;
    assert_eq!(session.focused_testid().await?, "declare-title");
    session.keys(&k(Key::Enter)).await?;
    let error = session
        .text("[data-testid=declare-dialog] [data-testid=field-error]")
        .await?;
    assert!(error.contains("title is empty"), "{error}");

    // Title, then Tab to the impact start (kind, level, source keep their defaults).
    session.keys("Card payments failing").await?;
    let tab = k(Key::Tab);
    session.keys(&tab.repeat(4)).await?;
    assert_eq!(session.focused_testid().await?, "declare-started");
    session.keys("-10m").await?;
    session.keys(&k(Key::Enter)).await?;

    // The room opens, ready to assign a commander.
    session
        .wait_for("[data-testid=incident-room][data-ref='INC-1']", WAIT)
        .await?;
    assert_eq!(
        session.text("[data-testid=room-title]").await?,
        "Card payments failing"
    );
    assert_eq!(session.focused_testid().await?, "assign-person");
    session.keys("Alice").await?;
    session.keys(&k(Key::Enter)).await?;
    session
        .wait_for_text("[data-testid=role-commander]", "Alice", WAIT)
        .await?;
    session.keys("Bob").await?;
    session.keys(&k(Key::Enter)).await?;
    session
        .wait_for_text("[data-testid=role-commander]", "Bob", WAIT)
        .await?;
    session
        .wait_for_text(
            "[data-testid=timeline-text]",
            "Commander handed off from Alice to Bob",
            WAIT,
        )
        .await?;

    // Esc leaves the input; C jumps to the classification.
    session.keys(&k(Key::Escape)).await?;
    session.keys("c").await?;
    assert_eq!(session.focused_testid().await?, "classify-kind");
    session.keys("d").await?; // Degradation
    session.keys(&tab).await?;
    session.keys("L2").await?;
    session.keys(&tab).await?;
    session.keys("payments, checkout").await?;
    session.keys(&k(Key::Enter)).await?;
    session
        .wait_for_text("[data-testid=timeline-text]", "Classified", WAIT)
        .await?;
    session
        .wait_for_text("[data-testid=room-kind]", "Degradation", WAIT)
        .await?;

    // I focuses the scribe input: a note now, and one back-dated by 5 minutes.
    session.keys(&k(Key::Escape)).await?;
    session.keys("i").await?;
    assert_eq!(session.focused_testid().await?, "scribe-input");
    session.keys("Paged the payments team").await?;
    session.keys(&k(Key::Enter)).await?;
    session
        .wait_for_text(
            "[data-testid=timeline-text]",
            "Paged the payments team",
            WAIT,
        )
        .await?;
    session
        .keys("-5m Card processor started returning 500s")
        .await?;
    session.keys(&k(Key::Enter)).await?;
    session
        .wait_for_text(
            "[data-testid=timeline-text]",
            "Card processor started returning 500s",
            WAIT,
        )
        .await?;
    let timeline = session.all_text("[data-testid=timeline-text]").await?;
    let back_dated = timeline
        .find("Card processor started")
        .unwrap_or(usize::MAX);
    let paged = timeline.find("Paged the payments team").unwrap_or(0);
    assert!(
        back_dated < paged,
        "the back-dated note must come first:\n{timeline}"
    );

    // Stages out of the usual order, through the command palette.
    session.keys(&k(Key::Escape)).await?;
    palette(&session, "start remediate").await?;
    wait_stage(&session, "remediate", "active").await?;
    palette(&session, "complete remediate").await?;
    wait_stage(&session, "remediate", "done").await?;
    palette(&session, "complete diagnose").await?;
    wait_stage(&session, "diagnose", "done").await?;
    palette(&session, "skip communicate").await?;
    session.wait_for("[data-testid=stage-reason]", WAIT).await?;
    assert_eq!(session.focused_testid().await?, "stage-reason");
    session.keys("Internal-only impact").await?;
    session.keys(&k(Key::Enter)).await?;
    wait_stage(&session, "communicate", "skipped").await?;
    session
        .wait_for_text(
            "[data-testid=stage-communicate]",
            "Internal-only impact",
            WAIT,
        )
        .await?;

    palette(&session, "status resolved").await?;
    session
        .wait_for_text("[data-testid=room-status]", "Resolved", WAIT)
        .await?;

    // Closing with open stages is refused and says which.
    palette(&session, "close the incident").await?;
    let refusal = session.text("[data-testid=room-notice]").await?;
    // (Classify completed itself when the classification was saved.)
    assert!(
        refusal.contains("repair, review are still open"),
        "{refusal}"
    );
    wait_stage(&session, "classify", "done").await?;
    palette(&session, "defer repair").await?;
    session.wait_for("[data-testid=stage-reason]", WAIT).await?;
    session
        .keys("Add a retry budget to the card client")
        .await?;
    session.keys(&k(Key::Enter)).await?;
    wait_stage(&session, "repair", "deferred").await?;
    palette(&session, "complete review").await?;
    wait_stage(&session, "review", "done").await?;
    session.screenshot("room-before-close").await?;
    palette(&session, "close the incident").await?;
    session
        .wait_for_text("[data-testid=timeline-text]", "Closed the incident", WAIT)
        .await?;

    // The board no longer lists it; the closed view does.
    session.keys(&k(Key::Escape)).await?;
    session.wait_for("[data-testid=board-empty]", WAIT).await?;
    palette(&session, "show closed").await?;
    session
        .wait_for_text("[data-testid=incident-row]", "Card payments failing", WAIT)
        .await?;
    let closed = session.all_text("[data-testid=incident-row]").await?;
    assert!(closed.contains("INC-1"), "{closed}");
    session.screenshot("closed-view").await?;

    // A note after closing is kept, and marked as such where it is read.
    session.idesk_ok(&["note", "INC-1", "Vendor confirmed the root cause"])?;
    session.click("[data-testid=incident-row]").await?;
    session
        .wait_for("[data-testid=scribe-closed]", WAIT)
        .await?;
    session
        .wait_for_text(
            "[data-testid=timeline]",
            "Vendor confirmed the root cause",
            WAIT,
        )
        .await?;
    let marked = session
        .script(
            "return [...document.querySelectorAll('[data-testid=timeline-entry]')] \
               .filter(e => e.querySelector('[data-testid=after-closing]')).length;",
        )
        .await?;
    assert_eq!(
        marked,
        serde_json::json!(1),
        "only the note after closing is marked"
    );
    session.keys(&k(Key::Escape)).await?;

    // And idesk agrees with what the window showed.
    let output = session.idesk(&["show", "INC-1", "--json"])?;
    assert!(output.status.success(), "{output:?}");
    let show: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    assert_eq!(show["title"], "Card payments failing");
    assert_eq!(show["kind"], "degradation");
    assert_eq!(show["level"], "L2");
    assert_eq!(show["status"], "resolved");
    // Declared by hand: the default source is an internal report.
    assert_eq!(show["source"], "internal");
    assert_eq!(
        show["scope"]["services"],
        serde_json::json!(["payments", "checkout"])
    );
    assert!(show["closed_at"].is_string());
    let roles: Vec<(String, bool)> = show["roles"]
        .as_array()
        .ok_or("roles")?
        .iter()
        .map(|r| {
            (
                r["person"].as_str().unwrap_or("").to_owned(),
                r["relieved_at"].is_null(),
            )
        })
        .collect();
    assert_eq!(
        roles,
        [("Alice".to_owned(), false), ("Bob".to_owned(), true)]
    );
    for (stage, state) in [
        ("identify", "done"),
        ("classify", "done"),
        ("communicate", "skipped"),
        ("remediate", "done"),
        ("diagnose", "done"),
        ("repair", "deferred"),
        ("review", "done"),
    ] {
        assert_eq!(show["stages"][stage]["state"], state, "{stage}");
    }
    assert_eq!(
        show["stages"]["communicate"]["reason"],
        "Internal-only impact"
    );
    assert_eq!(
        show["action_items"][0]["title"],
        "Add a retry budget to the card client"
    );
    // Impact started ten minutes before the declaration.
    let started = show["started_at"].as_str().unwrap_or_default().to_owned();
    let declared = show["declared_at"].as_str().unwrap_or_default().to_owned();
    assert!(started < declared, "{started} should be before {declared}");
    let detect = show["metrics"]["time_to_detect"].as_i64().unwrap_or(-1);
    assert!((595..=605).contains(&detect), "time_to_detect {detect}");
    let notes: Vec<&str> = show["timeline"]
        .as_array()
        .ok_or("timeline")?
        .iter()
        .filter(|e| e["kind"] == "note")
        .filter_map(|e| e["text"].as_str())
        .collect();
    assert_eq!(
        notes,
        [
            "Card processor started returning 500s",
            "Paged the payments team",
            "Vendor confirmed the root cause"
        ]
    );

    session.close().await?;
    Ok(())
}

#[tokio::test(flavor = "current_thread")]
async fn text_typed_by_users_is_shown_as_text_never_as_markup() -> TestResult {
    let session = Session::start("markup-title").await?;
    session.wait_for("[data-testid=board-empty]", WAIT).await?;
    let title = "<img src=x onerror=alert(1)> <b>bold</b> & \"quotes\"";
    let declared = session.idesk(&[
        "declare", "--title", title, "--kind", "security", "--level", "L1",
    ])?;
    assert!(declared.status.success(), "{declared:?}");
    let note = session.idesk(&["note", "INC-1", "<script>document.title='pwned'</script>"])?;
    assert!(note.status.success());

    let row = session.wait_for("[data-testid=incident-row]", WAIT).await?;
    assert_eq!(
        session.text_content("[data-testid=incident-title]").await?,
        title
    );
    let injected = session
        .client
        .execute(
            "return document.querySelectorAll('img, b, script:not([src])').length;",
            vec![],
        )
        .await?;
    assert_eq!(
        injected,
        serde_json::json!(0),
        "user text must not become elements"
    );
    row.click().await?;
    session
        .wait_for("[data-testid=incident-room]", WAIT)
        .await?;
    assert_eq!(
        session.text_content("[data-testid=room-title]").await?,
        title
    );
    session
        .wait_for_text(
            "[data-testid=timeline-text]",
            "<script>document.title='pwned'</script>",
            WAIT,
        )
        .await?;
    assert_eq!(session.title().await?, "Incident Desk");
    session.screenshot("markup-title").await?;
    session.close().await?;
    Ok(())
}
