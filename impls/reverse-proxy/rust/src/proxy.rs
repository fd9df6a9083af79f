//! The client side and one exchange (README: What happens to one request): hyper's HTTP/1.1
//! server connection per client, request validation, round robin with failover, forwarding.

use crate::balancer::Balancer;
use crate::config::Config;
use crate::headers::{append_forwarded_for, client_value, strip_hop_by_hop};
use crate::pool::{Lease, Pool, ProxyBody, Sender, UpBody};
use bytes::Bytes;
use http::header::{
    HeaderMap, HeaderValue, CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, EXPECT, HOST,
    TRANSFER_ENCODING,
};
use http::{Method, Request, Response, StatusCode, Uri, Version};
use http_body::Body;
use http_body_util::{Either, Empty};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// Everything the connections share.
pub struct State {
    /// Settings.
    pub cfg: Config,
    /// Round robin and health.
    pub lb: Balancer,
    /// Idle upstream connections.
    pub pool: Arc<Pool>,
}

impl State {
    /// The shared state for `cfg`.
    pub fn new(cfg: Config) -> State {
        State {
            lb: Balancer::new(&cfg.backends, cfg.down_for),
            pool: Arc::new(Pool::new(
                cfg.backends.len(),
                cfg.max_idle,
                cfg.connect_timeout,
                cfg.max_header_bytes,
            )),
            cfg,
        }
    }
}

