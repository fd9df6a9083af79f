package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestParseArgs(t *testing.T) {
	ok := []string{"--listen", "127.0.0.1:8080", "--backends", "127.0.0.1:1,127.0.0.1:2"}
	cfg, err := parseArgs(ok)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MaxIdle != 128 || cfg.DownFor != 2*time.Second || cfg.MaxHeaderBytes != 16384 ||
		cfg.ConnectTimeout != time.Second || cfg.HeaderTimeout != 10*time.Second ||
		cfg.UpstreamTimeout != 30*time.Second || len(cfg.Backends) != 2 {
		t.Fatalf("defaults: %+v", cfg)
	}
	many := make([]string, 65)
	for i := range many {
		many[i] = fmt.Sprintf("127.0.0.1:%d", i+1)
	}
	bad := map[string][]string{
		"no listen":       {"--backends", "127.0.0.1:1"},
		"no backends":     {"--listen", "127.0.0.1:8080"},
		"ipv6 backend":    {"--listen", "127.0.0.1:8080", "--backends", "[::1]:80"},
		"dns backend":     {"--listen", "127.0.0.1:8080", "--backends", "localhost:80"},
		"no port":         {"--listen", "127.0.0.1", "--backends", "127.0.0.1:1"},
		"empty item":      {"--listen", "127.0.0.1:8080", "--backends", "127.0.0.1:1,"},
		"too many":        {"--listen", "127.0.0.1:8080", "--backends", strings.Join(many, ",")},
		"negative":        {"--listen", "127.0.0.1:8080", "--backends", "127.0.0.1:1", "--down-ms", "-1"},
		"not a number":    {"--listen", "127.0.0.1:8080", "--backends", "127.0.0.1:1", "--max-idle", "x"},
		"small header":    {"--listen", "127.0.0.1:8080", "--backends", "127.0.0.1:1", "--max-header-bytes", "100"},
		"unknown option":  {"--listen", "127.0.0.1:8080", "--backends", "127.0.0.1:1", "--nope", "1"},
		"stray argument":  {"--listen", "127.0.0.1:8080", "--backends", "127.0.0.1:1", "extra"},
		"missing a value": {"--listen", "127.0.0.1:8080", "--backends"},
	}
	for name, args := range bad {
		t.Run(name, func(t *testing.T) {
			if _, err := parseArgs(args); err == nil {
				t.Fatalf("%v accepted", args)
			}
		})
	}
}

func TestRoundRobin(t *testing.T) {
	lb := newBalancer([]string{"a", "b", "c"}, time.Second)
	var got []string
	for range 7 {
		got = append(got, lb.pick().addr)
	}
	if want := "a b c a b c a"; strings.Join(got, " ") != want {
		t.Fatalf("got %v, want %s", got, want)
	}
}

func TestRoundRobinSkipsDownBackends(t *testing.T) {
	var clock int64 = 1
	lb := newBalancer([]string{"a", "b", "c"}, 100)
	lb.now = func() int64 { return clock }
	lb.markDown(lb.backends[1])
	var got []string
	for range 6 {
		got = append(got, lb.pick().addr)
	}
	// The two backends that are up share the traffic evenly.
	if want := "a c a c a c"; strings.Join(got, " ") != want {
		t.Fatalf("got %v, want %s", got, want)
	}
	clock += 100 // the down period has passed: b is picked in turn again
	got = got[:0]
	for range 3 {
		got = append(got, lb.pick().addr)
	}
	if want := "a b c"; strings.Join(got, " ") != want {
		t.Fatalf("after the down period: got %v, want %s", got, want)
	}
	for _, be := range lb.backends {
		lb.markDown(be)
	}
	if be := lb.pick(); be != nil {
		t.Fatalf("all down, picked %s", be.addr)
	}
}

// testBackend is an upstream that records what it receives.
type testBackend struct {
	*httptest.Server
	index   int
	conns   atomic.Int64
	hits    atomic.Int64
	mu      sync.Mutex
	headers http.Header
	host    string
	target  string
}

