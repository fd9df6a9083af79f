#!/usr/bin/env python3
"""Makes the gateway's test material (impls/api-gateway/README.md, "Test material").

Run once from anywhere; everything it writes is committed:

  testdata/hs256.secret        the HS256 secret (64 ASCII characters, used as is)
  testdata/rs256-private.pem   the issuer's RSA-2048 private key (test material only)
  testdata/rs256-public.pem    its public key (SubjectPublicKeyInfo PEM), given to the gateway
  testdata/other-private.pem   a second RSA key: tokens signed with it must be rejected
  testdata/cases.json          every token case with the exact answer the spec requires

The keys and the secret are made only when absent, so re-running keeps them. RSASSA-PKCS1-v1_5
and HMAC signatures are deterministic, so the tokens come out identical on every run.

With --manifest PATH, the blocks between the markers `# BEGIN generated: <name>` and
`# END generated: <name>` in that manifest are rewritten: the `http` verification steps and the
`[[load.request]]` mix, both built from the same cases.

Needs python3 and the openssl command line tool (RSA key generation and signing).
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import secrets
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TESTDATA = os.path.join(os.path.dirname(HERE), "testdata")

ISSUER = "bench-issuer"
AUDIENCE = "bench-api"
FAR = 4102444800  # 2100-01-01T00:00:00Z
PAST = 1600000000  # 2020-09-13
LONG_AGO = 1500000000
FUTURE_NBF = 4000000000  # 2096
# The unit tests evaluate every case at this instant (2027-01-15T08:00:00Z).
TEST_NOW = 1800000000


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def openssl(*args, stdin=None):
    return subprocess.run(["openssl", *args], input=stdin, check=True, capture_output=True).stdout


def ensure_material():
    os.makedirs(TESTDATA, exist_ok=True)
    secret = os.path.join(TESTDATA, "hs256.secret")
    if not os.path.exists(secret):
        with open(secret, "w") as f:
            f.write(secrets.token_hex(32) + "\n")
    for name in ("rs256-private.pem", "other-private.pem"):
        path = os.path.join(TESTDATA, name)
        if not os.path.exists(path):
            openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path)
    pub = os.path.join(TESTDATA, "rs256-public.pem")
    if not os.path.exists(pub):
        openssl("pkey", "-in", os.path.join(TESTDATA, "rs256-private.pem"), "-pubout", "-out", pub)


def read(name) -> bytes:
    with open(os.path.join(TESTDATA, name), "rb") as f:
        return f.read()


def secret_key() -> bytes:
    return read("hs256.secret").rstrip(b" \t\r\n")


def sign_hs(signing_input: bytes, key: bytes) -> bytes:
    return hmac.new(key, signing_input, hashlib.sha256).digest()


def sign_rs(signing_input: bytes, keyfile: str) -> bytes:
    return openssl("dgst", "-sha256", "-sign", os.path.join(TESTDATA, keyfile), stdin=signing_input)


def token(header, payload, how="hs", raw_header=None, raw_payload=None):
    """header/payload: dicts (compact JSON) unless raw_* text is given. how: hs, rs,
    other (RS256 with the other key), confusion (HMAC with the public key PEM as secret),
    hs-for-rs (HMAC with the real secret), none (empty signature)."""
    h = raw_header if raw_header is not None else json.dumps(header, separators=(",", ":"))
    p = raw_payload if raw_payload is not None else json.dumps(payload, separators=(",", ":"))
    signing_input = (b64(h.encode()) + "." + b64(p.encode())).encode()
    if how == "hs":
        sig = sign_hs(signing_input, secret_key())
    elif how == "rs":
        sig = sign_rs(signing_input, "rs256-private.pem")
    elif how == "other":
        sig = sign_rs(signing_input, "other-private.pem")
    elif how == "confusion":
        sig = sign_hs(signing_input, read("rs256-public.pem"))
    elif how == "none":
        sig = b""
    else:
        raise ValueError(how)
    return signing_input.decode() + "." + b64(sig)


HS = {"alg": "HS256", "typ": "JWT"}
RS = {"alg": "RS256", "typ": "JWT"}


def claims(subject, **over):
    c = {"iss": ISSUER, "sub": subject, "aud": AUDIENCE, "iat": LONG_AGO, "nbf": LONG_AGO, "exp": FAR, "scope": "read"}
    for k, v in over.items():
        if v is None:
            c.pop(k, None)
        else:
            c[k] = v
    return c


def flip_signature(tok: str) -> str:
    """Changes one character in the middle of the signature (a valid base64url character, so the
    token stays well-formed and only the signature is wrong)."""
    head, sig = tok.rsplit(".", 1)
    i = len(sig) // 2
    c = "A" if sig[i] != "A" else "B"
    return head + "." + sig[:i] + c + sig[i + 1 :]


def err(status, error, detail):
    return {"status": status, "body": json.dumps({"error": error, "detail": detail}, separators=(",", ":"))}


OK = {"status": 200, "body": None}


def cases():
    """(name, authorization header or None, path, expectation). Order matters only for reading."""
    out = []

    def add(name, auth, expect, path="/api/items/1"):
        out.append({"name": name, "authorization": auth, "path": path, **expect})

    def bearer(t):
        return "Bearer " + t

    # Valid tokens of many clients (the load cycles through them).
    for i in range(12):
        add(f"valid-hs-{i:02}", bearer(token(HS, claims(f"hs-{i:02}"))), OK)
    for i in range(12):
        add(f"valid-rs-{i:02}", bearer(token(RS, claims(f"rs-{i:02}"), "rs")), OK)
    add("valid-aud-array", bearer(token(HS, claims("aud-array", aud=["other-api", AUDIENCE]))), OK)
    add("valid-no-nbf", bearer(token(RS, claims("no-nbf", nbf=None), "rs")), OK)
    add("valid-extra-header-members", bearer(token({"alg": "HS256", "kid": "k1", "x": [1, {"y": None}]}, claims("extra"))), OK)
    add("valid-lowercase-scheme", "bearer " + token(HS, claims("lower")), OK)
    add("valid-two-spaces", "Bearer  " + token(HS, claims("spaces")), OK)
    add("valid-float-exp", bearer(token(HS, claims("float-exp", exp=4102444800.5))), OK)
    add(
        "valid-duplicate-alg-last-wins",
        bearer(token(None, claims("dup-alg"), raw_header='{"alg":"none","alg":"HS256"}')),
        OK,
    )
    add("admin-with-scope", bearer(token(RS, claims("admin-1", scope="read admin"), "rs")), OK, "/admin/stats")
    add("greedy", bearer(token(HS, claims("greedy"))), OK)

    # 401: missing or malformed credentials.
    add("missing", None, err(401, "invalid_token", "missing"))
    add("basic-scheme", "Basic dXNlcjpwYXNz", err(401, "invalid_token", "malformed"))
    add("bearer-without-token", "Bearer", err(401, "invalid_token", "malformed"))
    add("bearer-space-only", "Bearer ", err(401, "invalid_token", "malformed"))
    good = token(HS, claims("shape"))
    add("one-segment", bearer("abc"), err(401, "invalid_token", "malformed"))
    add("two-segments", bearer(good.rsplit(".", 1)[0]), err(401, "invalid_token", "malformed"))
    add("four-segments", bearer(good + ".AAAA"), err(401, "invalid_token", "malformed"))
    add("space-inside-token", bearer(good[:20] + " " + good[20:]), err(401, "invalid_token", "malformed"))
    add("padding-in-segment", bearer(good.split(".")[0] + "==." + ".".join(good.split(".")[1:])),
        err(401, "invalid_token", "malformed"))
    add("bad-base64-char", bearer("e*." + good.split(".", 1)[1]), err(401, "invalid_token", "malformed"))
    # 'eyJhbGciOiJIUzI1NiJ9' with its last character changed so unused bits are set.
    seg = b64(b'{"alg":"HS256"}')
    assert seg.endswith("9")
    add("nonzero-trailing-bits", bearer(seg[:-1] + "-." + good.split(".", 1)[1]), err(401, "invalid_token", "malformed"))
    add("header-not-json", bearer(b64(b"not json") + "." + good.split(".", 1)[1]), err(401, "invalid_token", "malformed"))
    add("header-json-array", bearer(b64(b'["HS256"]') + "." + good.split(".", 1)[1]), err(401, "invalid_token", "malformed"))
    add("header-empty", bearer("." + good.split(".", 1)[1]), err(401, "invalid_token", "malformed"))
    add("header-invalid-utf8", bearer(b64(b'{"alg":"HS256","x":"\xff"}') + "." + good.split(".", 1)[1]),
        err(401, "invalid_token", "malformed"))
    add("header-too-deep", bearer(b64(('{"alg":"HS256","x":' + "[" * 40 + "]" * 40 + "}").encode()) + "." + good.split(".", 1)[1]),
        err(401, "invalid_token", "malformed"))
    add("signature-bad-base64", bearer(good.rsplit(".", 1)[0] + ".@@@@"), err(401, "invalid_token", "malformed"))
    add("too-long", bearer(token(HS, claims("long", pad="x" * 4200))), err(401, "invalid_token", "malformed"))

    # 401: algorithm not allowed.
    add("alg-none", bearer(token({"alg": "none", "typ": "JWT"}, claims("none-1"), "none")), err(401, "invalid_token", "unsupported_alg"))
    add("alg-None", bearer(token({"alg": "None"}, claims("none-2"), "none")), err(401, "invalid_token", "unsupported_alg"))
    add("alg-none-with-signature", bearer(token({"alg": "none"}, claims("none-3"))), err(401, "invalid_token", "unsupported_alg"))
    add("alg-hs512", bearer(token({"alg": "HS512"}, claims("hs512"))), err(401, "invalid_token", "unsupported_alg"))
    add("alg-rs384", bearer(token({"alg": "RS384"}, claims("rs384"), "rs")), err(401, "invalid_token", "unsupported_alg"))
    add("alg-lowercase", bearer(token({"alg": "hs256"}, claims("lc"))), err(401, "invalid_token", "unsupported_alg"))
    add("alg-missing", bearer(token({"typ": "JWT"}, claims("noalg"))), err(401, "invalid_token", "unsupported_alg"))
    add("alg-not-string", bearer(token({"alg": 256}, claims("numalg"))), err(401, "invalid_token", "unsupported_alg"))

    # 401: signature does not verify (forged).
    add("forged-hs", bearer(flip_signature(token(HS, claims("hs-00")))), err(401, "invalid_token", "bad_signature"))
    add("forged-rs", bearer(flip_signature(token(RS, claims("rs-00"), "rs"))), err(401, "invalid_token", "bad_signature"))
    add("forged-payload-hs", bearer(b64(json.dumps(HS, separators=(",", ":")).encode()) + "."
                                    + b64(json.dumps(claims("hs-00", scope="read admin"), separators=(",", ":")).encode()) + "."
                                    + token(HS, claims("hs-00")).rsplit(".", 1)[1]),
        err(401, "invalid_token", "bad_signature"))
    add("alg-confusion", bearer(token(HS, claims("confused", scope="read admin"), "confusion")), err(401, "invalid_token", "bad_signature"))
    add("rs-header-hmac-signature", bearer(token(RS, claims("rs-hmac"), "hs")), err(401, "invalid_token", "bad_signature"))
    add("hs-header-rsa-signature", bearer(token(HS, claims("hs-rsa"), "rs")), err(401, "invalid_token", "bad_signature"))
    add("other-key", bearer(token(RS, claims("intruder"), "other")), err(401, "invalid_token", "bad_signature"))
    add("empty-signature-hs", bearer(token(HS, claims("nosig-hs"), "none")), err(401, "invalid_token", "bad_signature"))
    add("empty-signature-rs", bearer(token(RS, claims("nosig-rs"), "none")), err(401, "invalid_token", "bad_signature"))

    # 401: signed, but the claims are unusable.
    add("payload-not-json", bearer(token(HS, None, raw_payload="hello")), err(401, "invalid_token", "malformed"))
    add("payload-json-string", bearer(token(HS, None, raw_payload='"sub"')), err(401, "invalid_token", "malformed"))
    add("exp-string", bearer(token(HS, claims("exp-str", exp="4102444800"))), err(401, "invalid_token", "malformed"))
    add("nbf-bool", bearer(token(HS, claims("nbf-bool", nbf=True))), err(401, "invalid_token", "malformed"))
    add("sub-number", bearer(token(HS, claims(42))), err(401, "invalid_token", "malformed"))
    add("aud-number", bearer(token(HS, claims("aud-num", aud=7))), err(401, "invalid_token", "malformed"))
    add("aud-array-mixed", bearer(token(HS, claims("aud-mixed", aud=[AUDIENCE, 7]))), err(401, "invalid_token", "malformed"))
    add("scope-array", bearer(token(HS, claims("scope-arr", scope=["admin"]))), err(401, "invalid_token", "malformed"))
    add("sub-empty", bearer(token(HS, claims(""))), err(401, "invalid_token", "malformed"))
    add("sub-with-space", bearer(token(HS, claims("two words"))), err(401, "invalid_token", "malformed"))
    add("sub-too-long", bearer(token(HS, claims("s" * 129))), err(401, "invalid_token", "malformed"))
    add("exp-missing", bearer(token(HS, claims("noexp", exp=None))), err(401, "invalid_token", "missing_claim"))
    add("sub-missing", bearer(token(RS, claims("x", sub=None), "rs")), err(401, "invalid_token", "missing_claim"))
    add("iss-missing", bearer(token(HS, claims("noiss", iss=None))), err(401, "invalid_token", "missing_claim"))
    add("aud-missing", bearer(token(HS, claims("noaud", aud=None))), err(401, "invalid_token", "missing_claim"))
    add("expired-hs", bearer(token(HS, claims("hs-00", exp=PAST))), err(401, "invalid_token", "expired"))
    add("expired-rs", bearer(token(RS, claims("rs-00", exp=PAST), "rs")), err(401, "invalid_token", "expired"))
    add("expired-and-wrong-aud", bearer(token(HS, claims("hs-01", exp=PAST, aud="other-api"))), err(401, "invalid_token", "expired"))
    add("not-yet-valid", bearer(token(HS, claims("future", nbf=FUTURE_NBF))), err(401, "invalid_token", "not_yet_valid"))
    add("not-yet-valid-rs", bearer(token(RS, claims("future-rs", nbf=FUTURE_NBF), "rs")), err(401, "invalid_token", "not_yet_valid"))

    # 403: a valid token that is not for this gateway or this path.
    add("wrong-issuer", bearer(token(HS, claims("hs-00", iss="evil-issuer"))), err(403, "forbidden", "issuer"))
    add("wrong-audience", bearer(token(RS, claims("rs-00", aud="other-api"), "rs")), err(403, "forbidden", "audience"))
    add("wrong-audience-array", bearer(token(HS, claims("hs-00", aud=["a", "b"]))), err(403, "forbidden", "audience"))
    add("empty-audience-array", bearer(token(HS, claims("hs-00", aud=[]))), err(403, "forbidden", "audience"))
    add("wrong-issuer-and-audience", bearer(token(HS, claims("hs-00", iss="x", aud="y"))), err(403, "forbidden", "issuer"))
    add("admin-without-scope", bearer(token(HS, claims("hs-00"))), err(403, "forbidden", "scope"), "/admin/stats")
    add("admin-exact-without-scope", bearer(token(HS, claims("hs-00", scope="administrator"))), err(403, "forbidden", "scope"), "/admin")
    add("admin-scope-not-needed-elsewhere", bearer(token(HS, claims("hs-00", scope=None))), OK, "/administrator")
    return out


def by_name(cs):
    return {c["name"]: c for c in cs}


# ---------------------------------------------------------------------------------------------
# Manifest blocks


def toml_str(s: str) -> str:
    return json.dumps(s)  # a TOML basic string is a JSON string for ASCII text


def step(name, path="/api/items/1", auth=None, method=None, headers=None, body=None, repeat=None, **expect):
    lines = ["[[verify.step]]", f"name = {toml_str(name)}"]
    if method:
        lines.append(f"method = {toml_str(method)}")
    lines.append(f"path = {toml_str(path)}")
    h = dict(headers or {})
    if auth is not None:
        h["authorization"] = auth
    if h:
        lines.append("headers = { " + ", ".join(f"{toml_str(k)} = {toml_str(v)}" for k, v in h.items()) + " }")
    if body is not None:
        lines.append(f"body = {toml_str(body)}")
    if repeat:
        lines.append(f"repeat = {repeat}")
    for k, v in expect.items():
        if isinstance(v, dict):
            parts = []
            for kk, vv in v.items():
                parts.append(f"{toml_str(kk)} = " + (toml_str(vv) if isinstance(vv, str) else json.dumps(vv)))
            lines.append(f"{k} = {{ " + ", ".join(parts) + " }")
        elif isinstance(v, str):
            lines.append(f"{k} = {toml_str(v)}")
        else:
            lines.append(f"{k} = {json.dumps(v)}")
    return "\n".join(lines)


def verify_block(cs):
    c = by_name(cs)
    steps = []
    proxied = 0

    def reject(name, path=None, **kw):
        case = c[name]
        body = json.loads(case["body"])
        steps.append(step(name, path or case["path"], case["authorization"], status=case["status"],
                          json={"error": body["error"], "detail": body["detail"]}, **kw))

    steps.append(step("health", "/healthz", status=200, json={"status": "ok"}))
    reject("missing", expect_headers={"www-authenticate": "Bearer"})
    proxied += 1
    steps.append(step("valid HS256 is proxied", "/api/items/1?x=1", c["valid-hs-00"]["authorization"], status=200,
                      expect_headers={"x-echo-path": "/api/items/1?x=1", "x-echo-method": "GET",
                                      "x-echo-forwarded-for": "127.0.0.1", "x-backend": "0"},
                      body_contains="abcdefghijklmnopqrstuvwxyz0123456789"))
    proxied += 1
    steps.append(step("valid RS256 is proxied", "/api/items/2", c["valid-rs-00"]["authorization"], status=200,
                      expect_headers={"x-echo-path": "/api/items/2"}))
    proxied += 1
    steps.append(step("POST body is forwarded", "/api/echo", c["valid-hs-01"]["authorization"], method="POST",
                      headers={"content-type": "text/plain"}, body="hello gateway", status=200,
                      body_equals="hello gateway", expect_headers={"x-echo-method": "POST"}))
    proxied += 1
    steps.append(step("X-Forwarded-For is appended", "/api/items/3", c["valid-rs-01"]["authorization"],
                      headers={"x-forwarded-for": "10.1.2.3"}, status=200,
                      expect_headers={"x-echo-forwarded-for": "10.1.2.3, 127.0.0.1"}))
    for name in ("valid-aud-array", "valid-no-nbf", "valid-lowercase-scheme", "valid-duplicate-alg-last-wins"):
        proxied += 1
        steps.append(step(name, "/api/items/4", c[name]["authorization"], status=200))
    for name in ("basic-scheme", "one-segment", "four-segments", "padding-in-segment", "header-not-json",
                 "alg-none", "alg-None", "alg-hs512", "alg-missing",
                 "forged-hs", "forged-rs", "forged-payload-hs", "alg-confusion", "rs-header-hmac-signature",
                 "other-key", "empty-signature-rs", "payload-not-json", "exp-string", "sub-with-space",
                 "exp-missing", "aud-missing",
                 "expired-hs", "expired-rs", "expired-and-wrong-aud", "not-yet-valid",
                 "wrong-issuer", "wrong-audience", "wrong-audience-array", "admin-without-scope"):
        reject(name)
    proxied += 1
    steps.append(step("admin path with admin scope", "/admin/stats", c["admin-with-scope"]["authorization"], status=200,
                      expect_headers={"x-echo-path": "/admin/stats"}))
    steps.append(step("dot segment is refused", "/api/../admin/stats", c["admin-with-scope"]["authorization"],
                      status=400, json={"error": "invalid_request", "detail": "path"}))
    steps.append(step("encoded dot segment is refused", "/api/%2e%2E/admin", c["admin-with-scope"]["authorization"],
                      status=400, json={"error": "invalid_request", "detail": "path"}))
    steps.append(step("empty segment is refused", "//admin/stats", c["valid-hs-00"]["authorization"],
                      status=400, json={"error": "invalid_request", "detail": "path"}))
    steps.append(step("encoded admin is still admin", "/%61dmin/stats", c["valid-hs-00"]["authorization"],
                      status=403, json={"error": "forbidden", "detail": "scope"}))
    steps.append(step("method not allowed", "/api/items/1", c["valid-hs-00"]["authorization"], method="TRACE",
                      status=405, json={"error": "method_not_allowed", "detail": "method"}))
    proxied += 3
    steps.append(step("greedy client within its burst", "/api/items/5", c["greedy"]["authorization"], repeat=3, status=200))
    steps.append(step("greedy client over its limit", "/api/items/5", c["greedy"]["authorization"], status=429,
                      expect_headers={"retry-after": "10"}, json={"error": "rate_limited", "retry_after": 10}))
    steps.append(step("another client is not limited", "/api/items/6", c["valid-hs-02"]["authorization"], status=200))
    proxied += 1
    steps.append(step("only accepted requests reached the backend", "/__stats", c["valid-hs-03"]["authorization"],
                      status=200, json={"index": 0, "requests": proxied}))
    return "\n\n".join(steps)


def load_block(cs):
    c = by_name(cs)
    names = []
    # 40 requests: 24 valid of 24 clients (HS256 and RS256 alternating), 4 expired, 4 forged,
    # 2 alg none, 2 without a token, 4 from one client that is always over its limit.
    valid = [f"valid-hs-{i:02}" for i in range(12)] + [f"valid-rs-{i:02}" for i in range(12)]
    valid = [v for pair in zip(valid[:12], valid[12:]) for v in pair]
    bad = ["expired-hs", "forged-hs", "greedy", "alg-none", "expired-rs", "forged-rs", "greedy", "missing",
           "expired-hs", "alg-confusion", "greedy", "alg-none", "expired-rs", "other-key", "greedy", "missing"]
    # Interleave: 3 valid, 2 others.
    vi = bi = 0
    while vi < len(valid) or bi < len(bad):
        for _ in range(3):
            if vi < len(valid):
                names.append(valid[vi]); vi += 1
        for _ in range(2):
            if bi < len(bad):
                names.append(bad[bi]); bi += 1
    lines = []
    for i, n in enumerate(names):
        lines.append("[[load.request]]")
        lines.append(f"path = \"/api/items/{i}\"  # {n}")
        if c[n]["authorization"] is not None:
            lines.append(f"headers = {{ authorization = {toml_str(c[n]['authorization'])} }}")
        lines.append("")
    return "\n".join(lines).rstrip("\n")


def rewrite(manifest, blocks):
    with open(manifest) as f:
        text = f.read()
    for name, content in blocks.items():
        begin = f"# BEGIN generated: {name}\n"
        end = f"# END generated: {name}\n"
        a = text.index(begin) + len(begin)
        b = text.index(end)
        text = text[:a] + content + "\n" + text[b:]
    with open(manifest, "w") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--manifest", help="rewrite the generated blocks of this manifest")
    a = ap.parse_args()
    ensure_material()
    cs = cases()
    doc = {
        "comment": "Made by tools/make_tokens.py; evaluate at now = test_now (Unix seconds).",
        "issuer": ISSUER,
        "audience": AUDIENCE,
        "test_now": TEST_NOW,
        "cases": cs,
    }
    with open(os.path.join(TESTDATA, "cases.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    if a.manifest:
        rewrite(a.manifest, {"verify steps": verify_block(cs), "load requests": load_block(cs)})
    print(f"{len(cs)} cases written to {os.path.join(TESTDATA, 'cases.json')}", file=sys.stderr)


if __name__ == "__main__":
    main()
