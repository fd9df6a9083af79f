#!/usr/bin/env python3
"""Verification of one reverse-proxy implementation (run by the benchmark runner).

usage: check.py --proxy 127.0.0.1:PORT --backends A,B,C --artifact PROGRAM [--client ADDR]

--proxy is the running instance the runner started in front of its built-in backends
(--backends, which answer a fixed body, echo POST bodies, and count requests at /__stats).
--artifact is the built proxy, which this script also starts itself, in front of its own
Python backends, for the checks that need backends it can inspect, kill and restart.

Checks (README "Verification and measurement"):
  1. byte-identical bodies through the proxy and directly from a backend (GET, a 200 KiB binary
     POST, a chunked POST, HEAD), the request-target passed verbatim, X-Forwarded-For appended,
     pipelined and keep-alive requests answered in order;
  2. an even spread: 300 sequential requests add exactly 100 to each backend, 240 concurrent
     ones 80 +- 8;
  3. hop-by-hop fields (and fields named in Connection) removed in both directions, Host kept;
  4. passive health: with a dead port in the list and one backend killed, every request succeeds
     and the live backends share them evenly; the restarted backend gets traffic again after the
     down period; SIGTERM ends the proxy with status 0 and nothing was logged;
  5. malformed, truncated, oversized and random requests are answered (or dropped) and the proxy
     keeps serving.
Exit 0 when all hold; otherwise print every problem and exit 1.
"""
import argparse
import concurrent.futures
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TIMEOUT = 10.0
problems = []


def problem(msg):
    problems.append(msg)
    print(f"check.py: {msg}", file=sys.stderr)


def hostport(s):
    host, port = s.rsplit(":", 1)
    return host, int(port)


# --- raw HTTP/1.1 --------------------------------------------------------------------------------


class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name):
        vals = [v for k, v in self.headers if k.lower() == name.lower()]
        return vals[0] if vals else None

    def __repr__(self):
        return f"<{self.status} {self.headers} {self.body[:60]!r}>"


def read_answer(f, head_request=False):
    """One response from a file-like socket reader, or None at a clean end of stream."""
    line = f.readline()
    if not line:
        return None
    parts = line.decode("latin-1").rstrip("\r\n").split(" ", 2)
    status = int(parts[1])
    headers = []
    while True:
        h = f.readline()
        if h in (b"\r\n", b"\n", b""):
            break
        k, v = h.decode("latin-1").split(":", 1)
        headers.append((k.strip(), v.strip()))
    a = Answer(status, headers, b"")
    if head_request or status in (204, 304) or 100 <= status < 200:
        return a
    if (a.header("transfer-encoding") or "").lower() == "chunked":
        body = b""
        while True:
            size = int(f.readline().split(b";")[0], 16)
            if size == 0:
                while f.readline() not in (b"\r\n", b"\n", b""):
                    pass
                break
            body += f.read(size)
            f.readline()
        a.body = body
    elif a.header("content-length") is not None:
        a.body = f.read(int(a.header("content-length")))
    else:
        a.body = f.read()
    return a


def raw(addr, data, half_close=False, timeout=TIMEOUT, head_request=False):
    """Sends raw bytes; returns the first answer (or None if the connection ended without one)."""
    with socket.create_connection(addr, timeout=timeout) as s:
        try:
            s.sendall(data)
            if half_close:
                s.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the proxy may answer and close before reading everything
        f = s.makefile("rb")
        try:
            return read_answer(f, head_request)
        except (ConnectionError, socket.timeout, ValueError, IndexError):
            return None


def get(addr, path="/", extra=b""):
    req = b"GET " + path.encode() + b" HTTP/1.1\r\nHost: proxy.test\r\n" + extra + b"Connection: close\r\n\r\n"
    return raw(addr, req)


def post(addr, path, body):
    head = f"POST {path} HTTP/1.1\r\nHost: proxy.test\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    return raw(addr, head.encode() + body)


# --- 1. byte-identical -----------------------------------------------------------------------------


