//! A tiny HTTP server on 127.0.0.1 for the updater tests: it serves fixed
//! bodies by path, which a test can replace (a tampered artifact) or turn
//! into server errors while the app runs. One thread, ended on drop.

use crate::Result;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

#[derive(Clone)]
struct Response {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
}

type Routes = Arc<Mutex<HashMap<String, Response>>>;

pub struct UpdateServer {
    pub port: u16,
    routes: Routes,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl UpdateServer {
    pub fn start() -> Result<UpdateServer> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let port = listener.local_addr()?.port();
        let routes: Routes = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let routes = Arc::clone(&routes);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || serve(&listener, &routes, &stop))
        };
        Ok(UpdateServer {
            port,
            routes,
            stop,
            thread: Some(thread),
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Serves `body` at `path` with status 200.
    pub fn serve(&self, path: &str, content_type: &'static str, body: Vec<u8>) {
        self.set(path, 200, content_type, body);
    }

    /// Answers `path` with a server error.
    pub fn fail(&self, path: &str, status: u16) {
        self.set(path, status, "text/plain", b"internal error".to_vec());
    }

    fn set(&self, path: &str, status: u16, content_type: &'static str, body: Vec<u8>) {
        let response = Response {
            status,
            content_type,
            body,
        };
        self.routes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(path.to_owned(), response);
    }
}

impl Drop for UpdateServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(listener: &TcpListener, routes: &Routes, stop: &AtomicBool) {
    while !stop.load(Ordering::Relaxed) {
        match listener.accept() {
            Ok((stream, _)) => {
                let _ = answer(stream, routes);
            }
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

fn answer(stream: TcpStream, routes: &Routes) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Skip the headers: nothing in them matters here.
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("/");
    let path = path.split('?').next().unwrap_or(path);
    let found = routes
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(path)
        .cloned();
    let response = found.unwrap_or(Response {
        status: 404,
        content_type: "text/plain",
        body: b"not found".to_vec(),
    });
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 {} X\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        response.status,
        response.content_type,
        response.body.len()
    )?;
    stream.write_all(&response.body)?;
    stream.flush()
}
