#!/bin/sh
# The HAProxy reference row (README "Reference"): HAProxy 2.6's own JWT converters and stick
# tables set up as close to the spec as its configuration language allows, in the foreground,
# every file it writes inside OUT. Not verified: it approximates the spec (see README).
#
# usage: reference.sh OUT PORT BACKEND TESTDATA
set -eu
out=$1
port=$2
backend=$3
testdata=$4
dir="$out/haproxy"
mkdir -p "$dir"
# jwt_verify takes the HMAC secret as a string and the RSA key as a file loaded at start-up.
secret=$(tr -d ' \t\r\n' < "$testdata/hs256.secret")
cp "$testdata/rs256-public.pem" "$dir/rs256-public.pem"

cat > "$dir/haproxy.cfg" <<CFG
global
    nbthread $(nproc)
    maxconn 8000
    tune.bufsize 32768

defaults
    mode http
    timeout connect 5s
    timeout client 10s
    timeout server 60s
    timeout http-request 10s
    timeout http-keep-alive 10s
    option http-keep-alive

# Token buckets approximated by request-rate windows (sc_http_req_rate counts this request too):
# the default 10 000/s as at most 10 000 a second, greedy 0.1/s with a burst of 3 as 3 in 30 s.
backend st_default
    stick-table type string len 128 size 200k expire 10s store http_req_rate(1s)
backend st_greedy
    stick-table type string len 128 size 1k expire 60s store http_req_rate(30s)

frontend gateway
    bind 127.0.0.1:$port
    http-request return status 200 content-type application/json string '{"status":"ok"}' if { path /healthz }
    http-request return status 405 content-type application/json string '{"error":"method_not_allowed","detail":"method"}' unless { method GET HEAD POST PUT PATCH DELETE OPTIONS }

    http-request return status 401 content-type application/json hdr WWW-Authenticate Bearer string '{"error":"invalid_token","detail":"missing"}' unless { req.hdr_cnt(authorization) gt 0 }
    http-request set-var(txn.bearer) http_auth_bearer
    http-request return status 401 content-type application/json hdr WWW-Authenticate Bearer string '{"error":"invalid_token","detail":"malformed"}' unless { req.hdr_cnt(authorization) eq 1 } { var(txn.bearer) -m reg ^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$ }
    http-request set-var(txn.alg) var(txn.bearer),jwt_header_query('$.alg')
    http-request return status 401 content-type application/json hdr WWW-Authenticate Bearer string '{"error":"invalid_token","detail":"unsupported_alg"}' unless { var(txn.alg) -m str HS256 RS256 }
    http-request return status 401 content-type application/json hdr WWW-Authenticate Bearer string '{"error":"invalid_token","detail":"bad_signature"}' if { var(txn.alg) -m str HS256 } !{ var(txn.bearer),jwt_verify("HS256","$secret") -m int 1 }
    http-request return status 401 content-type application/json hdr WWW-Authenticate Bearer string '{"error":"invalid_token","detail":"bad_signature"}' if { var(txn.alg) -m str RS256 } !{ var(txn.bearer),jwt_verify("RS256","$dir/rs256-public.pem") -m int 1 }

    http-request set-var(txn.now) date
    http-request set-var(txn.exp) var(txn.bearer),jwt_payload_query('$.exp','int')
    http-request set-var(txn.nbf) var(txn.bearer),jwt_payload_query('$.nbf','int')
    http-request set-var(txn.sub) var(txn.bearer),jwt_payload_query('$.sub')
    http-request set-var(txn.iss) var(txn.bearer),jwt_payload_query('$.iss')
    http-request set-var(txn.aud) var(txn.bearer),jwt_payload_query('$.aud')
    http-request set-var(txn.scope) var(txn.bearer),jwt_payload_query('$.scope')
    # The raw payload, for an "aud" array (jwt_payload_query returns no arrays).
    http-request set-var(txn.payload) var(txn.bearer),field(2,.),ub64dec
    http-request return status 401 content-type application/json hdr WWW-Authenticate Bearer string '{"error":"invalid_token","detail":"missing_claim"}' unless { var(txn.exp) -m found } { var(txn.sub) -m found } { var(txn.iss) -m found } { var(txn.payload) -m sub "\"aud\"" }
    http-request return status 401 content-type application/json hdr WWW-Authenticate Bearer string '{"error":"invalid_token","detail":"malformed"}' unless { var(txn.sub) -m reg ^[!-~]{1,128}$ }
    http-request return status 401 content-type application/json hdr WWW-Authenticate Bearer string '{"error":"invalid_token","detail":"expired"}' if { var(txn.exp),sub(txn.now) -m int le 0 }
    http-request return status 401 content-type application/json hdr WWW-Authenticate Bearer string '{"error":"invalid_token","detail":"not_yet_valid"}' if { var(txn.nbf) -m found } { var(txn.nbf),sub(txn.now) -m int gt 0 }
    http-request return status 403 content-type application/json string '{"error":"forbidden","detail":"issuer"}' unless { var(txn.iss) -m str bench-issuer }
    http-request return status 403 content-type application/json string '{"error":"forbidden","detail":"audience"}' unless { var(txn.aud) -m str bench-api } or { var(txn.payload) -m reg "\"aud\":\[[^]]*\"bench-api\"" }
    http-request return status 403 content-type application/json string '{"error":"forbidden","detail":"scope"}' if { path /admin } !{ var(txn.scope) -m reg (^|\ )admin(\ |$) } or { path_beg /admin/ } !{ var(txn.scope) -m reg (^|\ )admin(\ |$) }

    http-request track-sc0 var(txn.sub) table st_greedy if { var(txn.sub) -m str greedy }
    http-request track-sc0 var(txn.sub) table st_default unless { var(txn.sub) -m str greedy }
    http-request return status 429 content-type application/json hdr Retry-After 10 string '{"error":"rate_limited","retry_after":10}' if { var(txn.sub) -m str greedy } { sc_http_req_rate(0) gt 3 }
    http-request return status 429 content-type application/json hdr Retry-After 1 string '{"error":"rate_limited","retry_after":1}' if { sc_http_req_rate(0) gt 10000 }

    http-request del-header Authorization
    http-request set-header X-Client-Id %[var(txn.sub)]
    http-request set-header Host $backend
    option forwardfor
    default_backend upstream

backend upstream
    http-reuse always
    server backend $backend
CFG
exec haproxy -W -db -f "$dir/haproxy.cfg"