def check_identical(proxy, backends, client):
    via, direct = get(proxy, "/items/1"), get(backends[0], "/items/1")
    if via is None or via.status != 200 or via.body != direct.body or len(via.body) == 0:
        problem(f"GET /items/1 through the proxy differs from the backend's answer: {via!r} vs {direct!r}")
    payload = random.Random(7).randbytes(200 * 1024)
    a = post(proxy, "/echo", payload)
    if a is None or a.status != 200 or a.body != payload:
        problem(f"200 KiB POST echoed through the proxy differs ({len(a.body) if a else 'no'} bytes back)")
    chunks = [b"a" * 10, b"\x00\xff" * 3000, b"z", b"0123456789" * 700]
    body = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n"
    a = raw(proxy, b"POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + body)
    if a is None or a.status != 200 or a.body != b"".join(chunks):
        problem(f"chunked POST echoed through the proxy differs: {a!r}")
    a = raw(proxy, b"HEAD /items/1 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", head_request=True)
    if a is None or a.status != 200 or a.header("content-length") != str(len(direct.body)):
        problem(f"HEAD through the proxy: {a!r}")
    target = "/q/%2e%2E/./x?a=1&b=%20&c"
    a = get(proxy, target)
    if a is None or a.header("x-echo-path") != target:
        problem(f"request-target not passed verbatim: sent {target}, backend saw {a and a.header('x-echo-path')}")
    if a is None or a.header("x-echo-forwarded-for") != client:
        problem(f"X-Forwarded-For without a prior value: {a and a.header('x-echo-forwarded-for')!r}")
    a = get(proxy, "/", b"X-Forwarded-For: 10.0.0.1\r\nX-Forwarded-For: 10.0.0.2, 10.0.0.3\r\n")
    if a is None or a.header("x-echo-forwarded-for") != f"10.0.0.1, 10.0.0.2, 10.0.0.3, {client}":
        problem(f"X-Forwarded-For with prior values: {a and a.header('x-echo-forwarded-for')!r}")
    # Pipelined requests are answered in order.
    with socket.create_connection(proxy, timeout=TIMEOUT) as s:
        s.sendall(b"GET /p1 HTTP/1.1\r\nHost: h\r\n\r\nPOST /p2 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"
                  b"GET /p3 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        f = s.makefile("rb")
        got = [read_answer(f) for _ in range(3)]
        paths = [a.header("x-echo-path") if a else None for a in got]
        if paths != ["/p1", "/p2", "/p3"] or got[1].body != b"abc":
            problem(f"pipelined requests answered as {paths}")
    # Keep-alive: many requests on one client connection.
    c = http.client.HTTPConnection(*proxy, timeout=TIMEOUT)
    for i in range(50):
        c.request("GET", f"/ka/{i}")
        r = c.getresponse()
        body = r.read()
        if r.status != 200 or body != direct.body:
            problem(f"keep-alive request {i}: {r.status}")
            break
    c.close()


# --- 2. even spread ------------------------------------------------------------------------------


def stats(backends):
    out = []
    for b in backends:
        a = get(b, "/__stats")
        out.append(json.loads(a.body)["requests"])
    return out


def check_spread(proxy, backends):
    n = len(backends)
    before = stats(backends)
    c = http.client.HTTPConnection(*proxy, timeout=TIMEOUT)
    for i in range(100 * n):
        c.request("GET", "/spread")
        r = c.getresponse()
        r.read()
        if r.status != 200:
            problem(f"sequential request {i}: status {r.status}")
            return
    c.close()
    after = stats(backends)
    delta = [a - b for a, b in zip(after, before)]
    if delta != [100] * n:
        problem(f"{100 * n} sequential requests were spread as {delta}, want exactly 100 each")

    def client(k):
        cc = http.client.HTTPConnection(*proxy, timeout=TIMEOUT)
        ok = 0
        for _ in range(30):
            cc.request("GET", "/spread")
            r = cc.getresponse()
            r.read()
            ok += r.status == 200
        cc.close()
        return ok

    before = stats(backends)
    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        ok = sum(ex.map(client, range(8)))
    after = stats(backends)
    delta = [a - b for a, b in zip(after, before)]
    want = 240 // n
    if ok != 240 or any(abs(d - want) > max(2, want // 10) for d in delta):
        problem(f"240 concurrent requests ({ok} answered 200) were spread as {delta}, want {want} +- 10% each")


# --- Python backends (for 3 and 4) -----------------------------------------------------------------


def serve(port, index):
    """A keep-alive backend: /headers answers the request's fields as JSON (and sends hop-by-hop
    fields back); anything else answers `backend INDEX`."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def answer(self):
            n = int(self.headers.get("Content-Length") or 0)
            if n:
                self.rfile.read(n)
            extra = []
            if self.path == "/headers":
                body = json.dumps(list(self.headers.items())).encode()
                extra = [("Connection", "X-Drop-Me"), ("X-Drop-Me", "1"), ("Keep-Alive", "timeout=5"),
                         ("Proxy-Authenticate", "Basic"), ("Trailer", "X-T"), ("Upgrade", "h2c"),
                         ("X-Kept", "yes")]
            else:
                body = b"backend %d" % index
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-Backend", str(index))
            for k, v in extra:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = answer

        def log_message(self, *args):
            pass

    ThreadingHTTPServer.allow_reuse_address = True
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, proc=None, deadline=5.0):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            time.sleep(0.02)
    return False


def die_with_parent():
    """Child processes get SIGKILL when this script ends, however it ends (Linux prctl)."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def start_backend(port, index):
    p = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--serve", str(port), str(index)],
                         preexec_fn=die_with_parent)
    if not wait_listening(port, p):
        p.kill()
        raise RuntimeError(f"python backend on port {port} did not start")
    return p


def start_proxy(artifact, backends, *extra):
    port = free_port()
    err = tempfile.TemporaryFile()
    p = subprocess.Popen([artifact, "--listen", f"127.0.0.1:{port}", "--backends", ",".join(backends), *extra],
                         stdout=subprocess.DEVNULL, stderr=err, preexec_fn=die_with_parent)
    if not wait_listening(port, p):
        p.kill()
        raise RuntimeError(f"{artifact} did not start listening on {port} (exit {p.poll()})")
    return p, ("127.0.0.1", port), err


def stop_proxy(p, err, what):
    p.send_signal(signal.SIGTERM)
    try:
        rc = p.wait(timeout=3)
        if rc != 0:
            problem(f"{what}: exit status {rc} after SIGTERM, want 0")
    except subprocess.TimeoutExpired:
        p.kill()
        problem(f"{what}: still running 3 s after SIGTERM")
    err.seek(0)
    logged = err.read()
    if logged:
        problem(f"{what}: wrote to stderr while serving: {logged[:200]!r}")
    err.close()


# --- 3. hop-by-hop ---------------------------------------------------------------------------------


def check_headers(artifact):
    port = free_port()
    b = start_backend(port, 0)
    p, proxy, err = start_proxy(artifact, [f"127.0.0.1:{port}"])
    try:
        a = raw(proxy, b"GET /headers HTTP/1.1\r\nHost: example.test:8080\r\nConnection: keep-alive, X-Secret\r\n"
                       b"X-Secret: 1\r\nKeep-Alive: 300\r\nTE: trailers\r\nProxy-Authorization: Basic abc\r\n"
                       b"Proxy-Connection: keep-alive\r\nUpgrade: websocket\r\nX-Forwarded-For: 10.0.0.1\r\n"
                       b"X-Kept: a\r\nX-Kept: b\r\n\r\n")
        if a is None or a.status != 200:
            problem(f"GET /headers through the proxy: {a!r}")
            return
        seen = json.loads(a.body)
        names = [k.lower() for k, _ in seen]
        for h in ["connection", "x-secret", "keep-alive", "te", "proxy-authorization", "proxy-connection",
                  "upgrade", "transfer-encoding", "trailer", "expect"]:
            if h in names:
                problem(f"request field {h} was forwarded: {seen}")
        got = {k.lower(): v for k, v in seen}
        if got.get("host") != "example.test:8080":
            problem(f"Host forwarded as {got.get('host')!r}")
        if [v for k, v in seen if k.lower() == "x-kept"] != ["a", "b"]:
            problem(f"repeated X-Kept forwarded as {[v for k, v in seen if k.lower() == 'x-kept']}")
        if [v for k, v in seen if k.lower() == "x-forwarded-for"] != ["10.0.0.1, 127.0.0.1"]:
            problem(f"X-Forwarded-For forwarded as {[v for k, v in seen if k.lower() == 'x-forwarded-for']}")
        for h in ["x-drop-me", "keep-alive", "proxy-authenticate", "trailer", "upgrade"]:
            if a.header(h) is not None:
                problem(f"response field {h} was forwarded to the client")
        if a.header("x-kept") != "yes":
            problem("response field X-Kept was not forwarded")
        if (a.header("connection") or "close").lower() != "close":
            problem(f"response Connection field {a.header('connection')!r}")
    finally:
        stop_proxy(p, err, "proxy in front of the header backend")
        b.kill()
        b.wait()


# --- 4. passive health -----------------------------------------------------------------------------


def spread_of(proxy, n, what):
    counts = {}
    c = http.client.HTTPConnection(*proxy, timeout=TIMEOUT)
    for i in range(n):
        try:
            c.request("GET", "/health")
            r = c.getresponse()
            r.read()
        except (OSError, http.client.HTTPException) as e:
            problem(f"{what}: request {i} failed: {e!r}")
            c.close()
            c = http.client.HTTPConnection(*proxy, timeout=TIMEOUT)
            continue
        if r.status != 200:
            problem(f"{what}: request {i} answered {r.status}")
            continue
        k = r.getheader("x-backend")
        counts[k] = counts.get(k, 0) + 1
    c.close()
    return counts


def check_health(artifact):
    ports = [free_port() for _ in range(3)]
    procs = [start_backend(port, i) for i, port in enumerate(ports)]
    dead = free_port()
    down_ms = 500
    p, proxy, err = start_proxy(artifact, [f"127.0.0.1:{q}" for q in ports + [dead]], "--down-ms", str(down_ms))
    try:
        c = spread_of(proxy, 60, "with a dead port in the list")
        if c != {"0": 20, "1": 20, "2": 20}:
            problem(f"with a dead port in the list, 60 requests went {c}, want 20 to each live backend")
        procs[1].kill()
        procs[1].wait()
        c = spread_of(proxy, 60, "after backend 1 was killed")
        if c.get("1") or abs(c.get("0", 0) - 30) > 3 or abs(c.get("2", 0) - 30) > 3:
            problem(f"after backend 1 was killed, 60 requests went {c}, want about 30 to each of 0 and 2")
        procs[1] = start_backend(ports[1], 1)
        time.sleep(down_ms / 1000 + 0.3)
        c = spread_of(proxy, 60, "after backend 1 was restarted")
        if c.get("1", 0) < 15:
            problem(f"after backend 1 was restarted and the down period passed, 60 requests went {c}")
    finally:
        stop_proxy(p, err, "proxy of the health check")
        for q in procs:
            q.kill()
            q.wait()


# --- 5. malformed requests -------------------------------------------------------------------------


def check_malformed(proxy):
    big = b"GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n"
    cases = [
        ("garbage", b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03garbage\r\n\r\n", {400}),
        ("no version", b"GET /\r\n\r\n", {400}),
        ("HTTP/2.0", b"GET / HTTP/2.0\r\nHost: h\r\n\r\n", {400, 505}),
        ("oversized head", big, {431}),
        ("bad Content-Length", b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 12a\r\n\r\n", {400}),
        ("conflicting Content-Length", b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", {400}),
        ("unknown Transfer-Encoding", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", {501}),
        ("absolute-form target", b"GET http://example.com/ HTTP/1.1\r\nHost: h\r\n\r\n", {400}),
        ("missing Host", b"GET / HTTP/1.1\r\n\r\n", {400}),
        ("no colon", b"GET / HTTP/1.1\r\nHost: h\r\nbroken\r\n\r\n", {400}),
        ("unknown Expect", b"GET / HTTP/1.1\r\nHost: h\r\nExpect: magic\r\n\r\n", {417}),
    ]
    for name, data, want in cases:
        a = raw(proxy, data)
        if a is None or a.status not in want:
            problem(f"{name}: answered {a.status if a else 'nothing'}, want {sorted(want)}")
        if (g := get(proxy)) is None or g.status != 200:
            problem(f"after {name}: the proxy no longer answers")
            return
    truncated = [
        ("truncated head", b"GET / HTTP/1.1\r\nHost: h\r\nX-A: part"),
        ("truncated body", b"POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\nshort"),
        ("bad chunk size", b"POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
        ("empty", b""),
    ]
    rnd = random.Random(42)
    truncated += [(f"random bytes #{i}", rnd.randbytes(rnd.randint(1, 3000))) for i in range(40)]
    truncated += [(f"mutated request #{i}", mutate(rnd)) for i in range(40)]
    for name, data in truncated:
        a = raw(proxy, data, half_close=True, timeout=2)
        if a is not None and 200 <= a.status < 300 and name.startswith("truncated"):
            problem(f"{name}: answered {a.status}")
        if (g := get(proxy)) is None or g.status != 200:
            problem(f"after {name} ({data[:40]!r}): the proxy no longer answers")
            return


def mutate(rnd):
    req = bytearray(b"POST /echo?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello")
    for _ in range(rnd.randint(1, 6)):
        i = rnd.randrange(len(req))
        op = rnd.randrange(3)
        if op == 0:
            req[i] = rnd.randrange(256)
        elif op == 1:
            del req[i]
        else:
            req.insert(i, rnd.choice(b"\r\n :\x00\x7f\xff,;"))
    return bytes(req)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--serve":
        serve(int(sys.argv[2]), int(sys.argv[3]))
        return 0
    ap = argparse.ArgumentParser()
    ap.add_argument("--proxy", required=True)
    ap.add_argument("--backends", required=True)
    ap.add_argument("--artifact", required=True)
    # The address the proxy sees this script's connections come from (127.0.0.1, or the host
    # side of a container's bridge when the proxy runs in its own network namespace).
    ap.add_argument("--client", default="127.0.0.1")
    args = ap.parse_args()
    proxy = hostport(args.proxy)
    backends = [hostport(b) for b in args.backends.split(",")]
    steps = [
        ("byte-identical", lambda: check_identical(proxy, backends, args.client)),
        ("even spread", lambda: check_spread(proxy, backends)),
        ("hop-by-hop", lambda: check_headers(args.artifact)),
        ("passive health", lambda: check_health(args.artifact)),
        ("malformed requests", lambda: check_malformed(proxy)),
    ]
    for name, step in steps:
        try:
            step()
        except Exception as e:  # a crash of this script is a failed check, with its reason
            problem(f"{name}: {type(e).__name__}: {e}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
