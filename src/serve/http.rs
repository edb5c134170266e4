//! A small HTTP/1.1 server for `briefs serve`: GET and HEAD only, one
//! request per connection, every resource bounded.
//!
//! Why not a server crate: the page and its API need no request bodies, no
//! keep-alive, no TLS and no streaming, but they need hard bounds, because
//! a browser tab on any site can make the user's browser connect to
//! 127.0.0.1. tiny_http 0.12 (the latest) reads header lines without a
//! length limit, sets no socket timeouts and starts a thread per
//! connection; axum would bring tokio and hyper. What is left to write is
//! small: the request head is parsed by `httparse` (the parser hyper uses),
//! and this file adds the bounds:
//!
//! - the head must arrive within [`Limits::head_timeout`] in total (a client
//!   that sends one byte a second is cut off), and be at most
//!   [`Limits::max_head`] bytes with at most [`MAX_HEADERS`] headers;
//! - a fixed number of worker threads answers connections from a bounded
//!   queue; when the queue is full a connection gets `503` at once;
//! - responses are written with a timeout, and the connection is closed.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// At most this many headers in a request.
pub const MAX_HEADERS: usize = 48;

/// Bounds on requests and on the work the server takes on.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Bytes of the request line and headers.
    pub max_head: usize,
    /// Time for the whole request head to arrive.
    pub head_timeout: Duration,
    /// Time for the response to be taken by the client.
    pub write_timeout: Duration,
    /// Threads answering requests.
    pub workers: usize,
    /// Accepted connections waiting for a worker.
    pub queue: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_head: 16 * 1024,
            head_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(10),
            workers: 8,
            queue: 64,
        }
    }
}

/// The methods the server answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
}

/// A request head, parsed.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    /// The path, still percent-encoded.
    pub path: String,
    /// What follows `?`, still encoded (empty when there is none).
    pub query: String,
    /// The `Host` header, if any.
    pub host: Option<String>,
}

/// A response to send.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            content_type,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// A plain-text response, for errors before routing.
    pub fn text(status: u16, message: &str) -> Response {
        Response::new(status, "text/plain; charset=utf-8", format!("{message}\n"))
    }

    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Response {
        self.headers.push((name, value.into()));
        self
    }
}

/// Why a request head was refused; each case has its status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeadError {
    /// The client closed the connection or sent nothing: no answer.
    Closed,
    TimedOut,
    TooLarge,
    TooManyHeaders,
    Malformed(String),
    Method(String),
}

impl HeadError {
    /// The response for a refused head, if the client can still take one.
    pub fn response(&self) -> Option<Response> {
        Some(match self {
            HeadError::Closed => return None,
            HeadError::TimedOut => Response::text(408, "the request took too long to arrive"),
            HeadError::TooLarge => Response::text(431, "the request line and headers are too long"),
            HeadError::TooManyHeaders => Response::text(431, "too many headers"),
            HeadError::Malformed(why) => Response::text(400, &format!("malformed request: {why}")),
            HeadError::Method(method) => Response::text(
                405,
                &format!("method {method} is not allowed: this server only answers GET and HEAD"),
            )
            .with_header("Allow", "GET, HEAD"),
        })
    }
}

/// Reads a request head from `stream` within the limits.
pub fn read_request(stream: &mut impl ReadTimeout, limits: &Limits) -> Result<Request, HeadError> {
    let deadline = Instant::now() + limits.head_timeout;
    let mut buf: Vec<u8> = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(HeadError::TimedOut);
        }
        stream.set_timeout(left).map_err(|_| HeadError::Closed)?;
        let n = match stream.read(&mut chunk) {
            Ok(0) if buf.is_empty() => return Err(HeadError::Closed),
            Ok(0) => return Err(HeadError::Malformed("the request head ends early".into())),
            Ok(n) => n,
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                return Err(HeadError::TimedOut)
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return Err(HeadError::Closed),
        };
        let searched_from = buf.len().saturating_sub(3);
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = find_head_end(&buf[searched_from..]) {
            return parse_head(&buf[..searched_from + end]);
        }
        if buf.len() > limits.max_head {
            return Err(HeadError::TooLarge);
        }
    }
}

fn find_head_end(bytes: &[u8]) -> Option<usize> {
    bytes.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4)
}

