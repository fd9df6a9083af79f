//! The load generator's client side: one tokio task per keep-alive HTTP/1.1 connection (hyper's
//! low-level `client::conn`, no pool, no proxy logic), each with its own latency histograms,
//! merged when the window closes.

use super::histogram::Recorder;
use super::wire::Wire;
use super::{LoadResult, RequestTemplate};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::{Method, Request, Uri};
use hyper_util::rt::TokioIo;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::time::{sleep, sleep_until, timeout_at, Instant};

/// One load run.
#[derive(Debug, Clone)]
pub struct LoadSpec {
    /// The server (127.0.0.1 only, checked by the caller).
    pub addr: SocketAddr,
    /// Concurrent keep-alive connections.
    pub connections: usize,
    /// Unmeasured load before the window opens.
    pub warmup: Duration,
    /// The measured window.
    pub duration: Duration,
    /// Open loop: total intended requests per second, spread evenly over the connections.
    /// `None`: closed loop.
    pub rate: Option<f64>,
    /// Requests cycled through (each connection starts at a different one).
    pub requests: Vec<RequestTemplate>,
    /// A request not answered within this long counts as a `timeout` error and its connection
    /// is replaced.
    pub timeout: Duration,
    /// Worker threads of the client.
    pub threads: usize,
}

/// A load run that could not happen at all.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The async runtime could not start.
    #[error("cannot start the load generator's runtime: {0}")]
    Runtime(std::io::Error),
    /// A request template is not a valid HTTP request.
    #[error("request {index}: {message}")]
    BadRequest {
        /// Index in the template list.
        index: usize,
        /// What is wrong.
        message: String,
    },
}

/// One whole answer (verification).
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// Status code.
    pub status: u16,
    /// Headers in order, names lower-case.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

#[derive(Clone)]
struct Prepared {
    /// The whole request as sent by the load path.
    wire: Vec<u8>,
    method: Method,
    uri: Uri,
    headers: Vec<(hyper::header::HeaderName, hyper::header::HeaderValue)>,
    body: Bytes,
}

fn prepare(addr: SocketAddr, templates: &[RequestTemplate]) -> Result<Vec<Prepared>, LoadError> {
    let bad = |index: usize, message: String| LoadError::BadRequest { index, message };
    let mut out = Vec::new();
    for (i, t) in templates.iter().enumerate() {
        let method = Method::from_bytes(t.method.as_bytes())
            .map_err(|e| bad(i, format!("method `{}`: {e}", t.method)))?;
        let uri: Uri = t
            .path
            .parse()
            .map_err(|e| bad(i, format!("path `{}`: {e}", t.path)))?;
        let mut headers = Vec::new();
        let mut has_host = false;
        for (k, v) in &t.headers {
            let name = hyper::header::HeaderName::from_bytes(k.as_bytes())
                .map_err(|e| bad(i, format!("header name `{k}`: {e}")))?;
            let value = hyper::header::HeaderValue::from_str(v)
                .map_err(|e| bad(i, format!("header `{k}` value: {e}")))?;
            has_host |= name == hyper::header::HOST;
            headers.push((name, value));
        }
        if !has_host {
            let host = hyper::header::HeaderValue::from_str(&addr.to_string())
                .map_err(|e| bad(i, e.to_string()))?;
            headers.push((hyper::header::HOST, host));
        }
        out.push(Prepared {
            wire: super::wire::serialize(&t.method, &t.path, &t.headers, &t.body, addr),
            method,
            uri,
            headers,
            body: Bytes::from(t.body.clone()),
        });
    }
    Ok(out)
}

fn build(p: &Prepared) -> Request<Full<Bytes>> {
    let mut req = Request::new(Full::new(p.body.clone()));
    *req.method_mut() = p.method.clone();
    *req.uri_mut() = p.uri.clone();
    let h = req.headers_mut();
    for (k, v) in &p.headers {
        h.append(k.clone(), v.clone());
    }
    req
}

type Sender = SendRequest<Full<Bytes>>;

async fn connect(addr: SocketAddr) -> Result<Sender, &'static str> {
    let tcp = TcpStream::connect(addr).await.map_err(|_| "connect")?;
    let _ = tcp.set_nodelay(true);
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
        .await
        .map_err(|_| "connect")?;
    tokio::spawn(conn);
    Ok(sender)
}

