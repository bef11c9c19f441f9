//! `idesk` and the files around it: exports that cannot destroy the record,
//! backups that fail loudly, and a full disk or a read-only folder named as
//! such. The full and read-only disks are small tmpfs mounts made inside a
//! private user and mount namespace (`unshare -rm`), so the test needs no
//! root and leaves nothing mounted.

mod common;

use common::{Db, Outcome, TestResult};
use std::path::Path;
use std::process::Command;

fn declare(db: &Db) -> TestResult {
    db.json(&[
        "declare",
        "--title",
        "Checkout down",
        "--kind",
        "outage",
        "--level",
        "L1",
    ])?;
    Ok(())
}

#[test]
fn exports_refuse_the_database_and_its_companions() -> TestResult {
    let db = Db::new()?;
    declare(&db)?;
    db.json(&["backup"])?;
    let backup = db.json(&["backups"])?[0]["path"]
        .as_str()
        .ok_or("no backup listed")?
        .to_owned();
    let before = std::fs::read(&db.path)?;
    let wal = format!("{}-wal", db.path.display());
    let db_path = db.path.display().to_string();
    for target in [db_path.as_str(), wal.as_str(), backup.as_str()] {
        for format in ["--md", "--pdf", "--json"] {
            let stderr = db.refused(&["export", "INC-1", format, "-o", target])?;
            assert!(stderr.contains("choose another file"), "{target}: {stderr}");
        }
    }
    assert_eq!(std::fs::read(&db.path)?, before);
    let listed = db.json(&["list"])?;
    assert_eq!(listed[0]["title"], "Checkout down");
    Ok(())
}

#[test]
fn an_export_replaces_the_previous_file_whole() -> TestResult {
    let db = Db::new()?;
    declare(&db)?;
    let target = db.folder().join("review.md");
    std::fs::write(&target, "an older review")?;
    let output = db.run(&[
        "export",
        "INC-1",
        "--md",
        "-o",
        &target.display().to_string(),
    ])?;
    assert!(output.status.success(), "{output:?}");
    assert!(std::fs::read_to_string(&target)?.contains("Checkout down"));
    let temporary: Vec<_> = std::fs::read_dir(db.folder())?
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(temporary.is_empty(), "{temporary:?}");
    Ok(())
}

#[test]
fn a_backup_of_a_damaged_database_exits_1_and_keeps_the_good_backups() -> TestResult {
    let db = Db::new()?;
    for n in 0..60 {
        db.json(&[
            "declare",
            "--title",
            &format!("Incident {n}"),
            "--kind",
            "outage",
            "--level",
            "L2",
        ])?;
    }
    db.json(&["backup"])?;
    {
        let conn = rusqlite::Connection::open(&db.path)?;
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")?;
    }
    let mut bytes = std::fs::read(&db.path)?;
    let pages = bytes.len() / 4096;
    let victim = (pages - 2) * 4096;
    bytes[victim..victim + 4096].fill(0x5a);
    std::fs::write(&db.path, bytes)?;

    let stderr = db.refused(&["backup"])?;
    assert!(stderr.contains("is damaged"), "{stderr}");
    assert_eq!(db.json(&["backups"])?.as_array().map(Vec::len), Some(1));
    Ok(())
}

#[test]
fn empty_files_are_named_as_empty() -> TestResult {
    let db = Db::new()?;
    declare(&db)?;
    let empty = db.folder().join("empty.json");
    std::fs::write(&empty, b"")?;
    let stderr = db.refused(&["import", &empty.display().to_string()])?;
    assert!(stderr.contains("is empty (0 bytes)"), "{stderr}");
    let stderr = db.refused(&["restore", &empty.display().to_string()])?;
    assert!(stderr.contains("is empty (0 bytes)"), "{stderr}");
    Ok(())
}

/// Runs `script` (sh) in a private user and mount namespace where `$DISK`
/// is a fresh tmpfs of `kib` KiB; `$IDESK` is the binary. Returns stdout.
fn on_a_small_disk(db: &Db, kib: u32, script: &str) -> Outcome<String> {
    let disk = db.folder().join("disk");
    std::fs::create_dir_all(&disk)?;
    let output = Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "sh", "-c"])
        .arg(format!(
            "set -u; mount -t tmpfs -o size={kib}k tmpfs \"$DISK\" || exit 97; {script}"
        ))
        .env("DISK", &disk)
        .env("IDESK", assert_cmd::cargo::cargo_bin("idesk"))
        .env_remove("INCIDENT_DESK_DB")
        .output()
        .map_err(|e| format!("this test needs `unshare` (util-linux): {e}"))?;
    let stdout = String::from_utf8(output.stdout)?;
    let stderr = String::from_utf8(output.stderr)?;
    if output.status.code() == Some(97) || stderr.contains("unshare failed") {
        return Err(format!(
            "could not make a small disk (user and mount namespaces are needed): {stderr}"
        )
        .into());
    }
    assert!(output.status.success(), "script failed: {stdout}\n{stderr}");
    Ok(stdout)
}