/// Accepts client connections until the future is dropped; one task per connection.
pub async fn serve(listener: TcpListener, state: Arc<State>) {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(Some(state.cfg.header_timeout).filter(|d| !d.is_zero()))
        .max_header_size(state.cfg.max_header_bytes)
        .keep_alive(true);
    loop {
        let (tcp, peer) = match listener.accept().await {
            Ok(x) => x,
            Err(_) => {
                // Out of file descriptors or an aborted handshake: try again shortly.
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let _ = tcp.set_nodelay(true);
        let state = state.clone();
        let builder = builder.clone();
        tokio::spawn(async move {
            let client = client_value(peer.ip());
            let svc = service_fn(move |req| {
                let state = state.clone();
                let client = client.clone();
                async move { Ok::<_, Infallible>(handle(&state, &client, req).await) }
            });
            let _ = builder.serve_connection(TokioIo::new(tcp), svc).await;
        });
    }
}

/// An answer made by the proxy itself; `close` ends the client connection after it.
pub fn error_response(status: StatusCode, close: bool) -> Response<ProxyBody> {
    let text = format!("{}\n", status.canonical_reason().unwrap_or("Error"));
    let mut res = Response::new(ProxyBody::fixed(Bytes::from(text)));
    *res.status_mut() = status;
    let h = res.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    if close {
        h.insert(CONNECTION, HeaderValue::from_static("close"));
    }
    res
}

/// What to do with a request before forwarding it.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Forward it.
    Forward,
    /// `OPTIONS *`: answered 200 by the proxy (as Go's net/http does).
    OptionsStar,
    /// Refuse it with this status and close the connection.
    Refuse(StatusCode),
}

/// The checks of README "Malformed requests" that hyper's parser leaves to the application.
pub fn validate(method: &Method, uri: &Uri, version: Version, h: &HeaderMap) -> Verdict {
    if method == Method::OPTIONS && uri.path() == "*" && uri.authority().is_none() {
        return Verdict::OptionsStar;
    }
    if uri.scheme().is_some() || uri.authority().is_some() || !uri.path().starts_with('/') {
        return Verdict::Refuse(StatusCode::BAD_REQUEST);
    }
    let hosts = h.get_all(HOST).iter().count();
    if hosts > 1 || (hosts == 0 && version == Version::HTTP_11) {
        return Verdict::Refuse(StatusCode::BAD_REQUEST);
    }
    if let Some(e) = h.get(EXPECT) {
        if !e.as_bytes().eq_ignore_ascii_case(b"100-continue") {
            return Verdict::Refuse(StatusCode::EXPECTATION_FAILED);
        }
    }
    let mut te = h.get_all(TRANSFER_ENCODING).iter();
    if let Some(first) = te.next() {
        if te.next().is_some()
            || !first
                .as_bytes()
                .trim_ascii()
                .eq_ignore_ascii_case(b"chunked")
        {
            return Verdict::Refuse(StatusCode::NOT_IMPLEMENTED);
        }
        // With Content-Length as well, hyper has already dropped it: chunked framing wins.
    }
    Verdict::Forward
}

async fn handle(st: &State, client: &HeaderValue, req: Request<Incoming>) -> Response<ProxyBody> {
    match validate(req.method(), req.uri(), req.version(), req.headers()) {
        Verdict::Forward => forward(st, client, req).await,
        Verdict::OptionsStar => {
            let mut res = Response::new(ProxyBody::fixed(Bytes::new()));
            res.headers_mut()
                .insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
            res
        }
        Verdict::Refuse(status) => error_response(status, true),
    }
}

/// Why an exchange produced no upstream response.
enum Failure {
    /// No backend up, or all refused: 502.
    NoBackend,
    /// The connection failed after the request left: 502.
    Upstream,
    /// No response head in time: 504.
    Timeout,
}

/// A bodiless request that can be sent again after a failure on a reused connection.
struct Replay {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
}

impl Replay {
    fn build(&self) -> Request<UpBody> {
        let mut r = Request::new(Either::Left(Empty::new()));
        *r.method_mut() = self.method.clone();
        *r.uri_mut() = self.uri.clone();
        *r.headers_mut() = self.headers.clone();
        r
    }
}

fn replayable(m: &Method) -> bool {
    matches!(
        *m,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

async fn forward(st: &State, client: &HeaderValue, req: Request<Incoming>) -> Response<ProxyBody> {
    let (mut parts, body) = req.into_parts();
    strip_hop_by_hop(&mut parts.headers);
    parts.headers.remove(EXPECT); // hyper has answered 100 Continue itself
    append_forwarded_for(&mut parts.headers, client);
    let needs_host = !parts.headers.contains_key(HOST);
    let body: UpBody = if body.is_end_stream() {
        Either::Left(Empty::new())
    } else {
        Either::Right(body)
    };
    let replay = (replayable(&parts.method) && matches!(body, Either::Left(_))).then(|| Replay {
        method: parts.method.clone(),
        uri: parts.uri.clone(),
        headers: parts.headers.clone(),
    });
    let mut up = Request::new(body);
    *up.method_mut() = parts.method;
    *up.uri_mut() = parts.uri;
    *up.version_mut() = Version::HTTP_11;
    *up.headers_mut() = parts.headers;

    match exchange(st, up, replay, needs_host).await {
        Ok((res, lease)) => {
            let (mut head, body) = res.into_parts();
            if head.status == StatusCode::SWITCHING_PROTOCOLS {
                return error_response(StatusCode::BAD_GATEWAY, false);
            }
            strip_hop_by_hop(&mut head.headers);
            head.version = Version::HTTP_11;
            Response::from_parts(head, ProxyBody::upstream(body, lease))
        }
        Err(Failure::Timeout) => error_response(StatusCode::GATEWAY_TIMEOUT, false),
        Err(Failure::NoBackend | Failure::Upstream) => {
            error_response(StatusCode::BAD_GATEWAY, false)
        }
    }
}

/// The round-robin loop with failover (README steps 2-5).
async fn exchange(
    st: &State,
    mut req: Request<UpBody>,
    replay: Option<Replay>,
    needs_host: bool,
) -> Result<(Response<Incoming>, Lease), Failure> {
    for _ in 0..st.lb.len() {
        let Some(b) = st.lb.pick() else { break };
        let addr = st.lb.backend(b).addr;
        let set_host = |r: &mut Request<UpBody>| {
            if needs_host {
                if let Ok(v) = HeaderValue::from_str(&addr.to_string()) {
                    r.headers_mut().insert(HOST, v);
                }
            }
        };
        set_host(&mut req);
        let (mut sender, mut reused) = match connection(st, b).await {
            Some(c) => c,
            None => {
                st.lb.mark_down(b);
                continue;
            }
        };
        // Stale-connection retries on this backend, bounded by the idle connections it can have.
        let mut tries = st.cfg.max_idle + 2;
        loop {
            match with_timeout(st.cfg.upstream_timeout, sender.try_send_request(req)).await {
                None => return Err(Failure::Timeout),
                Some(Ok(res)) => {
                    let lease = Lease {
                        pool: st.pool.clone(),
                        backend: b,
                        sender,
                    };
                    return Ok((res, lease));
                }
                Some(Err(mut e)) => {
                    req = match (e.take_message(), &replay) {
                        // Never written: safe to send on another connection.
                        (Some(r), _) => r,
                        (None, Some(t)) if reused => {
                            let mut r = t.build();
                            set_host(&mut r);
                            r
                        }
                        _ => return Err(Failure::Upstream),
                    };
                }
            }
            tries -= 1;
            if tries == 0 {
                return Err(Failure::Upstream);
            }
            match connection(st, b).await {
                Some((s, r)) => (sender, reused) = (s, r),
                None => {
                    st.lb.mark_down(b);
                    break; // on to the next backend; the request was not sent
                }
            }
        }
    }
    Err(Failure::NoBackend)
}

/// An idle connection to backend `b` (reused = true) or a new one; `None` if it cannot connect.
async fn connection(st: &State, b: usize) -> Option<(Sender, bool)> {
    if let Some(s) = st.pool.checkout(b).await {
        return Some((s, true));
    }
    st.pool
        .connect(st.lb.backend(b).addr)
        .await
        .ok()
        .map(|s| (s, false))
}

async fn with_timeout<F: Future>(limit: Duration, f: F) -> Option<F::Output> {
    if limit.is_zero() {
        Some(f.await)
    } else {
        tokio::time::timeout(limit, f).await.ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(req: &str, headers: &[(&str, &str)]) -> Verdict {
        let (method, rest) = req.split_once(' ').unwrap();
        let (target, version) = rest.rsplit_once(' ').unwrap();
        let mut h = HeaderMap::new();
        for (k, v) in headers {
            h.append(
                http::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        let version = if version == "HTTP/1.0" {
            Version::HTTP_10
        } else {
            Version::HTTP_11
        };
        validate(
            &method.parse().unwrap(),
            &target.parse().unwrap(),
            version,
            &h,
        )
    }

    #[test]
    fn validation() {
        use StatusCode as S;
        use Verdict::*;
        let host = ("host", "x");
        type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, Verdict);
        let cases: Vec<Case> = vec![
            ("GET /a?b HTTP/1.1", vec![host], Forward),
            ("GET / HTTP/1.0", vec![], Forward),
            ("OPTIONS * HTTP/1.1", vec![host], OptionsStar),
            (
                "GET http://example.com/ HTTP/1.1",
                vec![host],
                Refuse(S::BAD_REQUEST),
            ),
            ("GET * HTTP/1.1", vec![host], Refuse(S::BAD_REQUEST)),
            ("GET / HTTP/1.1", vec![], Refuse(S::BAD_REQUEST)),
            (
                "GET / HTTP/1.1",
                vec![host, ("host", "y")],
                Refuse(S::BAD_REQUEST),
            ),
            (
                "POST / HTTP/1.1",
                vec![host, ("expect", "100-Continue")],
                Forward,
            ),
            (
                "POST / HTTP/1.1",
                vec![host, ("expect", "magic")],
                Refuse(S::EXPECTATION_FAILED),
            ),
            (
                "POST / HTTP/1.1",
                vec![host, ("transfer-encoding", "chunked")],
                Forward,
            ),
            (
                "POST / HTTP/1.1",
                vec![host, ("transfer-encoding", "gzip, chunked")],
                Refuse(S::NOT_IMPLEMENTED),
            ),
        ];
        for (req, headers, want) in cases {
            assert_eq!(check(req, &headers), want, "{req} {headers:?}");
        }
    }
}
