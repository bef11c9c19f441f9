//! `make bench` (whole-app part): the real window on a board of 200 open
//! incidents and 50,000 timeline entries.
//! - Time from a committed change to the board showing it, for a change made
//!   by another process (the idesk path) and for one made from the window.
//!   The page records the moment its DOM shows the change
//!   (MutationObserver), so WebDriver's own latency is not counted.
//! - The app's memory (PSS of the app and its WebKit processes) and CPU
//!   after idling on the board (`IDLE_SECS`, default 600).

use e2e::procs::{cpu_ticks, group_memory};
use e2e::{Session, SessionOptions};
use incident_core::Desk;
use incident_core::desk::Declaration;
use incident_core::domain::{IncidentKind, PublicStatus, Role};
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const OPEN_DEFAULT: usize = 200;
const ENTRIES: usize = 50_000;
const RUNS: usize = 40;

/// Open incidents on the board (`BENCH_OPEN` overrides, for comparisons).
fn open_count() -> usize {
    std::env::var("BENCH_OPEN")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(OPEN_DEFAULT)
}

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("board-bench: {error}");
            ExitCode::FAILURE
        }
    }
}

fn seed(db: &std::path::Path) -> BenchResult<()> {
    let open = open_count();
    let desk = Desk::open(db)?.with_author("bench")?;
    for i in 0..open {
        let level = if i % 4 == 0 { "L1" } else { "L2" };
        let record = desk.declare(Declaration::new(
            &format!("Bench incident {i}"),
            IncidentKind::Outage,
            level,
        ))?;
        desk.assign(
            &record.reference,
            Role::Commander,
            &format!("Person {}", i % 25),
            None,
        )?;
    }
    let existing = 2 * open;
    for k in 0..ENTRIES.saturating_sub(existing) {
        desk.add_note(
            &format!("INC-{}", 1 + k % open),
            "Checked the dashboards",
            None,
            None,
        )?;
    }
    Ok(())
}

fn epoch_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(0.0)
}

/// Installs an observer that records (in page time, epoch ms) the moment
/// the board row `reference` shows `status`.
async fn watch_row(session: &Session, reference: &str, status: &str) -> BenchResult<()> {
    session
        .client
        .execute(
            "const [ref, text] = arguments;
             window.__seenAt = null;
             const shown = () => {
               const cell = document.querySelector(`[data-ref='${ref}'] [data-testid=incident-status]`);
               return cell !== null && cell.textContent.trim() === text;
             };
             const observer = new MutationObserver(() => {
               if (shown()) { window.__seenAt = performance.timeOrigin + performance.now(); observer.disconnect(); }
             });
             observer.observe(document.body, { subtree: true, childList: true, characterData: true });",
            vec![serde_json::json!(reference), serde_json::json!(status)],
        )
        .await?;
    Ok(())
}

