//! CONTRACT TEST (Slack cannot run here): a local server plays Slack's Web
//! API and checks every request against the documented `chat.postMessage`
//! shape — method, path, bearer token, JSON content type, and the body's
//! fields — then answers as Slack does: a first message starts a thread,
//! the next replies in it, a 429 carries Retry-After, a bad token is
//! `invalid_auth`.

use crate::support::Outcome;
use crate::support::fake_api::{FakeApi, Reply, Request};
use incident_publish::Failure;
use incident_publish::slack::{SlackChannel, post_message};
use std::time::Duration;

/// Serves one scripted answer per request, in order (then 500s).
fn fake_slack(answers: Vec<Reply>) -> Outcome<FakeApi> {
    let mut answers = answers.into_iter();
    FakeApi::start(move |_| {
        Some(
            answers
                .next()
                .unwrap_or((500, vec![], r#"{"ok":false,"error":"unscripted"}"#.into())),
        )
    })
}

/// Every request as the documentation says chat.postMessage is called.
fn check_shape(request: &Request, channel: &str) {
    assert_eq!(request.method, "POST");
    assert_eq!(request.path(), "/api/chat.postMessage");
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
    let slack = fake_slack(vec![
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
        api: format!("{}/api", slack.base),
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
    let request = slack.requests()[0].clone();
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
    let request = slack.requests()[1].clone();
    check_shape(&request, "C0INC");
    assert_eq!(request.body["thread_ts"], "1764590000.000100");
    assert_eq!(request.body["reply_broadcast"], true);
    assert_eq!(request.body["metadata"]["event_payload"]["outbox_id"], "o2");
    Ok(())
}

#[test]
fn contract_a_429_waits_its_retry_after_and_a_bad_token_stops_for_good() -> Outcome<()> {
    let slack = fake_slack(vec![
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
        api: format!("{}/api", slack.base),
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
    let requests = slack.requests();
    assert_eq!(requests.len(), 4);
    for request in &requests {
        check_shape(request, "C0INC");
    }
    Ok(())
}

/// A fake Slack that keeps the channel's messages (with their metadata)
/// and can lose the answer to one post after taking it.
fn stateful_slack(lose_answer_to_post: usize) -> Outcome<FakeApi> {
    let mut messages: Vec<serde_json::Value> = Vec::new();
    let mut posts = 0;
    FakeApi::start(move |request| {
        let ok = |value: serde_json::Value| Some((200, vec![], value.to_string()));
        match request.path() {
            "/api/chat.postMessage" => {
                check_shape(request, "C0INC");
                posts += 1;
                let ts = format!("1764590000.{posts:06}");
                let mut message = serde_json::json!({
                    "ts": ts,
                    "text": request.body["text"],
                    "metadata": request.body["metadata"],
                });
                if let Some(thread) = request.body["thread_ts"].as_str() {
                    message["thread_ts"] = serde_json::json!(thread);
                }
                messages.push(message);
                if posts == lose_answer_to_post {
                    return None;
                }
                ok(serde_json::json!({"ok": true, "channel": "C0INC", "ts": ts}))
            }
            "/api/conversations.history" | "/api/conversations.replies" => {
                // Documented: GET with the token, channel, and (replies) ts;
                // metadata only when include_all_metadata is asked for.
                assert_eq!(request.method, "GET");
                assert_eq!(
                    request.header("Authorization"),
                    Some("Bearer xoxb-test-token")
                );
                assert_eq!(request.query("channel"), Some("C0INC"));
                assert_eq!(request.query("include_all_metadata"), Some("true"));
                let thread = request.query("ts");
                if request.path().ends_with("replies") {
                    assert!(thread.is_some(), "replies need the thread's ts");
                }
                let listed: Vec<serde_json::Value> = messages
                    .iter()
                    .filter(|m| match thread {
                        Some(t) => m["ts"] == t || m["thread_ts"] == t,
                        None => m.get("thread_ts").is_none(),
                    })
                    .rev()
                    .cloned()
                    .collect();
                ok(serde_json::json!({"ok": true, "messages": listed}))
            }
            other => panic!("not a Slack method Incident Desk uses: {other}"),
        }
    })
}

fn slack_access(slack: &FakeApi) -> incident_publish::Access {
    incident_publish::Access::Slack {
        to: SlackChannel {
            api: format!("{}/api", slack.base),
            channel: "C0INC".into(),
            broadcast: false,
        },
        token: "xoxb-test-token".into(),
    }
}

#[test]
fn contract_through_the_outbox_updates_reply_in_the_incidents_thread() -> Outcome<()> {
    use crate::common::{Incident, attempt_due};
    use incident_core::domain::{Channel, IncidentKind, PublishTarget};
    let slack = stateful_slack(0)?;
    let access = slack_access(&slack);
    let incident = Incident::declare(IncidentKind::Outage, "L2", &[])?;
    for body in ["Investigating checkout errors.", "Rolled back; watching."] {
        let message = incident.message(Channel::Internal, body)?;
        incident
            .desk
            .queue_publication(&incident.reference, &message.id, PublishTarget::Slack)?;
        attempt_due(&incident.desk, &access)?;
        assert_eq!(
            incident.message_now(&message.id)?.service_thread.as_deref(),
            Some("1764590000.000001"),
            "the first message's ts is the thread"
        );
    }
    let posts: Vec<_> = slack
        .requests()
        .into_iter()
        .filter(|r| r.path() == "/api/chat.postMessage")
        .collect();
    assert_eq!(posts.len(), 2);
    assert!(posts[0].body.get("thread_ts").is_none());
    assert_eq!(posts[1].body["thread_ts"], "1764590000.000001");
    Ok(())
}

#[test]
fn contract_a_post_whose_answer_was_lost_is_found_by_its_metadata_not_posted_again() -> Outcome<()>
{
    use crate::common::{Incident, attempt_due, due_now};
    use incident_core::desk::Attempt;
    use incident_core::domain::{Channel, IncidentKind, PublishTarget};
    let slack = stateful_slack(2)?;
    let access = slack_access(&slack);
    let incident = Incident::declare(IncidentKind::Outage, "L2", &[])?;
    let desk = &incident.desk;
    let first = incident.message(Channel::Internal, "Investigating.")?;
    desk.queue_publication(&incident.reference, &first.id, PublishTarget::Slack)?;
    attempt_due(desk, &access)?;

    // The reply is taken by Slack, but its answer is lost.
    let second = incident.message(Channel::Internal, "Fixed.")?;
    desk.queue_publication(&incident.reference, &second.id, PublishTarget::Slack)?;
    let attempts = attempt_due(desk, &access)?;
    assert!(
        matches!(attempts.as_slice(), [Attempt::Retry { .. }]),
        "{attempts:?}"
    );
    due_now(&incident)?;
    let attempts = attempt_due(desk, &access)?;
    assert!(
        matches!(attempts.as_slice(), [Attempt::Confirmed { .. }]),
        "{attempts:?}"
    );

    let requests = slack.requests();
    let posts = requests
        .iter()
        .filter(|r| r.path() == "/api/chat.postMessage")
        .count();
    assert_eq!(
        posts, 2,
        "the retry found the reply instead of posting it again"
    );
    assert!(
        requests
            .iter()
            .any(|r| r.path() == "/api/conversations.replies"
                && r.query("ts") == Some("1764590000.000001")),
        "looked in the thread"
    );
    assert_eq!(
        incident.message_now(&second.id)?.sent_via,
        Some(PublishTarget::Slack)
    );
    Ok(())
}
