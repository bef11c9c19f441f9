//! Publishing to a webhook served by the test on 127.0.0.1: accepted,
//! refused with a 500, and never answered. Only an accepted message is
//! marked sent; the others stay drafts, with the server's answer in the error.

use incident_core::desk::{Declaration, DraftRequest};
use incident_core::domain::{Channel, CommunicationState, IncidentKind};
use incident_core::publish::WebhookFormat;
use incident_core::{Desk, ErrorCode};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

type TestResult = Result<(), Box<dyn std::error::Error>>;

#[derive(Clone, Copy)]
enum Answer {
    Accept,
    Fail,
    Silence,
}

/// Serves one request; sends back what it received (body) on the channel.
fn serve_once(
    answer: Answer,
) -> Result<(String, mpsc::Receiver<String>), Box<dyn std::error::Error>> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let url = format!(
        "http://{}/hooks/T0001/B0001/secretTOKEN",
        listener.local_addr()?
    );
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let Ok((stream, _)) = listener.accept() else {
            return;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        let mut reader = BufReader::new(stream);
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                break;
            }
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        let _ = reader.read_exact(&mut body);
        let _ = sender.send(String::from_utf8_lossy(&body).into_owned());
        let mut stream = reader.into_inner();
        match answer {
            Answer::Accept => {
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                );
            }
            Answer::Fail => {
                let _ = stream.write_all(
                    b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 21\r\nConnection: close\r\n\r\nchannel_is_archived\r\n",
                );
            }
            Answer::Silence => std::thread::sleep(Duration::from_secs(3)),
        }
    });
    Ok((url, receiver))
}

fn setup() -> Result<(tempfile::TempDir, Desk, String), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let desk = Desk::open(dir.path().join("desk.db"))?.with_author("Ada")?;
    desk.declare(Declaration::new(
        "Checkout fails",
        IncidentKind::Outage,
        "L2",
    ))?;
    let draft = desk.draft_message(
        "INC-1",
        DraftRequest {
            channel: Some(Channel::Internal),
            body: Some("Checkout is failing for EU customers; rollback under way.".into()),
            ..DraftRequest::default()
        },
    )?;
    Ok((dir, desk, draft.id))
}

#[test]
fn an_accepted_message_is_marked_sent_with_the_masked_webhook() -> TestResult {
    let (_dir, desk, id) = setup()?;
    let (url, received) = serve_once(Answer::Accept)?;
    desk.set_webhook(Channel::Internal, Some(&url), WebhookFormat::Slack, 5)?;
    let sent = desk.publish_communication("INC-1", &id)?;
    assert_eq!(sent.state, CommunicationState::Sent);
    let published = sent.published_to.unwrap_or_default();
    assert!(
        published.ends_with("/…OKEN") && !published.contains("secret"),
        "{published}"
    );
    let body: serde_json::Value =
        serde_json::from_str(&received.recv_timeout(Duration::from_secs(5))?)?;
    assert_eq!(
        body["text"],
        "Checkout is failing for EU customers; rollback under way."
    );
    let timeline = desk.incident("INC-1")?.timeline;
    assert!(
        timeline
            .iter()
            .any(|e| e.text.contains("published to") && !e.text.contains("secret"))
    );
    // The settings show the address masked too.
    let settings = desk.channel_settings()?;
    let internal = settings
        .iter()
        .find(|s| s.channel == Channel::Internal)
        .ok_or("internal")?;
    assert!(
        internal
            .webhook
            .as_deref()
            .is_some_and(|w| !w.contains("secret"))
    );
    Ok(())
}

