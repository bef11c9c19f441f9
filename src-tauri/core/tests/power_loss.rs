//! Acknowledged means durable, also across a power cut. SIGKILL (crash.rs)
//! leaves the kernel's page cache in place; a dying battery does not. Here
//! every database write goes through a VFS that loses, keeps or tears the
//! writes that were not yet synced when the power goes (sqlite-powercut, the
//! way SQLite tests itself). Over many rounds, each cut at a random I/O
//! operation while the desk writes notes, stage changes, roles and alert
//! deliveries (and another connection checkpoints): afterwards the integrity
//! check passes, every acknowledged entry and alert is there, and every
//! incident still replays to its stored state.
//!
//! `POWER_LOSS_ROUNDS` and `POWER_LOSS_SEED` override the defaults (a soak
//! run, or replaying a failing seed).

use incident_core::desk::Declaration;
use incident_core::domain::{AlertInput, IncidentKind, Role, Severity, Stage, StageState};
use incident_core::replay::replay;
use incident_core::{Desk, DeskError};
use std::path::Path;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const DEFAULT_ROUNDS: u64 = 120;
const MAX_OPERATIONS_PER_ROUND: usize = 150;

/// A small, seedable pseudo-random sequence (xorshift64).
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// What the desk said was recorded.
#[derive(Default)]
struct Acknowledged {
    /// (incident reference, entry number, entry text)
    entries: Vec<(String, i64, String)>,
    /// alert ids with the delivery count they had
    alerts: Vec<(String, i64)>,
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

/// One round: writes until the power goes (or a last write after the
/// round's operations), with a second connection checkpointing now and then.
/// Returns whether the power went in the middle of the work.
fn write_until_the_power_goes(
    db: &Path,
    dice: &mut Dice,
    acknowledged: &mut Acknowledged,
) -> Result<bool, Box<dyn std::error::Error>> {
    let desk = Desk::open(db)?;
    let first = desk.declare(Declaration::new("Power cut", IncidentKind::Outage, "L1"))?;
    acknowledged.entries.push((
        first.reference.clone(),
        1,
        format!("Declared L1 outage: {}", first.title),
    ));
    let mut incidents = vec![first.reference.clone()];
    let checkpointer = rusqlite::Connection::open(db)?;

    sqlite_powercut::arm(1 + dice.below(600), dice.next());
    for step in 0..MAX_OPERATIONS_PER_ROUND {
        let reference = incidents[dice.below(incidents.len() as u64) as usize].clone();
        let outcome: Result<Option<(String, i64, String)>, DeskError> = match dice.below(20) {
            0 => desk
                .declare(Declaration::new(
                    &format!("Incident {step}"),
                    IncidentKind::Degradation,
                    "L2",
                ))
                .map(|record| {
                    incidents.push(record.reference.clone());
                    Some((
                        record.reference,
                        1,
                        format!("Declared L2 degradation: Incident {step}"),
                    ))
                }),
            1 | 2 => {
                let stage = Stage::ALL[dice.below(Stage::ALL.len() as u64) as usize];
                let state = [StageState::Active, StageState::Done][dice.below(2) as usize];
                desk.set_stage(&reference, stage, state, None, None)
                    .map(|e| Some((reference.clone(), e.n, e.text)))
            }
            3 => desk
                .assign(
                    &reference,
                    Role::Commander,
                    &format!("Person {}", dice.below(5)),
                    None,
                )
                .map(|e| Some((reference.clone(), e.n, e.text))),
            4 => {
                let alert = AlertInput::new(
                    "powercut",
                    &format!("service-{}", dice.below(4)),
                    Severity::Critical,
                    "Disk latency high",
                );
                desk.receive_alerts(vec![alert]).map(|receipts| {
                    for receipt in receipts {
                        acknowledged
                            .alerts
                            .push((receipt.alert.id, receipt.alert.count));
                    }
                    None
                })
            }
            5 => {
                // Another connection moves the WAL into the database (and
                // sometimes truncates it), as the app's automatic ones do.
                let mode = ["PASSIVE", "TRUNCATE"][dice.below(2) as usize];
                let _ = checkpointer.execute_batch(&format!("PRAGMA wal_checkpoint({mode})"));
                Ok(None)
            }
            _ => desk
                .add_note(
                    &reference,
                    &format!("note {step}: {}", "x".repeat(step * 7)),
                    None,
                    None,
                )
                .map(|e| Some((reference.clone(), e.n, e.text))),
        };
        match outcome {
            Ok(Some(entry)) => acknowledged.entries.push(entry),
            Ok(None) => {}
            Err(_) if sqlite_powercut::is_cut() => break,
            // A rule said no (a stage already in that state, …): not a write.
            Err(DeskError::Conflict(_) | DeskError::Unchanged(_) | DeskError::Invalid { .. }) => {}
            Err(error) => return Err(format!("step {step}: {error}").into()),
        }
        if sqlite_powercut::is_cut() {
            break;
        }
    }
    // If the round's writes ended first, the power goes now, before the
    // connections close (closing would checkpoint and sync everything).
    let mid_work = sqlite_powercut::is_cut();
    if !mid_work {
        sqlite_powercut::arm(1, dice.next());
        let _ = desk.add_note(&incidents[0], "the last note", None, None);
    }
    drop(checkpointer);
    drop(desk);
    Ok(mid_work)
}

fn check_what_survived(db: &Path, acknowledged: &Acknowledged, round: u64) -> TestResult {
    let conn = rusqlite::Connection::open(db)?;
    let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    assert_eq!(integrity, "ok", "round {round}: the database is damaged");
    let mut entry = conn.prepare(
        "SELECT t.text FROM timeline t JOIN incidents i ON i.id = t.incident_id
          WHERE 'INC-' || i.seq = ?1 AND t.n = ?2",
    )?;
    for (incident, n, text) in &acknowledged.entries {
        let found: Option<String> = entry
            .query_row(rusqlite::params![incident, n], |r| r.get(0))
            .ok();
        assert_eq!(
            found.as_deref(),
            Some(text.as_str()),
            "round {round}: acknowledged entry {n} of {incident} was lost"
        );
    }
    let mut alert = conn.prepare("SELECT count FROM alerts WHERE id = ?1")?;
    for (id, count) in &acknowledged.alerts {
        let found: Option<i64> = alert.query_row([id], |r| r.get(0)).ok();
        assert!(
            found.is_some_and(|found| found >= *count),
            "round {round}: acknowledged alert {id} (count {count}) was lost: {found:?}"
        );
    }
    drop(entry);
    drop(alert);
    drop(conn);
    // The desk opens it, and every incident is still the fold of its timeline.
    let desk = Desk::open(db)?;
    for row in desk.list_incidents(true)? {
        let export = desk.export(&row.reference)?;
        let rebuilt = replay(&export.incident.reference, &export.timeline)?;
        assert_eq!(
            rebuilt, export.incident,
            "round {round}: {} no longer replays",
            row.reference
        );
    }
    Ok(())
}

#[test]
fn every_acknowledged_entry_survives_a_power_cut() -> TestResult {
    let rounds = env_number("POWER_LOSS_ROUNDS").unwrap_or(DEFAULT_ROUNDS);
    let seed = env_number("POWER_LOSS_SEED").unwrap_or(0x1DE5_C0DE_2026) | 1;
    eprintln!("power-loss test: {rounds} rounds, seed {seed} (POWER_LOSS_SEED to replay)");

    // A migrated, cleanly closed database to start each round from.
    let template_dir = tempfile::tempdir()?;
    let template = template_dir.path().join("template.db");
    drop(Desk::open(&template)?);
    // From here on every connection in this process goes through the VFS.
    sqlite_powercut::install()?;

    let (mut acknowledged_total, mut lost_sectors, mut cuts_mid_work) = (0, 0, 0);
    for round in 0..rounds {
        let mut dice = Dice(seed.wrapping_add(round.wrapping_mul(0x9E37_79B9_7F4A_7C15)) | 1);
        let dir = tempfile::tempdir()?;
        let db = dir.path().join("desk.db");
        std::fs::copy(&template, &db)?;
        let mut acknowledged = Acknowledged::default();
        if write_until_the_power_goes(&db, &mut dice, &mut acknowledged)
            .map_err(|e| format!("round {round}: {e}"))?
        {
            cuts_mid_work += 1;
        }
        let aftermath = sqlite_powercut::power_back()?;
        lost_sectors += aftermath.sectors_lost;
        acknowledged_total += acknowledged.entries.len() + acknowledged.alerts.len();
        check_what_survived(&db, &acknowledged, round)?;
    }
    eprintln!(
        "power-loss test: {acknowledged_total} acknowledged writes kept over {rounds} cuts \
         ({cuts_mid_work} in the middle of the work); {lost_sectors} unsynced sectors lost"
    );
    assert!(
        lost_sectors > 0,
        "the power cuts lost nothing: the VFS is not in the way"
    );
    assert!(
        cuts_mid_work > rounds / 2,
        "most cuts must come in the middle of the work"
    );
    Ok(())
}
