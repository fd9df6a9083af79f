// Command video-frame-extractor writes PNG thumbnails of a video at given timestamps, decoding
// with FFmpeg's C libraries through cgo, as specified in ../README.md.
//
// Usage:
//
//	video-frame-extractor [--width W] (--at T[,T...] | --every N) [--raw] <input> <outdir>
//
// Exit codes: 0 on success, 1 on a runtime error, 2 on wrong usage.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole program minus the process exit, so that tests can drive it.
func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseArgs(args)
	if err != nil {
		fmt.Fprintf(stderr, "video-frame-extractor: %v\n%s\n", err, usageText)
		return 2
	}
	thumbs, err := extract(o)
	if err != nil {
		fmt.Fprintf(stderr, "video-frame-extractor: %v\n", err)
		var ue *usageError
		if errors.As(err, &ue) {
			return 2
		}
		return 1
	}
	var b strings.Builder
	for _, t := range thumbs {
		b.WriteString(t.line())
	}
	if _, err := io.WriteString(stdout, b.String()); err != nil {
		fmt.Fprintf(stderr, "video-frame-extractor: <stdout>: %v\n", err)
		return 1
	}
	return 0
}