#[test]
fn a_refused_message_stays_a_draft_and_the_error_carries_the_answer() -> TestResult {
    let (_dir, desk, id) = setup()?;
    let (url, received) = serve_once(Answer::Fail)?;
    desk.set_webhook(Channel::Internal, Some(&url), WebhookFormat::Json, 5)?;
    let error = desk
        .publish_communication("INC-1", &id)
        .err()
        .ok_or("must fail")?;
    assert_eq!(error.code(), ErrorCode::PublishFailed);
    let message = error.to_string();
    assert!(
        message.contains("HTTP 500") && message.contains("channel_is_archived"),
        "{message}"
    );
    assert!(
        !message.contains("secretTOKEN"),
        "the webhook address is a secret: {message}"
    );
    let body: serde_json::Value =
        serde_json::from_str(&received.recv_timeout(Duration::from_secs(5))?)?;
    assert_eq!(body["incident"], "INC-1");
    assert_eq!(body["channel"], "internal");
    let comms = desk.incident("INC-1")?.record.communications;
    assert_eq!(comms[0].state, CommunicationState::Draft);
    // Retried on demand once the server is back.
    let (url, _received) = serve_once(Answer::Accept)?;
    desk.set_webhook(Channel::Internal, Some(&url), WebhookFormat::Json, 5)?;
    assert_eq!(
        desk.publish_communication("INC-1", &id)?.state,
        CommunicationState::Sent
    );
    Ok(())
}

#[test]
fn a_silent_server_times_out_and_nothing_is_marked_sent() -> TestResult {
    let (_dir, desk, id) = setup()?;
    let (url, _received) = serve_once(Answer::Silence)?;
    desk.set_webhook(Channel::Internal, Some(&url), WebhookFormat::Json, 1)?;
    let error = desk
        .publish_communication("INC-1", &id)
        .err()
        .ok_or("must time out")?;
    assert!(
        error.to_string().contains("no answer within 1 s"),
        "{error}"
    );
    assert_eq!(
        desk.incident("INC-1")?.record.communications[0].state,
        CommunicationState::Draft
    );
    Ok(())
}

#[test]
fn an_unreachable_webhook_is_a_clear_error() -> TestResult {
    let (_dir, desk, id) = setup()?;
    // A port nobody listens on.
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    desk.set_webhook(
        Channel::Internal,
        Some(&format!("http://127.0.0.1:{port}/hook")),
        WebhookFormat::Json,
        2,
    )?;
    let error = desk
        .publish_communication("INC-1", &id)
        .err()
        .ok_or("must fail")?;
    assert_eq!(error.code(), ErrorCode::PublishFailed, "{error}");
    assert_eq!(
        desk.incident("INC-1")?.record.communications[0].state,
        CommunicationState::Draft
    );
    Ok(())
}

#[test]
fn a_test_message_proves_a_webhook_and_records_nothing() -> TestResult {
    let (_dir, desk, _) = setup()?;
    let error = desk
        .test_webhook(Channel::Internal)
        .err()
        .ok_or("no webhook yet")?;
    assert!(
        error.to_string().contains("save an address first"),
        "{error}"
    );
    let (url, received) = serve_once(Answer::Accept)?;
    desk.set_webhook(Channel::Internal, Some(&url), WebhookFormat::Slack, 5)?;
    let before = desk.incident("INC-1")?.timeline.len();
    let answer = desk.test_webhook(Channel::Internal)?;
    assert!(
        answer.starts_with("The test message reached http://"),
        "{answer}"
    );
    assert!(
        !answer.contains("secretTOKEN"),
        "the address is shown masked: {answer}"
    );
    let body = received.recv_timeout(Duration::from_secs(5))?;
    assert!(body.contains("This is a test from Incident Desk"), "{body}");
    assert_eq!(desk.incident("INC-1")?.timeline.len(), before);

    let (url, _) = serve_once(Answer::Fail)?;
    desk.set_webhook(Channel::Internal, Some(&url), WebhookFormat::Json, 5)?;
    let error = desk
        .test_webhook(Channel::Internal)
        .err()
        .ok_or("a 500 is a failed test")?;
    assert!(error.to_string().contains("500"), "{error}");
    Ok(())
}
