//! Serving connections and answering requests. Every limit is applied
//! before the work it protects: connections are capped before a task is
//! spawned, the token is checked before the rate budget is spent, the
//! announced length before a byte of body is read, and the body is read
//! within a size and a time.

use crate::bucket::Bucket;
use crate::writer::Writer;
use crate::{Counters, IntakeLimits};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use incident_core::DeskError;
use incident_core::intake::{Format, parse};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

/// What every connection shares.
pub struct Shared {
    token: String,
    limits: IntakeLimits,
    writer: Writer,
    counters: Arc<Counters>,
    /// Authenticated deliveries.
    deliveries: Mutex<Bucket>,
    /// Refused requests (wrong or missing token): their own budget, spent
    /// only on logging them, so they never eat into the deliveries'.
    refusals: Mutex<Bucket>,
}

impl Shared {
    pub fn new(
        token: &str,
        limits: IntakeLimits,
        writer: Writer,
        counters: Arc<Counters>,
    ) -> Shared {
        Shared {
            token: token.to_owned(),
            limits,
            writer,
            counters,
            deliveries: Mutex::new(Bucket::new(limits.rate_per_second)),
            refusals: Mutex::new(Bucket::new(limits.rate_per_second)),
        }
    }
}

/// Sent (best effort, without reading anything) to a connection over the cap.
const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
retry-after: 1\r\nconnection: close\r\ncontent-length: 55\r\n\r\n\
{\"error\":\"too many connections: try again in a second\"}";

/// Accepts until told to stop, then closes the listener and every
/// connection (aborting their tasks) before returning.
pub async fn serve(
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let listener = match TcpListener::from_std(listener) {
        Ok(listener) => listener,
        Err(error) => {
            tracing::error!(%error, "the alert receiver could not listen");
            return;
        }
    };
    let permits = Arc::new(Semaphore::new(shared.limits.max_connections));
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, remote)) => match Arc::clone(&permits).try_acquire_owned() {
                    Ok(permit) => {
                        let shared = Arc::clone(&shared);
                        connections.spawn(async move {
                            serve_connection(stream, remote, shared).await;
                            drop(permit);
                        });
                    }
                    Err(_) => {
                        shared.counters.count(503);
                        let _ = stream.try_write(BUSY);
                        tracing::warn!(%remote, "alert receiver at its connection limit: refused one");
                    }
                },
                Err(error) => {
                    // Out of file descriptors, say: wait a moment, do not spin.
                    tracing::warn!(%error, "the alert receiver could not accept a connection");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    connections.shutdown().await;
}

async fn serve_connection(stream: TcpStream, remote: SocketAddr, shared: Arc<Shared>) {
    let header_timeout = shared.limits.header_timeout;
    let service = hyper::service::service_fn(move |request| {
        let shared = Arc::clone(&shared);
        async move { Ok::<_, Infallible>(respond(&shared, request, remote).await) }
    });
    let served = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .max_buf_size(64 * 1024)
        .serve_connection(TokioIo::new(stream), service)
        .await;
    if let Err(error) = served {
        tracing::debug!(%remote, %error, "alert receiver connection ended");
    }
}

struct Answer {
    status: StatusCode,
    body: serde_json::Value,
    /// The body was not read: the connection cannot be reused.
    close: bool,
}

impl Answer {
    fn ok(status: StatusCode, body: serde_json::Value) -> Answer {
        Answer {
            status,
            body,
            close: false,
        }
    }

    fn refusal(status: StatusCode, reason: impl Into<String>) -> Answer {
        Answer::ok(status, serde_json::json!({ "error": reason.into() }))
    }

    /// A refusal sent before the body was read.
    fn early(status: StatusCode, reason: impl Into<String>) -> Answer {
        Answer {
            close: true,
            ..Answer::refusal(status, reason)
        }
    }
}