fn classify(e: &hyper::Error) -> &'static str {
    if e.is_parse() || e.is_parse_status() || e.is_parse_too_large() {
        "parse"
    } else if e.is_incomplete_message() || e.is_closed() || e.is_canceled() {
        "closed"
    } else if e.is_timeout() {
        "timeout"
    } else {
        "io"
    }
}

struct Window {
    opens: Instant,
    closes: Instant,
}

struct ConnStats {
    latency: Recorder,
    corrected: Option<Recorder>,
    requests: u64,
    bytes: u64,
    statuses: BTreeMap<u16, u64>,
    errors: BTreeMap<&'static str, u64>,
}

async fn connection(
    index: usize,
    addr: SocketAddr,
    reqs: Arc<Vec<Prepared>>,
    spec: Arc<LoadSpec>,
    w: Arc<Window>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> ConnStats {
    let open = spec.rate.is_some();
    let mut st = ConnStats {
        latency: Recorder::new(),
        corrected: open.then(Recorder::new),
        requests: 0,
        bytes: 0,
        statuses: BTreeMap::new(),
        errors: BTreeMap::new(),
    };
    let interval = spec
        .rate
        .map(|r| Duration::from_secs_f64(spec.connections as f64 / r.max(1e-9)));
    // Spread the connections' schedules evenly over one interval.
    let mut intended = Instant::now()
        + interval.map_or(Duration::ZERO, |iv| {
            iv.mul_f64(index as f64 / spec.connections as f64)
        });
    let mut next = index % reqs.len();
    let mut wire: Option<Wire> = None;
    let in_window = |t: Instant| t >= w.opens && t <= w.closes;
    loop {
        if Instant::now() >= w.closes || *stop.borrow() {
            break;
        }
        if interval.is_some() && intended > Instant::now() {
            sleep_until(intended.min(w.closes)).await;
            continue;
        }
        let c = match wire.as_mut() {
            Some(c) => c,
            None => {
                let t = Instant::now();
                match timeout_at((t + spec.timeout).min(w.closes), Wire::connect(addr)).await {
                    Ok(Ok(c)) => wire.insert(c),
                    Ok(Err(_)) => {
                        if in_window(Instant::now()) {
                            *st.errors.entry("connect").or_default() += 1;
                        }
                        // A refused connection returns at once: do not spin.
                        sleep(Duration::from_millis(10)).await;
                        continue;
                    }
                    Err(_) => {
                        if Instant::now() < w.closes {
                            *st.errors.entry("connect").or_default() += 1;
                        }
                        continue;
                    }
                }
            }
        };
        let req = &reqs[next].wire;
        next = (next + 1) % reqs.len();
        let sent = Instant::now();
        let begin = if interval.is_some() { intended } else { sent };
        if let Some(iv) = interval {
            intended += iv;
        }
        let deadline = (sent + spec.timeout).min(w.closes);
        let result = tokio::select! {
            r = timeout_at(deadline, c.exchange(req)) => r,
            _ = stop.changed() => break, // Ctrl-C: abandon the request in flight
        };
        let done = Instant::now();
        match result {
            Err(_) => {
                wire = None;
                if done >= w.closes {
                    break; // the window closed with this request in flight: not counted
                }
                if in_window(done) {
                    *st.errors.entry("timeout").or_default() += 1;
                }
            }
            Ok(Err(e)) => {
                wire = None;
                if in_window(done) {
                    *st.errors.entry(e.kind()).or_default() += 1;
                }
            }
            Ok(Ok((status, n, keep))) => {
                if !keep {
                    wire = None;
                }
                if begin >= w.opens && done <= w.closes {
                    st.latency.record(done - sent);
                    if let Some(c) = st.corrected.as_mut() {
                        c.record(done - begin);
                    }
                    st.requests += 1;
                    st.bytes += n;
                    *st.statuses.entry(status).or_default() += 1;
                }
            }
        }
    }
    st
}

fn runtime(threads: usize) -> Result<tokio::runtime::Runtime, LoadError> {
    let mut b = if threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(threads);
        b
    };
    b.enable_all().build().map_err(LoadError::Runtime)
}

