//! `make bench` (alert intake): the real app with its receiver on; this
//! process (a second one) posts 10,000 alerts over loopback from 4
//! connections' worth of threads, 100 distinct fingerprints, and meanwhile
//! measures how fast the window answers (the command palette opening),
//! against the same measure taken idle just before.

use e2e::http::{free_port, request};
use e2e::{Session, SessionOptions};
use fantoccini::key::Key;
use incident_core::Desk;
use incident_core::intake::IntakeSettings;
use std::net::TcpStream;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const ALERTS: usize = 10_000;
const THREADS: usize = 4;
const FINGERPRINTS: usize = 100;
const TOKEN: &str = "bench-token-0123456789abcdef";
const SAMPLES: usize = 15;

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("alert-bench: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Time from Ctrl+K to the palette's input being there (then Esc closes it).
async fn palette_latency(session: &Session) -> BenchResult<f64> {
    let start = Instant::now();
    session.chord(Key::Control, 'k').await?;
    session
        .wait_for("[data-testid=palette-input]", Duration::from_secs(10))
        .await?;
    let took = start.elapsed().as_secs_f64() * 1000.0;
    session.keys(&char::from(Key::Escape).to_string()).await?;
    tokio::time::sleep(Duration::from_millis(100)).await;
    Ok(took)
}

fn percentile(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let index = ((values.len() as f64 - 1.0) * p).round() as usize;
    values.get(index).copied().unwrap_or(f64::NAN)
}

async fn run() -> BenchResult<()> {
    let home = tempfile::tempdir()?;
    let db = home.path().join("bench.db");
    let port = free_port()?;
    {
        let desk = Desk::open(&db)?;
        let current = desk.intake_settings()?;
        desk.save_intake_settings(IntakeSettings {
            enabled: true,
            port,
            token: TOKEN.into(),
            rate_per_second: 100_000,
            ..current
        })?;
    }
    let session = Session::start_with(
        "alert-bench",
        SessionOptions {
            db: Some(db.clone()),
            ..SessionOptions::default()
        },
    )
    .await?;
    session
        .wait_for("[data-testid=board-empty]", Duration::from_secs(30))
        .await?;
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            return Err("the receiver never listened".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let mut idle = Vec::new();
    for _ in 0..SAMPLES {
        idle.push(palette_latency(&session).await?);
    }

    let next = Arc::new(AtomicUsize::new(0));
    let accepted = Arc::new(AtomicUsize::new(0));
    let other = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let loaders: Vec<_> = (0..THREADS)
        .map(|_| {
            let (next, accepted, other) = (next.clone(), accepted.clone(), other.clone());
            std::thread::spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= ALERTS {
                        break;
                    }
                    let body = serde_json::json!({
                        "source": "bench",
                        "service": format!("service-{}", i % FINGERPRINTS),
                        "summary": format!("Synthetic load {}", i % FINGERPRINTS),
                        "severity": "warning",
                        "fingerprint": format!("fp-{}", i % FINGERPRINTS),
                    })
                    .to_string();
                    match request(port, "POST", "/alerts/generic", TOKEN, body.as_bytes()) {
                        Ok(202) => accepted.fetch_add(1, Ordering::Relaxed),
                        _ => other.fetch_add(1, Ordering::Relaxed),
                    };
                }
            })
        })
        .collect();
    let mut loaded = Vec::new();
    let watcher = {
        let done = done.clone();
        let next = next.clone();
        std::thread::spawn(move || {
            while next.load(Ordering::Relaxed) < ALERTS {
                std::thread::sleep(Duration::from_millis(5));
            }
            done.store(true, Ordering::Relaxed);
        })
    };
    while !done.load(Ordering::Relaxed) {
        loaded.push(palette_latency(&session).await?);
    }
    for loader in loaders {
        let _ = loader.join();
    }
    let _ = watcher.join();
    let elapsed = started.elapsed().as_secs_f64();

    // The inbox shows the groups, and every delivery was counted.
    session
        .wait_for_text(
            "[data-testid=alert-count]",
            &format!("{FINGERPRINTS} firing"),
            Duration::from_secs(30),
        )
        .await?;
    let desk = Desk::open(&db)?;
    let alerts = desk.alerts(true)?;
    let counted: i64 = alerts.iter().map(|a| a.count).sum();

    let accepted = accepted.load(Ordering::Relaxed);
    println!(
        "alert-bench: {ALERTS} alerts, {THREADS} sending threads, {FINGERPRINTS} fingerprints"
    );
    println!(
        "  accepted {accepted}, refused or failed {}; {:.2} s; {:.0} alerts/s",
        other.load(Ordering::Relaxed),
        elapsed,
        accepted as f64 / elapsed
    );
    println!(
        "  inbox: {} lines, deliveries counted {counted}",
        alerts.len()
    );
    println!(
        "  palette opens (ms): idle p50 {:.0} / p95 {:.0} ({} samples); under load p50 {:.0} / p95 {:.0} ({} samples)",
        percentile(&mut idle, 0.5),
        percentile(&mut idle, 0.95),
        idle.len(),
        percentile(&mut loaded, 0.5),
        percentile(&mut loaded, 0.95),
        loaded.len()
    );
    session.close().await?;
    Ok(())
}
