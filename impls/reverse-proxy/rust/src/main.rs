//! `proxy --listen ADDR --backends LIST [options]` (README: Command line).

use reverse_proxy::config::parse_args;
use reverse_proxy::proxy::{serve, State};
use std::process::ExitCode;
use std::sync::Arc;
use tokio::signal::unix::{signal, SignalKind};

fn main() -> ExitCode {
    let cfg = match parse_args(std::env::args().skip(1)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("proxy: {e}");
            return ExitCode::from(2);
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("proxy: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let code = rt.block_on(async {
        let listener = match tokio::net::TcpListener::bind(cfg.listen).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("proxy: listen {}: {e}", cfg.listen);
                return ExitCode::from(1);
            }
        };
        let (mut term, mut int) = match (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            (Ok(t), Ok(i)) => (t, i),
            _ => {
                eprintln!("proxy: cannot install signal handlers");
                return ExitCode::from(1);
            }
        };
        tokio::select! {
            _ = serve(listener, Arc::new(State::new(cfg))) => {}
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
        ExitCode::SUCCESS
    });
    // Stop at once: open connections are dropped with the runtime's tasks.
    rt.shutdown_background();
    code
}
