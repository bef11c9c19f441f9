//! The local alert receiver: monitoring tools post webhooks over HTTP/1.1
//! (loopback by default), each with a secret token, within a body limit and
//! a rate limit. Every request gets a status and a JSON reason; no request,
//! however slow, large or malformed, can take the app down, hold the
//! receiver, or keep it from stopping.
//!
//! `POST /alerts` (format detected) or `/alerts/{alertmanager|grafana|checkly|generic}`,
//! token in `Authorization: Bearer …`, `X-Incident-Desk-Token: …` or `?token=…`.
//! `GET /health` answers without a token (for the tools' connection tests).
//!
//! Why hyper on tokio rather than tiny_http (which this replaced): tiny_http
//! reads every request on one thread, with no read timeout, and drains a
//! body it was not asked to read. One unauthenticated client announcing a
//! large body, or sending one byte at a time, stalled every delivery and
//! the receiver's stop. hyper serves each connection as its own task, times
//! out request heads (which also closes idle keep-alive connections), and
//! hands the body over as a stream that we bound in size and time before
//! allocating; tokio is already in the app. Around it we add a cap on
//! connections, a separate budget for refused requests, and a group-commit
//! writer (see [`writer`]).
//!
//! The payload formats live in the core (`incident_core::intake`): what a
//! delivery means is the core's business, how it arrives is this crate's.

mod bucket;
mod http;
mod writer;

pub use incident_core::intake::ReceiverStats;
pub use writer::AlertSink;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::sync::watch;

/// What a delivery may cost the receiver.
#[derive(Debug, Clone, Copy)]
pub struct IntakeLimits {
    pub max_body_bytes: usize,
    /// Authenticated deliveries per second; bursts of ten times as many pass.
    pub rate_per_second: u32,
    /// Connections served at once; more are answered 503 and closed.
    pub max_connections: usize,
    /// A request's head must arrive within this (also the idle limit of a
    /// kept-alive connection).
    pub header_timeout: Duration,
    /// A request's whole body must arrive within this.
    pub body_timeout: Duration,
}

impl IntakeLimits {
    /// The app's limits for a body size and a rate.
    pub fn new(max_body_bytes: usize, rate_per_second: u32) -> IntakeLimits {
        IntakeLimits {
            max_body_bytes,
            rate_per_second,
            max_connections: 64,
            header_timeout: Duration::from_secs(5),
            body_timeout: Duration::from_secs(10),
        }
    }
}

#[derive(Default)]
pub(crate) struct Counters {
    pub accepted: AtomicU64,
    pub refused: AtomicU64,
    pub rate_limited: AtomicU64,
}

impl Counters {
    pub(crate) fn count(&self, status: u16) {
        let counter = match status {
            202 => &self.accepted,
            429 => &self.rate_limited,
            200 => return,
            _ => &self.refused,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// A running receiver; dropping it stops it (within a second, whatever the
/// clients are doing) and frees its port.
pub struct Receiver {
    address: SocketAddr,
    stop: Option<watch::Sender<bool>>,
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
        let listener = std::net::TcpListener::bind(SocketAddr::new(ip, port))?;
        listener.set_nonblocking(true)?;
        let address = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()?;
        let counters = Arc::new(Counters::default());
        let writer = writer::Writer::start(sink)?;
        let shared = Arc::new(http::Shared::new(
            token,
            limits,
            writer,
            Arc::clone(&counters),
        ));
        let (stop, stopped) = watch::channel(false);
        let thread = std::thread::Builder::new()
            .name("alert-receiver".into())
            .spawn(move || runtime.block_on(http::serve(listener, shared, stopped)))?;
        tracing::info!(%address, "alert receiver listening");
        Ok(Receiver {
            address,
            stop: Some(stop),
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
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
        // The serving thread closes the listener and every connection before
        // it ends, so the port is free once this returns.
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        tracing::info!(address = %self.address, "alert receiver stopped");
    }
}
