//! Convergence: three laptops write to the same incidents while the network
//! between them drops, delays, repeats and reorders what they send (random
//! subsets of what each knows, delivered in any order, any number of times;
//! long partitions are runs with no delivery). Once everything has reached
//! everyone, all three hold the same state for every incident, the same
//! timeline in the same order, every entry written anywhere, and none twice.
//!
//! `CONVERGENCE_CASES` overrides the number of cases (500 in `make test`).

use incident_core::desk::{Classification, Declaration};
use incident_core::domain::*;
use incident_core::{Desk, ManualClock, Timestamp};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

const LAPTOPS: usize = 3;
const PEOPLE: [&str; 4] = ["Ada", "Bob", "Cy", "Dee"];

#[derive(Debug, Clone)]
enum Action {
    /// A laptop does something (what: a, b pick the details); its clock moves on.
    Write {
        laptop: usize,
        what: u8,
        a: u8,
        b: u8,
        advance_ms: u32,
    },
    /// Part of what `from` knows reaches `to`, in a scrambled order.
    Deliver {
        from: usize,
        to: usize,
        pick: u64,
        reverse: bool,
    },
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        3 => (0..LAPTOPS, any::<u8>(), any::<u8>(), any::<u8>(), 0u32..90_000).prop_map(
            |(laptop, what, a, b, advance_ms)| Action::Write { laptop, what, a, b, advance_ms }
        ),
        1 => (0..LAPTOPS, 0..LAPTOPS, any::<u64>(), any::<bool>())
            .prop_map(|(from, to, pick, reverse)| Action::Deliver { from, to, pick, reverse }),
    ]
}

struct Laptop {
    desk: Desk,
    clock: ManualClock,
}

/// Three migrated databases (each with its own node id) to copy per case,
/// on a RAM disk when there is one: the syncs to disk are not under test.
fn templates(root: &Path) -> Result<Vec<PathBuf>, Box<dyn std::error::Error>> {
    (0..LAPTOPS)
        .map(|i| {
            let path = root.join(format!("template-{i}.db"));
            drop(Desk::open(&path)?);
            Ok(path)
        })
        .collect()
}

fn scratch_dir() -> std::io::Result<tempfile::TempDir> {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        tempfile::tempdir_in(shm)
    } else {
        tempfile::tempdir()
    }
}

fn write(laptop: &Laptop, what: u8, a: u8, b: u8) {
    let desk = &laptop.desk;
    let incidents = desk.list_incidents(true).unwrap_or_default();
    if incidents.is_empty() || (what.is_multiple_of(23) && incidents.len() < 3) {
        let _ = desk.declare(Declaration::new(
            &format!("Incident {a}"),
            IncidentKind::Outage,
            "L1",
        ));
        return;
    }
    let reference = incidents[a as usize % incidents.len()].reference.clone();
    let person = PEOPLE[b as usize % PEOPLE.len()];
    let stage = Stage::ALL[b as usize % Stage::ALL.len()];
    let _ = match what % 12 {
        0 | 1 => desk
            .add_note(&reference, &format!("note {a}-{b}"), None, None)
            .map(drop),
        2 => {
            let state = StageState::ALL[a as usize % StageState::ALL.len()];
            let reason = matches!(state, StageState::Skipped | StageState::Deferred)
                .then(|| "why".to_owned());
            desk.set_stage(&reference, stage, state, reason, None)
                .map(drop)
        }
        3 => {
            let status = [
                PublicStatus::Identified,
                PublicStatus::Monitoring,
                PublicStatus::Resolved,
            ][a as usize % 3];
            desk.set_status(&reference, status, None).map(drop)
        }
        4 => desk
            .assign(&reference, Role::Commander, person, None)
            .map(drop),
        5 => desk
            .assign(&reference, Role::Expert, person, None)
            .map(drop),
        6 => desk
            .classify(
                &reference,
                Classification {
                    level: Some(["L1", "L2"][a as usize % 2].into()),
                    services: b.is_multiple_of(2).then(|| vec![format!("svc-{}", b % 3)]),
                    ..Classification::default()
                },
                None,
            )
            .map(drop),
        7 => desk
            .edit(&reference, Some(format!("Title {a}")), None, None)
            .map(drop),
        8 => desk
            .draft_communication(
                &reference,
                Channel::StatusPage,
                "",
                &format!("Update {a}"),
                None,
            )
            .map(drop),
        9 => {
            let drafts: Vec<String> = desk
                .incident(&reference)
                .map(|d| {
                    d.record
                        .communications
                        .iter()
                        .filter(|c| {
                            matches!(
                                c.state,
                                CommunicationState::Draft | CommunicationState::Approved
                            )
                        })
                        .map(|c| c.id.clone())
                        .collect()
                })
                .unwrap_or_default();
            match drafts.get(b as usize % drafts.len().max(1)) {
                Some(id) => match a % 3 {
                    0 => desk.approve_communication(&reference, id, None).map(drop),
                    1 => desk
                        .edit_communication(&reference, id, &format!("Edited {b}"), None)
                        .map(drop),
                    _ => desk.send_communication(&reference, id, None).map(drop),
                },
                None => Ok(()),
            }
        }
        10 => desk.close(&reference, None).map(drop),
        _ => {
            let n = i64::from(a % 6) + 1;
            desk.add_note(&reference, &format!("correcting {n}"), None, Some(n))
                .map(drop)
        }
    };
}

