//! End-to-end tests: the proxy on a free port in front of small in-process hyper backends, driven
//! with raw HTTP/1.1 over TCP so every byte on the wire is visible.

use bytes::Bytes;
use http::{HeaderMap, Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::{Frame, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use reverse_proxy::config::Config;
use reverse_proxy::proxy::{serve, State};
use std::convert::Infallible;
use std::net::{SocketAddr, SocketAddrV4};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, Notify};

type BoxBody = http_body_util::combinators::BoxBody<Bytes, Infallible>;

/// What a test backend answers.
#[derive(Clone)]
enum Behavior {
    /// Echo the body, or "hello from backend" when there is none.
    Echo,
    /// Answer "ok" with hop-by-hop fields that must not reach the client.
    HopByHop,
    /// Send "first;", wait for the notify, then "second".
    Slow(Arc<Notify>),
    /// Never answer.
    Hang,
}

struct Backend {
    addr: SocketAddrV4,
    index: usize,
    conns: Arc<AtomicUsize>,
    hits: Arc<AtomicUsize>,
    last: Arc<Mutex<Option<(HeaderMap, String)>>>,
}

async fn answer(req: Request<Incoming>, index: usize, behavior: Behavior) -> Response<BoxBody> {
    let mut res = match behavior {
        Behavior::Echo => {
            let body = req
                .into_body()
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            let body = if body.is_empty() {
                Bytes::from_static(b"hello from backend")
            } else {
                body
            };
            Response::new(Full::new(body).boxed())
        }
        Behavior::HopByHop => {
            let mut r = Response::new(Full::new(Bytes::from_static(b"ok")).boxed());
            let h = r.headers_mut();
            for (k, v) in [
                ("connection", "X-Drop-Me"),
                ("x-drop-me", "1"),
                ("keep-alive", "timeout=5"),
                ("proxy-authenticate", "Basic"),
                ("x-kept", "yes"),
            ] {
                h.insert(k, v.parse().unwrap());
            }
            r
        }
        Behavior::Slow(release) => {
            let (tx, rx) = mpsc::channel::<Bytes>(2);
            tokio::spawn(async move {
                let _ = tx.send(Bytes::from_static(b"first;")).await;
                release.notified().await;
                let _ = tx.send(Bytes::from_static(b"second")).await;
            });
            Response::new(ChannelBody(rx).boxed())
        }
        Behavior::Hang => {
            std::future::pending::<()>().await;
            unreachable!()
        }
    };
    res.headers_mut()
        .insert("x-backend", index.to_string().parse().unwrap());
    res
}

/// A response body fed through a channel, so a test decides when each part leaves.
struct ChannelBody(mpsc::Receiver<Bytes>);

impl hyper::body::Body for ChannelBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.0.poll_recv(cx).map(|b| b.map(|b| Ok(Frame::data(b))))
    }
}

async fn backend(index: usize, behavior: Behavior) -> Backend {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let SocketAddr::V4(addr) = listener.local_addr().unwrap() else {
        unreachable!()
    };
    let b = Backend {
        addr,
        index,
        conns: Arc::new(AtomicUsize::new(0)),
        hits: Arc::new(AtomicUsize::new(0)),
        last: Arc::new(Mutex::new(None)),
    };
    let (conns, hits, last) = (b.conns.clone(), b.hits.clone(), b.last.clone());
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            conns.fetch_add(1, Ordering::SeqCst);
            let (hits, last, behavior) = (hits.clone(), last.clone(), behavior.clone());
            tokio::spawn(async move {
                let svc = service_fn(move |req: Request<Incoming>| {
                    hits.fetch_add(1, Ordering::SeqCst);
                    *last.lock().unwrap() = Some((req.headers().clone(), req.uri().to_string()));
                    let behavior = behavior.clone();
                    async move { Ok::<_, Infallible>(answer(req, index, behavior).await) }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(tcp), svc)
                    .await;
            });
        }
    });
    b
}

fn dead_addr() -> SocketAddrV4 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let SocketAddr::V4(a) = l.local_addr().unwrap() else {
        unreachable!()
    };
    a
}

async fn proxy(backends: Vec<SocketAddrV4>, edit: impl FnOnce(&mut Config)) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let SocketAddr::V4(listen) = addr else {
        unreachable!()
    };
    let mut cfg = Config::new(listen, backends);
    edit(&mut cfg);
    tokio::spawn(serve(listener, Arc::new(State::new(cfg))));
    addr
}

/// One parsed answer.
#[derive(Debug, Default)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Sends `raw` and reads until the proxy closes the connection (send `Connection: close`).
async fn exchange(addr: SocketAddr, raw: &[u8], half_close: bool) -> Answer {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(raw).await.unwrap();
    if half_close {
        s.shutdown().await.unwrap();
    }
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(3), s.read_to_end(&mut out)).await;
    parse(&out)
}