async fn respond(
    shared: &Shared,
    request: Request<Incoming>,
    remote: SocketAddr,
) -> Response<Full<Bytes>> {
    let answer = answer(shared, request, remote).await;
    shared.counters.count(answer.status.as_u16());
    let mut response = Response::new(Full::new(Bytes::from(answer.body.to_string())));
    *response.status_mut() = answer.status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if answer.status == StatusCode::TOO_MANY_REQUESTS {
        headers.insert(RETRY_AFTER, HeaderValue::from_static("1"));
    }
    if answer.close {
        headers.insert(CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

async fn answer(shared: &Shared, request: Request<Incoming>, remote: SocketAddr) -> Answer {
    let path = request.uri().path().to_owned();
    let query = request.uri().query().unwrap_or("").to_owned();
    if path == "/health" {
        return Answer::ok(StatusCode::OK, serde_json::json!({ "ok": true }));
    }
    let format = match path.trim_end_matches('/') {
        "/alerts" => None,
        other => match other
            .strip_prefix("/alerts/")
            .map(Format::from_path_segment)
        {
            Some(Some(format)) => Some(format),
            _ => {
                return Answer::early(
                    StatusCode::NOT_FOUND,
                    "unknown path: post to /alerts or /alerts/{alertmanager|grafana|checkly|generic}",
                );
            }
        },
    };
    if request.method() != Method::POST {
        return Answer::early(StatusCode::METHOD_NOT_ALLOWED, "deliver alerts with POST");
    }
    if !authorized(&request, &query, &shared.token) {
        if take(&shared.refusals) {
            // The path without its query: the token never reaches the log.
            tracing::warn!(path, %remote, "alert delivery refused: missing or wrong token");
        }
        return Answer::early(StatusCode::UNAUTHORIZED, "missing or wrong token");
    }
    if !take(&shared.deliveries) {
        return Answer::early(
            StatusCode::TOO_MANY_REQUESTS,
            "too many deliveries: slow down (see Retry-After)",
        );
    }
    let max = shared.limits.max_body_bytes;
    let too_large = || format!("the body is larger than {max} bytes");
    let announced = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .map(|value| value.trim().parse::<u64>());
    match announced {
        Some(Ok(length)) if length > max as u64 => {
            return Answer::early(StatusCode::PAYLOAD_TOO_LARGE, too_large());
        }
        Some(Err(_)) => {
            return Answer::early(StatusCode::BAD_REQUEST, "a malformed Content-Length");
        }
        _ => {}
    }
    let body = Limited::new(request.into_body(), max).collect();
    let body = match tokio::time::timeout(shared.limits.body_timeout, body).await {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(error))
            if error
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            return Answer::early(StatusCode::PAYLOAD_TOO_LARGE, too_large());
        }
        Ok(Err(error)) => {
            return Answer::early(
                StatusCode::BAD_REQUEST,
                format!("could not read the body: {error}"),
            );
        }
        Err(_) => {
            return Answer::early(
                StatusCode::REQUEST_TIMEOUT,
                format!(
                    "the body did not arrive within {} s",
                    shared.limits.body_timeout.as_secs()
                ),
            );
        }
    };
    let alerts = match parse(&body, format) {
        Ok(alerts) => alerts,
        Err(error) => {
            tracing::info!(path, %remote, reason = %error.0, "alert delivery refused");
            return Answer::refusal(StatusCode::BAD_REQUEST, error.0);
        }
    };
    match shared.writer.write(alerts).await {
        Ok(receipts) => Answer::ok(
            StatusCode::ACCEPTED,
            serde_json::json!({
                "accepted": receipts.len(),
                "fired": receipts.iter().filter(|r| r.fired).count(),
            }),
        ),
        Err(error @ (DeskError::Invalid { .. } | DeskError::TooLong { .. })) => {
            Answer::refusal(StatusCode::BAD_REQUEST, error.to_string())
        }
        Err(error) => {
            tracing::error!(%error, "alerts could not be stored");
            Answer::refusal(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("the alerts could not be stored: {error}"),
            )
        }
    }
}

fn take(bucket: &Mutex<Bucket>) -> bool {
    bucket
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .take()
}

fn authorized(request: &Request<Incoming>, query: &str, token: &str) -> bool {
    let headers = request.headers();
    let bearer = headers
        .get(hyper::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .and_then(|value| {
            value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("bearer "))
        })
        .map(str::trim);
    let header = headers
        .get("x-incident-desk-token")
        .and_then(|value| value.to_str().ok())
        .map(str::trim);
    let from_query = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("token="));
    bearer
        .or(header)
        .or(from_query)
        .is_some_and(|given| same_secret(given, token))
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
    fn the_busy_answer_is_well_formed() {
        let text = String::from_utf8_lossy(BUSY);
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or_default();
        assert!(head.starts_with("HTTP/1.1 503"));
        assert!(
            head.contains(&format!("content-length: {}", body.len())),
            "{head}"
        );
        assert!(
            serde_json::from_str::<serde_json::Value>(body).is_ok(),
            "{body}"
        );
    }
}
