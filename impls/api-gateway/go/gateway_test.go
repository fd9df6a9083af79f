package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

type seen struct {
	mu     sync.Mutex
	header http.Header
	host   string
	target string
	body   string
	count  int
}

// startGateway runs the gateway on a free port in front of backend.
func startGateway(t *testing.T, backend string) string {
	t.Helper()
	v := testVerifier(t)
	v2 := *v
	start := time.Now()
	l := NewLimiter(Limit{Rate: 10_000_000, Burst: 1000}, map[string]Limit{"greedy": {Rate: 100, Burst: 3}},
		func() int64 { return int64(time.Since(start)) })
	gw := NewGateway(&v2, l, backend, nil)
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(gw)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

func startBackend(t *testing.T) (*seen, string) {
	t.Helper()
	s := &seen{}
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.header = r.Header.Clone()
		s.host = r.Host
		s.target = r.RequestURI
		s.body = string(b)
		s.count++
		s.mu.Unlock()
		w.Header().Set("X-From-Backend", "yes")
		w.Header().Set("Keep-Alive", "timeout=5")
		w.WriteHeader(201)
		io.WriteString(w, "backend body")
	}))
	t.Cleanup(be.Close)
	return s, strings.TrimPrefix(be.URL, "http://")
}

func rawExchange(t *testing.T, addr, raw string) (string, error) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, raw)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.Status[:3] + " " + string(b), nil
}

