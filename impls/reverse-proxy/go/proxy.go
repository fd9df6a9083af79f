package main

import (
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"strings"
	"sync"
	"time"
)

// maxHeaderFields is the most header fields a request or a response head may have.
const maxHeaderFields = 100

// upstreamIdleTimeout closes pooled connections unused for this long.
const upstreamIdleTimeout = 90 * time.Second

// copyBufferSize is the size of the pooled body-copy buffers.
const copyBufferSize = 32 * 1024

var errNoBackend = errors.New("no backend is up")

// newTransport is the upstream client: net/http's pooled keep-alive Transport, configured as the
// README's Pooling section says (per-backend idle limit, LIFO reuse, 90 s idle timeout), with
// everything that would add work or change bytes switched off.
func newTransport(cfg Config) *http.Transport {
	return &http.Transport{
		Proxy:                  nil,
		DialContext:            (&net.Dialer{Timeout: cfg.ConnectTimeout}).DialContext,
		MaxIdleConns:           0, // no global limit, only the per-backend one
		MaxIdleConnsPerHost:    idleLimit(cfg.MaxIdle),
		DisableKeepAlives:      cfg.MaxIdle == 0,
		IdleConnTimeout:        upstreamIdleTimeout,
		ResponseHeaderTimeout:  cfg.UpstreamTimeout,
		DisableCompression:     true, // never add Accept-Encoding, never decompress
		MaxResponseHeaderBytes: int64(cfg.MaxHeaderBytes),
		ForceAttemptHTTP2:      false,
	}
}

// idleLimit maps --max-idle to MaxIdleConnsPerHost, where 0 would mean "the default of 2".
func idleLimit(n int) int {
	if n == 0 {
		return 1 // unused: keep-alives are disabled
	}
	return n
}

// failover is the RoundTripper between ReverseProxy and the Transport: it picks the backend for
// each attempt and moves on to the next one when a connection cannot be made (README: steps 2-3).
type failover struct {
	lb *balancer
	rt http.RoundTripper
}

// trackedBody lets a request body survive a failed attempt: Transport closes the body when
// RoundTrip fails, so Close is deferred to the server, and Read records whether any byte left.
type trackedBody struct {
	io.ReadCloser
	started bool
}

func (b *trackedBody) Read(p []byte) (int, error) {
	b.started = true
	return b.ReadCloser.Read(p)
}

func (b *trackedBody) Close() error { return nil }

func (f *failover) RoundTrip(req *http.Request) (*http.Response, error) {
	var body *trackedBody
	if req.Body != nil && req.Body != http.NoBody {
		body = &trackedBody{ReadCloser: req.Body}
		req.Body = body
	}
	for range len(f.lb.backends) {
		be := f.lb.pick()
		if be == nil {
			break
		}
		// The request is ours (ReverseProxy's clone) and the previous attempt has returned.
		req.URL.Host = be.addr
		res, err := f.rt.RoundTrip(req)
		if err == nil {
			return res, nil
		}
		if !isDialError(err) || (body != nil && body.started) {
			return nil, err
		}
		f.lb.markDown(be)
	}
	return nil, errNoBackend
}

// isDialError reports whether err is a failure to open the upstream connection, which happens
// before any byte of the request was sent.
func isDialError(err error) bool {
	var oe *net.OpError
	return errors.As(err, &oe) && oe.Op == "dial"
}

// bufferPool recycles ReverseProxy's body-copy buffers.
type bufferPool struct{ pool sync.Pool }

func (b *bufferPool) Get() []byte {
	if v, ok := b.pool.Get().(*[]byte); ok {
		return *v
	}
	return make([]byte, copyBufferSize)
}

func (b *bufferPool) Put(buf []byte) { b.pool.Put(&buf) }

// noTrailers drops response trailer fields: the Transport merges them into res.Trailer while the
// body is read, and ReverseProxy forwards whatever is there after Close.
type noTrailers struct {
	io.ReadCloser
	res *http.Response
}

func (b noTrailers) Close() error {
	err := b.ReadCloser.Close()
	b.res.Trailer = nil
	return err
}

// newProxy builds the request handler for cfg.
func newProxy(cfg Config, lb *balancer, transport http.RoundTripper) http.Handler {
	rp := &httputil.ReverseProxy{
		Director: func(r *http.Request) {
			r.URL.Scheme = "http"
			// Forward the request-target byte for byte: Opaque is written as is, the query
			// after it. A target starting with "//" would be read as scheme-relative, so it
			// keeps the default encoding of URL.Path.
			if raw, _, _ := strings.Cut(r.RequestURI, "?"); !strings.HasPrefix(raw, "//") {
				r.URL.Opaque = raw
			}
			r.Header.Del("Expect")  // the server has answered 100 Continue itself
			r.Header.Del("Upgrade") // protocol switching is not forwarded
			r.Trailer = nil         // request trailers are dropped
		},
		Transport:  &failover{lb: lb, rt: transport},
		BufferPool: &bufferPool{},
		ErrorLog:   log.New(io.Discard, "", 0),
		ModifyResponse: func(res *http.Response) error {
			if countFields(res.Header) > maxHeaderFields {
				return errors.New("too many header fields in the response")
			}
			if res.ContentLength < 0 && len(res.TransferEncoding) > 0 {
				res.Trailer = nil
				res.Body = noTrailers{ReadCloser: res.Body, res: res}
			}
			return nil
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			status := http.StatusBadGateway
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				status = http.StatusGatewayTimeout
			}
			plainError(w, status, false)
		},
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.RequestURI, "/") {
			plainError(w, http.StatusBadRequest, true)
			return
		}
		n := countFields(r.Header)
		if r.Host != "" {
			n++ // net/http moves Host out of the header map
		}
		if n > maxHeaderFields {
			plainError(w, http.StatusRequestHeaderFieldsTooLarge, true)
			return
		}
		// ReverseProxy re-adds "TE: trailers" when the inbound request has it; TE is hop-by-hop.
		r.Header.Del("Te")
		rp.ServeHTTP(w, r)
	})
}

// countFields counts header field lines (a repeated name counts once per line).
func countFields(h http.Header) int {
	n := 0
	for _, v := range h {
		n += len(v)
	}
	return n
}

// plainError writes a proxy-generated answer; closing ends the client connection after it.
func plainError(w http.ResponseWriter, status int, closing bool) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	if closing {
		h.Set("Connection", "close")
	}
	w.WriteHeader(status)
	io.WriteString(w, http.StatusText(status)+"\n")
}

// newServer is the client-facing HTTP/1.1 server.
func newServer(cfg Config, h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: cfg.HeaderTimeout,
		IdleTimeout:       cfg.HeaderTimeout,
		// net/http reads at most MaxHeaderBytes + 4096 bytes for a head.
		MaxHeaderBytes: cfg.MaxHeaderBytes - 4096,
		ErrorLog:       log.New(io.Discard, "", 0),
	}
}
