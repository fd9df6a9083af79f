#!/usr/bin/env python3
"""Raw-socket robustness check of a running gateway (README "Verification", item 2).

usage: check.py HOST:PORT testdata/cases.json

Sends truncated, oversized, garbage and badly framed requests that an HTTP client library
cannot send, each on its own connection, and after each one requires that a valid request on a
new connection is still answered 200. Exits 0 when every expectation holds, 1 otherwise (each
failure is printed on standard error).
"""

import json
import socket
import sys
import threading
import time

TIMEOUT = 5.0


class Conn:
    def __init__(self, addr):
        self.s = socket.create_connection(addr, timeout=TIMEOUT)
        self.buf = b""

    def send(self, data: bytes):
        """Sends everything it can; a server that closes early (e.g. after 431) is not an error
        here — what it answered is read afterwards."""
        try:
            self.s.sendall(data)
        except OSError:
            pass

    def _fill(self):
        try:
            chunk = self.s.recv(65536)
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            raise EOFError
        self.buf += chunk

    def response(self):
        """Reads one response: (status, headers dict lower-case, body). Raises EOFError when the
        connection closes before a complete response."""
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        if "content-length" in headers:
            n = int(headers["content-length"])
            while len(self.buf) < n:
                self._fill()
            body, self.buf = self.buf[:n], self.buf[n:]
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                while b"\r\n" not in self.buf:
                    self._fill()
                size_line, self.buf = self.buf.split(b"\r\n", 1)
                size = int(size_line.split(b";")[0], 16)
                while len(self.buf) < size + 2:
                    self._fill()
                body += self.buf[:size]
                self.buf = self.buf[size + 2 :]
                if size == 0:
                    break
        else:
            body = b""
        return status, headers, body

    def closed(self):
        """True when the server closes the connection (EOF) without sending anything more."""
        try:
            while True:
                before = len(self.buf)
                self._fill()
                if len(self.buf) > before:
                    return False
        except EOFError:
            return True
        except socket.timeout:
            return False

    def close(self):
        self.s.close()


