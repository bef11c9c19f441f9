//! Deadlines nudge through a real notification daemon (dunst on the test's
//! private bus), once — also across a restart — and a snoozed nudge comes
//! back only after its snooze. Deadlines are seconds long, set with
//! `idesk policy set`: the same path a user takes.

use e2e::{Received, Session, SessionOptions};
use incident_core::Clock;
use std::time::{Duration, Instant};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const WAIT: Duration = Duration::from_secs(10);

fn classify_nudges(session: &Session) -> Vec<Received> {
    session
        .notifications
        .as_ref()
        .map(|daemon| daemon.received())
        .unwrap_or_default()
        .into_iter()
        .filter(|n| n.summary.starts_with("INC-1 L1: classification"))
        .collect()
}

async fn wait_for_count(
    session: &Session,
    count: usize,
    limit: Duration,
) -> Result<Vec<Received>, Box<dyn std::error::Error>> {
    let deadline = Instant::now() + limit;
    loop {
        let received = classify_nudges(session);
        if received.len() >= count {
            return Ok(received);
        }
        if Instant::now() > deadline {
            return Err(format!("expected {count} classification nudges, got {received:?}").into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn epoch_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

#[tokio::test(flavor = "current_thread")]
async fn an_overdue_stage_nudges_once_across_a_restart_and_after_its_snooze() -> TestResult {
    let options = SessionOptions {
        notifications: true,
        ..SessionOptions::default()
    };
    let mut session = Session::start_with("nudges", options).await?;
    session.wait_for("[data-testid=board-empty]", WAIT).await?;

    // Seconds-long deadlines, set as a user would; the open app follows.
    session.idesk_ok(&["policy", "set", "L1", "classify", "3s"])?;
    session.idesk_ok(&["policy", "set", "L1", "stalled", "off"])?;
    session.idesk_ok(&[
        "declare",
        "--title",
        "Orders are not shipping",
        "--kind",
        "outage",
        "--level",
        "L1",
    ])?;
    let due_ms = epoch_ms() + 3000;
    session.wait_for("[data-testid=incident-row]", WAIT).await?;

    let first = wait_for_count(&session, 1, WAIT).await?;
    let nudge = &first[0];
    assert_eq!(nudge.summary, "INC-1 L1: classification is now overdue");
    assert_eq!(nudge.urgency, "CRITICAL");
    assert_eq!(nudge.appname, "Incident Desk");
    assert!(
        nudge.body.contains("Orders are not shipping"),
        "{}",
        nudge.body
    );
    assert!(
        nudge.at_ms + 50 >= due_ms,
        "a nudge must not come before it is due ({} < {due_ms})",
        nudge.at_ms
    );
    eprintln!(
        "notification {} ms after the deadline",
        nudge.at_ms.saturating_sub(due_ms)
    );

    // The window shows it too: a nudge card and an overdue deadline on the board.
    let summary = session.text_content("[data-testid=nudge-summary]").await?;
    assert_eq!(summary, "INC-1 L1: classification is now overdue");
    session
        .wait_for(
            "[data-testid=deadline-chip][data-key=classify][data-tone=overdue]",
            WAIT,
        )
        .await?;
    session.screenshot("nudge-board").await?;

    // The notification's first action, "Open", brings up the incident.
    let action = session.dunstctl(&["action", "0"])?;
    assert!(action.status.success(), "{action:?}");
    session
        .wait_for("[data-testid=incident-room][data-ref='INC-1']", WAIT)
        .await?;
    session
        .wait_for(
            "[data-testid=deadline][data-key=classify][data-tone=overdue]",
            WAIT,
        )
        .await?;
    session.screenshot("nudge-room").await?;

    // Not repeated while the app runs, nor after a restart.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(classify_nudges(&session).len(), 1);
    session.restart_app().await?;
    session.wait_for("[data-testid=incident-row]", WAIT).await?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        classify_nudges(&session).len(),
        1,
        "a restart must not repeat a shown nudge"
    );

    // Snoozed: quiet during the snooze, back once it ends.
    session.idesk_ok(&["snooze", "INC-1", "classify", "4s"])?;
    let snoozed_at = epoch_ms();
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        classify_nudges(&session).len(),
        1,
        "nothing during the snooze"
    );
    let again = match wait_for_count(&session, 2, WAIT).await {
        Ok(again) => again,
        Err(error) => {
            let logs: String = std::fs::read_dir(&session.log_dir)?
                .flatten()
                .filter_map(|entry| std::fs::read_to_string(entry.path()).ok())
                .collect();
            let deadlines = session.idesk(&["deadlines", "INC-1"])?;
            return Err(format!(
                "{error}\napp log:\n{logs}\n{}",
                String::from_utf8_lossy(&deadlines.stdout)
            )
            .into());
        }
    };
    assert!(
        again[1].at_ms >= snoozed_at + 4000 - 50,
        "came back {} ms after snoozing",
        again[1].at_ms - snoozed_at
    );

    // Completing the stage ends it for good.
    session.idesk_ok(&["stage", "INC-1", "classify", "done"])?;
    session
        .wait_for(
            "[data-testid=incident-row] [data-testid=incident-deadline]",
            WAIT,
        )
        .await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(classify_nudges(&session).len(), 2);
    // And the card that said it was overdue goes: it is no longer true.
    let deadline = Instant::now() + WAIT;
    while session
        .script("return document.querySelector('[data-testid=nudge]') !== null;")
        .await?
        == serde_json::json!(true)
    {
        if Instant::now() > deadline {
            return Err("the nudge card still says classification is overdue".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Every nudge is on the record.
    let show = session.idesk(&["show", "INC-1", "--json"])?;
    let detail: serde_json::Value = serde_json::from_slice(&show.stdout)?;
    let nudge_entries: Vec<&str> = detail["timeline"]
        .as_array()
        .ok_or("timeline")?
        .iter()
        .filter(|e| e["kind"] == "nudge")
        .filter_map(|e| e["text"].as_str())
        .collect();
    assert!(
        nudge_entries
            .iter()
            .any(|t| t.starts_with("Nudge: INC-1 L1: classification")),
        "{nudge_entries:?}"
    );
    assert!(
        nudge_entries
            .iter()
            .any(|t| t.starts_with("Snoozed the classification nudge")),
        "{nudge_entries:?}"
    );
    session.close().await?;
    Ok(())
}

#[tokio::test(flavor = "current_thread")]
async fn without_a_notification_server_the_window_still_nudges() -> TestResult {
    let session = Session::start("nudges-no-server").await?;
    session.wait_for("[data-testid=board-empty]", WAIT).await?;
    session.idesk_ok(&["policy", "set", "L2", "classify", "2s"])?;
    session.idesk_ok(&[
        "declare",
        "--title",
        "Slow search",
        "--kind",
        "degradation",
        "--level",
        "L2",
    ])?;
    session
        .wait_for_text(
            "[data-testid=nudge-summary]",
            "INC-1 L2: classification is now overdue",
            WAIT,
        )
        .await?;
    // The app keeps working and says why there is no desktop notification, once.
    tokio::time::sleep(Duration::from_secs(2)).await;
    session.keys("n").await?;
    session
        .wait_for("[data-testid=declare-dialog]", WAIT)
        .await?;
    let logs: String = std::fs::read_dir(&session.log_dir)?
        .flatten()
        .filter_map(|entry| std::fs::read_to_string(entry.path()).ok())
        .collect();
    assert_eq!(
        logs.matches("no notification server answered").count(),
        1,
        "{logs}"
    );
    session.close().await?;
    Ok(())
}

#[tokio::test(flavor = "current_thread")]
async fn a_burst_of_overdue_deadlines_is_three_notifications_and_one_summary_once() -> TestResult {
    let options = SessionOptions {
        notifications: true,
        ..SessionOptions::default()
    };
    let mut session = Session::start_with("nudge-burst", options).await?;
    session.wait_for("[data-testid=board-empty]", WAIT).await?;
    session.idesk_ok(&["policy", "set", "L1", "classify", "6s"])?;
    session.idesk_ok(&["policy", "set", "L1", "stalled", "off"])?;
    // Declared "at" the same moment: their deadlines fall due together, as
    // when a laptop wakes up to many overdue incidents.
    let at = incident_core::SystemClock.now().to_string();
    for n in 1..=8 {
        session.idesk_ok(&[
            "--at",
            &at,
            "declare",
            "--title",
            &format!("Region {n} is down"),
            "--kind",
            "outage",
            "--level",
            "L1",
        ])?;
    }
    let received = |session: &Session| -> Vec<Received> {
        session
            .notifications
            .as_ref()
            .map(|daemon| daemon.received())
            .unwrap_or_default()
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while !received(&session)
        .iter()
        .any(|n| n.summary.contains("more deadlines overdue"))
    {
        if Instant::now() > deadline {
            return Err(format!("no summary: {:?}", received(&session)).into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Give a straggler the chance to show up before counting.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let all = received(&session);
    let one_by_one: Vec<_> = all
        .iter()
        .filter(|n| n.summary.contains("classification is now overdue"))
        .collect();
    assert_eq!(one_by_one.len(), 3, "{all:?}");
    let summaries: Vec<_> = all
        .iter()
        .filter(|n| n.summary.contains("more deadlines overdue"))
        .collect();
    assert_eq!(summaries.len(), 1, "{all:?}");
    assert_eq!(
        summaries[0].summary,
        "5 more deadlines overdue across 5 incidents"
    );
    // The window still shows every one of them.
    session
        .wait_for_text(
            "[data-testid=nudges-more]",
            "5 more overdue in 5 incidents",
            WAIT,
        )
        .await?;
    session.screenshot("nudge-burst").await?;

    // Each counted as shown: nothing more after a restart.
    session.restart_app().await?;
    session.wait_for("[data-testid=incident-row]", WAIT).await?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        received(&session).len(),
        all.len(),
        "{:?}",
        received(&session)
    );
    session.close().await?;
    Ok(())
}

/// Deadlines that were already overdue when the app started are announced
/// before the page listens: the window still shows their cards (it asks
/// for what was announced once it listens).
#[tokio::test(flavor = "current_thread")]
async fn deadlines_overdue_before_the_window_opened_still_show_as_cards() -> TestResult {
    let home = tempfile::tempdir()?;
    let db = home.path().join("desk.db");
    {
        let desk = incident_core::Desk::open(&db)?.with_author("test")?;
        for n in 1..=2 {
            let mut declaration = incident_core::desk::Declaration::new(
                &format!("Payments {n} are failing"),
                incident_core::domain::IncidentKind::Outage,
                "L1",
            );
            let half_an_hour_ago = incident_core::SystemClock.now().plus_millis(-30 * 60_000);
            declaration.at = Some(half_an_hour_ago);
            desk.declare(declaration)?;
        }
    }
    let options = SessionOptions {
        db: Some(db),
        ..SessionOptions::default()
    };
    let session = Session::start_with("nudge-startup", options).await?;
    session.wait_for("[data-testid=incident-row]", WAIT).await?;
    let deadline = Instant::now() + WAIT;
    loop {
        let cards = session
            .client
            .find_all(fantoccini::Locator::Css("[data-testid=nudge]"))
            .await?
            .len();
        if cards == 2 {
            break;
        }
        if Instant::now() > deadline {
            return Err(format!("expected one nudge card per incident, saw {cards}").into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    session.screenshot("nudge-startup").await?;
    session.close().await?;
    Ok(())
}
