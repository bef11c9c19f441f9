//! `make bench` (window part): the app side by side with a bare Tauri window
//! (`tests/bare-window`, same Tauri build), one after the other in one run,
//! on the same Xvfb display size and with the same WebKit:
//! - first content: from the process start to the first frame that shows
//!   the content (the page's `first-content` mark: the bare page's text, the
//!   board with its rows), median of `FIRST_RUNS` launches (default 3);
//! - PSS of the app and its WebKit processes after idling `IDLE_SECS`
//!   (default 120);
//! - CPU while idle, per process.
//!
//! The app runs an empty board, 5 open L1 incidents whose deadlines are
//! overdue, and 200 open incidents (50,000 timeline entries) with overdue
//! and ticking deadlines; the nudge cards of the overdue ones are present.

use e2e::procs::{cpu_ticks, group_memory, started_at_epoch_ms};
use e2e::{Session, SessionOptions, bare_window_binary};
use incident_core::Desk;
use incident_core::desk::Declaration;
use incident_core::domain::{IncidentKind, Role};
use incident_core::time::Timestamp;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

const WEB_PROCESS: &str = "WebKitWebProces";
const NETWORK_PROCESS: &str = "WebKitNetworkPr";

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("window-bench: {error}");
            ExitCode::FAILURE
        }
    }
}

struct Scenario {
    /// For screenshots and `WINDOW_BENCH_ONLY` (a comma-separated list).
    name: &'static str,
    label: &'static str,
    /// None: the bare window; Some(n): the app with n open incidents.
    open: Option<usize>,
    entries: usize,
}

const SCENARIOS: [Scenario; 4] = [
    Scenario {
        name: "bare",
        label: "bare Tauri window",
        open: None,
        entries: 0,
    },
    Scenario {
        name: "empty",
        label: "Incident Desk, empty board",
        open: Some(0),
        entries: 0,
    },
    Scenario {
        name: "five",
        label: "Incident Desk, 5 open L1 incidents, deadlines overdue",
        open: Some(5),
        entries: 0,
    },
    Scenario {
        name: "many",
        label: "Incident Desk, 200 open incidents (50,000 entries), deadlines overdue",
        open: Some(200),
        entries: 50_000,
    },
];

struct Measured {
    label: &'static str,
    first_content_ms: Vec<f64>,
    idle: Vec<ProcessIdle>,
    idle_secs: f64,
    nudge_cards: u64,
    /// What the page did while idle: commands it called, DOM mutations.
    activity: String,
}

struct ProcessIdle {
    name: String,
    pss_kib: u64,
    ticks: u64,
}