fn line_after<'a>(text: &'a str, label: &str) -> &'a str {
    text.lines()
        .find_map(|line| line.strip_prefix(label))
        .unwrap_or("")
}

#[test]
fn a_full_disk_is_named_and_leaves_the_previous_file_and_the_database_whole() -> TestResult {
    let db = Db::new()?;
    declare(&db)?;
    // The export's folder fills up: the previous review stays as it was.
    let out = on_a_small_disk(
        &db,
        256,
        &format!(
            "printf 'the previous review' > \"$DISK/review.md\"
             dd if=/dev/zero of=\"$DISK/filler\" bs=4k 2>/dev/null
             \"$IDESK\" --db '{db}' export INC-1 --md -o \"$DISK/review.md\" 2>\"$DISK/../err\"
             echo \"code:$?\"; echo \"err:$(tr '\\n' ' ' < \"$DISK/../err\")\"
             echo \"kept:$(cat \"$DISK/review.md\")\"
             echo \"files:$(ls -A \"$DISK\" | tr '\\n' ' ')\"",
            db = db.path.display()
        ),
    )?;
    assert_eq!(line_after(&out, "code:"), "1", "{out}");
    assert!(line_after(&out, "err:").contains("is full"), "{out}");
    assert_eq!(line_after(&out, "kept:"), "the previous review", "{out}");
    assert_eq!(
        line_after(&out, "files:").trim(),
        "filler review.md",
        "{out}"
    );

    // The database's own disk fills up: the note is refused with the cause,
    // and once there is room again the database is whole.
    let out = on_a_small_disk(
        &db,
        1024,
        "D=\"$DISK/desk.db\"
         \"$IDESK\" --db \"$D\" declare --title 'Disk test' --kind outage --level L1 >/dev/null
         dd if=/dev/zero of=\"$DISK/spare\" bs=1k count=40 2>/dev/null
         dd if=/dev/zero of=\"$DISK/filler\" bs=1k 2>/dev/null
         rm \"$DISK/spare\"
         big=$(head -c 15000 /dev/zero | tr '\\0' x)
         \"$IDESK\" --db \"$D\" note INC-1 \"$big\" 2>\"$DISK/../err\"; echo \"code:$?\"
         echo \"err:$(tr '\\n' ' ' < \"$DISK/../err\")\"
         rm \"$DISK/filler\"
         echo \"check:$(\"$IDESK\" --db \"$D\" --json show INC-1 | grep -c '\"kind\": \"note\"')\"
         \"$IDESK\" --db \"$D\" note INC-1 'room again' >/dev/null; echo \"after:$?\"",
    )?;
    assert_eq!(line_after(&out, "code:"), "1", "{out}");
    assert!(
        line_after(&out, "err:").contains("disk holding the database is full"),
        "{out}"
    );
    assert_eq!(
        line_after(&out, "check:"),
        "0",
        "the refused note is not there: {out}"
    );
    assert_eq!(line_after(&out, "after:"), "0", "{out}");
    Ok(())
}

#[test]
fn a_read_only_folder_is_named() -> TestResult {
    let db = Db::new()?;
    declare(&db)?;
    let out = on_a_small_disk(
        &db,
        1024,
        &format!(
            "\"$IDESK\" --db \"$DISK/desk.db\" declare --title T --kind outage --level L1 >/dev/null
             mount -o remount,ro \"$DISK\"
             \"$IDESK\" --db '{db}' export INC-1 --md -o \"$DISK/review.md\" 2>\"$DISK/../err1\"
             echo \"export:$?:$(tr '\\n' ' ' < \"$DISK/../err1\")\"
             \"$IDESK\" --db \"$DISK/desk.db\" note INC-1 'x' 2>\"$DISK/../err2\"
             echo \"note:$?:$(tr '\\n' ' ' < \"$DISK/../err2\")\"",
            db = db.path.display()
        ),
    )?;
    let export = line_after(&out, "export:");
    assert!(export.starts_with("1:"), "{out}");
    assert!(export.contains("is read-only"), "{out}");
    let note = line_after(&out, "note:");
    assert!(note.starts_with("1:"), "{out}");
    assert!(note.contains("read-only"), "{out}");
    assert!(!Path::new(&db.folder().join("disk/review.md")).exists());
    Ok(())
}