fn parse_head(head: &[u8]) -> Result<Request, HeadError> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Request::new(&mut headers);
    match parsed.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => return Err(HeadError::Malformed("the request head ends early".into())),
        Err(httparse::Error::TooManyHeaders) => return Err(HeadError::TooManyHeaders),
        Err(e) => return Err(HeadError::Malformed(e.to_string())),
    }
    let method = match parsed.method {
        Some("GET") => Method::Get,
        Some("HEAD") => Method::Head,
        Some(other) => return Err(HeadError::Method(other.chars().take(20).collect())),
        None => return Err(HeadError::Malformed("no method".into())),
    };
    let target = parsed.path.unwrap_or_default();
    if !target.starts_with('/') {
        return Err(HeadError::Malformed("the target must be a path starting with /".into()));
    }
    let target = target.split('#').next().unwrap_or_default();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut host = None;
    for header in parsed.headers.iter() {
        if header.name.eq_ignore_ascii_case("host") {
            if host.is_some() {
                return Err(HeadError::Malformed("two Host headers".into()));
            }
            host = Some(String::from_utf8_lossy(header.value).trim().to_string());
        }
        if header.name.eq_ignore_ascii_case("content-length")
            && String::from_utf8_lossy(header.value).trim().parse::<u64>() != Ok(0)
        {
            return Err(HeadError::Malformed("a GET request has no body".into()));
        }
        if header.name.eq_ignore_ascii_case("transfer-encoding") {
            return Err(HeadError::Malformed("a GET request has no body".into()));
        }
    }
    Ok(Request {
        method,
        path: path.to_string(),
        query: query.to_string(),
        host,
    })
}

/// A stream whose reads can time out (a TCP stream; a fake one in tests).
pub trait ReadTimeout: Read {
    fn set_timeout(&mut self, timeout: Duration) -> std::io::Result<()>;
}

impl ReadTimeout for TcpStream {
    fn set_timeout(&mut self, timeout: Duration) -> std::io::Result<()> {
        self.set_read_timeout(Some(timeout.max(Duration::from_millis(1))))
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        304 => "Not Modified",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// Headers every response carries: no script, style or image from
/// anywhere but this server (so even a rendering bug cannot run a brief's
/// `<script>`), no framing, no sniffing, no referrer leaving the machine.
const SECURITY_HEADERS: &str = "Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'\r\n\
     X-Content-Type-Options: nosniff\r\n\
     X-Frame-Options: DENY\r\n\
     Referrer-Policy: no-referrer\r\n";

/// Writes `response` (without its body for HEAD) and flushes.
pub fn write_response(out: &mut impl Write, response: &Response, head_only: bool) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n{SECURITY_HEADERS}",
        response.status,
        reason(response.status),
        response.content_type,
        response.body.len()
    );
    for (name, value) in &response.headers {
        // Header values are made by this program; newlines would still
        // split a header, so they are dropped.
        let value: String = value.chars().filter(|c| *c != '\r' && *c != '\n').collect();
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    out.write_all(head.as_bytes())?;
    if !head_only {
        out.write_all(&response.body)?;
    }
    out.flush()
}

/// What answers requests: called on worker threads.
pub type Handler = dyn Fn(&Request) -> Response + Send + Sync;

/// A listening server: an accept thread and a pool of workers.
pub struct Running {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
    workers: Vec<JoinHandle<()>>,
}

impl Running {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Blocks until the server stops (it does not stop by itself).
    pub fn wait(mut self) {
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }

    /// Stops accepting, lets the workers finish, and waits for them.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept call with a connection of our own.
        let _ = TcpStream::connect_timeout(&wake_addr(self.addr), Duration::from_secs(1));
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if self.accept.is_some() {
            self.shutdown();
        }
    }
}

