//! The upstream side (README: Pooling): a per-backend LIFO list of idle hyper HTTP/1.1 client
//! connections, new connections with a connect timeout, and the response body that hands its
//! connection back to the pool once it has been read to the end.

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use http_body_util::{Either, Empty};
use hyper::body::Incoming;
use hyper::client::conn::http1::{Builder, SendRequest};
use hyper_util::rt::TokioIo;
use std::net::SocketAddrV4;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{ready, Context, Poll};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

/// An idle connection unused for this long is closed when it is next looked at.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// Body of a forwarded request: nothing, or the client's body streamed through.
pub type UpBody = Either<Empty<Bytes>, Incoming>;

/// One upstream connection's request handle.
pub type Sender = SendRequest<UpBody>;

struct Idle {
    sender: Sender,
    since: Instant,
}

/// Idle upstream connections, per backend.
pub struct Pool {
    idle: Vec<Mutex<Vec<Idle>>>,
    max_idle: usize,
    connect_timeout: Duration,
    max_header_bytes: usize,
}

/// Why no connection could be opened.
#[derive(Debug)]
pub struct ConnectFailed;

impl Pool {
    /// A pool for `backends` backends.
    pub fn new(
        backends: usize,
        max_idle: usize,
        connect_timeout: Duration,
        max_header_bytes: usize,
    ) -> Pool {
        Pool {
            idle: (0..backends).map(|_| Mutex::new(Vec::new())).collect(),
            max_idle,
            connect_timeout,
            max_header_bytes,
        }
    }

    fn list(&self, backend: usize) -> std::sync::MutexGuard<'_, Vec<Idle>> {
        // A panic while holding the lock cannot leave the Vec inconsistent.
        self.idle[backend].lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The most recently returned idle connection to `backend` that is still open and ready for a
    /// request; closed and expired ones are dropped on the way.
    pub async fn checkout(&self, backend: usize) -> Option<Sender> {
        loop {
            let idle = self.list(backend).pop()?;
            if idle.since.elapsed() > IDLE_TIMEOUT || idle.sender.is_closed() {
                continue;
            }
            let mut sender = idle.sender;
            // Usually ready at once; it may wait for the connection task to finish the previous
            // exchange, and fails if the backend closed the connection.
            if sender.ready().await.is_ok() {
                return Some(sender);
            }
        }
    }

    /// A new connection to `addr`.
    pub async fn connect(&self, addr: SocketAddrV4) -> Result<Sender, ConnectFailed> {
        let tcp = if self.connect_timeout.is_zero() {
            TcpStream::connect(addr).await
        } else {
            tokio::time::timeout(self.connect_timeout, TcpStream::connect(addr))
                .await
                .map_err(|_| ConnectFailed)?
        }
        .map_err(|_| ConnectFailed)?;
        let _ = tcp.set_nodelay(true);
        let (sender, conn) = Builder::new()
            .max_header_size(self.max_header_bytes)
            .handshake(TokioIo::new(tcp))
            .await
            .map_err(|_| ConnectFailed)?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(sender)
    }

    /// Keeps `sender` for reuse unless the backend's list is full.
    pub fn put(&self, backend: usize, sender: Sender) {
        let mut list = self.list(backend);
        if list.len() < self.max_idle {
            list.push(Idle {
                sender,
                since: Instant::now(),
            });
        }
    }
}

/// A connection lent to one exchange.
pub struct Lease {
    /// The pool it goes back to.
    pub pool: Arc<Pool>,
    /// Its backend's index.
    pub backend: usize,
    /// The connection.
    pub sender: Sender,
}

/// The body of an answer to the client: the upstream response streamed through (trailers
/// dropped), or a short fixed text. The upstream connection returns to the pool when the body
/// ends; if it is dropped before the end, the connection is closed.
pub struct ProxyBody {
    kind: Kind,
    lease: Option<Lease>,
}

enum Kind {
    Upstream(Incoming),
    Fixed(Option<Bytes>),
}

impl ProxyBody {
    /// Streams `body`, then gives `lease` back.
    pub fn upstream(body: Incoming, lease: Lease) -> ProxyBody {
        ProxyBody {
            kind: Kind::Upstream(body),
            lease: Some(lease),
        }
    }

    /// A fixed body.
    pub fn fixed(bytes: Bytes) -> ProxyBody {
        ProxyBody {
            kind: Kind::Fixed(Some(bytes).filter(|b| !b.is_empty())),
            lease: None,
        }
    }

    fn release(&mut self) {
        if let Some(l) = self.lease.take() {
            l.pool.put(l.backend, l.sender);
        }
    }
}

impl Body for ProxyBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let this = &mut *self;
        let inner = match &mut this.kind {
            Kind::Fixed(b) => return Poll::Ready(b.take().map(|b| Ok(Frame::data(b)))),
            Kind::Upstream(inner) => inner,
        };
        loop {
            match ready!(Pin::new(&mut *inner).poll_frame(cx)) {
                Some(Ok(frame)) if frame.is_data() => return Poll::Ready(Some(Ok(frame))),
                Some(Ok(_trailers)) => continue,
                Some(Err(e)) => {
                    this.lease = None; // the connection is broken: close it
                    return Poll::Ready(Some(Err(e)));
                }
                None => {
                    this.release();
                    return Poll::Ready(None);
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Upstream(b) => b.is_end_stream(),
            Kind::Fixed(b) => b.is_none(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Upstream(b) => b.size_hint(),
            Kind::Fixed(b) => SizeHint::with_exact(b.as_ref().map_or(0, |b| b.len() as u64)),
        }
    }
}

impl Drop for ProxyBody {
    fn drop(&mut self) {
        // hyper stops polling a body that reports its end (all of a Content-Length body read, or
        // none to read): the exchange is complete and the connection can be reused.
        if self.is_end_stream() {
            self.release();
        }
    }
}
