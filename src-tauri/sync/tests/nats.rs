//! Team sync against a real `nats-server` with JetStream on 127.0.0.1:
//! laptops (desks on their own databases) each with its sync engine,
//! each behind a proxy that can cut or stall its network.

mod support;

use incident_core::desk::Declaration;
use incident_core::domain::{IncidentKind, Role};
use incident_core::model::SyncState;
use std::time::Duration;
use support::*;

const WAIT: Duration = Duration::from_secs(30);

#[test]
fn a_note_written_on_one_laptop_reaches_the_other_and_leaves_the_outbox_on_ack() -> TestResult {
    let server = NatsServer::start("")?;
    let alice = Laptop::join("Alice", &server, None)?;
    let bob = Laptop::join("Bob", &server, None)?;
    alice.wait_state(SyncState::Connected, WAIT)?;
    let declared = alice.desk.declare(Declaration::new(
        "Checkout errors",
        IncidentKind::Outage,
        "L1",
    ))?;
    let reference = declared.reference.clone();
    alice
        .desk
        .add_note(&reference, "rolled back 4.2", None, None)?;
    wait_for("Bob to hold the note", WAIT, || {
        Ok(bob
            .desk
            .incident(&reference)
            .map(|view| view.timeline.iter().any(|e| e.text == "rolled back 4.2"))
            .unwrap_or(false))
    })?;
    wait_for("Alice's outbox to empty", WAIT, || {
        Ok(alice.undelivered()? == 0)
    })?;
    // And back: Bob hands the commander role to Alice.
    bob.desk
        .assign(&reference, Role::Commander, "Alice", None)?;
    wait_for("Alice to see herself commander", WAIT, || {
        let view = alice.desk.incident(&reference)?;
        Ok(view.record.commander() == Some("Alice"))
    })?;
    Ok(())
}

const USERS: &str = r#"
accounts {
  TEAM: {
    jetstream: enabled
    users: [
      { user: alice, password: "pw-alice" }
      { user: bob, password: "pw-bob" }
      { user: cy, password: "pw-cy" }
    ]
  }
}
"#;

/// A small deterministic random source (the seed is printed, and
/// `SYNC_SEED` replays a run).
struct Dice(u64);

