//! `runner __backend`: the built-in HTTP backend fixture of service benchmarks as its own
//! process (started by `runner bench` for `[[fixture]] builtin = "http"`; hidden from the help).

use super::{FAILED, OK, USAGE};

/// `runner __backend PORT BODY_BYTES DELAY_MS INDEX [HOST]`: the built-in HTTP backend fixture
/// (HOST defaults to 127.0.0.1; a containerised service's fixtures listen on its bridge's host
/// side).
pub fn backend(args: &[String]) -> i32 {
    let num = |i: usize| args.get(i).and_then(|a| a.parse::<u64>().ok());
    let host = match args.get(4).map(|h| h.parse::<std::net::IpAddr>()) {
        None => Some(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)),
        Some(Ok(h)) => Some(h),
        Some(Err(_)) => None,
    };
    let (Some(port), Some(body), Some(delay), Some(index), Some(host)) =
        (num(0), num(1), num(2), num(3), host)
    else {
        eprintln!("usage: runner __backend PORT BODY_BYTES DELAY_MS INDEX [HOST] (started by runner bench for [[fixture]] builtin = \"http\")");
        return USAGE;
    };
    let listen = std::net::SocketAddr::new(host, port as u16);
    let cfg = crate::load::backend::BackendConfig {
        listen,
        body_bytes: body as usize,
        delay: std::time::Duration::from_millis(delay),
        index: index as usize,
    };
    match crate::load::backend::serve(cfg) {
        Ok(()) => OK,
        Err(e) => {
            eprintln!("runner __backend: cannot serve on {listen}: {e}");
            FAILED
        }
    }
}
