//! The request pipeline (README "Request pipeline") as a hyper service, and the server loop.

use crate::jwt::{Rejection, Verifier};
use crate::limiter::Limiter;
use bytes::Bytes;
use http_body_util::{Either, Full};
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Request, Response, StatusCode, Uri, Version};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::net::TcpListener;

pub const MAX_BODY: u64 = 1 << 20;

pub const TARGET: Rejection = Rejection {
    status: 400,
    body: r#"{"error":"invalid_request","detail":"target"}"#,
};
pub const PATH: Rejection = Rejection {
    status: 400,
    body: r#"{"error":"invalid_request","detail":"path"}"#,
};
pub const BAD_REQUEST: Rejection = Rejection {
    status: 400,
    body: r#"{"error":"invalid_request","detail":"malformed"}"#,
};
pub const METHOD: Rejection = Rejection {
    status: 405,
    body: r#"{"error":"method_not_allowed","detail":"method"}"#,
};
pub const LENGTH: Rejection = Rejection {
    status: 411,
    body: r#"{"error":"length_required","detail":"transfer-encoding"}"#,
};
pub const TOO_LARGE: Rejection = Rejection {
    status: 413,
    body: r#"{"error":"payload_too_large","detail":"content-length"}"#,
};
pub const BAD_GATEWAY: Rejection = Rejection {
    status: 502,
    body: r#"{"error":"bad_gateway","detail":"upstream"}"#,
};
const HEALTH: &str = r#"{"status":"ok"}"#;

pub type Body = Either<Full<Bytes>, Incoming>;

/// Everything a request needs.
pub struct Gateway {
    pub verifier: Verifier,
    pub limiter: Limiter,
    pub backend: String,
    pub client: Client<HttpConnector, Incoming>,
    /// Wall clock, Unix seconds (injectable for tests).
    pub wall_now: fn() -> i64,
}

pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// A pooling HTTP/1.1 client for the backend.
pub fn upstream_client() -> Client<HttpConnector, Incoming> {
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    connector.set_connect_timeout(Some(Duration::from_secs(5)));
    Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(1024)
        .pool_idle_timeout(Duration::from_secs(90))
        .pool_timer(TokioTimer::new())
        .build(connector)
}

fn json(status: u16, body: String) -> Response<Body> {
    let mut r = Response::new(Either::Left(Full::new(Bytes::from(body))));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

pub fn reject(rej: Rejection) -> Response<Body> {
    let mut r = Response::new(Either::Left(Full::new(Bytes::from_static(
        rej.body.as_bytes(),
    ))));
    *r.status_mut() = StatusCode::from_u16(rej.status).unwrap_or(StatusCode::BAD_REQUEST);
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if rej.status == 401 {
        h.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    if matches!(rej.status, 411 | 413) || rej == BAD_REQUEST {
        h.insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    r
}

fn allowed_method(m: &Method) -> bool {
    matches!(
        *m,
        Method::GET
            | Method::HEAD
            | Method::POST
            | Method::PUT
            | Method::PATCH
            | Method::DELETE
            | Method::OPTIONS
    )
}

/// Percent-decodes a raw path for checking; refuses bad escapes, NUL, empty and dot segments.
pub fn check_path(raw: &str) -> Option<std::borrow::Cow<'_, str>> {
    let decoded: std::borrow::Cow<'_, [u8]> = if raw.contains('%') {
        let b = raw.as_bytes();
        let mut out = Vec::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' {
                let hi = (*b.get(i + 1)? as char).to_digit(16)?;
                let lo = (*b.get(i + 2)? as char).to_digit(16)?;
                out.push((hi * 16 + lo) as u8);
                i += 3;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        out.into()
    } else {
        raw.as_bytes().into()
    };
    if decoded.contains(&0) {
        return None;
    }
    let mut segs = decoded[1..].split(|&c| c == b'/').peekable();
    while let Some(seg) = segs.next() {
        let last = segs.peek().is_none();
        if seg == b"." || seg == b".." || (seg.is_empty() && !last) {
            return None;
        }
    }
    Some(match decoded {
        std::borrow::Cow::Borrowed(_) => std::borrow::Cow::Borrowed(raw),
        std::borrow::Cow::Owned(v) => String::from_utf8_lossy(&v).into_owned().into(),
    })
}

pub fn is_admin_path(path: &str) -> bool {
    path == "/admin" || path.starts_with("/admin/")
}

const HOP_BY_HOP: [HeaderName; 8] = [
    header::CONNECTION,
    HeaderName::from_static("keep-alive"),
    HeaderName::from_static("proxy-connection"),
    header::PROXY_AUTHENTICATE,
    header::PROXY_AUTHORIZATION,
    header::TE,
    header::TRAILER,
    header::TRANSFER_ENCODING,
];

/// Removes the hop-by-hop fields, including those named in `Connection`.
fn strip_hop_by_hop(h: &mut HeaderMap) {
    let named: Vec<HeaderName> = h
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|n| HeaderName::from_bytes(n.trim().as_bytes()).ok())
        .collect();
    for n in named {
        h.remove(n);
    }
    for n in HOP_BY_HOP.iter() {
        h.remove(n);
    }
    h.remove(header::UPGRADE);
}

