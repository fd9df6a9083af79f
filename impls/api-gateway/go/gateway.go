package main

import (
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const maxBody = 1 << 20

var (
	bodyHealth     = []byte(`{"status":"ok"}`)
	errTarget      = rejection(400, "invalid_request", "target")
	errPath        = rejection(400, "invalid_request", "path")
	errMethod      = rejection(405, "method_not_allowed", "method")
	errLength      = rejection(411, "length_required", "transfer-encoding")
	errTooLarge    = rejection(413, "payload_too_large", "content-length")
	errBadGateway  = rejection(502, "bad_gateway", "upstream")
	discardLog     = log.New(io.Discard, "", 0)
	allowedMethods = map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "OPTIONS": true}
)

// Gateway is the http.Handler of README "Request pipeline".
type Gateway struct {
	verifier *Verifier
	limiter  *Limiter
	proxy    *httputil.ReverseProxy
	wallNow  func() int64 // Unix seconds
}

type clientKey struct{}

// NewGateway builds the handler; transport nil means a pooling http.Transport of its own.
func NewGateway(v *Verifier, l *Limiter, backend string, transport http.RoundTripper) *Gateway {
	if transport == nil {
		transport = &http.Transport{
			Proxy:               nil, // never from the environment
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
			MaxIdleConns:        1024,
			MaxIdleConnsPerHost: 1024,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
			ForceAttemptHTTP2:   false,
		}
	}
	g := &Gateway{verifier: v, limiter: l, wallNow: func() int64 { return time.Now().Unix() }}
	g.proxy = &httputil.ReverseProxy{
		Transport: transport,
		ErrorLog:  discardLog,
		Rewrite: func(pr *httputil.ProxyRequest) {
			// The target goes out exactly as received: Opaque is written verbatim.
			raw := pr.In.RequestURI
			path, query, hasQuery := strings.Cut(raw, "?")
			pr.Out.URL = &url.URL{Scheme: "http", Host: backend, Opaque: path, RawQuery: query, ForceQuery: hasQuery && query == ""}
			pr.Out.Host = ""
			h := pr.Out.Header
			h.Del("Authorization")
			h.Del("X-Client-Id")
			h.Del("Proxy-Authorization")
			h.Set("X-Client-Id", pr.In.Context().Value(clientKey{}).(string))
			ip, _, err := net.SplitHostPort(pr.In.RemoteAddr)
			if err != nil {
				ip = pr.In.RemoteAddr
			}
			if prior := pr.In.Header["X-Forwarded-For"]; len(prior) > 0 {
				h.Set("X-Forwarded-For", strings.Join(prior, ", ")+", "+ip)
			} else {
				h.Set("X-Forwarded-For", ip)
			}
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			reject(w, errBadGateway)
		},
	}
	return g
}

func reject(w http.ResponseWriter, rej *Rejection) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(rej.Body)))
	if rej.Status == 401 {
		h.Set("Www-Authenticate", "Bearer")
	}
	if rej.Status == 411 || rej.Status == 413 || rej.Status == 400 && rej != errTarget && rej != errPath {
		h.Set("Connection", "close")
	}
	w.WriteHeader(rej.Status)
	w.Write(rej.Body)
}

func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// 2. Body framing.
	if len(r.TransferEncoding) > 0 {
		reject(w, errLength)
		return
	}
	if r.ContentLength > maxBody {
		reject(w, errTooLarge)
		return
	}
	// 3. Target and path.
	target := r.RequestURI
	if target == "" || target[0] != '/' || !visibleASCII(target) {
		reject(w, errTarget)
		return
	}
	rawPath, _, _ := strings.Cut(target, "?")
	path, ok := CheckPath(rawPath)
	if !ok {
		reject(w, errPath)
		return
	}
	// 4. Health.
	if path == "/healthz" {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", strconv.Itoa(len(bodyHealth)))
		w.Write(bodyHealth)
		return
	}
	// 5. Method.
	if !allowedMethods[r.Method] {
		reject(w, errMethod)
		return
	}
	// 6, 7. Authentication and authorization.
	sub, rej := g.verifier.Verify(r.Header["Authorization"], IsAdminPath(path), g.wallNow())
	if rej != nil {
		reject(w, rej)
		return
	}
	// 8. Rate limit.
	if ok, retry := g.limiter.Allow(sub); !ok {
		s := strconv.FormatUint(retry, 10)
		body := []byte(`{"error":"rate_limited","retry_after":` + s + `}`)
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", strconv.Itoa(len(body)))
		h.Set("Retry-After", s)
		w.WriteHeader(429)
		w.Write(body)
		return
	}
	// 9. Proxy.
	g.proxy.ServeHTTP(w, r.WithContext(contextWithClient(r, sub)))
}

func visibleASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// CheckPath percent-decodes a raw path for checking and refuses bad escapes, NUL bytes, empty
// segments and dot segments. It returns the decoded path.
func CheckPath(raw string) (string, bool) {
	var b strings.Builder
	if strings.IndexByte(raw, '%') >= 0 {
		b.Grow(len(raw))
		for i := 0; i < len(raw); i++ {
			c := raw[i]
			if c == '%' {
				if i+2 >= len(raw) || !isHex(raw[i+1]) || !isHex(raw[i+2]) {
					return "", false
				}
				c = unhex(raw[i+1])<<4 | unhex(raw[i+2])
				i += 2
			}
			b.WriteByte(c)
		}
		raw = b.String()
	}
	if strings.IndexByte(raw, 0) >= 0 {
		return "", false
	}
	// Segments after the leading '/'.
	rest := raw[1:]
	for {
		seg, more, found := strings.Cut(rest, "/")
		if seg == "." || seg == ".." || (seg == "" && found) {
			return "", false
		}
		if !found {
			break
		}
		rest = more
	}
	return raw, true
}

// IsAdminPath tells whether a decoded path needs the admin scope.
func IsAdminPath(path string) bool {
	return path == "/admin" || strings.HasPrefix(path, "/admin/")
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}
