//! What `idesk` writes to a terminal: user text cannot rewrite it, JSON stays
//! exact, and a reader that leaves early (`| head`) ends it quietly.

mod common;

use common::{Db, TestResult};
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

const HOSTILE: &str = "Pay\u{1b}]0;pwned\u{7}ments \u{1b}[2J\rdown \u{202e}gnp.exe\u{9b}";

#[test]
fn control_characters_in_user_text_are_shown_as_visible_escapes() -> TestResult {
    let db = Db::new()?;
    db.json(&[
        "declare", "--title", HOSTILE, "--kind", "outage", "--level", "L1",
    ])?;
    db.json(&["note", "INC-1", "bell\u{7} and\ttab\nsecond line"])?;
    for args in [&["list"][..], &["show", "INC-1"][..]] {
        let output = db.run(args)?;
        assert!(output.status.success(), "{output:?}");
        let text = String::from_utf8(output.stdout)?;
        for forbidden in ['\u{1b}', '\u{7}', '\r', '\u{202e}', '\u{9b}'] {
            assert!(
                !text.contains(forbidden),
                "idesk {args:?} printed {forbidden:?} raw: {text:?}"
            );
        }
        assert!(
            text.contains("Pay\\e]0;pwned\\aments \\e[2J\\rdown \\u{202e}gnp.exe\\u{9b}"),
            "{text:?}"
        );
    }
    let shown = String::from_utf8(db.run(&["show", "INC-1"])?.stdout)?;
    assert!(shown.contains("bell\\a and\ttab\nsecond line"), "{shown:?}");
    Ok(())
}

#[test]
fn json_output_keeps_user_text_exact() -> TestResult {
    let db = Db::new()?;
    db.json(&[
        "declare", "--title", HOSTILE, "--kind", "outage", "--level", "L1",
    ])?;
    let shown = db.json(&["show", "INC-1"])?;
    assert_eq!(shown["title"], HOSTILE);
    Ok(())
}

#[test]
fn errors_on_stderr_are_neutralized_too() -> TestResult {
    let db = Db::new()?;
    let stderr = db.refused(&["show", "INC-\u{1b}[31m7"])?;
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
    assert!(stderr.contains("\\e[31m"), "{stderr:?}");
    Ok(())
}

#[test]
fn a_reader_that_leaves_early_ends_idesk_quietly() -> TestResult {
    let db = Db::new()?;
    {
        // Enough output to overflow a pipe's buffer, so idesk is still
        // writing when the reader goes away.
        let desk = incident_core::Desk::open(&db.path)?;
        let title = "t".repeat(190);
        for n in 0..300 {
            let input = incident_core::desk::Declaration::new(
                &format!("{title}{n}"),
                incident_core::domain::IncidentKind::Outage,
                "L1",
            );
            desk.declare(input)?;
        }
    }
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("idesk"))
        .arg("--db")
        .arg(&db.path)
        .args(["list", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    for _ in 0..3 {
        lines.next().ok_or("idesk printed fewer than 3 lines")??;
    }
    drop(lines); // `head -n 3` exits here
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if Instant::now() > deadline {
            child.kill()?;
            return Err("idesk did not end after its reader left".into());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().ok_or("no stderr")?, &mut stderr)?;
    assert!(status.success(), "exit {status:?}, stderr: {stderr}");
    assert_eq!(stderr, "", "nothing on stderr, and no panic");
    Ok(())
}