/// Delivers what `from` holds to `to`: a pseudo-random half of it chosen
/// by `pick`, or everything when `pick` is `None`.
fn deliver(
    from: &Laptop,
    to: &Laptop,
    pick: Option<u64>,
    reverse: bool,
) -> Result<(), TestCaseError> {
    let (mut entries, _) = from
        .desk
        .entries_since(None)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    if let Some(mut bits) = pick {
        entries.retain(|_| {
            bits = bits
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (bits >> 33) & 1 == 1
        });
    }
    if reverse {
        entries.reverse();
    }
    let report = to
        .desk
        .apply_remote(entries)
        .map_err(|e| TestCaseError::fail(format!("apply_remote: {e}")))?;
    prop_assert!(report.refused.is_empty(), "refused: {:?}", report.refused);
    Ok(())
}

/// What a laptop holds: per incident id, its state and its timeline's ids
/// in fold order; and every entry id.
type Held = (BTreeMap<String, (IncidentRecord, Vec<String>)>, Vec<String>);

fn held(laptop: &Laptop) -> Result<Held, TestCaseError> {
    let fail = |e: incident_core::DeskError| TestCaseError::fail(e.to_string());
    let mut incidents = BTreeMap::new();
    let mut all = Vec::new();
    for row in laptop.desk.list_incidents(true).map_err(fail)? {
        let record = laptop.desk.incident(&row.id).map_err(fail)?.record;
        let order: Vec<String> = laptop
            .desk
            .recorded_timeline(&row.id)
            .map_err(fail)?
            .into_iter()
            .map(|e| e.id)
            .collect();
        all.extend(order.iter().cloned());
        incidents.insert(row.id.clone(), (record, order));
    }
    Ok((incidents, all))
}

fn run_case(templates: &[PathBuf], actions: &[Action]) -> Result<(), TestCaseError> {
    let dir = scratch_dir().map_err(|e| TestCaseError::fail(e.to_string()))?;
    let laptops: Vec<Laptop> = templates
        .iter()
        .enumerate()
        .map(|(i, template)| {
            let db = dir.path().join(format!("laptop-{i}.db"));
            std::fs::copy(template, &db)?;
            let clock = ManualClock::new(Timestamp::from_millis(1_796_000_000_000 + i as i64 * 7));
            let desk =
                Desk::open_with_clock(&db, Arc::new(clock.clone()))?.with_author(PEOPLE[i])?;
            Ok(Laptop { desk, clock })
        })
        .collect::<Result<_, Box<dyn std::error::Error>>>()
        .map_err(|e| TestCaseError::fail(e.to_string()))?;

    for action in actions {
        match *action {
            Action::Write {
                laptop,
                what,
                a,
                b,
                advance_ms,
            } => {
                let l = &laptops[laptop];
                l.clock.advance_millis(i64::from(advance_ms));
                write(l, what, a, b);
            }
            Action::Deliver {
                from,
                to,
                pick,
                reverse,
            } if from != to => {
                deliver(&laptops[from], &laptops[to], Some(pick), reverse)?;
            }
            Action::Deliver { .. } => {}
        }
    }
    // The network heals: everything reaches everyone (twice over, in both orders).
    for round in 0..2 {
        for from in 0..LAPTOPS {
            for to in 0..LAPTOPS {
                if from != to {
                    deliver(&laptops[from], &laptops[to], None, round == 1)?;
                }
            }
        }
    }
    let views: Vec<Held> = laptops.iter().map(held).collect::<Result<_, _>>()?;
    let written: BTreeSet<&String> = views.iter().flat_map(|(_, all)| all.iter()).collect();
    for (index, (incidents, all)) in views.iter().enumerate() {
        let unique: BTreeSet<&String> = all.iter().collect();
        prop_assert_eq!(
            unique.len(),
            all.len(),
            "laptop {} holds an entry twice",
            index
        );
        prop_assert_eq!(
            &unique,
            &written,
            "laptop {} lacks entries written elsewhere",
            index
        );
        prop_assert_eq!(
            incidents,
            &views[0].0,
            "laptop {} disagrees with laptop 0",
            index
        );
    }
    for (record, order) in views[0].0.values() {
        let timeline = laptops[0]
            .desk
            .recorded_timeline(&record.id)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let rebuilt = incident_core::replay::replay(&record.reference, &timeline)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(
            &rebuilt,
            record,
            "the stored state is not the fold of {:?}",
            order
        );
    }
    Ok(())
}

#[test]
fn three_laptops_converge_whatever_the_network_does() -> Result<(), Box<dyn std::error::Error>> {
    let cases: u32 = std::env::var("CONVERGENCE_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    let root = scratch_dir()?;
    let templates = templates(root.path())?;
    let mut runner = TestRunner::new(Config {
        cases,
        max_shrink_iters: 200,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&proptest::collection::vec(action(), 1..60), |actions| {
            run_case(&templates, &actions)
        })
        .map_err(|e| format!("{e}"))?;
    Ok(())
}
