package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"
)

// Config holds the command-line settings (README: Command line).
type Config struct {
	Listen          string
	Backends        []string
	MaxIdle         int
	DownFor         time.Duration
	ConnectTimeout  time.Duration
	HeaderTimeout   time.Duration
	UpstreamTimeout time.Duration
	MaxHeaderBytes  int
}

// maxBackends is the largest number of backends --backends may list.
const maxBackends = 64

// minHeaderBytes is the smallest --max-header-bytes accepted.
const minHeaderBytes = 8192

// parseArgs reads the command line (without the program name).
func parseArgs(args []string) (Config, error) {
	fs := flag.NewFlagSet("proxy", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	listen := fs.String("listen", "", "")
	backends := fs.String("backends", "", "")
	maxIdle := fs.Int("max-idle", 128, "")
	downMs := fs.Int("down-ms", 2000, "")
	connectMs := fs.Int("connect-timeout-ms", 1000, "")
	headerMs := fs.Int("header-timeout-ms", 10000, "")
	upstreamMs := fs.Int("upstream-timeout-ms", 30000, "")
	maxHeader := fs.Int("max-header-bytes", 16384, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return Config{}, errors.New("usage: proxy --listen ADDR --backends HOST:PORT[,...] [options]")
		}
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *listen == "" {
		return Config{}, errors.New("--listen is required")
	}
	if err := checkAddr(*listen); err != nil {
		return Config{}, fmt.Errorf("--listen: %w", err)
	}
	if *backends == "" {
		return Config{}, errors.New("--backends is required")
	}
	list := strings.Split(*backends, ",")
	if len(list) > maxBackends {
		return Config{}, fmt.Errorf("--backends: %d backends, at most %d", len(list), maxBackends)
	}
	for _, b := range list {
		if err := checkAddr(b); err != nil {
			return Config{}, fmt.Errorf("--backends: %w", err)
		}
	}
	for name, v := range map[string]int{
		"max-idle": *maxIdle, "down-ms": *downMs, "connect-timeout-ms": *connectMs,
		"header-timeout-ms": *headerMs, "upstream-timeout-ms": *upstreamMs,
	} {
		if v < 0 {
			return Config{}, fmt.Errorf("--%s must not be negative", name)
		}
	}
	if *maxHeader < minHeaderBytes {
		return Config{}, fmt.Errorf("--max-header-bytes must be at least %d", minHeaderBytes)
	}
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	return Config{
		Listen:          *listen,
		Backends:        list,
		MaxIdle:         *maxIdle,
		DownFor:         ms(*downMs),
		ConnectTimeout:  ms(*connectMs),
		HeaderTimeout:   ms(*headerMs),
		UpstreamTimeout: ms(*upstreamMs),
		MaxHeaderBytes:  *maxHeader,
	}, nil
}

// checkAddr accepts only an IPv4 literal with a port, a.b.c.d:port.
func checkAddr(s string) error {
	ap, err := netip.ParseAddrPort(s)
	if err != nil || !ap.Addr().Is4() {
		return fmt.Errorf("%q is not an IPv4 address with a port (a.b.c.d:port)", s)
	}
	return nil
}
