//! The receiver against clients that do not play along, over raw TCP on
//! 127.0.0.1: a body announced huge or never sent, heads that never end,
//! more connections than the cap, floods of wrong tokens — each while a
//! legitimate delivery must still go through at once, and the receiver
//! must still stop within a second.

use incident_core::Desk;
use incident_intake::{IntakeLimits, Receiver};
use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

type TestResult = Result<(), Box<dyn std::error::Error>>;
type Outcome<T> = Result<T, Box<dyn std::error::Error>>;

/// Runs a test's body on its own thread and fails it after `limit`: a
/// receiver that hangs (the bug these tests are about) fails the test
/// instead of hanging the run.
fn within(limit: Duration, body: fn() -> TestResult) -> TestResult {
    let (done, result) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let outcome = body().map_err(|e| e.to_string());
        let _ = done.send(outcome);
    });
    match result.recv_timeout(limit) {
        Ok(outcome) => outcome.map_err(Into::into),
        Err(_) => {
            Err(format!("the test did not finish within {limit:?}: the receiver hangs").into())
        }
    }
}

const LIMIT: Duration = Duration::from_secs(30);

const TOKEN: &str = "0123456789abcdef0123456789abcdef";
const GOOD: &str = r#"{"source":"cron","service":"backup","summary":"Nightly backup failed"}"#;

struct Running {
    desk: Arc<Desk>,
    receiver: Receiver,
    _dir: tempfile::TempDir,
}

/// Short timeouts, so the tests see them pass.
fn limits() -> IntakeLimits {
    IntakeLimits {
        max_connections: 8,
        header_timeout: Duration::from_millis(800),
        body_timeout: Duration::from_millis(800),
        ..IntakeLimits::new(4096, 1_000)
    }
}

fn start(limits: IntakeLimits) -> Outcome<Running> {
    let dir = tempfile::tempdir()?;
    let desk = Arc::new(Desk::open(dir.path().join("hostile.db"))?);
    let sink_desk = Arc::clone(&desk);
    let receiver = Receiver::start(
        IpAddr::V4(Ipv4Addr::LOCALHOST),
        0,
        TOKEN,
        limits,
        Arc::new(move |deliveries| sink_desk.receive_alert_deliveries(deliveries)),
    )?;
    Ok(Running {
        desk,
        receiver,
        _dir: dir,
    })
}

fn connect(address: SocketAddr) -> Outcome<TcpStream> {
    let stream = TcpStream::connect_timeout(&address, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.set_write_timeout(Some(Duration::from_secs(5)))?;
    Ok(stream)
}

/// Reads until the peer closes or a whole response is in; returns the text.
fn read_answer(stream: &mut TcpStream) -> Outcome<String> {
    let mut bytes = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => {
                bytes.extend_from_slice(&buffer[..n]);
                let text = String::from_utf8_lossy(&bytes);
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    let length = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().to_owned())
                        })
                        .and_then(|v| v.parse::<usize>().ok());
                    if length.is_some_and(|length| body.len() >= length) {
                        break;
                    }
                }
            }
            Err(error) if error.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(error) => return Err(error.into()),
        }
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn status(answer: &str) -> u16 {
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0)
}

/// A whole, authorised delivery on a new connection; returns the status and
/// how long it took.
fn deliver(address: SocketAddr, token: &str) -> Outcome<(u16, Duration)> {
    let started = Instant::now();
    let mut stream = connect(address)?;
    // A refusal on arrival (over the cap) may close before this is written.
    let _ = write!(
        stream,
        "POST /alerts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{GOOD}",
        GOOD.len()
    );
    let answer = read_answer(&mut stream)?;
    Ok((status(&answer), started.elapsed()))
}

/// Opens a connection that sends `head` and then nothing.
fn stalled(address: SocketAddr, head: &str) -> Outcome<TcpStream> {
    let mut stream = connect(address)?;
    stream.write_all(head.as_bytes())?;
    Ok(stream)
}

fn head_with_length(length: u64, token: &str) -> String {
    format!(
        "POST /alerts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
         Content-Length: {length}\r\n\r\n"
    )
}

#[test]
fn a_huge_announced_body_is_refused_before_anything_is_read() -> TestResult {
    within(
        LIMIT,
        a_huge_announced_body_is_refused_before_anything_is_read_body,
    )
}

fn a_huge_announced_body_is_refused_before_anything_is_read_body() -> TestResult {
    let running = start(limits())?;
    let address = running.receiver.local_addr();
    for token in [TOKEN, "wrong"] {
        let started = Instant::now();
        let mut stream = stalled(address, &head_with_length(10_000_000_000_000, token))?;
        let answer = read_answer(&mut stream)?;
        let expected = if token == TOKEN { 413 } else { 401 };
        assert_eq!(status(&answer), expected, "{answer}");
        assert!(
            started.elapsed() < Duration::from_millis(500),
            "took {:?}",
            started.elapsed()
        );
    }
    // A body over the limit without a length (chunked) is cut off too.
    let mut stream = connect(address)?;
    write!(
        stream,
        "POST /alerts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n\
         Transfer-Encoding: chunked\r\n\r\n"
    )?;
    let chunk = "x".repeat(1024);
    for _ in 0..8 {
        if write!(stream, "400\r\n{chunk}\r\n").is_err() {
            break;
        }
    }
    let answer = read_answer(&mut stream)?;
    assert_eq!(status(&answer), 413, "{answer}");
    assert!(running.desk.alerts(true)?.is_empty());
    assert_eq!(deliver(address, TOKEN)?.0, 202);
    Ok(())
}