impl Gateway {
    /// One request through the pipeline.
    pub async fn handle(
        self: Arc<Self>,
        req: Request<Incoming>,
        peer: SocketAddr,
    ) -> Result<Response<Body>, Infallible> {
        let h = req.headers();
        // 1. What hyper lets through but the spec refuses: an HTTP/1.1 request needs one Host.
        if req.version() == Version::HTTP_11 && h.get_all(header::HOST).iter().count() != 1 {
            return Ok(reject(BAD_REQUEST));
        }
        // 2. Body framing.
        if h.contains_key(header::TRANSFER_ENCODING) {
            return Ok(reject(LENGTH));
        }
        let length = h
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
        if length > MAX_BODY {
            return Ok(reject(TOO_LARGE));
        }
        // 3. Target and path.
        let uri = req.uri();
        let target = match uri.path_and_query() {
            Some(pq) if uri.scheme().is_none() && uri.authority().is_none() => pq.as_str(),
            _ => return Ok(reject(TARGET)),
        };
        if !target.starts_with('/') || !target.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
            return Ok(reject(TARGET));
        }
        let raw_path = target.split_once('?').map_or(target, |(p, _)| p);
        let Some(path) = check_path(raw_path) else {
            return Ok(reject(PATH));
        };
        // 4. Health.
        if path == "/healthz" {
            return Ok(json(200, HEALTH.to_string()));
        }
        // 5. Method.
        if !allowed_method(req.method()) {
            return Ok(reject(METHOD));
        }
        // 6, 7. Authentication and authorization.
        let auth: Vec<&[u8]> = h
            .get_all(header::AUTHORIZATION)
            .iter()
            .map(HeaderValue::as_bytes)
            .collect();
        let sub = match self
            .verifier
            .verify(&auth, is_admin_path(&path), (self.wall_now)())
        {
            Ok(sub) => sub,
            Err(rej) => return Ok(reject(rej)),
        };
        // 8. Rate limit.
        if let Err(retry) = self.limiter.allow(&sub) {
            let mut r = json(
                429,
                format!(r#"{{"error":"rate_limited","retry_after":{retry}}}"#),
            );
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry));
            return Ok(r);
        }
        // 9. Proxy.
        let uri: Uri = match format!("http://{}{}", self.backend, target).parse() {
            Ok(u) => u,
            Err(_) => return Ok(reject(TARGET)),
        };
        let (mut parts, body) = req.into_parts();
        let forwarded = {
            let prior: Vec<&str> = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect();
            let ip = peer.ip().to_string();
            if prior.is_empty() {
                ip
            } else {
                format!("{}, {ip}", prior.join(", "))
            }
        };
        let hdrs = &mut parts.headers;
        strip_hop_by_hop(hdrs);
        hdrs.remove(header::AUTHORIZATION);
        hdrs.remove(header::HOST);
        hdrs.remove("x-client-id");
        if let Ok(v) = HeaderValue::from_str(&sub) {
            hdrs.insert("x-client-id", v);
        }
        if let Ok(v) = HeaderValue::from_str(&forwarded) {
            hdrs.insert("x-forwarded-for", v);
        }
        parts.uri = uri;
        parts.version = Version::HTTP_11;
        match self.client.request(Request::from_parts(parts, body)).await {
            Ok(resp) => {
                let (mut parts, body) = resp.into_parts();
                strip_hop_by_hop(&mut parts.headers);
                Ok(Response::from_parts(parts, Either::Right(body)))
            }
            Err(_) => Ok(reject(BAD_GATEWAY)),
        }
    }
}

/// Serves connections until the listener fails.
pub async fn serve(listener: TcpListener, gw: Arc<Gateway>) -> std::io::Result<()> {
    loop {
        let (tcp, peer) = match listener.accept().await {
            Ok(x) => x,
            Err(e) if is_transient(&e) => {
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
            Err(e) => return Err(e),
        };
        let _ = tcp.set_nodelay(true);
        let gw = gw.clone();
        tokio::spawn(async move {
            let svc = hyper::service::service_fn(move |req| gw.clone().handle(req, peer));
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(Duration::from_secs(10))
                .max_buf_size(16 * 1024)
                .keep_alive(true)
                .serve_connection(TokioIo::new(tcp), svc)
                .await;
        });
    }
}

/// accept() errors that concern one connection (or a momentary lack of descriptors).
fn is_transient(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        e.kind(),
        ConnectionAborted | ConnectionReset | Interrupted | WouldBlock
    ) || e.raw_os_error() == Some(24)
        || e.raw_os_error() == Some(23)
}
