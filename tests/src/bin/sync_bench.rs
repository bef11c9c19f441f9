//! Team sync, measured (part of `make bench`), against a real `nats-server`
//! on 127.0.0.1 started here:
//!
//! - a note written in one window shows in another window: two real app
//!   windows; each page records (MutationObserver, `Date.now()`, one
//!   machine's clock) when the note appears in its own timeline, so the
//!   figure is from shown-as-written in A to shown in B, WebDriver not counted;
//! - three laptops each burst 1,000 entries at once: time until all agree;
//! - the sync client's cost: the app's memory (PSS) and idle CPU in a team
//!   (connected) against the same app with sync off, in the same run.
//!
//! `NOTES` (default 40) and `IDLE_SECS` (default 60) change the run.

#[path = "../../../src-tauri/sync/tests/support/mod.rs"]
#[allow(clippy::all)]
mod support;

use e2e::procs::{cpu_ticks, group_memory};
use e2e::{Session, SessionOptions};
use incident_core::Desk;
use incident_core::desk::{CredentialKind, Declaration, TeamConnection};
use incident_core::domain::IncidentKind;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::{NatsServer, wait_for};

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

const WAIT: Duration = Duration::from_secs(30);

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn joined_desk(db: &Path, person: &str, server: &str) -> BenchResult<Desk> {
    let desk = Desk::open(db)?.with_author(person)?;
    desk.connect_team(
        "Bench",
        &TeamConnection {
            server: server.into(),
            user: person.to_lowercase(),
            credential: CredentialKind::None,
            ca_file: None,
        },
    )?;
    Ok(desk)
}

