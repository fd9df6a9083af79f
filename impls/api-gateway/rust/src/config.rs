//! The command line of README "Command line".

use crate::limiter::{parse_burst, parse_rate, Limit};
use std::collections::HashMap;
use std::net::SocketAddrV4;

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub listen: SocketAddrV4,
    pub backend: SocketAddrV4,
    pub secret_file: String,
    pub key_file: String,
    pub issuer: String,
    pub audience: String,
    pub default: Limit,
    pub overrides: HashMap<String, Limit>,
}

/// Parses the arguments after the program name; Err is a usage error.
pub fn parse_args(args: &[String]) -> Result<Config, String> {
    let mut v: HashMap<&str, &str> = HashMap::new();
    let mut overrides = HashMap::new();
    let mut it = args.iter();
    while let Some(name) = it.next() {
        let val = it
            .next()
            .ok_or_else(|| format!("missing value for {name}"))?;
        match name.as_str() {
            "--listen"
            | "--backend"
            | "--hs256-secret-file"
            | "--rs256-public-key"
            | "--issuer"
            | "--audience"
            | "--rate"
            | "--burst" => {
                v.insert(name.as_str(), val.as_str());
            }
            "--limit" => {
                let bad = || format!("--limit takes SUB=RATE:BURST, got {val}");
                let (sub, spec) = val.split_once('=').ok_or_else(bad)?;
                let (r, b) = spec.split_once(':').ok_or_else(bad)?;
                if sub.is_empty() {
                    return Err(bad());
                }
                let limit = Limit {
                    rate: parse_rate(r).map_err(|e| format!("--limit {val}: {e}"))?,
                    burst: parse_burst(b).map_err(|e| format!("--limit {val}: {e}"))?,
                };
                overrides.insert(sub.to_string(), limit);
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    let get = |k: &str| {
        v.get(k)
            .copied()
            .ok_or_else(|| format!("missing required option {k}"))
    };
    let addr = |k: &str| -> Result<SocketAddrV4, String> {
        let s = get(k)?;
        s.parse()
            .map_err(|_| format!("{k}: address must be IPv4:PORT, got {s}"))
    };
    Ok(Config {
        listen: addr("--listen")?,
        backend: addr("--backend")?,
        secret_file: get("--hs256-secret-file")?.to_string(),
        key_file: get("--rs256-public-key")?.to_string(),
        issuer: get("--issuer")?.to_string(),
        audience: get("--audience")?.to_string(),
        default: Limit {
            rate: parse_rate(get("--rate")?).map_err(|e| format!("--rate: {e}"))?,
            burst: parse_burst(get("--burst")?).map_err(|e| format!("--burst: {e}"))?,
        },
        overrides,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(extra: &[&str]) -> Vec<String> {
        let mut a: Vec<String> = [
            "--listen",
            "127.0.0.1:1",
            "--backend",
            "127.0.0.1:2",
            "--hs256-secret-file",
            "s",
            "--rs256-public-key",
            "k",
            "--issuer",
            "i",
            "--audience",
            "a",
            "--rate",
            "2.5",
            "--burst",
            "7",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    }

    #[test]
    fn good_arguments() {
        let c = parse_args(&args(&["--limit", "greedy=0.1:3", "--limit", "greedy=1:1"])).unwrap();
        assert_eq!(
            c.default,
            Limit {
                rate: 2500,
                burst: 7
            }
        );
        assert_eq!(
            c.overrides["greedy"],
            Limit {
                rate: 1000,
                burst: 1
            }
        );
        assert_eq!(c.backend.to_string(), "127.0.0.1:2");
    }

    #[test]
    fn usage_errors() {
        let mut short = args(&[]);
        short.truncate(short.len() - 2);
        assert!(parse_args(&short).is_err());
        for extra in [
            &["--limit", "x"][..],
            &["--limit", "=1:1"],
            &["--limit", "a=0:1"],
            &["--what", "x"],
            &["--rate"],
        ] {
            assert!(parse_args(&args(extra)).is_err(), "{extra:?}");
        }
        let mut host = args(&[]);
        host[1] = "localhost:1".into();
        assert!(parse_args(&host).is_err());
    }
}
