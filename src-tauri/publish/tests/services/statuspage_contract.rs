//! CONTRACT TEST (Statuspage cannot run here): a local server plays the
//! Statuspage REST API v1 and checks every request against its documented
//! shape — `Authorization: OAuth <key>`, the paths under
//! `/v1/pages/{page_id}/incidents`, JSON bodies with an `incident` object
//! whose status, impact_override and component statuses are values the API
//! takes — and keeps page incidents as the service does. Through the
//! outbox: create, then update, then resolve one page incident; an answer
//! lost after the create; a 429 with Retry-After; a 401.

use crate::common::{Incident, attempt_due, due_now};
use crate::support::Outcome;
use crate::support::fake_api::{Answer, FakeApi, Request};
use incident_core::desk::Attempt;
use incident_core::domain::{
    Channel, CommunicationState, IncidentKind, PublicStatus, PublishTarget,
};
use incident_core::services::{ComponentMapping, StatuspageTarget};
use incident_core::{Clock, SystemClock};
use incident_publish::Access;
use incident_publish::statuspage::Page;
use std::sync::{Arc, Mutex};

const KEY: &str = "sp-test-key";
const PAGE: &str = "kctbh9vrtdwd";
const STATUSES: [&str; 4] = ["investigating", "identified", "monitoring", "resolved"];
const IMPACTS: [&str; 4] = ["none", "minor", "major", "critical"];
const COMPONENT_STATUSES: [&str; 5] = [
    "operational",
    "degraded_performance",
    "partial_outage",
    "major_outage",
    "under_maintenance",
];

/// Page incidents as the fake keeps them.
#[derive(Default)]
struct PageState {
    incidents: Vec<serde_json::Value>,
    /// Contract violations seen (the test fails on any).
    violations: Vec<String>,
}

/// What the documentation says of every request; violations are recorded.
fn check(request: &Request, state: &mut PageState) {
    let mut violation = |what: String| {
        state
            .violations
            .push(format!("{} {}: {what}", request.method, request.target))
    };
    if request.header("Authorization") != Some(&format!("OAuth {KEY}")) {
        violation("Authorization is not `OAuth <key>`".into());
    }
    if !request
        .path()
        .starts_with(&format!("/v1/pages/{PAGE}/incidents"))
    {
        violation("not under /v1/pages/{page_id}/incidents".into());
    }
    if matches!(request.method.as_str(), "POST" | "PATCH") {
        if !request
            .header("Content-Type")
            .is_some_and(|t| t.starts_with("application/json"))
        {
            violation("the body is not JSON".into());
        }
        let incident = &request.body["incident"];
        if !incident.is_object() {
            violation("no `incident` object".into());
        }
        if !incident["status"]
            .as_str()
            .is_some_and(|s| STATUSES.contains(&s))
        {
            violation(format!("status {}", incident["status"]));
        }
        if !incident["impact_override"]
            .as_str()
            .is_some_and(|s| IMPACTS.contains(&s))
        {
            violation(format!("impact_override {}", incident["impact_override"]));
        }
        if !incident["body"].is_string() {
            violation("no body".into());
        }
        for (id, status) in incident["components"].as_object().into_iter().flatten() {
            if !status
                .as_str()
                .is_some_and(|s| COMPONENT_STATUSES.contains(&s))
            {
                violation(format!("component {id}: {status}"));
            }
        }
        if !incident["component_ids"].is_array() {
            violation("component_ids is not a list".into());
        }
        if request.method == "POST" {
            let name = incident["name"].as_str().unwrap_or_default();
            if name.is_empty() || name.chars().count() > 255 {
                violation("name missing or over 255 characters".into());
            }
            if !incident["metadata"]
                .as_object()
                .is_some_and(|m| m.values().all(|v| v.is_object()))
            {
                violation("metadata top-level values must be objects".into());
            }
        }
    }
}

