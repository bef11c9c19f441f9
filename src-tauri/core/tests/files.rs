//! What comes in and goes out as files: backups that count only when
//! checked, rotation, restores and imports through one gate, and outputs
//! that never overwrite the record.

use incident_core::desk::{Declaration, KEEP_BACKUPS};
use incident_core::domain::IncidentKind;
use incident_core::{Desk, ErrorCode, ManualClock, Timestamp};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::Arc;

type TestResult = Result<(), Box<dyn std::error::Error>>;
type Outcome<T> = Result<T, Box<dyn std::error::Error>>;

fn t(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap_or(Timestamp::from_millis(0))
}

struct Place {
    dir: tempfile::TempDir,
    clock: ManualClock,
}

impl Place {
    fn new() -> Outcome<Place> {
        Ok(Place {
            dir: tempfile::tempdir()?,
            clock: ManualClock::new(t("2026-11-30T09:00:00Z")),
        })
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn desk(&self, name: &str) -> Outcome<Desk> {
        Ok(Desk::open_with_clock(
            self.path(name),
            Arc::new(self.clock.clone()),
        )?)
    }
}

fn declare(desk: &Desk, title: &str) -> Outcome<String> {
    Ok(desk
        .declare(Declaration::new(title, IncidentKind::Outage, "L1"))?
        .reference)
}

fn titles(desk: &Desk) -> Outcome<Vec<String>> {
    Ok(desk
        .list_incidents(true)?
        .into_iter()
        .map(|row| row.title)
        .collect())
}

fn names(paths: &[PathBuf]) -> Vec<String> {
    paths
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect()
}

fn backup_paths(desk: &Desk) -> Outcome<Vec<PathBuf>> {
    Ok(desk.backups()?.into_iter().map(|b| b.path).collect())
}

/// Overwrites one page in the middle of the file (not the header, not the
/// schema): the database opens, but the integrity check fails.
fn damage_a_page(path: &Path) -> TestResult {
    {
        let conn = Connection::open(path)?;
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")?;
    }
    let mut bytes = std::fs::read(path)?;
    let page = 4096;
    let pages = bytes.len() / page;
    assert!(
        pages > 6,
        "the database is too small to damage one page: {pages}"
    );
    let victim = pages - 2;
    for byte in &mut bytes[victim * page..(victim + 1) * page] {
        *byte = 0x5a;
    }
    std::fs::write(path, bytes)?;
    Ok(())
}

fn populate(desk: &Desk, incidents: usize) -> TestResult {
    for n in 0..incidents {
        let reference = declare(desk, &format!("Incident {n}"))?;
        desk.add_note(&reference, &"context ".repeat(40), None, None)?;
    }
    Ok(())
}

#[test]
fn a_damaged_database_makes_the_backup_fail_and_keeps_the_good_ones() -> TestResult {
    let place = Place::new()?;
    let desk = place.desk("desk.db")?;
    populate(&desk, 60)?;
    let good = desk.backup_now()?;
    drop(desk);
    damage_a_page(&place.path("desk.db"))?;

    let desk = place.desk("desk.db")?;
    for _ in 0..KEEP_BACKUPS + 2 {
        place.clock.advance_secs(60);
        let error = desk
            .backup_now()
            .err()
            .ok_or("a damaged source must fail the backup")?;
        assert_eq!(error.code(), ErrorCode::Corrupt, "{error}");
        assert!(error.to_string().contains("is damaged"), "{error}");
    }
    // Still exactly the good backup, and nothing half-written beside it.
    assert_eq!(backup_paths(&desk)?, vec![good.path.clone()]);
    let left: Vec<_> = std::fs::read_dir(desk.backup_dir())?.flatten().collect();
    assert_eq!(left.len(), 1, "{left:?}");
    let integrity: String =
        Connection::open(&good.path)?.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    assert_eq!(integrity, "ok");

    // Restoring the good backup mends it, and keeps the damaged pages aside.
    let safety = desk.restore_from(&good.path)?;
    assert!(
        safety.path.to_string_lossy().ends_with("-damaged.db"),
        "{safety:?}"
    );
    assert_eq!(titles(&desk)?.len(), 60);
    desk.backup_now()?;
    Ok(())
}

#[test]
fn rotation_keeps_the_newest_and_one_older_than_a_day() -> TestResult {
    let place = Place::new()?;
    let desk = place.desk("desk.db")?;
    declare(&desk, "Something")?;
    let first = desk.backup_now()?;
    // A day and a bit later, a morning of restarts: twelve backups in an hour.
    place.clock.advance_secs(26 * 3600);
    for _ in 0..12 {
        place.clock.advance_secs(300);
        desk.backup_now()?;
    }
    let kept = backup_paths(&desk)?;
    assert_eq!(kept.len(), KEEP_BACKUPS + 1, "{:?}", names(&kept));
    assert!(
        kept.contains(&first.path),
        "the day-old backup is kept: {:?}",
        names(&kept)
    );
    // Only backups that exist are listed, newest first.
    assert!(kept.iter().all(|p| p.exists()));
    assert_eq!(kept.last(), Some(&first.path));
    Ok(())
}

#[test]
fn two_databases_in_one_folder_keep_their_backups_apart() -> TestResult {
    let place = Place::new()?;
    let a = place.desk("team.db")?;
    let b = place.desk("team-drill.db")?;
    declare(&a, "Real")?;
    declare(&b, "Drill")?;
    let from_a = a.backup_now()?;
    for _ in 0..KEEP_BACKUPS + 3 {
        place.clock.advance_secs(60);
        b.backup_now()?;
    }
    assert_eq!(
        backup_paths(&a)?,
        vec![from_a.path.clone()],
        "b pruned a's backup"
    );
    assert_eq!(backup_paths(&b)?.len(), KEEP_BACKUPS);
    assert!(
        names(&backup_paths(&b)?)
            .iter()
            .all(|n| n.starts_with("team-drill-"))
    );
    Ok(())
}

/// A real backup of a desk with one incident, changed with `sql` behind the
/// desk's back.
fn crafted_backup(place: &Place, name: &str, sql: &str) -> Outcome<PathBuf> {
    let source = place.desk(&format!("{name}-source.db"))?;
    declare(&source, "Crafted")?;
    let path = place.path(&format!("{name}.db"));
    source.backup_to(&path)?;
    Connection::open(&path)?.execute_batch(sql)?;
    Ok(path)
}

#[test]
fn a_restore_checks_as_strictly_as_an_import_and_a_refusal_changes_nothing() -> TestResult {
    let place = Place::new()?;
    let desk = place.desk("desk.db")?;
    declare(&desk, "Ours")?;
    let empty = place.path("empty.db");
    std::fs::write(&empty, b"")?;
    let cases: Vec<(PathBuf, &str)> = vec![
        (empty, "it is empty (0 bytes)"),
        (
            crafted_backup(
                &place,
                "edited",
                "UPDATE incidents SET title = 'Rewritten behind the timeline'",
            )?,
            "does not match its timeline",
        ),
        (
            crafted_backup(
                &place,
                "far",
                "UPDATE incidents SET seq = 9223372036854775807",
            )?,
            "out of range",
        ),
        (
            crafted_backup(
                &place,
                "notrigger",
                "DROP TRIGGER timeline_is_append_only_no_update",
            )?,
            "tables, indexes or triggers",
        ),
        (
            crafted_backup(&place, "extra", "CREATE TABLE planted (x)")?,
            "tables, indexes or triggers",
        ),
        (
            crafted_backup(&place, "zero", "PRAGMA user_version = 0")?,
            "schema version 0",
        ),
        (
            crafted_backup(
                &place,
                "template",
                "UPDATE templates SET body = 'Hello {unknown_placeholder}' WHERE rowid = 1",
            )?,
            "the template",
        ),
        (
            crafted_backup(
                &place,
                "person",
                &format!(
                    "INSERT INTO people (name, name_key, handle, contact, team, created_at)
                 VALUES ('{0}', '{0}', '', '', '', 0)",
                    "n".repeat(500)
                ),
            )?,
            "the person",
        ),
    ];
    for (file, expected) in cases {
        let error = desk
            .restore_from(&file)
            .err()
            .ok_or(format!("{} must be refused", file.display()))?;
        assert!(
            error.to_string().contains(expected),
            "{}: {error} should say {expected}",
            file.display()
        );
        assert_eq!(titles(&desk)?, ["Ours"], "{}", file.display());
    }
    // Nothing was backed up, replaced or left behind, and the desk works on.
    assert!(desk.backups()?.is_empty());
    drop(desk);
    let desk = place.desk("desk.db")?;
    declare(&desk, "After")?;
    assert_eq!(titles(&desk)?, ["Ours", "After"]);
    let leftovers: Vec<String> = std::fs::read_dir(place.dir.path())?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    Ok(())
}

#[test]
fn a_crafted_reference_in_an_import_cannot_stop_future_declarations() -> TestResult {
    let place = Place::new()?;
    let source = place.desk("source.db")?;
    let reference = declare(&source, "Exported")?;
    let mut export = serde_json::to_value(source.export(&reference)?)?;
    export["incident"]["ref"] = "INC-9223372036854775807".into();
    let file = place.path("crafted.json");
    std::fs::write(&file, serde_json::to_string(&export)?)?;

    let desk = place.desk("desk.db")?;
    let error = Desk::read_export_file(&file)
        .and_then(|export| desk.import(export))
        .err()
        .ok_or("the crafted reference must be refused")?;
    assert!(error.to_string().contains("out of range"), "{error}");
    assert_eq!(declare(&desk, "Next")?, "INC-1");

    let empty = place.path("empty.json");
    std::fs::write(&empty, b"")?;
    let error = Desk::read_export_file(&empty)
        .err()
        .ok_or("empty must be refused")?;
    assert!(error.to_string().contains("is empty (0 bytes)"), "{error}");
    Ok(())
}

#[test]
fn outputs_never_overwrite_the_database_its_log_or_its_backups() -> TestResult {
    let place = Place::new()?;
    let desk = place.desk("desk.db")?;
    declare(&desk, "Keep me")?;
    let backup = desk.backup_now()?;
    let db = place.path("desk.db");
    let link = place.path("link-to-db");
    std::os::unix::fs::symlink(&db, &link)?;
    let hard = place.path("hard-link.db");
    std::fs::hard_link(&db, &hard)?;
    let relative = place.dir.path().join("sub/../desk.db");
    std::fs::create_dir_all(place.path("sub"))?;
    let own_files = [
        db.clone(),
        place.path("desk.db-wal"),
        place.path("desk.db-shm"),
        link,
        hard,
        relative,
        backup.path.clone(),
    ];
    for target in &own_files {
        for (what, refused) in [
            ("an export", desk.refuse_own_files(target).err()),
            ("a backup", desk.backup_to(target).err()),
        ] {
            let error = refused.ok_or(format!("{what} to {} must be refused", target.display()))?;
            assert!(error.to_string().contains("choose another file"), "{error}");
        }
    }
    // Exports stay out of the backups folder altogether.
    assert!(
        desk.refuse_own_files(&desk.backup_dir().join("new.md"))
            .is_err()
    );
    assert!(desk.refuse_own_files(&place.path("review.md")).is_ok());
    assert_eq!(titles(&desk)?, ["Keep me"]);
    Ok(())
}