fn options(dir: &Path, db: &Path, person: &str) -> SessionOptions {
    SessionOptions {
        db: Some(db.to_path_buf()),
        env: vec![
            ("INCIDENT_DESK_AUTHOR".into(), person.into()),
            (
                "INCIDENT_DESK_SECRETS".into(),
                format!("file:{}", dir.join(format!("{person}-secrets")).display()),
            ),
        ],
        ..SessionOptions::default()
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

const OBSERVER: &str = r#"
window.__shown = {};
const target = document.querySelector('[data-testid=timeline]') || document.body;
new MutationObserver(() => {
  const text = target.textContent || '';
  for (const m of text.matchAll(/bench note (\d+)/g)) {
    if (!(m[1] in window.__shown)) window.__shown[m[1]] = Date.now();
  }
}).observe(target, { childList: true, subtree: true, characterData: true });
return true;
"#;

async fn window_to_window(server: &NatsServer, notes: u64) -> BenchResult<Vec<f64>> {
    let dir = tempfile::tempdir()?;
    let (a_db, b_db) = (dir.path().join("a.db"), dir.path().join("b.db"));
    let a_desk = joined_desk(&a_db, "Alice", &server.url())?;
    let declared = a_desk.declare(Declaration::new("Bench", IncidentKind::Outage, "L2"))?;
    drop(a_desk);
    drop(joined_desk(&b_db, "Bob", &server.url())?);
    let alice = Session::start_with("sync-bench-a", options(dir.path(), &a_db, "Alice")).await?;
    let bob =
        Session::start_alongside(&alice, "sync-bench-b", options(dir.path(), &b_db, "Bob")).await?;
    let row = format!("[data-ref='{}'] button.row", declared.reference);
    for window in [&alice, &bob] {
        window.wait_for(&row, WAIT).await?;
        window.click(&row).await?;
        window.wait_for("[data-testid=timeline]", WAIT).await?;
        window.script(OBSERVER).await?;
    }
    alice.click("[data-testid=scribe-input]").await?;
    let enter: char = fantoccini::key::Key::Enter.into();
    let mut latencies = Vec::new();
    for n in 0..notes {
        alice.keys(&format!("bench note {n}{enter}")).await?;
        let query = format!("return [window.__shown['{n}'] ?? null];");
        let started = Instant::now();
        let (shown_a, shown_b) = loop {
            let a = alice.script(&query).await?[0].as_f64();
            let b = bob.script(&query).await?[0].as_f64();
            if let (Some(a), Some(b)) = (a, b) {
                break (a, b);
            }
            if started.elapsed() > WAIT {
                return Err(format!("note {n} did not show in both windows").into());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        latencies.push(shown_b - shown_a);
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    bob.close().await?;
    alice.close().await?;
    Ok(latencies)
}

fn burst(server: &NatsServer, per_laptop: usize) -> BenchResult<Duration> {
    let dir = tempfile::tempdir()?;
    let secrets = incident_sync::SecretStore::file(dir.path().join("secrets"));
    let mut desks = Vec::new();
    let mut engines = Vec::new();
    for person in ["Alice", "Bob", "Cy"] {
        let desk = Arc::new(joined_desk(
            &dir.path().join(format!("{person}.db")),
            person,
            &server.url(),
        )?);
        engines.push(incident_sync::SyncEngine::start(desk.clone(), &secrets)?);
        desks.push(desk);
    }
    let declared = desks[0].declare(Declaration::new("Burst", IncidentKind::Outage, "L2"))?;
    for desk in &desks {
        wait_for("the incident everywhere", WAIT, || {
            Ok(desk.incident(&declared.id).is_ok())
        })?;
    }
    let started = Instant::now();
    let writers: Vec<_> = desks
        .iter()
        .map(|desk| {
            let desk = desk.clone();
            let id = declared.id.clone();
            std::thread::spawn(move || {
                for n in 0..per_laptop {
                    let _ = desk.add_note(&id, &format!("burst {n}"), None, None);
                }
            })
        })
        .collect();
    for writer in writers {
        let _ = writer.join();
    }
    let wrote = started.elapsed();
    let expected = 1 + 3 * per_laptop;
    for desk in &desks {
        wait_for("all three to agree", Duration::from_secs(300), || {
            Ok(desk.recorded_timeline(&declared.id)?.len() >= expected
                && desk.team_info()?.undelivered == 0)
        })?;
    }
    let agreed = started.elapsed();
    eprintln!("burst: writing took {wrote:?}, all agreed after {agreed:?}");
    for engine in engines {
        engine.stop(Duration::from_secs(5));
    }
    Ok(agreed)
}

/// (app PSS MiB, app CPU % of one core while idle) for a session.
async fn app_cost(server: Option<&NatsServer>, idle: Duration) -> BenchResult<(f64, f64)> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("idle.db");
    let desk = match server {
        Some(server) => joined_desk(&db, "Alice", &server.url())?,
        None => Desk::open(&db)?.with_author("Alice")?,
    };
    for i in 0..20 {
        desk.declare(Declaration::new(
            &format!("Idle {i}"),
            IncidentKind::Degradation,
            "L2",
        ))?;
    }
    drop(desk);
    let name = if server.is_some() {
        "sync-bench-on"
    } else {
        "sync-bench-off"
    };
    let session = Session::start_with(name, options(dir.path(), &db, "Alice")).await?;
    session
        .wait_for_text("[data-testid=open-count]", "20 open", WAIT)
        .await?;
    if server.is_some() {
        session
            .wait_for_text("[data-testid=sync-status]", "connected", WAIT)
            .await?;
    }
    tokio::time::sleep(Duration::from_secs(5)).await;
    let app = group_memory(session.pids().driver_group, &["incident-desk"]);
    let start: Vec<u64> = app.iter().map(|p| cpu_ticks(p.pid)).collect();
    tokio::time::sleep(idle).await;
    let used: u64 = app
        .iter()
        .zip(start)
        .map(|(p, s)| cpu_ticks(p.pid).saturating_sub(s))
        .sum();
    let pss: u64 = group_memory(session.pids().driver_group, &["incident-desk"])
        .iter()
        .map(|p| p.pss_kib)
        .sum();
    session.close().await?;
    Ok((
        pss as f64 / 1024.0,
        used as f64 / 100.0 / idle.as_secs_f64() * 100.0,
    ))
}

async fn run() -> BenchResult<()> {
    let server = NatsServer::start("")?;
    let notes = env_number("NOTES", 40);
    let idle = Duration::from_secs(env_number("IDLE_SECS", 60));

    let mut latencies = window_to_window(&server, notes).await?;
    latencies.sort_by(f64::total_cmp);
    println!(
        "note in window A → shown in window B ({} notes): p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms",
        latencies.len(),
        percentile(&latencies, 50.0),
        percentile(&latencies, 95.0),
        latencies.last().copied().unwrap_or(f64::NAN)
    );

    let agreed = burst(&server, 1000)?;
    println!(
        "three laptops burst 1,000 entries each: all agree after {:.2} s",
        agreed.as_secs_f64()
    );

    let (off_mib, off_cpu) = app_cost(None, idle).await?;
    let (on_mib, on_cpu) = app_cost(Some(&server), idle).await?;
    println!(
        "app process, idle {} s: sync off {off_mib:.1} MiB PSS, {off_cpu:.2}% CPU; sync on (connected) {on_mib:.1} MiB, {on_cpu:.2}% CPU; added {:.1} MiB, {:+.2} points",
        idle.as_secs(),
        on_mib - off_mib,
        on_cpu - off_cpu
    );
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("sync-bench: {error}");
            ExitCode::FAILURE
        }
    }
}
