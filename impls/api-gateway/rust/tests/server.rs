//! The whole gateway in-process, in front of a recording test backend: header rewriting,
//! rejections never reaching the backend, the rate limit over HTTP, 502, and truncated,
//! oversized and garbage requests.

mod common;

use api_gateway::gateway::{serve, unix_now, upstream_client, Gateway};
use api_gateway::limiter::{Limit, Limiter};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Default)]
struct Seen {
    headers: Vec<(String, String)>,
    target: String,
    body: Vec<u8>,
    count: usize,
}

async fn backend() -> (Arc<Mutex<Seen>>, SocketAddr) {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let s = seen.clone();
    tokio::spawn(async move {
        loop {
            let (tcp, _) = l.accept().await.unwrap();
            let s = s.clone();
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(
                    move |req: hyper::Request<hyper::body::Incoming>| {
                        let s = s.clone();
                        async move {
                            let headers = req
                                .headers()
                                .iter()
                                .map(|(k, v)| {
                                    (k.to_string(), v.to_str().unwrap_or("?").to_string())
                                })
                                .collect();
                            let target = req.uri().to_string();
                            let body = req.into_body().collect().await.unwrap().to_bytes().to_vec();
                            {
                                let mut g = s.lock().unwrap();
                                g.headers = headers;
                                g.target = target;
                                g.body = body;
                                g.count += 1;
                            }
                            let mut r = hyper::Response::new(Full::new(Bytes::from_static(
                                b"backend body",
                            )));
                            *r.status_mut() = hyper::StatusCode::CREATED;
                            r.headers_mut()
                                .insert("x-from-backend", "yes".parse().unwrap());
                            r.headers_mut()
                                .insert("keep-alive", "timeout=5".parse().unwrap());
                            Ok::<_, std::convert::Infallible>(r)
                        }
                    },
                );
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tcp), svc)
                    .await;
            });
        }
    });
    (seen, addr)
}

async fn gateway(backend: SocketAddr) -> SocketAddr {
    let start = Instant::now();
    let mut overrides = HashMap::new();
    overrides.insert(
        "greedy".to_string(),
        Limit {
            rate: 100,
            burst: 3,
        },
    );
    let gw = Arc::new(Gateway {
        verifier: common::verifier(),
        limiter: Limiter::new(
            Limit {
                rate: 10_000_000,
                burst: 1000,
            },
            overrides,
            Box::new(move || start.elapsed().as_nanos() as u64),
        ),
        backend: backend.to_string(),
        client: upstream_client(),
        wall_now: unix_now,
    });
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(serve(l, gw));
    addr
}

/// Reads one response from `s`: (status, lower-case headers, body); None if the connection
/// closes first.
async fn read_response(
    s: &mut TcpStream,
    buf: &mut Vec<u8>,
) -> Option<(u16, Vec<(String, String)>, Vec<u8>)> {
    let mut tmp = [0u8; 65536];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = tokio::time::timeout(Duration::from_secs(5), s.read(&mut tmp))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&tmp[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    buf.drain(..head_end + 4);
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .map_or(0, |(_, v)| v.parse().unwrap());
    while buf.len() < len {
        let n = tokio::time::timeout(Duration::from_secs(5), s.read(&mut tmp))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&tmp[..n]);
    }
    let body = buf.drain(..len).collect();
    Some((status, headers, body))
}

async fn exchange(addr: SocketAddr, raw: &[u8]) -> Option<(u16, Vec<(String, String)>, Vec<u8>)> {
    let mut s = TcpStream::connect(addr).await.unwrap();
    let _ = s.write_all(raw).await;
    read_response(&mut s, &mut Vec::new()).await
}

fn header<'a>(h: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    h.iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

fn get(path: &str, auth: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: gw\r\nAuthorization: {auth}\r\n\r\n").into_bytes()
}

#[tokio::test]
async fn proxy_rewrites_headers() {
    let doc = common::cases();
    let (seen, be) = backend().await;
    let gw = gateway(be).await;
    let auth = common::auth_of(&doc, "valid-rs-03");
    let raw = format!(
        "POST /api/a%2Fb?q=%20x&y HTTP/1.1\r\nHost: gw\r\nAuthorization: {auth}\r\nX-Client-Id: spoofed\r\n\
         X-Forwarded-For: 10.0.0.1\r\nX-Forwarded-For: 10.0.0.2\r\nConnection: X-Hop\r\nX-Hop: secret\r\n\
         Keep-Alive: timeout=1\r\nProxy-Authorization: Basic eA==\r\nX-Custom: kept\r\nContent-Length: 7\r\n\r\npayload"
    );
    let (status, h, body) = exchange(gw, raw.as_bytes()).await.unwrap();
    assert_eq!((status, body.as_slice()), (201, &b"backend body"[..]));
    assert_eq!(header(&h, "x-from-backend"), ["yes"]);
    assert!(
        header(&h, "keep-alive").is_empty(),
        "hop-by-hop relayed to the client"
    );
    let s = seen.lock().unwrap();
    let sh = |n: &str| header(&s.headers, n).join(",");
    assert_eq!(sh("authorization"), "");
    assert_eq!(sh("x-client-id"), "rs-03");
    assert_eq!(sh("x-forwarded-for"), "10.0.0.1, 10.0.0.2, 127.0.0.1");
    assert_eq!(sh("x-hop"), "");
    assert_eq!(sh("keep-alive"), "");
    assert_eq!(sh("proxy-authorization"), "");
    assert_eq!(sh("x-custom"), "kept");
    assert_eq!(sh("host"), be.to_string());
    assert_eq!(s.target, "/api/a%2Fb?q=%20x&y");
    assert_eq!(s.body, b"payload");
}

