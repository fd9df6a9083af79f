package main

import (
	"errors"
	"reflect"
	"testing"
)

func TestParseSeconds(t *testing.T) {
	good := map[string]int64{
		"0": 0, "4.5": 4_500_000, "59.966667": 59_966_667, "1.000001": 1_000_001,
		"0.000000": 0, "9999999999": 9_999_999_999_000_000, "007.25": 7_250_000,
	}
	for in, want := range good {
		got, err := parseSeconds(in)
		if err != nil || got != want {
			t.Errorf("parseSeconds(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", ".5", "5.", "-1", "+1", "1e3", "1.1234567", "12345678901", " 1", "1,5", "1.2.3", "abc"} {
		if got, err := parseSeconds(in); err == nil {
			t.Errorf("parseSeconds(%q) = %d, want an error", in, got)
		}
	}
}

func TestFormatMicros(t *testing.T) {
	for us, want := range map[int64]string{0: "0.000000", 4_500_000: "4.500000", 533_333: "0.533333", 60_000_001: "60.000001"} {
		if got := formatMicros(us); got != want {
			t.Errorf("formatMicros(%d) = %q, want %q", us, got, want)
		}
	}
}

func TestOutputHeightIsScaleMinus2(t *testing.T) {
	cases := []struct{ w, srcW, srcH, want int }{
		{320, 1280, 720, 180},
		{100, 320, 240, 76},   // 75 rounds to the nearest even: 76
		{426, 1280, 720, 240}, // 239.6 -> 240
		{640, 1280, 720, 360},
		{2, 1280, 720, 2},
		{2, 1920, 100, 0}, // too flat: the caller reports it
		{1281, 1280, 720, 720},
	}
	for _, c := range cases {
		if got := outputHeight(c.w, c.srcW, c.srcH); got != c.want {
			t.Errorf("outputHeight(%d, %d, %d) = %d, want %d", c.w, c.srcW, c.srcH, got, c.want)
		}
	}
}

func TestEveryTimestamps(t *testing.T) {
	ts, err := everyTimestamps(4_500_000, 60_000_000)
	if err != nil || len(ts) != 14 || ts[0] != 0 || ts[13] != 58_500_000 {
		t.Fatalf("every 4.5 over 60 s: %v, %v", ts, err)
	}
	ts, _ = everyTimestamps(1_000_000, 2_000_000)
	if !reflect.DeepEqual(ts, []int64{0, 1_000_000}) {
		t.Fatalf("every 1 over 2 s: %v (the end is excluded)", ts)
	}
	var ue *usageError
	if _, err := everyTimestamps(1, 60_000_000); !errors.As(err, &ue) {
		t.Fatalf("60 million timestamps: want a usage error, got %v", err)
	}
}

func TestParseArgs(t *testing.T) {
	o, err := parseArgs([]string{"in.mp4", "--every", "4.5", "out", "--raw"})
	if err != nil || o.width != 320 || o.every != 4_500_000 || !o.raw || o.input != "in.mp4" || o.outdir != "out" {
		t.Fatalf("parseArgs: %+v, %v", o, err)
	}
	o, err = parseArgs([]string{"--width", "100", "--at", "0,1.5,1.5", "in", "out"})
	if err != nil || o.width != 100 || !reflect.DeepEqual(o.at, []int64{0, 1_500_000, 1_500_000}) || o.raw {
		t.Fatalf("parseArgs: %+v, %v", o, err)
	}
	bad := [][]string{
		{"in", "out"}, // neither --at nor --every
		{"--at", "1", "--every", "1", "in", "out"},     // both
		{"--at", "1", "in"},                            // one positional
		{"--at", "1", "in", "out", "extra"},            // three
		{"--at", "1", "--at", "2", "in", "out"},        // repeated
		{"--at", "1", "--fast", "in", "out"},           // unknown
		{"in", "out", "--at"},                          // missing value
		{"--at", "1,,2", "in", "out"},                  // empty timestamp
		{"--at", "-1", "in", "out"},                    // negative
		{"--every", "0", "in", "out"},                  // zero interval
		{"--every", "0.0000001", "in", "out"},          // 7 decimals
		{"--width", "1", "--at", "1", "in", "out"},     // too narrow
		{"--width", "16385", "--at", "1", "in", "out"}, // too wide
		{"--width", "abc", "--at", "1", "in", "out"},
	}
	for _, args := range bad {
		var ue *usageError
		if _, err := parseArgs(args); !errors.As(err, &ue) {
			t.Errorf("parseArgs(%q): want a usage error, got %v", args, err)
		}
	}
}