func newTestBackend(t *testing.T, index int, handler func(w http.ResponseWriter, r *http.Request)) *testBackend {
	b := &testBackend{index: index}
	b.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.hits.Add(1)
		b.mu.Lock()
		b.headers, b.host, b.target = r.Header.Clone(), r.Host, r.RequestURI
		b.mu.Unlock()
		w.Header().Set("X-Backend", fmt.Sprint(index))
		if handler != nil {
			handler(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		if len(body) == 0 {
			body = []byte("hello from backend")
		}
		w.Write(body)
	}))
	b.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			b.conns.Add(1)
		}
	}
	b.Start()
	t.Cleanup(b.Close)
	return b
}

func (b *testBackend) addr() string { return b.Listener.Addr().String() }

func (b *testBackend) lastHeaders() (http.Header, string, string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.headers, b.host, b.target
}

// deadAddr is a loopback address where nothing listens.
func deadAddr(t *testing.T) string {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// startProxy serves the proxy on a free port and returns its address.
func startProxy(t *testing.T, backends []string, edit func(*Config)) string {
	cfg := Config{
		Listen: "127.0.0.1:0", Backends: backends, MaxIdle: 128, DownFor: 2 * time.Second,
		ConnectTimeout: time.Second, HeaderTimeout: 10 * time.Second,
		UpstreamTimeout: 30 * time.Second, MaxHeaderBytes: 16384,
	}
	if edit != nil {
		edit(&cfg)
	}
	ln, err := net.Listen("tcp4", cfg.Listen)
	if err != nil {
		t.Fatal(err)
	}
	lb := newBalancer(cfg.Backends, cfg.DownFor)
	tr := newTransport(cfg)
	srv := newServer(cfg, newProxy(cfg, lb, tr))
	go srv.Serve(ln)
	t.Cleanup(func() {
		srv.Close()
		tr.CloseIdleConnections()
	})
	return ln.Addr().String()
}

// client does not pool, so every test request is independent of the others.
var client = &http.Client{Transport: &http.Transport{DisableKeepAlives: true, DisableCompression: true}}

func get(t *testing.T, url string, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, body
}

func TestForwardsAndBalances(t *testing.T) {
	var bs []*testBackend
	var addrs []string
	for i := range 3 {
		b := newTestBackend(t, i, nil)
		bs, addrs = append(bs, b), append(addrs, b.addr())
	}
	p := startProxy(t, addrs, nil)
	for i := range 9 {
		res, body := get(t, "http://"+p+"/x/%2e%2E/y?q=a%20b&r", nil)
		if res.StatusCode != 200 || string(body) != "hello from backend" {
			t.Fatalf("request %d: %d %q", i, res.StatusCode, body)
		}
		if got := res.Header.Get("X-Backend"); got != fmt.Sprint(i%3) {
			t.Fatalf("request %d went to backend %s", i, got)
		}
	}
	for _, b := range bs {
		if b.hits.Load() != 3 {
			t.Fatalf("backend %d got %d requests, want 3", b.index, b.hits.Load())
		}
	}
	_, host, target := bs[0].lastHeaders()
	if target != "/x/%2e%2E/y?q=a%20b&r" {
		t.Fatalf("target changed to %q", target)
	}
	if host != p {
		t.Fatalf("Host changed to %q", host)
	}
}

func TestHopByHopHeadersAreRemoved(t *testing.T) {
	b := newTestBackend(t, 0, func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Connection", "X-Drop-Me")
		h.Set("X-Drop-Me", "1")
		h.Set("Keep-Alive", "timeout=5")
		h.Set("Proxy-Authenticate", "Basic")
		h.Set("Upgrade", "h2c")
		h.Set("X-Kept", "yes")
		io.WriteString(w, "ok")
	})
	p := startProxy(t, []string{b.addr()}, nil)
	res, body := get(t, "http://"+p+"/", http.Header{
		"Connection":          {"keep-alive, X-Secret"},
		"X-Secret":            {"1"},
		"Keep-Alive":          {"300"},
		"Te":                  {"trailers"},
		"Proxy-Authorization": {"Basic abc"},
		"Proxy-Connection":    {"keep-alive"},
		"Upgrade":             {"websocket"},
		"User-Agent":          {""}, // the test client then sends none
		"X-Kept":              {"a", "b"},
	})
	if string(body) != "ok" {
		t.Fatalf("body %q", body)
	}
	got, _, _ := b.lastHeaders()
	for _, h := range []string{"Connection", "X-Secret", "Keep-Alive", "Te", "Proxy-Authorization",
		"Proxy-Connection", "Upgrade", "Trailer", "Transfer-Encoding", "Expect", "User-Agent",
		"Accept-Encoding"} {
		if v, ok := got[h]; ok {
			t.Errorf("request header %s: %q was forwarded", h, v)
		}
	}
	if v := got["X-Kept"]; strings.Join(v, ",") != "a,b" {
		t.Errorf("X-Kept forwarded as %q", v)
	}
	for _, h := range []string{"X-Drop-Me", "Keep-Alive", "Proxy-Authenticate", "Upgrade"} {
		if v, ok := res.Header[h]; ok {
			t.Errorf("response header %s: %q was forwarded", h, v)
		}
	}
	if res.Header.Get("X-Kept") != "yes" {
		t.Errorf("X-Kept missing from the response")
	}
}

