//! The built-in HTTP backend fixture (`runner __backend`): a small keep-alive HTTP/1.1 server
//! that a project's service (a reverse proxy, a gateway) forwards to.
//!
//! Every request is answered `200` with a fixed body of `body_bytes` bytes (or, when the
//! request has a body, that body echoed back), after an optional delay, with headers that let a
//! verification script see what arrived: `x-backend` (the instance's index), `x-echo-path`,
//! `x-echo-method` and `x-echo-forwarded-for`. `GET /__stats` answers
//! `{"index":I,"requests":N}` (not counted), so a script can check how traffic was spread.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How the backend answers.
#[derive(Debug, Clone)]
pub struct BackendConfig {
    /// Where to listen (127.0.0.1, or the host side of a containerised service's bridge).
    pub listen: SocketAddr,
    /// Body size of the fixed answer.
    pub body_bytes: usize,
    /// Delay before answering.
    pub delay: Duration,
    /// Index shown in `x-backend` (the Nth instance of a fixture).
    pub index: usize,
}

struct State {
    cfg: BackendConfig,
    body: Bytes,
    requests: AtomicU64,
}

/// The fixed body: a repeating, printable pattern, so a proxy that corrupts bytes is caught.
pub fn fixed_body(n: usize) -> Vec<u8> {
    (0..n)
        .map(|i| b"abcdefghijklmnopqrstuvwxyz0123456789\n"[i % 37])
        .collect()
}

async fn answer(
    req: Request<Incoming>,
    state: Arc<State>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    if req.uri().path() == "/__stats" {
        let body = format!(
            "{{\"index\":{},\"requests\":{}}}",
            state.cfg.index,
            state.requests.load(Ordering::Relaxed)
        );
        let mut r = Response::new(Full::new(Bytes::from(body)));
        r.headers_mut().insert(
            hyper::header::CONTENT_TYPE,
            hyper::header::HeaderValue::from_static("application/json"),
        );
        return Ok(r);
    }
    state.requests.fetch_add(1, Ordering::Relaxed);
    let path = req.uri().to_string();
    let method = req.method().to_string();
    let xff = req
        .headers()
        .get("x-forwarded-for")
        .map(|v| v.as_bytes().to_vec());
    let received = match req.into_body().collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => Bytes::new(),
    };
    if !state.cfg.delay.is_zero() {
        tokio::time::sleep(state.cfg.delay).await;
    }
    let body = if received.is_empty() {
        state.body.clone()
    } else {
        received
    };
    let mut r = Response::new(Full::new(body));
    let h = r.headers_mut();
    let val = |s: &[u8]| {
        hyper::header::HeaderValue::from_bytes(s)
            .unwrap_or(hyper::header::HeaderValue::from_static("?"))
    };
    h.insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/octet-stream"),
    );
    h.insert("x-backend", val(state.cfg.index.to_string().as_bytes()));
    h.insert("x-echo-path", val(path.as_bytes()));
    h.insert("x-echo-method", val(method.as_bytes()));
    if let Some(x) = xff {
        h.insert("x-echo-forwarded-for", val(&x));
    }
    Ok(r)
}

/// Serves until the process is killed.
pub fn serve(cfg: BackendConfig) -> std::io::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(cfg.listen).await?;
        let state = Arc::new(State {
            body: Bytes::from(fixed_body(cfg.body_bytes)),
            cfg,
            requests: AtomicU64::new(0),
        });
        loop {
            let (tcp, _) = listener.accept().await?;
            let _ = tcp.set_nodelay(true);
            let state = state.clone();
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(move |r| answer(r, state.clone()));
                let _ = hyper::server::conn::http1::Builder::new()
                    .keep_alive(true)
                    .serve_connection(TokioIo::new(tcp), svc)
                    .await;
            });
        }
    })
}
