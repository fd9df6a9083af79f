//! `runner __backend`: the built-in HTTP backend fixture of service benchmarks as its own
//! process (started by `runner bench` for `[[fixture]] builtin = "http"`; a hidden subcommand).

use super::args::FixtureArgs;
use super::{FAILED, OK};

/// `runner __backend PORT BODY_BYTES DELAY_MS INDEX [HOST]`: serves until killed.
pub(super) fn backend(args: &FixtureArgs) -> i32 {
    let listen = std::net::SocketAddr::new(args.host, args.port);
    let cfg = crate::loadgen::fixture::BackendConfig {
        listen,
        body_bytes: args.body_bytes,
        delay: std::time::Duration::from_millis(args.delay_ms),
        index: args.index,
    };
    match crate::loadgen::fixture::serve(cfg) {
        Ok(()) => OK,
        Err(e) => {
            eprintln!("runner __backend: cannot serve on {listen}: {e}");
            FAILED
        }
    }
}