/// Runs `spec` against its server; returns early (with what was measured so far) when `stop`
/// becomes true.
///
/// Like wrk, each client thread runs its own single-threaded event loop with its share of the
/// connections (no work stealing, no cross-thread wake-ups); every connection's I/O task lives
/// on the thread of the connection that owns it.
pub fn run(spec: &LoadSpec, stop: &Arc<AtomicBool>) -> Result<LoadResult, LoadError> {
    let reqs = Arc::new(prepare(spec.addr, &spec.requests)?);
    if reqs.is_empty() {
        return Err(LoadError::BadRequest {
            index: 0,
            message: "no request to send".into(),
        });
    }
    let threads = spec.threads.clamp(1, spec.connections.max(1));
    let runtimes = (0..threads)
        .map(|_| runtime(1))
        .collect::<Result<Vec<_>, _>>()?;
    let spec = Arc::new(spec.clone());
    let start = Instant::now();
    let w = Arc::new(Window {
        opens: start + spec.warmup,
        closes: start + spec.warmup + spec.duration,
    });
    let per_thread: Vec<Vec<ConnStats>> = std::thread::scope(|s| {
        let handles: Vec<_> = runtimes
            .into_iter()
            .enumerate()
            .map(|(t, rt)| {
                let (reqs, spec, w, w_tasks, stop) = (
                    reqs.clone(),
                    spec.clone(),
                    w.clone(),
                    w.clone(),
                    stop.clone(),
                );
                s.spawn(move || {
                    rt.block_on(async move {
                        // Ctrl-C reaches every connection at once, even mid-request.
                        let (tx, rx) = tokio::sync::watch::channel(false);
                        let watcher = tokio::spawn(async move {
                            while !stop.load(Ordering::Relaxed) && Instant::now() < w.closes {
                                sleep(Duration::from_millis(20)).await;
                            }
                            let _ = tx.send(true);
                        });
                        let w = w_tasks;
                        let tasks: Vec<_> = (t..spec.connections.max(1))
                            .step_by(threads)
                            .map(|i| {
                                tokio::spawn(connection(
                                    i,
                                    spec.addr,
                                    reqs.clone(),
                                    spec.clone(),
                                    w.clone(),
                                    rx.clone(),
                                ))
                            })
                            .collect();
                        let mut out = Vec::new();
                        for t in tasks {
                            if let Ok(st) = t.await {
                                out.push(st);
                            }
                        }
                        watcher.abort();
                        out
                    })
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let mut latency = Recorder::new();
    let mut corrected = spec.rate.map(|_| Recorder::new());
    let mut result = LoadResult {
        window: Duration::ZERO,
        requests: 0,
        body_bytes: 0,
        statuses: BTreeMap::new(),
        errors: BTreeMap::new(),
        latency: Default::default(),
        latency_corrected: None,
    };
    for st in per_thread.into_iter().flatten() {
        latency.merge(&st.latency);
        if let (Some(c), Some(sc)) = (corrected.as_mut(), st.corrected.as_ref()) {
            c.merge(sc);
        }
        result.requests += st.requests;
        result.body_bytes += st.bytes;
        for (k, v) in st.statuses {
            *result.statuses.entry(k).or_default() += v;
        }
        for (k, v) in st.errors {
            *result.errors.entry(k.to_string()).or_default() += v;
        }
    }
    let end = Instant::now().min(w.closes);
    result.window = end.saturating_duration_since(w.opens);
    result.latency = latency.summary();
    result.latency_corrected = corrected.map(|c| c.summary());
    Ok(result)
}

/// Sends one request on a fresh connection and returns the whole answer.
pub fn exchange(
    addr: SocketAddr,
    template: &RequestTemplate,
    timeout: Duration,
) -> Result<Answer, String> {
    let p = prepare(addr, std::slice::from_ref(template)).map_err(|e| e.to_string())?;
    let rt = runtime(1).map_err(|e| e.to_string())?;
    rt.block_on(async {
        let deadline = Instant::now() + timeout;
        let fut = async {
            let mut s = connect(addr)
                .await
                .map_err(|_| format!("cannot connect to {addr}"))?;
            let resp = s
                .send_request(build(&p[0]))
                .await
                .map_err(|e| format!("{} error: {e}", classify(&e)))?;
            let status = resp.status().as_u16();
            let headers = resp
                .headers()
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect();
            let body = resp
                .into_body()
                .collect()
                .await
                .map_err(|e| format!("reading the body: {e}"))?
                .to_bytes()
                .to_vec();
            Ok(Answer {
                status,
                headers,
                body,
            })
        };
        match timeout_at(deadline, fut).await {
            Ok(r) => r,
            Err(_) => Err(format!(
                "no complete answer within {:.1} s",
                timeout.as_secs_f64()
            )),
        }
    })
}
