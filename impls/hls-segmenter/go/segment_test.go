package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const testdata = "../testdata"

func TestPlaylistFormat(t *testing.T) {
	got := Playlist([]int64{6_000_000, 4_000_000})
	want := "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXT-X-MEDIA-SEQUENCE:0\n" +
		"#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:6.000000,\nseg00000.ts\n#EXTINF:4.000000,\nseg00001.ts\n#EXT-X-ENDLIST\n"
	if got != want {
		t.Fatalf("playlist:\n%s\nwant:\n%s", got, want)
	}
	tiny, err := os.ReadFile(filepath.Join(testdata, "tiny.m3u8"))
	if err != nil {
		t.Fatal(err)
	}
	if got := Playlist([]int64{1_466_667, 1_466_667, 1_066_667}); got != string(tiny) {
		t.Fatalf("playlist:\n%s\nwant testdata/tiny.m3u8:\n%s", got, tiny)
	}
	// TARGETDURATION is the ceiling of the longest segment; EXTINF always has six decimals.
	for _, c := range []struct {
		durs   []int64
		target string
		extinf string
	}{
		{[]int64{6_000_001}, "#EXT-X-TARGETDURATION:7\n", "#EXTINF:6.000001,\n"},
		{[]int64{999_999}, "#EXT-X-TARGETDURATION:1\n", "#EXTINF:0.999999,\n"},
		{[]int64{1, 2_000_000}, "#EXT-X-TARGETDURATION:2\n", "#EXTINF:0.000001,\n"},
		{[]int64{12_345_678_901}, "#EXT-X-TARGETDURATION:12346\n", "#EXTINF:12345.678901,\n"},
	} {
		p := Playlist(c.durs)
		if !strings.Contains(p, c.target) || !strings.Contains(p, c.extinf) {
			t.Errorf("Playlist(%v) = %q, want %q and %q", c.durs, p, c.target, c.extinf)
		}
	}
	if SegmentName(7) != "seg00007.ts" || SegmentName(123456) != "seg123456.ts" {
		t.Errorf("SegmentName: %s %s", SegmentName(7), SegmentName(123456))
	}
}

func TestParseArgs(t *testing.T) {
	in, out, target, err := parseArgs([]string{"a.mp4", "dir"})
	if err != nil || in != "a.mp4" || out != "dir" || target != 6 {
		t.Fatalf("default target: %q %q %d %v", in, out, target, err)
	}
	if _, _, target, err = parseArgs([]string{"a", "b", "3600"}); err != nil || target != 3600 {
		t.Fatalf("target 3600: %d %v", target, err)
	}
	for _, bad := range [][]string{{}, {"a"}, {"a", "b", "6", "x"}, {"a", "b", "0"}, {"a", "b", "3601"},
		{"a", "b", "-1"}, {"a", "b", "6.5"}, {"a", "b", ""}, {"a", "b", "+6"}, {"a", "b", "06x"}} {
		if _, _, _, err := parseArgs(bad); err == nil {
			t.Errorf("parseArgs(%q) accepted", bad)
		}
	}
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestTinyMatchesReference(t *testing.T) {
	dir := t.TempDir()
	if err := Run(filepath.Join(testdata, "tiny.mp4"), dir, 1); err != nil {
		t.Fatal(err)
	}
	want := []string{"index.m3u8", "seg00000.ts", "seg00001.ts", "seg00002.ts"}
	if got := listDir(t, dir); !slices.Equal(got, want) {
		t.Fatalf("files %v, want %v", got, want)
	}
	pl, _ := os.ReadFile(filepath.Join(dir, "index.m3u8"))
	wantPl, _ := os.ReadFile(filepath.Join(testdata, "tiny.m3u8"))
	if !bytes.Equal(pl, wantPl) {
		t.Fatalf("playlist:\n%s\nwant:\n%s", pl, wantPl)
	}
	sums, err := os.ReadFile(filepath.Join(testdata, "tiny.sha256"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(sums)), "\n") {
		f := strings.Fields(line)
		data, err := os.ReadFile(filepath.Join(dir, f[1]))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != f[0] {
			t.Errorf("%s: sha256 %x, want %s (the ffmpeg CLI's segment)", f[1], sum, f[0])
		}
		n++
	}
	if n != 3 {
		t.Fatalf("tiny.sha256 lists %d segments", n)
	}
}

// Every fault must fail with the spec's reason and leave the output directory empty.
func TestFaults(t *testing.T) {
	tiny, err := os.ReadFile(filepath.Join(testdata, "tiny.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	half := filepath.Join(t.TempDir(), "half.mp4")
	if err := os.WriteFile(half, tiny[:len(tiny)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, input, reason string }{
		{"missing file", filepath.Join(testdata, "no-such-file.mp4"), "No such file or directory"},
		{"text file", filepath.Join(testdata, "not-a-video.txt"), "Invalid data found when processing input"},
		{"audio only", filepath.Join(testdata, "audio-only.m4a"), "no video stream"},
		{"truncated", half, "corrupt packet in stream"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			err := Run(c.input, dir, 1)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want *Error", err)
			}
			if e.Path != c.input || !strings.Contains(e.Reason, c.reason) {
				t.Fatalf("err = %q, want %s: …%s…", err, c.input, c.reason)
			}
			if left := listDir(t, dir); len(left) != 0 {
				t.Fatalf("partial output left behind: %v", left)
			}
		})
	}
	t.Run("missing output directory", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "absent")
		err := Run(filepath.Join(testdata, "tiny.mp4"), dir, 1)
		if err == nil || !strings.HasPrefix(err.Error(), dir+": ") {
			t.Fatalf("err = %v", err)
		}
		if _, statErr := os.Stat(dir); !os.IsNotExist(statErr) {
			t.Fatalf("output directory was created")
		}
	})
}

// The command line: exit codes 0, 1 and 2 and quiet success (main runs in a child process).
func TestCommandLine(t *testing.T) {
	if os.Getenv("HLS_SEGMENTER_RUN_MAIN") == "1" {
		os.Args = append([]string{"hls-segmenter"}, strings.Fields(os.Getenv("HLS_SEGMENTER_ARGS"))...)
		main()
		os.Exit(0)
	}
	dir := t.TempDir()
	for _, c := range []struct {
		args   string
		code   int
		stderr string
	}{
		{"", 2, "usage: hls-segmenter INPUT OUTDIR [TARGET_SECONDS]"},
		{filepath.Join(testdata, "tiny.mp4") + " " + dir + " 0", 2, "invalid target duration"},
		{filepath.Join(testdata, "none.mp4") + " " + dir, 1, "hls-segmenter: " + filepath.Join(testdata, "none.mp4") + ": No such file or directory"},
		{filepath.Join(testdata, "tiny.mp4") + " " + dir + " 1", 0, ""},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCommandLine$")
		cmd.Env = append(os.Environ(), "HLS_SEGMENTER_RUN_MAIN=1", "HLS_SEGMENTER_ARGS="+c.args)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != c.code || !strings.Contains(stderr.String(), c.stderr) || (c.code == 0 && stderr.Len() != 0) {
			t.Errorf("args %q: exit %d, stderr %q; want exit %d and %q", c.args, code, stderr.String(), c.code, c.stderr)
		}
		if c.code == 0 && stdout.Len() != 0 {
			t.Errorf("args %q: stdout %q, want nothing", c.args, stdout.String())
		}
	}
	if got := listDir(t, dir); len(got) != 4 {
		t.Errorf("files after the successful run: %v", got)
	}
}