func TestProxyRewritesHeaders(t *testing.T) {
	cf := loadCases(t)
	s, backend := startBackend(t)
	addr := startGateway(t, backend)
	req, _ := http.NewRequest("POST", "http://"+addr+"/api/a%2Fb?q=%20x&y", strings.NewReader("payload"))
	req.Header.Set("Authorization", authOf(t, cf, "valid-rs-03"))
	req.Header.Set("X-Client-Id", "spoofed")
	req.Header.Set("X-Forwarded-For", "10.0.0.1")
	req.Header.Add("X-Forwarded-For", "10.0.0.2")
	req.Header.Set("Connection", "X-Hop")
	req.Header.Set("X-Hop", "secret")
	req.Header.Set("Keep-Alive", "timeout=1")
	req.Header.Set("Proxy-Authorization", "Basic eA==")
	req.Header.Set("X-Custom", "kept")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 201 || string(body) != "backend body" || resp.Header.Get("X-From-Backend") != "yes" {
		t.Fatalf("answer %d %q %v", resp.StatusCode, body, resp.Header)
	}
	if resp.Header.Get("Keep-Alive") != "" {
		t.Fatal("hop-by-hop Keep-Alive relayed to the client")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.header
	checks := map[string]string{
		"Authorization": "", "X-Client-Id": "rs-03", "X-Forwarded-For": "10.0.0.1, 10.0.0.2, 127.0.0.1",
		"X-Hop": "", "Keep-Alive": "", "Proxy-Authorization": "", "X-Custom": "kept",
	}
	for k, want := range checks {
		if got := strings.Join(h.Values(k), ","); got != want {
			t.Errorf("backend saw %s = %q, want %q", k, got, want)
		}
	}
	if len(h.Values("X-Client-Id")) != 1 {
		t.Errorf("X-Client-Id values %v", h.Values("X-Client-Id"))
	}
	if s.host != backend || s.target != "/api/a%2Fb?q=%20x&y" || s.body != "payload" {
		t.Errorf("host %q target %q body %q", s.host, s.target, s.body)
	}
}

func TestRejectedRequestsNeverReachTheBackend(t *testing.T) {
	cf := loadCases(t)
	s, backend := startBackend(t)
	addr := startGateway(t, backend)
	client := &http.Client{}
	for _, c := range cf.Cases {
		if c.Body == nil {
			continue
		}
		req, _ := http.NewRequest("GET", "http://"+addr+c.Path, nil)
		if c.Authorization != nil {
			req.Header.Set("Authorization", *c.Authorization)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.Status || string(b) != *c.Body || resp.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s: %d %s", c.Name, resp.StatusCode, b)
		}
		if c.Status == 401 && resp.Header.Get("WWW-Authenticate") != "Bearer" {
			t.Errorf("%s: WWW-Authenticate %q", c.Name, resp.Header.Get("WWW-Authenticate"))
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.count != 0 {
		t.Fatalf("the backend saw %d requests", s.count)
	}
}

func TestRateLimitOverHTTP(t *testing.T) {
	cf := loadCases(t)
	_, backend := startBackend(t)
	addr := startGateway(t, backend)
	get := func() *http.Response {
		req, _ := http.NewRequest("GET", "http://"+addr+"/api/x", nil)
		req.Header.Set("Authorization", authOf(t, cf, "greedy"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	for i := 0; i < 3; i++ {
		r := get()
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
		if r.StatusCode != 201 {
			t.Fatalf("request %d: %d", i+1, r.StatusCode)
		}
	}
	r := get()
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != 429 || r.Header.Get("Retry-After") != "10" || string(b) != `{"error":"rate_limited","retry_after":10}` {
		t.Fatalf("got %d %q %s", r.StatusCode, r.Header.Get("Retry-After"), b)
	}
}

func TestBackendDownIs502(t *testing.T) {
	cf := loadCases(t)
	ln, _ := net.Listen("tcp4", "127.0.0.1:0")
	dead := ln.Addr().String()
	ln.Close()
	addr := startGateway(t, dead)
	got, err := rawExchange(t, addr, "GET /api/x HTTP/1.1\r\nHost: gw\r\nAuthorization: "+authOf(t, cf, "valid-hs-00")+"\r\n\r\n")
	if err != nil || got != `502 {"error":"bad_gateway","detail":"upstream"}` {
		t.Fatalf("%q %v", got, err)
	}
}

func TestMalformedRequests(t *testing.T) {
	cf := loadCases(t)
	_, backend := startBackend(t)
	addr := startGateway(t, backend)
	auth := authOf(t, cf, "valid-hs-00")
	cases := []struct{ name, raw, want string }{
		{"garbage", "\x00\x01garbage\r\n\r\n", "400"},
		{"no colon", "GET /x HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", "400"},
		{"missing host", "GET /x HTTP/1.1\r\n\r\n", "400"},
		{"oversized head", "GET /x HTTP/1.1\r\nHost: a\r\nX-Big: " + strings.Repeat("a", 64<<10) + "\r\n\r\n", "431"},
		{"chunked", "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", `411 {"error":"length_required","detail":"transfer-encoding"}`},
		{"too large", "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 1048577\r\n\r\n", `413 {"error":"payload_too_large","detail":"content-length"}`},
		{"absolute form", "GET http://a/x HTTP/1.1\r\nHost: a\r\n\r\n", `400 {"error":"invalid_request","detail":"target"}`},
		{"dot segment", "GET /a/%2e%2e/admin HTTP/1.1\r\nHost: a\r\n\r\n", `400 {"error":"invalid_request","detail":"path"}`},
		{"bad escape", "GET /a%zz HTTP/1.1\r\nHost: a\r\n\r\n", "400"}, // net/http refuses it first
		{"unknown method", "FOO /x HTTP/1.1\r\nHost: a\r\n\r\n", `405 {"error":"method_not_allowed","detail":"method"}`},
		{"health", "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n", `200 {"status":"ok"}`},
		{"http/1.0 without host", "GET /x HTTP/1.0\r\nAuthorization: " + auth + "\r\n\r\n", "201 backend body"},
	}
	for _, c := range cases {
		got, err := rawExchange(t, addr, c.raw)
		if err != nil || !strings.HasPrefix(got, c.want) || (strings.Contains(c.want, " ") && got != c.want) {
			t.Errorf("%s: got %q (%v), want %q", c.name, got, err, c.want)
		}
	}
	// Truncated head: the connection is closed (Go's net/http answers 400 first), nothing else.
	c, _ := net.Dial("tcp", addr)
	io.WriteString(c, "GET /x HTTP/1.1\r\nHost: a\r\nAuth")
	c.(*net.TCPConn).CloseWrite()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	rest, err := io.ReadAll(c)
	c.Close()
	if err != nil || (len(rest) > 0 && !strings.HasPrefix(string(rest), "HTTP/1.1 400")) {
		t.Fatalf("truncated head: %q %v", rest, err)
	}
	// Still serving.
	if got, err := rawExchange(t, addr, "GET /x HTTP/1.1\r\nHost: a\r\nAuthorization: "+auth+"\r\n\r\n"); err != nil || got != "201 backend body" {
		t.Fatalf("after the bad requests: %q %v", got, err)
	}
}

func TestCheckPath(t *testing.T) {
	good := map[string]string{"/": "/", "/a/b/": "/a/b/", "/%61dmin": "/admin", "/a%2Fb": "/a/b", "/...": "/...", "/a.b/.c": "/a.b/.c"}
	for in, want := range good {
		if got, ok := CheckPath(in); !ok || got != want {
			t.Errorf("CheckPath(%q) = %q, %v", in, got, ok)
		}
	}
	for _, bad := range []string{"//", "/a//b", "/.", "/./a", "/a/..", "/a/%2e%2E/b", "/a%2F%2Fb", "/%", "/%4", "/%zz", "/a%00b", "/%2e"} {
		if _, ok := CheckPath(bad); ok {
			t.Errorf("CheckPath(%q) accepted", bad)
		}
	}
	for p, want := range map[string]bool{"/admin": true, "/admin/": true, "/admin/x": true, "/administrator": false, "/Admin": false, "/x/admin": false} {
		if IsAdminPath(p) != want {
			t.Errorf("IsAdminPath(%q) != %v", p, want)
		}
	}
}

func TestParseArgs(t *testing.T) {
	base := []string{"--listen", "127.0.0.1:1", "--backend", "127.0.0.1:2", "--hs256-secret-file", "s", "--rs256-public-key", "k",
		"--issuer", "i", "--audience", "a", "--rate", "2.5", "--burst", "7"}
	c, err := ParseArgs(append(base, "--limit", "greedy=0.1:3", "--limit", "greedy=1:1"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Default != (Limit{Rate: 2500, Burst: 7}) || c.Overrides["greedy"] != (Limit{Rate: 1000, Burst: 1}) {
		t.Fatalf("%+v", c)
	}
	for _, bad := range [][]string{
		base[:len(base)-2],
		append(base, "--limit", "x"),
		append(base, "--limit", "=1:1"),
		append(base, "--limit", "a=0:1"),
		append(base, "--what", "x"),
		append(base, "--rate"),
		{"--listen", "localhost:1", "--backend", "127.0.0.1:2", "--hs256-secret-file", "s", "--rs256-public-key", "k", "--issuer", "i", "--audience", "a", "--rate", "1", "--burst", "1"},
	} {
		if _, err := ParseArgs(bad); err == nil {
			t.Errorf("accepted %v", bad)
		}
	}
}
