//! Every shared token case, and the exact time boundaries.

mod common;

use api_gateway::gateway::{check_path, is_admin_path};
use api_gateway::jwt::{self, Rejection};

#[test]
fn shared_token_cases() {
    let doc = common::cases();
    let v = common::verifier();
    let now = doc["test_now"].as_i64().unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 90);
    let mut failures = Vec::new();
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let auth: Vec<&[u8]> = c["authorization"]
            .as_str()
            .map(|a| vec![a.as_bytes()])
            .unwrap_or_default();
        let path = check_path(c["path"].as_str().unwrap()).unwrap();
        let got = v.verify(&auth, is_admin_path(&path), now);
        match (c["body"].as_str(), got) {
            (None, Ok(sub)) => assert!(!sub.is_empty()),
            (None, Err(r)) => failures.push(format!("{name}: rejected {} {}", r.status, r.body)),
            (Some(body), Ok(sub)) => {
                failures.push(format!("{name}: passed as {sub}, expected {body}"))
            }
            (Some(body), Err(r)) => {
                if r.status as u64 != c["status"].as_u64().unwrap() || r.body != body {
                    failures.push(format!(
                        "{name}: got {} {}, expected {} {body}",
                        r.status, r.body, c["status"]
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn time_boundaries_are_exact() {
    let doc = common::cases();
    let v = common::verifier();
    let tok = common::auth_of(&doc, "valid-hs-00"); // exp 4102444800, nbf 1500000000
    let a = [tok.as_bytes()];
    assert!(v.verify(&a, false, 4102444799).is_ok());
    assert_eq!(v.verify(&a, false, 4102444800), Err(jwt::EXPIRED));
    assert!(v.verify(&a, false, 1500000000).is_ok());
    assert_eq!(v.verify(&a, false, 1499999999), Err(jwt::NOT_YET_VALID));
    let f = common::auth_of(&doc, "valid-float-exp");
    assert!(v.verify(&[f.as_bytes()], false, 4102444800).is_ok());
}

#[test]
fn two_authorization_fields_are_malformed() {
    let doc = common::cases();
    let v = common::verifier();
    let tok = common::auth_of(&doc, "valid-hs-00");
    assert_eq!(
        v.verify(&[tok.as_bytes(), tok.as_bytes()], false, 1800000000),
        Err(jwt::MALFORMED)
    );
}

#[test]
fn error_bodies_are_exact() {
    use api_gateway::gateway::*;
    let all: [(Rejection, &str); 16] = [
        (
            jwt::MISSING,
            r#"{"error":"invalid_token","detail":"missing"}"#,
        ),
        (
            jwt::MALFORMED,
            r#"{"error":"invalid_token","detail":"malformed"}"#,
        ),
        (
            jwt::UNSUPPORTED_ALG,
            r#"{"error":"invalid_token","detail":"unsupported_alg"}"#,
        ),
        (
            jwt::BAD_SIGNATURE,
            r#"{"error":"invalid_token","detail":"bad_signature"}"#,
        ),
        (
            jwt::MISSING_CLAIM,
            r#"{"error":"invalid_token","detail":"missing_claim"}"#,
        ),
        (
            jwt::EXPIRED,
            r#"{"error":"invalid_token","detail":"expired"}"#,
        ),
        (
            jwt::NOT_YET_VALID,
            r#"{"error":"invalid_token","detail":"not_yet_valid"}"#,
        ),
        (jwt::ISSUER, r#"{"error":"forbidden","detail":"issuer"}"#),
        (
            jwt::AUDIENCE,
            r#"{"error":"forbidden","detail":"audience"}"#,
        ),
        (jwt::SCOPE, r#"{"error":"forbidden","detail":"scope"}"#),
        (TARGET, r#"{"error":"invalid_request","detail":"target"}"#),
        (PATH, r#"{"error":"invalid_request","detail":"path"}"#),
        (
            METHOD,
            r#"{"error":"method_not_allowed","detail":"method"}"#,
        ),
        (
            LENGTH,
            r#"{"error":"length_required","detail":"transfer-encoding"}"#,
        ),
        (
            TOO_LARGE,
            r#"{"error":"payload_too_large","detail":"content-length"}"#,
        ),
        (
            BAD_GATEWAY,
            r#"{"error":"bad_gateway","detail":"upstream"}"#,
        ),
    ];
    for (r, want) in all {
        assert_eq!(r.body, want);
        serde_json::from_str::<serde_json::Value>(r.body).unwrap();
    }
}

#[test]
fn path_checks() {
    for (raw, want) in [
        ("/", "/"),
        ("/a/b/", "/a/b/"),
        ("/%61dmin", "/admin"),
        ("/a%2Fb", "/a/b"),
        ("/...", "/..."),
        ("/a.b/.c", "/a.b/.c"),
    ] {
        assert_eq!(check_path(raw).as_deref(), Some(want), "{raw}");
    }
    for raw in [
        "//",
        "/a//b",
        "/.",
        "/./a",
        "/a/..",
        "/a/%2e%2E/b",
        "/a%2F%2Fb",
        "/%",
        "/%4",
        "/%zz",
        "/a%00b",
        "/%2e",
    ] {
        assert!(check_path(raw).is_none(), "{raw}");
    }
    for (p, want) in [
        ("/admin", true),
        ("/admin/", true),
        ("/admin/x", true),
        ("/administrator", false),
        ("/Admin", false),
        ("/x/admin", false),
    ] {
        assert_eq!(is_admin_path(p), want, "{p}");
    }
}
