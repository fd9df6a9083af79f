//! `gateway` — see impls/api-gateway/README.md for the command line.

use api_gateway::config::parse_args;
use api_gateway::gateway::{serve, unix_now, upstream_client, Gateway};
use api_gateway::jwt::{load_secret, Verifier};
use api_gateway::limiter::Limiter;
use std::process::exit;
use std::sync::Arc;
use std::time::Instant;

fn fail(code: i32, msg: impl std::fmt::Display) -> ! {
    eprintln!("gateway: {msg}");
    exit(code)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cfg = parse_args(&args).unwrap_or_else(|e| fail(2, e));
    let secret = std::fs::read(&cfg.secret_file)
        .map_err(|e| format!("{}: {e}", cfg.secret_file))
        .and_then(|d| load_secret(&d).map_err(|e| format!("{}: {e}", cfg.secret_file)))
        .unwrap_or_else(|e| fail(1, e));
    let pem =
        std::fs::read(&cfg.key_file).unwrap_or_else(|e| fail(1, format!("{}: {e}", cfg.key_file)));
    let verifier = Verifier::new(&secret, &pem, &cfg.issuer, &cfg.audience)
        .unwrap_or_else(|e| fail(1, format!("{}: {e}", cfg.key_file)));
    let start = Instant::now();
    let limiter = Limiter::new(
        cfg.default,
        cfg.overrides.clone(),
        Box::new(move || start.elapsed().as_nanos() as u64),
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| fail(1, e));
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(cfg.listen)
            .await
            .unwrap_or_else(|e| fail(1, format!("{}: {e}", cfg.listen)));
        let gw = Arc::new(Gateway {
            verifier,
            limiter,
            backend: cfg.backend.to_string(),
            client: upstream_client(),
            wall_now: unix_now,
        });
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .unwrap_or_else(|e| fail(1, e));
        tokio::select! {
            r = serve(listener, gw) => if let Err(e) = r { fail(1, e) },
            _ = term.recv() => {},
            _ = tokio::signal::ctrl_c() => {},
        }
    });
    // In-flight requests may be cut (README "Command line"): exit without waiting for them.
    exit(0)
}
