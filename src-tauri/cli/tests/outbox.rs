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

#[test]
fn email_slack_and_statuspage_are_set_up_from_the_terminal_and_mail_goes_out() -> Outcome<()> {
    use support::smtp::{MailServer, PASSWORD, USER};
    let server = MailServer::start()?;
    let dir = tempfile::tempdir()?;
    let (db, secrets) = (dir.path().join("desk.db"), dir.path().join("secrets"));
    ok(
        &db,
        &secrets,
        &[
            "declare",
            "--title",
            "Sign-in abuse",
            "--kind",
            "security",
            "--level",
            "L1",
        ],
        "",
    )?;

    // Settings that cannot be right are refused, saying why.
    let bad = idesk(
        &db,
        &secrets,
        &["comms", "slack", "internal", "--channel-id", "#incidents"],
        "",
    )?;
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a Slack channel id"));
    let set = ok(
        &db,
        &secrets,
        &[
            "comms",
            "statuspage",
            "status_page",
            "--page",
            "kctbh9vrtdwd",
            "--component",
            "Accounts=cmp1",
            "--key-stdin",
        ],
        "sp-key-secret-123\n",
    )?;
    assert!(set.contains("1 component(s) mapped"), "{set}");

    // A settings file that is not settings, or that would smuggle a header
    // into the mail, is refused with the reason and changes nothing.
    let hostile = dir.path().join("hostile.json");
    for (text, said) in [
        ("{not json".to_owned(), "is not email settings"),
        (
            serde_json::json!({
                "smtp": {"host": "127.0.0.1", "port": 25, "security": "none"},
                "from": "status@example.com",
                "lists": [{"name": "All", "to": ["a@example.com\r\nBcc: everyone@example.com"]}]
            })
            .to_string(),
            "is not an email address",
        ),
    ] {
        std::fs::write(&hostile, text)?;
        let refused = idesk(
            &db,
            &secrets,
            &[
                "comms",
                "email",
                "email",
                "--settings",
                &hostile.display().to_string(),
            ],
            "",
        )?;
        assert!(!refused.status.success());
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert!(stderr.contains(said), "{stderr}");
    }
    let channels = ok(&db, &secrets, &["--json", "comms", "channels"], "")?;
    assert!(!channels.contains("everyone@example.com"), "{channels}");

    let settings = dir.path().join("email.json");
    std::fs::write(
        &settings,
        serde_json::json!({
            "smtp": {"host": "127.0.0.1", "port": server.starttls, "security": "start_tls",
                     "username": USER, "ca_file": server.ca()},
            "from": "status@example.com",
            "lists": [
                {"name": "Security", "kinds": ["security"], "levels": ["L1"], "to": ["ciso@example.com"]},
                {"name": "Outages", "kinds": ["outage"], "to": ["sre@example.com"]}
            ]
        })
        .to_string(),
    )?;
    let settings = settings.display().to_string();
    ok(
        &db,
        &secrets,
        &[
            "comms",
            "email",
            "email",
            "--settings",
            &settings,
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
    )?;
    let bytes = std::fs::read(&db)?;
    for secret in [PASSWORD, "sp-key-secret-123"] {
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "no secret in the database"
        );
    }

    let drafted = ok(
        &db,
        &secrets,
        &[
            "--json",
            "comms",
            "draft",
            "INC-1",
            "--channel",
            "email",
            "--body",
            "We are investigating unusual sign-ins.",
        ],
        "",
    )?;
    let id = serde_json::from_str::<serde_json::Value>(&drafted)?["id"]
        .as_str()
        .ok_or("a draft id")?
        .to_owned();
    let link = ok(&db, &secrets, &["comms", "mailto", "INC-1", &id], "")?;
    assert!(
        link.starts_with("mailto:ciso@example.com?subject=%5BINC-1%5D%20Sign-in%20abuse&body="),
        "{link}"
    );
    ok(&db, &secrets, &["comms", "approve", "INC-1", &id], "")?;
    let wrong = idesk(
        &db,
        &secrets,
        &["comms", "queue", "INC-1", &id, "--to", "slack"],
        "",
    )?;
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("not set up"));
    ok(
        &db,
        &secrets,
        &["comms", "queue", "INC-1", &id, "--to", "email"],
        "",
    )?;
    let delivered = ok(&db, &secrets, &["comms", "deliver"], "")?;
    assert!(delivered.contains("Confirmed"), "{delivered}");
    let received = server.wait_for(1)?;
    assert_eq!(received.len(), 1);
    assert_eq!(
        received[0].to,
        vec!["status@example.com", "ciso@example.com"]
    );
    assert!(
        received[0]
            .content
            .contains("We are investigating unusual sign-ins.")
    );
    Ok(())
}
