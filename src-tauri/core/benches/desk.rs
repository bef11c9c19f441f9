//! `make bench`: the core's speed at the sizes a busy team reaches.
//! - declare an incident;
//! - append a timeline entry through the `Desk` (one transaction, synced:
//!   `synchronous=FULL`), against the baselines of a raw rusqlite INSERT of
//!   the same row into the same table, synced (FULL, the like-for-like) and
//!   not (NORMAL, what the desk used before), measured in the same run;
//! - alert deliveries: one per transaction, and a burst of ten grouped into
//!   one transaction as the receiver's writer does;
//! - load the command board with 1,000 open incidents and 200,000 entries;
//!   then with 200 approved messages, and with the same 200 waiting in the
//!   outbox (the outbox's cost on the board);
//! - team mode: apply 1,000 entries from another laptop (a new incident and
//!   its notes, into a fresh database), and apply one old entry that sorts
//!   early in an incident of 2,000 entries (which folds it again).

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use incident_core::desk::{Declaration, RemoteEntry};
use incident_core::domain::{AlertInput, IncidentKind, Role, Severity, Stage, StageState};
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
            "INSERT INTO timeline (incident_id, n, occurred_at, recorded_at, author, kind, text, entry_id, hlc)
             VALUES (?1, ?2, ?3, ?3, 'bench', 'note', ?4, ?5, ?6)",
        )?;
        let node = desk.team_info()?.node_id;
        let now = desk.now().millis();
        for k in 0..(ENTRIES - existing as usize) {
            let incident = &ids[k % ids.len()];
            let n = 4 + (k / ids.len()) as i64;
            let at = now + k as i64;
            insert.execute(params![
                incident,
                n,
                at,
                format!("Bench note {k}: checked the dashboards"),
                bench_id(k as u64),
                format!("{at:016}-000000-{node}"),
            ])?;
        }
    }
    tx.commit()?;
    Ok(desk)
}

/// An approved message on each of the first `count` incidents: their
/// references and message ids.
fn approved_messages(
    desk: &Desk,
    count: usize,
) -> Result<Vec<(String, String)>, Box<dyn std::error::Error>> {
    let mut drafts = Vec::new();
    for row in desk.list_incidents(false)?.into_iter().take(count) {
        let draft = desk.draft_communication(
            &row.reference,
            incident_core::domain::Channel::Internal,
            "",
            "We rolled back; errors are down.",
            None,
        )?;
        desk.approve_communication(&row.reference, &draft.id, None)?;
        drafts.push((row.reference, draft.id));
    }
    Ok(drafts)
}

/// A valid, unique entry id for bulk-written rows.
fn bench_id(k: u64) -> String {
    format!("00000000-0000-7000-8000-{k:012x}")
}

/// Another laptop's database: one incident, declared, then `notes` notes.
fn other_laptop(
    path: &Path,
    notes: usize,
) -> Result<(Desk, Vec<RemoteEntry>), Box<dyn std::error::Error>> {
    let desk = Desk::open(path)?.with_author("Bob")?;
    let record = desk.declare(Declaration::new(
        "From another laptop",
        IncidentKind::Outage,
        "L1",
    ))?;
    for k in 0..notes {
        desk.add_note(&record.reference, &format!("Bob's note {k}"), None, None)?;
    }
    let (entries, _) = desk.entries_since(None)?;
    Ok((desk, entries))
}

/// A note that another laptop wrote early on (stamped just after the
/// declaration) and that arrives only now: it sorts before almost all.
fn late_entry(entries: &[RemoteEntry], k: u64) -> Option<RemoteEntry> {
    let declaration = entries.first()?;
    let mut late = entries.get(1)?.clone();
    let ms = declaration.entry.hlc.get(..16)?;
    late.entry.id = format!("00000000-0000-7000-9000-{k:012x}");
    late.entry.hlc = format!("{ms}-{:06}-{}", k + 1, "c".repeat(32));
    late.entry.seen = Some(declaration.entry.hlc.clone());
    late.entry.text = format!("Written offline early on ({k})");
    Some(late)
}

