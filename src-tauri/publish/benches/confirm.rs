//! `make bench` (publishing): the time from "Publish" (the message queued
//! in the outbox) to the service's confirmation recorded, per integration,
//! on loopback — Matrix against a real Synapse, email against a real SMTP
//! server (aiosmtpd, STARTTLS and a login), Slack and Statuspage against
//! local servers that answer as they do, and a webhook. The baseline, in
//! the same run: a bare HTTP POST to the same local server, without the
//! outbox. Statuspage's figure includes the pacing to its documented limit
//! (one request a second; a first message is two requests).

#[path = "../tests/support/mod.rs"]
mod support;

use incident_core::desk::{Attempt, Declaration};
use incident_core::domain::{Channel, IncidentKind, PublishTarget};
use incident_core::publish::{MatrixRoom, WebhookFormat};
use incident_core::services::{
    EmailTarget, RecipientList, SmtpSecurity, SmtpServer, StatuspageTarget,
};
use incident_core::{Clock, Desk, SystemClock};
use incident_publish::slack::SlackChannel;
use incident_publish::statuspage::Page;
use incident_publish::{Access, deliver};
use std::process::ExitCode;
use std::time::{Duration, Instant};
use support::Outcome;
use support::fake_api::FakeApi;

const MESSAGES: usize = 20;
const TIMEOUT: Duration = Duration::from_secs(10);

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("publish-bench: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Median, 95th percentile and worst of `samples` (ms).
fn summary(name: &str, mut samples: Vec<f64>) {
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "{name:<34} n={:<3} median {:>8.2} ms  p95 {:>8.2} ms  max {:>8.2} ms",
        samples.len(),
        at(0.5),
        at(0.95),
        at(1.0)
    );
}

/// `MESSAGES` messages of one incident published through `access`, each
/// timed from queueing to the recorded confirmation.
fn through_outbox(target: PublishTarget, channel: Channel, access: &Access) -> Outcome<Vec<f64>> {
    let dir = tempfile::tempdir()?;
    let desk = Desk::open(dir.path().join("bench.db"))?.with_author("bench")?;
    let mut declaration = Declaration::new("Checkout errors", IncidentKind::Outage, "L2");
    declaration.services = Some(vec!["Payments".into()]);
    let reference = desk.declare(declaration)?.reference;
    let mut samples = Vec::new();
    for n in 0..MESSAGES {
        let draft = desk.draft_communication(
            &reference,
            channel,
            "",
            &format!("Update {n}: errors are down after the rollback."),
            None,
        )?;
        let start = Instant::now();
        desk.queue_publication(&reference, &draft.id, target)?;
        for publication in desk.due_publications()? {
            let attempt = deliver(&publication, Some(access), TIMEOUT, SystemClock.now());
            if !matches!(attempt, Attempt::Confirmed { .. }) {
                return Err(format!("{target}: {attempt:?}").into());
            }
            desk.publication_attempted(&publication.id, attempt)?;
        }
        samples.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(samples)
}

fn run() -> Outcome<()> {
    println!("publish-bench: {MESSAGES} messages per integration, loopback");

    // Baseline and webhook: one local server that says 200 at once.
    let receiver = FakeApi::start(|_| Some((200, vec![], "{}".into())))?;
    let agent = ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        .build()
        .new_agent();
    let mut bare = Vec::new();
    for _ in 0..MESSAGES {
        let start = Instant::now();
        agent
            .post(&format!("{}/hook", receiver.base))
            .send_json(serde_json::json!({"text": "Update"}))?;
        bare.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    summary("baseline: bare HTTP POST", bare);
    let webhook = Access::Webhook {
        url: format!("{}/hook", receiver.base),
        format: WebhookFormat::Json,
        timeout: TIMEOUT,
    };
    summary(
        "webhook",
        through_outbox(PublishTarget::Webhook, Channel::Internal, &webhook)?,
    );

    // Slack: answers chat.postMessage as Slack does.
    let mut posts = 0u64;
    let slack = FakeApi::start(move |_| {
        posts += 1;
        let ts = format!("1764590000.{posts:06}");
        Some((
            200,
            vec![],
            serde_json::json!({"ok": true, "ts": ts}).to_string(),
        ))
    })?;
    let slack_access = Access::Slack {
        to: SlackChannel {
            api: format!("{}/api", slack.base),
            channel: "C0INC".into(),
            broadcast: false,
        },
        token: "xoxb-bench".into(),
    };
    summary(
        "slack (local server)",
        through_outbox(PublishTarget::Slack, Channel::Internal, &slack_access)?,
    );

    // Statuspage: a list, a create, then updates.
    let page = FakeApi::start(|request| {
        let body = match request.method.as_str() {
            "GET" => "[]".to_owned(),
            _ => serde_json::json!({"id": "pginc1", "incident_updates": []}).to_string(),
        };
        Some((200, vec![], body))
    })?;
    let api = format!("{}/v1", page.base);
    let page_access = Access::Statuspage {
        page: Page {
            api: api.clone(),
            page_id: "benchpage".into(),
            key: "sp-bench".into(),
        },
        settings: StatuspageTarget {
            page_id: "benchpage".into(),
            components: vec![],
            api: Some(api),
        },
    };
    summary(
        "statuspage (local server, paced)",
        through_outbox(PublishTarget::Statuspage, Channel::StatusPage, &page_access)?,
    );

    // Matrix: a real homeserver.
    let server = support::Homeserver::start()?;
    let token = server.register("bench")?;
    let matrix = Access::Matrix {
        room: MatrixRoom {
            homeserver: server.url.clone(),
            room_id: server.create_room(&token)?,
        },
        token,
    };
    summary(
        "matrix (Synapse)",
        through_outbox(PublishTarget::Matrix, Channel::Internal, &matrix)?,
    );

    // Email: a real SMTP server, STARTTLS and a login.
    let mail = support::smtp::MailServer::start()?;
    let email = Access::Email {
        settings: EmailTarget {
            smtp: SmtpServer {
                host: "127.0.0.1".into(),
                port: mail.starttls,
                security: SmtpSecurity::StartTls,
                username: Some(support::smtp::USER.into()),
                ca_file: Some(mail.ca()),
            },
            from: "status@example.com".into(),
            lists: vec![RecipientList {
                name: "Customers".into(),
                kinds: vec![],
                levels: vec![],
                to: vec!["customers@example.org".into()],
            }],
        },
        password: Some(support::smtp::PASSWORD.into()),
    };
    summary(
        "email (aiosmtpd, STARTTLS + login)",
        through_outbox(PublishTarget::Email, Channel::Email, &email)?,
    );
    Ok(())
}
