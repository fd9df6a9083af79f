// Command hls-segmenter remuxes a video into MPEG-TS segments and a VOD HLS playlist.
// Specification: ../README.md.
package main

import (
	"fmt"
	"os"
	"strconv"
)

const usage = "usage: hls-segmenter INPUT OUTDIR [TARGET_SECONDS]"

// parseArgs returns the input, the output directory and the target duration in seconds.
func parseArgs(args []string) (string, string, int64, error) {
	if len(args) < 2 || len(args) > 3 {
		return "", "", 0, fmt.Errorf("%s", usage)
	}
	target := int64(6)
	if len(args) == 3 {
		t, ok := parseTarget(args[2])
		if !ok {
			return "", "", 0, fmt.Errorf("invalid target duration %q (an integer from 1 to 3600)\n%s", args[2], usage)
		}
		target = t
	}
	return args[0], args[1], target, nil
}

// parseTarget accepts only decimal digits, value 1..3600.
func parseTarget(s string) (int64, bool) {
	if s == "" || len(s) > 4 {
		return 0, false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	v, _ := strconv.ParseInt(s, 10, 64)
	return v, v >= 1 && v <= 3600
}

func main() {
	input, outDir, target, err := parseArgs(os.Args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "hls-segmenter: %v\n", err)
		os.Exit(2)
	}
	if err := Run(input, outDir, target); err != nil {
		fmt.Fprintf(os.Stderr, "hls-segmenter: %v\n", err)
		os.Exit(1)
	}
}