impl Dice {
    fn new() -> Dice {
        let seed = std::env::var("SYNC_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64)
                    .unwrap_or(7)
            });
        eprintln!("SYNC_SEED={seed}");
        Dice(seed | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn write_something(laptop: &Laptop, dice: &mut Dice) -> TestResult {
    use incident_core::desk::Classification;
    use incident_core::domain::{Stage, StageState};
    let incidents = laptop.desk.list_incidents(true)?;
    let Some(row) = incidents.get(dice.below(incidents.len() as u64) as usize) else {
        return Ok(());
    };
    let reference = row.reference.clone();
    let people = ["Alice", "Bob", "Cy", "Dee"];
    let person = people[dice.below(4) as usize];
    // Refusals by the rules (a stage already done, say) are fine: what
    // matters is that every accepted write reaches everyone.
    let _ = match dice.below(6) {
        0 | 1 => laptop
            .desk
            .add_note(
                &reference,
                &format!("{} note {}", laptop.name, dice.next() % 1000),
                None,
                None,
            )
            .map(drop),
        2 => laptop
            .desk
            .assign(&reference, Role::Commander, person, None)
            .map(drop),
        3 => laptop
            .desk
            .assign(&reference, Role::Expert, person, None)
            .map(drop),
        4 => {
            let stage = Stage::ALL[dice.below(Stage::ALL.len() as u64) as usize];
            let state = [StageState::Active, StageState::Done][dice.below(2) as usize];
            laptop
                .desk
                .set_stage(&reference, stage, state, None, None)
                .map(drop)
        }
        _ => laptop
            .desk
            .classify(
                &reference,
                Classification {
                    level: Some(["L1", "L2"][dice.below(2) as usize].into()),
                    ..Classification::default()
                },
                None,
            )
            .map(drop),
    };
    Ok(())
}

/// What a laptop holds, to compare: every incident's state and its
/// timeline's ids in fold order.
fn held(laptop: &Laptop) -> TestResult<Vec<(String, String, Vec<String>)>> {
    let mut out = Vec::new();
    for row in laptop.desk.list_incidents(true)? {
        let record = laptop.desk.incident(&row.id)?.record;
        let order = laptop
            .desk
            .recorded_timeline(&row.id)?
            .into_iter()
            .map(|e| e.id)
            .collect();
        out.push((row.id.clone(), serde_json::to_string(&record)?, order));
    }
    out.sort();
    Ok(out)
}

#[test]
fn three_laptops_with_clocks_apart_agree_after_partitions_a_blocked_client_and_a_server_restart()
-> TestResult {
    let mut dice = Dice::new();
    let mut server = NatsServer::start(USERS)?;
    // Clocks five minutes apart either way, as laptops' clocks are.
    const FIVE_MINUTES: i64 = 5 * 60 * 1000;
    let laptops = [
        Laptop::join_with_clock("Alice", &server, Some("pw-alice"), -FIVE_MINUTES)?,
        Laptop::join_with_clock("Bob", &server, Some("pw-bob"), 0)?,
        Laptop::join_with_clock("Cy", &server, Some("pw-cy"), FIVE_MINUTES)?,
    ];
    for laptop in &laptops {
        laptop.wait_state(SyncState::Connected, WAIT)?;
    }
    for title in ["Checkout errors", "Slow search"] {
        laptops[0]
            .desk
            .declare(Declaration::new(title, IncidentKind::Outage, "L1"))?;
    }
    for laptop in &laptops {
        wait_for("both incidents everywhere", WAIT, || {
            Ok(laptop.desk.list_incidents(true)?.len() == 2)
        })?;
    }
    for round in 0..12 {
        for laptop in &laptops {
            match dice.below(6) {
                0 | 1 => laptop.proxy.cut(true),
                2 => laptop.proxy.stall(true),
                _ => {
                    laptop.proxy.cut(false);
                    laptop.proxy.stall(false);
                }
            }
            for _ in 0..1 + dice.below(4) {
                write_something(laptop, &mut dice)?;
            }
        }
        if round == 6 {
            server.kill();
            for laptop in &laptops {
                write_something(laptop, &mut dice)?;
            }
            std::thread::sleep(Duration::from_millis(500));
            server.restart()?;
        }
        std::thread::sleep(Duration::from_millis(150 + dice.below(300)));
    }
    // A day offline would look the same: writes wait, then drain.
    let waiting: i64 = laptops.iter().map(|l| l.undelivered().unwrap_or(0)).sum();
    eprintln!("entries waiting in outboxes before the network comes back: {waiting}");
    for laptop in &laptops {
        laptop.proxy.stall(false);
        laptop.proxy.cut(false);
    }
    wait_for("every outbox to drain", Duration::from_secs(90), || {
        Ok(laptops.iter().all(|l| l.undelivered().unwrap_or(1) == 0))
    })?;
    let mut last = None;
    let agreed = wait_for("all three to agree", Duration::from_secs(90), || {
        let views = laptops.iter().map(held).collect::<TestResult<Vec<_>>>()?;
        let same = views.windows(2).all(|pair| pair[0] == pair[1]);
        last = Some(views);
        Ok(same)
    });
    if let (Err(e), Some(views)) = (&agreed, &last) {
        for (laptop, view) in laptops.iter().zip(views) {
            let count: usize = view.iter().map(|(_, _, ids)| ids.len()).sum();
            eprintln!("{}: {count} entries, {:?}", laptop.name, laptop.status());
        }
        return Err(format!("{e}").into());
    }
    for laptop in &laptops {
        let ids = laptop.entry_ids()?;
        let unique: std::collections::BTreeSet<&String> = ids.iter().collect();
        assert_eq!(
            unique.len(),
            ids.len(),
            "{} holds an entry twice",
            laptop.name
        );
    }
    eprintln!("agreed on {} entries", laptops[0].entry_ids()?.len());
    Ok(())
}

#[test]
fn wrong_credentials_are_refused_with_a_clear_message_and_writes_wait() -> TestResult {
    let server = NatsServer::start(USERS)?;
    let mallory = Laptop::join("Alice", &server, Some("not-her-password"))?;
    mallory.wait_state(SyncState::Refused, WAIT)?;
    let status = mallory.status();
    let message = status.message.unwrap_or_default();
    assert!(
        message.contains("refused these credentials"),
        "the message says why: {message}"
    );
    mallory.desk.declare(Declaration::new(
        "Written while refused",
        IncidentKind::Outage,
        "L2",
    ))?;
    std::thread::sleep(Duration::from_millis(500));
    assert!(mallory.undelivered()? >= 1, "the write waits in the outbox");
    Ok(())
}

/// The security fence as docs/team.md configures it: Bob may use the
/// team's stream but nothing of `IDESK_PAYMENTS_SEC` nor its subjects, and
/// reads replies only on his own inbox.
const FENCED: &str = r#"
accounts {
  TEAM: {
    jetstream: enabled
    users: [
      { user: alice, password: "pw-alice",
        permissions: { subscribe: { allow: ["_INBOX_alice.>"] } } }
      { user: bob, password: "pw-bob",
        permissions: {
          publish: { deny: [
            "idesk.payments.sec.>",
            "$JS.API.*.*.IDESK_PAYMENTS_SEC", "$JS.API.*.*.IDESK_PAYMENTS_SEC.>",
            "$JS.API.*.*.*.IDESK_PAYMENTS_SEC", "$JS.API.*.*.*.IDESK_PAYMENTS_SEC.>"
          ] }
          subscribe: { allow: ["_INBOX_bob.>"] }
        } }
    ]
  }
}
"#;

#[test]
fn a_security_incident_never_reaches_a_responder_outside_the_fence() -> TestResult {
    let server = NatsServer::start(FENCED)?;
    let alice = Laptop::join("Alice", &server, Some("pw-alice"))?;
    alice.wait_state(SyncState::Connected, WAIT)?;
    let leak = alice.desk.declare(Declaration::new(
        "Customer data exposed",
        IncidentKind::Security,
        "L1",
    ))?;
    alice
        .desk
        .add_note(&leak.reference, "token rotated for tenant 42", None, None)?;
    wait_for("Alice's security entries acknowledged", WAIT, || {
        Ok(alice.undelivered()? == 0)
    })?;
    let bob = Laptop::join("Bob", &server, Some("pw-bob"))?;
    bob.wait_state(SyncState::Connected, WAIT)?;
    let outage = alice.desk.declare(Declaration::new(
        "Checkout errors",
        IncidentKind::Outage,
        "L2",
    ))?;
    wait_for("Bob to hold the outage", WAIT, || {
        Ok(bob.desk.incident(&outage.reference).is_ok())
    })?;
    // Bob's laptop has had every chance: the outage came after the leak.
    std::thread::sleep(Duration::from_secs(2));
    let held = bob.desk.list_incidents(true)?;
    assert_eq!(held.len(), 1, "Bob holds only the outage: {held:?}");
    assert!(bob.desk.incident(&leak.reference).is_err());

    // Asked directly, with his own credentials, the server says no.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let client =
            async_nats::ConnectOptions::with_user_and_password("bob".into(), "pw-bob".into())
                .custom_inbox_prefix("_INBOX_bob")
                .connect(server.url())
                .await?;
        let mut js = async_nats::jetstream::new(client.clone());
        js.set_timeout(Duration::from_secs(2));
        assert!(
            js.get_stream("IDESK_PAYMENTS_SEC").await.is_err(),
            "Bob cannot even look at the security stream"
        );
        let open = js.get_stream("IDESK_PAYMENTS").await;
        assert!(
            open.is_ok(),
            "while the team's stream is his: {:?}",
            open.err()
        );
        // A plain subscription to the security subjects is refused too.
        let mut sub = client.subscribe("idesk.payments.sec.>").await?;
        let got = tokio::time::timeout(
            Duration::from_secs(1),
            futures_util::StreamExt::next(&mut sub),
        )
        .await;
        assert!(
            got.is_err() || matches!(got, Ok(None)),
            "nothing arrives on the fenced subjects"
        );
        Ok::<(), Box<dyn std::error::Error>>(())
    })?;
    Ok(())
}

