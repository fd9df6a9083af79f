//! Shared helpers: the test keys and testdata/cases.json.
#![allow(dead_code)]

use api_gateway::jwt::{load_secret, Verifier};
use serde_json::Value;

pub fn cases() -> Value {
    serde_json::from_slice(&std::fs::read("../testdata/cases.json").unwrap()).unwrap()
}

pub fn verifier() -> Verifier {
    let secret = load_secret(&std::fs::read("../testdata/hs256.secret").unwrap()).unwrap();
    let pem = std::fs::read("../testdata/rs256-public.pem").unwrap();
    Verifier::new(&secret, &pem, "bench-issuer", "bench-api").unwrap()
}

pub fn auth_of(cases: &Value, name: &str) -> String {
    cases["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no case {name}"))["authorization"]
        .as_str()
        .unwrap()
        .to_string()
}