/// The address to connect to for waking the accept call: a wildcard
/// address is reached through loopback.
fn wake_addr(addr: SocketAddr) -> SocketAddr {
    let mut to = addr;
    if addr.ip().is_unspecified() {
        to.set_ip(match addr {
            SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    to
}

/// Serves `listener` with `handler` on worker threads, until stopped.
pub fn start(listener: TcpListener, limits: Limits, handler: Arc<Handler>) -> std::io::Result<Running> {
    let addr = listener.local_addr()?;
    let stop = Arc::new(AtomicBool::new(false));
    let (sender, receiver) = sync_channel::<TcpStream>(limits.queue.max(1));
    let receiver = Arc::new(Mutex::new(receiver));
    let mut workers = Vec::new();
    for n in 0..limits.workers.max(1) {
        let receiver = Arc::clone(&receiver);
        let handler = Arc::clone(&handler);
        workers.push(
            std::thread::Builder::new()
                .name(format!("briefs-serve-{n}"))
                .spawn(move || work(&receiver, &limits, &*handler))?,
        );
    }
    let accept_stop = Arc::clone(&stop);
    let accept = std::thread::Builder::new()
        .name("briefs-serve-accept".into())
        .spawn(move || accept_loop(&listener, &sender, &accept_stop))?;
    Ok(Running {
        addr,
        stop,
        accept: Some(accept),
        workers,
    })
}

fn accept_loop(listener: &TcpListener, sender: &SyncSender<TcpStream>, stop: &AtomicBool) {
    loop {
        let accepted = listener.accept();
        if stop.load(Ordering::SeqCst) {
            return;
        }
        match accepted {
            Ok((stream, _)) => match sender.try_send(stream) {
                Ok(()) => {}
                Err(TrySendError::Full(mut stream)) => {
                    let _ = stream.set_write_timeout(Some(Duration::from_millis(200)));
                    let busy = Response::text(503, "the server is busy; try again").with_header("Retry-After", "1");
                    let _ = write_response(&mut stream, &busy, false);
                }
                Err(TrySendError::Disconnected(_)) => return,
            },
            // Out of file descriptors, or a connection reset before it was
            // accepted: wait a moment instead of spinning.
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

fn work(receiver: &Mutex<Receiver<TcpStream>>, limits: &Limits, handler: &Handler) {
    loop {
        let next = match receiver.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        let Ok(mut stream) = next else { return };
        let _ = stream.set_write_timeout(Some(limits.write_timeout));
        let _ = stream.set_nodelay(true);
        let (response, head_only, refused) = match read_request(&mut stream, limits) {
            Ok(request) => {
                let head_only = request.method == Method::Head;
                // A panic is a bug; the client still gets an answer and
                // the worker lives on.
                let response = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handler(&request)))
                    .unwrap_or_else(|_| Response::text(500, "internal error: the request could not be answered"));
                (Some(response), head_only, false)
            }
            Err(e) => (e.response(), false, true),
        };
        if let Some(response) = response {
            let _ = write_response(&mut stream, &response, head_only);
        }
        let _ = stream.shutdown(std::net::Shutdown::Write);
        if refused {
            drain(&mut stream);
        }
    }
}

/// After refusing a request, reads (and drops) what the client still
/// sends, for a moment: closing a socket with unread bytes resets the
/// connection, and the client could lose the refusal it was sent.
fn drain(stream: &mut TcpStream) {
    let deadline = Instant::now() + Duration::from_millis(500);
    let mut left: usize = 1 << 20;
    let mut chunk = [0u8; 8192];
    while left > 0 {
        let wait = deadline.saturating_duration_since(Instant::now());
        if wait.is_zero() || stream.set_read_timeout(Some(wait)).is_err() {
            return;
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => left = left.saturating_sub(n),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bytes that arrive in the given pieces.
    struct Pieces(Vec<Vec<u8>>);

    impl Read for Pieces {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0.is_empty() {
                return Ok(0);
            }
            let piece = self.0.remove(0);
            let n = piece.len().min(buf.len());
            buf[..n].copy_from_slice(&piece[..n]);
            if n < piece.len() {
                self.0.insert(0, piece[n..].to_vec());
            }
            Ok(n)
        }
    }

    impl ReadTimeout for Pieces {
        fn set_timeout(&mut self, _: Duration) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn read(pieces: &[&[u8]]) -> Result<Request, HeadError> {
        let mut stream = Pieces(pieces.iter().map(|p| p.to_vec()).collect());
        read_request(&mut stream, &Limits::default())
    }

    #[test]
    fn parses_a_head_arriving_in_pieces() {
        let request = read(&[
            b"GET /api/search?q=gas HTTP/1.1\r",
            b"\nHost: 127.0.0.1:7700\r\n\r",
            b"\n",
        ])
        .expect("parsed");
        assert_eq!(request.method, Method::Get);
        assert_eq!(request.path, "/api/search");
        assert_eq!(request.query, "q=gas");
        assert_eq!(request.host.as_deref(), Some("127.0.0.1:7700"));
    }

    #[test]
    fn refuses_what_it_does_not_serve() {
        assert_eq!(read(&[]).unwrap_err(), HeadError::Closed);
        assert!(matches!(
            read(&[b"POST / HTTP/1.1\r\n\r\n"]),
            Err(HeadError::Method(m)) if m == "POST"
        ));
        assert!(matches!(read(&[b"GET / HTTP/1.1\r\n"]), Err(HeadError::Malformed(_))));
        assert!(matches!(
            read(&[b"GET http://x/ HTTP/1.1\r\n\r\n"]),
            Err(HeadError::Malformed(_))
        ));
        assert!(matches!(read(&[b"garbage\r\n\r\n"]), Err(HeadError::Malformed(_))));
        assert!(matches!(
            read(&[b"GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"]),
            Err(HeadError::Malformed(_))
        ));
        let long = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(20_000));
        assert_eq!(read(&[long.as_bytes()]).unwrap_err(), HeadError::TooLarge);
        let many: String = (0..60).map(|i| format!("X-{i}: y\r\n")).collect();
        let many = format!("GET / HTTP/1.1\r\n{many}\r\n");
        assert_eq!(read(&[many.as_bytes()]).unwrap_err(), HeadError::TooManyHeaders);
    }

    #[test]
    fn head_responses_have_no_body() {
        let mut out = Vec::new();
        write_response(&mut out, &Response::text(200, "hello"), true).expect("written");
        let text = String::from_utf8(out).expect("utf-8");
        assert!(text.starts_with("HTTP/1.1 200 OK\r\n"));
        assert!(text.contains("Content-Length: 6\r\n"));
        assert!(text.ends_with("\r\n\r\n"));
    }
}
