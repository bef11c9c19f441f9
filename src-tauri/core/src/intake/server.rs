//! The local webhook receiver: HTTP/1.1 on one thread, a secret token on
//! every delivery, a body limit and a rate limit. It answers every request
//! with a status and a JSON reason, and never takes the app down with it.
//!
//! `POST /alerts` (format detected) or `/alerts/{alertmanager|grafana|checkly|generic}`,
//! token in `Authorization: Bearer …`, `X-Incident-Desk-Token: …` or `?token=…`.
//! `GET /health` answers without a token (for the tools' connection tests).

use super::formats::{Format, parse};
use crate::desk::AlertReceipt;
use crate::domain::AlertInput;
use crate::error::DeskError;
use std::io::Read;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tiny_http::{Header, Request, Response, Server};

/// Where accepted alerts go (the desk, in the app).
pub type AlertSink =
    Arc<dyn Fn(Vec<AlertInput>) -> Result<Vec<AlertReceipt>, DeskError> + Send + Sync>;

#[derive(Debug, Clone, Copy)]
pub struct IntakeLimits {
    pub max_body_bytes: usize,
    /// Deliveries per second; bursts of ten times as many pass.
    pub rate_per_second: u32,
}

/// Counts since the receiver started (shown in Settings, used by the bench).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS,
)]
pub struct ReceiverStats {
    pub accepted: u64,
    pub refused: u64,
    pub rate_limited: u64,
}

#[derive(Default)]
struct Counters {
    accepted: AtomicU64,
    refused: AtomicU64,
    rate_limited: AtomicU64,
}

pub struct Receiver {
    address: SocketAddr,
    server: Option<Arc<Server>>,
    stop: Arc<AtomicBool>,
    counters: Arc<Counters>,
    thread: Option<JoinHandle<()>>,
}