#[test]
fn presence_shows_who_has_which_incident_open() -> TestResult {
    let server = NatsServer::start("")?;
    let alice = Laptop::join("Alice", &server, None)?;
    let bob = Laptop::join("Bob", &server, None)?;
    let declared = alice.desk.declare(Declaration::new(
        "Checkout errors",
        IncidentKind::Outage,
        "L1",
    ))?;
    let engine = alice.engine.as_ref().ok_or("Alice's engine")?;
    engine.set_viewing(Some(declared.id.clone()));
    let bobs = bob.engine.as_ref().ok_or("Bob's engine")?;
    wait_for("Bob to see Alice in the incident", WAIT, || {
        Ok(bobs
            .presence()
            .iter()
            .any(|p| p.person == "Alice" && p.viewing.as_deref() == Some(declared.id.as_str())))
    })?;
    // A change is told at once, not at the next beat.
    engine.set_viewing(None);
    wait_for(
        "Bob to see Alice back on the board",
        Duration::from_secs(3),
        || {
            Ok(bobs
                .presence()
                .iter()
                .any(|p| p.person == "Alice" && p.viewing.is_none()))
        },
    )?;
    assert!(
        bobs.presence().iter().all(|p| p.person != "Bob"),
        "a laptop does not list itself"
    );
    Ok(())
}