fn replication(c: &mut Criterion, dir: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let mut group = c.benchmark_group("team");
    group
        .measurement_time(Duration::from_secs(10))
        .sample_size(20);

    // 1,000 entries (a declaration and 999 notes) into a fresh database.
    let (_bob, thousand) = other_laptop(&dir.join("bob.db"), 999)?;
    let template = dir.join("fresh.db");
    drop(Desk::open(&template)?);
    let mut round = 0u32;
    group.bench_function("apply_1000_remote_entries", |b| {
        b.iter_batched(
            || {
                round += 1;
                let copy = dir.join(format!("fresh-{round}.db"));
                let desk = std::fs::copy(&template, &copy)
                    .ok()
                    .and_then(|_| Desk::open(&copy).ok());
                (desk, thousand.clone())
            },
            |(desk, entries)| {
                // The desk is returned, so closing it is not timed.
                desk.map(|d| {
                    let applied = d.apply_remote(entries).map(|r| r.applied);
                    (d, black_box(applied))
                })
            },
            BatchSize::PerIteration,
        )
    });

    // One old entry into an incident of 2,000: stored, then the incident
    // folded again from all its entries.
    let (_carol, two_thousand) = other_laptop(&dir.join("carol.db"), 1_999)?;
    let here = Desk::open(dir.join("here.db"))?;
    here.apply_remote(two_thousand.clone())?;
    let mut k = 0u64;
    group.bench_function("refold_2000_entries_after_an_old_entry", |b| {
        b.iter(|| {
            k += 1;
            let late = late_entry(&two_thousand, k);
            black_box(late.map(|entry| here.apply_remote(vec![entry]).map(|r| r.applied)))
        })
    });

    // The catch-up brief of an incident of 2,000 entries (target < 50 ms).
    let reference = two_thousand
        .first()
        .map(|e| e.incident_id.clone())
        .unwrap_or_default();
    group.bench_function("brief_of_an_incident_of_2000_entries", |b| {
        b.iter(|| black_box(here.brief(&reference).map(|brief| brief.text.len())))
    });
    group.finish();
    Ok(())
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

    // The deadline scheduler's round: every open incident's deadlines, then
    // the nudges to show (all recorded already, as in a steady state), by
    // the board's one query; beside it, the same deadlines read incident by
    // incident (what a round cost before).
    if let Err(error) = desk.nudges_to_show() {
        return eprintln!("bench: nudges failed: {error}");
    }
    group.bench_function("scheduler_round_1000_open", |b| {
        b.iter(|| {
            black_box(
                desk.open_unmet_deadlines()
                    .and_then(|open| desk.nudges_to_show_in(&open))
                    .map(|n| n.len()),
            )
        })
    });
    group.bench_function("deadlines_1000_open_one_read_each", |b| {
        b.iter(|| black_box(desk.open_deadlines().map(|open| open.len())))
    });

    // The outbox's cost on the board: 200 incidents with an approved
    // message, then the same messages waiting in the outbox (the board
    // counts them per row), measured one after the other.
    let drafts = match approved_messages(&desk, 200) {
        Ok(drafts) => drafts,
        Err(error) => return eprintln!("bench: drafting failed: {error}"),
    };
    group.bench_function("board_200_approved_messages", |b| {
        b.iter(|| black_box(desk.list_incidents(false).map(|rows| rows.len())))
    });
    for (reference, id) in &drafts {
        if let Err(error) =
            desk.queue_publication(reference, id, incident_core::domain::PublishTarget::Matrix)
        {
            return eprintln!("bench: queueing failed: {error}");
        }
    }
    group.bench_function("board_200_messages_queued", |b| {
        b.iter(|| black_box(desk.list_incidents(false).map(|rows| rows.len())))
    });

    // Baselines: the same timeline row (with its id and stamp), raw, one
    // autocommit INSERT, synced like the desk (FULL) and not (NORMAL).
    let mut n: i64 = 1_000_000;
    for (name, synchronous) in [("raw_insert_full", "FULL"), ("raw_insert_normal", "NORMAL")] {
        let raw = match Connection::open(&path) {
            Ok(conn) => conn,
            Err(error) => return eprintln!("bench: {error}"),
        };
        let _ = raw.execute_batch(&format!(
            "PRAGMA synchronous = {synchronous}; PRAGMA foreign_keys = ON;"
        ));
        let target: String = raw
            .query_row("SELECT id FROM incidents WHERE seq = 2", [], |r| r.get(0))
            .unwrap_or_default();
        group.bench_function(name, |b| {
            b.iter(|| {
                n += 1;
                let at = Timestamp::from_millis(n).millis();
                let result = raw
                    .prepare_cached(
                        "INSERT INTO timeline (incident_id, n, occurred_at, recorded_at, author, kind, text, entry_id, hlc)
                         VALUES (?1, ?2, ?3, ?3, 'bench', 'note', 'Checked the dashboards again', ?4, ?5)",
                    )
                    .and_then(|mut s| {
                        s.execute(params![
                            target,
                            n,
                            at,
                            bench_id(1 << 40 | n as u64),
                            format!("{at:016}-000000-{}", "d".repeat(32))
                        ])
                    });
                black_box(result.is_ok())
            })
        });
    }

    group.bench_function("append_note_via_desk", |b| {
        b.iter(|| {
            black_box(
                desk.add_note("INC-1", "Checked the dashboards again", None, None)
                    .is_ok(),
            )
        })
    });

    let alert = |k: u64| {
        vec![AlertInput::new(
            "bench",
            &format!("service-{}", k % 100),
            Severity::Warning,
            "Latency above the SLO",
        )]
    };
    let mut k = 0u64;
    group.bench_function("alert_delivery_one_transaction", |b| {
        b.iter(|| {
            k += 1;
            black_box(desk.receive_alerts(alert(k)).is_ok())
        })
    });
    group.bench_function("alert_deliveries_ten_grouped", |b| {
        b.iter(|| {
            let burst: Vec<_> = (0..10).map(|i| alert(k + i)).collect();
            k += 10;
            black_box(desk.receive_alert_deliveries(burst).len())
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
    if let Err(error) = replication(c, dir.path()) {
        eprintln!("bench: team mode: {error}");
    }
}

criterion_group!(core, benches);
criterion_main!(core);