impl Measured {
    fn median_first(&self) -> f64 {
        let mut values = self.first_content_ms.clone();
        values.sort_by(|a, b| a.total_cmp(b));
        values
            .get(values.len().saturating_sub(1) / 2)
            .copied()
            .unwrap_or(f64::NAN)
    }
    fn pss_mib(&self) -> f64 {
        self.idle.iter().map(|p| p.pss_kib).sum::<u64>() as f64 / 1024.0
    }
    fn cpu_percent(&self, ticks: u64) -> f64 {
        // USER_HZ is 100 on Linux: a tick is 10 ms.
        ticks as f64 / 100.0 / self.idle_secs * 100.0
    }
    fn total_cpu(&self) -> f64 {
        self.cpu_percent(self.idle.iter().map(|p| p.ticks).sum())
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Open incidents declared 20–110 minutes ago: their first deadlines are
/// overdue, the recurring ones partly still running.
fn seed(db: &Path, open: usize, entries: usize) -> BenchResult<()> {
    let desk = Desk::open(db)?.with_author("bench")?;
    seed_into(&desk, open, entries)?;
    // Closing the last connection folds the WAL into the file, which is
    // then the whole database (copied for each launch).
    drop(desk);
    Ok(())
}

fn seed_into(desk: &Desk, open: usize, entries: usize) -> BenchResult<()> {
    for i in 0..open {
        let level = if open <= 5 || i % 4 == 0 { "L1" } else { "L2" };
        let mut declaration = Declaration::new(
            &format!("Bench incident {i}: checkout errors in region {}", i % 7),
            IncidentKind::Outage,
            level,
        );
        let minutes_ago = 20 + (i as i64 * 7) % 90;
        declaration.at = Some(Timestamp::from_millis(now_ms() - minutes_ago * 60_000));
        let record = desk.declare(declaration)?;
        desk.assign(
            &record.reference,
            Role::Commander,
            &format!("Person {}", i % 25),
            None,
        )?;
    }
    for k in 0..entries.saturating_sub(2 * open) {
        desk.add_note(
            &format!("INC-{}", 1 + k % open.max(1)),
            "Checked the dashboards",
            None,
            None,
        )?;
    }
    Ok(())
}

fn main_process_name(bare: bool) -> &'static str {
    if bare { "bare-window" } else { "incident-desk" }
}

/// Runs a script in the page, bounded: no call may hang the bench.
async fn js(
    session: &Session,
    script: &str,
    args: Vec<serde_json::Value>,
) -> BenchResult<serde_json::Value> {
    Ok(e2e::within(
        "a script in the window",
        Duration::from_secs(15),
        session.client.execute(script, args),
    )
    .await??)
}

/// Waits for the page's `first-content` mark; its time in epoch ms.
async fn first_content_at(session: &Session) -> BenchResult<f64> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let value = js(
            session,
            "const [mark] = performance.getEntriesByName('first-content');
                 return mark ? performance.timeOrigin + mark.startTime : null;",
            vec![],
        )
        .await?;
        if let Some(at) = value.as_f64() {
            return Ok(at);
        }
        if Instant::now() > deadline {
            return Err("the window showed no content within 60 s".into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn launch(bare: bool, db: Option<&PathBuf>, name: &str) -> BenchResult<(Session, f64)> {
    // BENCH_APP_ENV=K=V,K=V: extra environment for the window (to try a
    // WebKit setting side by side).
    let env = std::env::var("BENCH_APP_ENV")
        .unwrap_or_default()
        .split(',')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let options = SessionOptions {
        db: db.cloned(),
        notifications: !bare,
        binary: bare.then(bare_window_binary),
        env,
    };
    let session = Session::start_with(name, options).await?;
    let shown = first_content_at(&session).await?;
    let process = group_memory(session.pids().driver_group, &[main_process_name(bare)]);
    let started = process
        .first()
        .and_then(|p| started_at_epoch_ms(p.pid))
        .ok_or("the window's process was not found")?;
    // Where the time went: until the page began loading (native start-up:
    // the app's own and WebKit's), until its document was parsed, then
    // until the content showed.
    let phases = js(
        &session,
        "const [nav] = performance.getEntriesByType('navigation');
         const at = (name) => { const [m] = performance.getEntriesByName(name); return m ? m.startTime : null; };
         return [performance.timeOrigin, nav ? nav.domContentLoadedEventEnd : null, at('script'), at('board-data'), at('mounted'), at('rows-in-dom')];",
        vec![],
    )
    .await?;
    let origin = phases[0].as_f64().unwrap_or(f64::NAN);
    let parsed = phases[1].as_f64().unwrap_or(f64::NAN);
    // The app's own marks (absent in the bare window): its script began,
    // the board's first answer arrived.
    let mark = |i: usize| phases[i].as_f64().unwrap_or(f64::NAN);
    let marks = if phases[2].is_null() {
        String::new()
    } else {
        format!(
            " (script at +{:.0} ms, mounted +{:.0}, board data +{:.0}, rows in the DOM +{:.0})",
            mark(2),
            mark(4),
            mark(3),
            mark(5)
        )
    };
    eprintln!(
        "  native start-up {:.0} ms, document loaded +{parsed:.0} ms, content +{:.0} ms{marks}",
        origin - started,
        shown - origin - parsed
    );
    Ok((session, shown - started))
}

async fn measure(scenario: &Scenario, runs: u64, idle: Duration) -> BenchResult<Measured> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("bench.db");
    let bare = scenario.open.is_none();
    if let Some(open) = scenario.open {
        let seeding = Instant::now();
        seed(&db, open, scenario.entries)?;
        eprintln!("{}: seeded in {:?}", scenario.label, seeding.elapsed());
    }
    let mut first_content_ms = Vec::new();
    for run in 0..runs {
        // Each launch starts from the seeded database as it was: a launch
        // records its nudges as shown, and the next would have none.
        let copy = dir.path().join(format!("run-{run}.db"));
        if !bare {
            std::fs::copy(&db, &copy)?;
        }
        let copy = (!bare).then_some(copy);
        let (session, first) = launch(bare, copy.as_ref(), "window-bench").await?;
        eprintln!("{}: first content {first:.0} ms", scenario.label);
        first_content_ms.push(first);
        if run + 1 < runs {
            session.close().await?;
            continue;
        }
        if let Some(open) = scenario.open {
            session
                .wait_for_text(
                    "[data-testid=open-count]",
                    &format!("{open} open"),
                    Duration::from_secs(30),
                )
                .await?;
        }
        // Let the startup work (nudges, first checks) settle before idling.
        tokio::time::sleep(Duration::from_secs(10)).await;
        let nudge_cards = js(
            &session,
            "return document.querySelectorAll('[data-testid=nudge]').length;",
            vec![],
        )
        .await?
        .as_u64()
        .unwrap_or(0);
        match session
            .screenshot(&format!("window-bench-{}", scenario.name))
            .await
        {
            Ok(shot) => eprintln!("{}: screenshot {}", scenario.label, shot.display()),
            Err(error) => eprintln!("{}: no screenshot ({error})", scenario.label),
        }
        let watched = [main_process_name(bare), WEB_PROCESS, NETWORK_PROCESS];
        let pgid = session.pids().driver_group;
        let before: Vec<(u32, u64)> = group_memory(pgid, &watched)
            .iter()
            .map(|p| (p.pid, cpu_ticks(p.pid)))
            .collect();
        js(&session, WATCH_ACTIVITY, vec![]).await?;
        // BENCH_PROBE_TICK_MS=N: a text that changes every N ms, to price
        // one repaint of this window.
        if let Ok(ms) = std::env::var("BENCH_PROBE_TICK_MS") {
            js(&session,
                    "const probe = document.createElement('span');
                     document.body.appendChild(probe);
                     let n = 0;
                     setInterval(() => { probe.textContent = String(n++); }, Number(arguments[0]));",
                    vec![serde_json::json!(ms)],
                )
                .await?;
        }
        // BENCH_PROBE_SCRIPT=JS: run in the page before idling, to see what
        // a change to the page does to the figures (an experiment).
        if let Ok(script) = std::env::var("BENCH_PROBE_SCRIPT") {
            js(&session, &script, vec![]).await?;
        }
        tokio::time::sleep(idle).await;
        let activity = js(&session, "return JSON.stringify(window.__idle);", vec![])
            .await?
            .as_str()
            .unwrap_or("null")
            .to_owned();
        let idle_processes = group_memory(pgid, &watched)
            .into_iter()
            .map(|p| {
                let start = before
                    .iter()
                    .find(|(pid, _)| *pid == p.pid)
                    .map(|(_, t)| *t)
                    .unwrap_or(0);
                ProcessIdle {
                    ticks: cpu_ticks(p.pid).saturating_sub(start),
                    pss_kib: p.pss_kib,
                    name: p.name,
                }
            })
            .collect();
        if std::env::var_os("BENCH_KEEP_LOGS").is_some() {
            keep_logs(&session, scenario.name);
        }
        session.close().await?;
        return Ok(Measured {
            label: scenario.label,
            first_content_ms,
            idle: idle_processes,
            idle_secs: idle.as_secs_f64(),
            nudge_cards,
            activity,
        });
    }
    Err("no launch was measured (FIRST_RUNS must be at least 1)".into())
}

/// Copies the app's log beside the screenshots (`BENCH_KEEP_LOGS`), to
/// see what its startup did and when.
fn keep_logs(session: &Session, name: &str) {
    let to = e2e::e2e_output_dir().join(format!("window-bench-{name}-logs"));
    let _ = std::fs::create_dir_all(&to);
    if let Ok(entries) = std::fs::read_dir(&session.log_dir) {
        for entry in entries.flatten() {
            let _ = std::fs::copy(entry.path(), to.join(entry.file_name()));
        }
    }
    eprintln!("logs in {}", to.display());
}

/// Counts, while idle, the commands the page calls and its DOM mutations
/// (what woke it), so a figure can be explained, not only read.
const WATCH_ACTIVITY: &str = "
  window.__idle = { calls: {}, mutations: 0, timers: 0, animations: [] };
  const setTimer = window.setTimeout;
  window.setTimeout = function (...args) { window.__idle.timers += 1; return setTimer.apply(this, args); };
  setTimer(() => {
    window.__idle.animations = document.getAnimations().map((a) => a.animationName || a.transitionProperty || 'animation');
  }, 5000);
  const internals = window.__TAURI_INTERNALS__;
  if (internals) {
    const invoke = internals.invoke;
    internals.invoke = function (command, ...rest) {
      window.__idle.calls[command] = (window.__idle.calls[command] || 0) + 1;
      return invoke.call(this, command, ...rest);
    };
  }
  new MutationObserver((records) => { window.__idle.mutations += records.length; })
    .observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });";