fn parse(out: &[u8]) -> Answer {
    let Some(end) = out.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Answer::default();
    };
    let head = String::from_utf8_lossy(&out[..end]);
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.to_string(), v.trim().to_string()))
        .collect();
    let rest = &out[end + 4..];
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v == "chunked");
    let body = if chunked {
        dechunk(rest)
    } else {
        rest.to_vec()
    };
    Answer {
        status,
        headers,
        body,
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(i) = b.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let n = usize::from_str_radix(std::str::from_utf8(&b[..i]).unwrap(), 16).unwrap();
        if n == 0 {
            return out;
        }
        out.extend_from_slice(&b[i + 2..i + 2 + n]);
        b = &b[i + 4 + n..];
    }
}

async fn get(addr: SocketAddr, target: &str, extra: &str) -> Answer {
    let raw = format!("GET {target} HTTP/1.1\r\nHost: {addr}\r\n{extra}Connection: close\r\n\r\n");
    exchange(addr, raw.as_bytes(), false).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwards_and_balances() {
    let bs = vec![
        backend(0, Behavior::Echo).await,
        backend(1, Behavior::Echo).await,
        backend(2, Behavior::Echo).await,
    ];
    let p = proxy(bs.iter().map(|b| b.addr).collect(), |_| {}).await;
    for i in 0..9 {
        let a = get(p, "/x/%2e%2E/y?q=a%20b&r", "").await;
        assert_eq!(
            (a.status, a.body.as_slice()),
            (200, &b"hello from backend"[..]),
            "request {i}"
        );
        assert_eq!(a.header("x-backend"), Some((i % 3).to_string().as_str()));
    }
    for b in &bs {
        assert_eq!(b.hits.load(Ordering::SeqCst), 3, "backend {}", b.index);
    }
    let (h, target) = bs[0].last.lock().unwrap().clone().unwrap();
    assert_eq!(target, "/x/%2e%2E/y?q=a%20b&r");
    assert_eq!(h.get("host").unwrap(), &p.to_string());
    // Nothing is added: no user-agent, no accept-encoding.
    assert!(h.get("user-agent").is_none() && h.get("accept-encoding").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hop_by_hop_fields_are_removed_both_ways() {
    let b = backend(0, Behavior::HopByHop).await;
    let p = proxy(vec![b.addr], |_| {}).await;
    let raw = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close, X-Secret\r\nX-Secret: 1\r\nKeep-Alive: 300\r\n\
         TE: trailers\r\nProxy-Authorization: Basic abc\r\nProxy-Connection: keep-alive\r\n\
         Upgrade: websocket\r\nX-Kept: a\r\nX-Kept: b\r\n\r\n";
    let a = exchange(p, raw.as_bytes(), false).await;
    assert_eq!((a.status, a.body.as_slice()), (200, &b"ok"[..]));
    let (h, _) = b.last.lock().unwrap().clone().unwrap();
    for name in [
        "connection",
        "x-secret",
        "keep-alive",
        "te",
        "proxy-authorization",
        "proxy-connection",
        "upgrade",
    ] {
        assert!(h.get(name).is_none(), "request field {name} was forwarded");
    }
    let kept: Vec<&str> = h
        .get_all("x-kept")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(kept, ["a", "b"]);
    for name in ["x-drop-me", "keep-alive", "proxy-authenticate"] {
        assert!(
            a.header(name).is_none(),
            "response field {name} was forwarded"
        );
    }
    assert_eq!(a.header("x-kept"), Some("yes"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_for_is_appended() {
    let b = backend(0, Behavior::Echo).await;
    let p = proxy(vec![b.addr], |_| {}).await;
    for (extra, want) in [
        ("", "127.0.0.1"),
        ("X-Forwarded-For: 1.2.3.4\r\n", "1.2.3.4, 127.0.0.1"),
        (
            "X-Forwarded-For: 1.1.1.1\r\nX-Forwarded-For: 2.2.2.2, 3.3.3.3\r\n",
            "1.1.1.1, 2.2.2.2, 3.3.3.3, 127.0.0.1",
        ),
    ] {
        get(p, "/", extra).await;
        let (h, _) = b.last.lock().unwrap().clone().unwrap();
        let all: Vec<&str> = h
            .get_all("x-forwarded-for")
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect();
        assert_eq!(all, [want]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failover_on_refused_connection() {
    let live = backend(1, Behavior::Echo).await;
    let p = proxy(vec![dead_addr(), live.addr], |_| {}).await;
    // The first request picks the dead backend, is refused, moves on; its body survives.
    let raw =
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\nConnection: close\r\n\r\npayload";
    let a = exchange(p, raw, false).await;
    assert_eq!((a.status, a.body.as_slice()), (200, &b"payload"[..]));
    for i in 0..10 {
        let a = get(p, "/", "").await;
        assert_eq!(
            (a.status, a.header("x-backend")),
            (200, Some("1")),
            "request {i}"
        );
    }
    assert_eq!(live.hits.load(Ordering::SeqCst), 11);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_backend_up_is_502_and_timeout_is_504() {
    let p = proxy(vec![dead_addr(), dead_addr()], |_| {}).await;
    for _ in 0..3 {
        assert_eq!(get(p, "/", "").await.status, 502);
    }
    let hang = backend(0, Behavior::Hang).await;
    let p = proxy(vec![hang.addr], |c| {
        c.upstream_timeout = Duration::from_millis(200)
    })
    .await;
    assert_eq!(get(p, "/", "").await.status, 504);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_connections_are_pooled() {
    let b = backend(0, Behavior::Echo).await;
    let p = proxy(vec![b.addr], |_| {}).await;
    for _ in 0..20 {
        assert_eq!(get(p, "/", "").await.status, 200);
    }
    assert_eq!(
        b.conns.load(Ordering::SeqCst),
        1,
        "20 sequential requests, one upstream connection"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_are_streamed_and_identical() {
    let echo = backend(0, Behavior::Echo).await;
    let p = proxy(vec![echo.addr], |_| {}).await;
    let payload: Vec<u8> = (0..1u32 << 20)
        .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
        .collect();
    let mut raw = format!(
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        payload.len()
    )
    .into_bytes();
    raw.extend_from_slice(&payload);
    let a = exchange(p, &raw, false).await;
    assert!(
        a.body == payload,
        "1 MiB echo differs ({} bytes back)",
        a.body.len()
    );
    // A chunked upload arrives whole.
    let raw = b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
    assert_eq!(exchange(p, raw, false).await.body, b"hello world");

    // The first part reaches the client before the backend has finished the response.
    let release = Arc::new(Notify::new());
    let slow = backend(0, Behavior::Slow(release.clone())).await;
    let p = proxy(vec![slow.addr], |_| {}).await;
    let mut s = TcpStream::connect(p).await.unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&got).contains("first;") {
        let n = tokio::time::timeout(Duration::from_secs(3), s.read(&mut buf))
            .await
            .expect("first part not streamed")
            .unwrap();
        assert!(n > 0, "closed early");
        got.extend_from_slice(&buf[..n]);
    }
    assert!(!String::from_utf8_lossy(&got).contains("second"));
    release.notify_one();
    s.read_to_end(&mut got).await.unwrap();
    assert_eq!(parse(&got).body, b"first;second");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_are_answered_without_crashing() {
    let b = backend(0, Behavior::Echo).await;
    let p = proxy(vec![b.addr], |_| {}).await;
    let big = format!("X-Big: {}\r\n", "a".repeat(17000));
    let fine = format!("X-Big: {}\r\n", "a".repeat(15000));
    let many: String = (0..101).map(|i| format!("X-H{i}: v\r\n")).collect();
    let cases: Vec<(&str, String, u16)> = vec![
        (
            "garbage",
            "\x16\x03\x01\x00\u{a5}garbage\r\n\r\n".into(),
            400,
        ),
        ("no version", "GET /\r\n\r\n".into(), 400),
        (
            "bad content-length",
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n".into(),
            400,
        ),
        (
            "conflicting content-length",
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab".into(),
            400,
        ),
        (
            "unknown transfer-encoding",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n".into(),
            501,
        ),
        (
            "absolute-form target",
            "GET http://example.com/ HTTP/1.1\r\nHost: x\r\n\r\n".into(),
            400,
        ),
        ("missing host", "GET / HTTP/1.1\r\n\r\n".into(), 400),
        (
            "two hosts",
            "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n".into(),
            400,
        ),
        (
            "no colon",
            "GET / HTTP/1.1\r\nHost: x\r\nbroken\r\n\r\n".into(),
            400,
        ),
        (
            "control byte in value",
            "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x01b\r\n\r\n".into(),
            400,
        ),
        (
            "unknown expectation",
            "GET / HTTP/1.1\r\nHost: x\r\nExpect: magic\r\n\r\n".into(),
            417,
        ),
        (
            "oversized head",
            format!("GET / HTTP/1.1\r\nHost: x\r\n{big}\r\n"),
            431,
        ),
        (
            "too many fields",
            format!("GET / HTTP/1.1\r\nHost: x\r\n{many}\r\n"),
            431,
        ),
        (
            "large head within the limit",
            format!("GET / HTTP/1.1\r\nHost: x\r\n{fine}Connection: close\r\n\r\n"),
            200,
        ),
        (
            "truncated head",
            "GET / HTTP/1.1\r\nHost: x\r\nX-A: partial".into(),
            0,
        ),
        (
            "truncated body",
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nshort".into(),
            0,
        ),
        (
            "bad chunk size",
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".into(),
            0,
        ),
        ("empty", String::new(), 0),
    ];
    for (name, raw, want) in cases {
        let a = exchange(p, raw.as_bytes(), want == 0).await;
        if want == 0 {
            assert!(
                a.status == 0 || a.status >= 400,
                "{name}: answered {}",
                a.status
            );
        } else {
            assert_eq!(a.status, want, "{name}");
        }
        assert_eq!(
            get(p, "/", "").await.status,
            200,
            "still serving after {name}"
        );
    }
}