async fn seen_at(session: &Session) -> BenchResult<f64> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let value = session
            .client
            .execute("return window.__seenAt;", vec![])
            .await?;
        if let Some(at) = value.as_f64() {
            return Ok(at);
        }
        if Instant::now() > deadline {
            return Err("the board did not show the change within 10 s".into());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn summary(name: &str, mut values: Vec<f64>) -> String {
    values.sort_by(|a, b| a.total_cmp(b));
    let at =
        |q: f64| values[((values.len() as f64 * q).ceil() as usize).clamp(1, values.len()) - 1];
    format!(
        "| {name} | {} | {:.1} ms | {:.1} ms | {:.1} ms |",
        values.len(),
        at(0.5),
        at(0.95),
        at(1.0)
    )
}

async fn run() -> BenchResult<()> {
    let open = open_count();
    let idle = Duration::from_secs(
        std::env::var("IDLE_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(600),
    );
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("bench.db");
    let seeding = Instant::now();
    seed(&db)?;
    eprintln!(
        "seeded {open} incidents, {ENTRIES} entries in {:?}",
        seeding.elapsed()
    );

    let options = SessionOptions {
        db: Some(db.clone()),
        ..SessionOptions::default()
    };
    let session = Session::start_with("board-bench", options).await?;
    session
        .wait_for_text(
            "[data-testid=open-count]",
            &format!("{open} open"),
            Duration::from_secs(30),
        )
        .await?;

    // Another process's write (a second connection, as idesk has).
    let other = Desk::open(&db)?.with_author("bench")?;
    let timing = Instant::now();
    for _ in 0..5 {
        other.list_incidents(false)?;
    }
    eprintln!("board query (this build): {:?} each", timing.elapsed() / 5);
    let mut external = Vec::new();
    for run in 0..RUNS {
        let reference = format!("INC-{}", run % open + 1);
        watch_row(&session, &reference, "Identified").await?;
        other.set_status(&reference, PublicStatus::Identified, None)?;
        let committed = epoch_ms();
        external.push(seen_at(&session).await? - committed);
    }

    // A change made from the window itself, through its own command.
    let mut in_window = Vec::new();
    for run in 0..RUNS {
        let reference = format!("INC-{}", RUNS + run + 1);
        watch_row(&session, &reference, "Identified").await?;
        let started: f64 = session
            .client
            .execute(
                "const t0 = performance.timeOrigin + performance.now();
                 window.__TAURI_INTERNALS__.invoke('set_status', { reference: arguments[0], status: 'identified' });
                 return t0;",
                vec![serde_json::json!(reference)],
            )
            .await?
            .as_f64()
            .unwrap_or(0.0);
        in_window.push(seen_at(&session).await? - started);
    }

    let pgid = session.pids().driver_group;
    let watched = ["incident-desk", "WebKitWebProces", "WebKitNetworkPr"];
    let before = group_memory(pgid, &watched);
    let ticks_before: Vec<(u32, u64)> = before.iter().map(|p| (p.pid, cpu_ticks(p.pid))).collect();
    let cpu_before: u64 = ticks_before.iter().map(|(_, t)| t).sum();
    eprintln!("idling on the board for {idle:?}…");
    tokio::time::sleep(idle).await;
    let after = group_memory(pgid, &watched);
    let cpu_after: u64 = after.iter().map(|p| cpu_ticks(p.pid)).sum();
    for p in &after {
        let start = ticks_before
            .iter()
            .find(|(pid, _)| *pid == p.pid)
            .map(|(_, t)| *t)
            .unwrap_or(0);
        eprintln!(
            "cpu {}: {} ticks",
            p.name,
            cpu_ticks(p.pid).saturating_sub(start)
        );
    }
    session.close().await?;

    let ticks_per_sec = 100.0; // USER_HZ on Linux
    let cpu_percent =
        (cpu_after.saturating_sub(cpu_before)) as f64 / ticks_per_sec / idle.as_secs_f64() * 100.0;
    println!(
        "| Change shown on the board ({open} open, {ENTRIES} entries) | runs | p50 | p95 | max |"
    );
    println!("| --- | --- | --- | --- | --- |");
    if std::env::var_os("BENCH_VERBOSE").is_some() {
        eprintln!("external: {external:.0?}\nin window: {in_window:.0?}");
    }
    println!(
        "{}",
        summary("written by another process (idesk path)", external)
    );
    println!("{}", summary("made from the window", in_window));
    println!();
    println!(
        "| Process | PSS after load | PSS after {} s idle | RSS after idle |",
        idle.as_secs()
    );
    println!("| --- | --- | --- | --- |");
    let mut total = (0, 0);
    for p in &after {
        let start = before
            .iter()
            .find(|b| b.pid == p.pid)
            .map(|b| b.pss_kib)
            .unwrap_or(0);
        total.0 += start;
        total.1 += p.pss_kib;
        println!(
            "| {} | {:.0} MiB | {:.0} MiB | {:.0} MiB |",
            p.name,
            start as f64 / 1024.0,
            p.pss_kib as f64 / 1024.0,
            p.rss_kib as f64 / 1024.0
        );
    }
    println!(
        "| **total** | {:.0} MiB | {:.0} MiB | |",
        total.0 as f64 / 1024.0,
        total.1 as f64 / 1024.0
    );
    println!();
    println!(
        "CPU while idle on the board: {cpu_percent:.2}% of one core (app + WebKit processes, {} s)",
        idle.as_secs()
    );
    Ok(())
}