#[test]
fn a_person_proved_by_an_nkey_seed_syncs_and_a_wrong_seed_is_refused() -> TestResult {
    let user = nkeys::KeyPair::new_user();
    let stranger = nkeys::KeyPair::new_user();
    let server = NatsServer::start(&format!(
        "accounts {{ TEAM: {{ jetstream: enabled, users: [ {{ nkey: {} }} ] }} }}",
        user.public_key()
    ))?;
    let priya = Laptop::join_as(
        "Priya",
        &server.url(),
        incident_core::desk::CredentialKind::Nkey,
        &user.seed()?,
        None,
        &server,
    )?;
    priya.wait_state(SyncState::Connected, WAIT)?;
    priya.desk.declare(Declaration::new(
        "Checkout errors",
        IncidentKind::Outage,
        "L2",
    ))?;
    wait_for("the declaration acknowledged", WAIT, || {
        Ok(priya.undelivered()? == 0)
    })?;
    let other = Laptop::join_as(
        "Sam",
        &server.url(),
        incident_core::desk::CredentialKind::Nkey,
        &stranger.seed()?,
        None,
        &server,
    )?;
    other.wait_state(SyncState::Refused, WAIT)?;
    Ok(())
}

/// A CA and a server certificate for 127.0.0.1, made with openssl.
fn certificates(
    dir: &std::path::Path,
) -> TestResult<(std::path::PathBuf, std::path::PathBuf, std::path::PathBuf)> {
    let run = |args: &[&str]| -> TestResult {
        let output = std::process::Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()?;
        if !output.status.success() {
            return Err(format!(
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            )
            .into());
        }
        Ok(())
    };
    std::fs::write(dir.join("san.ext"), "subjectAltName=IP:127.0.0.1\n")?;
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=Team CA",
    ])?;
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1",
    ])?;
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "san.ext",
    ])?;
    Ok((
        dir.join("ca.pem"),
        dir.join("server.pem"),
        dir.join("server.key"),
    ))
}

#[test]
fn tls_with_a_pinned_ca_connects_and_without_it_the_laptop_stays_offline() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (ca, cert, key) = certificates(dir.path())?;
    let server = NatsServer::start(&format!(
        "tls {{ cert_file: {cert:?}, key_file: {key:?} }}\n{USERS}"
    ))?;
    let url = format!("tls://127.0.0.1:{}", server.port);
    let pinned = Laptop::join_as(
        "Alice",
        &url,
        incident_core::desk::CredentialKind::Password,
        "pw-alice",
        Some(&ca),
        &server,
    )?;
    pinned.wait_state(SyncState::Connected, WAIT)?;
    // The system's CAs do not know the team's CA: no connection, and why.
    let unpinned = Laptop::join_as(
        "Bob",
        &url,
        incident_core::desk::CredentialKind::Password,
        "pw-bob",
        None,
        &server,
    )?;
    unpinned.wait_state(SyncState::Offline, WAIT)?;
    let message = unpinned.status().message.unwrap_or_default();
    assert!(
        message.contains("TLS") || message.contains("certificate"),
        "{message}"
    );
    Ok(())
}

#[test]
fn hostile_messages_on_the_team_subjects_are_refused_and_sync_goes_on() -> TestResult {
    let server = NatsServer::start("")?;
    let alice = Laptop::join("Alice", &server, None)?;
    let bob = Laptop::join("Bob", &server, None)?;
    let declared = alice.desk.declare(Declaration::new(
        "Checkout errors",
        IncidentKind::Outage,
        "L2",
    ))?;
    wait_for("Bob to hold the incident", WAIT, || {
        Ok(bob.desk.incident(&declared.reference).is_ok())
    })?;
    // A forged entry: the declaration's shape, a new id, a note far too long.
    let (entries, _) = alice.desk.entries_since(None)?;
    let mut forged = entries.first().cloned().ok_or("an entry")?;
    forged.reference = None;
    forged.entry.id = "0190aaaa-0000-7000-8000-000000000001".into();
    forged.entry.kind = incident_core::domain::EntryKind::Note;
    forged.entry.change = None;
    forged.entry.text = "x".repeat(incident_core::domain::MAX_TEXT + 1);
    let subject = format!("idesk.payments.inc.{}", declared.id);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let client = async_nats::connect(server.url()).await?;
        let js = async_nats::jetstream::new(client);
        for payload in [
            b"not an entry".to_vec(),
            b"{\"incident_id\": 7}".to_vec(),
            serde_json::to_vec(&forged)?,
        ] {
            js.publish(subject.clone(), payload.into()).await?.await?;
        }
        Ok::<(), Box<dyn std::error::Error>>(())
    })?;
    // Sync goes on: a real note still arrives, and nothing forged is held.
    alice
        .desk
        .add_note(&declared.reference, "after the garbage", None, None)?;
    wait_for("the real note at Bob's", WAIT, || {
        Ok(bob
            .desk
            .incident(&declared.reference)?
            .timeline
            .iter()
            .any(|e| e.text == "after the garbage"))
    })?;
    let held = bob.entry_ids()?;
    assert!(
        !held.contains(&forged.entry.id),
        "the forged entry was refused"
    );
    assert_eq!(held.len(), alice.entry_ids()?.len());
    Ok(())
}
