use super::formats::{Format, parse};
use crate::domain::Severity;
use crate::time::Timestamp;
use proptest::prelude::*;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/alerts/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|error| panic!("{path}: {error}"))
}

#[test]
fn alertmanager_alerts_keep_their_fingerprint_labels_and_start() {
    let alerts =
        parse(&fixture("alertmanager-firing.json"), None).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(alerts.len(), 2);
    let first = &alerts[0];
    assert_eq!(first.source, "alertmanager");
    assert_eq!(first.service, "checkout");
    assert_eq!(first.severity, Severity::Critical);
    assert_eq!(first.summary, "Checkout 5xx above 5% for 5 minutes");
    assert_eq!(first.fingerprint.as_deref(), Some("6f1e2c3a9b0d4e71"));
    assert!(!first.resolved);
    assert_eq!(
        first.started_at,
        Timestamp::parse("2026-11-30T09:12:00Z").ok()
    );
    assert!(
        first
            .link
            .as_deref()
            .is_some_and(|l| l.starts_with("http://prometheus.internal"))
    );
    // No summary annotation: the description is the text.
    assert_eq!(alerts[1].summary, "p99 latency 2.4s (threshold 1s)");
    assert_eq!(alerts[1].severity, Severity::Warning);

    let resolved =
        parse(&fixture("alertmanager-resolved.json"), None).unwrap_or_else(|e| panic!("{e}"));
    assert!(resolved[0].resolved);
    assert_eq!(resolved[0].fingerprint, first.fingerprint);
}

#[test]
fn grafana_is_told_apart_and_links_to_its_panel() {
    let alerts = parse(&fixture("grafana-firing.json"), None).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].source, "grafana");
    assert_eq!(alerts[0].service, "postgres-primary");
    assert_eq!(alerts[0].summary, "Disk usage on postgres-primary at 91%");
    assert_eq!(
        alerts[0].link.as_deref(),
        Some("https://grafana.internal/d/pg01?orgId=1&viewPanel=4")
    );
}

#[test]
fn checkly_failures_fire_and_recoveries_resolve_the_same_check() {
    let failed = parse(&fixture("checkly-failure.json"), None).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(failed[0].source, "checkly");
    assert!(failed[0].synthetic);
    assert_eq!(failed[0].severity, Severity::Critical);
    assert_eq!(failed[0].service, "Web app");
    assert!(
        failed[0].summary.contains("has failed: Timeout 30000ms"),
        "{}",
        failed[0].summary
    );
    let recovered =
        parse(&fixture("checkly-recovery.json"), None).unwrap_or_else(|e| panic!("{e}"));
    assert!(recovered[0].resolved);
    assert_eq!(recovered[0].fingerprint, failed[0].fingerprint);
}

#[test]
fn the_generic_format_takes_one_alert_or_a_list() {
    let one = parse(&fixture("generic-one.json"), None).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].source, "backup-cron");
    assert_eq!(one[0].fingerprint.as_deref(), Some("nightly-backup"));
    let list = parse(&fixture("generic-list.json"), Some(Format::Generic))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(list.len(), 2);
    assert!(list[0].synthetic);
    assert_eq!(list[1].severity, Severity::Warning);
}

#[test]
fn bad_payloads_are_refused_with_a_reason() {
    let cases: &[(&[u8], Option<Format>, &str)] = &[
        (b"{not json", None, "not valid JSON"),
        (b"[1, 2]", None, "JSON object"),
        (b"{\"hello\": 1}", None, "unknown payload shape"),
        (
            b"{\"version\": \"3\", \"groupKey\": \"x\", \"alerts\": []}",
            None,
            "version \"3\"",
        ),
        (b"{\"groupKey\": \"x\", \"alerts\": []}", None, "no alerts"),
        (
            b"{\"groupKey\": \"x\", \"alerts\": [7]}",
            None,
            "alert 1 is not an object",
        ),
        (
            b"{\"alertType\": \"ALERT_PARTY\", \"checkName\": \"x\"}",
            None,
            "unknown Checkly alert type",
        ),
        (
            b"{\"summary\": \"x\", \"service\": \"y\"}",
            None,
            "\"source\" is missing",
        ),
        (
            b"{\"summary\": \"x\", \"service\": \"y\", \"source\": \"z\", \"severity\": \"loud\"}",
            None,
            "alert severity",
        ),
        (
            b"{\"summary\": \"x\", \"service\": \"y\", \"source\": \"z\", \"status\": \"maybe\"}",
            None,
            "\"firing\" or \"resolved\"",
        ),
        (b"{\"alerts\": 5}", Some(Format::Generic), "must be a list"),
    ];
    for (body, format, expected) in cases {
        let error = parse(body, *format)
            .err()
            .unwrap_or_else(|| panic!("accepted {:?}", String::from_utf8_lossy(body)));
        assert!(
            error.0.contains(expected),
            "{:?}: {}",
            String::from_utf8_lossy(body),
            error.0
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn no_input_bytes_make_a_parser_panic(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        for format in [None, Some(Format::Alertmanager), Some(Format::Grafana), Some(Format::Checkly), Some(Format::Generic)] {
            let _ = parse(&body, format);
        }
    }

    #[test]
    fn no_json_shape_makes_a_parser_panic(value in json_value()) {
        let body = serde_json::to_vec(&value).unwrap_or_default();
        for format in [None, Some(Format::Alertmanager), Some(Format::Grafana), Some(Format::Checkly), Some(Format::Generic)] {
            if let Ok(alerts) = parse(&body, format) {
                prop_assert!(!alerts.is_empty());
            }
        }
    }
}

/// JSON values built from the keys the parsers look at, so the generator
/// reaches deep into each format rather than failing at the first field.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let keys = prop::sample::select(vec![
        "alerts",
        "labels",
        "annotations",
        "status",
        "fingerprint",
        "startsAt",
        "summary",
        "service",
        "source",
        "severity",
        "groupKey",
        "version",
        "orgId",
        "alertType",
        "checkName",
        "checkId",
        "link",
        "generatorURL",
        "panelURL",
        "started_at",
        "alertname",
        "commonLabels",
        "synthetic",
    ]);
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        prop::sample::select(vec![
            "4",
            "firing",
            "resolved",
            "critical",
            "ALERT_FAILURE",
            "ALERT_RECOVERY",
            "2026-11-30T09:00:00Z",
            "0001-01-01T00:00:00Z",
            "https://x.example",
            "",
            "\u{0}",
        ])
        .prop_map(serde_json::Value::from),
        ".{0,20}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            prop::collection::vec((keys.clone(), inner), 0..6).prop_map(|pairs| {
                serde_json::Value::Object(
                    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
                )
            }),
        ]
    })
}

#[test]
fn a_deploy_or_change_is_told_apart_from_a_problem() {
    let generic = br#"{"source": "ci", "service": "checkout", "summary": "4.2 deployed",
        "severity": "info", "change": true}"#;
    let parsed = parse(generic, Some(Format::Generic)).unwrap_or_else(|e| panic!("{e}"));
    assert!(parsed[0].change);
    let labelled = br#"{"receiver": "desk", "status": "firing", "alerts": [
        {"status": "firing", "labels": {"alertname": "Deploy", "service": "checkout", "kind": "deploy"},
         "annotations": {"summary": "checkout 4.2 rolled out"}},
        {"status": "firing", "labels": {"alertname": "HighErrors", "service": "checkout"},
         "annotations": {"summary": "5xx above 5%"}}]}"#;
    let parsed = parse(labelled, Some(Format::Alertmanager)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        parsed.iter().map(|a| a.change).collect::<Vec<_>>(),
        vec![true, false]
    );
}
