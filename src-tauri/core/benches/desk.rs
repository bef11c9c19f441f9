//! `make bench`: the core's speed at the sizes a busy team reaches.
//! - declare an incident;
//! - append a timeline entry through the `Desk` (one transaction), against
//!   the baseline of a raw rusqlite INSERT of the same row into the same
//!   table, measured in the same run;
//! - load the command board with 1,000 open incidents and 200,000 entries.

use criterion::{Criterion, criterion_group, criterion_main};
use incident_core::desk::Declaration;
use incident_core::domain::{IncidentKind, Role, Stage, StageState};
use incident_core::{Desk, Timestamp};
use rusqlite::{Connection, params};
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

const INCIDENTS: usize = 1_000;
const ENTRIES: usize = 200_000;

/// 1,000 open incidents (with commanders and stage changes, through the
/// `Desk`), then notes up to 200,000 timeline entries in one bulk transaction.
fn seed(path: &Path) -> Result<Desk, Box<dyn std::error::Error>> {
    let desk = Desk::open(path)?.with_author("bench")?;
    for i in 0..INCIDENTS {
        let level = if i % 3 == 0 { "L1" } else { "L2" };
        let record = desk.declare(Declaration::new(
            &format!("Incident {i}"),
            IncidentKind::Outage,
            level,
        ))?;
        desk.assign(
            &record.reference,
            Role::Commander,
            &format!("Person {}", i % 40),
            None,
        )?;
        desk.set_stage(
            &record.reference,
            Stage::Remediate,
            StageState::Active,
            None,
            None,
        )?;
    }
    let conn = Connection::open(path)?;
    let existing: i64 = conn.query_row("SELECT count(*) FROM timeline", [], |r| r.get(0))?;
    let tx = conn.unchecked_transaction()?;
    {
        let ids: Vec<String> = {
            let mut s = tx.prepare("SELECT id FROM incidents ORDER BY seq")?;
            s.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?
        };
        let mut insert = tx.prepare(
            "INSERT INTO timeline (incident_id, n, occurred_at, recorded_at, author, kind, text)
             VALUES (?1, ?2, ?3, ?3, 'bench', 'note', ?4)",
        )?;
        let now = desk.now().millis();
        for k in 0..(ENTRIES - existing as usize) {
            let incident = &ids[k % ids.len()];
            let n = 4 + (k / ids.len()) as i64;
            insert.execute(params![
                incident,
                n,
                now + k as i64,
                format!("Bench note {k}: checked the dashboards")
            ])?;
        }
    }
    tx.commit()?;
    Ok(desk)
}

fn benches(c: &mut Criterion) {
    let dir = match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(error) => return eprintln!("bench: no temp dir: {error}"),
    };
    let path = dir.path().join("bench.db");
    let desk = match seed(&path) {
        Ok(desk) => desk,
        Err(error) => return eprintln!("bench: seeding failed: {error}"),
    };

    let mut group = c.benchmark_group("core");
    group
        .measurement_time(Duration::from_secs(6))
        .sample_size(60);

    group.bench_function("board_1000_open_200k_entries", |b| {
        b.iter(|| black_box(desk.list_incidents(false).map(|rows| rows.len())))
    });

    // Baseline: the same timeline row, raw, one autocommit INSERT.
    let raw = match Connection::open(&path) {
        Ok(conn) => conn,
        Err(error) => return eprintln!("bench: {error}"),
    };
    let _ = raw.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;");
    let target: String = raw
        .query_row("SELECT id FROM incidents WHERE seq = 2", [], |r| r.get(0))
        .unwrap_or_default();
    let mut n: i64 = 1_000_000;
    group.bench_function("raw_insert_baseline", |b| {
        b.iter(|| {
            n += 1;
            let result = raw
                .prepare_cached(
                    "INSERT INTO timeline (incident_id, n, occurred_at, recorded_at, author, kind, text)
                     VALUES (?1, ?2, ?3, ?3, 'bench', 'note', 'Checked the dashboards again')",
                )
                .and_then(|mut s| s.execute(params![target, n, Timestamp::from_millis(n).millis()]));
            black_box(result.is_ok())
        })
    });

    group.bench_function("append_note_via_desk", |b| {
        b.iter(|| {
            black_box(
                desk.add_note("INC-1", "Checked the dashboards again", None, None)
                    .is_ok(),
            )
        })
    });

    group.bench_function("declare", |b| {
        b.iter(|| {
            black_box(
                desk.declare(Declaration::new(
                    "Benchmark incident",
                    IncidentKind::Degradation,
                    "L2",
                ))
                .is_ok(),
            )
        })
    });
    group.finish();
}

criterion_group!(core, benches);
criterion_main!(core);
