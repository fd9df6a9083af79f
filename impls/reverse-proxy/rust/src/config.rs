//! The command line (README: Command line): parsed by hand, one `--name value` pair at a time.

use std::net::SocketAddrV4;
use std::time::Duration;

/// Most backends `--backends` may list.
pub const MAX_BACKENDS: usize = 64;
/// Smallest `--max-header-bytes`.
pub const MIN_HEADER_BYTES: usize = 8192;

/// Resolved settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Address to listen on.
    pub listen: SocketAddrV4,
    /// Upstreams in round-robin order.
    pub backends: Vec<SocketAddrV4>,
    /// Idle keep-alive connections kept per backend.
    pub max_idle: usize,
    /// How long a refusing backend stays out of the rotation.
    pub down_for: Duration,
    /// Limit for opening an upstream connection.
    pub connect_timeout: Duration,
    /// Limit for a client to deliver a request head (also the keep-alive idle limit).
    pub header_timeout: Duration,
    /// Limit for a backend to send its response head.
    pub upstream_timeout: Duration,
    /// Largest request or response head.
    pub max_header_bytes: usize,
}

impl Config {
    /// The defaults of every option, for `listen` and `backends`.
    pub fn new(listen: SocketAddrV4, backends: Vec<SocketAddrV4>) -> Config {
        Config {
            listen,
            backends,
            max_idle: 128,
            down_for: Duration::from_millis(2000),
            connect_timeout: Duration::from_millis(1000),
            header_timeout: Duration::from_millis(10000),
            upstream_timeout: Duration::from_millis(30000),
            max_header_bytes: 16384,
        }
    }
}

fn addr(what: &str, s: &str) -> Result<SocketAddrV4, String> {
    s.parse::<SocketAddrV4>()
        .map_err(|_| format!("{what}: {s:?} is not an IPv4 address with a port (a.b.c.d:port)"))
}

/// Parses the arguments after the program name.
pub fn parse_args<I: IntoIterator<Item = String>>(args: I) -> Result<Config, String> {
    let mut listen = None;
    let mut backends = None;
    let mut numbers: Vec<(String, u64)> = Vec::new();
    let mut it = args.into_iter();
    while let Some(flag) = it.next() {
        let name = flag
            .strip_prefix("--")
            .ok_or_else(|| format!("unexpected argument {flag:?}"))?;
        let value = it.next().ok_or_else(|| format!("--{name} needs a value"))?;
        match name {
            "listen" => listen = Some(addr("--listen", &value)?),
            "backends" => {
                let list = value
                    .split(',')
                    .map(|b| addr("--backends", b))
                    .collect::<Result<Vec<_>, _>>()?;
                if list.len() > MAX_BACKENDS {
                    return Err(format!(
                        "--backends: {} backends, at most {MAX_BACKENDS}",
                        list.len()
                    ));
                }
                backends = Some(list);
            }
            "max-idle"
            | "down-ms"
            | "connect-timeout-ms"
            | "header-timeout-ms"
            | "upstream-timeout-ms"
            | "max-header-bytes" => {
                let n = value
                    .parse::<u64>()
                    .map_err(|_| format!("--{name}: {value:?} is not a non-negative integer"))?;
                numbers.push((name.to_string(), n));
            }
            _ => return Err(format!("unknown option --{name}")),
        }
    }
    let listen = listen.ok_or("--listen is required")?;
    let backends = backends.ok_or("--backends is required")?;
    let mut cfg = Config::new(listen, backends);
    for (name, n) in numbers {
        let ms = Duration::from_millis(n);
        match name.as_str() {
            "max-idle" => cfg.max_idle = n as usize,
            "down-ms" => cfg.down_for = ms,
            "connect-timeout-ms" => cfg.connect_timeout = ms,
            "header-timeout-ms" => cfg.header_timeout = ms,
            "upstream-timeout-ms" => cfg.upstream_timeout = ms,
            _ => {
                if (n as usize) < MIN_HEADER_BYTES {
                    return Err(format!(
                        "--max-header-bytes must be at least {MIN_HEADER_BYTES}"
                    ));
                }
                cfg.max_header_bytes = n as usize;
            }
        }
    }
    Ok(cfg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn defaults_and_options() {
        let c = parse_args(args(
            "--listen 127.0.0.1:80 --backends 127.0.0.1:1,127.0.0.1:2",
        ))
        .unwrap();
        assert_eq!(c.backends.len(), 2);
        assert_eq!(c.max_idle, 128);
        assert_eq!(c.down_for, Duration::from_millis(2000));
        assert_eq!(c.max_header_bytes, 16384);
        let c = parse_args(args(
            "--backends 127.0.0.1:1 --listen 127.0.0.1:80 --max-idle 0 --down-ms 5 --max-header-bytes 9000",
        ))
        .unwrap();
        assert_eq!(
            (c.max_idle, c.down_for, c.max_header_bytes),
            (0, Duration::from_millis(5), 9000)
        );
    }

    #[test]
    fn usage_errors() {
        let many: Vec<String> = (1..=65).map(|p| format!("127.0.0.1:{p}")).collect();
        let too_many = format!("--listen 127.0.0.1:80 --backends {}", many.join(","));
        for bad in [
            "--backends 127.0.0.1:1",
            "--listen 127.0.0.1:80",
            "--listen 127.0.0.1:80 --backends [::1]:80",
            "--listen 127.0.0.1:80 --backends localhost:80",
            "--listen 127.0.0.1 --backends 127.0.0.1:1",
            "--listen 127.0.0.1:80 --backends 127.0.0.1:1,",
            too_many.as_str(),
            "--listen 127.0.0.1:80 --backends 127.0.0.1:1 --down-ms -1",
            "--listen 127.0.0.1:80 --backends 127.0.0.1:1 --max-idle x",
            "--listen 127.0.0.1:80 --backends 127.0.0.1:1 --max-header-bytes 100",
            "--listen 127.0.0.1:80 --backends 127.0.0.1:1 --nope 1",
            "--listen 127.0.0.1:80 --backends 127.0.0.1:1 extra",
            "--listen 127.0.0.1:80 --backends",
        ] {
            assert!(parse_args(args(bad)).is_err(), "accepted: {bad}");
        }
    }
}
