//! The alert receiver over real HTTP on 127.0.0.1: each fixture posted as
//! the tool would, the inbox checked in the database, and every bad-input case.

use incident_core::Desk;
use incident_intake::{AlertSink, IntakeLimits, Receiver};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const TOKEN: &str = "0123456789abcdef0123456789abcdef";

struct Running {
    desk: Arc<Desk>,
    receiver: Receiver,
    agent: ureq::Agent,
    _dir: tempfile::TempDir,
}

fn start(limits: IntakeLimits) -> Result<Running, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let desk = Arc::new(Desk::open(dir.path().join("intake.db"))?);
    let receiver = Receiver::start(
        IpAddr::V4(Ipv4Addr::LOCALHOST),
        0,
        TOKEN,
        limits,
        sink(&desk),
    )?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(10)))
        .http_status_as_error(false)
        .build()
        .into();
    Ok(Running {
        desk,
        receiver,
        agent,
        _dir: dir,
    })
}

fn sink(desk: &Arc<Desk>) -> AlertSink {
    let desk = Arc::clone(desk);
    Arc::new(move |deliveries| desk.receive_alert_deliveries(deliveries))
}

fn default_limits() -> IntakeLimits {
    IntakeLimits::new(64 * 1024, 1_000)
}

/// The payloads of the tools, kept with the core's format parsers.
fn fixture(name: &str) -> Result<Vec<u8>, std::io::Error> {
    std::fs::read(format!(
        "{}/../core/tests/fixtures/alerts/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
}

impl Running {
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.receiver.local_addr())
    }

    /// Posts with the token in the Authorization header; returns status and body.
    fn post(&self, path: &str, body: &[u8]) -> Result<(u16, String), Box<dyn std::error::Error>> {
        self.post_with(path, body, Some(&format!("Bearer {TOKEN}")))
    }

    fn post_with(
        &self,
        path: &str,
        body: &[u8],
        authorization: Option<&str>,
    ) -> Result<(u16, String), Box<dyn std::error::Error>> {
        let mut request = self
            .agent
            .post(&self.url(path))
            .header("Content-Type", "application/json");
        if let Some(value) = authorization {
            request = request.header("Authorization", value);
        }
        let mut response = request.send(body)?;
        let status = response.status().as_u16();
        Ok((status, response.body_mut().read_to_string()?))
    }
}

#[test]
fn each_tool_s_payload_lands_in_the_inbox_grouped_and_resolved() -> TestResult {
    let running = start(default_limits())?;
    let (status, answer) = running.post("/alerts", &fixture("alertmanager-firing.json")?)?;
    assert_eq!(status, 202, "{answer}");
    assert!(answer.contains("\"accepted\":2"), "{answer}");
    // Alertmanager repeats a firing group every repeat_interval: still two lines.
    assert_eq!(
        running
            .post("/alerts", &fixture("alertmanager-firing.json")?)?
            .0,
        202
    );
    let (status, _) = running.post(
        "/alerts/alertmanager",
        &fixture("alertmanager-resolved.json")?,
    )?;
    assert_eq!(status, 202);
    assert_eq!(
        running
            .post("/alerts/grafana", &fixture("grafana-firing.json")?)?
            .0,
        202
    );
    assert_eq!(
        running
            .post("/alerts/checkly", &fixture("checkly-failure.json")?)?
            .0,
        202
    );
    assert_eq!(
        running
            .post("/alerts", &fixture("checkly-recovery.json")?)?
            .0,
        202
    );
    assert_eq!(
        running
            .post("/alerts/generic", &fixture("generic-one.json")?)?
            .0,
        202
    );
    assert_eq!(
        running.post("/alerts", &fixture("generic-list.json")?)?.0,
        202
    );

    let inbox = running.desk.alerts(false)?;
    let line = |source: &str, service: &str| {
        inbox
            .iter()
            .find(|a| a.source == source && a.service == service)
            .ok_or(format!("no {source}/{service} alert in {inbox:?}"))
    };
    let errors = inbox
        .iter()
        .find(|a| a.fingerprint == "6f1e2c3a9b0d4e71")
        .ok_or("no checkout error-rate alert")?;
    assert_eq!(errors.count, 2);
    assert!(
        errors.resolved_at.is_some(),
        "the resolved payload did not resolve it"
    );
    let latency = inbox
        .iter()
        .find(|a| a.fingerprint == "a7c40b22de9f1035")
        .ok_or("no latency alert")?;
    assert_eq!(latency.count, 2);
    assert!(latency.resolved_at.is_none());
    assert_eq!(line("grafana", "postgres-primary")?.count, 1);
    let login = line("checkly", "Web app")?;
    assert!(login.synthetic);
    assert!(
        login.resolved_at.is_some(),
        "the recovery did not resolve the check"
    );
    assert_eq!(line("backup-cron", "nightly-backup")?.count, 1);
    assert_eq!(line("synthetics", "status-page")?.count, 1);
    assert_eq!(inbox.len(), 7);
    assert_eq!(running.receiver.stats().accepted, 8);
    Ok(())
}

