//! `make bench` (report part): the PDF export of an incident with 2,000
//! timeline entries — time per export and the process's peak memory.

use incident_core::desk::Declaration;
use incident_core::domain::{IncidentKind, Role, Stage, StageState};
use incident_core::{Desk, ManualClock, Timestamp};
use std::sync::Arc;
use std::time::{Duration, Instant};

const ENTRIES: usize = 2_000;
const RUNS: usize = 7;

/// Peak resident memory of this process so far (VmHWM), in MiB.
fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kib| kib.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let clock = ManualClock::new(Timestamp::parse("2026-11-30T08:00:00Z")?);
    let desk = Desk::open_with_clock(dir.path().join("bench.db"), Arc::new(clock.clone()))?
        .with_author("bench")?;
    desk.declare(Declaration::new(
        "A long night: checkout and payments down",
        IncidentKind::Outage,
        "L1",
    ))?;
    desk.assign("INC-1", Role::Commander, "Dana", None)?;
    desk.set_stage("INC-1", Stage::Remediate, StageState::Active, None, None)?;
    while desk.recorded_timeline("INC-1")?.len() < ENTRIES {
        clock.advance_secs(7);
        desk.add_note(
            "INC-1",
            "Checked the dashboards: error rate still at 12%, p95 latency 4.2 s — 東京 ✓",
            None,
            None,
        )?;
    }
    let export = desk.export("INC-1")?;
    let before = peak_mib();
    let mut times: Vec<Duration> = Vec::new();
    let mut pages_bytes = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        let pdf = incident_report::render_pdf(&export)?;
        times.push(start.elapsed());
        pages_bytes = pdf.len();
    }
    let first = times[0];
    times.sort();
    println!(
        "export of {} timeline entries: first {:.0} ms (fonts and template parsed once), median {:.0} ms, max {:.0} ms over {RUNS} runs; PDF {:.0} KiB; peak memory {:.0} MiB (before rendering {:.0} MiB)",
        export.timeline.len(),
        first.as_secs_f64() * 1000.0,
        times[RUNS / 2].as_secs_f64() * 1000.0,
        times[RUNS - 1].as_secs_f64() * 1000.0,
        pages_bytes as f64 / 1024.0,
        peak_mib(),
        before,
    );
    Ok(())
}