fn short_name(name: &str) -> &str {
    match name {
        WEB_PROCESS => "web process",
        NETWORK_PROCESS => "network process",
        _ => "app",
    }
}

fn report(results: &[Measured]) {
    let Some(bare) = results.first() else { return };
    println!("| | first content | PSS after idle | CPU idle (% of a core) | nudge cards |");
    println!("| --- | --- | --- | --- | --- |");
    for m in results {
        println!(
            "| {} | {:.2} s ({:.2}×) | {:.0} MiB (+{:.0}) | {:.2} % | {} |",
            m.label,
            m.median_first() / 1000.0,
            m.median_first() / bare.median_first(),
            m.pss_mib(),
            m.pss_mib() - bare.pss_mib(),
            m.total_cpu(),
            m.nudge_cards
        );
    }
    println!();
    println!("| Per process (PSS after idle / CPU idle) | app | web process | network process |");
    println!("| --- | --- | --- | --- |");
    for m in results {
        let cell = |wanted: &str| {
            m.idle
                .iter()
                .filter(|p| short_name(&p.name) == wanted)
                .map(|p| {
                    format!(
                        "{:.0} MiB / {:.2} %",
                        p.pss_kib as f64 / 1024.0,
                        m.cpu_percent(p.ticks)
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        println!(
            "| {} | {} | {} | {} |",
            m.label,
            cell("app"),
            cell("web process"),
            cell("network process")
        );
    }
    println!();
    for m in results {
        println!("- {}: while idle {}", m.label, m.activity);
    }
    println!();
    println!(
        "First content: median of {} launches; idle: {} s, after 10 s of settling.",
        bare.first_content_ms.len(),
        bare.idle_secs
    );
}

async fn run() -> BenchResult<()> {
    let runs = env_number("FIRST_RUNS", 3);
    let idle = Duration::from_secs(env_number("IDLE_SECS", 120));
    if !bare_window_binary().exists() {
        return Err(format!(
            "{} is missing: build it beside the app (make bench does)",
            bare_window_binary().display()
        )
        .into());
    }
    let only = std::env::var("WINDOW_BENCH_ONLY").unwrap_or_default();
    let mut results = Vec::new();
    for scenario in SCENARIOS
        .iter()
        .filter(|s| only.is_empty() || only.split(',').any(|name| name == s.name))
    {
        results.push(measure(scenario, runs, idle).await?);
    }
    report(&results);
    Ok(())
}