#[test]
fn a_body_that_never_arrives_times_out_and_stalls_nobody() -> TestResult {
    within(
        LIMIT,
        a_body_that_never_arrives_times_out_and_stalls_nobody_body,
    )
}

fn a_body_that_never_arrives_times_out_and_stalls_nobody_body() -> TestResult {
    let running = start(limits())?;
    let address = running.receiver.local_addr();
    let started = Instant::now();
    let mut slow = stalled(address, &head_with_length(100, TOKEN))?;
    // Meanwhile a real delivery goes straight through.
    let (code, took) = deliver(address, TOKEN)?;
    assert_eq!(code, 202);
    assert!(
        took < Duration::from_millis(500),
        "a stalled body held a delivery for {took:?}"
    );
    let answer = read_answer(&mut slow)?;
    assert_eq!(status(&answer), 408, "{answer}");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(700) && waited < Duration::from_secs(3),
        "answered after {waited:?}"
    );
    Ok(())
}

#[test]
fn a_head_that_never_ends_and_an_idle_connection_are_closed() -> TestResult {
    within(
        LIMIT,
        a_head_that_never_ends_and_an_idle_connection_are_closed_body,
    )
}

fn a_head_that_never_ends_and_an_idle_connection_are_closed_body() -> TestResult {
    let running = start(limits())?;
    let address = running.receiver.local_addr();
    let started = Instant::now();
    let mut half = stalled(address, "POST /alerts HTTP/1.1\r\nHost: x\r\nX-Slow: ")?;
    let mut idle = connect(address)?;
    let _ = read_answer(&mut half)?;
    let _ = read_answer(&mut idle)?;
    let closed_after = started.elapsed();
    assert!(
        closed_after < Duration::from_secs(3),
        "open for {closed_after:?}"
    );
    assert_eq!(deliver(address, TOKEN)?.0, 202);
    Ok(())
}

#[test]
fn connections_over_the_cap_are_refused_and_a_delivery_passes_once_they_go() -> TestResult {
    within(
        LIMIT,
        connections_over_the_cap_are_refused_and_a_delivery_passes_once_they_go_body,
    )
}

fn connections_over_the_cap_are_refused_and_a_delivery_passes_once_they_go_body() -> TestResult {
    let running = start(limits())?;
    let address = running.receiver.local_addr();
    // Seven slow clients hold seven of the eight places: a delivery still passes.
    let mut hostile: Vec<TcpStream> = (0..7)
        .map(|_| stalled(address, "POST /alerts HTTP/1.1\r\n"))
        .collect::<Outcome<_>>()?;
    std::thread::sleep(Duration::from_millis(100));
    let (code, took) = deliver(address, TOKEN)?;
    assert_eq!(code, 202, "a delivery beside seven slow clients");
    assert!(took < Duration::from_millis(500), "{took:?}");
    // Two more fill the cap; the next is told to come back.
    hostile.push(stalled(address, "POST /alerts HTTP/1.1\r\n")?);
    std::thread::sleep(Duration::from_millis(100));
    // (It is answered on arrival, before it could say anything.)
    let mut over = connect(address)?;
    let answer = read_answer(&mut over)?;
    assert_eq!(status(&answer), 503, "{answer}");
    assert!(answer.contains("too many connections"), "{answer}");
    // The slow ones time out; the receiver serves again.
    let deadline = Instant::now() + Duration::from_secs(5);
    let code = loop {
        let (code, _) = deliver(address, TOKEN)?;
        if code == 202 || Instant::now() > deadline {
            break code;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(code, 202);
    drop(hostile);
    Ok(())
}

#[test]
fn wrong_tokens_do_not_spend_the_deliveries_budget() -> TestResult {
    within(LIMIT, wrong_tokens_do_not_spend_the_deliveries_budget_body)
}

fn wrong_tokens_do_not_spend_the_deliveries_budget_body() -> TestResult {
    let running = start(IntakeLimits {
        rate_per_second: 1,
        ..limits()
    })?;
    let address = running.receiver.local_addr();
    for _ in 0..40 {
        assert_eq!(deliver(address, "not-the-token")?.0, 401);
    }
    // The burst (ten deliveries at 1/s) is still there for the real sender.
    for n in 0..10 {
        assert_eq!(deliver(address, TOKEN)?.0, 202, "delivery {n}");
    }
    assert_eq!(deliver(address, TOKEN)?.0, 429);
    Ok(())
}

#[test]
fn stopping_takes_under_a_second_whatever_the_clients_do() -> TestResult {
    within(
        LIMIT,
        stopping_takes_under_a_second_whatever_the_clients_do_body,
    )
}

fn stopping_takes_under_a_second_whatever_the_clients_do_body() -> TestResult {
    let running = start(IntakeLimits {
        header_timeout: Duration::from_secs(30),
        body_timeout: Duration::from_secs(30),
        ..limits()
    })?;
    let address = running.receiver.local_addr();
    let _held = [
        stalled(address, &head_with_length(100, TOKEN))?,
        stalled(address, &head_with_length(10_000_000_000, "wrong"))?,
        stalled(address, "POST /alerts HTTP/1.1\r\nHost: x\r\n")?,
        connect(address)?,
    ];
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    drop(running.receiver);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(1), "stopping took {took:?}");
    // And the port is free at once.
    std::net::TcpListener::bind(address)?;
    Ok(())
}
