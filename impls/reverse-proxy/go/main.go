// Command proxy is an HTTP/1.1 reverse proxy and round-robin load balancer
// (impls/reverse-proxy/README.md).
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	cfg, err := parseArgs(os.Args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "proxy: %v\n", err)
		os.Exit(2)
	}
	os.Exit(run(cfg))
}

// run serves until SIGTERM or SIGINT; it returns the exit code.
func run(cfg Config) int {
	ln, err := net.Listen("tcp4", cfg.Listen)
	if err != nil {
		fmt.Fprintf(os.Stderr, "proxy: listen %s: %v\n", cfg.Listen, err)
		return 1
	}
	lb := newBalancer(cfg.Backends, cfg.DownFor)
	srv := newServer(cfg, newProxy(cfg, lb, newTransport(cfg)))

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		srv.Close() // no draining: stop at once
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(os.Stderr, "proxy: %v\n", err)
		return 1
	}
	return 0
}