/// Answers as Statuspage does, keeping the page's incidents.
fn serve(request: &Request, state: &mut PageState) -> Answer {
    check(request, state);
    let incidents_path = format!("/v1/pages/{PAGE}/incidents");
    let json = |status: u16, value: serde_json::Value| Some((status, vec![], value.to_string()));
    match (request.method.as_str(), request.path()) {
        ("POST", path) if path == incidents_path => {
            let incident = &request.body["incident"];
            let n = state.incidents.len() + 1;
            let created = serde_json::json!({
                "id": format!("pginc{n}"),
                "name": incident["name"],
                "status": incident["status"],
                "impact": incident["impact_override"],
                "metadata": incident["metadata"],
                "components": incident["components"],
                "incident_updates": [{
                    "id": format!("upd{n}-1"),
                    "status": incident["status"],
                    "body": incident["body"],
                }],
            });
            state.incidents.push(created.clone());
            json(201, created)
        }
        ("GET", path) if path == incidents_path => {
            let mut newest_first = state.incidents.clone();
            newest_first.reverse();
            json(200, serde_json::Value::Array(newest_first))
        }
        (method, path) if path.starts_with(&format!("{incidents_path}/")) => {
            let id = &path[incidents_path.len() + 1..];
            let Some(incident) = state.incidents.iter_mut().find(|i| i["id"] == id) else {
                return json(404, serde_json::json!({"error": "Record not found"}));
            };
            if method == "PATCH" {
                let update = &request.body["incident"];
                incident["status"] = update["status"].clone();
                incident["components"] = update["components"].clone();
                let updates = incident["incident_updates"].as_array_mut()?;
                let n = updates.len() + 1;
                updates.insert(
                    0,
                    serde_json::json!({
                        "id": format!("upd-{id}-{n}"),
                        "status": update["status"],
                        "body": update["body"],
                    }),
                );
            }
            json(200, incident.clone())
        }
        _ => {
            state.violations.push(format!(
                "{} {}: no such endpoint",
                request.method, request.target
            ));
            json(404, serde_json::json!({"error": "Not found"}))
        }
    }
}

/// A fault the test puts on one request.
enum Fault {
    /// Answer this instead of serving it.
    Answer(u16, &'static str, &'static str),
    /// Serve it (the page changes), then drop the answer on the way back.
    LoseAnswer,
}

struct FakePage {
    api: FakeApi,
    state: Arc<Mutex<PageState>>,
}

impl FakePage {
    /// The fake page; `script` may put a fault on a request, by its
    /// position among all requests (1 is the first).
    fn start(
        script: impl Fn(usize, &Request) -> Option<Fault> + Send + 'static,
    ) -> Outcome<FakePage> {
        let state = Arc::new(Mutex::new(PageState::default()));
        let shared = state.clone();
        let mut count = 0;
        let api = FakeApi::start(move |request| {
            count += 1;
            let Ok(mut state) = shared.lock() else {
                return None;
            };
            match script(count, request) {
                Some(Fault::Answer(status, retry_after, body)) => {
                    check(request, &mut state);
                    let headers = if retry_after.is_empty() {
                        vec![]
                    } else {
                        vec![("Retry-After", retry_after.to_owned())]
                    };
                    Some((status, headers, body.to_owned()))
                }
                Some(Fault::LoseAnswer) => {
                    serve(request, &mut state);
                    None
                }
                None => serve(request, &mut state),
            }
        })?;
        Ok(FakePage { api, state })
    }

    fn access(&self, services: &[(&str, &str)]) -> Access {
        let settings = StatuspageTarget {
            page_id: PAGE.into(),
            components: services
                .iter()
                .map(|(service, id)| ComponentMapping {
                    service: (*service).into(),
                    component_id: (*id).into(),
                })
                .collect(),
            api: Some(format!("{}/v1", self.api.base)),
        };
        Access::Statuspage {
            page: Page {
                api: format!("{}/v1", self.api.base),
                page_id: PAGE.into(),
                key: KEY.into(),
            },
            settings,
        }
    }

    fn incidents(&self) -> Vec<serde_json::Value> {
        self.state
            .lock()
            .map(|s| s.incidents.clone())
            .unwrap_or_default()
    }

    fn violations(&self) -> Vec<String> {
        self.state
            .lock()
            .map(|s| s.violations.clone())
            .unwrap_or_default()
    }
}

