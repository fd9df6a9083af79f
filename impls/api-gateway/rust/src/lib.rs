//! Lightweight API gateway — Rust implementation of impls/api-gateway/README.md: JWT
//! verification (HS256/RS256) with the `hmac` and `rsa` crates, per-client token buckets, and a
//! pooled hyper reverse proxy to one backend.

pub mod config;
pub mod gateway;
pub mod jwt;
pub mod limiter;