#[test]
fn the_token_is_required_and_may_come_three_ways() -> TestResult {
    let running = start(default_limits())?;
    let body = fixture("generic-one.json")?;
    assert_eq!(running.post_with("/alerts", &body, None)?.0, 401);
    assert_eq!(
        running
            .post_with("/alerts", &body, Some("Bearer wrong-token-wrong-token"))?
            .0,
        401
    );
    assert_eq!(
        running
            .post_with(&format!("/alerts?token={TOKEN}x"), &body, None)?
            .0,
        401
    );
    assert!(
        running.desk.alerts(true)?.is_empty(),
        "an unauthorised delivery was stored"
    );

    assert_eq!(
        running
            .post_with(&format!("/alerts?token={TOKEN}"), &body, None)?
            .0,
        202
    );
    let mut response = running
        .agent
        .post(&running.url("/alerts"))
        .header("X-Incident-Desk-Token", TOKEN)
        .send(&body[..])?;
    assert_eq!(
        response.status().as_u16(),
        202,
        "{}",
        response.body_mut().read_to_string()?
    );
    Ok(())
}

#[test]
fn bad_deliveries_get_a_status_and_a_reason_and_change_nothing() -> TestResult {
    let running = start(IntakeLimits::new(4 * 1024, 1_000))?;
    let (status, answer) = running.post("/alerts", &vec![b' '; 5 * 1024])?;
    assert_eq!(status, 413, "{answer}");
    let (status, answer) = running.post("/alerts", b"{\"groupKey\": ")?;
    assert_eq!(status, 400);
    assert!(answer.contains("not valid JSON"), "{answer}");
    let (status, answer) = running.post("/alerts", b"{\"hello\": \"world\"}")?;
    assert_eq!(status, 400);
    assert!(answer.contains("unknown payload shape"), "{answer}");
    let (status, answer) = running.post(
        "/alerts",
        br#"{"source":"s","service":"x","summary":"y","link":"javascript:alert(1)"}"#,
    )?;
    assert_eq!(status, 400);
    assert!(answer.contains("http:// or https://"), "{answer}");
    assert_eq!(running.post("/nowhere", b"{}")?.0, 404);
    assert_eq!(running.post("/alerts/nagios", b"{}")?.0, 404);
    let mut response = running.agent.get(&running.url("/alerts")).call()?;
    assert_eq!(
        response.status().as_u16(),
        405,
        "{}",
        response.body_mut().read_to_string()?
    );
    assert_eq!(
        running
            .agent
            .get(&running.url("/health"))
            .call()?
            .status()
            .as_u16(),
        200
    );
    assert!(running.desk.alerts(true)?.is_empty());
    // Still answering after all of that.
    assert_eq!(
        running.post("/alerts", &fixture("generic-one.json")?)?.0,
        202
    );
    Ok(())
}

#[test]
fn a_flood_is_rate_limited_and_grouping_keeps_the_inbox_readable() -> TestResult {
    let running = start(IntakeLimits::new(64 * 1024, 5))?;
    let body = fixture("alertmanager-firing.json")?;
    let mut statuses = Vec::new();
    for _ in 0..80 {
        statuses.push(running.post("/alerts", &body)?.0);
    }
    let accepted = statuses.iter().filter(|s| **s == 202).count();
    let limited = statuses.iter().filter(|s| **s == 429).count();
    // A burst of ten seconds' worth (50) passes; the rest waits its turn.
    assert!((50..=55).contains(&accepted), "accepted {accepted}");
    assert_eq!(accepted + limited, 80);
    assert_eq!(running.desk.alerts(false)?.len(), 2, "grouping failed");
    Ok(())
}

#[test]
fn the_receiver_refuses_a_taken_port_and_frees_it_when_dropped() -> TestResult {
    let running = start(default_limits())?;
    let port = running.receiver.local_addr().port();
    let again = Receiver::start(
        IpAddr::V4(Ipv4Addr::LOCALHOST),
        port,
        TOKEN,
        default_limits(),
        sink(&running.desk),
    );
    assert!(again.is_err(), "two receivers on one port");
    drop(running.receiver);
    let reopened = Receiver::start(
        IpAddr::V4(Ipv4Addr::LOCALHOST),
        port,
        TOKEN,
        default_limits(),
        sink(&running.desk),
    )?;
    assert_eq!(reopened.local_addr().port(), port);
    Ok(())
}