#[test]
fn contract_one_page_incident_is_created_updated_and_resolved() -> Outcome<()> {
    let page = FakePage::start(|_, _| None)?;
    let access = page.access(&[("Payments", "cmp-payments"), ("Search", "cmp-search")]);
    let incident = Incident::declare(IncidentKind::Outage, "L1", &["Payments", "Checkout"])?;
    let desk = &incident.desk;

    let first = incident.message(Channel::StatusPage, "We are investigating failed payments.")?;
    desk.queue_publication(&incident.reference, &first.id, PublishTarget::Statuspage)?;
    let attempts = attempt_due(desk, &access)?;
    assert!(
        matches!(attempts.as_slice(), [Attempt::Confirmed { .. }]),
        "{attempts:?}"
    );
    let sent = incident.message_now(&first.id)?;
    assert_eq!(sent.state, CommunicationState::Sent);
    assert_eq!(sent.sent_via, Some(PublishTarget::Statuspage));
    assert_eq!(sent.service_thread.as_deref(), Some("pginc1"));

    desk.set_status(&incident.reference, PublicStatus::Identified, None)?;
    let second = incident.message(
        Channel::StatusPage,
        "The cause is a bad deploy; rolling back.",
    )?;
    desk.queue_publication(&incident.reference, &second.id, PublishTarget::Statuspage)?;
    attempt_due(desk, &access)?;

    desk.set_status(&incident.reference, PublicStatus::Resolved, None)?;
    let third = incident.message(Channel::StatusPage, "Payments work again.")?;
    desk.queue_publication(&incident.reference, &third.id, PublishTarget::Statuspage)?;
    attempt_due(desk, &access)?;

    let incidents = page.incidents();
    assert_eq!(incidents.len(), 1, "one page incident: {incidents:?}");
    let on_page = &incidents[0];
    assert_eq!(on_page["name"], "Checkout errors");
    assert_eq!(on_page["impact"], "major", "L1");
    assert_eq!(on_page["status"], "resolved");
    assert_eq!(
        on_page["components"],
        serde_json::json!({"cmp-payments": "operational"}),
        "only mapped services; back to operational"
    );
    let bodies: Vec<&str> = on_page["incident_updates"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|u| u["body"].as_str())
        .collect();
    assert_eq!(
        bodies,
        vec![
            "Payments work again.",
            "The cause is a bad deploy; rolling back.",
            "We are investigating failed payments."
        ]
    );
    let requests = page.api.requests();
    let first_post = requests
        .iter()
        .find(|r| r.method == "POST")
        .ok_or("no create")?;
    assert_eq!(
        first_post.body["incident"]["components"],
        serde_json::json!({"cmp-payments": "major_outage"})
    );
    assert_eq!(
        first_post.body["incident"]["metadata"]["incident_desk"]["incident"],
        serde_json::json!(desk.incident(&incident.reference)?.record.id)
    );
    assert_eq!(page.violations(), Vec::<String>::new());
    Ok(())
}

#[test]
fn contract_an_answer_lost_after_the_create_does_not_make_a_second_page_incident() -> Outcome<()> {
    // The create is taken, but its answer never arrives.
    let page =
        FakePage::start(|_, request| (request.method == "POST").then_some(Fault::LoseAnswer))?;
    let access = page.access(&[]);
    let incident = Incident::declare(IncidentKind::Outage, "L2", &["Payments"])?;
    let desk = &incident.desk;
    let message = incident.message(Channel::StatusPage, "Investigating.")?;
    desk.queue_publication(&incident.reference, &message.id, PublishTarget::Statuspage)?;

    // Request 1 looks for an existing page incident; 2 creates it, unanswered.
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
    assert_eq!(page.incidents().len(), 1, "found, not created again");
    let posts = page
        .api
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(posts, 1);
    assert_eq!(
        incident.message_now(&message.id)?.service_thread.as_deref(),
        Some("pginc1")
    );
    assert_eq!(page.violations(), Vec::<String>::new());
    Ok(())
}

#[test]
fn contract_a_429_waits_its_retry_after_and_a_401_stops_with_the_reason() -> Outcome<()> {
    let page = FakePage::start(|n, _| match n {
        1 => Some(Fault::Answer(
            429,
            "30",
            r#"{"error":"Rate limit exceeded"}"#,
        )),
        2 => Some(Fault::Answer(
            401,
            "",
            r#"{"error":"Couldn't authenticate you"}"#,
        )),
        _ => None,
    })?;
    let access = page.access(&[]);
    let incident = Incident::declare(IncidentKind::Outage, "L2", &[])?;
    let desk = &incident.desk;
    let message = incident.message(Channel::StatusPage, "Investigating.")?;
    desk.queue_publication(&incident.reference, &message.id, PublishTarget::Statuspage)?;

    let before = SystemClock.now();
    let attempts = attempt_due(desk, &access)?;
    assert!(
        matches!(attempts.as_slice(), [Attempt::Retry { .. }]),
        "{attempts:?}"
    );
    let waiting = desk.queued_publications()?;
    assert!(
        waiting[0].next_attempt_at.millis() - before.millis() >= 30_000,
        "waits the Retry-After"
    );
    assert!(
        waiting[0]
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("slow down"))
    );

    due_now(&incident)?;
    let attempts = attempt_due(desk, &access)?;
    assert!(
        matches!(attempts.as_slice(), [Attempt::Refused { .. }]),
        "{attempts:?}"
    );
    let stopped = incident.message_now(&message.id)?;
    assert_ne!(stopped.state, CommunicationState::Sent);
    assert!(
        stopped.publish_error.as_deref().is_some_and(
            |e| e.contains("refused the API key") && e.contains("Couldn't authenticate you")
        ),
        "{:?}",
        stopped.publish_error
    );
    assert!(desk.queued_publications()?.is_empty(), "no more retries");
    assert_eq!(page.violations(), Vec::<String>::new());
    Ok(())
}