#[tokio::test]
async fn rejected_requests_never_reach_the_backend() {
    let doc = common::cases();
    let (seen, be) = backend().await;
    let gw = gateway(be).await;
    for c in doc["cases"].as_array().unwrap() {
        let Some(want) = c["body"].as_str() else {
            continue;
        };
        let path = c["path"].as_str().unwrap();
        let raw = match c["authorization"].as_str() {
            Some(a) => get(path, a),
            None => format!("GET {path} HTTP/1.1\r\nHost: gw\r\n\r\n").into_bytes(),
        };
        let (status, h, body) = exchange(gw, &raw).await.unwrap();
        assert_eq!(
            u64::from(status),
            c["status"].as_u64().unwrap(),
            "{}",
            c["name"]
        );
        assert_eq!(String::from_utf8(body).unwrap(), want, "{}", c["name"]);
        assert_eq!(header(&h, "content-type"), ["application/json"]);
        if status == 401 {
            assert_eq!(header(&h, "www-authenticate"), ["Bearer"]);
        }
    }
    assert_eq!(seen.lock().unwrap().count, 0);
}

#[tokio::test]
async fn rate_limit_over_http() {
    let doc = common::cases();
    let (_, be) = backend().await;
    let gw = gateway(be).await;
    let a = common::auth_of(&doc, "greedy");
    for _ in 0..3 {
        assert_eq!(exchange(gw, &get("/api/x", &a)).await.unwrap().0, 201);
    }
    let (status, h, body) = exchange(gw, &get("/api/x", &a)).await.unwrap();
    assert_eq!(status, 429);
    assert_eq!(header(&h, "retry-after"), ["10"]);
    assert_eq!(body, br#"{"error":"rate_limited","retry_after":10}"#);
}

#[tokio::test]
async fn backend_down_is_502() {
    let doc = common::cases();
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let gw = gateway(dead).await;
    let (status, _, body) = exchange(gw, &get("/api/x", &common::auth_of(&doc, "valid-hs-00")))
        .await
        .unwrap();
    assert_eq!(status, 502);
    assert_eq!(body, br#"{"error":"bad_gateway","detail":"upstream"}"#);
}

#[tokio::test]
async fn malformed_requests() {
    let doc = common::cases();
    let (_, be) = backend().await;
    let gw = gateway(be).await;
    let auth = common::auth_of(&doc, "valid-hs-00");
    let big = format!(
        "GET /x HTTP/1.1\r\nHost: a\r\nX-Big: {}\r\n\r\n",
        "a".repeat(64 << 10)
    );
    let h10 = format!("GET /x HTTP/1.0\r\nAuthorization: {auth}\r\n\r\n");
    let cases: Vec<(&str, &[u8], u16, Option<&str>)> = vec![
        ("garbage", b"\x00\x01garbage\r\n\r\n", 400, None),
        (
            "no colon",
            b"GET /x HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n",
            400,
            None,
        ),
        ("missing host", b"GET /x HTTP/1.1\r\n\r\n", 400, None),
        ("oversized head", big.as_bytes(), 431, None),
        (
            "chunked",
            b"POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            411,
            Some(r#"{"error":"length_required","detail":"transfer-encoding"}"#),
        ),
        (
            "too large",
            b"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 1048577\r\n\r\n",
            413,
            Some(r#"{"error":"payload_too_large","detail":"content-length"}"#),
        ),
        (
            "absolute form",
            b"GET http://a/x HTTP/1.1\r\nHost: a\r\n\r\n",
            400,
            Some(r#"{"error":"invalid_request","detail":"target"}"#),
        ),
        (
            "dot segment",
            b"GET /a/%2e%2e/admin HTTP/1.1\r\nHost: a\r\n\r\n",
            400,
            Some(r#"{"error":"invalid_request","detail":"path"}"#),
        ),
        (
            "bad escape",
            b"GET /a%zz HTTP/1.1\r\nHost: a\r\n\r\n",
            400,
            None,
        ),
        (
            "unknown method",
            b"FOO /x HTTP/1.1\r\nHost: a\r\n\r\n",
            405,
            Some(r#"{"error":"method_not_allowed","detail":"method"}"#),
        ),
        (
            "health",
            b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n",
            200,
            Some(r#"{"status":"ok"}"#),
        ),
        (
            "http/1.0 without host",
            h10.as_bytes(),
            201,
            Some("backend body"),
        ),
    ];
    for (name, raw, status, body) in cases {
        let got = exchange(gw, raw).await;
        let (st, _, b) = got.unwrap_or_else(|| panic!("{name}: no answer"));
        assert_eq!(st, status, "{name}");
        if let Some(want) = body {
            assert_eq!(String::from_utf8_lossy(&b), want, "{name}");
        }
    }
    // Truncated head, then the client half-closes: the connection is closed without an answer.
    let mut s = TcpStream::connect(gw).await.unwrap();
    s.write_all(b"GET /x HTTP/1.1\r\nHost: a\r\nAuth")
        .await
        .unwrap();
    s.shutdown().await.unwrap();
    let mut rest = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut rest))
        .await
        .expect("not closed")
        .unwrap();
    assert!(
        rest.is_empty() || rest.starts_with(b"HTTP/1.1 400"),
        "{rest:?}"
    );
    // Keep-alive across a rejected request with a body.
    let mut s = TcpStream::connect(gw).await.unwrap();
    let mut buf = Vec::new();
    s.write_all(b"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello")
        .await
        .unwrap();
    assert_eq!(read_response(&mut s, &mut buf).await.unwrap().0, 401);
    s.write_all(&get("/x", &auth)).await.unwrap();
    assert_eq!(read_response(&mut s, &mut buf).await.unwrap().0, 201);
    // Still serving.
    assert_eq!(exchange(gw, &get("/x", &auth)).await.unwrap().0, 201);
}
