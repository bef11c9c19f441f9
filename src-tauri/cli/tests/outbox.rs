//! `idesk comms matrix|queue|outbox|deliver` against a real Matrix
//! homeserver (Synapse on 127.0.0.1): the token goes to the secret store
//! (the file store here), never the database; a queued message waits while
//! the server is down and goes out once when it is back.

#[path = "../../publish/tests/support/mod.rs"]
mod support;

use assert_cmd::Command;
use std::path::Path;
use support::{Homeserver, Outcome};

fn idesk(db: &Path, secrets: &Path, args: &[&str], stdin: &str) -> Outcome<std::process::Output> {
    let mut cmd = Command::cargo_bin("idesk")?;
    cmd.env_remove("INCIDENT_DESK_DB")
        .env(
            "INCIDENT_DESK_SECRETS",
            format!("file:{}", secrets.display()),
        )
        .arg("--db")
        .arg(db)
        .args(["--author", "Ada"])
        .args(args)
        .write_stdin(stdin);
    Ok(cmd.output()?)
}

fn ok(db: &Path, secrets: &Path, args: &[&str], stdin: &str) -> Outcome<String> {
    let output = idesk(db, secrets, args, stdin)?;
    if !output.status.success() {
        return Err(format!(
            "idesk {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    Ok(String::from_utf8(output.stdout)?)
}

#[test]
fn a_message_queued_for_matrix_waits_while_the_server_is_down_and_goes_out_once() -> Outcome<()> {
    let mut server = Homeserver::start()?;
    let token = server.register("desk")?;
    let room = server.create_room(&token)?;
    let dir = tempfile::tempdir()?;
    let (db, secrets) = (dir.path().join("desk.db"), dir.path().join("secrets"));
    ok(
        &db,
        &secrets,
        &[
            "declare",
            "--title",
            "Checkout errors",
            "--kind",
            "outage",
            "--level",
            "L2",
        ],
        "",
    )?;
    let set = ok(
        &db,
        &secrets,
        &[
            "comms",
            "matrix",
            "internal",
            "--homeserver",
            &server.url,
            "--room",
            &room,
            "--token-stdin",
        ],
        &format!("{token}\n"),
    )?;
    assert!(set.contains("internal messages go to Matrix room"), "{set}");
    // The token is in the secret store, not the database.
    let bytes = std::fs::read(&db)?;
    assert!(
        !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
        "no token in the database"
    );

    let drafted = ok(
        &db,
        &secrets,
        &[
            "--json",
            "comms",
            "draft",
            "INC-1",
            "--channel",
            "internal",
            "--body",
            "Rolled back 4.2.",
        ],
        "",
    )?;
    let id = serde_json::from_str::<serde_json::Value>(&drafted)?["id"]
        .as_str()
        .ok_or("a draft id")?
        .to_owned();
    server.stop();
    let queued = ok(&db, &secrets, &["comms", "queue", "INC-1", &id], "")?;
    assert!(queued.contains("for matrix"), "{queued}");
    ok(&db, &secrets, &["comms", "deliver"], "")?;
    let waiting = ok(&db, &secrets, &["comms", "outbox"], "")?;
    assert!(
        waiting.contains("1 attempt(s)") && waiting.contains("could not be reached"),
        "{waiting}"
    );

    server.restart()?;
    // The retry is due 5 s after the failed attempt.
    std::thread::sleep(std::time::Duration::from_millis(5_200));
    let delivered = ok(&db, &secrets, &["comms", "deliver"], "")?;
    assert!(delivered.contains("Confirmed"), "{delivered}");
    assert_eq!(
        ok(&db, &secrets, &["comms", "outbox"], "")?.trim(),
        "The outbox is empty."
    );
    let bodies = server.messages(&token, &room)?;
    assert_eq!(
        bodies
            .iter()
            .filter(|b| b.ends_with("Rolled back 4.2."))
            .count(),
        1,
        "{bodies:?}"
    );
    let shown = ok(&db, &secrets, &["--json", "show", "INC-1"], "")?;
    let shown: serde_json::Value = serde_json::from_str(&shown)?;
    assert_eq!(shown["communications"][0]["state"], "sent");
    Ok(())
}
