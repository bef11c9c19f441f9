//! `make bench` (deadlines part), in the real app with a real notification
//! daemon (dunst on a private bus):
//! - time from a deadline passing to the notification arriving, over 20
//!   deadlines;
//! - CPU while idle with 50 open incidents, with the deadline policies off
//!   and then on (their deadlines running), measured the same way one after
//!   the other (`IDLE_SECS` each, default 120).

use e2e::procs::{cpu_ticks, group_memory};
use e2e::{Session, SessionOptions};
use incident_core::Desk;
use incident_core::desk::Declaration;
use incident_core::domain::{IncidentKind, PolicyKey, Span};
use std::process::ExitCode;
use std::time::{Duration, Instant};

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

const NUDGES: usize = 20;
const IDLE_INCIDENTS: usize = 50;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("nudge-bench: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn notification_latency() -> BenchResult<Vec<f64>> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("nudges.db");
    let desk = Desk::open(&db)?.with_author("bench")?;
    for key in PolicyKey::ALL {
        desk.set_policy("L1", *key, None)?;
    }
    desk.set_policy("L1", PolicyKey::Classify, Some(Span::Seconds(2)))?;
    let options = SessionOptions {
        db: Some(db.clone()),
        notifications: true,
        ..SessionOptions::default()
    };
    let session = Session::start_with("nudge-bench", options).await?;
    session
        .wait_for("[data-testid=board]", Duration::from_secs(20))
        .await?;
    let mut due = Vec::new();
    for i in 0..NUDGES {
        let record = desk.declare(Declaration::new(
            &format!("Bench {i}"),
            IncidentKind::Outage,
            "L1",
        ))?;
        due.push((record.reference.clone(), record.declared_at.millis() + 2000));
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    let daemon = session
        .notifications
        .as_ref()
        .ok_or("no notification daemon")?;
    loop {
        if daemon.received().len() >= NUDGES || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let received = daemon.received();
    let mut latencies = Vec::new();
    for (reference, due_ms) in due {
        let prefix = format!("{reference} L1:");
        if let Some(n) = received.iter().find(|n| n.summary.starts_with(&prefix)) {
            latencies.push(n.at_ms as f64 - due_ms as f64);
        }
    }
    session.close().await?;
    Ok(latencies)
}

/// CPU (% of one core) of the app and its WebKit processes while idle.
async fn idle_cpu(policies_on: bool, idle: Duration) -> BenchResult<(f64, f64)> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("idle.db");
    let desk = Desk::open(&db)?.with_author("bench")?;
    if !policies_on {
        for level in ["L1", "L2"] {
            for key in PolicyKey::ALL {
                desk.set_policy(level, *key, None)?;
            }
        }
    }
    for i in 0..IDLE_INCIDENTS {
        let level = if i % 2 == 0 { "L1" } else { "L2" };
        desk.declare(Declaration::new(
            &format!("Idle {i}"),
            IncidentKind::Degradation,
            level,
        ))?;
    }
    let options = SessionOptions {
        db: Some(db),
        notifications: true,
        ..SessionOptions::default()
    };
    let session = Session::start_with(
        if policies_on {
            "idle-deadlines"
        } else {
            "idle-plain"
        },
        options,
    )
    .await?;
    session
        .wait_for_text(
            "[data-testid=open-count]",
            &format!("{IDLE_INCIDENTS} open"),
            Duration::from_secs(20),
        )
        .await?;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let processes = group_memory(
        session.pids().driver_group,
        &["incident-desk", "WebKitWebProces", "WebKitNetworkPr"],
    );
    let before: Vec<(String, u64)> = processes
        .iter()
        .map(|p| (p.name.clone(), cpu_ticks(p.pid)))
        .collect();
    tokio::time::sleep(idle).await;
    let mut app = 0u64;
    let mut all = 0u64;
    for (p, (name, start)) in processes.iter().zip(before) {
        let used = cpu_ticks(p.pid).saturating_sub(start);
        all += used;
        if name.starts_with("incident-desk") {
            app += used;
        }
    }
    session.close().await?;
    let percent = |ticks: u64| ticks as f64 / 100.0 / idle.as_secs_f64() * 100.0;
    Ok((percent(app), percent(all)))
}

async fn run() -> BenchResult<()> {
    let idle = Duration::from_secs(
        std::env::var("IDLE_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(120),
    );
    let mut latencies = notification_latency().await?;
    latencies.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| {
        latencies[((latencies.len() as f64 * q).ceil() as usize).clamp(1, latencies.len()) - 1]
    };
    let plain = idle_cpu(false, idle).await?;
    let running = idle_cpu(true, idle).await?;

    println!("| Deadline passing → notification received by the daemon | n | p50 | p95 | max |");
    println!("| --- | --- | --- | --- | --- |");
    println!(
        "| {NUDGES} classification deadlines (L1, 2 s) | {} | {:.0} ms | {:.0} ms | {:.0} ms |",
        latencies.len(),
        at(0.5),
        at(0.95),
        at(1.0)
    );
    println!();
    println!(
        "| Idle for {} s with {IDLE_INCIDENTS} open incidents | app process | app + WebKit |",
        idle.as_secs()
    );
    println!("| --- | --- | --- |");
    println!(
        "| deadline policies off (baseline) | {:.2}% | {:.2}% |",
        plain.0, plain.1
    );
    println!(
        "| deadline policies on, deadlines running | {:.2}% | {:.2}% |",
        running.0, running.1
    );
    Ok(())
}
