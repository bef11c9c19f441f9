//! Alerts from monitoring in the real window: `idesk intake enable` switches
//! the open app's receiver on, an Alertmanager payload arrives over HTTP,
//! the alert shows in the inbox (and as a notification), the commander
//! declares an incident from it, and the incident's timeline carries it.

use e2e::{Session, SessionOptions, within, workspace_root};
use std::time::{Duration, Instant};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const WAIT: Duration = Duration::from_secs(15);
const TOKEN: &str = "e2e-token-0123456789abcdef";

fn fixture(name: &str) -> Result<Vec<u8>, std::io::Error> {
    std::fs::read(workspace_root().join(format!("src-tauri/core/tests/fixtures/alerts/{name}")))
}

/// One request to the receiver with the test's token.
fn request(port: u16, method: &str, path: &str, body: &[u8]) -> Result<u16, std::io::Error> {
    e2e::http::request(port, method, path, TOKEN, body)
}

#[tokio::test(flavor = "current_thread")]
async fn an_alertmanager_alert_becomes_an_incident_from_the_inbox() -> TestResult {
    let options = SessionOptions {
        notifications: true,
        ..SessionOptions::default()
    };
    let session = Session::start_with("alerts", options).await?;
    session.wait_for("[data-testid=board-empty]", WAIT).await?;

    // Switched on from a terminal: the open app starts listening.
    let port = e2e::http::free_port()?;
    let out = session.idesk(&[
        "intake",
        "enable",
        "--port",
        &port.to_string(),
        "--token",
        TOKEN,
    ])?;
    assert!(out.status.success(), "{out:?}");
    let deadline = Instant::now() + WAIT;
    while request(port, "GET", "/health", b"").unwrap_or(0) != 200 {
        if Instant::now() > deadline {
            return Err("the app did not start its receiver after `idesk intake enable`".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // A wrong token is refused, and the log says so without either secret.
    let status = e2e::http::request(
        port,
        "POST",
        "/alerts?token=query-secret-never-logged",
        "header-secret-never-logged",
        &fixture("alertmanager-firing.json")?,
    )?;
    assert_eq!(status, 401);

    let status = request(
        port,
        "POST",
        "/alerts",
        &fixture("alertmanager-firing.json")?,
    )?;
    assert_eq!(status, 202);
    let row = "[data-testid=alert-row][data-fingerprint=\"6f1e2c3a9b0d4e71\"]";
    session
        .wait_for_text(row, "Checkout 5xx above 5% for 5 minutes", WAIT)
        .await?;
    session
        .wait_for_text("[data-testid=alert-count]", "2 firing", WAIT)
        .await?;
    session.screenshot("alert-inbox").await?;

    // A desktop notification told of it.
    let deadline = Instant::now() + WAIT;
    loop {
        let received = session
            .notifications
            .as_ref()
            .map(|daemon| daemon.received())
            .unwrap_or_default();
        if received.iter().any(|n| n.summary == "Alert: checkout") {
            let critical = received
                .iter()
                .find(|n| n.summary == "Alert: checkout" && n.body.contains("5xx"))
                .ok_or("no notification for the 5xx alert")?;
            assert_eq!(critical.urgency, "CRITICAL");
            assert_eq!(critical.appname, "Incident Desk");
            break;
        }
        if Instant::now() > deadline {
            return Err(format!("no alert notification: {received:?}").into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Declare from it: the form starts from the alert.
    session
        .click(&format!("{row} [data-testid=alert-declare]"))
        .await?;
    session
        .wait_for("[data-testid=declare-from-alert]", WAIT)
        .await?;
    // The alert's service is what the incident affects.
    assert_eq!(
        session.text("[data-testid=declare-services]").await?,
        "checkout"
    );
    let title = session
        .wait_for_value(
            "[data-testid=declare-title]",
            "checkout: Checkout 5xx above 5% for 5 minutes",
            WAIT,
        )
        .await?;
    assert_eq!(title, "checkout: Checkout 5xx above 5% for 5 minutes");
    assert_eq!(
        session
            .attr("[data-testid=declare-level]", "value")
            .await?
            .as_deref(),
        Some("L1")
    );
    session.click("[data-testid=declare-submit]").await?;
    session
        .wait_for("[data-testid=incident-room][data-ref=\"INC-1\"]", WAIT)
        .await?;

    let shown = session.idesk(&["show", "INC-1", "--json"])?;
    assert!(shown.status.success(), "{shown:?}");
    let detail: serde_json::Value = serde_json::from_slice(&shown.stdout)?;
    assert_eq!(detail["source"], "monitoring");
    assert_eq!(detail["started_at"], "2026-11-30T09:12:00.000Z");
    let timeline = detail["timeline"].as_array().ok_or("no timeline")?;
    let alert = timeline
        .iter()
        .find(|e| e["kind"] == "alert")
        .ok_or("the alert is not on the timeline")?;
    let text = alert["text"].as_str().unwrap_or_default();
    assert!(text.contains("Checkout 5xx above 5%"), "{text}");
    assert!(
        text.contains("http://prometheus.internal:9090/graph"),
        "{text}"
    );

    // The board shows the incident's alert firing, then all resolved.
    // Esc leaves the field the room focused, then the room.
    session.keys("\u{e00c}").await?;
    session.keys("\u{e00c}").await?;
    session
        .wait_for_text("[data-testid=incident-alerts]", "1 alert firing", WAIT)
        .await?;
    let status = request(
        port,
        "POST",
        "/alerts/alertmanager",
        &fixture("alertmanager-resolved.json")?,
    )?;
    assert_eq!(status, 202);
    session
        .wait_for_text("[data-testid=incident-alerts]", "its alert resolved", WAIT)
        .await?;
    session.screenshot("alert-resolved").await?;

    // The other alert is attached to the incident from the inbox.
    let latency = "[data-testid=alert-row][data-fingerprint=\"a7c40b22de9f1035\"]";
    session
        .click(&format!("{latency} [data-testid=alert-attach]"))
        .await?;
    let select = session
        .wait_for(&format!("{latency} [data-testid=alert-attach-to]"), WAIT)
        .await?;
    // The picker fits: no sideways scrolling, the summary not wrapped letter by letter.
    assert_eq!(session.focused_testid().await?, "alert-attach-to");
    let fits = session
        .script(
            "const list = document.querySelector('[data-testid=alert-inbox] ul'); \
             const summary = document.querySelector('[data-testid=alert-summary]'); \
             return list.scrollWidth <= list.clientWidth && summary.getBoundingClientRect().width > 150;",
        )
        .await?;
    session.screenshot("attach-picker").await?;
    let numbers = session
        .script(
            "const list = document.querySelector('[data-testid=alert-inbox] ul'); \
             return [list.scrollWidth, list.clientWidth];",
        )
        .await?;
    assert_eq!(
        fits,
        serde_json::json!(true),
        "the attach picker squeezes the alert card: {numbers}"
    );
    within(
        "choosing the incident",
        WAIT,
        select.select_by_value("INC-1"),
    )
    .await??;
    // Choosing is not attaching: nothing happens until Attach is pressed.
    session.settle().await?;
    let before: serde_json::Value =
        serde_json::from_slice(&session.idesk(&["show", "INC-1", "--json"])?.stdout)?;
    let alerts_before = before["timeline"]
        .as_array()
        .map(|t| t.iter().filter(|e| e["kind"] == "alert").count())
        .unwrap_or(0);
    assert_eq!(
        alerts_before, 2,
        "picking an incident attached the alert at once"
    );
    session
        .click(&format!("{latency} [data-testid=alert-attach-confirm]"))
        .await?;
    session.wait_for_text(latency, "INC-1", WAIT).await?;
    let shown = session.idesk(&["show", "INC-1", "--json"])?;
    let detail: serde_json::Value = serde_json::from_slice(&shown.stdout)?;
    let alert_entries = detail["timeline"]
        .as_array()
        .map(|t| t.iter().filter(|e| e["kind"] == "alert").count())
        .unwrap_or(0);
    // Declared-from, resolved, attached.
    assert_eq!(alert_entries, 3, "{detail}");

    // A muted source reaches the inbox without a notification.
    let out = session.idesk(&["alerts", "mute", "grafana"])?;
    assert!(out.status.success(), "{out:?}");
    let status = request(port, "POST", "/alerts", &fixture("grafana-firing.json")?)?;
    assert_eq!(status, 202);
    session
        .wait_for_text(
            "[data-testid=alert-row][data-source=grafana]",
            "Disk usage on postgres-primary",
            WAIT,
        )
        .await?;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let received = session
        .notifications
        .as_ref()
        .map(|daemon| daemon.received())
        .unwrap_or_default();
    assert!(
        !received
            .iter()
            .any(|n| n.summary.contains("postgres-primary")),
        "a muted source notified: {received:?}"
    );

    // Settings shows where it listens and what it took.
    session.click("[data-testid=nav-settings]").await?;
    session
        .wait_for_text(
            "[data-testid=intake-status]",
            &format!("Listening on http://127.0.0.1:{port}/alerts"),
            WAIT,
        )
        .await?;
    let shown = session.text("[data-testid=intake-status]").await?;
    assert!(shown.contains("3 accepted"), "{shown}");
    assert!(shown.contains("1 refused"), "{shown}");
    assert_eq!(
        session
            .attr("[data-testid=intake-token]", "value")
            .await?
            .as_deref(),
        Some(TOKEN)
    );
    within(
        "scrolling to the receiver's settings",
        WAIT,
        session.client.execute(
            "document.querySelector('[data-testid=intake-settings]').scrollIntoView(); return true;",
            vec![],
        ),
    )
    .await??;
    session.screenshot("intake-settings").await?;

    // Switched off from a terminal: the app stops listening.
    let out = session.idesk(&["intake", "disable"])?;
    assert!(out.status.success(), "{out:?}");
    let deadline = Instant::now() + WAIT;
    while request(port, "GET", "/health", b"").is_ok() {
        if Instant::now() > deadline {
            return Err("the receiver still answers after `idesk intake disable`".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let logs: String = std::fs::read_dir(&session.log_dir)?
        .flatten()
        .filter_map(|entry| std::fs::read_to_string(entry.path()).ok())
        .collect();
    assert!(logs.contains("missing or wrong token"), "{logs}");
    assert!(!logs.contains("never-logged"), "a secret reached the log");
    assert!(!logs.contains(TOKEN), "the token reached the log");
    session.close().await?;
    Ok(())
}
