//! HTTP/1.1 reverse proxy and round-robin load balancer: the Rust implementation of
//! `impls/reverse-proxy/README.md` (tokio + hyper server connections + an own pool of hyper
//! client connections).

pub mod balancer;
pub mod config;
pub mod headers;
pub mod pool;
pub mod proxy;
