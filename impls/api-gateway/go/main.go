// Command gateway is the Go implementation of the lightweight API gateway specified in
// impls/api-gateway/README.md: JWT verification (HS256/RS256), per-client token buckets, and a
// pooled reverse proxy to one backend.
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// Config is the parsed command line.
type Config struct {
	Listen, Backend     string
	SecretFile, KeyFile string
	Issuer, Audience    string
	Default             Limit
	Overrides           map[string]Limit
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// ParseArgs parses the command line of README "Command line".
func ParseArgs(args []string) (*Config, error) {
	c := &Config{Overrides: map[string]Limit{}}
	var rate, burst string
	seen := map[string]bool{}
	for i := 0; i < len(args); i++ {
		name := args[i]
		if i+1 >= len(args) {
			return nil, usageError{"missing value for " + name}
		}
		val := args[i+1]
		i++
		switch name {
		case "--listen":
			c.Listen = val
		case "--backend":
			c.Backend = val
		case "--hs256-secret-file":
			c.SecretFile = val
		case "--rs256-public-key":
			c.KeyFile = val
		case "--issuer":
			c.Issuer = val
		case "--audience":
			c.Audience = val
		case "--rate":
			rate = val
		case "--burst":
			burst = val
		case "--limit":
			sub, spec, ok := strings.Cut(val, "=")
			r, b, ok2 := strings.Cut(spec, ":")
			if !ok || !ok2 || sub == "" {
				return nil, usageError{"--limit takes SUB=RATE:BURST, got " + val}
			}
			lr, err := ParseRate(r)
			if err != nil {
				return nil, usageError{"--limit " + val + ": " + err.Error()}
			}
			lb, err := ParseBurst(b)
			if err != nil {
				return nil, usageError{"--limit " + val + ": " + err.Error()}
			}
			c.Overrides[sub] = Limit{Rate: lr, Burst: lb}
		default:
			return nil, usageError{"unknown option " + name}
		}
		seen[name] = true
	}
	for _, req := range []string{"--listen", "--backend", "--hs256-secret-file", "--rs256-public-key", "--issuer", "--audience", "--rate", "--burst"} {
		if !seen[req] {
			return nil, usageError{"missing required option " + req}
		}
	}
	for _, addr := range []string{c.Listen, c.Backend} {
		host, port, err := net.SplitHostPort(addr)
		if err != nil || net.ParseIP(host).To4() == nil || port == "" {
			return nil, usageError{"address must be IPv4:PORT, got " + addr}
		}
	}
	var err error
	if c.Default.Rate, err = ParseRate(rate); err != nil {
		return nil, usageError{"--rate: " + err.Error()}
	}
	if c.Default.Burst, err = ParseBurst(burst); err != nil {
		return nil, usageError{"--burst: " + err.Error()}
	}
	return c, nil
}

func fail(code int, format string, a ...any) {
	fmt.Fprintf(os.Stderr, "gateway: "+format+"\n", a...)
	os.Exit(code)
}

func main() {
	cfg, err := ParseArgs(os.Args[1:])
	if err != nil {
		fail(2, "%v", err)
	}
	secretBytes, err := os.ReadFile(cfg.SecretFile)
	if err != nil {
		fail(1, "%v", err)
	}
	secret, err := LoadSecret(secretBytes)
	if err != nil {
		fail(1, "%s: %v", cfg.SecretFile, err)
	}
	keyBytes, err := os.ReadFile(cfg.KeyFile)
	if err != nil {
		fail(1, "%v", err)
	}
	pub, err := LoadPublicKey(keyBytes)
	if err != nil {
		fail(1, "%s: %v", cfg.KeyFile, err)
	}
	start := time.Now()
	limiter := NewLimiter(cfg.Default, cfg.Overrides, func() int64 { return int64(time.Since(start)) })
	verifier := NewVerifier(secret, pub, cfg.Issuer, cfg.Audience)
	gw := NewGateway(verifier, limiter, cfg.Backend, nil)

	ln, err := net.Listen("tcp4", cfg.Listen)
	if err != nil {
		fail(1, "%v", err)
	}
	srv := NewServer(gw)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		if srv.Shutdown(shutdown) != nil {
			srv.Close()
		}
	case err := <-done:
		if !errors.Is(err, http.ErrServerClosed) {
			fail(1, "%v", err)
		}
	}
}

// NewServer wraps the handler in an http.Server with the spec's limits.
func NewServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		MaxHeaderBytes:    8192, // net/http allows 4096 bytes of slack: 431 above 12 KiB
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       10 * time.Second,
		ErrorLog:          discardLog,
	}
}

func contextWithClient(r *http.Request, sub string) context.Context {
	return context.WithValue(r.Context(), clientKey{}, sub)
}
