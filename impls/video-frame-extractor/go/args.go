package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// maxThumbnails is the most timestamps one run accepts (after expanding --every).
const maxThumbnails = 10000

// usageError is a problem with the command line (exit code 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// options is a parsed command line.
type options struct {
	input  string
	outdir string
	width  int
	at     []int64 // requested timestamps in microseconds (--at), or nil
	every  int64   // interval in microseconds (--every), or 0
	raw    bool
}

const usageText = "usage: video-frame-extractor [--width W] (--at T[,T...] | --every N) [--raw] <input> <outdir>"

// parseArgs reads the command line described in ../README.md.
func parseArgs(args []string) (*options, error) {
	o := &options{width: 320}
	var pos []string
	seen := map[string]bool{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "--") {
			pos = append(pos, a)
			continue
		}
		if seen[a] {
			return nil, usagef("option %s given twice", a)
		}
		seen[a] = true
		if a == "--raw" {
			o.raw = true
			continue
		}
		if a != "--width" && a != "--at" && a != "--every" {
			return nil, usagef("unknown option %s", a)
		}
		if i+1 >= len(args) {
			return nil, usagef("option %s needs a value", a)
		}
		i++
		v := args[i]
		switch a {
		case "--width":
			w, err := strconv.Atoi(v)
			if err != nil || w < 2 || w > 16384 || strings.HasPrefix(v, "+") {
				return nil, usagef("bad --width %q: an integer in 2..16384", v)
			}
			o.width = w
		case "--at":
			for _, part := range strings.Split(v, ",") {
				us, err := parseSeconds(part)
				if err != nil {
					return nil, usagef("bad timestamp %q in --at: %v", part, err)
				}
				o.at = append(o.at, us)
			}
			if len(o.at) > maxThumbnails {
				return nil, usagef("too many timestamps (more than %d)", maxThumbnails)
			}
		case "--every":
			us, err := parseSeconds(v)
			if err != nil {
				return nil, usagef("bad --every %q: %v", v, err)
			}
			if us == 0 {
				return nil, usagef("--every must be greater than 0")
			}
			o.every = us
		}
	}
	if seen["--at"] == seen["--every"] {
		return nil, usagef("give exactly one of --at and --every")
	}
	if len(pos) != 2 {
		return nil, usagef("expected <input> and <outdir>, got %d positional arguments", len(pos))
	}
	o.input, o.outdir = pos[0], pos[1]
	return o, nil
}

// parseSeconds converts decimal seconds ("4.5": 1-10 digits, optionally '.' and 1-6 digits)
// exactly to microseconds.
func parseSeconds(s string) (int64, error) {
	intPart, frac, hasDot := strings.Cut(s, ".")
	if len(intPart) < 1 || len(intPart) > 10 || !allDigits(intPart) {
		return 0, errors.New("expected seconds as 1-10 digits, optionally '.' and 1-6 digits")
	}
	if hasDot && (len(frac) < 1 || len(frac) > 6 || !allDigits(frac)) {
		return 0, errors.New("expected 1-6 digits after '.'")
	}
	var us int64
	for _, c := range intPart {
		us = us*10 + int64(c-'0')
	}
	us *= 1_000_000
	scale := int64(100_000)
	for _, c := range frac {
		us += int64(c-'0') * scale
		scale /= 10
	}
	return us, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// formatMicros prints microseconds as SECONDS.UUUUUU.
func formatMicros(us int64) string {
	sign := ""
	if us < 0 {
		sign, us = "-", -us
	}
	return fmt.Sprintf("%s%d.%06d", sign, us/1_000_000, us%1_000_000)
}

// outputHeight is scale=W:-2: the aspect-keeping height rounded to the nearest even number,
// av_rescale(W, srcH, 2*srcW)*2 with av_rescale's round-half-up on non-negative values.
func outputHeight(w, srcW, srcH int) int {
	return int((int64(w)*int64(srcH)+int64(srcW))/(2*int64(srcW))) * 2
}

// everyTimestamps expands --every N over [0, duration).
func everyTimestamps(every, duration int64) ([]int64, error) {
	var ts []int64
	for t := int64(0); t < duration; t += every {
		if len(ts) == maxThumbnails {
			return nil, usagef("too many timestamps (more than %d): --every %s over %s s",
				maxThumbnails, formatMicros(every), formatMicros(duration))
		}
		ts = append(ts, t)
	}
	return ts, nil
}

// thumbName is the file name of the i-th thumbnail (0-based i): 001.png, 002.png, ...
func thumbName(i int) string { return fmt.Sprintf("%03d.png", i+1) }
