//! `idesk alert`, `idesk alerts` and `idesk intake`: the alert inbox and the
//! receiver's settings from a terminal or a cron job.

use crate::commands::{CliError, time};
use crate::output::Printer;
use crate::{AlertArgs, AlertsCommand, IntakeCommand};
use incident_core::desk::{Alert, Declaration};
use incident_core::domain::{AlertInput, IncidentKind};
use incident_core::format::duration;
use incident_core::intake::IntakeSettings;
use incident_core::{Desk, Timestamp};
use std::fmt::Write as _;

pub fn send(desk: &Desk, print: &Printer, args: AlertArgs) -> Result<(), CliError> {
    let mut input = AlertInput::new(
        &args.source,
        &args.service,
        args.severity.parse()?,
        &args.summary,
    );
    input.fingerprint = args.fingerprint;
    input.link = args.link;
    input.started_at = time("started_at", args.started_at.as_deref())?;
    input.synthetic = args.synthetic;
    input.change = args.change;
    input.resolved = args.resolved;
    let receipts = desk.receive_alerts(vec![input])?;
    let Some(receipt) = receipts.first() else {
        return Ok(());
    };
    print.value(receipt, || {
        let alert = &receipt.alert;
        let what = if alert.resolved_at.is_some() {
            "Resolved"
        } else if receipt.fired {
            "New alert"
        } else {
            "Repeated"
        };
        format!("{what} {}: {} ({}×)", alert.id, alert.summary, alert.count)
    })
}

pub fn inbox(
    desk: &Desk,
    print: &Printer,
    all: bool,
    command: Option<AlertsCommand>,
) -> Result<(), CliError> {
    match command {
        None => {
            let alerts = desk.alerts(all)?;
            print.value(&alerts, || listing(&alerts, desk.now()))
        }
        Some(AlertsCommand::Declare {
            id,
            title,
            kind,
            level,
        }) => {
            let suggestion = desk.alert_suggestion(&id)?;
            let kind: IncidentKind = match kind {
                Some(kind) => kind.parse()?,
                None => suggestion.kind,
            };
            let mut input = Declaration::new(
                title.as_deref().unwrap_or(&suggestion.title),
                kind,
                level.as_deref().unwrap_or(&suggestion.level),
            );
            input.source = Some(suggestion.source);
            input.started_at = Some(suggestion.started_at);
            let record = desk.declare_from_alert(&id, input)?;
            print.value(&record, || {
                format!(
                    "Declared {} from the alert: {} ({} {})",
                    record.reference, record.title, record.level, record.kind
                )
            })
        }
        Some(AlertsCommand::Attach { id, reference }) => {
            let entry = desk.attach_alert(&id, &reference)?;
            print.entry(&reference, &entry)
        }
        Some(AlertsCommand::Dismiss { id }) => {
            let alert = desk.dismiss_alert(&id)?;
            print.value(&alert, || {
                format!("Dismissed {}: {}", alert.id, alert.summary)
            })
        }
        Some(AlertsCommand::Mute { source }) => {
            let muted = desk.mute_source(&source, true)?;
            print.value(&muted, || format!("Muted: {}", muted.join(", ")))
        }
        Some(AlertsCommand::Unmute { source }) => {
            let muted = desk.mute_source(&source, false)?;
            print.value(&muted, || {
                if muted.is_empty() {
                    "No source is muted".to_owned()
                } else {
                    format!("Still muted: {}", muted.join(", "))
                }
            })
        }
    }
}

/// One line per alert: state, severity, source/service, count, age, summary.
fn listing(alerts: &[Alert], now: Timestamp) -> String {
    if alerts.is_empty() {
        return "No alerts".to_owned();
    }
    let mut out = String::new();
    for alert in alerts {
        let state = if alert.resolved_at.is_some() {
            "resolved"
        } else {
            "firing"
        };
        let belongs = alert
            .incident_ref
            .as_deref()
            .map(|r| format!(" → {r}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{:<8} {:<8} {:<28} {:>4}× {:>8}  {}{belongs}   [{}]",
            state,
            alert.severity,
            format!("{}/{}", alert.source, alert.service),
            alert.count,
            duration(now.seconds_since(alert.last_seen)),
            alert.summary,
            alert.id,
        );
    }
    out
}

pub fn intake(desk: &Desk, print: &Printer, command: IntakeCommand) -> Result<(), CliError> {
    let current = desk.intake_settings()?;
    let settings = match command {
        IntakeCommand::Show => current,
        IntakeCommand::Enable {
            port,
            token,
            address,
        } => desk.save_intake_settings(IntakeSettings {
            enabled: true,
            port: port.unwrap_or(current.port),
            token: token.unwrap_or(current.token.clone()),
            address: address.unwrap_or(current.address.clone()),
            ..current
        })?,
        IntakeCommand::Disable => desk.save_intake_settings(IntakeSettings {
            enabled: false,
            ..current
        })?,
    };
    print.value(&settings, || describe(&settings))
}

fn describe(settings: &IntakeSettings) -> String {
    let base = format!("http://{}:{}", settings.address, settings.port);
    let mut out = format!(
        "Receiver: {}\n",
        if settings.enabled { "on" } else { "off" }
    );
    let _ = writeln!(
        out,
        "Address: {base}/alerts (or /alerts/alertmanager, /grafana, /checkly, /generic)"
    );
    let _ = writeln!(
        out,
        "Token: {} (header \"Authorization: Bearer …\" or ?token=…)",
        settings.token
    );
    let _ = writeln!(
        out,
        "Limits: {} deliveries/s, bodies up to {} bytes",
        settings.rate_per_second, settings.max_body_bytes
    );
    if settings.is_exposed() {
        out.push_str("Warning: this address is reachable from other machines.\n");
    }
    out
}