func TestXForwardedFor(t *testing.T) {
	b := newTestBackend(t, 0, nil)
	p := startProxy(t, []string{b.addr()}, nil)
	cases := []struct {
		prior []string
		want  string
	}{
		{nil, "127.0.0.1"},
		{[]string{"1.2.3.4"}, "1.2.3.4, 127.0.0.1"},
		{[]string{"1.1.1.1", "2.2.2.2, 3.3.3.3"}, "1.1.1.1, 2.2.2.2, 3.3.3.3, 127.0.0.1"},
	}
	for _, c := range cases {
		h := http.Header{}
		if c.prior != nil {
			h["X-Forwarded-For"] = c.prior
		}
		get(t, "http://"+p+"/", h)
		got, _, _ := b.lastHeaders()
		if v := got["X-Forwarded-For"]; len(v) != 1 || v[0] != c.want {
			t.Errorf("prior %q: forwarded %q, want %q", c.prior, v, c.want)
		}
	}
}

func TestFailoverOnRefusedConnection(t *testing.T) {
	live := newTestBackend(t, 1, nil)
	p := startProxy(t, []string{deadAddr(t), live.addr()}, nil)
	// The first request picks the dead backend, is refused, and moves on; a body survives.
	res, err := client.Post("http://"+p+"/echo", "text/plain", strings.NewReader("payload"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || string(body) != "payload" {
		t.Fatalf("first request: %d %q", res.StatusCode, body)
	}
	for i := range 10 {
		res, _ := get(t, "http://"+p+"/", nil)
		if res.StatusCode != 200 || res.Header.Get("X-Backend") != "1" {
			t.Fatalf("request %d: %d from %q", i, res.StatusCode, res.Header.Get("X-Backend"))
		}
	}
	if live.hits.Load() != 11 {
		t.Fatalf("live backend got %d requests, want 11", live.hits.Load())
	}
}

func TestNoBackendUpIs502(t *testing.T) {
	p := startProxy(t, []string{deadAddr(t), deadAddr(t)}, nil)
	for range 3 {
		if res, _ := get(t, "http://"+p+"/", nil); res.StatusCode != 502 {
			t.Fatalf("status %d, want 502", res.StatusCode)
		}
	}
}

func TestUpstreamTimeoutIs504(t *testing.T) {
	release := make(chan struct{})
	b := newTestBackend(t, 0, func(w http.ResponseWriter, r *http.Request) { <-release })
	defer close(release)
	p := startProxy(t, []string{b.addr()}, func(c *Config) { c.UpstreamTimeout = 200 * time.Millisecond })
	if res, _ := get(t, "http://"+p+"/", nil); res.StatusCode != 504 {
		t.Fatalf("status %d, want 504", res.StatusCode)
	}
}

func TestUpstreamConnectionsArePooled(t *testing.T) {
	b := newTestBackend(t, 0, nil)
	p := startProxy(t, []string{b.addr()}, nil)
	for range 20 {
		get(t, "http://"+p+"/", nil)
	}
	if n := b.conns.Load(); n != 1 {
		t.Fatalf("20 sequential requests opened %d upstream connections, want 1", n)
	}
}

func TestBodiesAreStreamedAndIdentical(t *testing.T) {
	// A large binary upload comes back byte for byte.
	echo := newTestBackend(t, 0, nil)
	p := startProxy(t, []string{echo.addr()}, nil)
	payload := make([]byte, 1<<20)
	rand.Read(payload)
	res, err := client.Post("http://"+p+"/echo", "application/octet-stream", bytes.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !bytes.Equal(got, payload) {
		t.Fatalf("echo of 1 MiB differs (%d bytes back)", len(got))
	}

	// The first part of a response reaches the client before the backend has finished it.
	release := make(chan struct{})
	slow := newTestBackend(t, 0, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "first;")
		w.(http.Flusher).Flush()
		<-release
		io.WriteString(w, "second")
	})
	p2 := startProxy(t, []string{slow.addr()}, nil)
	res, err = client.Get("http://" + p2 + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	first := make([]byte, 6)
	if _, err := io.ReadFull(res.Body, first); err != nil || string(first) != "first;" {
		t.Fatalf("first part: %q %v", first, err)
	}
	close(release)
	rest, _ := io.ReadAll(res.Body)
	if string(rest) != "second" {
		t.Fatalf("rest %q", rest)
	}
}

// rawExchange sends raw bytes and returns the status line of the answer ("" if none came).
// With halfClose the client then shuts its sending side, as a client that gave up would.
func rawExchange(t *testing.T, addr string, data []byte, halfClose bool) string {
	t.Helper()
	c, err := net.Dial("tcp4", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(3 * time.Second))
	c.Write(data)
	if tc, ok := c.(*net.TCPConn); ok && halfClose {
		tc.CloseWrite()
	}
	line, _ := bufio.NewReader(c).ReadString('\n')
	return strings.TrimSpace(line)
}

func TestMalformedRequests(t *testing.T) {
	b := newTestBackend(t, 0, nil)
	p := startProxy(t, []string{b.addr()}, nil)
	big := "X-Big: " + strings.Repeat("a", 17000) + "\r\n"
	fine := "X-Big: " + strings.Repeat("a", 15000) + "\r\n"
	var many strings.Builder
	for i := range 101 {
		fmt.Fprintf(&many, "X-H%d: v\r\n", i)
	}
	cases := []struct {
		name, req, want string
	}{
		{"garbage", "\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03garbage\r\n\r\n", "400"},
		{"no version", "GET /\r\n\r\n", "400"},
		{"bad content-length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n", "400"},
		{"conflicting content-length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", "400"},
		{"unknown transfer-encoding", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", "501"},
		{"absolute-form target", "GET http://example.com/ HTTP/1.1\r\nHost: x\r\n\r\n", "400"},
		{"missing host", "GET / HTTP/1.1\r\n\r\n", "400"},
		{"two hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "400"},
		{"no colon", "GET / HTTP/1.1\r\nHost: x\r\nbroken\r\n\r\n", "400"},
		{"control byte in value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x01b\r\n\r\n", "400"},
		{"unknown expectation", "GET / HTTP/1.1\r\nHost: x\r\nExpect: magic\r\n\r\n", "417"},
		{"oversized head", "GET / HTTP/1.1\r\nHost: x\r\n" + big + "\r\n", "431"},
		{"too many fields", "GET / HTTP/1.1\r\nHost: x\r\n" + many.String() + "\r\n", "431"},
		{"large head within the limit", "GET / HTTP/1.1\r\nHost: x\r\n" + fine + "\r\n", "200"},
		{"truncated head", "GET / HTTP/1.1\r\nHost: x\r\nX-A: partial", ""},
		{"truncated body", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nshort", ""},
		{"bad chunk size", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", ""},
		{"empty", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := rawExchange(t, p, []byte(c.req), c.want == "")
			if c.want == "" {
				if strings.HasPrefix(got, "HTTP/1.1 2") {
					t.Fatalf("answered %q", got)
				}
			} else if !strings.HasPrefix(got, "HTTP/1.1 "+c.want) {
				t.Fatalf("answered %q, want %s", got, c.want)
			}
			// The proxy is still serving.
			if res, _ := get(t, "http://"+p+"/", nil); res.StatusCode != 200 {
				t.Fatalf("after %s: status %d", c.name, res.StatusCode)
			}
		})
	}
}
