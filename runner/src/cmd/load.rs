//! `runner load`: the service benchmarks' load generator on its own, like `wrk`, against
//! loopback addresses only.

use super::{out, FAILED, INTERRUPTED, OK, USAGE};
use crate::exec::interrupt::Interrupt;
use crate::output::table;

/// Parses `http://HOST:PORT/path` where HOST is a loopback address (or `localhost`).
fn loopback_url(url: &str) -> Result<(std::net::SocketAddr, String), String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or("only http:// URLs are supported")?;
    let (hostport, path) = match rest.find('/') {
        Some(i) => (&rest[..i], rest[i..].to_string()),
        None => (rest, "/".to_string()),
    };
    let hostport = hostport.replacen("localhost", "127.0.0.1", 1);
    let addr: std::net::SocketAddr = hostport
        .parse()
        .map_err(|_| format!("`{hostport}` is not IP:PORT (e.g. 127.0.0.1:8080)"))?;
    if !addr.ip().is_loopback() {
        return Err(format!(
            "{} is not a loopback address: runner load sends traffic only to this machine (127.0.0.0/8, ::1)",
            addr.ip()
        ));
    }
    Ok((addr, path))
}

/// `runner load`: the built-in load generator on its own.
pub fn load(args: &super::args::LoadArgs) -> i32 {
    let usage = |flag: &str, msg: String| {
        eprintln!("error: {flag}: {msg}");
        USAGE
    };
    let (addr, path) = match loopback_url(&args.url) {
        Ok(x) => x,
        Err(e) => return usage(&args.url, e),
    };
    let mut headers = Vec::new();
    for h in &args.headers {
        match h.split_once(':') {
            Some((k, v)) => headers.push((k.trim().to_string(), v.trim().to_string())),
            None => return usage("--header", format!("`{h}` is not `Name: value`")),
        }
    }
    for (flag, v, zero_ok) in [
        ("--duration", args.duration, false),
        ("--warmup", args.warmup, true),
        ("--timeout", args.timeout, false),
    ] {
        if !(v.is_finite() && (v > 0.0 || (zero_ok && v == 0.0))) {
            return usage(flag, "must be a positive number of seconds".into());
        }
    }
    if args.connections == 0 {
        return usage("--connections", "must be at least 1".into());
    }
    if let Some(r) = args.rate {
        if !(r > 0.0 && r.is_finite()) {
            return usage("--rate", "must be a positive number of requests/s".into());
        }
    }
    let spec = crate::loadgen::LoadSpec {
        addr,
        connections: args.connections as usize,
        warmup: std::time::Duration::from_secs_f64(args.warmup),
        duration: std::time::Duration::from_secs_f64(args.duration),
        rate: args.rate,
        requests: vec![crate::loadgen::RequestTemplate {
            method: args.method.clone(),
            path,
            headers,
            body: args.body.clone().unwrap_or_default().into_bytes(),
        }],
        timeout: std::time::Duration::from_secs_f64(args.timeout),
        threads: args
            .threads
            .unwrap_or_else(crate::loadgen::default_threads)
            .max(1),
    };
    let interrupt = Interrupt::install().unwrap_or_else(|_| Interrupt::none());
    match crate::loadgen::run(&spec, &interrupt.flag()) {
        Err(e) => {
            eprintln!("error: {e}");
            FAILED
        }
        Ok(r) => {
            if args.json {
                let round = serde_json::json!({
                    "url": args.url,
                    "connections": spec.connections,
                    "threads": spec.threads,
                    "rate": spec.rate,
                    "window_s": r.window.as_secs_f64(),
                    "requests": r.requests,
                    "rps": r.rps(),
                    "body_bytes": r.body_bytes,
                    "latency": r.latency,
                    "latency_corrected": r.latency_corrected,
                    "statuses": r.statuses,
                    "errors": r.errors,
                });
                out(&format!("{round}\n"));
            } else {
                out(&table::load_result(&args.url, &spec, &r));
            }
            if interrupt.is_set() {
                INTERRUPTED
            } else if r.requests == 0 {
                eprintln!("error: no response completed");
                FAILED
            } else {
                OK
            }
        }
    }
}
