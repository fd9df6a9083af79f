//! Header rewriting shared by both directions (README: Forwarded request / Forwarded response):
//! hop-by-hop fields out, `X-Forwarded-For` appended.

use http::header::{HeaderMap, HeaderName, HeaderValue, CONNECTION};
use std::net::IpAddr;

/// The fixed hop-by-hop fields, lower-case.
pub const HOP_BY_HOP: [&str; 9] = [
    "connection",
    "proxy-connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// Whether `name` is one of [`HOP_BY_HOP`].
fn is_hop_by_hop(name: &HeaderName) -> bool {
    HOP_BY_HOP.contains(&name.as_str())
}

/// Removes the hop-by-hop fields and every field named in a `Connection` value.
pub fn strip_hop_by_hop(h: &mut HeaderMap) {
    // Usually there is none: one pass over the names instead of nine hashed removals (a field
    // named in `Connection` needs a `Connection` field, itself hop-by-hop).
    if !h.keys().any(is_hop_by_hop) {
        return;
    }
    // Names listed in Connection are collected first: removing `connection` drops them.
    let named: Vec<HeaderName> = h
        .get_all(CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|t| HeaderName::from_bytes(t.trim().as_bytes()).ok())
        .collect();
    for name in named {
        h.remove(name);
    }
    for name in HOP_BY_HOP {
        h.remove(name);
    }
}

/// The client's address as a field value, made once per client connection.
pub fn client_value(client: IpAddr) -> HeaderValue {
    // An IP address is valid header text.
    HeaderValue::from_str(&client.to_string()).expect("an IP address is a valid field value")
}

/// Appends the client's address (from [`client_value`]) to `X-Forwarded-For` (prior values
/// joined with ", "), leaving exactly one such field.
pub fn append_forwarded_for(h: &mut HeaderMap, client: &HeaderValue) {
    let xff = HeaderName::from_static("x-forwarded-for");
    let mut prior = h.get_all(&xff).iter().peekable();
    if prior.peek().is_none() {
        // The usual case: no allocation, the connection's value is shared.
        h.insert(xff, client.clone());
        return;
    }
    let mut value = Vec::with_capacity(64);
    for p in prior {
        value.extend_from_slice(p.as_bytes());
        value.extend_from_slice(b", ");
    }
    value.extend_from_slice(client.as_bytes());
    // The prior values were valid header bytes, and so is an IP address.
    if let Ok(v) = HeaderValue::from_bytes(&value) {
        h.insert(xff, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    #[test]
    fn hop_by_hop_and_connection_named_fields_are_removed() {
        let mut h = map(&[
            ("Connection", "keep-alive, X-Secret"),
            ("connection", "X-Other"),
            ("X-Secret", "1"),
            ("X-Other", "2"),
            ("Keep-Alive", "300"),
            ("TE", "trailers"),
            ("Trailer", "X-T"),
            ("Transfer-Encoding", "chunked"),
            ("Upgrade", "websocket"),
            ("Proxy-Authorization", "Basic x"),
            ("Proxy-Authenticate", "Basic"),
            ("Proxy-Connection", "keep-alive"),
            ("X-Kept", "a"),
            ("X-Kept", "b"),
            ("Content-Length", "5"),
        ]);
        strip_hop_by_hop(&mut h);
        // Different names may change order; repeated ones keep theirs.
        let mut left: Vec<(&str, &str)> = h
            .iter()
            .map(|(k, v)| (k.as_str(), v.to_str().unwrap()))
            .collect();
        left.sort_by_key(|(k, _)| *k);
        assert_eq!(
            left,
            [("content-length", "5"), ("x-kept", "a"), ("x-kept", "b")]
        );
    }

    #[test]
    fn forwarded_for_is_appended() {
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        for (prior, want) in [
            (vec![], "127.0.0.1"),
            (vec!["1.2.3.4"], "1.2.3.4, 127.0.0.1"),
            (
                vec!["1.1.1.1", "2.2.2.2, 3.3.3.3"],
                "1.1.1.1, 2.2.2.2, 3.3.3.3, 127.0.0.1",
            ),
        ] {
            let mut h = map(&prior
                .iter()
                .map(|v| ("X-Forwarded-For", *v))
                .collect::<Vec<_>>());
            append_forwarded_for(&mut h, &client_value(ip));
            let all: Vec<&str> = h
                .get_all("x-forwarded-for")
                .iter()
                .map(|v| v.to_str().unwrap())
                .collect();
            assert_eq!(all, [want]);
        }
    }
}
