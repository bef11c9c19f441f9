//! CONTRACT TEST (Slack cannot run here): a local server plays Slack's Web
//! API and checks every request against the documented `chat.postMessage`
//! shape — method, path, bearer token, JSON content type, and the body's
//! fields — then answers as Slack does: a first message starts a thread,
//! the next replies in it, a 429 carries Retry-After, a bad token is
//! `invalid_auth`.

use incident_publish::Failure;
use incident_publish::slack::{SlackChannel, post_message};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

type Outcome<T> = Result<T, Box<dyn std::error::Error>>;

struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: serde_json::Value,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One scripted answer: status, extra headers, body.
type Answer = (u16, Vec<(&'static str, String)>, String);

/// Serves one scripted answer per request, in order; hands each request
/// back for checking. Ends after the last answer.
fn fake_slack(answers: Vec<Answer>) -> Outcome<(String, mpsc::Receiver<Request>)> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let address = format!("http://{}/api", listener.local_addr()?);
    let (seen, requests) = mpsc::channel();
    std::thread::spawn(move || {
        for (status, headers, body) in answers {
            let Ok((stream, _)) = listener.accept() else {
                return;
            };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
            let mut reader = BufReader::new(&stream);
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                return;
            }
            let mut parts = line.split_whitespace();
            let method = parts.next().unwrap_or_default().to_owned();
            let path = parts.next().unwrap_or_default().to_owned();
            let mut request_headers = Vec::new();
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).is_err() || header.trim().is_empty() {
                    break;
                }
                if let Some((name, value)) = header.trim().split_once(':') {
                    request_headers.push((name.trim().to_owned(), value.trim().to_owned()));
                }
            }
            let length: usize = request_headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(0);
            let mut raw = vec![0; length];
            if reader.read_exact(&mut raw).is_err() {
                return;
            }
            let _ = seen.send(Request {
                method,
                path,
                headers: request_headers,
                body: serde_json::from_slice(&raw).unwrap_or(serde_json::Value::Null),
            });
            let mut answer = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
                body.len()
            );
            for (name, value) in headers {
                answer.push_str(&format!("{name}: {value}\r\n"));
            }
            answer.push_str("\r\n");
            answer.push_str(&body);
            let mut stream = &stream;
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    Ok((address, requests))
}

/// Every request as the documentation says chat.postMessage is called.
fn check_shape(request: &Request, channel: &str) {
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/api/chat.postMessage");
    assert_eq!(
        request.header("Authorization"),
        Some("Bearer xoxb-test-token")
    );
    assert!(
        request
            .header("Content-Type")
            .is_some_and(|v| v.starts_with("application/json")),
        "JSON body"
    );
    assert_eq!(request.body["channel"], channel);
    assert!(request.body["text"].is_string());
    assert_eq!(request.body["mrkdwn"], false, "plain text, never markup");
    assert_eq!(
        request.body["metadata"]["event_type"],
        "incident_desk_message"
    );
    assert!(request.body["metadata"]["event_payload"]["outbox_id"].is_string());
}

const WAIT: Duration = Duration::from_secs(10);

#[test]
fn contract_the_first_message_starts_a_thread_and_the_next_replies_in_it() -> Outcome<()> {
    let (api, requests) = fake_slack(vec![
        (
            200,
            vec![],
            r#"{"ok":true,"channel":"C0INC","ts":"1764590000.000100"}"#.into(),
        ),
        (
            200,
            vec![],
            r#"{"ok":true,"channel":"C0INC","ts":"1764590100.000200"}"#.into(),
        ),
    ])?;
    let to = SlackChannel {
        api,
        channel: "C0INC".into(),
        broadcast: true,
    };
    let first = post_message(
        &to,
        "xoxb-test-token",
        "INC-7 Checkout errors\nInvestigating.",
        None,
        "o1",
        WAIT,
    )
    .map_err(|e| e.to_string())?;
    assert_eq!(first.ts, "1764590000.000100");
    assert_eq!(first.thread_ts, first.ts, "the first message is the thread");
    let request = requests.recv_timeout(WAIT)?;
    check_shape(&request, "C0INC");
    assert!(request.body.get("thread_ts").is_none());

    let second = post_message(
        &to,
        "xoxb-test-token",
        "INC-7 resolved.",
        Some(&first.thread_ts),
        "o2",
        WAIT,
    )
    .map_err(|e| e.to_string())?;
    assert_eq!(second.thread_ts, first.ts);
    let request = requests.recv_timeout(WAIT)?;
    check_shape(&request, "C0INC");
    assert_eq!(request.body["thread_ts"], "1764590000.000100");
    assert_eq!(request.body["reply_broadcast"], true);
    assert_eq!(request.body["metadata"]["event_payload"]["outbox_id"], "o2");
    Ok(())
}

#[test]
fn contract_a_429_waits_its_retry_after_and_a_bad_token_stops_for_good() -> Outcome<()> {
    let (api, requests) = fake_slack(vec![
        (
            429,
            vec![("Retry-After", "7".into())],
            r#"{"ok":false,"error":"ratelimited"}"#.into(),
        ),
        (200, vec![], r#"{"ok":false,"error":"invalid_auth"}"#.into()),
        (
            200,
            vec![],
            r#"{"ok":false,"error":"not_in_channel"}"#.into(),
        ),
        (
            200,
            vec![],
            r#"{"ok":false,"error":"internal_error"}"#.into(),
        ),
    ])?;
    let to = SlackChannel {
        api,
        channel: "C0INC".into(),
        broadcast: false,
    };
    let post = || post_message(&to, "xoxb-test-token", "hello", None, "o1", WAIT);
    assert_eq!(
        post(),
        Err(Failure::Retry {
            error: "Slack asks to slow down (HTTP 429)".into(),
            retry_after_ms: Some(7_000),
        })
    );
    match post() {
        Err(Failure::Refused { reason }) => {
            assert_eq!(reason, "Slack refused the bot token: invalid_auth")
        }
        other => panic!("a bad token stops: {other:?}"),
    }
    match post() {
        Err(Failure::Refused { reason }) => assert!(reason.contains("invite the app"), "{reason}"),
        other => panic!("not in the channel stops: {other:?}"),
    }
    assert!(
        matches!(post(), Err(Failure::Retry { .. })),
        "an internal error is retried"
    );
    for _ in 0..4 {
        check_shape(&requests.recv_timeout(WAIT)?, "C0INC");
    }
    Ok(())
}