def main():
    host, port = sys.argv[1].rsplit(":", 1)
    addr = (host, int(port))
    cases = {c["name"]: c for c in json.load(open(sys.argv[2]))["cases"]}
    auth = cases["valid-hs-04"]["authorization"]
    auth2 = cases["valid-rs-04"]["authorization"]
    failures = []

    def fail(name, msg):
        failures.append(f"{name}: {msg}")

    def valid_get(path="/api/check", a=auth):
        return (f"GET {path} HTTP/1.1\r\nHost: gw\r\nAuthorization: {a}\r\n\r\n").encode()

    def still_alive(after):
        try:
            c = Conn(addr)
            c.send(valid_get())
            st, _, _ = c.response()
            c.close()
            if st != 200:
                fail(after, f"afterwards a valid request got {st}")
        except Exception as e:  # noqa: BLE001
            fail(after, f"afterwards a valid request failed: {e!r}")

    def expect(name, raw, status, error=None, closes=False):
        c = Conn(addr)
        try:
            c.send(raw)
            try:
                st, headers, body = c.response()
            except EOFError:
                fail(name, f"connection closed without an answer (expected {status})")
                return
            except socket.timeout:
                fail(name, f"no answer within {TIMEOUT} s (expected {status})")
                return
            if st != status:
                fail(name, f"status {st}, expected {status}")
            if error is not None:
                try:
                    got = json.loads(body)
                    if got.get("error") != error:
                        fail(name, f"body {body!r}, expected error {error!r}")
                except ValueError:
                    fail(name, f"body {body!r} is not JSON")
            if closes and not c.closed():
                fail(name, "the connection stayed open (expected close)")
        finally:
            c.close()
            still_alive(name)

    # 0. The baseline.
    still_alive("baseline")

    # 1. Garbage and invalid syntax: 400.
    expect("garbage", b"\x00\x01\x02garbage\xff\r\n\r\n", 400, closes=True)
    expect("header without colon", b"GET /api/x HTTP/1.1\r\nHost: gw\r\nNoColonHere\r\n\r\n", 400, closes=True)
    expect("header name with space", b"GET /api/x HTTP/1.1\r\nHost: gw\r\nBad Name: x\r\n\r\n", 400, closes=True)
    expect("bad content-length", b"POST /api/x HTTP/1.1\r\nHost: gw\r\nContent-Length: abc\r\n\r\n", 400, closes=True)
    expect("conflicting content-length",
           b"POST /api/x HTTP/1.1\r\nHost: gw\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400, closes=True)
    expect("missing host", b"GET /api/x HTTP/1.1\r\nAuthorization: x\r\n\r\n", 400, closes=True)
    expect("control byte in target", b"GET /api/a\x7fb HTTP/1.1\r\nHost: gw\r\n\r\n", 400)
    expect("target not in origin form", ("GET http://example.com/api/x HTTP/1.1\r\nHost: example.com\r\nAuthorization: "
                                         + auth + "\r\n\r\n").encode(), 400)

    # 2. Oversized head: 431.
    big = b"GET /api/x HTTP/1.1\r\nHost: gw\r\nX-Big: " + b"a" * 65536 + b"\r\n\r\n"
    expect("64 KiB head", big, 431, closes=True)
    many = b"".join(f"X-H{i}: v\r\n".encode() for i in range(90))
    expect("90 header fields", valid_get().replace(b"\r\n\r\n", b"\r\n" + many + b"\r\n"), 200)
    expect("7 KiB head", valid_get().replace(b"\r\n\r\n", b"\r\nX-Pad: " + b"p" * 7000 + b"\r\n\r\n"), 200)

    # 3. Body framing.
    expect("chunked body", ("POST /api/x HTTP/1.1\r\nHost: gw\r\nAuthorization: " + auth
                            + "\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n").encode(),
           411, "length_required", closes=True)
    expect("body over 1 MiB", ("POST /api/x HTTP/1.1\r\nHost: gw\r\nAuthorization: " + auth
                               + "\r\nContent-Length: 1048577\r\n\r\n").encode(), 413, "payload_too_large", closes=True)
    expect("body of exactly 1 MiB", ("POST /api/x HTTP/1.1\r\nHost: gw\r\nAuthorization: " + auth
                                     + "\r\nContent-Length: 1048576\r\n\r\n").encode() + b"z" * 1048576, 200)

    # 4. Methods.
    expect("unknown method", ("FOO /api/x HTTP/1.1\r\nHost: gw\r\nAuthorization: " + auth + "\r\n\r\n").encode(),
           405, "method_not_allowed")
    expect("lower-case method", ("get /api/x HTTP/1.1\r\nHost: gw\r\nAuthorization: " + auth + "\r\n\r\n").encode(),
           405, "method_not_allowed")

    # 5. Truncated head, then the client closes its side: closed (400 allowed), no crash.
    c = Conn(addr)
    c.send(b"GET /api/x HTTP/1.1\r\nHost: gw\r\nAuthori")
    c.s.shutdown(socket.SHUT_WR)
    try:
        st, _, _ = c.response()
        if st != 400 or not c.closed():
            fail("truncated head", f"answered {st}, expected the connection to be closed (or 400 and closed)")
    except EOFError:
        pass
    except socket.timeout:
        fail("truncated head", "the connection was neither answered nor closed")
    c.close()
    still_alive("truncated head")

    # 6. A client that connects and disappears, and one that dies mid-body.
    c = Conn(addr)
    c.close()
    c = Conn(addr)
    c.send(("POST /api/x HTTP/1.1\r\nHost: gw\r\nAuthorization: " + auth + "\r\nContent-Length: 100\r\n\r\nshort").encode())
    c.close()
    still_alive("client gone mid-body")

    # 7. Keep-alive: several requests on one connection, including rejected ones with a body.
    c = Conn(addr)
    try:
        seq = [
            (valid_get("/api/k1"), 200),
            (b"POST /api/k2 HTTP/1.1\r\nHost: gw\r\nContent-Length: 5\r\n\r\nhello", 401),
            (valid_get("/api/k3", auth2), 200),
            (("GET /api/k4 HTTP/1.1\r\nHost: gw\r\nAuthorization: " + cases["expired-rs"]["authorization"] + "\r\n\r\n").encode(), 401),
            (("POST /api/k5 HTTP/1.1\r\nHost: gw\r\nAuthorization: " + auth + "\r\nContent-Length: 3\r\n\r\nabc").encode(), 200),
            (valid_get("/api/../x"), 400),
            (valid_get("/api/k6"), 200),
        ]
        for i, (raw, want) in enumerate(seq):
            c.send(raw)
            st, _, body = c.response()
            if st != want:
                fail("keep-alive", f"request {i + 1}: status {st}, expected {want}")
            if i == 4 and body != b"abc":
                fail("keep-alive", f"request {i + 1}: body {body!r}, expected the echo b'abc'")
    except (EOFError, socket.timeout, OSError) as e:
        fail("keep-alive", f"connection failed: {e!r}")
    c.close()

    # 8. HTTP/1.0 without Host is fine.
    expect("HTTP/1.0", ("GET /api/x HTTP/1.0\r\nAuthorization: " + auth + "\r\n\r\n").encode(), 200)

    # 9. A long (but < 8 KiB head) token: 401 malformed, not a crash.
    expect("token over 4096 bytes", ("GET /api/x HTTP/1.1\r\nHost: gw\r\nAuthorization: "
                                     + cases["too-long"]["authorization"] + "\r\n\r\n").encode(), 401, "invalid_token")

    # 10. Many concurrent connections, each with a few requests.
    errors = []

    def worker(k):
        try:
            cc = Conn(addr)
            for j in range(5):
                a = cases[f"valid-{'hs' if (k + j) % 2 else 'rs'}-{k % 12:02}"]["authorization"]
                cc.send(valid_get(f"/api/c{k}/{j}", a))
                st, _, _ = cc.response()
                if st != 200:
                    errors.append(f"connection {k} request {j}: {st}")
            cc.close()
        except Exception as e:  # noqa: BLE001
            errors.append(f"connection {k}: {e!r}")

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(64)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for e in errors[:5]:
        fail("64 concurrent connections", e)
    still_alive("64 concurrent connections")

    if failures:
        for f in failures:
            print("check.py: " + f, file=sys.stderr)
        print(f"check.py: {len(failures)} failure(s)", file=sys.stderr)
        sys.exit(1)
    print("check.py: all raw-socket checks passed")


if __name__ == "__main__":
    main()