impl Receiver {
    /// Binds and starts answering; fails when the address is taken.
    pub fn start(
        ip: IpAddr,
        port: u16,
        token: &str,
        limits: IntakeLimits,
        sink: AlertSink,
    ) -> std::io::Result<Receiver> {
        let server = Server::http(SocketAddr::new(ip, port))
            .map_err(|error| std::io::Error::other(error.to_string()))?;
        let address = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| std::io::Error::other("the receiver has no IP address"))?;
        let server = Arc::new(server);
        let stop = Arc::new(AtomicBool::new(false));
        let counters = Arc::new(Counters::default());
        let handler = Handler {
            token: token.to_owned(),
            limits,
            sink,
            bucket: Mutex::new(Bucket::new(limits.rate_per_second)),
            counters: Arc::clone(&counters),
        };
        let thread = {
            let server = Arc::clone(&server);
            let stop = Arc::clone(&stop);
            std::thread::Builder::new()
                .name("alert-receiver".into())
                .spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        match server.recv_timeout(Duration::from_millis(250)) {
                            Ok(Some(request)) => handler.handle(request),
                            Ok(None) => {}
                            Err(error) => {
                                tracing::warn!(%error, "the alert receiver could not read a request");
                            }
                        }
                    }
                })?
        };
        tracing::info!(%address, "alert receiver listening");
        Ok(Receiver {
            address,
            server: Some(server),
            stop,
            counters,
            thread: Some(thread),
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.address
    }

    pub fn stats(&self) -> ReceiverStats {
        ReceiverStats {
            accepted: self.counters.accepted.load(Ordering::Relaxed),
            refused: self.counters.refused.load(Ordering::Relaxed),
            rate_limited: self.counters.rate_limited.load(Ordering::Relaxed),
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(server) = &self.server {
            server.unblock();
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        // The listening socket closes on the server's own accept thread, a
        // moment after the server is dropped: wait (briefly) until the port
        // is free, so a restart on the same port succeeds.
        drop(self.server.take());
        let deadline = Instant::now() + Duration::from_secs(2);
        while std::net::TcpListener::bind(self.address).is_err() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        tracing::info!(address = %self.address, "alert receiver stopped");
    }
}

/// A token bucket: `rate` per second, holding up to ten seconds' worth.
struct Bucket {
    tokens: f64,
    capacity: f64,
    rate: f64,
    last: Instant,
}

impl Bucket {
    fn new(rate: u32) -> Bucket {
        let rate = f64::from(rate.max(1));
        Bucket {
            tokens: rate * 10.0,
            capacity: rate * 10.0,
            rate,
            last: Instant::now(),
        }
    }

    fn take(&mut self) -> bool {
        let now = Instant::now();
        let elapsed = now.duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.rate).min(self.capacity);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

struct Handler {
    token: String,
    limits: IntakeLimits,
    sink: AlertSink,
    bucket: Mutex<Bucket>,
    counters: Arc<Counters>,
}

struct Answer {
    status: u16,
    body: serde_json::Value,
}

fn refusal(status: u16, reason: impl Into<String>) -> Answer {
    Answer {
        status,
        body: serde_json::json!({ "error": reason.into() }),
    }
}

impl Handler {
    fn handle(&self, mut request: Request) {
        let answer = self.answer(&mut request);
        match answer.status {
            202 => self.counters.accepted.fetch_add(1, Ordering::Relaxed),
            429 => self.counters.rate_limited.fetch_add(1, Ordering::Relaxed),
            200 => 0,
            _ => self.counters.refused.fetch_add(1, Ordering::Relaxed),
        };
        let mut response =
            Response::from_string(answer.body.to_string()).with_status_code(answer.status);
        if let Ok(header) = Header::from_bytes("Content-Type", "application/json") {
            response.add_header(header);
        }
        if answer.status == 429
            && let Ok(header) = Header::from_bytes("Retry-After", "1")
        {
            response.add_header(header);
        }
        if let Err(error) = request.respond(response) {
            tracing::debug!(%error, "the sender left before the answer");
        }
    }

    fn answer(&self, request: &mut Request) -> Answer {
        let url = request.url().to_owned();
        let (path, query) = url.split_once('?').unwrap_or((&url, ""));
        let remote = request
            .remote_addr()
            .map(|a| a.to_string())
            .unwrap_or_default();
        if path == "/health" {
            return Answer {
                status: 200,
                body: serde_json::json!({ "ok": true }),
            };
        }
        let format = match path.trim_end_matches('/') {
            "/alerts" => None,
            other => match other
                .strip_prefix("/alerts/")
                .map(Format::from_path_segment)
            {
                Some(Some(format)) => Some(format),
                _ => {
                    return refusal(
                        404,
                        "unknown path: post to /alerts or /alerts/{alertmanager|grafana|checkly|generic}",
                    );
                }
            },
        };
        if *request.method() != tiny_http::Method::Post {
            return refusal(405, "deliver alerts with POST");
        }
        if !self.take_token() {
            return refusal(429, "too many deliveries: slow down (see Retry-After)");
        }
        if !self.authorized(request, query) {
            // The path without its query: the token never reaches the log.
            tracing::warn!(
                path,
                remote,
                "alert delivery refused: missing or wrong token"
            );
            return refusal(401, "missing or wrong token");
        }
        let max = self.limits.max_body_bytes;
        if request.body_length().is_some_and(|length| length > max) {
            return refusal(413, format!("the body is larger than {max} bytes"));
        }
        let mut body = Vec::new();
        let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
        if let Err(error) = request.as_reader().take(limit).read_to_end(&mut body) {
            return refusal(400, format!("could not read the body: {error}"));
        }
        if body.len() > max {
            return refusal(413, format!("the body is larger than {max} bytes"));
        }
        let alerts = match parse(&body, format) {
            Ok(alerts) => alerts,
            Err(error) => {
                tracing::info!(path, remote, reason = %error.0, "alert delivery refused");
                return refusal(400, error.0);
            }
        };
        match (self.sink)(alerts) {
            Ok(receipts) => Answer {
                status: 202,
                body: serde_json::json!({
                    "accepted": receipts.len(),
                    "fired": receipts.iter().filter(|r| r.fired).count(),
                }),
            },
            Err(error @ (DeskError::Invalid { .. } | DeskError::TooLong { .. })) => {
                refusal(400, error.to_string())
            }
            Err(error) => {
                tracing::error!(%error, "alerts could not be stored");
                refusal(503, format!("the alerts could not be stored: {error}"))
            }
        }
    }

    fn take_token(&self) -> bool {
        self.bucket
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take()
    }

    fn authorized(&self, request: &Request, query: &str) -> bool {
        let from_headers = request.headers().iter().find_map(|header| {
            let name = header.field.as_str().as_str();
            let value = header.value.as_str().trim();
            if name.eq_ignore_ascii_case("authorization") {
                value
                    .strip_prefix("Bearer ")
                    .or_else(|| value.strip_prefix("bearer "))
                    .map(str::trim)
            } else if name.eq_ignore_ascii_case("x-incident-desk-token") {
                Some(value)
            } else {
                None
            }
        });
        let from_query = query
            .split('&')
            .find_map(|pair| pair.strip_prefix("token="));
        from_headers
            .or(from_query)
            .is_some_and(|given| same_secret(given, &self.token))
    }
}

/// Compares without stopping at the first difference (no timing hint).
fn same_secret(given: &str, expected: &str) -> bool {
    let (a, b) = (given.as_bytes(), expected.as_bytes());
    let mut difference = a.len() ^ b.len();
    for (index, byte) in b.iter().enumerate() {
        difference |= usize::from(a.get(index).copied().unwrap_or(0) ^ byte);
    }
    difference == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_match_only_when_equal() {
        assert!(same_secret("abcdef0123456789", "abcdef0123456789"));
        assert!(!same_secret("abcdef012345678", "abcdef0123456789"));
        assert!(!same_secret("abcdef01234567890", "abcdef0123456789"));
        assert!(!same_secret("", "abcdef0123456789"));
        assert!(!same_secret("xbcdef0123456789", "abcdef0123456789"));
    }

    #[test]
    fn the_bucket_allows_a_burst_then_the_rate() {
        let mut bucket = Bucket::new(5);
        let passed = (0..100).filter(|_| bucket.take()).count();
        assert_eq!(passed, 50);
    }
}
