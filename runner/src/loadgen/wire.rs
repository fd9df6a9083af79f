//! The measured path of the load generator: a lean HTTP/1.1 client connection on a tokio
//! `TcpStream` — each request written from bytes prepared once, each response head parsed in
//! place with `httparse`, the body counted (content-length, chunked, or up to EOF) and dropped.
//! Like wrk's client, it does per request only what a request needs, so the generator leaves
//! the CPU to the server under test. (hyper's client, used for verification, costs about a
//! quarter more CPU per request on this path; see the closing note of the load-generator issue.)

use std::io;
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Why an exchange failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WireError {
    /// The server closed the connection before a whole response.
    Closed,
    /// The bytes are not an HTTP/1.x response.
    Parse,
    /// Another I/O error.
    Io,
}

impl WireError {
    pub(crate) fn kind(self) -> &'static str {
        match self {
            WireError::Closed => "closed",
            WireError::Parse => "parse",
            WireError::Io => "io",
        }
    }
}

const MAX_HEAD: usize = 64 * 1024;

/// One keep-alive connection.
pub(crate) struct Wire {
    tcp: TcpStream,
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

/// A request serialized once: `METHOD path HTTP/1.1`, the headers, `host` and
/// `content-length` when needed, the body.
pub(crate) fn serialize(
    method: &str,
    path: &str,
    headers: &[(String, String)],
    body: &[u8],
    addr: SocketAddr,
) -> Vec<u8> {
    let mut out = format!("{method} {path} HTTP/1.1\r\n").into_bytes();
    let mut host = false;
    let mut length = false;
    for (k, v) in headers {
        host |= k.eq_ignore_ascii_case("host");
        length |=
            k.eq_ignore_ascii_case("content-length") || k.eq_ignore_ascii_case("transfer-encoding");
        out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    if !host {
        out.extend_from_slice(format!("host: {addr}\r\n").as_bytes());
    }
    if !length && (!body.is_empty() || matches!(method, "POST" | "PUT" | "PATCH")) {
        out.extend_from_slice(format!("content-length: {}\r\n", body.len()).as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

fn io_kind(e: &io::Error) -> WireError {
    match e.kind() {
        io::ErrorKind::UnexpectedEof
        | io::ErrorKind::ConnectionReset
        | io::ErrorKind::BrokenPipe
        | io::ErrorKind::ConnectionAborted => WireError::Closed,
        _ => WireError::Io,
    }
}

impl Wire {
    pub(crate) async fn connect(addr: SocketAddr) -> io::Result<Wire> {
        let tcp = TcpStream::connect(addr).await?;
        tcp.set_nodelay(true)?;
        Ok(Wire {
            tcp,
            buf: vec![0; 16 * 1024],
            start: 0,
            end: 0,
        })
    }

    /// Reads more bytes into the buffer; `Closed` at EOF.
    async fn fill(&mut self) -> Result<(), WireError> {
        if self.start > 0 && self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
        if self.end == self.buf.len() {
            if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            } else if self.buf.len() < MAX_HEAD * 2 {
                self.buf.resize(self.buf.len() * 2, 0);
            } else {
                return Err(WireError::Parse);
            }
        }
        match self.tcp.read(&mut self.buf[self.end..]).await {
            Ok(0) => Err(WireError::Closed),
            Ok(n) => {
                self.end += n;
                Ok(())
            }
            Err(e) => Err(io_kind(&e)),
        }
    }

    /// Skips `n` body bytes.
    async fn skip(&mut self, mut n: u64) -> Result<(), WireError> {
        loop {
            let have = (self.end - self.start) as u64;
            if have >= n {
                self.start += n as usize;
                return Ok(());
            }
            n -= have;
            self.start = self.end;
            self.fill().await?;
        }
    }

    /// Sends `req` and reads the whole response: (status, body bytes, connection reusable).
    pub(crate) async fn exchange(&mut self, req: &[u8]) -> Result<(u16, u64, bool), WireError> {
        self.tcp.write_all(req).await.map_err(|e| io_kind(&e))?;
        // The head.
        let (status, head_len, length, chunked, keep) = loop {
            let mut headers = [httparse::EMPTY_HEADER; 64];
            let mut resp = httparse::Response::new(&mut headers);
            match resp.parse(&self.buf[self.start..self.end]) {
                Ok(httparse::Status::Complete(n)) => {
                    let status = resp.code.unwrap_or(0);
                    let mut length = None;
                    let mut chunked = false;
                    let mut keep = resp.version == Some(1);
                    for h in resp.headers.iter() {
                        if h.name.eq_ignore_ascii_case("content-length") {
                            length = std::str::from_utf8(h.value)
                                .ok()
                                .and_then(|v| v.trim().parse::<u64>().ok());
                            if length.is_none() {
                                return Err(WireError::Parse);
                            }
                        } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
                            chunked = h.value.eq_ignore_ascii_case(b"chunked");
                        } else if h.name.eq_ignore_ascii_case("connection") {
                            let v = String::from_utf8_lossy(h.value).to_ascii_lowercase();
                            if v.contains("close") {
                                keep = false;
                            } else if v.contains("keep-alive") {
                                keep = true;
                            }
                        }
                    }
                    break (status, n, length, chunked, keep);
                }
                Ok(httparse::Status::Partial) => {
                    if self.end - self.start >= MAX_HEAD {
                        return Err(WireError::Parse);
                    }
                    self.fill().await?;
                }
                Err(_) => return Err(WireError::Parse),
            }
        };
        self.start += head_len;
        // The body.
        let no_body = (100..200).contains(&status) || status == 204 || status == 304;
        if no_body {
            return Ok((status, 0, keep));
        }
        if chunked {
            let mut total = 0u64;
            loop {
                let size = loop {
                    match httparse::parse_chunk_size(&self.buf[self.start..self.end]) {
                        Ok(httparse::Status::Complete((n, size))) => {
                            self.start += n;
                            break size;
                        }
                        Ok(httparse::Status::Partial) => self.fill().await?,
                        Err(_) => return Err(WireError::Parse),
                    }
                };
                if size == 0 {
                    // Trailers (if any) end with an empty line.
                    loop {
                        let data = &self.buf[self.start..self.end];
                        if let Some(i) = data.windows(2).position(|w| w == b"\r\n") {
                            self.start += i + 2;
                            if i == 0 {
                                return Ok((status, total, keep));
                            }
                        } else {
                            self.fill().await?;
                        }
                    }
                }
                total += size;
                self.skip(size + 2).await?;
            }
        }
        match length {
            Some(n) => {
                self.skip(n).await?;
                Ok((status, n, keep))
            }
            None => {
                // Delimited by the end of the connection.
                let mut total = (self.end - self.start) as u64;
                self.start = self.end;
                loop {
                    match self.fill().await {
                        Ok(()) => {
                            total += (self.end - self.start) as u64;
                            self.start = self.end;
                        }
                        Err(WireError::Closed) => return Ok((status, total, false)),
                        Err(e) => return Err(e),
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn serve_once(answer: &'static [u8]) -> SocketAddr {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut s, _) = l.accept().await.unwrap();
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf).await;
            // Dribble the answer out in small pieces to exercise partial parsing.
            for piece in answer.chunks(7) {
                let _ = s.write_all(piece).await;
                tokio::task::yield_now().await;
            }
        });
        addr
    }

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn content_length_chunked_and_eof_bodies() {
        rt().block_on(async {
            for (answer, want) in [
                (&b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello"[..], (200, 5, true)),
                (
                    b"HTTP/1.1 201 Created\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n4\r\ndefg\r\n0\r\nx-t: 1\r\n\r\n",
                    (201, 7, true),
                ),
                (b"HTTP/1.0 404 Not Found\r\n\r\nnot here", (404, 8, false)),
                (b"HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n", (204, 0, false)),
            ] {
                let addr = serve_once(answer).await;
                let mut w = Wire::connect(addr).await.unwrap();
                let req = serialize("GET", "/", &[], b"", addr);
                assert_eq!(w.exchange(&req).await, Ok(want));
            }
        });
    }

    #[test]
    fn garbage_and_truncation_are_errors_of_their_kind() {
        rt().block_on(async {
            let addr = serve_once(b"NOT HTTP AT ALL\r\n\r\n").await;
            let mut w = Wire::connect(addr).await.unwrap();
            let req = serialize("GET", "/", &[], b"", addr);
            assert_eq!(w.exchange(&req).await, Err(WireError::Parse));
            let addr = serve_once(b"HTTP/1.1 200 OK\r\ncontent-length: 50\r\n\r\nshort").await;
            let mut w = Wire::connect(addr).await.unwrap();
            assert_eq!(w.exchange(&req).await, Err(WireError::Closed));
        });
    }

    #[test]
    fn requests_get_host_and_length() {
        let addr: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let r = serialize("POST", "/x", &[("a".into(), "b".into())], b"hi", addr);
        assert_eq!(
            String::from_utf8(r).unwrap(),
            "POST /x HTTP/1.1\r\na: b\r\nhost: 127.0.0.1:8080\r\ncontent-length: 2\r\n\r\nhi"
        );
    }
}
